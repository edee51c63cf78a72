/**
 * APPLY_PENALTY_FOR_OVERDUE_LOANS records each one-time overdue charge it applies on the installment
 * (loan_installment.applied_overdue_charges, the charge's request id) and skips it on later dates instead
 * of probing loan_charge for it. What that must not change: a rerun of a date and every later date
 * charge nothing twice (also once the charge is waived), a recurring charge keeps applying, a key only
 * ever names a loan_charge row of the loan on that installment, an installment charged before the
 * marker existed (a loan_charge row, no key) is still not charged again, and an installment whose due
 * date moved (a reschedule rewrites the row) is charged for its new due date as before.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { addDays } from '../../src/domain/dates';
import { runSteps } from '../../src/services/cob';
import { sql } from '../../src/services/sql';
import { fileScratchDatabase } from '../utils';

const FIRST = '2027-03-01';

let orm: MikroORM;
let loanId: string;
const scratch = fileScratchDatabase('cob_marker');

/** The charge step alone for date `d`, as a chunk would run it (the loan is marked closed for `d`). */
async function charge(d: string): Promise<void> {
  await orm.em.fork().transactional((tx) => runSteps(tx, d, [loanId], ['APPLY_PENALTY_FOR_OVERDUE_LOANS']));
}

/** Makes `d` runnable again for the loan (as a retried chunk would find it). */
async function reopen(d: string): Promise<void> {
  await sql(orm.em.fork(), `update loan set last_cob_date = ?::date where id = ?::uuid`, [addDays(d, -1), loanId]);
}

async function state() {
  const em = orm.em.fork();
  const charges = await sql<{ request_id: string; installment_number: number; amount: string }>(em, `
    select request_id, installment_number, amount::text from loan_charge where loan_id = ?::uuid order by request_id`, [loanId]);
  const transactions = await sql<{ request_id: string; amount: string }>(em, `
    select request_id, amount::text from loan_transaction where loan_id = ?::uuid order by request_id`, [loanId]);
  const [{ lines }] = await sql<{ lines: number }>(em, `select count(*)::int as lines from journal_entry where loan_id = ?::uuid`, [loanId]);
  const installments = await sql<{ installment_number: number; penalty: string; fee: string; keys: string[] }>(em, `
    select installment_number, penalty_charges_due::text as penalty, fee_charges_due::text as fee, applied_overdue_charges as keys
      from loan_installment where loan_id = ?::uuid order by installment_number`, [loanId]);
  return { charges, transactions, lines, installments };
}

/** Every key on an installment is a loan_charge row of the loan for that installment. */
async function keysAreCharges(): Promise<void> {
  const orphans = await sql(orm.em.fork(), `
    select i.installment_number, k.key from loan_installment i cross join lateral unnest(i.applied_overdue_charges) k(key)
     where i.loan_id = ?::uuid
       and not exists (select 1 from loan_charge lc where lc.loan_id = i.loan_id and lc.request_id = k.key and lc.installment_number = i.installment_number)`,
  [loanId]);
  expect(orphans).toEqual([]);
}

