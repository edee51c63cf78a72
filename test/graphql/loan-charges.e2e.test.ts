/**
 * addLoanCharge / waiveLoanCharge(component: CHARGE) end to end through GraphQL with the real worker
 * and PostgreSQL: a dated fee and penalty join the installment that holds their due date, are booked
 * receivable under accrual accounting, paid by a repayment in the strategy's order, waived; installment
 * fees waived whole or on one installment, a disbursement fee not at all; an installment fee added to an
 * active loan and repaid to closure; a repayment reversed on an accrual loan with fees giving the ledger
 * of a twin loan that never had it; idempotency, roles and bad input; the trial balance after every step.
 * On its own database: later tests move the business date (close of business runs inline per loan).
 */
import { Decimal } from '../../src/domain/money';
import { addDays } from '../../src/domain/dates';
import { dropDatabase, openDatabase } from '../../src/database';
import { Migration20261203064000_installment_charges as InstallmentCharges } from '../../src/migrations/Migration20261203064000_installment_charges';
import { currentBusinessDate } from '../../src/services/business-date.service';
import { sql } from '../../src/services/sql';
import type { AbstractSqlDriver } from '@mikro-orm/knex';
import { Client } from 'pg';
import { eventually, startTestApp, unique, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { activeLoan, createStaff, expectLedgerConsistent, ok, type Staff } from './lifecycle';

let app: TestApp;
let staff: Staff;
let today: string;
let databaseUrl: string;

const TX = 'id type amount transactionDate principalPortion interestPortion feePortion penaltyPortion overpaymentPortion';
const ADD = `mutation($l: ID!, $c: ID!, $k: String!, $a: Decimal, $d: LocalDate) {
  addLoanCharge(loanId: $l, chargeId: $c, idempotencyKey: $k, amount: $a, dueDate: $d) { ${TX} } }`;
const WAIVE = `mutation($l: ID!, $c: WaiveComponent!, $k: String!, $lc: ID, $a: Decimal) {
  waiveLoanCharge(loanId: $l, component: $c, reason: "goodwill", idempotencyKey: $k, loanChargeId: $lc, amount: $a) { ${TX} } }`;
const REPAY = `mutation($l: ID!, $a: Decimal!, $k: String!) { recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k) { ${TX} } }`;
const CHARGE = `mutation($i: CreateChargeInput!) { createCharge(input: $i) { id } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { status
  balances { feeOutstanding penaltyOutstanding totalOutstanding }
  charges { id name chargeTimeType penalty amount amountWaived waived dueDate installmentNumber }
  installments { installmentNumber dueDate principalDue interestDue feeChargesDue penaltyChargesDue feePaid penaltyPaid completed } } }`;

async function loan(id: string): Promise<any> {
  return ok(app, LOAN, { id }, app.token);
}

async function error(query: string, vars: Record<string, unknown>, token: string): Promise<{ code?: string; field?: unknown }> {
  const res = await app.gql(query, vars, token);
  return { code: res.errors?.[0]?.extensions?.code, field: res.errors?.[0]?.extensions?.field };
}

async function lines(transactionId: string): Promise<[string, string, string][]> {
  const rows = await sql<{ code: string; entry_type: string; amount: string }>(app.orm.em.fork(), `
    select a.code, e.entry_type, e.amount::text from journal_entry e join gl_account a on a.id = e.gl_account_id
     where e.loan_transaction_id = ? order by a.code, e.entry_type`, [transactionId]);
  return rows.map((r) => [r.code, r.entry_type, new Decimal(r.amount).toFixed()]);
}

async function balanceOnLoan(loanId: string, code: string): Promise<string> {
  const [row] = await sql<{ b: string }>(app.orm.em.fork(), `
    select coalesce(sum(case when e.entry_type = 'DEBIT' then e.amount else -e.amount end), 0)::text as b
      from journal_entry e join gl_account a on a.id = e.gl_account_id where e.loan_id = ? and a.code = ?`, [loanId, code]);
  return new Decimal(row.b).toFixed();
}

async function charge(input: Record<string, unknown>): Promise<string> {
  return (await ok(app, CHARGE, { i: { name: unique('charge'), chargeCalculationType: 'FLAT', currencyCode: 'USD', ...input } }, staff.admin.token)).id;
}

async function accrualProduct(): Promise<string> {
  const id = await createProduct(app, { maxPrincipal: '100000.00' });
  await ok(app, `mutation($p: ID!) { configureProductServicing(productId: $p, input: { accountingRule: "ACCRUAL_PERIODIC", allocationStrategy: "PENALTIES_FEES_INTEREST_PRINCIPAL" }) { id } }`,
    { p: id }, staff.admin.token);
  return id;
}

beforeAll(async () => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_charges`;
  databaseUrl = url.toString();
  await (await openDatabase(databaseUrl, { migrate: true })).close();
  app = await startTestApp({ configure: (c) => { c.databaseUrl = databaseUrl; } });
  staff = await createStaff(app);
  today = await currentBusinessDate(app.orm.em.fork());
});

afterAll(async () => {
  await app?.close();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

describe('charges added to an active loan', () => {
  let loanId: string;
  let borrowerToken: string;
  let feeId: string;
  let penaltyId: string;
  let feeTx: any;

  beforeAll(async () => {
    const productId = await accrualProduct();
    ({ loanId, borrowerToken } = await activeLoan(app, staff, productId, { principal: '1200.00', rate: '12', repayments: 12, disbursementDate: today }));
    feeId = await charge({ chargeTimeType: 'SPECIFIED_DUE_DATE', amount: '25.00' });
    penaltyId = await charge({ chargeTimeType: 'SPECIFIED_DUE_DATE', amount: '10.00', penalty: true });
  });

  it('adds a fee on the installment whose period holds its due date, booked as fees receivable', async () => {
    const before = await loan(loanId);
    const second = before.installments[1];
    const dueDate = second.dueDate;
    // One day after the first due date is in the second period.
    const inSecond = addDays(before.installments[0].dueDate, 1);
    feeTx = await ok(app, ADD, { l: loanId, c: feeId, k: 'fee-1', d: inSecond }, staff.officer.token);
    expect(feeTx).toMatchObject({ type: 'CHARGE', amount: '25', feePortion: '25', penaltyPortion: '0' });
    expect(await lines(feeTx.id)).toEqual([['1210', 'DEBIT', '25'], ['4100', 'CREDIT', '25']]);
    const after = await loan(loanId);
    expect(after.installments.map((i: any) => i.feeChargesDue)).toEqual(before.installments.map((i: any) => (i.dueDate === dueDate ? '25' : i.feeChargesDue)));
    expect(after.balances.feeOutstanding).toBe('25');
    expect(new Decimal(after.balances.totalOutstanding).minus(before.balances.totalOutstanding).toFixed()).toBe('25');
    expect(after.charges).toEqual([expect.objectContaining({ chargeTimeType: 'SPECIFIED_DUE_DATE', penalty: false, amount: '25', waived: false, dueDate: inSecond, installmentNumber: 2 })]);
    const [event] = await sql<{ payload: any }>(app.orm.em.fork(), `select payload from outbox_event where type = 'LoanChargeAdded' and aggregate_id = ?`, [loanId]);
    expect(event.payload).toMatchObject({ loanId, chargeId: feeId, amount: '25', installmentNumber: 2, transactionId: feeTx.id });
    await expectLedgerConsistent(app);
  });

  it('binds the idempotency key to its request', async () => {
    // The first request had a due date: the same key without it is another request.
    expect(await error(ADD, { l: loanId, c: feeId, k: 'fee-1' }, staff.officer.token)).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    const dueDate = (await loan(loanId)).charges[0].dueDate;
    expect((await ok(app, ADD, { l: loanId, c: feeId, k: 'fee-1', d: dueDate }, staff.manager.token)).id).toBe(feeTx.id);
    expect(await error(ADD, { l: loanId, c: feeId, k: 'fee-1', d: dueDate, a: '30.00' }, staff.officer.token)).toMatchObject({ code: 'CONFLICT' });
    expect((await loan(loanId)).charges).toHaveLength(1);
    await expectLedgerConsistent(app);
  });

  it('refuses bad input and the wrong roles, changing nothing', async () => {
    const disbursementFee = await charge({ chargeTimeType: 'DISBURSEMENT', amount: '5.00' });
    const eur = await charge({ chargeTimeType: 'SPECIFIED_DUE_DATE', amount: '5.00', currencyCode: 'EUR' });
    expect(await error(ADD, { l: loanId, c: feeId, k: 'r1' }, borrowerToken)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await error(ADD, { l: loanId, c: feeId, k: 'r1' }, staff.kyc.token)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await error(ADD, { l: loanId, c: disbursementFee, k: 'r1' }, staff.officer.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'chargeId' });
    expect(await error(ADD, { l: loanId, c: eur, k: 'r1' }, staff.officer.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'chargeId' });
    expect(await error(ADD, { l: loanId, c: feeId, k: 'r1', a: '-1' }, staff.officer.token)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await error(ADD, { l: loanId, c: feeId, k: 'r1', a: '1.001' }, staff.officer.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect(await error(ADD, { l: loanId, c: feeId, k: 'r1', d: '2027-02-30' }, staff.officer.token)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await error(ADD, { l: loanId, c: feeId, k: 'r1', d: '2999-01-01' }, staff.officer.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dueDate' });
    expect(await error(ADD, { l: loanId, c: '00000000-0000-4000-8000-000000000000', k: 'r1' }, staff.officer.token)).toMatchObject({ code: 'NOT_FOUND', field: 'chargeId' });
    expect((await loan(loanId)).charges).toHaveLength(1);
    await expectLedgerConsistent(app);
  });

  it('adds a penalty and waives it, reversing the receivable', async () => {
    const first = (await loan(loanId)).installments[0];
    const tx = await ok(app, ADD, { l: loanId, c: penaltyId, k: 'penalty-1', a: '15.00', d: first.dueDate }, staff.manager.token);
    expect(tx).toMatchObject({ type: 'CHARGE', amount: '15', penaltyPortion: '15' });
    expect(await lines(tx.id)).toEqual([['1220', 'DEBIT', '15'], ['4200', 'CREDIT', '15']]);
    let l = await loan(loanId);
    expect(l.installments[0].penaltyChargesDue).toBe('15');
    const penalty = l.charges.find((c: any) => c.penalty);
    expect(penalty).toMatchObject({ amount: '15', installmentNumber: 1 });
    await expectLedgerConsistent(app);

    expect(await error(WAIVE, { l: loanId, c: 'CHARGE', k: 'w1', lc: penalty.id }, staff.officer.token)).toMatchObject({ code: 'FORBIDDEN' });
    expect(await error(WAIVE, { l: loanId, c: 'CHARGE', k: 'w1' }, staff.manager.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'loanChargeId' });
    expect(await error(WAIVE, { l: loanId, c: 'CHARGE', k: 'w1', lc: penalty.id, a: '1.00' }, staff.manager.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect(await error(WAIVE, { l: loanId, c: 'PENALTY', k: 'w1', lc: penalty.id }, staff.manager.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'loanChargeId' });
    const waived = await ok(app, WAIVE, { l: loanId, c: 'CHARGE', k: 'w1', lc: penalty.id }, staff.manager.token);
    expect(waived).toMatchObject({ type: 'WAIVE_CHARGE', amount: '15', penaltyPortion: '15' });
    expect(await lines(waived.id)).toEqual([['1220', 'CREDIT', '15'], ['4200', 'DEBIT', '15']]);
    expect((await ok(app, WAIVE, { l: loanId, c: 'CHARGE', k: 'w1', lc: penalty.id }, staff.manager.token)).id).toBe(waived.id);
    expect(await error(WAIVE, { l: loanId, c: 'CHARGE', k: 'w2', lc: penalty.id }, staff.manager.token)).toMatchObject({ code: 'CONFLICT' });
    l = await loan(loanId);
    expect(l.balances.penaltyOutstanding).toBe('0');
    expect(l.charges.find((c: any) => c.penalty)).toMatchObject({ waived: true, amountWaived: '15' });
    expect(await balanceOnLoan(loanId, '1220')).toBe('0');
    await expectLedgerConsistent(app);
  });

  it('a repayment pays the fee in allocation order and settles the receivable', async () => {
    const l = await loan(loanId);
    const [i1, i2] = l.installments;
    const owed = (i: any) => new Decimal(i.principalDue).plus(i.interestDue).plus(i.feeChargesDue);
    // Installment 1 in full, then on installment 2 the fee before interest and principal.
    const amount = owed(i1).plus(30);
    const paid = await ok(app, REPAY, { l: loanId, a: amount.toFixed(2), k: 'pay-1' }, staff.officer.token);
    expect(paid.feePortion).toBe('25');
    expect(new Decimal(paid.interestPortion).gte(i1.interestDue)).toBe(true);
    expect(new Decimal(paid.interestPortion).lte(new Decimal(i1.interestDue).plus(i2.interestDue))).toBe(true);
    expect(new Decimal(paid.principalPortion).plus(paid.interestPortion).plus(paid.feePortion).eq(amount)).toBe(true);
    const after = await loan(loanId);
    expect(after.installments[1]).toMatchObject({ feePaid: '25', completed: false });
    expect(after.balances.feeOutstanding).toBe('0');
    // Fee income was booked when charged: the payment settles fees receivable, not income again.
    expect((await lines(paid.id)).filter(([code]) => code === '1210' || code === '4100')).toEqual([['1210', 'CREDIT', '25']]);
    expect(await balanceOnLoan(loanId, '1210')).toBe('0');
    expect(await balanceOnLoan(loanId, '4100')).toBe('-25');
    await expectLedgerConsistent(app);
  });

  it('waives an added fee still unpaid', async () => {
    const last = (await loan(loanId)).installments.at(-1);
    const tx = await ok(app, ADD, { l: loanId, c: feeId, k: 'fee-2', d: last.dueDate }, staff.officer.token);
    const lc = (await loan(loanId)).charges.find((c: any) => c.installmentNumber === 12);
    const waived = await ok(app, WAIVE, { l: loanId, c: 'CHARGE', k: 'w-fee-2', lc: lc.id }, staff.manager.token);
    expect(waived).toMatchObject({ type: 'WAIVE_CHARGE', amount: '25', feePortion: '25' });
    expect(await lines(waived.id)).toEqual([['1210', 'CREDIT', '25'], ['4100', 'DEBIT', '25']]);
    const after = await loan(loanId);
    expect(after.balances.feeOutstanding).toBe('0');
    expect(after.charges.find((c: any) => c.id === lc.id)).toMatchObject({ waived: true, amountWaived: '25' });
    expect(await balanceOnLoan(loanId, '1210')).toBe('0');
    expect(tx.type).toBe('CHARGE');
    await expectLedgerConsistent(app);
  });
});

describe('under cash accounting', () => {
  it('books nothing when the fee is charged and fee income when it is paid', async () => {
    const productId = await createProduct(app, { maxPrincipal: '100000.00' });
    const { loanId } = await activeLoan(app, staff, productId, { principal: '1200.00', rate: '12', repayments: 12, disbursementDate: today });
    const feeId = await charge({ chargeTimeType: 'SPECIFIED_DUE_DATE', amount: '2', chargeCalculationType: 'PERCENT_OF_AMOUNT' });
    const first = (await loan(loanId)).installments[0];
    const tx = await ok(app, ADD, { l: loanId, c: feeId, k: 'cash-fee', d: first.dueDate }, staff.officer.token);
    // 2 % of the 1200 principal.
    expect(tx).toMatchObject({ type: 'CHARGE', amount: '24', feePortion: '24' });
    expect(await lines(tx.id)).toEqual([]);
    const paid = await ok(app, REPAY, { l: loanId, a: '24.00', k: 'cash-pay' }, staff.officer.token);
    expect(paid).toMatchObject({ feePortion: '24', interestPortion: '0', principalPortion: '0' });
    expect(await lines(paid.id)).toEqual([['1000', 'DEBIT', '24'], ['4100', 'CREDIT', '24']]);
    await expectLedgerConsistent(app);
  });
});

const ADVANCE = `mutation($to: LocalDate) { advanceBusinessDate(to: $to, runCob: false) { businessDate } }`;
const REVERSE = `mutation($l: ID!, $t: ID!, $k: String!) { reverseLoanTransaction(loanId: $l, transactionId: $t, idempotencyKey: $k) { ${TX} } }`;
const WAIVE_ON = `mutation($l: ID!, $k: String!, $lc: ID!, $n: Int) {
  waiveLoanCharge(loanId: $l, component: CHARGE, reason: "goodwill", idempotencyKey: $k, loanChargeId: $lc, installmentNumber: $n) { ${TX} } }`;
const CHARGES = `query($id: ID!) { loan(id: $id) { status balances { feeOutstanding totalOutstanding }
  charges { id name chargeTimeType amount amountWaived waived dueDate installmentNumber installmentCharges { installmentNumber amount amountWaived waived } }
  installments { installmentNumber dueDate principalDue interestDue feeChargesDue feePaid principalPaid interestPaid completed }
  transactions { id type amount } } }`;

async function charges(id: string): Promise<any> {
  return ok(app, CHARGES, { id }, app.token);
}

/** Every GL account's balance on one loan (zero balances left out). */
async function glBalances(loanId: string): Promise<Record<string, string>> {
  const rows = await sql<{ code: string; b: string }>(app.orm.em.fork(), `
    select a.code, sum(case when e.entry_type = 'DEBIT' then e.amount else -e.amount end)::text as b
      from journal_entry e join gl_account a on a.id = e.gl_account_id where e.loan_id = ? group by a.code order by a.code`, [loanId]);
  return Object.fromEntries(rows.filter((r) => !new Decimal(r.b).isZero()).map((r) => [r.code, new Decimal(r.b).toFixed()]));
}

async function feeColumns(loanId: string): Promise<{ n: number; waived: string; accrued: string; paid: string }[]> {
  const rows = await sql<{ n: number; waived: string; accrued: string; paid: string }>(app.orm.em.fork(), `
    select installment_number as n, fee_waived::text as waived, fee_accrued::text as accrued, fee_paid::text as paid
      from loan_installment where loan_id = ? order by installment_number`, [loanId]);
  return rows.map((r) => ({ n: r.n, waived: new Decimal(r.waived).toFixed(), accrued: new Decimal(r.accrued).toFixed(), paid: new Decimal(r.paid).toFixed() }));
}

async function events(type: string, loanId: string): Promise<any[]> {
  return (await sql<{ payload: any }>(app.orm.em.fork(), `select payload from outbox_event where type = ? and aggregate_id = ? order by id`, [type, loanId])).map((r) => r.payload);
}

async function servicingProduct(chargeIds: string[]): Promise<string> {
  const id = await createProduct(app, { maxPrincipal: '100000.00', chargeIds });
  await ok(app, `mutation($p: ID!) { configureProductServicing(productId: $p, input: { accountingRule: "ACCRUAL_PERIODIC", allocationStrategy: "PENALTIES_FEES_INTEREST_PRINCIPAL" }) { id } }`,
    { p: id }, staff.admin.token);
  return id;
}

async function moveBusinessDate(to: string): Promise<void> {
  await ok(app, ADVANCE, { to }, staff.admin.token);
}

describe('installment and disbursement fees of the product, waived (accrual accounting)', () => {
  let loanId: string;
  let disbursementFee: any;
  let installmentFee: any;

  beforeAll(async () => {
    const productId = await servicingProduct([
      await charge({ chargeTimeType: 'DISBURSEMENT', amount: '20.00' }),
      await charge({ chargeTimeType: 'INSTALLMENT_FEE', amount: '5.00' }),
    ]);
    const date = await currentBusinessDate(app.orm.em.fork());
    ({ loanId } = await activeLoan(app, staff, productId, { principal: '1200.00', rate: '12', repayments: 6, disbursementDate: date }));
    const l = await charges(loanId);
    [disbursementFee, installmentFee] = l.charges;
  });

  it('records each installment\'s share of an installment fee at activation', async () => {
    expect(disbursementFee).toMatchObject({ chargeTimeType: 'DISBURSEMENT', amount: '20', installmentCharges: null });
    expect(installmentFee).toMatchObject({ chargeTimeType: 'INSTALLMENT_FEE', amount: '30', installmentNumber: null });
    expect(installmentFee.installmentCharges).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ installmentNumber: n, amount: '5', amountWaived: '0', waived: false })));
  });

  it('refuses to waive a disbursement fee (paid as the money went out) and changes nothing', async () => {
    const before = await charges(loanId);
    const gl = await glBalances(loanId);
    expect(gl['4100']).toBe('-20');
    expect(await error(WAIVE_ON, { l: loanId, k: 'w-disbursement', lc: disbursementFee.id }, staff.manager.token)).toMatchObject({ code: 'CONFLICT', field: 'loanChargeId' });
    expect(await charges(loanId)).toEqual(before);
    expect(await glBalances(loanId)).toEqual(gl);
    expect(await events('LoanChargeWaived', loanId)).toEqual([]);
    await expectLedgerConsistent(app);
  });

  it('waives an installment fee on one installment, reversing what close of business booked', async () => {
    const [first] = (await charges(loanId)).installments;
    await moveBusinessDate(addDays(first.dueDate, 1));
    expect(await error(WAIVE_ON, { l: loanId, k: 'w-one', lc: installmentFee.id, n: 9 }, staff.manager.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'installmentNumber' });
    expect(await error(WAIVE_ON, { l: loanId, k: 'w-one', lc: installmentFee.id, n: 0 }, staff.manager.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'installmentNumber' });
    const waived = await ok(app, WAIVE_ON, { l: loanId, k: 'w-one', lc: installmentFee.id, n: 1 }, staff.manager.token);
    expect(waived).toMatchObject({ type: 'WAIVE_CHARGE', amount: '5', feePortion: '5' });
    expect(await lines(waived.id)).toEqual([['1210', 'CREDIT', '5'], ['4100', 'DEBIT', '5']]);
    // Close of business (inline, before the waiver) booked installment 1's fee on its due date; the waiver took it off again.
    const accruals = (await charges(loanId)).transactions.filter((t: any) => t.type === 'ACCRUAL');
    const booked = (await Promise.all(accruals.map((t: any) => lines(t.id)))).flat().filter(([code]) => code === '1210');
    expect(booked).toEqual([['1210', 'DEBIT', '5']]);
    expect(await balanceOnLoan(loanId, '1210')).toBe('0');
    expect(await balanceOnLoan(loanId, '4100')).toBe('-20');
    expect((await feeColumns(loanId))[0]).toEqual({ n: 1, waived: '5', accrued: '0', paid: '0' });
    const l = await charges(loanId);
    expect(l.balances.feeOutstanding).toBe('25');
    const fee = l.charges.find((c: any) => c.id === installmentFee.id);
    expect(fee).toMatchObject({ amountWaived: '5', waived: false });
    expect(fee.installmentCharges[0]).toEqual({ installmentNumber: 1, amount: '5', amountWaived: '5', waived: true });
    expect(fee.installmentCharges.slice(1).every((p: any) => !p.waived && p.amountWaived === '0')).toBe(true);
    expect(await events('LoanChargeWaived', loanId)).toEqual([expect.objectContaining({ loanChargeId: installmentFee.id, amount: '5', installmentNumber: 1, transactionId: waived.id })]);
    // The same key returns the first waiver; another waiver of that installment is a conflict.
    expect((await ok(app, WAIVE_ON, { l: loanId, k: 'w-one', lc: installmentFee.id, n: 1 }, staff.manager.token)).id).toBe(waived.id);
    expect(await error(WAIVE_ON, { l: loanId, k: 'w-one-again', lc: installmentFee.id, n: 1 }, staff.manager.token)).toMatchObject({ code: 'CONFLICT', field: 'installmentNumber' });
    await expectLedgerConsistent(app);
  });

  it('waives the rest of it on every other installment; nothing was income there yet', async () => {
    const waived = await ok(app, WAIVE_ON, { l: loanId, k: 'w-rest', lc: installmentFee.id }, staff.manager.token);
    expect(waived).toMatchObject({ type: 'WAIVE_CHARGE', amount: '25', feePortion: '0' });
    expect(await lines(waived.id)).toEqual([]);
    const l = await charges(loanId);
    expect(l.balances.feeOutstanding).toBe('0');
    expect(l.charges.find((c: any) => c.id === installmentFee.id)).toMatchObject({ amountWaived: '30', waived: true });
    expect((await feeColumns(loanId)).map((r) => r.waived)).toEqual(['5', '5', '5', '5', '5', '5']);
    expect((await events('LoanChargeWaived', loanId)).slice(1).map((e) => [e.installmentNumber, e.amount])).toEqual([2, 3, 4, 5, 6].map((n) => [n, '5']));
    expect(await error(WAIVE_ON, { l: loanId, k: 'w-again', lc: installmentFee.id }, staff.manager.token)).toMatchObject({ code: 'CONFLICT', field: 'loanChargeId' });
    expect(await error(WAIVE_ON, { l: loanId, k: 'w-again', lc: installmentFee.id, n: 3 }, staff.manager.token)).toMatchObject({ code: 'CONFLICT' });
    expect(await glBalances(loanId)).toMatchObject({ '4100': '-20' });
    expect(await balanceOnLoan(loanId, '1210')).toBe('0');
    await expectLedgerConsistent(app);
  });
});

describe('reversing a repayment on an accrual loan with fees', () => {
  it('leaves the ledger a twin loan without that repayment has', async () => {
    const productId = await servicingProduct([await charge({ chargeTimeType: 'INSTALLMENT_FEE', amount: '5.00' })]);
    const added = await charge({ chargeTimeType: 'SPECIFIED_DUE_DATE', amount: '25.00' });
    const date = await currentBusinessDate(app.orm.em.fork());
    const terms = { principal: '1200.00', rate: '12', repayments: 6, disbursementDate: date };
    const { loanId: reversed } = await activeLoan(app, staff, productId, terms);
    const { loanId: twin } = await activeLoan(app, staff, productId, terms);
    const [first] = (await charges(reversed)).installments;
    for (const id of [reversed, twin]) await ok(app, ADD, { l: id, c: added, k: 'fee', d: first.dueDate }, staff.officer.token);
    // Past the first due date: close of business books installment 1's own fee (5) beside the added one (25).
    await moveBusinessDate(addDays(first.dueDate, 1));

    const a = await ok(app, REPAY, { l: reversed, a: '20.00', k: 'a' }, staff.officer.token);
    expect(a.feePortion).toBe('20');
    expect(await lines(a.id)).toEqual([['1000', 'DEBIT', '20'], ['1210', 'CREDIT', '20']]);
    expect(await balanceOnLoan(reversed, '1210')).toBe('10');
    const b = await ok(app, REPAY, { l: reversed, a: '300.00', k: 'b' }, staff.officer.token);
    // The rest of installment 1's fees settle the receivable; installment 2's fee, not booked yet, is income.
    expect(b.feePortion).toBe('15');
    expect((await lines(b.id)).filter(([code]) => code === '1210' || code === '4100')).toEqual([['1210', 'CREDIT', '10'], ['4100', 'CREDIT', '5']]);
    await expectLedgerConsistent(app);

    const reversal = await ok(app, REVERSE, { l: reversed, t: a.id, k: 'rev-a' }, staff.manager.token);
    expect(reversal).toMatchObject({ type: 'REVERSAL', amount: '20' });
    await expectLedgerConsistent(app);
    const onlyB = await ok(app, REPAY, { l: twin, a: '300.00', k: 'b' }, staff.officer.token);
    expect(onlyB.feePortion).toBe('35');
    expect((await lines(onlyB.id)).filter(([code]) => code === '1210' || code === '4100')).toEqual([['1210', 'CREDIT', '30'], ['4100', 'CREDIT', '5']]);

    expect(await glBalances(reversed)).toEqual(await glBalances(twin));
    expect(await balanceOnLoan(reversed, '1210')).toBe('0');
    const strip = (l: any) => ({ balances: l.balances, installments: l.installments });
    expect(strip(await charges(reversed))).toEqual(strip(await charges(twin)));
    const replayedB = (await charges(reversed)).transactions.find((t: any) => t.id === b.id);
    expect(replayedB).toBeDefined();
    const [row] = await sql<{ fee: string; receivable: string }>(app.orm.em.fork(),
      `select fee_portion::text as fee, fee_receivable_portion::text as receivable from loan_transaction where id = ?`, [b.id]);
    expect([new Decimal(row.fee).toFixed(), new Decimal(row.receivable).toFixed()]).toEqual(['35', '30']);
    await expectLedgerConsistent(app);
  });
});

describe('an installment fee added to an active loan', () => {
  let loanId: string;
  let flat: string;
  let ofInterest: string;

  beforeAll(async () => {
    const productId = await servicingProduct([]);
    const date = await currentBusinessDate(app.orm.em.fork());
    ({ loanId } = await activeLoan(app, staff, productId, { principal: '900.00', rate: '12', repayments: 3, disbursementDate: date }));
    flat = await charge({ chargeTimeType: 'INSTALLMENT_FEE', amount: '4.00' });
    ofInterest = await charge({ chargeTimeType: 'INSTALLMENT_FEE', chargeCalculationType: 'PERCENT_OF_INTEREST', amount: '10' });
  });

  it('applies to every installment not yet due, booked by nobody until accrual or payment', async () => {
    const [first] = (await charges(loanId)).installments;
    await moveBusinessDate(addDays(first.dueDate, 1));
    const penalty = await charge({ chargeTimeType: 'INSTALLMENT_FEE', amount: '1.00', penalty: true });
    expect(await error(ADD, { l: loanId, c: flat, k: 'if-bad', d: first.dueDate }, staff.officer.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dueDate' });
    expect(await error(ADD, { l: loanId, c: penalty, k: 'if-bad' }, staff.officer.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'chargeId' });
    expect(await error(ADD, { l: loanId, c: flat, k: 'if-bad', a: '1.005' }, staff.officer.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amount' });

    const tx = await ok(app, ADD, { l: loanId, c: flat, k: 'if-flat' }, staff.officer.token);
    expect(tx).toMatchObject({ type: 'CHARGE', amount: '8', feePortion: '8' });
    expect(await lines(tx.id)).toEqual([]);
    const pct = await ok(app, ADD, { l: loanId, c: ofInterest, k: 'if-pct' }, staff.officer.token);
    const l = await charges(loanId);
    const share = (i: any) => new Decimal(i.interestDue).times(10).div(100).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN);
    const [, i2, i3] = l.installments;
    expect(pct).toMatchObject({ type: 'CHARGE', amount: share(i2).plus(share(i3)).toFixed(), feePortion: share(i2).plus(share(i3)).toFixed() });
    expect(l.installments.map((i: any) => i.feeChargesDue)).toEqual(['0', new Decimal(4).plus(share(i2)).toFixed(), new Decimal(4).plus(share(i3)).toFixed()]);
    expect(l.charges.find((c: any) => c.chargeTimeType === 'INSTALLMENT_FEE' && c.amount === '8')).toMatchObject({
      dueDate: null, installmentNumber: null, installmentCharges: [2, 3].map((n) => ({ installmentNumber: n, amount: '4', amountWaived: '0', waived: false })),
    });
    expect((await events('LoanChargeAdded', loanId)).filter((e) => e.transactionId === tx.id).map((e) => [e.installmentNumber, e.dueDate, e.amount]))
      .toEqual([[2, i2.dueDate, '4'], [3, i3.dueDate, '4']]);
    expect(await balanceOnLoan(loanId, '1210')).toBe('0');
    expect((await feeColumns(loanId)).map((r) => r.accrued)).toEqual(['0', '0', '0']);
    await expectLedgerConsistent(app);
  });

  it('is accrued on its due date and repaid with the loan to closure', async () => {
    const before = await charges(loanId);
    const [, i2, i3] = before.installments;
    await moveBusinessDate(addDays(i2.dueDate, 1));
    const owed = (await charges(loanId)).balances.totalOutstanding;
    const paid = await ok(app, REPAY, { l: loanId, a: owed, k: 'close' }, staff.officer.token);
    const fees = new Decimal(i2.feeChargesDue).plus(i3.feeChargesDue);
    expect(paid.feePortion).toBe(fees.toFixed());
    // Installment 2's fees were booked by close of business before the payment (it settles them); installment 3's are income now.
    expect((await feeColumns(loanId)).map((r) => r.accrued)).toEqual(['0', i2.feeChargesDue, '0']);
    expect((await lines(paid.id)).filter(([code]) => code === '1210' || code === '4100')).toEqual([['1210', 'CREDIT', i2.feeChargesDue], ['4100', 'CREDIT', i3.feeChargesDue]]);
    expect(await balanceOnLoan(loanId, '1210')).toBe('0');
    expect(await balanceOnLoan(loanId, '4100')).toBe(fees.negated().toFixed());
    await eventually(async () => (await charges(loanId)).status === 'CLOSED_OBLIGATIONS_MET', 20000, 'the loan to close');
    const l = await charges(loanId);
    expect(l.balances.totalOutstanding).toBe('0');
    expect(l.installments.every((i: any) => i.completed)).toBe(true);
    await expectLedgerConsistent(app);
  });
});

describe('Migration20261203064000_installment_charges on the loans above', () => {
  it('fills the per-installment shares and receivable splits the services record', async () => {
    const migration = new InstallmentCharges(app.orm.em.getDriver() as unknown as AbstractSqlDriver, app.orm.config);
    await migration.up();
    // Its data statements (the column additions are already applied here), run in a transaction rolled back.
    const fills = migration.getQueries().map(String).filter((q) => !/alter table/.test(q));
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const snapshot = async () => ({
      // Installment fees from activation (an added one applies only to installments then still to come: none existed before).
      charges: (await db.query(`select id, installment_charges from loan_charge where installment_charges is not null
        and (charge_time_type = 'SPECIFIED_DUE_DATE' or (charge_time_type = 'INSTALLMENT_FEE' and created_by = 'system')) order by id`)).rows,
      // Repayments re-split by a reversal carry adjustments under the REVERSAL: the backfill reads only the posting.
      splits: (await db.query(`select t.id, t.fee_receivable_portion::text as r from loan_transaction t where t.type = 'REPAYMENT'
        and not exists (select 1 from loan_transaction x where x.loan_id = t.loan_id and x.type = 'REVERSAL') order by t.id`)).rows,
    });
    try {
      await db.query('begin');
      const recorded = await snapshot();
      expect(recorded.charges.length).toBeGreaterThan(4);
      expect(recorded.splits.some((r) => new Decimal(r.r).gt(0))).toBe(true);
      await db.query(`update loan_charge set installment_charges = null where charge_time_type in ('SPECIFIED_DUE_DATE', 'INSTALLMENT_FEE'); update loan_transaction set fee_receivable_portion = 0`);
      for (const q of fills) await db.query(q);
      // Waived shares are not recomputed for installment fees (none could be waived before); compare what the migration knows.
      const unwaived = (rows: any[]) => rows.map((r) => ({ id: r.id, parts: r.installment_charges.map((p: any) => ({ n: p.installmentNumber, amount: new Decimal(p.amount).toFixed() })) }));
      const filled = await snapshot();
      expect(unwaived(filled.charges)).toEqual(unwaived(recorded.charges));
      expect(filled.splits.map((r) => new Decimal(r.r).toFixed())).toEqual(recorded.splits.map((r) => new Decimal(r.r).toFixed()));
    } finally {
      await db.query('rollback');
      await db.end();
    }
  });
});

describe('paying off an accrual loan with fees and penalties not yet due', () => {
  const PAYOFF = `mutation($l: ID!, $k: String!) { payOffLoan(loanId: $l, idempotencyKey: $k) { ${TX} } }`;
  const QUOTE = `query($id: ID!) { loan(id: $id) { payoffQuote { principal interest fees penalties total } } }`;

  it('forgives them with the unearned interest, reverses what was booked receivable and closes the loan', async () => {
    const productId = await servicingProduct([await charge({ chargeTimeType: 'INSTALLMENT_FEE', amount: '5.00' })]);
    const date = await currentBusinessDate(app.orm.em.fork());
    const { loanId } = await activeLoan(app, staff, productId, { principal: '1200.00', rate: '12', repayments: 6, disbursementDate: date });
    const [, i2] = (await charges(loanId)).installments;
    // Booked receivable when charged (accrual): a fee and a penalty dated on the second installment.
    await ok(app, ADD, { l: loanId, c: await charge({ chargeTimeType: 'SPECIFIED_DUE_DATE', amount: '7.00' }), k: 'po-fee', d: i2.dueDate }, staff.officer.token);
    await ok(app, ADD, { l: loanId, c: await charge({ chargeTimeType: 'SPECIFIED_DUE_DATE', amount: '3.00', penalty: true }), k: 'po-pen', d: i2.dueDate }, staff.officer.token);
    expect(await balanceOnLoan(loanId, '1210')).toBe('7');
    expect(await balanceOnLoan(loanId, '1220')).toBe('3');

    // Nothing is due yet: the quote is the principal (no interest earned on the disbursement day), no fees, no penalties.
    const quote = (await ok(app, QUOTE, { id: loanId }, staff.officer.token)).payoffQuote;
    expect(quote).toEqual({ principal: '1200', interest: '0', fees: '0', penalties: '0', total: '1200' });
    const paid = await ok(app, PAYOFF, { l: loanId, k: 'po' }, staff.officer.token);
    // All of it went to principal: before, the six installment fees and the dated charges took it first and the loan stayed open.
    expect(paid).toMatchObject({ type: 'REPAYMENT', amount: '1200', principalPortion: '1200', feePortion: '0', penaltyPortion: '0' });

    const l = await charges(loanId);
    const forgiven = l.transactions.find((t: any) => t.type === 'WAIVE_CHARGE');
    // 6 × 5.00 installment fees + 7.00 fee + 3.00 penalty, of which 7.00 + 3.00 had been booked (and are reversed).
    expect(forgiven).toMatchObject({ amount: '40' });
    expect(await lines(forgiven.id)).toEqual([['1210', 'CREDIT', '7'], ['1220', 'CREDIT', '3'], ['4100', 'DEBIT', '7'], ['4200', 'DEBIT', '3']]);
    expect(await balanceOnLoan(loanId, '1210')).toBe('0');
    expect(await balanceOnLoan(loanId, '1220')).toBe('0');
    expect(l.balances.totalOutstanding).toBe('0');
    expect((await feeColumns(loanId)).map((r) => [r.waived, r.accrued])).toEqual([
      ['5', '0'], [new Decimal(5).plus(7).toFixed(), '0'], ['5', '0'], ['5', '0'], ['5', '0'], ['5', '0'],
    ]);
    await eventually(async () => (await charges(loanId)).status === 'CLOSED_OBLIGATIONS_MET', 20000, 'the loan to close');
    await expectLedgerConsistent(app);
  });
});
