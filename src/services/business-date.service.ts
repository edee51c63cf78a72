/**
 * The business date (Fineract's BUSINESS_DATE): ledger time, moved by close of business or an ADMIN,
 * never by the wall clock. COB closes every date before it.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { requireLocalDate } from '../domain/dates';
import { addDays } from '../domain/dates';
import { ConflictError, ValidationError } from '../domain/errors';
import { actingAs } from './authorization';
import type { ServiceContext } from './context';
import { rawRows, sql } from './sql';

export const BUSINESS_DATE = 'BUSINESS_DATE';
/** The business date as text (`$1`: BUSINESS_DATE). */
export const BUSINESS_DATE_SQL = 'select date::text as date from business_date where name = $1';
/** The business date as an SQL date expression, `placeholder` standing for BUSINESS_DATE (inside another statement). */
export const businessDateExpr = (placeholder: string) => `(select date from business_date where name = ${placeholder})`;

/**
 * The business date, straight through pg (every request of the read path asks: no knex compilation).
 * Outside a transaction, the requests that ask in the same turn of the event loop share ONE read, sent
 * after the last of them asked (so it is as fresh for each as a read of its own): under load a round
 * trip, with the socket write that wakes PostgreSQL, serves many requests instead of one each. Inside a
 * transaction the date is read there, in its snapshot.
 */
export function currentBusinessDate(em: EntityManager): Promise<string> {
  if (em.getTransactionContext()) return readBusinessDate(em);
  const knex = em.getKnex();
  if (pendingDate?.knex === knex) return pendingDate.date;
  const batch = { knex, date: new Promise<void>((started) => setImmediate(started)).then(() => {
    if (pendingDate === batch) pendingDate = undefined; // whoever asks from now on gets a read of their own
    return readBusinessDate(em);
  }) };
  pendingDate = batch;
  return batch.date;
}

/** The shared read of this turn of the event loop, for the connection pool (knex) it reads from. */
let pendingDate: { knex: unknown; date: Promise<string> } | undefined;

async function readBusinessDate(em: EntityManager): Promise<string> {
  return businessDateOf(await rawRows(em, BUSINESS_DATE_SQL, [BUSINESS_DATE]));
}

/** The date in the rows of BUSINESS_DATE_SQL (read alone, or with other statements in one message). */
export function businessDateOf(rows: Record<string, unknown>[]): string {
  if (!rows[0]) throw new Error('business_date has no BUSINESS_DATE row (migrations not run?)');
  return rows[0].date as string;
}

/** Moves the business date; never backwards (the ledger already holds entries up to it). */
export async function setBusinessDate(em: EntityManager, date: string): Promise<string> {
  const to = requireLocalDate('date', date);
  const current = await currentBusinessDate(em);
  if (to < current) throw new ValidationError('date', `must not be before the current business date ${current}`);
  await sql(em, `update business_date set date = ?, updated_at = now() where name = ?`, [to, BUSINESS_DATE]);
  return to;
}

/**
 * Moves the business date from `from` to `to` only if it still is `from`: a retried call (an activity
 * attempt whose answer was lost, a client resending a request) finds it already at `to` and changes
 * nothing, instead of advancing a second day. Another value means someone else moved it: CONFLICT.
 */
export async function compareAndSetBusinessDate(em: EntityManager, from: string, to: string): Promise<string> {
  requireLocalDate('from', from);
  requireLocalDate('to', to);
  if (to < from) throw new ValidationError('to', `must not be before ${from}`);
  const moved = await sql<{ date: string }>(
    em,
    `update business_date set date = ?, updated_at = now() where name = ? and date = ? returning date::text as date`,
    [to, BUSINESS_DATE, from],
  );
  if (moved.length) return to;
  const current = await currentBusinessDate(em);
  if (current === to) return to;
  throw new ConflictError(`The business date is ${current}, not ${from}: it was moved by someone else`, 'expectedBusinessDate');
}

/** One day past `from`, compare-and-set. */
export function advanceBusinessDateFrom(em: EntityManager, from: string): Promise<string> {
  return compareAndSetBusinessDate(em, from, addDays(from, 1));
}

export async function changeBusinessDate(ctx: ServiceContext, date: string): Promise<string> {
  actingAs(ctx.actor, ['ADMIN', 'SYSTEM']);
  return setBusinessDate(ctx.em, date);
}
