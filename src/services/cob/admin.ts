/** COB administration: the job's step configuration, the runs, and loans that failed (kept locked with their error). */
import type { EntityManager } from '@mikro-orm/postgresql';
import { ValidationError } from '../../domain/errors';
import { CobRun, CobStep } from '../../entities';
import { sql } from '../sql';
import { COB_JOB, COB_STEPS, type CobStepName } from './steps';

export async function enabledSteps(em: EntityManager, job = COB_JOB): Promise<CobStepName[]> {
  const rows = await em.find(CobStep, { jobName: job, enabled: true }, { orderBy: { stepOrder: 'asc' } });
  return rows.map((r) => r.stepName as CobStepName).filter((s) => (COB_STEPS as readonly string[]).includes(s));
}

export async function listSteps(em: EntityManager, job = COB_JOB): Promise<CobStep[]> {
  return em.find(CobStep, { jobName: job }, { orderBy: { stepOrder: 'asc' } });
}

/** Replaces a job's step configuration: the listed steps in this order, enabled or not. */
export async function configureSteps(em: EntityManager, job: string, steps: { stepName: string; enabled: boolean }[]): Promise<CobStep[]> {
  if (job !== COB_JOB) throw new ValidationError('jobName', `unknown job; the only COB job is ${COB_JOB}`);
  const seen = new Set<string>();
  steps.forEach((s, i) => {
    if (!(COB_STEPS as readonly string[]).includes(s.stepName)) throw new ValidationError(`steps[${i}].stepName`, `must be one of ${COB_STEPS.join(', ')}`);
    if (seen.has(s.stepName)) throw new ValidationError(`steps[${i}].stepName`, 'is listed twice');
    seen.add(s.stepName);
  });
  await em.transactional(async (tx) => {
    await sql(tx, `delete from cob_step where job_name = ?`, [job]);
    for (const [i, s] of steps.entries()) {
      await sql(tx, `insert into cob_step (job_name, step_name, step_order, enabled) values (?, ?, ?, ?)`, [job, s.stepName, i + 1, s.enabled]);
    }
  });
  return listSteps(em, job);
}

export async function startCobRun(em: EntityManager, d: string, workflowId: string): Promise<void> {
  await sql(em, `
    insert into cob_run (business_date, status, workflow_id) values (?::date, 'RUNNING', ?)
    on conflict (business_date) do update set status = 'RUNNING', workflow_id = excluded.workflow_id, started_at = now(), finished_at = null`,
  [d, workflowId]);
}

export async function finishCobRun(em: EntityManager, d: string, totals: { processed: number; failed: number; stepMillis: Record<string, number> }): Promise<void> {
  await sql(em, `
    update cob_run set status = ?, finished_at = now(), loans_failed = ?, step_millis = ?::jsonb,
           -- Counted from the loans, not the workflow's totals: a partition retried after a worker died
           -- skips chunks that committed after its last heartbeat, so its own count falls short.
           loans_processed = (select count(*) from loan where last_cob_date >= ?::date and disbursed_on <= ?::date)
     where business_date = ?::date`,
  [totals.failed ? 'COMPLETED_WITH_FAILURES' : 'COMPLETED', totals.failed, JSON.stringify(totals.stepMillis), d, d, d]);
}

export async function cobRuns(em: EntityManager, limit = 30): Promise<CobRun[]> {
  return em.find(CobRun, {}, { orderBy: { businessDate: 'desc' }, limit });
}

export interface FailedLoan {
  loanId: string;
  businessDate: string;
  error: string;
  lockedAt: Date;
}

export async function failedCobLoans(em: EntityManager): Promise<FailedLoan[]> {
  const rows = await sql<{ loan_id: string; business_date: string; error: string; locked_at: Date }>(em,
    `select loan_id::text, business_date::text, error, locked_at from loan_account_lock where error is not null order by business_date, loan_id`);
  return rows.map((r) => ({ loanId: r.loan_id, businessDate: r.business_date, error: r.error, lockedAt: r.locked_at }));
}

/** Releases failed loans so the next COB run (started by the caller) processes them again. */
export async function releaseFailedLoans(em: EntityManager): Promise<number> {
  const rows = await sql(em, `delete from loan_account_lock where error is not null returning loan_id`);
  return rows.length;
}
