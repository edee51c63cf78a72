/**
 * The transactional outbox: how any business change publishes an event.
 *
 * Inside the transaction that makes the change, call
 *
 *   await recordEvent(em, {
 *     type: 'LoanRepaymentRecorded',                 // a key of EVENT_TYPES (src/events/catalog.ts)
 *     aggregateId: loan.id,                           // aggregateType defaults to 'Loan'
 *     idempotencyKey: `repayment-${transaction.id}`,  // unique per business change; a repeat is a no-op
 *     data: { loanId, customerId, transactionId, transactionDate, currencyCode, amount: amount.toFixed(2), ... },
 *   });
 *
 * `em` must be the transactional EntityManager (`ctx.em.transactional(async (em) => ...)`): the row
 * commits with your change or not at all. `data` is checked against the type's Avro schema (money as
 * decimal strings); a mismatch throws and so rolls your transaction back. For a loan, recordEvent
 * locks the loan row (FOR NO KEY UPDATE, the lock an UPDATE of the row takes anyway) until commit, so
 * the events of one loan get ids in commit order and reach RabbitMQ in that order.
 * Close of business: one message per loan per run with `recordBulkEvent(em, { aggregateId, businessDate,
 * idempotencyKey: `cob-${date}-${loanId}`, items: [{ type: 'PenaltyApplied', data }, { type: 'CobLoanProcessed', data }] })`,
 * or `recordEvents(em, [...])` to write many rows in one statement; close of business itself builds its
 * messages in SQL (recordBulkEventsFromQuery, its shapes checked by test/services/cob-bulk-events.test.ts).
 * Types an ADMIN disabled (setEventTypeEnabled) are not written; both functions then return null.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { normalizePayload, fullSchemaName, schemaOfType, type StoredBulkPayload } from '../events/avro';
import { ALL_EVENT_TYPES, BULK_EVENT_TYPE, BULK_SCHEMA, categoryOf, EVENT_TYPES, type EventPayloads, type EventType } from '../events/catalog';
import { ValidationError } from '../domain/errors';
import { EventTypeSetting } from '../entities';
import type { ServiceContext } from './context';
import { sql } from './sql';

/** LISTEN/NOTIFY channel: a commit that wrote outbox rows wakes the relay at once. */
export const OUTBOX_NOTIFY_CHANNEL = 'loan_platform_outbox';

/** `source` of the envelope; set once per process from config (EVENTS_SOURCE). */
let eventSource = 'loan-platform';
export function setEventSource(source: string): void {
  eventSource = source;
}

export interface RecordEventInput<T extends EventType = EventType> {
  type: T;
  aggregateId: string;
  /** Defaults to 'Loan'. */
  aggregateType?: string;
  idempotencyKey: string;
  data: EventPayloads[T];
  /** YYYY-MM-DD, for events that belong to a business date (COB). */
  businessDate?: string | null;
}

export interface RecordBulkEventInput {
  aggregateId: string;
  aggregateType?: string;
  idempotencyKey: string;
  businessDate?: string | null;
  items: { [T in EventType]: { type: T; data: EventPayloads[T] } }[EventType][];
}

interface Row {
  type: string;
  aggregateType: string;
  aggregateId: string;
  idempotencyKey: string;
  payload: unknown;
  businessDate: string | null;
}

/** Records one event in the caller's transaction. Returns its outbox id, or null when disabled or a repeat. */
export async function recordEvent<T extends EventType>(em: EntityManager, input: RecordEventInput<T>): Promise<string | null> {
  const [id] = await recordEvents(em, [input as RecordEventInput]);
  return id ?? null;
}

/** One bulk message (type BulkBusinessEvent) carrying several events of one aggregate, in order. */
export async function recordBulkEvent(em: EntityManager, input: RecordBulkEventInput): Promise<string | null> {
  const disabled = await disabledTypes(em, [BULK_EVENT_TYPE, ...input.items.map((i) => i.type)]);
  if (disabled.has(BULK_EVENT_TYPE)) return null;
  const items = input.items.filter((i) => !disabled.has(i.type)).map((i) => ({ type: i.type, data: normalizePayload(i.type, i.data) }));
  if (items.length === 0) return null;
  const payload: StoredBulkPayload = { items };
  const ids = await insertRows(em, [{
    type: BULK_EVENT_TYPE, aggregateType: input.aggregateType ?? 'Loan', aggregateId: input.aggregateId,
    idempotencyKey: input.idempotencyKey, payload, businessDate: input.businessDate ?? null,
  }]);
  return ids[0] ?? null;
}

/**
 * Records many events in one statement (same rules as recordEvent). Returns the new ids in input
 * order, with undefined for disabled types and repeated idempotency keys.
 */
