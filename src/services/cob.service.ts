/**
 * Close of business (COB): the business steps as set-based SQL over a chunk of loans, one transaction
 * per chunk, with the chunk's loans locked (LOAN_LOCKED for real-time writes) while it runs. Every
 * step is cumulative "as of the next morning" (D + 1), so re-running a date changes nothing and a
 * skipped date is caught up by the next one. Used by the COB activities and, for one loan, inline by
 * servicing when a loan is behind the business date.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { addDays, compareDates } from '../domain/dates';
import { ValidationError } from '../domain/errors';
import { DEFAULT_GL_MAPPING, type GlRole } from '../domain/ledger';
import { CobRun, CobStep } from '../entities';
import { Decimal } from '../domain/money';
import { recordBulkEvents } from './outbox.service';
import { sql } from './sql';

export const COB_JOB = 'LOAN_CLOSE_OF_BUSINESS';

export const COB_STEPS = [
  'APPLY_PENALTY_FOR_OVERDUE_LOANS',
  'ADD_PERIODIC_ACCRUAL_ENTRIES',
  'CHECK_LOAN_REPAYMENT_DUE',
  'CHECK_LOAN_REPAYMENT_OVERDUE',
  'LOAN_DELINQUENCY_CLASSIFICATION',
  'CLOSE_FULLY_REPAID_LOANS',
] as const;
export type CobStepName = (typeof COB_STEPS)[number];

/** Outstanding of one installment, in SQL. */
const OUTSTANDING = `(i.principal_due - i.principal_paid + i.interest_due - i.interest_paid - i.interest_waived
  + i.fee_charges_due - i.fee_paid - i.fee_waived + i.penalty_charges_due - i.penalty_paid - i.penalty_waived)`;

/** Loans of the chunk this step may touch: active and not yet closed for the date. */
const IN_SCOPE = `l.id = any(?::uuid[]) and l.status = 'ACTIVE' and (l.last_cob_date is null or l.last_cob_date < ?::date)`;

/** A VALUES list of (entry_type, role, default code) for journal lines written by SQL. */
function lineSpec(lines: [entry: 'DEBIT' | 'CREDIT', role: GlRole][]): string {
  return lines.map(([e, r]) => `('${e}', '${r}', '${DEFAULT_GL_MAPPING[r]}')`).join(', ');
}

type StepFn = (em: EntityManager, date: string, ids: string[]) => Promise<void>;

