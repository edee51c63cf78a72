/** COB planning: the dates still to close, the id-range partitions of a date and the chunks of a partition. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { addDays, compareDates } from '../../domain/dates';
import { sql } from '../sql';

/** The next chunk of a partition [fromId, toId] after `cursor`: active, disbursed by `d`, not closed for `d`, not failed. */
export async function nextChunk(em: EntityManager, d: string, fromId: string, toId: string, cursor: string | null, size: number): Promise<string[]> {
  const rows = await sql<{ id: string }>(em, `
    select l.id::text from loan l
     where l.status = 'ACTIVE' and l.id >= ?::uuid and l.id <= ?::uuid and (?::uuid is null or l.id > ?::uuid)
       and l.disbursed_on <= ?::date and (l.last_cob_date is null or l.last_cob_date < ?::date)
       and not exists (select 1 from loan_account_lock k where k.loan_id = l.id and k.error is not null)
     order by l.id limit ?`,
  [fromId, toId, cursor, cursor, d, d, size]);
  return rows.map((r) => r.id);
}

export interface Partition {
  fromId: string;
  toId: string;
  loans: number;
}

/**
 * Splits the loans due for date `d` into id ranges of about `size` loans each. Failed loans (kept
 * locked with their error) are left out, as nextChunk leaves them out: a plan made again after
 * continue-as-new must not hand their ranges out again, or failures early in the id order would fill
 * every continued run's window and the parent would never get past them.
 */
export async function planPartitions(em: EntityManager, d: string, size: number): Promise<Partition[]> {
  const rows = await sql<{ from_id: string; to_id: string; loans: string }>(em, `
    select ((array_agg(id order by id))[1])::text as from_id, ((array_agg(id order by id desc))[1])::text as to_id, count(*)::text as loans
      from (select l.id, (row_number() over (order by l.id) - 1) / ? as bucket from loan l
             where l.status = 'ACTIVE' and l.disbursed_on <= ?::date and (l.last_cob_date is null or l.last_cob_date < ?::date)
               and not exists (select 1 from loan_account_lock k where k.loan_id = l.id and k.error is not null)) b
     group by bucket order by bucket`,
  [size, d, d]);
  return rows.map((r) => ({ fromId: r.from_id, toId: r.to_id, loans: Number(r.loans) }));
}

/** Dates still to close up to `upTo`, oldest first: from the earliest loan behind (or `upTo` alone). */
export async function pendingCobDates(em: EntityManager, upTo: string, maxDates = 366): Promise<string[]> {
  const [row] = await sql<{ first: string | null }>(em, `
    select min(coalesce(l.last_cob_date + 1, l.disbursed_on))::text as first from loan l
     where l.status = 'ACTIVE' and l.disbursed_on is not null and (l.last_cob_date is null or l.last_cob_date < ?::date)`,
  [upTo]);
  const dates: string[] = [];
  for (let d = row?.first && compareDates(row.first, upTo) < 0 ? row.first : upTo; compareDates(d, upTo) <= 0 && dates.length < maxDates; d = addDays(d, 1)) {
    dates.push(d);
  }
  return dates;
}
