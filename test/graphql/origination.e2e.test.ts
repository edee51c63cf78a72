import { addMonths } from '../../src/domain/dates';
import { currentBusinessDate } from '../../src/services/business-date.service';
/**
 * Origination end to end through GraphQL with the real worker: every stage, every rejection path,
 * four-eyes, racing approvals, offer expiry, invalid transitions, the role matrix and a worker
 * restart in the middle of a loan's life.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Customer, Document } from '../../src/entities';
import { LOAN_ACTIONS } from '../../src/domain/origination';
import { pdfText } from '../support/pdf-text';
import { eventually, startTestApp, TEST_PASSWORD, unique, type TestApp } from '../utils';
import { APPLY, applicationInput, createProduct } from './fixtures';

let app: TestApp;
let productId: string;
let officer: { token: string; id: string };
let officer2: { token: string; id: string };
let manager: { token: string; id: string };
let kyc: { token: string; id: string };
let riskManager: { token: string; id: string };
let committee: { token: string; id: string };

beforeAll(async () => {
  app = await startTestApp({ configure: (c) => (c.origination.offerExpirySeconds = 3600) });
  productId = await createProduct(app, { maxPrincipal: '200000.00' });
  [officer, officer2, manager, kyc, riskManager, committee] = await Promise.all([
    app.staff(['LOAN_OFFICER']), app.staff(['LOAN_OFFICER']), app.staff(['MANAGER']), app.staff(['KYC_OFFICER']),
    app.staff(['RISK_MANAGER']), app.staff(['CREDIT_COMMITTEE']),
  ]);
});

afterAll(async () => {
  await app?.close();
});

const LOAN_FIELDS = `id stage status version
  origination {
    kycReviewerId kycChecklist { item checked }
    risk { score band decision requiredApprovals reasons }
    offer { number principal annualInterestRate numberOfRepayments expiresAt }
    acceptedOffer { number principal }
    approvals { level actorId }
    pendingApprovals
    agreement { documentId documentHash signerName signedAt signerIp signedVia }
  }`;

const M = {
  submit: `mutation($loanId: ID!) { submitApplication(loanId: $loanId) { ${LOAN_FIELDS} } }`,
  assign: `mutation($loanId: ID!, $reviewerId: ID!) { assignKycReviewer(loanId: $loanId, reviewerId: $reviewerId) { ${LOAN_FIELDS} } }`,
  checklist: `mutation($loanId: ID!, $items: [KycChecklistItemInput!]!) { completeKycChecklist(loanId: $loanId, items: $items) { ${LOAN_FIELDS} } }`,
  decideKyc: `mutation($loanId: ID!, $approve: Boolean!, $reason: String) { decideKyc(loanId: $loanId, approve: $approve, reason: $reason) { ${LOAN_FIELDS} } }`,
  decideRisk: `mutation($loanId: ID!, $approve: Boolean!, $reason: String) { decideRisk(loanId: $loanId, approve: $approve, reason: $reason) { ${LOAN_FIELDS} } }`,
  offer: `mutation($loanId: ID!, $principal: Decimal!, $rate: Decimal!, $n: Int!) { sendOffer(loanId: $loanId, principal: $principal, annualInterestRate: $rate, numberOfRepayments: $n) { ${LOAN_FIELDS} } }`,
  accept: `mutation($loanId: ID!, $offerNumber: Int!) { acceptOffer(loanId: $loanId, offerNumber: $offerNumber) { ${LOAN_FIELDS} } }`,
  decline: `mutation($loanId: ID!, $offerNumber: Int!) { declineOffer(loanId: $loanId, offerNumber: $offerNumber, reason: "too expensive") { ${LOAN_FIELDS} } }`,
  approve: `mutation($loanId: ID!, $level: ApprovalLevel!) { approveLoan(loanId: $loanId, level: $level) { ${LOAN_FIELDS} } }`,
  reject: `mutation($loanId: ID!, $level: ApprovalLevel!, $reason: String!) { rejectLoan(loanId: $loanId, level: $level, reason: $reason) { ${LOAN_FIELDS} } }`,
  sign: `mutation($loanId: ID!, $name: String!, $hash: String!) { signAgreement(loanId: $loanId, signerName: $name, documentHash: $hash) { ${LOAN_FIELDS} } }`,
  activate: `mutation($loanId: ID!, $date: LocalDate!) { activateLoan(loanId: $loanId, disbursementDate: $date) { ${LOAN_FIELDS} installments { installmentNumber dueDate principalDue interestDue } transactions { type amount transactionDate } } }`,
  redraw: `mutation($loanId: ID!) { redrawAgreement(loanId: $loanId) { ${LOAN_FIELDS} } }`,
  withdraw: `mutation($loanId: ID!) { withdrawApplication(loanId: $loanId) { ${LOAN_FIELDS} } }`,
};
const LOAN = `query($id: ID!) { loan(id: $id) { ${LOAN_FIELDS} timeline { action fromStage toStage actor actorRole reason } documents { type sha256 size } } }`;
const ALL_CHECKS = ['IDENTITY_VERIFIED', 'ADDRESS_VERIFIED', 'INCOME_VERIFIED', 'SANCTIONS_SCREENED'].map((item) => ({ item, checked: true }));

interface Borrower {
  token: string;
  customerId: string;
}

async function borrower(profile: Record<string, unknown> = { monthlyIncome: '5000', monthlyObligations: '500', employmentStatus: 'EMPLOYED', employmentYears: 5 }): Promise<Borrower> {
  const email = `${unique('b')}@example.com`;
  const res = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, { i: { firstName: 'Ada', lastName: 'Borrower', email, password: TEST_PASSWORD } }, null);
  const token = res.data.register.accessToken;
  const customerId = (await app.orm.em.fork().findOneOrFail(Customer, { email })).id;
  const upd = await app.gql(`mutation($id: ID!, $i: CustomerProfileInput!) { updateCustomerProfile(customerId: $id, input: $i) { id } }`, { id: customerId, i: profile }, token);
  expect(upd.errors).toBeUndefined();
  return { token, customerId };
}

async function ok(query: string, vars: Record<string, unknown>, token: string): Promise<any> {
  const res = await app.gql(query, vars, token);
  if (res.errors) throw new Error(`${query.slice(0, 40)}: ${JSON.stringify(res.errors)}`);
  return Object.values(res.data)[0];
}

async function codeOf(query: string, vars: Record<string, unknown>, token: string): Promise<string | undefined> {
  const res = await app.gql(query, vars, token);
  return res.errors?.[0]?.extensions?.code;
}

/** Apply (as the borrower) and take the loan to DISCUSSION. */
async function toDiscussion(b: Borrower, principal = '10000.00'): Promise<string> {
  const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId, { principal }) }, b.token)).id;
  await ok(M.submit, { loanId }, b.token);
  await ok(M.assign, { loanId, reviewerId: kyc.id }, manager.token);
  await ok(M.checklist, { loanId, items: ALL_CHECKS }, kyc.token);
  const afterKyc = await ok(M.decideKyc, { loanId, approve: true }, manager.token);
  expect(afterKyc.stage).toBe('DISCUSSION');
  return loanId;
}