const STEPS: Record<CobStepName, StepFn> = {
  /** Charges the product's overdue penalty once per installment after its grace days (Fineract's overdue charge). */
  async APPLY_PENALTY_FOR_OVERDUE_LOANS(em, d, ids) {
    const asOf = addDays(d, 1);
    await sql(em, `
      with due as (
        select i.id, i.loan_id, i.installment_number, l.currency_code, p.accounting_rule, p.gl_mapping,
               round_half_even(case p.penalty_calculation_type
                 when 'FLAT' then p.penalty_amount
                 when 'PERCENT_OF_OVERDUE_PRINCIPAL' then (i.principal_due - i.principal_paid) * p.penalty_amount / 100
                 else (i.principal_due - i.principal_paid + i.interest_due - i.interest_paid - i.interest_waived) * p.penalty_amount / 100
               end, p.digits_after_decimal) as amount
          from loan_installment i join loan l on l.id = i.loan_id join loan_product p on p.id = l.product_id
         where ${IN_SCOPE} and p.penalty_calculation_type is not null and i.penalty_applied_on is null and not i.completed
           and i.due_date + p.penalty_grace_days + 1 <= ?::date
           and (i.principal_due - i.principal_paid + i.interest_due - i.interest_paid - i.interest_waived) > 0
      ), charged as (
        update loan_installment i set penalty_charges_due = i.penalty_charges_due + due.amount, penalty_applied_on = ?::date, completed = false
          from due where i.id = due.id and due.amount > 0 returning i.id
      ), tx as (
        insert into loan_transaction (loan_id, type, amount, transaction_date, request_id, penalty_portion, installment_number)
        select loan_id, 'PENALTY', amount, ?::date, 'cob-penalty-' || installment_number, amount, installment_number from due where amount > 0
        on conflict (loan_id, request_id) do nothing
        returning id, loan_id, amount, installment_number
      )
      insert into journal_entry (loan_transaction_id, loan_id, gl_account_id, entry_type, amount, currency_code, business_date)
      select tx.id, tx.loan_id, g.id, s.entry_type, tx.amount, due.currency_code, ?::date
        from tx join due on due.loan_id = tx.loan_id and due.installment_number = tx.installment_number
        cross join (values ${lineSpec([['DEBIT', 'PENALTIES_RECEIVABLE'], ['CREDIT', 'INCOME_FROM_PENALTIES']])}) s(entry_type, role, dflt)
        join gl_account g on g.code = coalesce(due.gl_mapping->>s.role, s.dflt)
       where due.accounting_rule = 'ACCRUAL_PERIODIC'`,
    [ids, d, asOf, d, d, d]);
  },

  /** Books interest earned through the end of the day for periodic-accrual products (Dr receivable, Cr income). */
  async ADD_PERIODIC_ACCRUAL_ENTRIES(em, d, ids) {
    const asOf = addDays(d, 1);
    await sql(em, `
      with earned as (
        select i.id, i.loan_id, l.currency_code, p.gl_mapping, i.interest_accrued,
               case when ?::date >= i.due_date then i.interest_due - i.interest_waived
                    else round_half_even((i.interest_due - i.interest_waived) * (?::date - i.from_date) / (i.due_date - i.from_date), p.digits_after_decimal)
               end as e
          from loan_installment i join loan l on l.id = i.loan_id join loan_product p on p.id = l.product_id
         where ${IN_SCOPE} and p.accounting_rule = 'ACCRUAL_PERIODIC' and i.from_date < ?::date
           and i.interest_accrued < i.interest_due - i.interest_waived
      ), upd as (
        update loan_installment i set interest_accrued = earned.e from earned where i.id = earned.id and earned.e > earned.interest_accrued returning i.id
      ), per_loan as (
        select loan_id, min(currency_code) as currency_code, (array_agg(gl_mapping))[1] as gl_mapping, sum(e - interest_accrued) as amount
          from earned where e > interest_accrued group by loan_id
      ), tx as (
        insert into loan_transaction (loan_id, type, amount, transaction_date, request_id, interest_portion)
        select loan_id, 'ACCRUAL', amount, ?::date, 'cob-accrual-' || ?::text, amount from per_loan
        on conflict (loan_id, request_id) do nothing
        returning id, loan_id, amount
      )
      insert into journal_entry (loan_transaction_id, loan_id, gl_account_id, entry_type, amount, currency_code, business_date)
      select tx.id, tx.loan_id, g.id, s.entry_type, tx.amount, pl.currency_code, ?::date
        from tx join per_loan pl on pl.loan_id = tx.loan_id
        cross join (values ${lineSpec([['DEBIT', 'INTEREST_RECEIVABLE'], ['CREDIT', 'INCOME_FROM_INTEREST']])}) s(entry_type, role, dflt)
        join gl_account g on g.code = coalesce(pl.gl_mapping->>s.role, s.dflt)`,
    [asOf, asOf, ids, d, asOf, d, d, d]);
  },

  /** The next installment due and what it will take (Fineract raises the repayment-due event from this). */
  async CHECK_LOAN_REPAYMENT_DUE(em, d, ids) {
    const asOf = addDays(d, 1);
    await sql(em, `
      update loan t set next_due_date = n.due_date, next_due_amount = n.amount
        from (select l.id, x.due_date, x.amount from loan l left join lateral (
                select i.due_date, ${OUTSTANDING} as amount from loan_installment i
                 where i.loan_id = l.id and not i.completed and i.due_date >= ?::date order by i.due_date limit 1) x on true
               where ${IN_SCOPE}) n
       where t.id = n.id`,
    [asOf, ids, d]);
  },

  /** What is past due (installments due before the next morning and not settled). */
  async CHECK_LOAN_REPAYMENT_OVERDUE(em, d, ids) {
    const asOf = addDays(d, 1);
    await sql(em, `
      update loan t set overdue_amount = coalesce(o.amount, 0)
        from (select l.id, (select sum(${OUTSTANDING}) from loan_installment i
                             where i.loan_id = l.id and not i.completed and i.due_date < ?::date) as amount
                from loan l where ${IN_SCOPE}) o
       where t.id = o.id`,
    [asOf, ids, d]);
  },

  /** Days past due from the oldest unsettled installment, classified into the delinquency ranges. */
  async LOAN_DELINQUENCY_CLASSIFICATION(em, d, ids) {
    const asOf = addDays(d, 1);
    await sql(em, `
      update loan t set days_past_due = coalesce(?::date - o.oldest, 0), delinquency_class = r.classification
        from (select l.id, (select min(i.due_date) from loan_installment i
                             where i.loan_id = l.id and not i.completed and i.due_date < ?::date) as oldest
                from loan l where ${IN_SCOPE}) o
        left join delinquency_range r on (?::date - o.oldest) between r.minimum_age_days and coalesce(r.maximum_age_days, 2147483647)
       where t.id = o.id`,
    [asOf, asOf, ids, d, asOf]);
  },

  /**
   * Closing happens once per partition, after its last chunk (see fullyRepaidInRange): a chunk cannot
   * know about loans that a retried partition skipped, and asking per chunk too would be work done twice.
   */
  async CLOSE_FULLY_REPAID_LOANS() {},
};

