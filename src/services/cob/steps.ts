/**
 * Close of business (COB), the business steps: each money rule as set-based SQL over a chunk of loans,
 * in the caller's transaction. Every step is cumulative "as of the next morning" (D + 1), so re-running
 * a date changes nothing and a skipped date is caught up by the next one. The rules are the ones of
 * src/domain (accrual.ts, penalties.ts, delinquency.ts); test/services/cob-rules.property.test.ts
 * checks, on random books in PostgreSQL, that they give the same figures to the cent.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { addDays } from '../../domain/dates';
import { DEFAULT_GL_MAPPING, type GlRole } from '../../domain/ledger';
import { Decimal } from '../../domain/money';
import { recordBulkEvents } from '../outbox.service';
import { sql } from '../sql';

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

/** A VALUES list of (entry_type, role, default code) for journal lines written by SQL; with `txType`, that first. */
function lineSpec(lines: [entry: 'DEBIT' | 'CREDIT', role: GlRole][], txType?: string): string {
  return lines.map(([e, r]) => `(${txType ? `'${txType}', ` : ''}'${e}', '${r}', '${DEFAULT_GL_MAPPING[r]}')`).join(', ');
}

/**
 * The end of an accrual statement, after a CTE `per_loan(loan_id, currency_code, gl_mapping, amount)`: one
 * ACCRUAL transaction per loan (the amount as `portion`, request id `<prefix><date>`, so a rerun posts
 * nothing) and its journal lines. Parameters, in order: the transaction date, the date of the request id,
 * the journal's business date.
 */
function accrualPosting(portion: 'interest_portion' | 'fee_portion', requestIdPrefix: string, lines: [entry: 'DEBIT' | 'CREDIT', role: GlRole][]): string {
  return `tx as (
        insert into loan_transaction (loan_id, type, amount, transaction_date, request_id, ${portion})
        select loan_id, 'ACCRUAL', amount, ?::date, '${requestIdPrefix}' || ?::text, amount from per_loan
        on conflict (loan_id, request_id) do nothing
        returning id, loan_id, amount
      )
      insert into journal_entry (loan_transaction_id, loan_id, gl_account_id, entry_type, amount, currency_code, business_date)
      select tx.id, tx.loan_id, g.id, s.entry_type, tx.amount, pl.currency_code, ?::date
        from tx join per_loan pl on pl.loan_id = tx.loan_id
        cross join (values ${lineSpec(lines)}) s(entry_type, role, dflt)
        join gl_account g on g.code = coalesce(pl.gl_mapping->>s.role, s.dflt)`;
}

type StepFn = (em: EntityManager, date: string, ids: string[]) => Promise<void>;

/**
 * Periodic accrual of fees (Dr fees receivable, Cr fee income): per installment due by d + 1, charged less
 * waived less what is already recognised (accrued, or paid before it was accrued, which was income then),
 * as domain feeAccrualBy; the installment's fee_accrued then says all of its fees are recognised.
 */
async function accrueFees(em: EntityManager, d: string, ids: string[]): Promise<void> {
  await sql(em, `
    with due as (
      select i.id, i.loan_id, l.currency_code, p.gl_mapping, i.fee_charges_due - i.fee_waived - greatest(i.fee_accrued, i.fee_paid) as amount
        from loan_installment i join loan l on l.id = i.loan_id join loan_product p on p.id = l.product_id
       where ${IN_SCOPE} and p.accounting_rule = 'ACCRUAL_PERIODIC' and i.due_date <= ?::date
         and i.fee_charges_due - i.fee_waived - greatest(i.fee_accrued, i.fee_paid) > 0
    ), upd as (
      update loan_installment i set fee_accrued = i.fee_charges_due - i.fee_waived from due where i.id = due.id returning i.id
    ), per_loan as (
      select loan_id, min(currency_code) as currency_code, (array_agg(gl_mapping))[1] as gl_mapping, sum(amount) as amount from due group by loan_id
    ), ${accrualPosting('fee_portion', 'cob-fee-accrual-', [['DEBIT', 'FEES_RECEIVABLE'], ['CREDIT', 'INCOME_FROM_FEES']])}`,
  [ids, d, addDays(d, 1), d, d, d]);
}

