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
import { recordBulkEventsFromQuery } from '../outbox.service';
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

type StepFn = (em: EntityManager, date: string, ids: string[]) => Promise<void>;

/** Steps that only read installments and write the loan row: consecutive ones run as one update. */
const LOAN_STATE_STEPS: ReadonlySet<CobStepName> = new Set(['CHECK_LOAN_REPAYMENT_DUE', 'CHECK_LOAN_REPAYMENT_OVERDUE', 'LOAN_DELINQUENCY_CLASSIFICATION']);

/**
 * One update of the chunk's loans for the given loan-state steps, and with `close` their last_cob_date
 * (one new row version instead of one per step):
 * CHECK_LOAN_REPAYMENT_DUE, the next installment due and what it will take (Fineract raises the
 * repayment-due event from this); CHECK_LOAN_REPAYMENT_OVERDUE, what is past due (installments due before
 * the next morning and not settled); LOAN_DELINQUENCY_CLASSIFICATION, days past due from the oldest
 * unsettled installment, classified into the delinquency ranges.
 */
async function updateLoanState(em: EntityManager, d: string, ids: string[], steps: readonly CobStepName[], close: boolean): Promise<void> {
  const q = loanStateQuery(d, ids, steps, close, false);
  if (!q) return;
  await sql(em, `update loan t set ${q.set.text} from (${q.state.text}) s ${q.range.text} where t.id = s.id`, [...q.set.params, ...q.state.params, ...q.range.params]);
}

/** SQL text with the parameters of its `?` placeholders, in order. */
interface Sql { text: string; params: unknown[] }

/**
 * The pieces of the loan-state update: `state`, a select of the chunk's in-scope loans with what the
 * steps read of their installments (and, with `total`, the loan's whole outstanding balance), `set` the
 * assignments from it (as `s`), and `range` the delinquency range join (as `r`). Null when nothing is set.
 */
function loanStateQuery(d: string, ids: string[], steps: readonly CobStepName[], close: boolean, total: boolean): { state: Sql; set: Sql; range: Sql } | null {
  const asOf = addDays(d, 1);
  const due = steps.includes('CHECK_LOAN_REPAYMENT_DUE');
  const overdue = steps.includes('CHECK_LOAN_REPAYMENT_OVERDUE');
  const delinquency = steps.includes('LOAN_DELINQUENCY_CLASSIFICATION');
  const set: string[] = [];
  const setParams: unknown[] = [];
  if (due) set.push('next_due_date = s.due_date, next_due_amount = s.due_amount');
  if (overdue) set.push('overdue_amount = coalesce(s.overdue_amount, 0)');
  if (delinquency) {
    set.push('days_past_due = coalesce(?::date - s.oldest, 0), delinquency_class = r.classification');
    setParams.push(asOf);
  }
  if (close) {
    set.push('last_cob_date = ?::date');
    setParams.push(d);
  }
  if (set.length === 0) return null;
  const stateParams: unknown[] = [];
  const pastDueNeeded = overdue || delinquency || total;
  if (due) stateParams.push(asOf);
  if (pastDueNeeded) stateParams.push(asOf, asOf);
  stateParams.push(ids, d);
  // What is past due: installments due before the next morning and not settled; in the same pass over the
  // loan's installments, everything it still owes (the bulk messages' `total`).
  const pastDue = 'not i.completed and i.due_date < ?::date';
  const state = `select l.id${due ? ', x.due_date, x.amount as due_amount' : ''}${pastDueNeeded ? ', o.amount as overdue_amount, o.oldest, o.total' : ''}
              from loan l
              ${due ? `left join lateral (
                select i.due_date, ${OUTSTANDING} as amount from loan_installment i
                 where i.loan_id = l.id and not i.completed and i.due_date >= ?::date order by i.due_date limit 1) x on true` : ''}
              ${pastDueNeeded ? `left join lateral (
                select sum(${OUTSTANDING}) filter (where ${pastDue}) as amount, min(i.due_date) filter (where ${pastDue}) as oldest,
                       trim_scale(coalesce(sum(${OUTSTANDING}), 0))::text as total
                  from loan_installment i where i.loan_id = l.id) o on true` : ''}
             where ${IN_SCOPE}`;
  return {
    state: { text: state, params: stateParams },
    set: { text: set.join(', '), params: setParams },
    range: delinquency
      ? { text: 'left join delinquency_range r on (?::date - s.oldest) between r.minimum_age_days and coalesce(r.maximum_age_days, 2147483647)', params: [asOf] }
      : { text: '', params: [] },
  };
}