export interface ChunkResult {
  processed: number;
  failed: number;
  stepMillis: Record<string, number>;
}

/** Runs the steps for `ids` on date `d` in the caller's transaction and marks them closed for it. */
export async function runSteps(em: EntityManager, d: string, ids: string[], steps: readonly CobStepName[], stepMillis: Record<string, number> = {}): Promise<void> {
  for (const step of steps) {
    const started = performance.now();
    await STEPS[step](em, d, ids);
    stepMillis[step] = (stepMillis[step] ?? 0) + (performance.now() - started);
  }
  await sql(em, `update loan l set last_cob_date = ?::date where ${IN_SCOPE}`, [d, ids, d]);
  const started = performance.now();
  await recordCobEvents(em, d, ids, steps);
  stepMillis.BULK_EVENTS = (stepMillis.BULK_EVENTS ?? 0) + (performance.now() - started);
}

/**
 * One outbox message per loan per COB date (the bulk envelope): the penalties charged and the loan's
 * state after the steps, in the chunk's transaction.
 */
async function recordCobEvents(em: EntityManager, d: string, ids: string[], steps: readonly CobStepName[]): Promise<void> {
  const loans = await sql<{ id: string; customer_id: string; currency_code: string; days_past_due: number; outstanding: string }>(em, `
    select l.id::text, l.customer_id::text, l.currency_code, l.days_past_due,
           (select coalesce(sum(${OUTSTANDING}), 0) from loan_installment i where i.loan_id = l.id)::text as outstanding
      from loan l where l.id = any(?::uuid[]) and l.last_cob_date = ?::date`, [ids, d]);
  if (loans.length === 0) return;
  const penalties = await sql<{ loan_id: string; amount: string; installment_number: number; due_date: string }>(em, `
    select t.loan_id::text, t.amount::text, t.installment_number, i.due_date::text
      from loan_transaction t join loan_installment i on i.loan_id = t.loan_id and i.installment_number = t.installment_number
     where t.loan_id = any(?::uuid[]) and t.type = 'PENALTY' and t.transaction_date = ?::date`, [ids, d]);
  const byLoan = new Map<string, typeof penalties>();
  for (const p of penalties) byLoan.set(p.loan_id, [...(byLoan.get(p.loan_id) ?? []), p]);
  await recordBulkEvents(em, loans.map((l) => ({
    aggregateId: l.id,
    idempotencyKey: `cob-${d}-${l.id}`,
    businessDate: d,
    items: [
      ...(byLoan.get(l.id) ?? []).map((p) => ({
        type: 'PenaltyApplied' as const,
        data: {
          loanId: l.id, customerId: l.customer_id, appliedOn: d, currencyCode: l.currency_code, amount: new Decimal(p.amount).toFixed(),
          installmentNumber: p.installment_number, dueDate: p.due_date, chargeName: 'Overdue penalty',
        },
      })),
      {
        type: 'CobLoanProcessed' as const,
        data: { loanId: l.id, businessDate: d, steps: [...steps], status: 'SUCCESS' as const, daysPastDue: l.days_past_due, outstandingBalance: new Decimal(l.outstanding).toFixed() },
      },
    ],
  })));
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

/** CLOSE_FULLY_REPAID_LOANS for a whole partition: active loans in [fromId, toId] with nothing left to pay and no credit balance. */
export async function fullyRepaidInRange(em: EntityManager, fromId: string, toId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>(em, `
    select l.id::text from loan l
     where l.status = 'ACTIVE' and l.id >= ?::uuid and l.id <= ?::uuid and l.credit_balance = 0
       and not exists (select 1 from loan_installment i where i.loan_id = l.id and not i.completed)`, [fromId, toId]);
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
