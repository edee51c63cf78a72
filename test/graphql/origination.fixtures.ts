/** Shared steps for origination tests: borrowers, the stage mutations, and HTTP document uploads. */
import { Customer } from '../../src/entities';
import { TEST_PASSWORD, unique, type TestApp } from '../utils';
import { APPLY, applicationInput } from './fixtures';

export const LOAN_FIELDS = `id stage status version
  origination {
    kycReviewerId
    agreement { documentId documentHash signerName signedAt signedVia signedDocumentId signedDocumentHash }
  }`;

export const M = {
  submit: `mutation($loanId: ID!) { submitApplication(loanId: $loanId) { ${LOAN_FIELDS} } }`,
  assign: `mutation($loanId: ID!, $reviewerId: ID!) { assignKycReviewer(loanId: $loanId, reviewerId: $reviewerId) { ${LOAN_FIELDS} } }`,
  checklist: `mutation($loanId: ID!, $items: [KycChecklistItemInput!]!) { completeKycChecklist(loanId: $loanId, items: $items) { ${LOAN_FIELDS} } }`,
  decideKyc: `mutation($loanId: ID!, $approve: Boolean!, $reason: String) { decideKyc(loanId: $loanId, approve: $approve, reason: $reason) { ${LOAN_FIELDS} } }`,
  offer: `mutation($loanId: ID!, $principal: Decimal!, $rate: Decimal!, $n: Int!) { sendOffer(loanId: $loanId, principal: $principal, annualInterestRate: $rate, numberOfRepayments: $n) { ${LOAN_FIELDS} } }`,
  accept: `mutation($loanId: ID!, $offerNumber: Int!) { acceptOffer(loanId: $loanId, offerNumber: $offerNumber) { ${LOAN_FIELDS} } }`,
  approve: `mutation($loanId: ID!, $level: ApprovalLevel!) { approveLoan(loanId: $loanId, level: $level) { ${LOAN_FIELDS} } }`,
  sign: `mutation($loanId: ID!, $name: String!, $hash: String!) { signAgreement(loanId: $loanId, signerName: $name, documentHash: $hash) { ${LOAN_FIELDS} } }`,
  activate: `mutation($loanId: ID!, $date: LocalDate!) { activateLoan(loanId: $loanId, disbursementDate: $date) { ${LOAN_FIELDS} transactions { type amount transactionDate } } }`,
  withdraw: `mutation($loanId: ID!, $reason: String) { withdrawApplication(loanId: $loanId, reason: $reason) { ${LOAN_FIELDS} } }`,
};

export const ALL_CHECKS = ['IDENTITY_VERIFIED', 'ADDRESS_VERIFIED', 'INCOME_VERIFIED', 'SANCTIONS_SCREENED'].map((item) => ({ item, checked: true }));

export interface Borrower {
  token: string;
  customerId: string;
  userId: string;
}

export async function borrower(app: TestApp, name: { firstName: string; lastName: string } = { firstName: 'Ada', lastName: 'Borrower' }): Promise<Borrower> {
  const email = `${unique('b')}@example.com`;
  const res = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }`, { i: { ...name, email, password: TEST_PASSWORD } }, null);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  const token = res.data.register.accessToken;
  const customerId = (await app.orm.em.fork().findOneOrFail(Customer, { email })).id;
  const upd = await app.gql(
    `mutation($id: ID!, $i: CustomerProfileInput!) { updateCustomerProfile(customerId: $id, input: $i) { id } }`,
    { id: customerId, i: { monthlyIncome: '5000', monthlyObligations: '500', employmentStatus: 'EMPLOYED', employmentYears: 5 } },
    token,
  );
  if (upd.errors) throw new Error(JSON.stringify(upd.errors));
  return { token, customerId, userId: res.data.register.user.id };
}

/** Runs an operation and returns its single result field; throws on errors. */
export async function ok(app: TestApp, query: string, vars: Record<string, unknown>, token: string): Promise<any> {
  const res = await app.gql(query, vars, token);
  if (res.errors) throw new Error(`${query.slice(0, 50)}: ${JSON.stringify(res.errors)}`);
  return Object.values(res.data)[0];
}

export async function codeOf(app: TestApp, query: string, vars: Record<string, unknown>, token: string): Promise<string | undefined> {
  const res = await app.gql(query, vars, token);
  return res.errors?.[0]?.extensions?.code;
}

export async function apply(app: TestApp, b: Borrower, productId: string): Promise<string> {
  return (await ok(app, APPLY, { input: applicationInput(b.customerId, productId) }, b.token)).id;
}

export interface Staff {
  officer: { token: string; id: string };
  officer2: { token: string; id: string };
  manager: { token: string; id: string };
  kyc: { token: string; id: string };
}

/** Apply and walk the loan to AGREEMENT (agreement generated) with the given staff. */
export async function toAgreement(app: TestApp, b: Borrower, productId: string, s: Staff): Promise<{ loanId: string; loan: any }> {
  const loanId = await apply(app, b, productId);
  await ok(app, M.submit, { loanId }, b.token);
  await ok(app, M.assign, { loanId, reviewerId: s.kyc.id }, s.manager.token);
  await ok(app, M.checklist, { loanId, items: ALL_CHECKS }, s.kyc.token);
  await ok(app, M.decideKyc, { loanId, approve: true }, s.manager.token);
  await ok(app, M.offer, { loanId, principal: '6000.00', rate: '12', n: 12 }, s.officer.token);
  await ok(app, M.accept, { loanId, offerNumber: 1 }, b.token);
  const loan = await ok(app, M.approve, { loanId, level: 'INTERNAL' }, s.officer2.token);
  return { loanId, loan };
}

/** The smallest valid files of each accepted type (magic numbers included). */
export const FILES = {
  pdf: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1'),
  png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR fake image body')]),
  jpeg: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF fake image body')]),
};

export interface UploadOptions {
  loanId?: string;
  type?: string;
  bytes?: Buffer;
  contentType?: string;
  fileName?: string;
  clientMutationId?: string;
}

/** POST /documents as multipart/form-data over real HTTP; returns status and JSON body. */
export async function upload(app: TestApp, token: string | null, o: UploadOptions): Promise<{ status: number; body: any }> {
  const form = new FormData();
  if (o.loanId !== undefined) form.append('loanId', o.loanId);
  if (o.type !== undefined) form.append('type', o.type);
  if (o.clientMutationId !== undefined) form.append('clientMutationId', o.clientMutationId);
  if (o.bytes) form.append('file', new Blob([o.bytes], { type: o.contentType ?? 'application/pdf' }), o.fileName ?? 'file.pdf');
  const res = await fetch(`${app.url}/documents`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.json() };
}

export async function download(app: TestApp, token: string | null, id: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(`${app.url}/documents/${id}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