const STEPS: Record<CobStepName, StepFn> = {
  /**
   * Charges every OVERDUE_INSTALLMENT charge the loan carries (its resolved terms, loan.schedule_settings)
   * on each installment more than graceDays past due with principal or interest outstanding, once or
   * again every feeInterval days: domain overduePenalties with overdueChargeRule. Each application is a
   * loan_charge row and a PENALTY (fee: CHARGE) transaction keyed by charge, installment and occurrence
   * date, so nothing is charged twice; one that rounds to zero is no charge (a later date may charge it).
   * A one-time charge applied also records its key on the installment (applied_overdue_charges), so later
   * dates skip it without looking for its loan_charge row.
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
        select oc.loan_id, oc.name, oc.calc, oc.rate, oc.penalty, i.installment_number, o.on_date, r.request_id, oc.every is null as once,
               round_half_even(case oc.calc
                 when 'FLAT' then oc.rate
                 when 'PERCENT_OF_AMOUNT' then (i.principal_due - i.principal_paid) * oc.rate / 100
                 else (i.principal_due - i.principal_paid + i.interest_due - i.interest_paid - i.interest_waived) * oc.rate / 100
               end, oc.digits) as amount
          -- due_date + grace + 1 <= the next morning, written as a range on the (loan_id, due_date) index.
          from oc join loan_installment i on i.loan_id = oc.loan_id and i.due_date <= ?::date - oc.grace - 1
          -- Occurrences 0..n (one for a one-time charge). Not generate_series over computed bounds: the planner
          -- would count 1,000 rows per installment and size every later join (loan_charge probe, installment
          -- update) for a million rows; an array it counts as 10.
          cross join lateral unnest(case when oc.every is null then array[0]
                                         else array(select generate_series(0, (?::date - (i.due_date + oc.grace + 1)) / oc.every)) end) k
          cross join lateral (select i.due_date + oc.grace + 1 + k * coalesce(oc.every, 0) as on_date) o
          cross join lateral (select 'cob-charge-' || oc.idx || '-' || i.installment_number || '-' || to_char(o.on_date, 'YYYY-MM-DD') as request_id) r
         where not i.completed
           and (i.principal_due - i.principal_paid + i.interest_due - i.interest_paid - i.interest_waived) > 0
           -- A one-time charge already applied here is marked on the installment: no loan_charge probe for it.
           and not (oc.every is null and r.request_id = any(i.applied_overdue_charges))
      ), added as (
        insert into loan_charge (loan_id, charge_id, name, charge_time_type, charge_calculation_type, penalty, amount_or_percentage, amount,
                                 due_date, installment_number, installment_charges, request_id, created_by)
        select due.loan_id, ch.id, due.name, 'OVERDUE_INSTALLMENT', due.calc, due.penalty, due.rate, due.amount, due.on_date, due.installment_number,
               jsonb_build_array(jsonb_build_object('installmentNumber', due.installment_number, 'amount', trim_scale(due.amount)::text, 'amountWaived', '0', 'waived', false)),
               due.request_id, 'cob'
          from due left join charge ch on ch.name = due.name
         -- The probe names the chunk's loans too: a planner that expects many due rows hashes loan_charge, and
         -- would otherwise read all of it (every loan's charges) to build that hash.
         where due.amount > 0 and not exists (select 1 from loan_charge lc where lc.loan_id = due.loan_id and lc.request_id = due.request_id and lc.loan_id = any(?::uuid[]))
        on conflict (loan_id, request_id) do nothing
        returning loan_id, installment_number, penalty, amount, request_id
      ), per_installment as (
        select a.loan_id, a.installment_number, coalesce(sum(a.amount) filter (where a.penalty), 0) as penalty, coalesce(sum(a.amount) filter (where not a.penalty), 0) as fee,
               coalesce(array_agg(a.request_id) filter (where d.once), '{}') as once_keys
          from added a join due d on d.loan_id = a.loan_id and d.request_id = a.request_id
         group by a.loan_id, a.installment_number
      ), charged as (
        -- A fee charged under accrual is booked receivable at once (below), so it adds to what is recognised
        -- of the installment's fees (accrued, or paid before it was accrued: see ADD_PERIODIC_ACCRUAL_ENTRIES).
        update loan_installment i set penalty_charges_due = i.penalty_charges_due + c.penalty, fee_charges_due = i.fee_charges_due + c.fee,
               fee_accrued = case when p.accounting_rule = 'ACCRUAL_PERIODIC' and c.fee > 0 then greatest(i.fee_accrued, i.fee_paid) + c.fee else i.fee_accrued end,
               completed = false, applied_overdue_charges = i.applied_overdue_charges || c.once_keys
          from per_installment c, loan l, loan_product p
         where i.loan_id = c.loan_id and i.installment_number = c.installment_number and l.id = c.loan_id and p.id = l.product_id
           -- The chunk's id range, spelled out: should the planner misjudge how few rows per_installment has,
           -- the worst it can do is read the chunk's range, not every installment (0.3 s a chunk on 1.2 M
           -- when it hash-joined them). A range, not "= any(ids)": with a sane estimate the update walks the
           -- (loan_id, installment_number) index per charged installment, and a range is two comparisons
           -- where "= any" searched the 1,000 ids for every row (or had it read all the chunk's 12,000).
           and i.loan_id between (select x from unnest(?::uuid[]) x order by x limit 1) and (select x from unnest(?::uuid[]) x order by x desc limit 1)
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
    [ids, d, asOf, asOf, ids, ids, ids, d, d]);
  },

  /**
   * Periodic accrual (ACCRUAL_PERIODIC products), one statement for interest and fees; per installment:
   * interest earned through the end of the day (Dr receivable, Cr income), up to domain accrualIncomeBy(d + 1),
   * the earned share of interest less waived; and, once due by d + 1, its fees charged less waived less what is
   * already recognised (accrued, or paid before it was accrued, which was income then), as domain
   * feeAccrualBy (Dr fees receivable, Cr fee income), after which fee_accrued says all of them are. Each loan
   * gets an ACCRUAL transaction for each (`cob-fee-accrual-<d>` with fee_portion, `cob-accrual-<d>` with
   * interest_portion, fees first), so a rerun posts nothing.
   */
  async ADD_PERIODIC_ACCRUAL_ENTRIES(em, d, ids) {
    const asOf = addDays(d, 1);
    const interestOpen = `i.from_date < ?::date and i.interest_accrued < i.interest_due - i.interest_waived`;
    const feeToAccrue = `i.fee_charges_due - i.fee_waived - greatest(i.fee_accrued, i.fee_paid)`;
    await sql(em, `
      with inst as (
        select i.id, i.loan_id, l.currency_code, p.gl_mapping, i.interest_accrued,
               case when ${interestOpen} then
                 case when ?::date >= i.due_date then i.interest_due - i.interest_waived
                      else round_half_even((i.interest_due - i.interest_waived) * (?::date - i.from_date) / (i.due_date - i.from_date), p.digits_after_decimal)
                 end
               end as e,
               case when i.due_date <= ?::date then ${feeToAccrue} else 0 end as fee
          from loan_installment i join loan l on l.id = i.loan_id join loan_product p on p.id = l.product_id
         where ${IN_SCOPE} and p.accounting_rule = 'ACCRUAL_PERIODIC'
           and ((${interestOpen}) or (i.due_date <= ?::date and ${feeToAccrue} > 0))
      ), upd as (
        -- One update for both (a row cannot be updated twice in one statement).
        update loan_installment i
           set interest_accrued = case when x.e > x.interest_accrued then x.e else i.interest_accrued end,
               fee_accrued = case when x.fee > 0 then i.fee_charges_due - i.fee_waived else i.fee_accrued end
          from inst x where i.id = x.id and (x.e > x.interest_accrued or x.fee > 0) returning i.id
      ), per_loan as (
        select loan_id, kind, case kind when 'FEE' then 'cob-fee-accrual-' else 'cob-accrual-' end || ?::text as request_id,
               min(currency_code) as currency_code, (array_agg(gl_mapping))[1] as gl_mapping, sum(amount) as amount
          from (select loan_id, 'FEE' as kind, currency_code, gl_mapping, fee as amount from inst where fee > 0
                union all
                select loan_id, 'INTEREST', currency_code, gl_mapping, e - interest_accrued from inst where e > interest_accrued) a
         group by loan_id, kind
      ), tx as (
        insert into loan_transaction (loan_id, type, amount, transaction_date, request_id, interest_portion, fee_portion)
        select loan_id, 'ACCRUAL', amount, ?::date, request_id, case when kind = 'INTEREST' then amount else 0 end, case when kind = 'FEE' then amount else 0 end
          from per_loan order by kind, loan_id
        on conflict (loan_id, request_id) do nothing
        returning id, loan_id, request_id, amount
      )
      insert into journal_entry (loan_transaction_id, loan_id, gl_account_id, entry_type, amount, currency_code, business_date)
      select tx.id, tx.loan_id, g.id, s.entry_type, tx.amount, pl.currency_code, ?::date
        from tx join per_loan pl on pl.loan_id = tx.loan_id and pl.request_id = tx.request_id
        join (values ${lineSpec([['DEBIT', 'FEES_RECEIVABLE'], ['CREDIT', 'INCOME_FROM_FEES']], 'FEE')},
                     ${lineSpec([['DEBIT', 'INTEREST_RECEIVABLE'], ['CREDIT', 'INCOME_FROM_INTEREST']], 'INTEREST')}) s(kind, entry_type, role, dflt) on s.kind = pl.kind
        join gl_account g on g.code = coalesce(pl.gl_mapping->>s.role, s.dflt)`,
    [asOf, asOf, asOf, asOf, ids, d, asOf, asOf, d, d, d]);
  },

  CHECK_LOAN_REPAYMENT_DUE: (em, d, ids) => updateLoanState(em, d, ids, ['CHECK_LOAN_REPAYMENT_DUE'], false),
  CHECK_LOAN_REPAYMENT_OVERDUE: (em, d, ids) => updateLoanState(em, d, ids, ['CHECK_LOAN_REPAYMENT_OVERDUE'], false),
  LOAN_DELINQUENCY_CLASSIFICATION: (em, d, ids) => updateLoanState(em, d, ids, ['LOAN_DELINQUENCY_CLASSIFICATION'], false),

  /**
   * Closing happens once per partition, after its last chunk (see fullyRepaidInRange): a chunk cannot
   * know about loans that a retried partition skipped, and asking per chunk too would be work done twice.
   */
  async CLOSE_FULLY_REPAID_LOANS() {},
};

