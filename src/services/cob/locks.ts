/**
 * COB chunk locking: a chunk's loans are locked (one cob_chunk_lock row, committed, so real-time writes
 * see it and fail with LOAN_LOCKED) while the steps run in one transaction that also releases the lock.
 * A loan whose COB failed keeps a loan_account_lock row with the error.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordBulkEvents } from '../outbox.service';
import { sql } from '../sql';
import { runSteps, type CobStepName } from './steps';

export interface ChunkResult {
  processed: number;
  failed: number;
  stepMillis: Record<string, number>;
}

/**
 * The COB lock of one loan, as a SQL expression for a select list: null when free, else
 * `{"error": <text or null>}` — a failed COB's loan_account_lock row, or a running chunk whose range holds
 * the loan while it is still to be closed for the chunk's date (what the chunk selected: active,
 * disbursed by the date, not closed for it; failed loans have a row of their own). `loanId` is the SQL of the id, used once.
 */
export function cobLockOf(loanId: string): string {
  return `(select coalesce(
      (select jsonb_build_object('error', k.error) from loan_account_lock k where k.loan_id = x.id),
      (select jsonb_build_object('error', null) from cob_chunk_lock c join loan l on l.id = x.id
        where x.id between c.from_loan_id and c.to_loan_id and l.status = 'ACTIVE' and l.disbursed_on <= c.business_date
          and (l.last_cob_date is null or l.last_cob_date < c.business_date) limit 1))
     from (select ${loanId}::uuid as id) x)`;
}

/**
 * One chunk (`ids` in id order): lock (committed, so real-time writes see it and fail with LOAN_LOCKED),
 * process all steps in one transaction that also releases the lock, and on failure retry loan by loan so
 * one bad loan neither blocks nor hides the rest (each loan closed for the date is free at once); a loan
 * that still fails keeps a lock row with the error.
 */
export async function processChunk(em: EntityManager, d: string, ids: string[], steps: readonly CobStepName[], owner: string): Promise<ChunkResult> {
  const result: ChunkResult = { processed: 0, failed: 0, stepMillis: {} };
  if (ids.length === 0) return result;
  // A lock left by an attempt that died (a worker killed mid-chunk) for this date and an overlapping range
  // is replaced (its transaction rolled back; this attempt processes those loans), one of an earlier date
  // dropped (dates close in order: that date is done).
  const [{ id: lock }] = await sql<{ id: number }>(em, `
    with stale as (delete from cob_chunk_lock where business_date < ?::date or (business_date = ?::date and from_loan_id <= ?::uuid and to_loan_id >= ?::uuid))
    insert into cob_chunk_lock (owner, business_date, from_loan_id, to_loan_id) values (?, ?::date, ?::uuid, ?::uuid) returning id`,
  [d, d, ids[ids.length - 1], ids[0], owner, d, ids[0], ids[ids.length - 1]]);
  try {
    await em.transactional(async (tx) => {
      await runSteps(tx, d, ids, steps, result.stepMillis);
      await sql(tx, `delete from cob_chunk_lock where id = ?`, [lock]);
    });
    result.processed = ids.length;
    return result;
  } catch {
    for (const id of ids) {
      try {
        await em.transactional((tx) => runSteps(tx, d, [id], steps, result.stepMillis));
        result.processed++;
      } catch (err) {
        result.failed++;
        const message = failureReason(err);
        await em.transactional(async (tx) => {
          await sql(tx, `
            insert into loan_account_lock (loan_id, owner, business_date, error) values (?, ?, ?::date, ?)
            on conflict (loan_id) do update set owner = excluded.owner, business_date = excluded.business_date, locked_at = now(), error = excluded.error`,
          [id, owner, d, message]);
          await recordBulkEvents(tx, [{
            aggregateId: id, idempotencyKey: `cob-${d}-${id}-failed`, businessDate: d,
            items: [{ type: 'CobLoanProcessed', data: { loanId: id, businessDate: d, steps: [...steps], status: 'FAILED', error: message } }],
          }]);
        });
      }
    }
    await sql(em, `delete from cob_chunk_lock where id = ?`, [lock]);
    return result;
  }
}

/**
 * After a partition's last chunk: any chunk lock of date `d` still in its range [fromId, toId] was left by
 * an attempt that died (its loans are done or were taken by a later chunk) and must not hold a loan.
 */
export async function releaseChunkLocks(em: EntityManager, d: string, fromId: string, toId: string): Promise<void> {
  await sql(em, `delete from cob_chunk_lock where business_date = ?::date and from_loan_id >= ?::uuid and to_loan_id <= ?::uuid`, [d, fromId, toId]);
}

/** What went wrong, without the SQL text the driver prefixes (the reason is shown to staff). */
function failureReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const cut = text.lastIndexOf(' - ');
  return (cut >= 0 ? text.slice(cut + 3) : text).trim().slice(0, 500);
}
