/**
 * Servicing end to end through GraphQL with the real worker and PostgreSQL: repayments allocated by
 * the engine, idempotency, bad input changing nothing, overpayment and refund, payoff, write-off and
 * recovery, reversal with replay — with the trial balance checked after every step.
 */
import { Decimal } from '../../src/domain/money';
import { currentBusinessDate } from '../../src/services/business-date.service';
import { sql } from '../../src/services/sql';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { activeLoan, createStaff, ok, type Staff, expectLedgerConsistent } from './lifecycle';

let app: TestApp;
let staff: Staff;
let productId: string;
let today: string;

const TX = 'id type amount transactionDate requestId principalPortion interestPortion feePortion penaltyPortion overpaymentPortion paymentType reversed';
const REPAY = `mutation($l: ID!, $a: Decimal!, $k: String!, $d: LocalDate, $p: String) {
  recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k, transactionDate: $d, paymentType: $p) { ${TX} } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { id stage status creditBalance closedOn writtenOffOn
  balances { principalOutstanding interestOutstanding totalOutstanding nextInstallmentNumber nextInstallmentAmount creditBalance }
  installments { installmentNumber dueDate principalDue interestDue principalPaid interestPaid interestWaived completed }
  transactions { ${TX} } timeline { action toStage toStatus } } }`;
const TRIAL = `query { trialBalance { totalDebits totalCredits rows { code balance } } }`;

async function loan(id: string): Promise<any> {
  return ok(app, LOAN, { id }, app.token);
}

async function journalCount(loanId: string): Promise<number> {
  const [{ n }] = await sql<{ n: string }>(app.orm.em.fork(), `select count(*)::text as n from journal_entry where loan_id = ?`, [loanId]);
  return Number(n);
}

async function codeOf(query: string, vars: Record<string, unknown>, token = app.token): Promise<{ code?: string; field?: unknown }> {
  const res = await app.gql(query, vars, token);
  return { code: res.errors?.[0]?.extensions?.code, field: res.errors?.[0]?.extensions?.field };
}

beforeAll(async () => {
  app = await startTestApp();
  staff = await createStaff(app);
  productId = await createProduct(app, { maxPrincipal: '100000.00' });
  today = await currentBusinessDate(app.orm.em.fork());
});

afterAll(async () => {
  await app?.close();
});

