/**
 * Encrypts every payload the platform hands to Temporal (workflow inputs, Update arguments and results,
 * activity arguments, memos) with AES-256-GCM, so histories hold no personal data in clear text: the
 * Temporal UI and CLI show ciphertext unless pointed at the codec endpoint (`/temporal-codec`, see
 * README "Personal data in workflow histories"). Search attributes are never encoded: they stay ids
 * and statuses on purpose.
 *
 * Keys come from TEMPORAL_PAYLOAD_KEY (base64, 32 bytes); old keys in TEMPORAL_PAYLOAD_OLD_KEYS still
 * decrypt, so a key can be rotated without losing decades-old histories. Each payload names the key
 * that sealed it. On a developer machine a key is generated once into `.data/`.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { AppConfig } from './config';
import { generatedSecret } from './local-data';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

interface Key {
  id: string;
  bytes: Buffer;
}

function parseKey(base64: string, variable: string): Key {
  const bytes = Buffer.from(base64.trim(), 'base64');
  if (bytes.length !== 32) throw new Error(`${variable} must be 32 bytes in base64 (openssl rand -base64 32), got ${bytes.length} bytes`);
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 16), bytes };
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly byId: Map<string, Key>;

  constructor(
    private readonly current: Key,
    older: Key[] = [],
  ) {
    this.byId = new Map([current, ...older].map((k) => [k.id, k]));
  }

  get keyId(): string {
    return this.current.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID]: utf8.encode(this.current.id) },
        data: sealed,
      };
    });
  }

  /** Payloads that were never encrypted (histories from before the codec) pass through unchanged. */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || fromUtf8.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const id = payload.metadata?.[KEY_ID] ? fromUtf8.decode(payload.metadata[KEY_ID]) : '';
      const key = this.byId.get(id);
      if (!key) throw new Error(`Payload sealed with unknown key ${id || '(none)'}: add it to TEMPORAL_PAYLOAD_OLD_KEYS`);
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

type KeyConfig = Pick<AppConfig['temporal'], 'payloadKey' | 'payloadOldKeys' | 'production'>;

export function payloadCodecFor(config: KeyConfig): AesGcmPayloadCodec {
  let current = config.payloadKey;
  if (!current) {
    if (config.production) throw new Error('TEMPORAL_PAYLOAD_KEY is required in production (32 random bytes in base64: openssl rand -base64 32)');
    // The dev key: generated once into .data/, read by every process on the machine.
    current = generatedSecret('temporal-payload.key', 32, 'base64');
  }
  const older = config.payloadOldKeys
    .split(',')
    .filter((k) => k.trim())
    .map((k) => parseKey(k, 'TEMPORAL_PAYLOAD_OLD_KEYS'));
  return new AesGcmPayloadCodec(parseKey(current, 'TEMPORAL_PAYLOAD_KEY'), older);
}

/** The data converter every client and worker of the platform uses. */
export function dataConverterFor(config: KeyConfig): DataConverter {
  return { payloadCodecs: [payloadCodecFor(config)] };
}
