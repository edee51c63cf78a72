import { currentBusinessDate } from '../../src/services/business-date.service';
/**
 * Documents over real HTTP: multipart upload (limits, content-type and magic-number checks, sha256),
 * download, listing and deletion rules, and the staff upload of a signed agreement that moves the loan
 * on through its workflow (then activation). Real PostgreSQL, real Temporal, real files on disk.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document } from '../../src/entities';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import {
  apply, borrower, codeOf, download, FILES, M, ok, toAgreement, upload, type Borrower, type Staff,
} from './origination.fixtures';

const MAX_BYTES = 64 * 1024;
let app: TestApp;
let productId: string;
let staff: Staff;
let riskManager: { token: string; id: string };

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const DOCS = `query($loanId: ID) { documents(loanId: $loanId) { id loanId type fileName contentType size sha256 url deletedAt } }`;
const LOAN_DOCS = `query($id: ID!) { loan(id: $id) { documents { id type sha256 } timeline { action actor actorRole } } }`;
const DELETE = `mutation($id: ID!, $cmid: String) { deleteDocument(id: $id, clientMutationId: $cmid) { id type deletedAt } }`;

async function rows(loanId: string): Promise<Document[]> {
  return app.orm.em.fork().find(Document, { loan: loanId }, { orderBy: { createdAt: 'asc' } });
}

function storedFiles(loanId: string): string[] {
  const dir = join(app.config.documents.storageDir, 'loans', loanId);
  return existsSync(dir) ? readdirSync(dir) : [];
}

beforeAll(async () => {
  const storageDir = mkdtempSync(join(tmpdir(), 'loan-platform-docs-'));
  app = await startTestApp({
    configure: (c) => {
      c.documents.storageDir = storageDir;
      c.documents.maxUploadBytes = MAX_BYTES;
      c.origination.offerExpirySeconds = 3600;
    },
  });
  productId = await createProduct(app, { maxPrincipal: '200000.00' });
  const [officer, officer2, manager, kyc, risk] = await Promise.all([
    app.staff(['LOAN_OFFICER']), app.staff(['LOAN_OFFICER']), app.staff(['MANAGER']), app.staff(['KYC_OFFICER']), app.staff(['RISK_MANAGER']),
  ]);
  staff = { officer, officer2, manager, kyc };
  riskManager = risk;
});

afterAll(async () => {
  await app?.close();
});

describe('upload and download', () => {
  let b: Borrower;
  let loanId: string;

  beforeAll(async () => {
    b = await borrower(app);
    loanId = await apply(app, b, productId);
  });

  it('stores a PDF with its sha256; the download returns the identical bytes with type and file name', async () => {
    const res = await upload(app, b.token, { loanId, type: 'ID_DOCUMENT', bytes: FILES.pdf, contentType: 'application/pdf', fileName: 'passport scan.pdf' });
    expect(res.status).toBe(201);
    const doc = res.body.document;
    expect(doc).toMatchObject({
      loanId, customerId: b.customerId, type: 'ID_DOCUMENT', fileName: 'passport scan.pdf', contentType: 'application/pdf',
      size: FILES.pdf.length, sha256: sha(FILES.pdf), url: `/documents/${doc.id}`, uploadedBy: b.userId, deletedAt: null,
    });
    const row = await app.orm.em.fork().findOneOrFail(Document, doc.id);
    expect(row.sha256).toBe(sha(FILES.pdf));
    expect(readFileSync(join(app.config.documents.storageDir, row.storageKey)).equals(FILES.pdf)).toBe(true);

    const dl = await download(app, b.token, doc.id);
    expect(dl.status).toBe(200);
    expect(dl.bytes.equals(FILES.pdf)).toBe(true);
    expect(dl.headers.get('content-type')).toBe('application/pdf');
    expect(dl.headers.get('content-disposition')).toBe(`attachment; filename="passport scan.pdf"; filename*=UTF-8''passport%20scan.pdf`);
    expect(dl.headers.get('x-content-type-options')).toBe('nosniff');
    // Staff may download any customer's documents.
    expect((await download(app, staff.kyc.token, doc.id)).bytes.equals(FILES.pdf)).toBe(true);
  });

  it('accepts PNG and JPEG (also at KYC_REVIEW, also from staff) and lists them oldest first', async () => {
    const png = await upload(app, b.token, { loanId, type: 'proof_of_address', bytes: FILES.png, contentType: 'image/png', fileName: '../../etc/bill.png' });
    expect(png.status).toBe(201);
    expect(png.body.document).toMatchObject({ type: 'PROOF_OF_ADDRESS', fileName: 'bill.png', contentType: 'image/png' });
    await ok(app, M.submit, { loanId }, b.token);
    const jpg = await upload(app, staff.kyc.token, { loanId, type: 'PROOF_OF_INCOME', bytes: FILES.jpeg, contentType: 'image/jpeg', fileName: 'payslip.jpg' });
    expect(jpg.status).toBe(201);
    expect(jpg.body.document.uploadedBy).toBe(staff.kyc.id);
    expect((await download(app, b.token, jpg.body.document.id)).headers.get('content-type')).toBe('image/jpeg');

    const mine = await ok(app, DOCS, {}, b.token);
    expect(mine.map((d: any) => [d.type, d.sha256])).toEqual([
      ['ID_DOCUMENT', sha(FILES.pdf)], ['PROOF_OF_ADDRESS', sha(FILES.png)], ['PROOF_OF_INCOME', sha(FILES.jpeg)],
    ]);
    const viaLoan = (await app.gql(LOAN_DOCS, { id: loanId }, b.token)).data.loan.documents;
    expect(viaLoan.map((d: any) => d.id)).toEqual(mine.map((d: any) => d.id));
    expect(await codeOf(app, DOCS, {}, staff.kyc.token)).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a content type outside pdf/png/jpeg', { contentType: 'text/plain', bytes: Buffer.from('hello'), fileName: 'a.txt' }, 415, 'file'],
    ['a PDF claimed as PNG (magic-number mismatch)', { contentType: 'image/png', bytes: FILES.pdf, fileName: 'x.png' }, 415, 'file'],
    ['an HTML page claimed as PDF', { contentType: 'application/pdf', bytes: Buffer.from('<html><script>alert(1)</script>'), fileName: 'x.pdf' }, 415, 'file'],
    ['a file one byte over the limit', { contentType: 'application/pdf', bytes: Buffer.concat([FILES.pdf, Buffer.alloc(MAX_BYTES + 1 - FILES.pdf.length, 0x20)]) }, 413, 'file'],
    ['an unknown document type', { type: 'SELFIE', bytes: FILES.pdf }, 400, 'type'],
    ['no file', { bytes: undefined }, 400, 'file'],
    ['no loan id', { loanId: undefined, bytes: FILES.pdf }, 400, 'loanId'],
    ['a malformed loan id', { loanId: 'not-a-uuid', bytes: FILES.pdf }, 400, 'loanId'],
  ] as const)('rejects %s, storing nothing', async (_name, opts, status, field) => {
    const before = (await rows(loanId)).length;
    const filesBefore = storedFiles(loanId).length;
    const res = await upload(app, b.token, { loanId, type: 'OTHER', ...opts });
    expect(res.status).toBe(status);
    expect(res.body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT', field });
    expect((await rows(loanId)).length).toBe(before);
    expect(storedFiles(loanId).length).toBe(filesBefore);
  });

  it('refuses a body far over the limit (413) from its Content-Length, before reading it', async () => {
    const res = await upload(app, b.token, { loanId, type: 'OTHER', bytes: Buffer.concat([FILES.pdf, Buffer.alloc(4 * MAX_BYTES, 0x20)]) });
    expect(res.status).toBe(413);
    expect(res.body.errors[0]).toEqual({ message: `file: is larger than ${MAX_BYTES} bytes`, extensions: { code: 'BAD_USER_INPUT', field: 'file' } });
  });

  it('accepts a file of exactly the limit', async () => {
    const bytes = Buffer.concat([FILES.pdf, Buffer.alloc(MAX_BYTES - FILES.pdf.length, 0x20)]);
    const res = await upload(app, b.token, { loanId, type: 'OTHER', bytes });
    expect(res.status).toBe(201);
    expect(res.body.document.size).toBe(MAX_BYTES);
  });

  it('refuses anonymous requests (401), other customers (403), unknown loans (404) and non-document staff (403)', async () => {
    const anon = await upload(app, null, { loanId, type: 'OTHER', bytes: FILES.pdf });
    expect(anon.status).toBe(401);
    expect(anon.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const bad = await fetch(`${app.url}/documents`, { method: 'POST', headers: { authorization: 'Bearer not.a.jwt' } });
    expect(bad.status).toBe(401);

    const other = await borrower(app);
    const before = (await rows(loanId)).length;
    const foreign = await upload(app, other.token, { loanId, type: 'OTHER', bytes: FILES.pdf });
    expect(foreign.status).toBe(403);
    expect(foreign.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await rows(loanId)).length).toBe(before);

    const missing = await upload(app, b.token, { loanId: '00000000-0000-4000-8000-000000000000', type: 'OTHER', bytes: FILES.pdf });
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].extensions).toEqual({ code: 'NOT_FOUND', field: 'loanId' });

    expect((await upload(app, riskManager.token, { loanId, type: 'OTHER', bytes: FILES.pdf })).status).toBe(403);

    const [first] = await rows(loanId);
    expect((await download(app, null, first.id)).status).toBe(401);
    expect((await download(app, other.token, first.id)).status).toBe(403);
    expect((await download(app, b.token, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await download(app, b.token, 'nope')).status).toBe(400);
  });

  it('refuses a JSON body (415): uploads are multipart', async () => {
    const res = await fetch(`${app.url}/documents`, {
      method: 'POST', headers: { authorization: `Bearer ${b.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ loanId }),
    });
    expect(res.status).toBe(415);
  });
});

describe('the KYC decision closes the document window', () => {
  it('upload and delete are INVALID_STAGE (409) after the decision; nothing changes', async () => {
    const b = await borrower(app);
    const loanId = await apply(app, b, productId);
    const kept = (await upload(app, b.token, { loanId, type: 'ID_DOCUMENT', bytes: FILES.pdf })).body.document;
    await ok(app, M.submit, { loanId }, b.token);
    expect((await ok(app, M.decideKyc, { loanId, approve: false, reason: 'document forged' }, staff.manager.token)).stage).toBe('REJECTED');

    const late = await upload(app, b.token, { loanId, type: 'ID_DOCUMENT', bytes: FILES.png, contentType: 'image/png' });
    expect(late.status).toBe(409);
    expect(late.body.errors[0].extensions.code).toBe('INVALID_STAGE');
    const staffLate = await upload(app, staff.officer.token, { loanId, type: 'OTHER', bytes: FILES.pdf });
    expect(staffLate.status).toBe(409);
    expect(await codeOf(app, DELETE, { id: kept.id }, b.token)).toBe('INVALID_STAGE');
    const after = await rows(loanId);
    expect(after.map((d) => [d.id, d.deletedAt ?? null])).toEqual([[kept.id, null]]);
    expect(storedFiles(loanId)).toHaveLength(1);
  });
});

describe('deleteDocument', () => {
  it('the owner soft-deletes before the KYC decision; the document leaves lists and downloads; repeating is a no-op', async () => {
    const b = await borrower(app);
    const loanId = await apply(app, b, productId);
    const a = (await upload(app, b.token, { loanId, type: 'ID_DOCUMENT', bytes: FILES.pdf })).body.document;
    const c = (await upload(app, b.token, { loanId, type: 'OTHER', bytes: FILES.png, contentType: 'image/png' })).body.document;

    const other = await borrower(app);
    expect(await codeOf(app, DELETE, { id: a.id }, other.token)).toBe('FORBIDDEN');
    expect(await codeOf(app, DELETE, { id: a.id }, riskManager.token)).toBe('FORBIDDEN');
    expect(await codeOf(app, DELETE, { id: a.id }, '')).toBe('UNAUTHENTICATED');
    expect(await codeOf(app, DELETE, { id: 'x' }, b.token)).toBe('BAD_USER_INPUT');
    expect(await codeOf(app, DELETE, { id: '00000000-0000-4000-8000-000000000000' }, b.token)).toBe('NOT_FOUND');

    const deleted = await ok(app, DELETE, { id: a.id, cmid: 'del-1' }, b.token);
    expect(deleted.id).toBe(a.id);
    const deletedAt = deleted.deletedAt;
    expect(new Date(deletedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await ok(app, DELETE, { id: a.id, cmid: 'del-1' }, b.token)).deletedAt).toBe(deletedAt);

    expect((await ok(app, DOCS, { loanId }, b.token)).map((d: any) => d.id)).toEqual([c.id]);
    expect((await download(app, b.token, a.id)).status).toBe(404);
    // Soft delete: the row and the bytes stay for audit.
    const row = await app.orm.em.fork().findOneOrFail(Document, a.id);
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect(existsSync(join(app.config.documents.storageDir, row.storageKey))).toBe(true);

    // Staff who handle documents may delete too, during KYC review.
    await ok(app, M.submit, { loanId }, b.token);
    expect((await ok(app, DELETE, { id: c.id }, staff.kyc.token)).deletedAt).not.toBeNull();
    expect(await ok(app, DOCS, { loanId }, b.token)).toEqual([]);

    // Every upload and deletion is on the loan's timeline (the audit trail), with who did it.
    const timeline = (await app.gql(LOAN_DOCS, { id: loanId }, b.token)).data.loan.timeline;
    expect(timeline.filter((e: any) => e.action.startsWith('DOCUMENT_'))).toEqual([
      { action: 'DOCUMENT_UPLOADED', actor: b.userId, actorRole: 'CUSTOMER' },
      { action: 'DOCUMENT_UPLOADED', actor: b.userId, actorRole: 'CUSTOMER' },
      { action: 'DOCUMENT_DELETED', actor: b.userId, actorRole: 'CUSTOMER' },
      { action: 'DOCUMENT_DELETED', actor: staff.kyc.id, actorRole: 'KYC_OFFICER' },
    ]);
  });
});

describe('signed agreement upload (instead of e-signing)', () => {
  it('a MANAGER uploads the signed scan at AGREEMENT: the workflow moves the loan to ACTIVATION, then it activates', async () => {
    const b = await borrower(app);
    const { loanId, loan } = await toAgreement(app, b, productId, staff);
    expect(loan.stage).toBe('AGREEMENT');
    const generated = loan.origination.agreement;
    const scan = Buffer.concat([FILES.pdf, Buffer.from(`signed by Ada for ${loanId}`)]);

    // Who may not, and what is not accepted: nothing changes.
    expect((await upload(app, b.token, { loanId, type: 'SIGNED_AGREEMENT', bytes: scan })).status).toBe(403);
    expect((await upload(app, staff.kyc.token, { loanId, type: 'SIGNED_AGREEMENT', bytes: scan })).status).toBe(403);
    const wrong = await upload(app, staff.manager.token, { loanId, type: 'SIGNED_AGREEMENT', bytes: Buffer.from('GIF89a'), contentType: 'image/png' });
    expect(wrong.status).toBe(415);
    // Customer documents are closed at this stage, whoever uploads them.
    expect((await upload(app, staff.officer.token, { loanId, type: 'OTHER', bytes: scan })).status).toBe(409);
    const unchanged = (await app.gql(`query($id: ID!) { loan(id: $id) { stage version } }`, { id: loanId }, staff.officer.token)).data.loan;
    expect(unchanged).toEqual({ stage: 'AGREEMENT', version: loan.version });
    expect((await rows(loanId)).map((d) => d.type)).toEqual(['AGREEMENT']);

    const res = await upload(app, staff.manager.token, { loanId, type: 'SIGNED_AGREEMENT', bytes: scan, fileName: 'agreement-signed.pdf', clientMutationId: `signed-${loanId}` });
    expect(res.status).toBe(201);
    expect(res.body.document).toMatchObject({ type: 'SIGNED_AGREEMENT', sha256: sha(scan), uploadedBy: staff.manager.id });
    expect(res.body.loan).toMatchObject({ id: loanId, stage: 'ACTIVATION', status: 'APPROVED' });

    const after = (await app.gql(`query($id: ID!) { loan(id: $id) { stage origination { agreement { documentId documentHash signedVia signedDocumentId signedDocumentHash signedAt } } timeline { action actor actorRole } } }`, { id: loanId }, staff.officer.token)).data.loan;
    expect(after.origination.agreement).toMatchObject({
      documentId: generated.documentId, documentHash: generated.documentHash,
      signedVia: 'SIGNED_UPLOAD', signedDocumentId: res.body.document.id, signedDocumentHash: sha(scan),
    });
    expect(after.origination.agreement.signedAt).not.toBeNull();
    expect(after.timeline.at(-1)).toEqual({ action: 'AGREEMENT_SIGNED', actor: staff.manager.id, actorRole: 'MANAGER' });

    // A retried upload (same clientMutationId) returns the first result and stores nothing new.
    const retry = await upload(app, staff.manager.token, { loanId, type: 'SIGNED_AGREEMENT', bytes: scan, clientMutationId: `signed-${loanId}` });
    expect(retry.status).toBe(201);
    expect(retry.body.document.id).toBe(res.body.document.id);
    expect((await rows(loanId)).map((d) => d.type)).toEqual(['AGREEMENT', 'SIGNED_AGREEMENT']);
    // A second, different upload or an e-signature now finds the loan past AGREEMENT.
    expect((await upload(app, staff.officer.token, { loanId, type: 'SIGNED_AGREEMENT', bytes: scan })).status).toBe(409);
    expect(await codeOf(app, M.sign, { loanId, name: 'Ada', hash: generated.documentHash }, b.token)).toBe('INVALID_STAGE');
    // The signed agreement cannot be deleted.
    expect(await codeOf(app, DELETE, { id: res.body.document.id }, staff.manager.token)).toBe('FORBIDDEN');

    const drawnFor = await currentBusinessDate(app.orm.em.fork());
    const active = await ok(app, M.activate, { loanId, date: drawnFor }, staff.officer.token);
    expect(active).toMatchObject({ stage: 'REPAYMENT', status: 'ACTIVE' });
    expect(active.transactions).toEqual([{ type: 'DISBURSEMENT', amount: '6000', transactionDate: drawnFor }]);
    expect((await download(app, b.token, res.body.document.id)).bytes.equals(scan)).toBe(true);
  });

  it('is INVALID_STAGE before the agreement stage, and leaves no document behind', async () => {
    const b = await borrower(app);
    const loanId = await apply(app, b, productId);
    const res = await upload(app, staff.officer.token, { loanId, type: 'SIGNED_AGREEMENT', bytes: FILES.pdf });
    expect(res.status).toBe(409);
    expect(res.body.errors[0].extensions.code).toBe('INVALID_STAGE');
    expect(await rows(loanId)).toEqual([]);
  });
});