const STEPS: Record<CobStepName, StepFn> = {
  /**
   * Charges every OVERDUE_INSTALLMENT charge the loan carries (its resolved terms, loan.schedule_settings)
   * on each installment more than graceDays past due with principal or interest outstanding, once or
   * again every feeInterval days: domain overduePenalties with overdueChargeRule. Each application is a
   * loan_charge row and a PENALTY (fee: CHARGE) transaction keyed by charge, installment and occurrence
   * date, so nothing is charged twice; one that rounds to zero is no charge (a later date may charge it).
   */
  async APPLY_PENALTY_FOR_OVERDUE_LOANS(em, d, ids) {
    const asOf = addDays(d, 1);
    await sql(em, `
      with oc as (
        select l.id as loan_id, c.idx, c.j->>'name' as name, c.j->>'chargeCalculationType' as calc, (c.j->>'amount')::numeric as rate,
               coalesce((c.j->>'penalty')::boolean, false) as penalty, coalesce((c.j->>'graceDays')::int, 0) as grace,
               (c.j->>'feeInterval')::int as every, p.digits_after_decimal as digits
          from loan l join loan_product p on p.id = l.product_id
          cross join lateral jsonb_array_elements(coalesce(l.schedule_settings->'charges', '[]'::jsonb)) with ordinality c(j, idx)
         where ${IN_SCOPE} and c.j->>'chargeTimeType' = 'OVERDUE_INSTALLMENT'
      ), due as (
        select oc.loan_id, oc.name, oc.calc, oc.rate, oc.penalty, i.installment_number, o.on_date,
               'cob-charge-' || oc.idx || '-' || i.installment_number || '-' || to_char(o.on_date, 'YYYY-MM-DD') as request_id,
               round_half_even(case oc.calc
                 when 'FLAT' then oc.rate
                 when 'PERCENT_OF_AMOUNT' then (i.principal_due - i.principal_paid) * oc.rate / 100
                 else (i.principal_due - i.principal_paid + i.interest_due - i.interest_paid - i.interest_waived) * oc.rate / 100
               end, oc.digits) as amount
          from oc join loan_installment i on i.loan_id = oc.loan_id
          cross join lateral generate_series(0, case when oc.every is null then 0 else (?::date - (i.due_date + oc.grace + 1)) / oc.every end) k
          cross join lateral (select i.due_date + oc.grace + 1 + k * coalesce(oc.every, 0) as on_date) o
         where not i.completed and i.due_date + oc.grace + 1 <= ?::date
           and (i.principal_due - i.principal_paid + i.interest_due - i.interest_paid - i.interest_waived) > 0
      ), added as (
        insert into loan_charge (loan_id, charge_id, name, charge_time_type, charge_calculation_type, penalty, amount_or_percentage, amount,
                                 due_date, installment_number, installment_charges, request_id, created_by)
        select due.loan_id, ch.id, due.name, 'OVERDUE_INSTALLMENT', due.calc, due.penalty, due.rate, due.amount, due.on_date, due.installment_number,
               jsonb_build_array(jsonb_build_object('installmentNumber', due.installment_number, 'amount', trim_scale(due.amount)::text, 'amountWaived', '0', 'waived', false)),
               due.request_id, 'cob'
          from due left join charge ch on ch.name = due.name
         where due.amount > 0 and not exists (select 1 from loan_charge lc where lc.loan_id = due.loan_id and lc.request_id = due.request_id)
        on conflict (loan_id, request_id) do nothing
        returning loan_id, installment_number, penalty, amount, request_id
      ), per_installment as (
        select a.loan_id, a.installment_number, coalesce(sum(a.amount) filter (where a.penalty), 0) as penalty, coalesce(sum(a.amount) filter (where not a.penalty), 0) as fee
          from added a group by a.loan_id, a.installment_number
      ), charged as (
        -- A fee charged under accrual is booked receivable at once (below), so it adds to what is recognised
        -- of the installment's fees (accrued, or paid before it was accrued: see accrueFees).
        update loan_installment i set penalty_charges_due = i.penalty_charges_due + c.penalty, fee_charges_due = i.fee_charges_due + c.fee,
               fee_accrued = case when p.accounting_rule = 'ACCRUAL_PERIODIC' and c.fee > 0 then greatest(i.fee_accrued, i.fee_paid) + c.fee else i.fee_accrued end,
               completed = false
          from per_installment c, loan l, loan_product p
         where i.loan_id = c.loan_id and i.installment_number = c.installment_number and l.id = c.loan_id and p.id = l.product_id
           -- The chunk's loans, spelled out: the planner cannot see how few rows per_installment has and
           -- would otherwise hash-join a sequential scan of every installment (0.3 s a chunk on 1.2 M).
           and i.loan_id = any(?::uuid[])
        returning i.id
      ), tx as (
        insert into loan_transaction (loan_id, type, amount, transaction_date, request_id, penalty_portion, fee_portion, installment_number)
        select loan_id, case when penalty then 'PENALTY' else 'CHARGE' end, amount, ?::date, request_id,
               case when penalty then amount else 0 end, case when penalty then 0 else amount end, installment_number
          from added
        on conflict (loan_id, request_id) do nothing
        returning id, loan_id, type, amount
      )
      insert into journal_entry (loan_transaction_id, loan_id, gl_account_id, entry_type, amount, currency_code, business_date)
      select tx.id, tx.loan_id, g.id, s.entry_type, tx.amount, l.currency_code, ?::date
        from tx join loan l on l.id = tx.loan_id join loan_product p on p.id = l.product_id
        join (values ${lineSpec([['DEBIT', 'PENALTIES_RECEIVABLE'], ['CREDIT', 'INCOME_FROM_PENALTIES']], 'PENALTY')},
                     ${lineSpec([['DEBIT', 'FEES_RECEIVABLE'], ['CREDIT', 'INCOME_FROM_FEES']], 'CHARGE')}) s(tx_type, entry_type, role, dflt) on s.tx_type = tx.type
        join gl_account g on g.code = coalesce(p.gl_mapping->>s.role, s.dflt)
       where p.accounting_rule = 'ACCRUAL_PERIODIC'`,
    [ids, d, asOf, asOf, ids, d, d]);
  },

  /**
   * Books interest earned through the end of the day for periodic-accrual products (Dr receivable, Cr
   * income): per installment up to domain accrualIncomeBy(d + 1), the earned share of interest less waived.
   * Then the fees of installments due by d + 1 (domain feeAccrualBy), as their own ACCRUAL transaction.
   */
  async ADD_PERIODIC_ACCRUAL_ENTRIES(em, d, ids) {
    const asOf = addDays(d, 1);
    await accrueFees(em, d, ids);
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
      ), ${accrualPosting('interest_portion', 'cob-accrual-', [['DEBIT', 'INTEREST_RECEIVABLE'], ['CREDIT', 'INCOME_FROM_INTEREST']])}`,
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
 * One outbox message per loan per COB date (the bulk envelope): the overdue charges applied (PenaltyApplied,
 * or LoanChargeAdded for a fee) and the loan's state after the steps, in the chunk's transaction.
 */
async function recordCobEvents(em: EntityManager, d: string, ids: string[], steps: readonly CobStepName[]): Promise<void> {
  const loans = await sql<{ id: string; customer_id: string; currency_code: string; days_past_due: number; outstanding: string }>(em, `
    select l.id::text, l.customer_id::text, l.currency_code, l.days_past_due,
           (select coalesce(sum(${OUTSTANDING}), 0) from loan_installment i where i.loan_id = l.id)::text as outstanding
      from loan l where l.id = any(?::uuid[]) and l.last_cob_date = ?::date`, [ids, d]);
  if (loans.length === 0) return;
  // The overdue charges this date applied (APPLY_PENALTY_FOR_OVERDUE_LOANS): penalties and fees.
  const charges = await sql<{
    loan_id: string; amount: string; installment_number: number; due_date: string; charge_due_date: string; name: string; penalty: boolean;
    loan_charge_id: string; charge_id: string | null; transaction_id: string;
  }>(em, `
    select t.loan_id::text, t.amount::text, t.installment_number, i.due_date::text, lc.due_date::text as charge_due_date, lc.name, lc.penalty,
           lc.id::text as loan_charge_id, lc.charge_id::text, t.id::text as transaction_id
      from loan_transaction t join loan_charge lc on lc.loan_id = t.loan_id and lc.request_id = t.request_id
      join loan_installment i on i.loan_id = t.loan_id and i.installment_number = t.installment_number
     where t.loan_id = any(?::uuid[]) and lc.loan_id = any(?::uuid[]) and t.type in ('PENALTY', 'CHARGE') and t.transaction_date = ?::date
       and t.request_id like 'cob-charge-%'
     order by t.id`, [ids, ids, d]);
  const byLoan = new Map<string, typeof charges>();
  for (const c of charges) byLoan.set(c.loan_id, [...(byLoan.get(c.loan_id) ?? []), c]);
  await recordBulkEvents(em, loans.map((l) => ({
    aggregateId: l.id,
    idempotencyKey: `cob-${d}-${l.id}`,
    businessDate: d,
    items: [
      ...(byLoan.get(l.id) ?? []).map((c) => (c.penalty
        ? {
          type: 'PenaltyApplied' as const,
          data: {
            loanId: l.id, customerId: l.customer_id, appliedOn: d, currencyCode: l.currency_code, amount: new Decimal(c.amount).toFixed(),
            installmentNumber: c.installment_number, dueDate: c.due_date, chargeName: c.name,
          },
        }
        : {
          // An overdue fee (not a penalty) is a charge added to the loan by the system.
          type: 'LoanChargeAdded' as const,
          data: {
            loanId: l.id, customerId: l.customer_id, loanChargeId: c.loan_charge_id, chargeId: c.charge_id ?? '', chargeName: c.name, penalty: false,
            currencyCode: l.currency_code, amount: new Decimal(c.amount).toFixed(), dueDate: c.charge_due_date, installmentNumber: c.installment_number,
            transactionId: c.transaction_id, outstandingBalance: new Decimal(l.outstanding).toFixed(), actorId: 'system', actorRole: 'SYSTEM',
          },
        })),
      {
        type: 'CobLoanProcessed' as const,
        data: { loanId: l.id, businessDate: d, steps: [...steps], status: 'SUCCESS' as const, daysPastDue: l.days_past_due, outstandingBalance: new Decimal(l.outstanding).toFixed() },
      },
    ],
  })));
}

/** CLOSE_FULLY_REPAID_LOANS for a whole partition: active loans in [fromId, toId] with nothing left to pay and no credit balance. */
export async function fullyRepaidInRange(em: EntityManager, fromId: string, toId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>(em, `
    select l.id::text from loan l
     where l.status = 'ACTIVE' and l.id >= ?::uuid and l.id <= ?::uuid and l.credit_balance = 0
       and not exists (select 1 from loan_installment i where i.loan_id = l.id and not i.completed)`, [fromId, toId]);
  return rows.map((r) => r.id);
}
