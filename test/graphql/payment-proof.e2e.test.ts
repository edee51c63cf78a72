/**
 * Proofs of payment end to end over real HTTP and GraphQL with the real worker: upload (POST
 * /documents, type PAYMENT_PROOF) by the customer or staff for an active loan, the officers' queue,
 * verification recording the repayment through the loan workflow (key proof-<id>), rejection with a
 * reason, four-eyes, roles, bad input changing nothing, and a verify/reject race.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays } from '../../src/domain/dates';
import { Decimal } from '../../src/domain/money';
import { currentBusinessDate } from '../../src/services/business-date.service';
import { sql } from '../../src/services/sql';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { activeLoan, createStaff, ok, type Staff } from './lifecycle';
import { apply, borrower, FILES } from './origination.fixtures';

let app: TestApp;
let staff: Staff;
let productId: string;
let today: string;
let loanId: string;
let customerToken: string;
let otherLoanId: string;
let otherToken: string;

const PROOF = `id loanId customerId documentId amount paymentDate paymentReference status submittedBy submittedByRole decidedBy decidedAt rejectionReason transactionId
  document { id type contentType sha256 }
  transaction { id type amount transactionDate requestId principalPortion interestPortion }`;
const QUEUE = `query($s: PaymentProofStatus, $l: ID, $first: Int, $after: String) { paymentProofQueue(status: $s, loanId: $l, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status amount } } } }`;
const VERIFY = `mutation($id: ID!) { verifyPaymentProof(id: $id) { ${PROOF} } }`;
const REJECT = `mutation($id: ID!, $r: String!) { rejectPaymentProof(id: $id, reason: $r) { ${PROOF} } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { installments { installmentNumber principalDue interestDue principalPaid interestPaid completed } timeline { action actor reason } } }`;

interface ProofUpload {
  loanId?: string;
  amount?: string;
  paymentDate?: string;
  paymentReference?: string;
  bytes?: Buffer;
  contentType?: string;
  type?: string;
}

async function uploadProof(token: string | null, o: ProofUpload): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('type', o.type ?? 'PAYMENT_PROOF');
  if (o.loanId !== undefined) form.append('loanId', o.loanId);
  if (o.amount !== undefined) form.append('amount', o.amount);
  if (o.paymentDate !== undefined) form.append('paymentDate', o.paymentDate);
  if (o.paymentReference !== undefined) form.append('paymentReference', o.paymentReference);
  form.append('file', new Blob([o.bytes ?? FILES.png], { type: o.contentType ?? 'image/png' }), 'receipt');
  const res = await fetch(`${app.url}/documents`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() };
}

async function rows<T = any>(query: string, params: unknown[] = []): Promise<T[]> {
  return sql<T>(app.orm.em.fork(), query, params);
}

/** What a refused request must leave untouched: proofs, documents, transactions of the loan. */
async function counts(id: string): Promise<{ proofs: number; documents: number; transactions: number }> {
  const [r] = await rows<{ proofs: number; documents: number; transactions: number }>(`select
    (select count(*)::int from payment_proof where loan_id = ?) as proofs,
    (select count(*)::int from document where loan_id = ?) as documents,
    (select count(*)::int from loan_transaction where loan_id = ?) as transactions`, [id, id, id]);
  return r;
}

async function errorOf(query: string, vars: Record<string, unknown>, token: string): Promise<{ code?: string; field?: unknown }> {
  const res = await app.gql(query, vars, token);
  return { code: res.errors?.[0]?.extensions?.code, field: res.errors?.[0]?.extensions?.field };
}

async function expectBalancedLedger(): Promise<void> {
  const tb = await ok(app, `query { trialBalance { totalDebits totalCredits } }`, {}, app.token);
  expect(tb.totalDebits).toBe(tb.totalCredits);
}

beforeAll(async () => {
  const storageDir = mkdtempSync(join(tmpdir(), 'loan-platform-proofs-'));
  app = await startTestApp({ configure: (c) => { c.documents.storageDir = storageDir; } });
  staff = await createStaff(app);
  productId = await createProduct(app, { maxPrincipal: '100000.00' });
  today = await currentBusinessDate(app.orm.em.fork());
  ({ loanId, borrowerToken: customerToken } = await activeLoan(app, staff, productId, { principal: '1200.00', rate: '12', repayments: 12, disbursementDate: today }));
  ({ loanId: otherLoanId, borrowerToken: otherToken } = await activeLoan(app, staff, productId, { principal: '600.00', rate: '10', repayments: 6, disbursementDate: today }));
});