describe('the happy path, application to activation', () => {
  it('walks every stage through GraphQL, each one durable in the workflow and on the timeline', async () => {
    const b = await borrower();
    const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId) }, b.token)).id;
    expect((await ok(M.submit, { loanId }, b.token)).stage).toBe('KYC_REVIEW');
    expect((await ok(M.assign, { loanId, reviewerId: kyc.id }, manager.token)).origination.kycReviewerId).toBe(kyc.id);
    const checked = await ok(M.checklist, { loanId, items: ALL_CHECKS }, kyc.token);
    expect(checked.origination.kycChecklist).toHaveLength(4);

    // KYC approval runs the risk rules: DTI (500 + 888.49) / 5000 = 0.28 → +25, employed 5 years → +15: 90, band A.
    const assessed = await ok(M.decideKyc, { loanId, approve: true, reason: 'documents in order' }, manager.token);
    expect(assessed.stage).toBe('DISCUSSION');
    expect(assessed.origination.risk).toMatchObject({ score: 90, band: 'A', decision: 'AUTO_APPROVE', requiredApprovals: ['INTERNAL'] });

    const offered = await ok(M.offer, { loanId, principal: '9500.00', rate: '11.5', n: 12 }, officer.token);
    expect(offered.origination.offer).toMatchObject({ number: 1, principal: '9500', annualInterestRate: '11.5', numberOfRepayments: 12 });
    const countered = await ok(M.offer, { loanId, principal: '9000.00', rate: '11', n: 12 }, officer.token);
    expect(countered.origination.offer.number).toBe(2);
    expect(await codeOf(M.accept, { loanId, offerNumber: 1 }, b.token)).toBe('CONFLICT');
    expect((await ok(M.accept, { loanId, offerNumber: 2 }, b.token)).stage).toBe('APPROVAL');

    const approved = await ok(M.approve, { loanId, level: 'INTERNAL' }, officer2.token);
    expect(approved.stage).toBe('AGREEMENT');
    const agreement = approved.origination.agreement;
    expect(agreement.documentHash).toMatch(/^[0-9a-f]{64}$/);

    // The agreement is a real PDF, stored with its sha256.
    const doc = await app.orm.em.fork().findOneOrFail(Document, agreement.documentId);
    const bytes = readFileSync(join(app.config.documents.storageDir, doc.storageKey));
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(agreement.documentHash);
    expect((await pdfText(bytes)).text).toContain('Repayment schedule');

    expect(await codeOf(M.sign, { loanId, name: 'Ada Borrower', hash: '0'.repeat(64) }, b.token)).toBe('CONFLICT');
    const signed = await ok(M.sign, { loanId, name: 'Ada Borrower', hash: agreement.documentHash }, b.token);
    expect(signed.stage).toBe('ACTIVATION');
    expect(signed.origination.agreement).toMatchObject({ signerName: 'Ada Borrower', signedVia: 'E_SIGNATURE' });
    expect(signed.origination.agreement.signerIp).toBeTruthy();

    // Agreement = booking: activation books the business date the agreement was drawn for.
    const drawnFor = await currentBusinessDate(app.orm.em.fork());
    const active = await ok(M.activate, { loanId, date: drawnFor }, officer.token);
    expect(active).toMatchObject({ stage: 'REPAYMENT', status: 'ACTIVE' });
    expect(active.installments).toHaveLength(12);
    expect(active.installments[0]).toMatchObject({ installmentNumber: 1, dueDate: addMonths(drawnFor, 1) });
    expect(active.installments.reduce((s: number, i: any) => s + Number(i.principalDue), 0)).toBeCloseTo(9000, 6);
    expect(active.transactions).toEqual([{ type: 'DISBURSEMENT', amount: '9000', transactionDate: drawnFor }]);

    const loan = (await app.gql(LOAN, { id: loanId }, b.token)).data.loan;
    expect(loan.timeline.map((e: any) => e.action)).toEqual([
      'SUBMITTED', 'APPLICATION_SUBMITTED', 'KYC_REVIEWER_ASSIGNED', 'KYC_CHECKLIST_UPDATED', 'KYC_APPROVED', 'RISK_ASSESSED',
      'OFFER_SENT', 'OFFER_COUNTERED', 'OFFER_ACCEPTED', 'APPROVED_AT_INTERNAL', 'AGREEMENT_GENERATED', 'AGREEMENT_SIGNED', 'ACTIVATED',
    ]);
    expect(loan.timeline.find((e: any) => e.action === 'KYC_APPROVED')).toMatchObject({ actor: manager.id, actorRole: 'MANAGER', fromStage: 'KYC_REVIEW', toStage: 'RISK_ASSESSMENT', reason: 'documents in order' });
    expect(loan.timeline.find((e: any) => e.action === 'RISK_ASSESSED')).toMatchObject({ actor: 'system', actorRole: 'SYSTEM' });
    expect(loan.documents.map((d: any) => d.type)).toEqual(['AGREEMENT']);

    const attrs = (await app.temporal.client.workflow.getHandle(`loan-${loanId}`).describe()).searchAttributes as Record<string, unknown[]>;
    expect(attrs.LoanStage).toEqual(['REPAYMENT']);
    expect(attrs.LoanStatus).toEqual(['ACTIVE']);
  });
});