/** Runs the steps for `ids` on date `d` in the caller's transaction and marks them closed for it. */
export async function runSteps(em: EntityManager, d: string, ids: string[], steps: readonly CobStepName[], stepMillis: Record<string, number> = {}): Promise<void> {
  const timed = async (name: string, work: () => Promise<void>) => {
    const started = performance.now();
    await work();
    stepMillis[name] = (stepMillis[name] ?? 0) + (performance.now() - started);
  };
  for (let k = 0; k < steps.length; k++) {
    if (!LOAN_STATE_STEPS.has(steps[k])) {
      const step = steps[k];
      await timed(step, () => STEPS[step](em, d, ids));
      continue;
    }
    // A run of loan-state steps is one update; when only the (per-partition) closing step follows, it
    // also marks the loans closed for the date. Its time is reported under the steps' joined names.
    let end = k;
    while (end + 1 < steps.length && LOAN_STATE_STEPS.has(steps[end + 1])) end++;
    const group = steps.slice(k, end + 1);
    const last = steps.slice(end + 1).every((s) => s === 'CLOSE_FULLY_REPAID_LOANS');
    if (last) {
      // The last business step: the messages come in the same statement (their time is reported with it).
      await timed(`${group.join('+')}+BULK_EVENTS`, () => updateLoanStateWithEvents(em, d, ids, group, steps));
      return;
    }
    await timed(group.join('+'), () => updateLoanState(em, d, ids, group, false));
    k = end;
  }
  await sql(em, `update loan l set last_cob_date = ?::date where ${IN_SCOPE}`, [d, ids, d]);
  await timed('BULK_EVENTS', () => recordCobEvents(em, d, ids, steps));
}