export async function recordEvents(em: EntityManager, inputs: RecordEventInput[]): Promise<(string | undefined)[]> {
  if (inputs.length === 0) return [];
  const rows: Row[] = inputs.map((i) => ({
    type: i.type,
    aggregateType: i.aggregateType ?? 'Loan',
    aggregateId: i.aggregateId,
    idempotencyKey: i.idempotencyKey,
    payload: normalizePayload(i.type, i.data),
    businessDate: i.businessDate ?? null,
  }));
  const ids = await insertRows(em, rows);
  const byKey = new Map(rows.map((r, n) => [r.idempotencyKey, ids[n]]));
  return inputs.map((i) => byKey.get(i.idempotencyKey));
}

async function insertRows(em: EntityManager, rows: Row[]): Promise<(string | undefined)[]> {
  assertInTransaction(em);
  for (const r of rows) {
    if (!r.idempotencyKey || r.idempotencyKey.length > 200) throw new Error('recordEvent: idempotencyKey must be 1 to 200 characters');
  }
  // Serialise the events of each aggregate in commit order (sorted, so two multi-loan writers never deadlock).
  const loanIds = [...new Set(rows.filter((r) => r.aggregateType === 'Loan').map((r) => r.aggregateId))].sort();
  if (loanIds.length) {
    await em.execute('select 1 from "loan" where "id" in (select jsonb_array_elements_text(?::jsonb)::uuid) order by "id" for no key update', [JSON.stringify(loanIds)]);
  }
  const others = [...new Set(rows.filter((r) => r.aggregateType !== 'Loan').map((r) => `${r.aggregateType}:${r.aggregateId}`))].sort();
  if (others.length) {
    await em.execute(`select pg_advisory_xact_lock(hashtextextended('outbox:' || k, 0)) from jsonb_array_elements_text(?::jsonb) as k order by k`, [JSON.stringify(others)]);
  }
  // One JSON parameter (the query builder would expand array parameters into lists).
  const json = JSON.stringify(rows.map((r) => ({
    type: r.type, category: categoryOf(r.type), aggregateType: r.aggregateType, aggregateId: r.aggregateId,
    idempotencyKey: r.idempotencyKey, dataSchema: fullSchemaName(schemaOfType(r.type)), payload: r.payload, businessDate: r.businessDate,
  })));
  const inserted = await em.execute<{ id: string; idempotency_key: string }[]>(
    `with ins as (
       insert into "outbox_event" ("source", "type", "category", "aggregate_type", "aggregate_id", "idempotency_key", "data_schema", "payload", "business_date")
       select ?, e.v->>'type', e.v->>'category', e.v->>'aggregateType', e.v->>'aggregateId', e.v->>'idempotencyKey', e.v->>'dataSchema',
              e.v->'payload', (e.v->>'businessDate')::date
         from jsonb_array_elements(?::jsonb) with ordinality as e(v, n)
        where not exists (select 1 from "event_type_setting" s where s."type" = e.v->>'type' and not s."enabled")
        order by e.n
       on conflict ("idempotency_key") do nothing
       returning "id", "idempotency_key")
     select ins."id", ins."idempotency_key", pg_notify(?, '') from ins`,
    [eventSource, json, OUTBOX_NOTIFY_CHANNEL],
  );
  const ids = new Map(inserted.map((r) => [r.idempotency_key, String(r.id)]));
  return rows.map((r) => ids.get(r.idempotencyKey));
}

function assertInTransaction(em: EntityManager): void {
  if (!em.isInTransaction()) {
    throw new Error('recordEvent must run inside the business transaction: use the EntityManager em.transactional() gives you');
  }
}

async function disabledTypes(em: EntityManager, types: string[]): Promise<Set<string>> {
  const rows = await em.find(EventTypeSetting, { type: { $in: [...new Set(types)] }, enabled: false });
  return new Set(rows.map((r) => r.type));
}

export interface EventTypeStatus {
  type: string;
  category: string;
  schema: string;
  description: string;
  enabled: boolean;
  updatedBy: string | null;
  updatedAt: Date | null;
}

/** Every event type with its switch (types without a row are enabled). */
export async function listEventTypes(ctx: ServiceContext): Promise<EventTypeStatus[]> {
  const settings = new Map((await ctx.em.find(EventTypeSetting, {})).map((s) => [s.type, s]));
  return ALL_EVENT_TYPES.map((type) => {
    const s = settings.get(type);
    const info = type === BULK_EVENT_TYPE
      ? { category: 'BULK', schema: 'BulkMessagePayloadV1', description: 'One message per loan per close-of-business run' }
      : EVENT_TYPES[type as EventType];
    return {
      type, category: info.category, schema: fullSchemaName(info.schema), description: info.description,
      enabled: s?.enabled ?? true, updatedBy: s?.updatedBy ?? null, updatedAt: s?.updatedAt ?? null,
    };
  });
}