describe('rejection paths', () => {
  it('KYC rejection needs a reason and ends the loan', async () => {
    const b = await borrower();
    const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId) }, b.token)).id;
    await ok(M.submit, { loanId }, b.token);
    expect(await codeOf(M.decideKyc, { loanId, approve: false }, manager.token)).toBe('BAD_USER_INPUT');
    const rejected = await ok(M.decideKyc, { loanId, approve: false, reason: 'forged ID' }, manager.token);
    expect(rejected).toMatchObject({ stage: 'REJECTED', status: 'REJECTED' });
    expect(await codeOf(M.submit, { loanId }, b.token)).toBe('INVALID_STAGE');
  });

  it('the risk rules reject automatically (debt-to-income above 60 %)', async () => {
    const b = await borrower({ monthlyIncome: '1500', monthlyObligations: '800', employmentStatus: 'EMPLOYED', employmentYears: 1 });
    const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId) }, b.token)).id;
    await ok(M.submit, { loanId }, b.token);
    await ok(M.checklist, { loanId, items: ALL_CHECKS }, kyc.token);
    const res = await ok(M.decideKyc, { loanId, approve: true }, manager.token);
    expect(res.stage).toBe('REJECTED');
    expect(res.origination.risk.decision).toBe('AUTO_REJECT');
    expect(res.origination.risk.reasons).toContain('debt-to-income above 60 %');
  });

  it('manual review by a risk manager: reject with a reason', async () => {
    const b = await borrower({ employmentStatus: 'EMPLOYED', employmentYears: 3 }); // no income → manual review
    const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId) }, b.token)).id;
    await ok(M.submit, { loanId }, b.token);
    await ok(M.checklist, { loanId, items: ALL_CHECKS }, kyc.token);
    const review = await ok(M.decideKyc, { loanId, approve: true }, manager.token);
    expect(review.stage).toBe('RISK_ASSESSMENT');
    expect(review.origination.risk.decision).toBe('MANUAL_REVIEW');
    expect(await codeOf(M.decideRisk, { loanId, approve: false }, manager.token)).toBe('FORBIDDEN');
    expect((await ok(M.decideRisk, { loanId, approve: false, reason: 'income unverifiable' }, riskManager.token)).stage).toBe('REJECTED');
  });

  it('the customer declines the offer', async () => {
    const b = await borrower();
    const loanId = await toDiscussion(b);
    await ok(M.offer, { loanId, principal: '10000.00', rate: '12', n: 12 }, officer.token);
    expect((await ok(M.decline, { loanId, offerNumber: 1 }, b.token)).stage).toBe('DECLINED');
  });

  it('an approver rejects at their level', async () => {
    const b = await borrower();
    const loanId = await toDiscussion(b);
    await ok(M.offer, { loanId, principal: '10000.00', rate: '12', n: 12 }, officer.token);
    await ok(M.accept, { loanId, offerNumber: 1 }, b.token);
    expect(await codeOf(M.reject, { loanId, level: 'INTERNAL', reason: '' }, officer2.token)).toBe('BAD_USER_INPUT');
    const res = await ok(M.reject, { loanId, level: 'INTERNAL', reason: 'policy exception not granted' }, officer2.token);
    expect(res.stage).toBe('REJECTED');
  });

  it('withdrawal works at any stage before activation', async () => {
    const b = await borrower();
    const loanId = await toDiscussion(b);
    expect((await ok(M.withdraw, { loanId }, b.token)).stage).toBe('WITHDRAWN');
  });
});

