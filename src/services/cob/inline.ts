/** COB run inline for one loan, by servicing, when a write finds the loan behind the business date. */
import type { EntityManager } from '@mikro-orm/postgresql';
import { addDays, compareDates } from '../../domain/dates';
import { enabledSteps } from './admin';
import { sql } from '../sql';
import { runSteps } from './steps';

/**
 * Brings one loan up to the business date inside the caller's transaction (the caller holds the
 * loan's row lock): every missed date in order, with the enabled steps except closing.
 */
export async function runInlineCob(
  em: EntityManager, loanId: string, businessDate: string,
  /** The loan's row as the caller just read it (locked, in this transaction): saves reading it again. */
  known?: { last: string | null; disbursed: string | null },
): Promise<number> {
  const [loan] = known
    ? [known]
    : await sql<{ last: string | null; disbursed: string | null }>(em,
      `select last_cob_date::text as last, disbursed_on::text as disbursed from loan where id = ? and status = 'ACTIVE'`, [loanId]);
  if (!loan?.disbursed) return 0;
  const cobDate = addDays(businessDate, -1);
  let d = loan.last ? addDays(loan.last, 1) : loan.disbursed;
  if (compareDates(d, cobDate) > 0) return 0;
  const steps = (await enabledSteps(em)).filter((s) => s !== 'CLOSE_FULLY_REPAID_LOANS');
  let count = 0;
  for (; compareDates(d, cobDate) <= 0; d = addDays(d, 1)) {
    await runSteps(em, d, [loanId], steps);
    count++;
  }
  return count;
}
