/**
 * The pure rule behind the staff upload of a signed agreement (src/domain/origination.ts): who, when,
 * what it records, and that it leaves the generated agreement referenced.
 */
import { DomainError } from '../../src/domain/errors';
import { initialOrigination, planAction, planAgreementGenerated, type PlanContext } from '../../src/domain/origination';

const GENERATED = 'a'.repeat(64);
const SCAN = 'b'.repeat(64);
const NOW = Date.UTC(2026, 10, 23, 10, 0, 0);

function context(stage: PlanContext['state']['stage'], withAgreement = true): PlanContext {
  const base: PlanContext = {
    state: { loanId: 'loan-1', stage, status: 'APPROVED', version: 9 },
    origination: initialOrigination('customer-user'),
    product: {
      name: 'p', currencyCode: 'USD', minPrincipal: '500', maxPrincipal: '50000', minInterestRate: '5', maxInterestRate: '30',
      minNumberOfRepayments: 3, maxNumberOfRepayments: 60, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS',
    },
    nowMs: NOW,
    timers: { offerTtlMs: 1000, agreementTtlMs: 60_000 },
  };
  if (!withAgreement) return base;
  return { ...base, origination: planAgreementGenerated({ ...base, nowMs: NOW - 1000 }, 'generated-doc', GENERATED).origination };
}

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return (err as DomainError).code;
  }
}

it('moves AGREEMENT → ACTIVATION, recording the scan beside the generated agreement', () => {
  const plan = planAction(context('AGREEMENT'), 'uploadSignedAgreement', { id: 'manager-1', role: 'MANAGER' }, { documentId: 'scan-doc', documentHash: SCAN });
  expect(plan.action).toBe('AGREEMENT_SIGNED');
  expect(plan.to).toEqual({ stage: 'ACTIVATION', status: 'APPROVED' });
  expect(plan.effect).toBeUndefined();
  expect(plan.origination.agreement).toEqual({
    documentId: 'generated-doc', documentHash: GENERATED, generatedAtMs: NOW - 1000, expiresAtMs: NOW - 1000 + 60_000,
    signedBy: 'manager-1', signedAtMs: NOW, signedVia: 'SIGNED_UPLOAD', signedDocumentId: 'scan-doc', signedDocumentHash: SCAN,
  });
});

it('is for LOAN_OFFICER and MANAGER only, at AGREEMENT only, once the agreement exists', () => {
  const payload = { documentId: 'scan-doc', documentHash: SCAN };
  expect(code(() => planAction(context('AGREEMENT'), 'uploadSignedAgreement', { id: 'o', role: 'LOAN_OFFICER' }, payload))).toBeUndefined();
  for (const role of ['CUSTOMER', 'KYC_OFFICER', 'RISK_MANAGER', 'CREDIT_COMMITTEE', 'ADMIN']) {
    expect([role, code(() => planAction(context('AGREEMENT'), 'uploadSignedAgreement', { id: 'x', role }, payload))]).toEqual([role, 'FORBIDDEN']);
  }
  expect(code(() => planAction(context('APPROVAL'), 'uploadSignedAgreement', { id: 'm', role: 'MANAGER' }, payload))).toBe('INVALID_STAGE');
  expect(code(() => planAction(context('ACTIVATION'), 'uploadSignedAgreement', { id: 'm', role: 'MANAGER' }, payload))).toBe('INVALID_STAGE');
  expect(code(() => planAction(context('AGREEMENT', false), 'uploadSignedAgreement', { id: 'm', role: 'MANAGER' }, payload))).toBe('CONFLICT');
});

it('needs a document id and a sha256 hex digest', () => {
  const manager = { id: 'm', role: 'MANAGER' };
  expect(code(() => planAction(context('AGREEMENT'), 'uploadSignedAgreement', manager, { documentId: '', documentHash: SCAN }))).toBe('BAD_USER_INPUT');
  expect(code(() => planAction(context('AGREEMENT'), 'uploadSignedAgreement', manager, { documentId: 'd', documentHash: 'B'.repeat(64) }))).toBe('BAD_USER_INPUT');
  expect(code(() => planAction(context('AGREEMENT'), 'uploadSignedAgreement', manager, { documentId: 'd', documentHash: SCAN.slice(1) }))).toBe('BAD_USER_INPUT');
});