describe('approval rules', () => {
  async function toApproval(b: Borrower, principal: string, applyAs?: string): Promise<string> {
    const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId, { principal }) }, applyAs ?? b.token)).id;
    await ok(M.submit, { loanId }, applyAs ?? b.token);
    await ok(M.checklist, { loanId, items: ALL_CHECKS }, kyc.token);
    await ok(M.decideKyc, { loanId, approve: true }, manager.token);
    await ok(M.offer, { loanId, principal, rate: '12', n: 36 }, officer.token);
    await ok(M.accept, { loanId, offerNumber: 1 }, b.token);
    return loanId;
  }

  it('routes large amounts through management (and committee), in order', async () => {
    // Income high enough that 150,000 over 36 months stays under the 60 % debt-to-income cut-off.
    const b = await borrower({ monthlyIncome: '40000', monthlyObligations: '0', employmentStatus: 'EMPLOYED', employmentYears: 10 });
    const loanId = await toApproval(b, '150000.00');
    const loan = (await app.gql(LOAN, { id: loanId }, officer.token)).data.loan;
    expect(loan.origination.pendingApprovals).toEqual(['INTERNAL', 'MANAGEMENT', 'CREDIT_COMMITTEE']);
    expect(await codeOf(M.approve, { loanId, level: 'MANAGEMENT' }, manager.token)).toBe('CONFLICT');
    await ok(M.approve, { loanId, level: 'INTERNAL' }, officer2.token);
    await ok(M.approve, { loanId, level: 'MANAGEMENT' }, manager.token);
    expect(await codeOf(M.approve, { loanId, level: 'CREDIT_COMMITTEE' }, manager.token)).toBe('FORBIDDEN');
    expect((await ok(M.approve, { loanId, level: 'CREDIT_COMMITTEE' }, committee.token)).stage).toBe('AGREEMENT');
  });

  it('four-eyes: nobody approves their own application, nor two levels of one loan', async () => {
    const b = await borrower({ monthlyIncome: '20000', monthlyObligations: '0', employmentStatus: 'EMPLOYED', employmentYears: 10 });
    // The officer applies on the customer's behalf, so the officer is the applicant.
    const loanId = await toApproval(b, '30000.00', officer.token);
    expect(await codeOf(M.approve, { loanId, level: 'INTERNAL' }, officer.token)).toBe('FORBIDDEN');
    const both = await app.staff(['LOAN_OFFICER', 'MANAGER']);
    await ok(M.approve, { loanId, level: 'INTERNAL' }, both.token);
    const before = (await app.gql(LOAN, { id: loanId }, officer.token)).data.loan;
    expect(await codeOf(M.approve, { loanId, level: 'MANAGEMENT' }, both.token)).toBe('FORBIDDEN');
    const after = (await app.gql(LOAN, { id: loanId }, officer.token)).data.loan;
    expect(after.version).toBe(before.version);
    expect((await ok(M.approve, { loanId, level: 'MANAGEMENT' }, manager.token)).stage).toBe('AGREEMENT');
  });

  it('racing approvals of one level: exactly one wins', async () => {
    const b = await borrower();
    const loanId = await toApproval(b, '10000.00');
    const [x, y] = await Promise.all([
      app.gql(M.approve, { loanId, level: 'INTERNAL' }, officer.token),
      app.gql(M.approve, { loanId, level: 'INTERNAL' }, officer2.token),
    ]);
    const results = [x, y];
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    const loser = results.find((r) => r.errors)!;
    expect(['CONFLICT', 'INVALID_STAGE']).toContain(loser.errors![0].extensions!.code);
    const loan = (await app.gql(LOAN, { id: loanId }, officer.token)).data.loan;
    expect(loan.origination.approvals).toHaveLength(1);
  });
});

