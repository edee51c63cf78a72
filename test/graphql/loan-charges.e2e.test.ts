/**
 * addLoanCharge / waiveLoanCharge(component: CHARGE) end to end through GraphQL with the real worker
 * and PostgreSQL: a dated fee and penalty join the installment that holds their due date, are booked
 * receivable under accrual accounting, paid by a repayment in the strategy's order, waived; idempotency,
 * roles and bad input; the trial balance checked after every step.
 */
import { Decimal } from '../../src/domain/money';
import { addDays } from '../../src/domain/dates';
import { currentBusinessDate } from '../../src/services/business-date.service';
import { sql } from '../../src/services/sql';
import { startTestApp, unique, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { activeLoan, createStaff, expectLedgerConsistent, ok, type Staff } from './lifecycle';

let app: TestApp;
let staff: Staff;
let today: string;

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
  app = await startTestApp();
  staff = await createStaff(app);
  today = await currentBusinessDate(app.orm.em.fork());
});

afterAll(async () => {
  await app?.close();
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
    // Not yet: reversing it would need the replay to re-split fees between receivable and income.
    const REVERSE = `mutation($l: ID!, $t: ID!, $k: String!) { reverseLoanTransaction(loanId: $l, transactionId: $t, idempotencyKey: $k) { id } }`;
    expect(await error(REVERSE, { l: loanId, t: paid.id, k: 'rev-1' }, staff.manager.token)).toMatchObject({ code: 'CONFLICT' });
    expect((await loan(loanId)).installments[1].feePaid).toBe('25');
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
