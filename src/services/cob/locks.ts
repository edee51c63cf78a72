/**
 * COB chunk locking: a chunk's loans are locked (loan_account_lock, committed, so real-time writes see
 * it and fail with LOAN_LOCKED) while the steps run in one transaction that also releases the locks.
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
 * One chunk: lock (committed, so real-time writes see it and fail with LOAN_LOCKED), process all
 * steps in one transaction that also releases the locks, and on failure retry loan by loan so one
 * bad loan neither blocks nor hides the rest; a loan that still fails keeps its lock with the error.
 */
export async function processChunk(em: EntityManager, d: string, ids: string[], steps: readonly CobStepName[], owner: string): Promise<ChunkResult> {
  const result: ChunkResult = { processed: 0, failed: 0, stepMillis: {} };
  if (ids.length === 0) return result;
  await sql(em, `
    insert into loan_account_lock (loan_id, owner, business_date)
    select unnest(?::uuid[]), ?, ?::date
    on conflict (loan_id) do update set owner = excluded.owner, business_date = excluded.business_date, locked_at = now(), error = null`,
  [ids, owner, d]);
  try {
    await em.transactional(async (tx) => {
      await runSteps(tx, d, ids, steps, result.stepMillis);
      await sql(tx, `delete from loan_account_lock where loan_id = any(?::uuid[]) and owner = ?`, [ids, owner]);
    });
    result.processed = ids.length;
    return result;
  } catch {
    for (const id of ids) {
      try {
        await em.transactional(async (tx) => {
          await runSteps(tx, d, [id], steps, result.stepMillis);
          await sql(tx, `delete from loan_account_lock where loan_id = ? and owner = ?`, [id, owner]);
        });
        result.processed++;
      } catch (err) {
        result.failed++;
        const message = failureReason(err);
        await em.transactional(async (tx) => {
          await sql(tx, `update loan_account_lock set error = ? where loan_id = ? and owner = ?`, [message, id, owner]);
          await recordBulkEvents(tx, [{
            aggregateId: id, idempotencyKey: `cob-${d}-${id}-failed`, businessDate: d,
            items: [{ type: 'CobLoanProcessed', data: { loanId: id, businessDate: d, steps: [...steps], status: 'FAILED', error: message } }],
          }]);
        });
      }
    }
    return result;
  }
}

/** What went wrong, without the SQL text the driver prefixes (the reason is shown to staff). */
function failureReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const cut = text.lastIndexOf(' - ');
  return (cut >= 0 ? text.slice(cut + 3) : text).trim().slice(0, 500);
}
