/**
 * Close of business builds its bulk outbox messages (one per loan per date) in SQL
 * (recordCobEvents in src/services/cob/steps.ts), so nothing checks them against their Avro schemas when
 * they are written. This test runs the COB steps on a small book in a scratch database (overdue penalties
 * and fees, flat and percent, with and without a catalog charge, 2 and 3 decimal places, amounts with and
 * without trailing zeros) and checks every produced row: each item validates against its schema as it
 * stands (normalizePayload adds nothing), the payload encodes as the relay would, and the row equals what
 * the former JS builder (kept below as the reference) wrote, column by column, disabled types included.
 */
import type { MikroORM } from '@mikro-orm/postgresql';
import { addDays } from '../../src/domain/dates';
import { Decimal } from '../../src/domain/money';
import { encodePayload, normalizePayload } from '../../src/events/avro';
import { COB_STEPS, runSteps } from '../../src/services/cob';
import { sql } from '../../src/services/sql';
import { fileScratchDatabase } from '../utils';

const FIRST = '2027-03-01';
const STEPS = COB_STEPS.filter((s) => s !== 'CLOSE_FULLY_REPAID_LOANS');
const OUTSTANDING = `(i.principal_due - i.principal_paid + i.interest_due - i.interest_paid - i.interest_waived
  + i.fee_charges_due - i.fee_paid - i.fee_waived + i.penalty_charges_due - i.penalty_paid - i.penalty_waived)`;

let orm: MikroORM;
let ids: string[];
let inactiveId: string;

interface OutboxRow {
  id: string; source: string; type: string; category: string; aggregate_type: string; aggregate_id: string;
  idempotency_key: string; data_schema: string; business_date: string; payload: { items: { type: string; data: Record<string, unknown> }[] };
}

/**
 * The rows the JS builder wrote before the messages moved to SQL (recordCobEvents + recordBulkEvents of
 * then), from the database as the steps of date `d` left it; `disabled` as event_type_setting says.
 */
async function referenceRows(d: string, steps: readonly string[], disabled: Set<string>): Promise<Omit<OutboxRow, 'id'>[]> {
  const em = orm.em.fork();
  const loans = await sql<{ id: string; customer_id: string; currency_code: string; days_past_due: number; outstanding: string }>(em, `
    select l.id::text, l.customer_id::text, l.currency_code, l.days_past_due,
           (select coalesce(sum(${OUTSTANDING}), 0) from loan_installment i where i.loan_id = l.id)::text as outstanding
      from loan l where l.id = any(?::uuid[]) and l.last_cob_date = ?::date order by l.id`, [[...ids, inactiveId], d]);
  const charges = await sql<{
    loan_id: string; amount: string; installment_number: number; due_date: string; charge_due_date: string; name: string; penalty: boolean;
    loan_charge_id: string; charge_id: string | null; transaction_id: string;
  }>(em, `
    select t.loan_id::text, t.amount::text, t.installment_number, i.due_date::text, lc.due_date::text as charge_due_date, lc.name, lc.penalty,
           lc.id::text as loan_charge_id, lc.charge_id::text, t.id::text as transaction_id
      from loan_transaction t join loan_charge lc on lc.loan_id = t.loan_id and lc.request_id = t.request_id
      join loan_installment i on i.loan_id = t.loan_id and i.installment_number = t.installment_number
     where t.loan_id = any(?::uuid[]) and t.type in ('PENALTY', 'CHARGE') and t.transaction_date = ?::date and t.request_id like 'cob-charge-%'
     order by t.id`, [ids, d]);
  if (disabled.has('BulkBusinessEvent')) return [];
  const out: Omit<OutboxRow, 'id'>[] = [];
  for (const l of loans) {
    const items = [
      ...charges.filter((c) => c.loan_id === l.id).map((c) => (c.penalty
        ? {
          type: 'PenaltyApplied',
          data: {
            loanId: l.id, customerId: l.customer_id, appliedOn: d, currencyCode: l.currency_code, amount: new Decimal(c.amount).toFixed(),
            installmentNumber: c.installment_number, dueDate: c.due_date, chargeName: c.name,
          },
        }
        : {
          type: 'LoanChargeAdded',
          data: {
            loanId: l.id, customerId: l.customer_id, loanChargeId: c.loan_charge_id, chargeId: c.charge_id ?? '', chargeName: c.name, penalty: false,
            currencyCode: l.currency_code, amount: new Decimal(c.amount).toFixed(), dueDate: c.charge_due_date, installmentNumber: c.installment_number,
            transactionId: c.transaction_id, outstandingBalance: new Decimal(l.outstanding).toFixed(), actorId: 'system', actorRole: 'SYSTEM',
          },
        })),
      {
        type: 'CobLoanProcessed',
        data: { loanId: l.id, businessDate: d, steps: [...steps], status: 'SUCCESS', daysPastDue: l.days_past_due, outstandingBalance: new Decimal(l.outstanding).toFixed() },
      },
    ].filter((i) => !disabled.has(i.type)).map((i) => ({ type: i.type, data: normalizePayload(i.type, i.data) }));
    if (items.length === 0) continue;
    out.push({
      source: 'loan-platform', type: 'BulkBusinessEvent', category: 'BULK', aggregate_type: 'Loan', aggregate_id: l.id,
      idempotency_key: `cob-${d}-${l.id}`, data_schema: 'org.loanplatform.avro.generic.v1.BulkMessagePayloadV1', business_date: d, payload: { items },
    });
  }
  return out;
}