beforeAll(async () => {
  orm = await scratch.open();
  const em = orm.em.fork();
  const [{ id: customerId }] = await sql<{ id: string }>(em, `
    insert into customer (id, first_name, last_name, email) values (gen_random_uuid(), 'Marker', 'Borrower', 'marker@example.com') returning id::text`);
  const [{ id: productId }] = await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type, accounting_rule)
    values (gen_random_uuid(), 'Marker book', 'USD', 2, 1, 1000000, 0, 100, 1, 24, 1, 'MONTHS', 'ACCRUAL_PERIODIC') returning id::text`);
  // A one-time flat penalty (grace 3) and a fee every 2 days: only the first may be skipped by its key.
  const charges = [
    { name: 'Late penalty', amount: '15', chargeTimeType: 'OVERDUE_INSTALLMENT', chargeCalculationType: 'FLAT', penalty: true, graceDays: 3, feeInterval: null },
    { name: 'Late fee', amount: '2', chargeTimeType: 'OVERDUE_INSTALLMENT', chargeCalculationType: 'FLAT', penalty: false, graceDays: 0, feeInterval: 2 },
  ];
  [{ id: loanId }] = await sql<{ id: string }>(em, `
    insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
      repayment_frequency_type, status, stage, workflow_id, disbursed_on, last_cob_date, schedule_settings)
    values (gen_random_uuid(), ?::uuid, ?::uuid, 3000, 'USD', 12, 3, 1, 'MONTHS', 'ACTIVE', 'REPAYMENT', 'marker', '2026-12-01', ?::date, ?::jsonb) returning id::text`,
  [customerId, productId, addDays(FIRST, -1), JSON.stringify({ charges })]);
  // Installments 1 and 2 overdue (2 charged before the marker existed: a loan_charge row, no key), 3 due later.
  let from = '2026-12-01';
  for (const [n, due] of ['2027-01-01', '2027-02-01', '2027-04-01'].entries()) {
    await sql(em, `
      insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due,
        principal_paid, interest_paid, interest_waived, interest_accrued, fee_paid, fee_waived, fee_accrued, completed)
      values (?::uuid, ?, ?::date, ?::date, 1000, 10, 0, ?, 0, 0, 0, 0, 0, 0, 0, false)`, [loanId, n + 1, from, due, n === 1 ? 15 : 0]);
    from = due;
  }
  await sql(em, `
    insert into loan_charge (loan_id, name, charge_time_type, charge_calculation_type, penalty, amount_or_percentage, amount, due_date, installment_number, request_id, created_by)
    values (?::uuid, 'Late penalty', 'OVERDUE_INSTALLMENT', 'FLAT', true, 15, 15, '2027-02-05', 2, 'cob-charge-1-2-2027-02-05', 'cob')`, [loanId]);
});

afterAll(() => scratch.close());

it('a one-time overdue charge is keyed on its installment once applied and never applied again', async () => {
  await charge(FIRST);
  const first = await state();
  // Installment 1: the penalty once (and marked); the fee from its due date every 2 days (never marked).
  // Installment 2: the penalty already there (no second row, still no key: it was not applied by this run).
  expect(first.charges.filter((c) => c.request_id.startsWith('cob-charge-1-')).map((c) => c.request_id))
    .toEqual(['cob-charge-1-1-2027-01-05', 'cob-charge-1-2-2027-02-05']);
  expect(first.installments.map((i) => i.keys)).toEqual([['cob-charge-1-1-2027-01-05'], [], []]);
  expect(first.installments.map((i) => i.penalty)).toEqual(['15.000000', '15.000000', '0.000000']);
  const fees = first.charges.filter((c) => c.request_id.startsWith('cob-charge-2-'));
  expect(fees.length).toBe(30 + 15); // 2027-01-01 .. 2027-03-01 every 2 days (30), 2027-02-01 .. (15)
  await keysAreCharges();

  // A rerun of the date changes nothing: rows, transactions, journal lines, installments.
  await reopen(FIRST);
  await charge(FIRST);
  expect(await state()).toEqual(first);

  // The next two dates: one new fee occurrence each (installment 1 on 2027-03-03, 2 on 2027-03-04); the
  // penalties stay one per installment and the keys do not change.
  let seen = first;
  for (const [k, key] of [[1, 'cob-charge-2-1-2027-03-03'], [2, 'cob-charge-2-2-2027-03-04']] as const) {
    await charge(addDays(FIRST, k));
    const now = await state();
    expect(now.charges.filter((c) => !seen.charges.some((f) => f.request_id === c.request_id)).map((c) => c.request_id)).toEqual([key]);
    expect(now.installments.map((i) => [i.keys, i.penalty])).toEqual(first.installments.map((i) => [i.keys, i.penalty]));
    seen = now;
  }
  await keysAreCharges();
});

it('a waived one-time charge is not charged again, and a moved due date is charged for its new date', async () => {
  const em = orm.em.fork();
  // Waive installment 1's penalty as a waiver leaves it: the loan_charge row stays, waived.
  await sql(em, `update loan_charge set waived = true, amount_waived = amount where loan_id = ?::uuid and request_id = 'cob-charge-1-1-2027-01-05'`, [loanId]);
  await sql(em, `update loan_installment set penalty_waived = 15 where loan_id = ?::uuid and installment_number = 1`, [loanId]);
  const before = await state();
  await charge(addDays(FIRST, 3));
  const after = await state();
  expect(after.charges.filter((c) => c.request_id.startsWith('cob-charge-1-'))).toEqual(before.charges.filter((c) => c.request_id.startsWith('cob-charge-1-')));

  // Installment 1 rewritten in place with a later due date (as a reschedule does): its key names the old
  // occurrence, so the penalty falls due again on the new date + grace, as it did before the marker.
  await sql(em, `update loan_installment set due_date = '2027-02-20' where loan_id = ?::uuid and installment_number = 1`, [loanId]);
  await charge(addDays(FIRST, 4));
  const moved = await state();
  expect(moved.charges.filter((c) => c.request_id.startsWith('cob-charge-1-1-')).map((c) => c.request_id))
    .toEqual(['cob-charge-1-1-2027-01-05', 'cob-charge-1-1-2027-02-24']);
  expect(moved.installments[0].keys).toEqual(['cob-charge-1-1-2027-01-05', 'cob-charge-1-1-2027-02-24']);
  // Each one-time application is one transaction with its two journal lines.
  expect(moved.transactions.filter((t) => t.request_id.startsWith('cob-charge-1-1-')).map((t) => t.request_id))
    .toEqual(['cob-charge-1-1-2027-01-05', 'cob-charge-1-1-2027-02-24']);
  expect(moved.lines).toBe(2 * moved.transactions.length);
  await keysAreCharges();
});