describe('invalid transitions change nothing', () => {
  it.each([
    ['accept an offer during KYC', 'accept', { offerNumber: 1 }, 'INVALID_STAGE'],
    ['activate during KYC', 'activate', { date: '2026-12-01' }, 'INVALID_STAGE'],
    ['approve KYC with an incomplete checklist', 'decideKyc', { approve: true }, 'CONFLICT'],
    ['send an offer during KYC', 'offer', { principal: '1000.00', rate: '12', n: 12 }, 'INVALID_STAGE'],
  ] as const)('%s → %s', async (_name, mutation, vars, code) => {
    const b = await borrower();
    const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId) }, b.token)).id;
    await ok(M.submit, { loanId }, b.token);
    const token = { accept: b.token, activate: officer.token, decideKyc: manager.token, offer: officer.token }[mutation];
    const before = (await app.gql(LOAN, { id: loanId }, officer.token)).data.loan;
    expect(await codeOf(M[mutation], { loanId, ...vars }, token)).toBe(code);
    const after = (await app.gql(LOAN, { id: loanId }, officer.token)).data.loan;
    expect(after.version).toBe(before.version);
    expect(after.timeline).toHaveLength(before.timeline.length);
  });

  it('rejects an offer outside the product limits with BAD_USER_INPUT naming the field', async () => {
    const b = await borrower();
    const loanId = await toDiscussion(b);
    const res = await app.gql(M.offer, { loanId, principal: '999999.00', rate: '12', n: 12 }, officer.token);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'principal' });
  });
});

