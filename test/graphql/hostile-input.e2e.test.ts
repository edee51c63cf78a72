/**
 * Hostile input on the mutation path: strings that cannot be stored, numbers that do not fit the
 * columns, impossible ids and dates, idempotency keys reused for other requests. Each gets a typed
 * error at once, writes nothing, and leaves the loan working with its workflow and row in agreement.
 */
import { currentBusinessDate } from '../../src/services/business-date.service';
import { loanStateQuery, loanWorkflowId } from '../../src/workflows/messages';
import { Loan } from '../../src/entities';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { activeLoan, createStaff, ok, type Staff } from './lifecycle';

let app: TestApp;
let staff: Staff;
let productId: string;
let today: string;

const REPAY = `mutation($l: ID!, $a: Decimal!, $k: String!, $d: LocalDate) { recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k, transactionDate: $d) { id amount } }`;
const PAYOFF = `mutation($l: ID!, $k: String!) { payOffLoan(loanId: $l, idempotencyKey: $k) { id amount } }`;
const REVERSE = `mutation($l: ID!, $t: ID!, $k: String!) { reverseLoanTransaction(loanId: $l, transactionId: $t, idempotencyKey: $k) { id } }`;
const ACTIVATE = `mutation($l: ID!, $d: LocalDate!) { activateLoan(loanId: $l, disbursementDate: $d) { id } }`;

async function refusal(query: string, vars: Record<string, unknown>, token = app.token): Promise<{ code?: string; field?: unknown; ms: number }> {
  const started = Date.now();
  const res = await app.gql(query, vars, token);
  return { code: res.errors?.[0]?.extensions?.code, field: res.errors?.[0]?.extensions?.field, ms: Date.now() - started };
}

/** The workflow's view and the PostgreSQL row agree on stage, status and version. */
async function expectWorkflowMatchesRow(loanId: string): Promise<void> {
  const view = await app.temporal.client.workflow.getHandle(loanWorkflowId(loanId)).query(loanStateQuery);
  const row = await app.orm.em.fork().findOneOrFail(Loan, loanId);
  expect({ stage: view.stage, status: view.status }).toEqual({ stage: row.stage, status: row.status });
}

