/**
 * Avro encoding of published events. The envelope (MessageV1) carries the payload as bytes encoded
 * with the schema its `dataschema` names, as Apache Fineract's external events do. Schemas live in
 * src/events/avro/*.avsc.json; names carry their version (…V1), so a breaking change is a new file.
 */
import avro from 'avsc';
import BulkMessageItemV1 from './avro/BulkMessageItemV1.avsc.json';
import BulkMessagePayloadV1 from './avro/BulkMessagePayloadV1.avsc.json';
import CobLoanProcessedV1 from './avro/CobLoanProcessedV1.avsc.json';
import LoanActionRecordedV1 from './avro/LoanActionRecordedV1.avsc.json';
import LoanApprovedV1 from './avro/LoanApprovedV1.avsc.json';
import LoanChargeAddedV1 from './avro/LoanChargeAddedV1.avsc.json';
import LoanChargeWaivedV1 from './avro/LoanChargeWaivedV1.avsc.json';
import LoanClosedV1 from './avro/LoanClosedV1.avsc.json';
import LoanCreatedV1 from './avro/LoanCreatedV1.avsc.json';
import LoanDisbursedV1 from './avro/LoanDisbursedV1.avsc.json';
import LoanRejectedV1 from './avro/LoanRejectedV1.avsc.json';
import LoanRepaymentRecordedV1 from './avro/LoanRepaymentRecordedV1.avsc.json';
import LoanStageChangedV1 from './avro/LoanStageChangedV1.avsc.json';
import LoanWrittenOffV1 from './avro/LoanWrittenOffV1.avsc.json';
import MessageV1 from './avro/MessageV1.avsc.json';
import NotificationCreatedV1 from './avro/NotificationCreatedV1.avsc.json';
import PenaltyAppliedV1 from './avro/PenaltyAppliedV1.avsc.json';
import { BULK_EVENT_TYPE, BULK_SCHEMA, EVENT_TYPES, isEventType } from './catalog';

/** Every schema file, by simple name (order matters: referenced records first). */
export const AVRO_SCHEMAS: Record<string, avro.Schema> = {
  MessageV1, BulkMessageItemV1, BulkMessagePayloadV1, LoanCreatedV1, LoanStageChangedV1, LoanActionRecordedV1, LoanApprovedV1,
  LoanRejectedV1, LoanDisbursedV1, LoanClosedV1, LoanWrittenOffV1, LoanRepaymentRecordedV1, PenaltyAppliedV1, CobLoanProcessedV1,
  NotificationCreatedV1, LoanChargeAddedV1, LoanChargeWaivedV1,
} as Record<string, avro.Schema>;

const registry: Record<string, avro.Type> = {};
const types = new Map<string, avro.Type>();
for (const [name, schema] of Object.entries(AVRO_SCHEMAS)) types.set(name, avro.Type.forSchema(schema, { registry }));

export function avroType(schemaName: string): avro.Type {
  const t = types.get(schemaName);
  if (!t) throw new Error(`No Avro schema ${schemaName}`);
  return t;
}

/** Full name (namespace.name) of a schema: the envelope's `dataschema`. */
export function fullSchemaName(schemaName: string): string {
  const s = AVRO_SCHEMAS[schemaName] as { namespace?: string; name: string };
  return s.namespace ? `${s.namespace}.${s.name}` : s.name;
}

export function schemaOfType(type: string): string {
  if (type === BULK_EVENT_TYPE) return BULK_SCHEMA;
  if (!isEventType(type)) throw new Error(`Unknown event type ${type}`);
  return EVENT_TYPES[type].schema;
}

/**
 * Fills schema defaults (null / "0") and checks the payload against its schema; throws naming the
 * offending paths, so a bad payload fails the business transaction instead of the relay.
 */
export function normalizePayload(type: string, data: unknown): Record<string, unknown> {
  const t = avroType(schemaOfType(type));
  const bad: string[] = [];
  const filled = withDefaults(AVRO_SCHEMAS[schemaOfType(type)] as RecordSchema, data as Record<string, unknown>);
  if (!t.isValid(filled, { errorHook: (path) => bad.push(path.join('.') || '(root)') })) {
    throw new Error(`Event ${type}: payload does not match ${schemaOfType(type)} at ${bad.join(', ')}`);
  }
  return filled;
}

interface RecordSchema {
  fields: { name: string; default?: unknown }[];
}

function withDefaults(schema: RecordSchema, data: Record<string, unknown>): Record<string, unknown> {
  if (!data || typeof data !== 'object') return data;
  const out: Record<string, unknown> = {};
  for (const f of schema.fields) {
    const v = data[f.name];
    out[f.name] = v === undefined && 'default' in f ? f.default : v;
  }
  return out;
}

export interface EnvelopeV1 {
  id: number;
  source: string;
  type: string;
  category: string;
  createdAt: string;
  businessDate: string | null;
  idempotencyKey: string;
  aggregateType: string;
  aggregateId: string;
  dataschema: string;
  data: Buffer;
}

/** A bulk outbox row's payload as stored: the items in order, each already normalized. */
export interface StoredBulkPayload {
  items: { type: string; data: Record<string, unknown> }[];
}

/** Encodes a stored payload (JSON from the outbox row) into Avro bytes. */
export function encodePayload(type: string, payload: unknown, aggregateId: string, businessDate: string | null): Buffer {
  if (type === BULK_EVENT_TYPE) {
    const items = (payload as StoredBulkPayload).items.map((item, i) => ({
      id: i,
      type: item.type,
      dataschema: fullSchemaName(schemaOfType(item.type)),
      data: avroType(schemaOfType(item.type)).toBuffer(item.data),
    }));
    return avroType(BULK_SCHEMA).toBuffer({ aggregateId, businessDate, items });
  }
  return avroType(schemaOfType(type)).toBuffer(payload);
}

export function encodeEnvelope(envelope: EnvelopeV1): Buffer {
  return avroType('MessageV1').toBuffer(envelope);
}

export interface DecodedEvent extends Omit<EnvelopeV1, 'data'> {
  data: Record<string, any>;
}

/** What a consumer does: decode the envelope, then its payload by `dataschema` (bulk items too). */
export function decodeEvent(buf: Buffer): DecodedEvent {
  const env = avroType('MessageV1').fromBuffer(buf) as EnvelopeV1;
  const simple = env.dataschema.slice(env.dataschema.lastIndexOf('.') + 1);
  let data = avroType(simple).fromBuffer(env.data) as Record<string, any>;
  if (simple === BULK_SCHEMA) {
    data = {
      ...data,
      items: (data.items as { id: number; type: string; dataschema: string; data: Buffer }[]).map((it) => ({
        ...it,
        data: { ...avroType(it.dataschema.slice(it.dataschema.lastIndexOf('.') + 1)).fromBuffer(it.data) },
      })),
    };
  }
  return { ...env, id: Number(env.id), data: { ...data } };
}

export const AVRO_CONTENT_TYPE = 'application/vnd.apache.avro+binary';