/** ADMIN: turn an event type on or off (off = not written to the outbox from the next transaction on). */
export async function setEventTypeEnabled(ctx: ServiceContext, type: string, enabled: boolean): Promise<EventTypeStatus> {
  if (!ALL_EVENT_TYPES.includes(type)) throw new ValidationError('type', `unknown event type; one of ${ALL_EVENT_TYPES.join(', ')}`);
  await ctx.em.getConnection().execute(
    `insert into "event_type_setting" ("type", "enabled", "updated_by", "updated_at") values (?, ?, ?, now())
     on conflict ("type") do update set "enabled" = excluded."enabled", "updated_by" = excluded."updated_by", "updated_at" = now()`,
    [type, enabled, ctx.actor.id],
  );
  ctx.em.clear();
  return (await listEventTypes(ctx)).find((t) => t.type === type)!;
}

/**
 * Bulk envelopes (type BulkBusinessEvent, aggregate type 'Loan') built by a query in PostgreSQL and written
 * by the same statement: close of business, a chunk of loans at a time. `source` selects `aggregate_id` (a
 * loan id), `idempotency_key`, `business_date` and `items`, a jsonb array of `{ type, data }` in order, each
 * `data` as normalizePayload would return it (every field of its schema, defaults included, money as decimal
 * strings). Nothing checks the items here, so the caller must have a test that does. Otherwise the rules
 * of recordBulkEvents: items of disabled types dropped, no row when none is left or the bulk type is
 * disabled, a repeated idempotency key ignored, loans locked FOR NO KEY UPDATE in id order (unless
 * `lockedByCaller`: the transaction has updated every loan `source` selects, which holds the same lock),
 * rows inserted (ids taken) in loan id order. `prelude`: common table expressions `source` reads (a
 * data-modifying one must be at the statement's top level), their parameters first in `params`.
 * Returns how many rows were written.
 */
export async function recordBulkEventsFromQuery(em: EntityManager, source: string, params: unknown[], opts: { lockedByCaller?: boolean; prelude?: string } = {}): Promise<number> {
  assertInTransaction(em);
  const locked = opts.lockedByCaller
    ? 'select aggregate_id::uuid as "id" from src'
    : 'select l."id" from "loan" l where l."id" in (select aggregate_id::uuid from src) order by l."id" for no key update';
  const rows = await sql<{ n: number }>(em,
    `with off as (select "type" from "event_type_setting" where not "enabled"),
     ${opts.prelude ? `${opts.prelude},` : ''}
     src as (${source}),
     locked as (${locked}),
     ins as (
       insert into "outbox_event" ("source", "type", "category", "aggregate_type", "aggregate_id", "idempotency_key", "data_schema", "payload", "business_date")
       select ?, ?, ?, 'Loan', r.aggregate_id, r.idempotency_key, ?, jsonb_build_object('items', r.items), r.business_date
         from (select s.aggregate_id, s.idempotency_key, s.business_date,
                      -- The items are re-read only when some type is disabled.
                      case when not exists (select 1 from off) then s.items
                           else (select jsonb_agg(x.it order by x.n) from jsonb_array_elements(s.items) with ordinality x(it, n)
                                  where x.it->>'type' not in (select "type" from off)) end as items
                 from src s join locked k on k."id" = s.aggregate_id::uuid
                where not exists (select 1 from off where "type" = ?)) r
        where jsonb_array_length(coalesce(r.items, '[]'::jsonb)) > 0
        order by r.aggregate_id::uuid
       on conflict ("idempotency_key") do nothing
       returning 1)
     select (select count(*) from ins)::int as n, pg_notify(?, '') from (select 1 from ins limit 1) one`,
    [...params, eventSource, BULK_EVENT_TYPE, categoryOf(BULK_EVENT_TYPE), fullSchemaName(BULK_SCHEMA), BULK_EVENT_TYPE, OUTBOX_NOTIFY_CHANNEL],
  );
  return rows[0]?.n ?? 0;
}

/**
 * Many bulk envelopes in one statement: close of business writes one per loan per chunk. Same rules
 * as recordBulkEvent; returns how many rows were written.
 */
export async function recordBulkEvents(em: EntityManager, inputs: RecordBulkEventInput[]): Promise<number> {
  if (inputs.length === 0) return 0;
  const disabled = await disabledTypes(em, [BULK_EVENT_TYPE, ...new Set(inputs.flatMap((i) => i.items.map((x) => x.type)))]);
  if (disabled.has(BULK_EVENT_TYPE)) return 0;
  const rows: Row[] = [];
  for (const input of inputs) {
    const items = input.items.filter((i) => !disabled.has(i.type)).map((i) => ({ type: i.type, data: normalizePayload(i.type, i.data) }));
    if (items.length === 0) continue;
    const payload: StoredBulkPayload = { items };
    rows.push({ type: BULK_EVENT_TYPE, aggregateType: input.aggregateType ?? 'Loan', aggregateId: input.aggregateId, idempotencyKey: input.idempotencyKey, payload, businessDate: input.businessDate ?? null });
  }
  return (await insertRows(em, rows)).filter(Boolean).length;
}
