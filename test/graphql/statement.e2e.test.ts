/**
 * Documents in any script, over real HTTP with the real workflow: the generated agreement (pdfkit +
 * embedded DejaVu) shows Cyrillic, Greek and accented Latin names as written, its documentHash is the
 * sha256 of the stored bytes and comes out the same when the agreement is drawn again, and the per-loan
 * account statement (balances, schedule, transactions) is served to the borrower and staff only.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../src/domain/money';
import { Document, Loan } from '../../src/entities';
import { generateAgreement } from '../../src/services/agreement.service';
import { currentBusinessDate } from '../../src/services/business-date.service';
import { SYSTEM_ACTOR } from '../../src/services/context';
import { LocalDiskStorage } from '../../src/services/storage';
import { pdfText } from '../support/pdf-text';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { borrower, download, M, ok, toAgreement, type Borrower, type Staff } from './origination.fixtures';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const NAMES = [
  { firstName: 'Анастасия', lastName: 'Ковалёва-Щербакова' },
  { firstName: 'Γεώργιος', lastName: 'Παπαδόπουλος' },
  { firstName: 'Zoë Ångström', lastName: 'Nuñez-Żółć' },
];
const AGREEMENT = `query($id: ID!) { loan(id: $id) { statementUrl documents { id type sha256 url } origination { agreement { documentId documentHash } } } }`;

let app: TestApp;
let productId: string;
let staff: Staff;
const loans: { b: Borrower; loanId: string; name: string }[] = [];

async function get(path: string, token: string | null): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(`${app.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  const storageDir = mkdtempSync(join(tmpdir(), 'loan-platform-statement-'));
  app = await startTestApp({ configure: (c) => { c.documents.storageDir = storageDir; c.origination.offerExpirySeconds = 3600; } });
  productId = await createProduct(app, { maxPrincipal: '200000.00' });
  const [officer, officer2, manager, kyc] = await Promise.all([app.staff(['LOAN_OFFICER']), app.staff(['LOAN_OFFICER']), app.staff(['MANAGER']), app.staff(['KYC_OFFICER'])]);
  staff = { officer, officer2, manager, kyc };
  for (const name of NAMES) {
    const b = await borrower(app, name);
    const { loanId, loan } = await toAgreement(app, b, productId, staff);
    expect(loan.stage).toBe('AGREEMENT');
    loans.push({ b, loanId, name: `${name.firstName} ${name.lastName}` });
  }
});

afterAll(async () => {
  await app?.close();
});

it('the agreement shows each name as written, and its documentHash is the sha256 of the stored PDF', async () => {
  for (const { b, loanId, name } of loans) {
    const loan = (await app.gql(AGREEMENT, { id: loanId }, b.token)).data.loan;
    const doc = loan.documents.find((d: { type: string }) => d.type === 'AGREEMENT');
    expect(doc.id).toBe(loan.origination.agreement.documentId);
    const dl = await download(app, b.token, doc.id);
    expect(dl.status).toBe(200);
    expect(sha(dl.bytes)).toBe(loan.origination.agreement.documentHash);
    expect(doc.sha256).toBe(loan.origination.agreement.documentHash);
    const { text } = await pdfText(dl.bytes);
    expect(text).toContain(name);
    expect(text).toContain('LOAN AGREEMENT');
    expect(text).toContain(`Loan ${loanId}`);
    expect(text).not.toContain('?');
  }
});

it('drawing the same agreement again gives the same bytes, so the hash the borrower signs stays valid', async () => {
  const { b, loanId } = loans[1];
  const em = app.orm.em.fork();
  const { agreement, acceptedOffer } = (await em.findOneOrFail(Loan, loanId)).origination!;
  expect((await app.gql(AGREEMENT, { id: loanId }, b.token)).data.loan.origination.agreement.documentHash).toBe(agreement!.documentHash);
  // The activity's retry after its row was lost: nothing to find, so it renders anew.
  await em.nativeDelete(Document, { id: agreement!.documentId });
  const again = await generateAgreement({ em, actor: SYSTEM_ACTOR, config: app.config }, new LocalDiskStorage(app.config.documents.storageDir), loanId, acceptedOffer!, agreement!.disbursementDate!);
  expect(again.documentId).not.toBe(agreement!.documentId);
  expect(again.documentHash).toBe(agreement!.documentHash);
});

it('the statement: balances, schedule and transactions, for the borrower and staff; not for anyone else', async () => {
  const { b, loanId, name } = loans[0];
  const signed = await ok(app, M.sign, { loanId, name, hash: (await app.gql(AGREEMENT, { id: loanId }, b.token)).data.loan.origination.agreement.documentHash }, b.token);
  expect(signed.stage).toBe('ACTIVATION');
  const date = await currentBusinessDate(app.orm.em.fork());
  await ok(app, M.activate, { loanId, date }, staff.officer.token);
  await ok(app, `mutation($l: ID!, $k: String!) { recordRepayment(loanId: $l, amount: "250.50", idempotencyKey: $k) { id } }`, { l: loanId, k: `st-${loanId}` }, staff.officer.token);
  const view = (await app.gql(`query($id: ID!) { loan(id: $id) { statementUrl installments { installmentNumber dueDate } balances { totalOutstanding } } }`, { id: loanId }, b.token)).data.loan;
  expect(view.statementUrl).toBe(`/documents/loans/${loanId}/statement`);

  const mine = await get(view.statementUrl, b.token);
  expect(mine.status).toBe(200);
  expect(mine.headers.get('content-type')).toBe('application/pdf');
  expect(mine.headers.get('content-disposition')).toContain(`statement-${loanId}-${date}.pdf`);
  const { text } = await pdfText(mine.bytes);
  expect(text).toContain('LOAN ACCOUNT STATEMENT');
  expect(text).toContain(name);
  expect(text).toContain(`As of business date ${date}`);
  expect(text).toMatch(/DISBURSEMENT\s+6000\.00/);
  expect(text).toMatch(/REPAYMENT\s+250\.50/);
  expect(text).toMatch(new RegExp(`Total outstanding\\s+${new Decimal(view.balances.totalOutstanding).toFixed(2)}`));
  for (const i of view.installments) expect(text).toMatch(new RegExp(`${i.installmentNumber}\\s+${i.dueDate}`));

  // Same state, same business date: the same bytes, whoever asks.
  const staffCopy = await get(view.statementUrl, staff.kyc.token);
  expect(staffCopy.status).toBe(200);
  expect(staffCopy.bytes.equals(mine.bytes)).toBe(true);

  // Another borrower, anonymous, a malformed or unknown loan id.
  const other = loans[2].b;
  const refused = await get(view.statementUrl, other.token);
  expect(refused.status).toBe(403);
  expect(JSON.parse(refused.bytes.toString()).errors[0].extensions.code).toBe('FORBIDDEN');
  expect((await get(view.statementUrl, null)).status).toBe(401);
  expect((await get('/documents/loans/not-a-uuid/statement', staff.kyc.token)).status).toBe(400);
  expect((await get('/documents/loans/00000000-0000-4000-8000-000000000000/statement', staff.kyc.token)).status).toBe(404);
});

it('a loan not yet activated has a statement too: terms, no schedule yet', async () => {
  const { b, loanId } = loans[2];
  const res = await get(`/documents/loans/${loanId}/statement`, b.token);
  expect(res.status).toBe(200);
  const { text } = await pdfText(res.bytes);
  expect(text).toContain('Not disbursed yet');
  expect(text).toContain('No repayment schedule yet');
  expect(text).toContain(`${NAMES[2].firstName} ${NAMES[2].lastName}`);
});