/** A new borrower who has applied for a loan (stage APPLICATION). */
async function applicant(prefix: string): Promise<{ token: string; userId: string; loanId: string }> {
  const reg = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`,
    { i: { firstName: 'Hostile', lastName: 'Tester', email: `${prefix}-${Date.now()}@example.com`, password: 'correct horse battery staple' } }, null);
  const token = reg.data.register.accessToken as string;
  const me = await app.gql(`{ me { id customerId } }`, {}, token);
  const input = { customerId: me.data.me.customerId, productId, principal: '1000.00', currencyCode: 'USD', annualInterestRate: '12', numberOfRepayments: 6 };
  const loan = await ok(app, `mutation($input: ApplyForLoanInput!) { applyForLoan(input: $input) { id } }`, { input }, token);
  return { token, userId: me.data.me.id as string, loanId: loan.id as string };
}

async function transactionCount(loanId: string): Promise<number> {
  return app.orm.em.fork().count('LoanTransaction', { loan: loanId });
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

describe('strings that cannot be stored', () => {
  it.each([
    ['a NUL character', 'key-\u0000'],
    ['a lone high surrogate', 'key-\uD800'],
    ['a lone low surrogate', '\uDC00-key'],
    ['10,001 characters', 'k'.repeat(10_001)],
  ])('an idempotency key with %s is BAD_USER_INPUT naming it; nothing is written and the loan works on', async (_what, key) => {
    const { loanId } = await activeLoan(app, staff, productId, { principal: '1000.00', rate: '12', repayments: 6, disbursementDate: today });
    const before = await transactionCount(loanId);
    const r = await refusal(REPAY, { l: loanId, a: '10.00', k: key });
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT', field: 'idempotencyKey' });
    expect(await transactionCount(loanId)).toBe(before);
    const paid = await ok(app, REPAY, { l: loanId, a: '10.00', k: `good-${loanId}` }, staff.officer.token);
    expect(paid.amount).toBe('10');
    await expectWorkflowMatchesRow(loanId);
  });

  it('a NUL in a clientMutationId of an origination step is refused before the workflow moves', async () => {
    const { token, loanId } = await applicant('nul');
    const r = await refusal(`mutation($l: ID!, $c: String) { submitApplication(loanId: $l, clientMutationId: $c) { stage } }`, { l: loanId, c: '\u0000' }, token);
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT', field: 'clientMutationId' });
    await expectWorkflowMatchesRow(loanId);
    const submitted = await ok(app, `mutation($l: ID!) { submitApplication(loanId: $l) { stage } }`, { l: loanId }, token);
    expect(submitted.stage).toBe('KYC_REVIEW');
    await expectWorkflowMatchesRow(loanId);
  });
});

describe('numbers, ids and dates that do not fit', () => {
  let loanId: string;
  beforeAll(async () => {
    ({ loanId } = await activeLoan(app, staff, productId, { principal: '1000.00', rate: '12', repayments: 6, disbursementDate: today }));
  });

  it.each([
    ['22 integer digits', '1000000000000000000000'],
    ['7 decimal places', '1.0000001'],
  ])('an amount with %s is BAD_USER_INPUT', async (_what, amount) => {
    const r = await refusal(REPAY, { l: loanId, a: amount, k: `amount-${amount}` });
    expect(r.code).toBe('BAD_USER_INPUT');
  });

  it('a transaction id beyond bigint is BAD_USER_INPUT naming transactionId', async () => {
    const r = await refusal(REVERSE, { l: loanId, t: '99999999999999999999', k: 'reverse-huge' }, staff.manager.token);
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT', field: 'transactionId' });
  });

  it.each(['0000-01-01', '2026-02-30', '3000-01-01'])('the date %s is BAD_USER_INPUT', async (date) => {
    expect((await refusal(ACTIVATE, { l: loanId, d: date }, staff.officer.token)).code).toBe('BAD_USER_INPUT');
    expect((await refusal(REPAY, { l: loanId, a: '1.00', k: `date-${date}`, d: date })).code).toBe('BAD_USER_INPUT');
  });

  it('a transaction date after the business date is BAD_USER_INPUT naming transactionDate', async () => {
    const r = await refusal(REPAY, { l: loanId, a: '1.00', k: 'future', d: '2999-01-01' });
    expect(r).toMatchObject({ code: 'BAD_USER_INPUT', field: 'transactionDate' });
  });

  it('every refusal above left the loan working', async () => {
    expect((await ok(app, REPAY, { l: loanId, a: '5.00', k: `after-${loanId}` }, staff.officer.token)).amount).toBe('5');
    await expectWorkflowMatchesRow(loanId);
  });
});

describe('idempotency keys bound to their request', () => {
  it('the same key with the same request returns the first transaction; with another amount or operation it is CONFLICT', async () => {
    const { loanId } = await activeLoan(app, staff, productId, { principal: '1000.00', rate: '12', repayments: 6, disbursementDate: today });
    const key = `bound-${loanId}`;
    const first = await ok(app, REPAY, { l: loanId, a: '20.00', k: key }, staff.officer.token);
    const again = await ok(app, REPAY, { l: loanId, a: '20.00', k: key }, staff.officer.token);
    expect(again.id).toBe(first.id);
    expect(await refusal(REPAY, { l: loanId, a: '21.00', k: key })).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    expect(await refusal(PAYOFF, { l: loanId, k: key })).toMatchObject({ code: 'CONFLICT', field: 'idempotencyKey' });
    // A key the system uses for its own postings is not the caller's to reuse either.
    expect((await refusal(REPAY, { l: loanId, a: '1.00', k: `disbursement-${loanId}` })).code).toBe('CONFLICT');
  });

  it('a clientMutationId reused for a different origination step is CONFLICT', async () => {
    const { token, loanId } = await applicant('reuse');
    await ok(app, `mutation($l: ID!, $c: String) { submitApplication(loanId: $l, clientMutationId: $c) { stage } }`, { l: loanId, c: 'step-1' }, token);
    const retry = await ok(app, `mutation($l: ID!, $c: String) { submitApplication(loanId: $l, clientMutationId: $c) { stage } }`, { l: loanId, c: 'step-1' }, token);
    expect(retry.stage).toBe('KYC_REVIEW');
    const other = await refusal(`mutation($l: ID!, $r: ID!, $c: String) { assignKycReviewer(loanId: $l, reviewerId: $r, clientMutationId: $c) { stage } }`,
      { l: loanId, r: staff.kyc.id, c: 'step-1' }, staff.manager.token);
    expect(other.code).toBe('CONFLICT');
    await expectWorkflowMatchesRow(loanId);
  });
});

describe('roles and reviewers', () => {
  it('assignKycReviewer refuses a user who is not an active KYC_OFFICER', async () => {
    const { token, userId, loanId } = await applicant('rev');
    await ok(app, `mutation($l: ID!) { submitApplication(loanId: $l) { stage } }`, { l: loanId }, token);
    const ASSIGN = `mutation($l: ID!, $r: ID!) { assignKycReviewer(loanId: $l, reviewerId: $r) { origination { kycReviewerId } } }`;
    for (const reviewer of [userId, '00000000-0000-4000-8000-000000000001', staff.officer.id]) {
      expect(await refusal(ASSIGN, { l: loanId, r: reviewer }, staff.manager.token)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reviewerId' });
    }
    const assigned = await ok(app, ASSIGN, { l: loanId, r: staff.kyc.id }, staff.manager.token);
    expect(assigned.origination.kycReviewerId).toBe(staff.kyc.id);
  });
});
