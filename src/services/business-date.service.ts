/**
 * The business date (Fineract's BUSINESS_DATE): ledger time, moved by close of business or an ADMIN,
 * never by the wall clock. COB closes every date before it.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { requireLocalDate } from '../domain/dates';
import { ValidationError } from '../domain/errors';
import { actingAs } from './authorization';
import type { ServiceContext } from './context';
import { sql } from './sql';

export const BUSINESS_DATE = 'BUSINESS_DATE';

export async function currentBusinessDate(em: EntityManager): Promise<string> {
  const [row] = await sql<{ date: string }>(em, `select date::text as date from business_date where name = ?`, [BUSINESS_DATE]);
  if (!row) throw new Error('business_date has no BUSINESS_DATE row (migrations not run?)');
  return row.date;
}

/** Moves the business date; never backwards (the ledger already holds entries up to it). */
export async function setBusinessDate(em: EntityManager, date: string): Promise<string> {
  const to = requireLocalDate('date', date);
  const current = await currentBusinessDate(em);
  if (to < current) throw new ValidationError('date', `must not be before the current business date ${current}`);
  await sql(em, `update business_date set date = ?, updated_at = now() where name = ?`, [to, BUSINESS_DATE]);
  return to;
}

export async function changeBusinessDate(ctx: ServiceContext, date: string): Promise<string> {
  actingAs(ctx.actor, ['ADMIN', 'SYSTEM']);
  return setBusinessDate(ctx.em, date);
}