/**
 * One outbox message per loan per COB date (the bulk envelope): the overdue charges applied (PenaltyApplied,
 * or LoanChargeAdded for a fee) and the loan's state after the steps, in the chunk's transaction. Built in
 * SQL, one statement a chunk: the item shapes are their Avro schemas' (every field, defaults included; money
 * as Decimal.toFixed() gives it, hence trim_scale), which test/services/cob-bulk-events.test.ts checks.
 * On its own (for the loans closed for `d`) when the loan-state steps are not the last; else updateLoanStateWithEvents.
 */
async function recordCobEvents(em: EntityManager, d: string, ids: string[], steps: readonly CobStepName[]): Promise<void> {
  const source = cobEventsSource(d, steps,
    `loan l cross join lateral (select trim_scale(coalesce(sum(${OUTSTANDING}), 0))::text as outstanding from loan_installment i where i.loan_id = l.id) b`,
    { text: 'where l.id = any(?::uuid[]) and l.last_cob_date = ?::date', params: [ids, d] });
  // Every loan selected was just updated (last_cob_date) by this transaction, which holds its row lock; or
  // closed for the date by another run meanwhile (inline COB), whose message has this key: no row then.
  await recordBulkEventsFromQuery(em, source.text, source.params, { lockedByCaller: true });
}

