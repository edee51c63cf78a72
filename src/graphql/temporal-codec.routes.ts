/**
 * A Temporal remote codec endpoint, so operators can read the sealed payloads of a history in the
 * Temporal UI (Settings → Data Encoder, or the dev server's --ui-codec-endpoint) and with
 * `temporal workflow show --codec-endpoint http://localhost:4000/temporal-codec`:
 *   POST /temporal-codec/decode   {"payloads":[{"metadata":{...base64},"data":base64}]} → the same, decrypted
 *   POST /temporal-codec/encode   the reverse
 * Decrypted payloads hold personal data: only an ADMIN's Bearer token may read them (the UI forwards the
 * user's token when configured to). On a developer machine (not NODE_ENV=production) requests from
 * loopback are let in without a token, because the dev server's UI sends none.
 */
import express, { type Request, type Response } from 'express';
import type { Payload } from '@temporalio/common';
import type { AppConfig } from '../config';
import { actorFromToken, bearerToken } from '../services/auth.service';
import { payloadCodecFor } from '../temporal-codec';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(p.data ?? '', 'base64'),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

export function temporalCodecRoutes(config: AppConfig): express.Router {
  const codec = payloadCodecFor(config.temporal);
  const router = express.Router();
  const allowed = async (req: Request): Promise<boolean> => {
    const bearer = bearerToken(req.headers.authorization);
    const actor = bearer ? await actorFromToken(bearer, config) : undefined;
    if (actor?.roles.includes('ADMIN')) return true;
    return !config.temporal.production && !bearer && LOOPBACK.has(req.socket.remoteAddress ?? '');
  };
  // The UI calls from its own origin (the Temporal UI's address).
  router.use((req, res, next) => {
    res.setHeader('Access-Control-Allow-Origin', config.temporal.uiUrl);
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Namespace');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });
  const handle = (op: 'encode' | 'decode') => async (req: Request, res: Response) => {
    if (!(await allowed(req))) {
      res.status(403).json({ errors: [{ message: 'Decoding payloads needs an ADMIN token', extensions: { code: 'FORBIDDEN' } }] });
      return;
    }
    const payloads = (req.body as { payloads?: unknown })?.payloads;
    if (!Array.isArray(payloads)) {
      res.status(400).json({ errors: [{ message: 'Body must be {"payloads": [...]}', extensions: { code: 'BAD_USER_INPUT' } }] });
      return;
    }
    try {
      const out = await codec[op](payloads.map((p) => fromJson(p as JsonPayload)));
      res.json({ payloads: out.map(toJson) });
    } catch (err) {
      res.status(400).json({ errors: [{ message: `Cannot ${op}: ${(err as Error).message}`, extensions: { code: 'BAD_USER_INPUT' } }] });
    }
  };
  router.post('/encode', express.json({ limit: '4mb' }), handle('encode'));
  router.post('/decode', express.json({ limit: '4mb' }), handle('decode'));
  return router;
}