async function rowsOf(d: string): Promise<OutboxRow[]> {
  return sql<OutboxRow>(orm.em.fork(), `
    select id::text, source, type, category, aggregate_type, aggregate_id, idempotency_key, data_schema, business_date::text, payload
      from outbox_event where type = 'BulkBusinessEvent' and business_date = ?::date order by id`, [d]);
}

async function setDisabled(types: string[]): Promise<void> {
  const em = orm.em.fork();
  await sql(em, `delete from event_type_setting`);
  for (const t of types) await sql(em, `insert into event_type_setting (type, enabled, updated_by) values (?, false, 'test')`, [t]);
}

/** Runs date `d` and checks its rows against the reference; returns them. */
async function closeAndCheck(d: string, steps: readonly (typeof STEPS)[number][], disabled: string[] = []): Promise<OutboxRow[]> {
  await setDisabled(disabled);
  await orm.em.fork().transactional((tx) => runSteps(tx, d, [...ids, inactiveId], steps));
  const rows = await rowsOf(d);
  for (const row of rows) {
    for (const item of row.payload.items) {
      // Valid as stored, and already complete: normalizing adds or changes nothing.
      expect({ key: row.idempotency_key, type: item.type, data: normalizePayload(item.type, item.data) }).toEqual({ key: row.idempotency_key, type: item.type, data: item.data });
    }
    expect(encodePayload(row.type, row.payload, row.aggregate_id, row.business_date).length).toBeGreaterThan(0);
  }
  expect(rows.map(({ id: _id, ...r }) => r)).toEqual(await referenceRows(d, steps, new Set(disabled)));
  // Ids are taken in loan id order (the lock order).
  expect(rows.map((r) => r.aggregate_id)).toEqual([...rows.map((r) => r.aggregate_id)].sort());
  return rows;
}

const scratch = fileScratchDatabase('cob_bulk');

afterAll(() => scratch.close());