/**
 * The loan-state steps, their loans' last_cob_date and the bulk messages in ONE statement: the update
 * returns the loans it changed and the messages are built from those rows, with the outstanding balance
 * summed in the same pass over the installments as what is past due. Apart, the messages read every
 * loan and all its installments a second time (a fifth of a chunk's time).
 */
async function updateLoanStateWithEvents(em: EntityManager, d: string, ids: string[], group: readonly CobStepName[], steps: readonly CobStepName[]): Promise<void> {
  const q = loanStateQuery(d, ids, group, true, true)!;
  const prelude: Sql = {
    text: `st as (${q.state.text}),
     upd as (update loan t set ${q.set.text} from st s ${q.range.text} where t.id = s.id returning t.id, t.customer_id, t.currency_code, t.days_past_due)`,
    params: [...q.state.params, ...q.set.params, ...q.range.params],
  };
  const source = cobEventsSource(d, steps, 'upd l join (select id, total as outstanding from st) b on b.id = l.id', { text: '', params: [] });
  // The update locked every loan it returns.
  await recordBulkEventsFromQuery(em, source.text, [...prelude.params, ...source.params], { lockedByCaller: true, prelude: prelude.text });
}

/**
 * The bulk messages' select over `from`, which names the loans `l` (id, customer_id, currency_code,
 * days_past_due after the steps) and their outstanding balance `b.outstanding`, filtered by `where`.
 */
function cobEventsSource(d: string, steps: readonly CobStepName[], from: string, where: Sql): Sql {
  const amount = 'trim_scale(t.amount)::text';
  return {
    text: `
    select l.id::text as aggregate_id, 'cob-' || ?::text || '-' || l.id::text as idempotency_key, ?::date as business_date,
           coalesce(c.items, '[]'::jsonb) || jsonb_build_array(jsonb_build_object('type', 'CobLoanProcessed', 'data', jsonb_build_object(
             'loanId', l.id::text, 'businessDate', ?::text, 'steps', to_jsonb(?::text[]), 'status', 'SUCCESS', 'error', null,
             'daysPastDue', l.days_past_due, 'outstandingBalance', b.outstanding))) as items
      from ${from}
      -- The overdue charges this date applied (APPLY_PENALTY_FOR_OVERDUE_LOANS), in transaction order.
      left join lateral (
        select jsonb_agg(case when lc.penalty
                 then jsonb_build_object('type', 'PenaltyApplied', 'data', jsonb_build_object(
                   'loanId', l.id::text, 'customerId', l.customer_id::text, 'appliedOn', ?::text, 'currencyCode', l.currency_code, 'amount', ${amount},
                   'installmentNumber', t.installment_number, 'dueDate', i.due_date::text, 'chargeName', lc.name))
                 -- An overdue fee (not a penalty) is a charge added to the loan by the system.
                 else jsonb_build_object('type', 'LoanChargeAdded', 'data', jsonb_build_object(
                   'loanId', l.id::text, 'customerId', l.customer_id::text, 'loanChargeId', lc.id::text, 'chargeId', coalesce(lc.charge_id::text, ''),
                   'chargeName', lc.name, 'penalty', false, 'currencyCode', l.currency_code, 'amount', ${amount}, 'dueDate', lc.due_date::text,
                   'installmentNumber', t.installment_number, 'transactionId', t.id::text, 'outstandingBalance', b.outstanding,
                   'actorId', 'system', 'actorRole', 'SYSTEM'))
               end order by t.id) as items
          from loan_transaction t join loan_charge lc on lc.loan_id = t.loan_id and lc.request_id = t.request_id
          join loan_installment i on i.loan_id = t.loan_id and i.installment_number = t.installment_number
         where t.loan_id = l.id and t.type in ('PENALTY', 'CHARGE') and t.transaction_date = ?::date and t.request_id like 'cob-charge-%'
      ) c on true
     ${where.text}`,
    params: [d, d, d, [...steps], d, d, ...where.params],
  };
}

/** CLOSE_FULLY_REPAID_LOANS for a whole partition: active loans in [fromId, toId] with nothing left to pay and no credit balance. */
export async function fullyRepaidInRange(em: EntityManager, fromId: string, toId: string): Promise<string[]> {
  const rows = await sql<{ id: string }>(em, `
    select l.id::text from loan l
     where l.status = 'ACTIVE' and l.id >= ?::uuid and l.id <= ?::uuid and l.credit_balance = 0
       and not exists (select 1 from loan_installment i where i.loan_id = l.id and not i.completed)`, [fromId, toId]);
  return rows.map((r) => r.id);
}