describe('repayments', () => {
  it('allocates a repayment over the installments and books a balanced journal entry', async () => {
    const { loanId } = await activeLoan(app, staff, productId, { principal: '1200.00', rate: '12', repayments: 12, disbursementDate: today });
    const before = await loan(loanId);
    const first = before.installments[0];
    const installment1 = new Decimal(first.principalDue).plus(first.interestDue);
    expect(before.balances.principalOutstanding).toBe('1200');
    await expectLedgerConsistent(app);

    const tx = await ok(app, REPAY, { l: loanId, a: installment1.toFixed(2), k: 'repay-1', p: 'BANK_TRANSFER' }, staff.officer.token);
    expect(tx).toMatchObject({ type: 'REPAYMENT', transactionDate: today, paymentType: 'BANK_TRANSFER', requestId: 'repay-1', overpaymentPortion: '0' });
    expect(new Decimal(tx.principalPortion).eq(first.principalDue)).toBe(true);
    expect(new Decimal(tx.interestPortion).eq(first.interestDue)).toBe(true);

    const after = await loan(loanId);
    expect(after.installments[0]).toMatchObject({ completed: true });
    expect(after.installments[1]).toMatchObject({ completed: false, principalPaid: '0' });
    expect(new Decimal(after.balances.principalOutstanding).eq(new Decimal(1200).minus(first.principalDue))).toBe(true);
    expect(after.balances.nextInstallmentNumber).toBe(2);
    // Cash accounting: Dr fund source; Cr portfolio (principal) and interest income.
    const lines = await sql<{ code: string; entry_type: string; amount: string }>(app.orm.em.fork(), `
      select a.code, e.entry_type, e.amount::text from journal_entry e join gl_account a on a.id = e.gl_account_id
       where e.loan_transaction_id = ? order by a.code`, [tx.id]);
    expect(lines.map((l) => [l.code, l.entry_type, new Decimal(l.amount).toFixed(2)])).toEqual([
      ['1000', 'DEBIT', installment1.toFixed(2)],
      ['1100', 'CREDIT', new Decimal(first.principalDue).toFixed(2)],
      ['4000', 'CREDIT', new Decimal(first.interestDue).toFixed(2)],
    ]);
    await expectLedgerConsistent(app);

    // Its event was written in the same transaction, exactly once.
    const events = await sql<{ type: string; payload: any }>(app.orm.em.fork(), `select type, payload from outbox_event where aggregate_id = ? and type = 'LoanRepaymentRecorded'`, [loanId]);
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({ loanId, transactionId: tx.id, amount: installment1.toFixed(2), externalId: 'repay-1' });

    // The same idempotency key returns the first transaction and changes nothing.
    const entries = await journalCount(loanId);
    const again = await ok(app, REPAY, { l: loanId, a: installment1.toFixed(2), k: 'repay-1', p: 'BANK_TRANSFER' }, staff.officer.token);
    expect(again.id).toBe(tx.id);
    expect((await loan(loanId)).transactions).toHaveLength(2);
    expect(await journalCount(loanId)).toBe(entries);
  });

  it('rejects bad input, wrong roles and wrong stages with typed errors and writes nothing', async () => {
    const { loanId, borrowerToken } = await activeLoan(app, staff, productId, { principal: '1000.00', rate: '10', repayments: 6, disbursementDate: today });
    const entries = await journalCount(loanId);
    const t = staff.officer.token;
    expect(await codeOf(REPAY, { l: loanId, a: '-5.00', k: 'bad-1' }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect(await codeOf(REPAY, { l: loanId, a: '0', k: 'bad-2' }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect(await codeOf(REPAY, { l: loanId, a: '10.001', k: 'bad-3' }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect((await codeOf(REPAY, { l: loanId, a: 'ten', k: 'bad-4' }, t)).code).toBe('BAD_USER_INPUT');
    expect(await codeOf(REPAY, { l: loanId, a: '10.00', k: 'bad-5', d: '2999-01-01' }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'transactionDate' });
    expect(await codeOf(REPAY, { l: loanId, a: '10.00', k: 'bad-6', d: '2000-01-01' }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'transactionDate' });
    expect(await codeOf(REPAY, { l: loanId, a: '10.00', k: 'bad-7', p: 'cash; drop table' }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'paymentType' });
    expect(await codeOf(REPAY, { l: loanId, a: '10.00', k: '  ' }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect((await codeOf(REPAY, { l: '00000000-0000-4000-8000-000000000000', a: '10.00', k: 'bad-8' }, t)).code).toBe('NOT_FOUND');
    expect((await codeOf(REPAY, { l: loanId, a: '10.00', k: 'bad-9' }, borrowerToken)).code).toBe('FORBIDDEN');
    expect((await codeOf(REPAY, { l: loanId, a: '10.00', k: 'bad-10' }, staff.kyc.token)).code).toBe('FORBIDDEN');
    expect((await codeOf(REPAY, { l: loanId, a: '10.00', k: 'bad-11' }, null as unknown as string)).code).toBe('UNAUTHENTICATED');
    const writeOffByOfficer = `mutation($l: ID!) { writeOffLoan(loanId: $l, reason: "x", idempotencyKey: "w") { id } }`;
    expect((await codeOf(writeOffByOfficer, { l: loanId }, t)).code).toBe('FORBIDDEN');
    const after = await loan(loanId);
    expect(after.transactions.map((x: any) => x.type)).toEqual(['DISBURSEMENT']);
    expect(await journalCount(loanId)).toBe(entries);
    expect(await sql(app.orm.em.fork(), `select 1 from outbox_event where aggregate_id = ? and type = 'LoanRepaymentRecorded'`, [loanId])).toHaveLength(0);

    // A loan that is not active yet has no repayment stage.
    const recovery = `mutation($l: ID!) { recordRecoveryPayment(loanId: $l, amount: "5.00", idempotencyKey: "rec") { id } }`;
    expect((await codeOf(recovery, { l: loanId }, t)).code).toBe('INVALID_STAGE');
  });
});

describe('chart of accounts', () => {
  it('ADMIN adds an account and maps a product to it; the product\'s postings use it', async () => {
    const code = `1${Date.now() % 100000}`;
    const CREATE = `mutation($i: GlAccountInput!) { createGlAccount(input: $i) { code name type } }`;
    expect(await ok(app, CREATE, { i: { code, name: 'Bank account B', type: 'ASSET' } }, staff.admin.token)).toEqual({ code, name: 'Bank account B', type: 'ASSET' });
    expect(await codeOf(CREATE, { i: { code, name: 'again', type: 'ASSET' } }, staff.admin.token)).toEqual({ code: 'CONFLICT', field: 'input.code' });
    expect(await codeOf(CREATE, { i: { code: `${code}9`, name: 'x', type: 'REVENUE' } }, staff.admin.token)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.type' });
    expect((await codeOf(CREATE, { i: { code: `${code}8`, name: 'x', type: 'ASSET' } }, staff.manager.token)).code).toBe('FORBIDDEN');
    const product = await createProduct(app, { maxPrincipal: '100000.00' });
    const MAP = `mutation($p: ID!, $i: ProductServicingInput!) { configureProductServicing(productId: $p, input: $i) { id } }`;
    expect(await codeOf(MAP, { p: product, i: { accountingRule: 'CASH', allocationStrategy: 'PENALTIES_FEES_INTEREST_PRINCIPAL', glMapping: [{ role: 'FUND_SOURCE', glAccountCode: 'nope' }] } }, staff.admin.token))
      .toEqual({ code: 'BAD_USER_INPUT', field: 'input.glMapping[0].glAccountCode' });
    await ok(app, MAP, { p: product, i: { accountingRule: 'CASH', allocationStrategy: 'PENALTIES_FEES_INTEREST_PRINCIPAL', glMapping: [{ role: 'FUND_SOURCE', glAccountCode: code }] } }, staff.admin.token);
    const { loanId } = await activeLoan(app, staff, product, { principal: '700.00', rate: '10', repayments: 3, disbursementDate: today });
    const lines = await sql<{ code: string; entry_type: string }>(app.orm.em.fork(), `
      select a.code, e.entry_type from journal_entry e join gl_account a on a.id = e.gl_account_id where e.loan_id = ? order by e.entry_type`, [loanId]);
    expect(lines).toEqual([{ code, entry_type: 'CREDIT' }, { code: '1100', entry_type: 'DEBIT' }]);
  });
});

describe('closing a loan', () => {
  it('an overpayment becomes credit balance; refunding it closes the loan as CLOSED_OBLIGATIONS_MET', async () => {
    const { loanId } = await activeLoan(app, staff, productId, { principal: '600.00', rate: '12', repayments: 3, disbursementDate: today });
    const l = await loan(loanId);
    const total = l.installments.reduce((a: Decimal, i: any) => a.plus(i.principalDue).plus(i.interestDue), new Decimal(0));
    const tx = await ok(app, REPAY, { l: loanId, a: total.plus(25).toFixed(2), k: 'all-plus-25' }, staff.officer.token);
    expect(tx.overpaymentPortion).toBe('25');
    const overpaid = await loan(loanId);
    expect(overpaid).toMatchObject({ status: 'ACTIVE', creditBalance: '25' });
    expect(overpaid.installments.every((i: any) => i.completed)).toBe(true);
    await expectLedgerConsistent(app);
    const tb = await ok(app, TRIAL, {}, app.token);
    expect(new Decimal(tb.rows.find((r: any) => r.code === '2100').balance).lte(-25)).toBe(true);

    const refund = `mutation($l: ID!, $a: Decimal!) { refundCreditBalance(loanId: $l, amount: $a, idempotencyKey: "refund-1") { type amount } }`;
    expect((await codeOf(refund, { l: loanId, a: '30.00' }, staff.officer.token)).code).toBe('BAD_USER_INPUT');
    expect(await ok(app, refund, { l: loanId, a: '25.00' }, staff.officer.token)).toEqual({ type: 'CREDIT_BALANCE_REFUND', amount: '25' });
    const closed = await loan(loanId);
    expect(closed).toMatchObject({ stage: 'CLOSED', status: 'CLOSED_OBLIGATIONS_MET', creditBalance: '0', closedOn: today });
    expect(closed.timeline.at(-1)).toMatchObject({ action: 'CLOSE', toStage: 'CLOSED', toStatus: 'CLOSED_OBLIGATIONS_MET' });
    // The projection is written before the workflow finishes its last task: wait for the run to end.
    const handle = app.temporal.client.workflow.getHandle(`loan-${loanId}`);
    await handle.result();
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect((await codeOf(REPAY, { l: loanId, a: '1.00', k: 'after-close' }, staff.officer.token)).code).toBe('INVALID_STAGE');
    await expectLedgerConsistent(app);
  });

  it('pays a loan off with its payoff quote: unearned interest is waived and the loan closes', async () => {
    const { loanId } = await activeLoan(app, staff, productId, { principal: '5000.00', rate: '18', repayments: 12, disbursementDate: today });
    const quote = await ok(app, `query($id: ID!) { loan(id: $id) { payoffQuote { date principal interest fees penalties total } } }`, { id: loanId }, app.token);
    // Paid off on the disbursement day: all principal, no interest earned yet.
    expect(quote.payoffQuote).toEqual({ date: today, principal: '5000', interest: '0', fees: '0', penalties: '0', total: '5000' });
    const payoff = `mutation($l: ID!, $a: Decimal) { payOffLoan(loanId: $l, amount: $a, idempotencyKey: "payoff-1") { type amount principalPortion interestPortion } }`;
    expect((await codeOf(payoff, { l: loanId, a: '4999.99' }, staff.officer.token))).toEqual({ code: 'BAD_USER_INPUT', field: 'amount' });
    expect(await ok(app, payoff, { l: loanId, a: null }, staff.officer.token)).toEqual({ type: 'REPAYMENT', amount: '5000', principalPortion: '5000', interestPortion: '0' });
    const closed = await loan(loanId);
    expect(closed).toMatchObject({ stage: 'CLOSED', status: 'CLOSED_OBLIGATIONS_MET' });
    const scheduled = closed.installments.reduce((a: Decimal, i: any) => a.plus(i.interestDue), new Decimal(0));
    const waived = closed.installments.reduce((a: Decimal, i: any) => a.plus(i.interestWaived), new Decimal(0));
    expect(waived.eq(scheduled)).toBe(true);
    await expectLedgerConsistent(app);
  });

  it('writes a loan off (loss booked, loan closed as WRITTEN_OFF) and books a later recovery as income', async () => {
    const { loanId } = await activeLoan(app, staff, productId, { principal: '800.00', rate: '12', repayments: 4, disbursementDate: today });
    await ok(app, REPAY, { l: loanId, a: '100.00', k: 'part' }, staff.officer.token);
    const before = await loan(loanId);
    const principalLeft = before.balances.principalOutstanding;
    const wo = await ok(app, `mutation($l: ID!) { writeOffLoan(loanId: $l, reason: "borrower unreachable", idempotencyKey: "wo-1") { type amount principalPortion } }`,
      { l: loanId }, staff.manager.token);
    expect(wo).toEqual({ type: 'WRITE_OFF', amount: principalLeft, principalPortion: principalLeft });
    const off = await loan(loanId);
    expect(off).toMatchObject({ stage: 'CLOSED', status: 'WRITTEN_OFF', writtenOffOn: today });
    const [woEvent] = await sql<{ payload: any }>(app.orm.em.fork(), `select payload from outbox_event where aggregate_id = ? and type = 'LoanWrittenOff'`, [loanId]);
    expect(woEvent.payload).toMatchObject({ principalWrittenOff: principalLeft, totalWrittenOff: principalLeft, reason: 'borrower unreachable' });
    await expectLedgerConsistent(app);
    const rec = await ok(app, `mutation($l: ID!) { recordRecoveryPayment(loanId: $l, amount: "50.00", idempotencyKey: "rec-1") { type amount } }`, { l: loanId }, staff.officer.token);
    expect(rec).toEqual({ type: 'RECOVERY', amount: '50' });
    const lines = await sql<{ code: string; entry_type: string }>(app.orm.em.fork(), `
      select a.code, e.entry_type from journal_entry e join gl_account a on a.id = e.gl_account_id join loan_transaction t on t.id = e.loan_transaction_id
       where t.loan_id = ? and t.type in ('WRITE_OFF', 'RECOVERY') order by t.id, a.code`, [loanId]);
    expect(lines).toEqual([
      { code: '1100', entry_type: 'CREDIT' }, { code: '5000', entry_type: 'DEBIT' },
      { code: '1000', entry_type: 'DEBIT' }, { code: '4300', entry_type: 'CREDIT' },
    ]);
    await expectLedgerConsistent(app);
  });
});

describe('reversal', () => {
  it('reverses a repayment and replays the later ones, keeping the ledger balanced', async () => {
    const { loanId } = await activeLoan(app, staff, productId, { principal: '3000.00', rate: '12', repayments: 6, disbursementDate: today });
    const l = await loan(loanId);
    const i1 = new Decimal(l.installments[0].principalDue).plus(l.installments[0].interestDue);
    const a = await ok(app, REPAY, { l: loanId, a: i1.toFixed(2), k: 'r-a' }, staff.officer.token);
    const b = await ok(app, REPAY, { l: loanId, a: '100.00', k: 'r-b' }, staff.officer.token);
    // b went to installment 2 (interest first); once a is reversed, b is replayed onto installment 1.
    expect(new Decimal(b.interestPortion).eq(l.installments[1].interestDue)).toBe(true);
    const rev = `mutation($l: ID!, $t: ID!) { reverseLoanTransaction(loanId: $l, transactionId: $t, idempotencyKey: "rev-1", reason: "bounced") { type amount } }`;
    expect((await codeOf(rev, { l: loanId, t: a.id }, staff.officer.token)).code).toBe('FORBIDDEN');
    expect(await ok(app, rev, { l: loanId, t: a.id }, staff.manager.token)).toEqual({ type: 'REVERSAL', amount: a.amount });
    const after = await loan(loanId);
    const replayedB = after.transactions.find((t: any) => t.id === b.id);
    expect(after.transactions.find((t: any) => t.id === a.id).reversed).toBe(true);
    expect(new Decimal(replayedB.interestPortion).eq(l.installments[0].interestDue)).toBe(true);
    expect(new Decimal(replayedB.principalPortion).eq(new Decimal(100).minus(l.installments[0].interestDue))).toBe(true);
    expect(after.installments[0].completed).toBe(false);
    expect(new Decimal(after.balances.principalOutstanding).eq(new Decimal(3000).minus(replayedB.principalPortion))).toBe(true);
    // A retry of the reversal is a no-op; reversing it again is refused.
    expect(await ok(app, rev, { l: loanId, t: a.id }, staff.manager.token)).toEqual({ type: 'REVERSAL', amount: a.amount });
    const rev2 = `mutation($l: ID!, $t: ID!) { reverseLoanTransaction(loanId: $l, transactionId: $t, idempotencyKey: "rev-2") { id } }`;
    expect((await codeOf(rev2, { l: loanId, t: a.id }, staff.manager.token))).toEqual({ code: 'BAD_USER_INPUT', field: 'transactionId' });
    await expectLedgerConsistent(app);
  });
});