describe('role matrix', () => {
  const ROLES = ['CUSTOMER', 'LOAN_OFFICER', 'KYC_OFFICER', 'RISK_MANAGER', 'MANAGER', 'CREDIT_COMMITTEE', 'ADMIN'] as const;
  const CALLS: Record<keyof typeof LOAN_ACTIONS, [string, Record<string, unknown>]> = {
    submitApplication: [M.submit, {}],
    assignKycReviewer: [M.assign, { reviewerId: '00000000-0000-4000-8000-000000000001' }],
    completeKycChecklist: [M.checklist, { items: ALL_CHECKS }],
    decideKyc: [M.decideKyc, { approve: false, reason: 'x' }],
    decideRisk: [M.decideRisk, { approve: false, reason: 'x' }],
    sendOffer: [M.offer, { principal: '1000.00', rate: '12', n: 12 }],
    acceptOffer: [M.accept, { offerNumber: 1 }],
    declineOffer: [M.decline, { offerNumber: 1 }],
    approveLoan: [M.approve, { level: 'INTERNAL' }],
    rejectLoan: [M.reject, { level: 'INTERNAL', reason: 'x' }],
    signAgreement: [M.sign, { name: 'x', hash: '0'.repeat(64) }],
    uploadSignedAgreement: ['', {}],
    activateLoan: [M.activate, { date: '2026-12-01' }],
    redrawAgreement: [M.redraw, {}],
    withdrawApplication: [M.withdraw, {}],
  };

  it('every origination mutation × every role: allowed, or FORBIDDEN (and UNAUTHENTICATED without a token)', async () => {
    const b = await borrower();
    const tokens: Record<string, string> = { CUSTOMER: b.token };
    for (const role of ROLES.slice(1)) tokens[role] = await app.tokenFor([role]);
    const matrix: string[] = [];
    for (const [action, [query, vars]] of Object.entries(CALLS)) {
      if (!query) continue; // uploadSignedAgreement is a REST upload, covered with documents
      const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId) }, b.token)).id;
      expect(await codeOf(query, { loanId, ...vars }, '')).toBe('UNAUTHENTICATED');
      for (const role of ROLES) {
        const code = await codeOf(query, { loanId, ...vars }, tokens[role]);
        const allowed = (LOAN_ACTIONS[action as keyof typeof LOAN_ACTIONS].roles as readonly string[]).includes(role);
        matrix.push(`${action}/${role}: ${code ?? 'OK'}`);
        if (allowed) expect([action, role, code === 'FORBIDDEN' || code === 'UNAUTHENTICATED']).toEqual([action, role, false]);
        else expect([action, role, code]).toEqual([action, role, 'FORBIDDEN']);
      }
    }
    expect(matrix.length).toBe(14 * ROLES.length);
  });
});

describe('durability', () => {
  it('a worker killed mid-lifecycle: the pending decision completes on a new worker, risk included', async () => {
    const b = await borrower();
    const loanId = (await ok(APPLY, { input: applicationInput(b.customerId, productId) }, b.token)).id;
    await ok(M.submit, { loanId }, b.token);
    await ok(M.checklist, { loanId, items: ALL_CHECKS }, kyc.token);
    await app.worker!.stop();
    const pending = app.gql(M.decideKyc, { loanId, approve: true }, manager.token);
    await new Promise((r) => setTimeout(r, 1500));
    await app.startWorker();
    const res = await pending;
    expect(res.errors).toBeUndefined();
    expect(res.data.decideKyc.stage).toBe('DISCUSSION');
  });
});

describe('offer expiry', () => {
  it('an unanswered offer expires after the configured time (a durable timer) → EXPIRED', async () => {
    app.config.origination.offerExpirySeconds = 2;
    try {
      const b = await borrower();
      const loanId = await toDiscussion(b);
      await ok(M.offer, { loanId, principal: '10000.00', rate: '12', n: 12 }, officer.token);
      await eventually(async () => (await app.gql(LOAN, { id: loanId }, officer.token)).data.loan.stage === 'EXPIRED', 30000, 'offer expiry');
      const loan = (await app.gql(LOAN, { id: loanId }, officer.token)).data.loan;
      expect(loan.status).toBe('EXPIRED');
      expect(loan.timeline.at(-1)).toMatchObject({ action: 'OFFER_EXPIRED', actorRole: 'SYSTEM' });
      expect(await codeOf(M.accept, { loanId, offerNumber: 1 }, b.token)).toBe('INVALID_STAGE');
    } finally {
      app.config.origination.offerExpirySeconds = 3600;
    }
  });
});