afterAll(async () => {
  await app?.close();
});

describe('payment proofs', () => {
  let proofId: string;
  let installment1: { principalDue: string; interestDue: string };

  it('a customer uploads a proof for their active loan; it waits in the officers’ queue', async () => {
    const loan = await ok(app, LOAN, { id: loanId }, app.token);
    installment1 = loan.installments[0];
    const amount = new Decimal(installment1.principalDue).plus(installment1.interestDue).toFixed();
    const res = await uploadProof(customerToken, { loanId, amount, paymentDate: today, paymentReference: 'BANK-REF-0001' });
    expect(res.status).toBe(201);
    expect(res.body.document).toMatchObject({ type: 'PAYMENT_PROOF', contentType: 'image/png', loanId });
    expect(res.body.paymentProof).toMatchObject({ loanId, documentId: res.body.document.id, amount, paymentDate: today, paymentReference: 'BANK-REF-0001', status: 'SUBMITTED' });
    proofId = res.body.paymentProof.id;

    const proof = await ok(app, `query($id: ID!) { paymentProof(id: $id) { ${PROOF} } }`, { id: proofId }, customerToken);
    expect(proof).toMatchObject({ status: 'SUBMITTED', submittedByRole: 'CUSTOMER', decidedBy: null, transactionId: null, transaction: null, document: { type: 'PAYMENT_PROOF' } });
    const queue = await ok(app, QUEUE, { l: loanId }, staff.officer.token);
    expect(queue.totalCount).toBe(1);
    expect(queue.edges.map((e: any) => e.node)).toEqual([{ id: proofId, status: 'SUBMITTED', amount }]);
    expect((await ok(app, LOAN, { id: loanId }, app.token)).timeline.map((t: any) => t.action)).toContain('PAYMENT_PROOF_SUBMITTED');
    // Nothing was paid yet.
    expect(await rows(`select 1 from loan_transaction where loan_id = ? and type = 'REPAYMENT'`, [loanId])).toHaveLength(0);
  });

  it('refuses bad uploads with typed errors and stores nothing', async () => {
    const before = await counts(loanId);
    const cases: [ProofUpload, string | null, number, string, string?][] = [
      [{ loanId, paymentDate: today }, customerToken, 400, 'BAD_USER_INPUT', 'amount'],
      [{ loanId, amount: '-5', paymentDate: today }, customerToken, 400, 'BAD_USER_INPUT', 'amount'],
      [{ loanId, amount: '10.001', paymentDate: today }, customerToken, 400, 'BAD_USER_INPUT', 'amount'],
      [{ loanId, amount: '10.00' }, customerToken, 400, 'BAD_USER_INPUT', 'paymentDate'],
      [{ loanId, amount: '10.00', paymentDate: '2026-02-30' }, customerToken, 400, 'BAD_USER_INPUT', 'paymentDate'],
      [{ loanId, amount: '10.00', paymentDate: addDays(today, 1) }, customerToken, 400, 'BAD_USER_INPUT', 'paymentDate'],
      [{ loanId, amount: '10.00', paymentDate: addDays(today, -1) }, customerToken, 400, 'BAD_USER_INPUT', 'paymentDate'],
      [{ loanId, amount: '10.00', paymentDate: today, bytes: FILES.pdf, contentType: 'image/png' }, customerToken, 415, 'BAD_USER_INPUT', 'file'],
      [{ loanId, amount: '10.00', paymentDate: today, bytes: Buffer.from('plain text'), contentType: 'text/plain' }, customerToken, 415, 'BAD_USER_INPUT', 'file'],
      [{ loanId, amount: '10.00', paymentDate: today }, otherToken, 403, 'FORBIDDEN'],
      [{ loanId, amount: '10.00', paymentDate: today }, null, 401, 'UNAUTHENTICATED'],
    ];
    for (const [input, token, status, code, field] of cases) {
      const res = await uploadProof(token, input);
      expect({ input, status: res.status, code: res.body.errors?.[0]?.extensions?.code, field: res.body.errors?.[0]?.extensions?.field })
        .toEqual({ input, status, code, field });
    }
    expect(await counts(loanId)).toEqual(before);

    // Not an active loan: the application stage takes no proof of payment.
    const b = await borrower(app);
    const pending = await apply(app, b, productId);
    const res = await uploadProof(b.token, { loanId: pending, amount: '10.00', paymentDate: today });
    expect([res.status, res.body.errors[0].extensions.code]).toEqual([409, 'INVALID_STAGE']);
    expect(await counts(pending)).toEqual({ proofs: 0, documents: 0, transactions: 0 });
  });

  it('only staff officers see the queue; customers see only their own proofs', async () => {
    expect((await errorOf(QUEUE, { l: loanId }, customerToken)).code).toBe('FORBIDDEN');
    expect((await errorOf(QUEUE, { l: loanId }, staff.kyc.token)).code).toBe('FORBIDDEN');
    expect((await ok(app, QUEUE, { l: loanId }, staff.manager.token)).totalCount).toBe(1);
    expect((await ok(app, `query($l: ID!) { paymentProofs(loanId: $l) { id } }`, { l: loanId }, customerToken)).map((p: any) => p.id)).toEqual([proofId]);
    expect((await errorOf(`query($l: ID!) { paymentProofs(loanId: $l) { id } }`, { l: loanId }, otherToken)).code).toBe('FORBIDDEN');
    expect((await errorOf(`query($id: ID!) { paymentProof(id: $id) { id } }`, { id: proofId }, otherToken)).code).toBe('FORBIDDEN');
    expect((await errorOf(`query($id: ID!) { paymentProof(id: $id) { id } }`, { id: 'nope' }, staff.officer.token))).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('a LOAN_OFFICER verifies it: the repayment is recorded (key proof-<id>) and allocated to the first installment', async () => {
    for (const token of [customerToken, staff.kyc.token]) expect((await errorOf(VERIFY, { id: proofId }, token)).code).toBe('FORBIDDEN');
    expect(await rows(`select 1 from loan_transaction where request_id = ?`, [`proof-${proofId}`])).toHaveLength(0);

    const verified = await ok(app, VERIFY, { id: proofId }, staff.officer.token);
    const amount = new Decimal(installment1.principalDue).plus(installment1.interestDue).toFixed();
    expect(verified).toMatchObject({
      status: 'VERIFIED', decidedBy: staff.officer.id, rejectionReason: null, transactionId: expect.any(String),
      transaction: { type: 'REPAYMENT', amount, transactionDate: today, requestId: `proof-${proofId}`, principalPortion: installment1.principalDue, interestPortion: installment1.interestDue },
    });
    expect(verified.decidedAt).toBeTruthy();
    const loan = await ok(app, LOAN, { id: loanId }, app.token);
    expect(loan.installments[0]).toMatchObject({ principalPaid: installment1.principalDue, interestPaid: installment1.interestDue, completed: true });
    expect(loan.installments[1]).toMatchObject({ principalPaid: '0', completed: false });
    expect(loan.timeline.filter((t: any) => t.action === 'PAYMENT_PROOF_VERIFIED')).toEqual([{ action: 'PAYMENT_PROOF_VERIFIED', actor: staff.officer.id, reason: null }]);
    const [row] = await rows<{ status: string; transaction_id: string }>(`select status, transaction_id::text from payment_proof where id = ?`, [proofId]);
    expect(row).toEqual({ status: 'VERIFIED', transaction_id: verified.transactionId });
    await expectBalancedLedger();

    // Verifying again returns the same result and records nothing more; rejecting it now is a CONFLICT.
    const again = await ok(app, VERIFY, { id: proofId }, staff.officer2.token);
    expect(again).toMatchObject({ status: 'VERIFIED', decidedBy: staff.officer.id, transactionId: verified.transactionId });
    expect(await rows(`select 1 from loan_transaction where request_id = ?`, [`proof-${proofId}`])).toHaveLength(1);
    expect((await errorOf(REJECT, { id: proofId, r: 'too late' }, staff.officer2.token)).code).toBe('CONFLICT');
    expect((await ok(app, QUEUE, { l: loanId }, staff.officer.token)).totalCount).toBe(0);
    expect((await ok(app, QUEUE, { l: loanId, s: 'VERIFIED' }, staff.officer.token)).edges.map((e: any) => e.node.id)).toEqual([proofId]);
  });

  it('staff may upload on the customer’s behalf, but not verify their own upload; a rejection keeps the reason and pays nothing', async () => {
    const res = await uploadProof(staff.officer.token, { loanId, amount: '50.00', paymentDate: today, bytes: FILES.jpeg, contentType: 'image/jpeg' });
    expect(res.status).toBe(201);
    const id = res.body.paymentProof.id;
    expect((await errorOf(VERIFY, { id }, staff.officer.token)).code).toBe('FORBIDDEN');
    expect(await errorOf(REJECT, { id, r: '   ' }, staff.officer2.token)).toEqual({ code: 'BAD_USER_INPUT', field: 'reason' });
    const before = await counts(loanId);

    const rejected = await ok(app, REJECT, { id, r: 'The bank statement shows no such transfer' }, staff.officer2.token);
    expect(rejected).toMatchObject({ status: 'REJECTED', decidedBy: staff.officer2.id, rejectionReason: 'The bank statement shows no such transfer', transactionId: null, submittedBy: staff.officer.id, submittedByRole: 'LOAN_OFFICER' });
    expect((await errorOf(VERIFY, { id }, staff.manager.token)).code).toBe('CONFLICT');
    expect(await counts(loanId)).toEqual(before);
    expect(await rows(`select 1 from loan_transaction where request_id = ?`, [`proof-${id}`])).toHaveLength(0);
    const timeline = (await ok(app, LOAN, { id: loanId }, app.token)).timeline;
    expect(timeline.filter((t: any) => t.action === 'PAYMENT_PROOF_REJECTED')).toEqual([{ action: 'PAYMENT_PROOF_REJECTED', actor: staff.officer2.id, reason: 'The bank statement shows no such transfer' }]);
  });

  it('a verification the loan refuses (locked by close of business) changes nothing; it succeeds once the lock is gone', async () => {
    const res = await uploadProof(otherToken, { loanId: otherLoanId, amount: '20.00', paymentDate: today });
    const id = res.body.paymentProof.id;
    const before = await counts(otherLoanId);
    await rows(`insert into loan_account_lock (loan_id, owner, business_date) values (?, 'test-cob', ?::date)`, [otherLoanId, today]);
    try {
      expect((await errorOf(VERIFY, { id }, staff.officer.token)).code).toBe('LOAN_LOCKED');
    } finally {
      await rows(`delete from loan_account_lock where loan_id = ?`, [otherLoanId]);
    }
    expect(await counts(otherLoanId)).toEqual(before);
    expect((await ok(app, `query($id: ID!) { paymentProof(id: $id) { status decidedBy } }`, { id }, otherToken))).toEqual({ status: 'SUBMITTED', decidedBy: null });
    const verified = await ok(app, VERIFY, { id }, staff.officer.token);
    expect(verified.transaction).toMatchObject({ amount: '20', requestId: `proof-${id}` });
  });

  it('a verify racing a reject: exactly one wins, and money moves only if the verify won', async () => {
    const res = await uploadProof(otherToken, { loanId: otherLoanId, amount: '15.00', paymentDate: today });
    const id = res.body.paymentProof.id;
    const [v, r] = await Promise.all([app.gql(VERIFY, { id }, staff.officer2.token), app.gql(REJECT, { id, r: 'duplicate' }, staff.manager.token)]);
    const outcomes = [v.errors?.[0]?.extensions?.code ?? 'OK', r.errors?.[0]?.extensions?.code ?? 'OK'].sort();
    expect(outcomes).toEqual(['CONFLICT', 'OK']);
    const [row] = await rows<{ status: string }>(`select status from payment_proof where id = ?`, [id]);
    const txs = await rows(`select 1 from loan_transaction where request_id = ?`, [`proof-${id}`]);
    expect({ status: row.status, transactions: txs.length }).toEqual(v.errors ? { status: 'REJECTED', transactions: 0 } : { status: 'VERIFIED', transactions: 1 });
    await expectBalancedLedger();
  });
});