beforeAll(async () => {
  orm = await scratch.open();
  const em = orm.em.fork();
  const [{ id: customerId }] = await sql<{ id: string }>(em, `
    insert into customer (id, first_name, last_name, email) values (gen_random_uuid(), 'Bulk', 'Borrower', 'bulk@example.com') returning id::text`);
  const product = async (digits: number, currency: string) => (await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type, accounting_rule)
    values (gen_random_uuid(), 'Bulk book ' || gen_random_uuid(), ?, ?, 1, 1000000, 0, 100, 1, 24, 1, 'MONTHS', 'ACCRUAL_PERIODIC') returning id::text`,
  [currency, digits]))[0].id;
  const usd = await product(2, 'USD');
  const kes = await product(3, 'KES');
  // Catalog charges for two of the terms below (an application names its charge; the third has none: chargeId '').
  for (const [name, penalty] of [['Late penalty', true], ['Late fee', false]] as const) {
    await sql(em, `
      insert into charge (id, name, charge_time_type, charge_calculation_type, penalty, amount, currency_code, grace_days)
      values (gen_random_uuid(), ?, 'OVERDUE_INSTALLMENT', 'FLAT', ?, 1, 'USD', 0)`, [name, penalty]);
  }
  const term = (name: string, calc: string, amount: string, penalty: boolean, graceDays: number, feeInterval: number | null) => ({
    name, amount, chargeTimeType: 'OVERDUE_INSTALLMENT', chargeCalculationType: calc, penalty, graceDays, feeInterval,
  });
  const loan = async (productId: string, currency: string, status: string, charges: object[], installments: [due: string, principal: string, interest: string, paid: boolean][]) => {
    const [{ id }] = await sql<{ id: string }>(em, `
      insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
        repayment_frequency_type, status, stage, workflow_id, disbursed_on, last_cob_date, schedule_settings)
      values (gen_random_uuid(), ?::uuid, ?::uuid, 3000, ?, 12, ?, 1, 'MONTHS', ?, 'REPAYMENT', 'bulk', '2026-12-01', ?::date, ?::jsonb) returning id::text`,
    [customerId, productId, currency, installments.length, status, addDays(FIRST, -1), JSON.stringify({ charges })]);
    let from = '2026-12-01';
    for (const [n, [due, principal, interest, paid]] of installments.entries()) {
      await sql(em, `
        insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due,
          principal_paid, interest_paid, interest_waived, interest_accrued, fee_paid, fee_waived, fee_accrued, completed)
        values (?::uuid, ?, ?::date, ?::date, ?, ?, 2.5, 0, ?, ?, 0, 0, ?, 0, 0, ?)`,
      [id, n + 1, from, due, principal, interest, paid ? principal : 0, paid ? interest : 0, paid ? 2.5 : 0, paid]);
      from = due;
    }
    return id;
  };
  const overdue: [string, string, string, boolean][] = [['2027-01-01', '1000', '10.25', true], ['2027-02-01', '1000', '9.75', false], ['2027-03-15', '1000', '8.40', false]];
  ids = [
    // A flat penalty once (15.50 → "15.5"), a daily percent fee with a catalog charge, a flat fee once without one.
    await loan(usd, 'USD', 'ACTIVE', [
      term('Late penalty', 'FLAT', '15.50', true, 3, null),
      term('Late fee', 'PERCENT_OF_AMOUNT_AND_INTEREST', '1.234', false, 0, 1),
      term('Unlisted fee', 'FLAT', '20', false, 10, null),
    ], overdue),
    // Paid up: only CobLoanProcessed.
    await loan(usd, 'USD', 'ACTIVE', [term('Late penalty', 'FLAT', '15.50', true, 3, null)], [['2027-02-01', '1500', '15', true], ['2027-04-01', '1500', '12.5', false]]),
    // Three decimal places: a daily percent penalty (1.2346 % of 1000 = 12.346).
    await loan(kes, 'KES', 'ACTIVE', [term('Late penalty', 'PERCENT_OF_AMOUNT', '1.2346', true, 0, 1)], overdue),
  ];
  // Not active: no message at all.
  inactiveId = await loan(usd, 'USD', 'CLOSED_OBLIGATIONS_MET', [term('Late penalty', 'FLAT', '15.50', true, 3, null)], overdue);
});

it('the SQL-built bulk messages validate against their Avro schemas and equal what the JS builder wrote', async () => {
  const first = await closeAndCheck(FIRST, STEPS);
  expect(first).toHaveLength(ids.length);
  const items = first.flatMap((r) => r.payload.items);
  // The book exercises every item type, fees with and without a catalog charge, and amounts that lose trailing zeros.
  expect(new Set(items.map((i) => i.type))).toEqual(new Set(['PenaltyApplied', 'LoanChargeAdded', 'CobLoanProcessed']));
  expect(items.filter((i) => i.type === 'LoanChargeAdded').map((i) => i.data.chargeId)).toContain('');
  expect(items.some((i) => i.type === 'PenaltyApplied' && i.data.amount === '15.5')).toBe(true);
  expect(items.some((i) => /\.\d{3}$/.test(String(i.data.amount)))).toBe(true);
  // A rerun of the date writes nothing more.
  await orm.em.fork().transactional((tx) => runSteps(tx, FIRST, [...ids, inactiveId], STEPS));
  expect(await rowsOf(FIRST)).toEqual(first);
  // The next dates: the repeating charges again, and the steps actually run listed.
  expect(await closeAndCheck(addDays(FIRST, 1), STEPS)).toHaveLength(ids.length);
  expect(await closeAndCheck(addDays(FIRST, 2), ['APPLY_PENALTY_FOR_OVERDUE_LOANS', 'LOAN_DELINQUENCY_CLASSIFICATION'])).toHaveLength(ids.length);
});

it('drops the items of disabled types, and the message when nothing is left or the bulk type is off', async () => {
  const penaltiesOff = await closeAndCheck(addDays(FIRST, 3), STEPS, ['PenaltyApplied']);
  expect(penaltiesOff.flatMap((r) => r.payload.items.map((i) => i.type))).not.toContain('PenaltyApplied');
  expect(penaltiesOff.flatMap((r) => r.payload.items.map((i) => i.type))).toContain('LoanChargeAdded');
  // Only the loans that were charged something keep a message.
  const cobOff = await closeAndCheck(addDays(FIRST, 4), STEPS, ['CobLoanProcessed']);
  expect(cobOff.length).toBeGreaterThan(0);
  expect(cobOff.length).toBeLessThan(ids.length);
  expect(await closeAndCheck(addDays(FIRST, 5), STEPS, ['BulkBusinessEvent'])).toEqual([]);
  await setDisabled([]);
});

it('builds the same messages whether they come with the loan-state update (last steps) or on their own', async () => {
  // Loan-state steps first: the messages are their own statement after the penalty and accrual steps.
  const first = [...STEPS.filter((s) => s.startsWith('CHECK_') || s === 'LOAN_DELINQUENCY_CLASSIFICATION'), ...STEPS.filter((s) => s.startsWith('APPLY_') || s.startsWith('ADD_'))];
  expect(await closeAndCheck(addDays(FIRST, 6), first)).toHaveLength(ids.length);
  // No loan-state step at all.
  expect(await closeAndCheck(addDays(FIRST, 7), ['APPLY_PENALTY_FOR_OVERDUE_LOANS'])).toHaveLength(ids.length);
});
