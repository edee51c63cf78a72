/**
 * The origination state machine: which role may do what in which stage, and what it changes. Pure,
 * so the loan workflow's Update validators and handlers, the services and the tests share one rule set.
 *
 * APPLICATION → KYC_REVIEW → RISK_ASSESSMENT → DISCUSSION → APPROVAL → AGREEMENT → ACTIVATION → REPAYMENT
 * any stage before ACTIVATION → WITHDRAWN; KYC, risk and approval → REJECTED; offer → DECLINED | EXPIRED.
 */
import { DomainError, ValidationError } from './errors';
import type { LoanProductTerms } from './loan-application';
import { validateLoanApplication } from './loan-application';
import { canWithdraw, MAX_REASON_LENGTH, type LoanStage, type LoanState, type LoanStatus } from './loan-lifecycle';
import { Decimal } from './money';

export const APPROVAL_LEVELS = ['INTERNAL', 'MANAGEMENT', 'CREDIT_COMMITTEE'] as const;
export type ApprovalLevel = (typeof APPROVAL_LEVELS)[number];

/** The role that approves each level. */
export const APPROVAL_LEVEL_ROLE: Record<ApprovalLevel, string> = {
  INTERNAL: 'LOAN_OFFICER',
  MANAGEMENT: 'MANAGER',
  CREDIT_COMMITTEE: 'CREDIT_COMMITTEE',
};

export const KYC_CHECKLIST_ITEMS = ['IDENTITY_VERIFIED', 'ADDRESS_VERIFIED', 'INCOME_VERIFIED', 'SANCTIONS_SCREENED'] as const;
export type KycChecklistItem = (typeof KYC_CHECKLIST_ITEMS)[number];

export interface Offer {
  number: number;
  principal: string;
  annualInterestRate: string;
  numberOfRepayments: number;
  offeredBy: string;
  /** Workflow time (ms since epoch) when the offer lapses. */
  expiresAtMs: number;
  /** The first repayment date the offer sets (null: a regular first period); absent: the application's. */
  repaymentsStartingFromDate?: string | null;
}

export interface RiskResult {
  score: number;
  band: string;
  decision: 'AUTO_APPROVE' | 'MANUAL_REVIEW' | 'AUTO_REJECT';
  requiredApprovals: ApprovalLevel[];
  reasons: string[];
  /** Highest principal the rules allow (null = the product's maximum). */
  maxPrincipal: string | null;
  facts: Record<string, string | number | boolean | null>;
}

export interface Approval {
  level: ApprovalLevel;
  actorId: string;
  atMs: number;
}

export interface Agreement {
  documentId: string;
  documentHash: string;
  generatedAtMs: number;
  expiresAtMs: number;
  /** The business date the schedule in the document is drawn for; activation must book this date. */
  disbursementDate?: string;
  signedBy?: string;
  signerName?: string;
  signedAtMs?: number;
  signerIp?: string | null;
  signedVia?: 'E_SIGNATURE' | 'SIGNED_UPLOAD';
  /** SIGNED_UPLOAD: the staff-uploaded scan of the signed agreement and its sha256. */
  signedDocumentId?: string;
  signedDocumentHash?: string;
}

/** Plain JSON carried by the workflow (and across continue-as-new) and projected to PostgreSQL. */
export interface OriginationState {
  applicantId: string;
  kycReviewerId: string | null;
  kycChecklist: Partial<Record<KycChecklistItem, boolean>>;
  risk: RiskResult | null;
  offer: Offer | null;
  acceptedOffer: Offer | null;
  approvals: Approval[];
  agreement: Agreement | null;
  disbursementDate: string | null;
}

export function initialOrigination(applicantId: string): OriginationState {
  return {
    applicantId,
    kycReviewerId: null,
    kycChecklist: {},
    risk: null,
    offer: null,
    acceptedOffer: null,
    approvals: [],
    agreement: null,
    disbursementDate: null,
  };
}

export interface Timers {
  offerTtlMs: number;
  agreementTtlMs: number;
}

export interface ActorRef {
  id: string;
  role: string;
}

/** Stage → account status. */
export function statusFor(stage: LoanStage): LoanStatus {
  switch (stage) {
    case 'AGREEMENT':
    case 'ACTIVATION':
      return 'APPROVED';
    case 'REPAYMENT':
      return 'ACTIVE';
    case 'CLOSED':
      return 'CLOSED_OBLIGATIONS_MET';
    case 'REJECTED':
    case 'DECLINED':
    case 'WITHDRAWN':
    case 'EXPIRED':
      return stage;
    default:
      return 'SUBMITTED';
  }
}

/** Every action a person takes through GraphQL, with who may take it and where. */
export const LOAN_ACTIONS = {
  submitApplication: { roles: ['CUSTOMER', 'LOAN_OFFICER'], stages: ['APPLICATION'] },
  assignKycReviewer: { roles: ['MANAGER'], stages: ['KYC_REVIEW'] },
  completeKycChecklist: { roles: ['KYC_OFFICER'], stages: ['KYC_REVIEW'] },
  decideKyc: { roles: ['MANAGER'], stages: ['KYC_REVIEW'] },
  decideRisk: { roles: ['RISK_MANAGER'], stages: ['RISK_ASSESSMENT'] },
  sendOffer: { roles: ['LOAN_OFFICER'], stages: ['DISCUSSION'] },
  acceptOffer: { roles: ['CUSTOMER'], stages: ['DISCUSSION'] },
  declineOffer: { roles: ['CUSTOMER'], stages: ['DISCUSSION'] },
  approveLoan: { roles: ['LOAN_OFFICER', 'MANAGER', 'CREDIT_COMMITTEE'], stages: ['APPROVAL'] },
  rejectLoan: { roles: ['LOAN_OFFICER', 'MANAGER', 'CREDIT_COMMITTEE'], stages: ['APPROVAL'] },
  signAgreement: { roles: ['CUSTOMER'], stages: ['AGREEMENT'] },
  uploadSignedAgreement: { roles: ['LOAN_OFFICER', 'MANAGER'], stages: ['AGREEMENT'] },
  activateLoan: { roles: ['LOAN_OFFICER', 'MANAGER'], stages: ['ACTIVATION'] },
  redrawAgreement: { roles: ['LOAN_OFFICER', 'MANAGER'], stages: ['AGREEMENT', 'ACTIVATION'] },
  withdrawApplication: { roles: ['CUSTOMER', 'LOAN_OFFICER'], stages: ['APPLICATION', 'KYC_REVIEW', 'RISK_ASSESSMENT', 'DISCUSSION', 'APPROVAL', 'AGREEMENT'] },
} as const satisfies Record<string, { roles: readonly string[]; stages: readonly LoanStage[] }>;

export type LoanActionName = keyof typeof LOAN_ACTIONS;
export const LOAN_ACTION_NAMES = Object.keys(LOAN_ACTIONS) as LoanActionName[];

/** Payloads, plain JSON. */
export interface ActionPayloads {
  submitApplication: Record<string, never>;
  assignKycReviewer: { reviewerId: string };
  completeKycChecklist: { items: Partial<Record<KycChecklistItem, boolean>> };
  decideKyc: { approve: boolean; reason?: string | null };
  decideRisk: { approve: boolean; reason?: string | null };
  sendOffer: { principal: string; annualInterestRate: string; numberOfRepayments: number; repaymentsStartingFromDate?: string | null };
  acceptOffer: { offerNumber: number };
  declineOffer: { offerNumber: number; reason?: string | null };
  approveLoan: { level: ApprovalLevel };
  rejectLoan: { level: ApprovalLevel; reason: string };
  signAgreement: { signerName: string; documentHash: string; ip?: string | null };
  uploadSignedAgreement: { documentId: string; documentHash: string };
  activateLoan: { disbursementDate: string };
  redrawAgreement: Record<string, never>;
  withdrawApplication: { reason?: string | null };
}

/** What an action does: the new stage, the changed origination data, and follow-up work. */
export interface ActionPlan {
  action: string;
  to: { stage: LoanStage; status: LoanStatus };
  origination: OriginationState;
  reason?: string | null;
  /** Work the workflow does after persisting the transition. */
  effect?: 'ASSESS_RISK' | 'GENERATE_AGREEMENT' | 'ACTIVATE';
}

export interface PlanContext {
  state: LoanState;
  origination: OriginationState;
  product: LoanProductTerms;
  nowMs: number;
  timers: Timers;
}

const fail = (code: 'FORBIDDEN' | 'INVALID_STAGE' | 'CONFLICT', message: string) => new DomainError(code, message);

function reason(value: string | null | undefined, required: boolean): string | null {
  const r = (value ?? '').trim();
  if (required && !r) throw new ValidationError('reason', 'is required');
  if (r.length > MAX_REASON_LENGTH) throw new ValidationError('reason', `must be at most ${MAX_REASON_LENGTH} characters`);
  return r || null;
}

/** The approval levels still missing, in order. */
export function pendingApprovals(o: OriginationState): ApprovalLevel[] {
  const required = o.risk?.requiredApprovals ?? ['INTERNAL'];
  return required.filter((level) => !o.approvals.some((a) => a.level === level));
}

function move(ctx: PlanContext, action: string, stage: LoanStage, origination: OriginationState, extra: Partial<ActionPlan> = {}): ActionPlan {
  return { action, to: { stage, status: statusFor(stage) }, origination, ...extra };
}

function stay(ctx: PlanContext, action: string, origination: OriginationState): ActionPlan {
  return move(ctx, action, ctx.state.stage, origination);
}

/**
 * Checks role, stage and input for `action` and returns what it does; throws a typed DomainError
 * (FORBIDDEN, INVALID_STAGE, CONFLICT, BAD_USER_INPUT) otherwise. Ownership of a customer's loan is
 * checked by the service, which knows the customer behind the login.
 */
export function planAction<A extends LoanActionName>(ctx: PlanContext, action: A, actor: ActorRef, payload: ActionPayloads[A]): ActionPlan {
  const rule = LOAN_ACTIONS[action];
  if (!rule) throw new ValidationError('action', 'unknown action');
  if (!(rule.roles as readonly string[]).includes(actor.role)) throw fail('FORBIDDEN', `${action} requires one of the roles ${rule.roles.join(', ')}`);
  if (action === 'withdrawApplication' ? !canWithdraw(ctx.state.stage) : !(rule.stages as readonly string[]).includes(ctx.state.stage)) {
    throw fail('INVALID_STAGE', `${action} is not possible in stage ${ctx.state.stage} (status ${ctx.state.status})`);
  }
  const o: OriginationState = JSON.parse(JSON.stringify(ctx.origination));
  const p = payload as Record<string, unknown>;

  switch (action) {
    case 'submitApplication':
      return move(ctx, 'APPLICATION_SUBMITTED', 'KYC_REVIEW', o);
    case 'assignKycReviewer': {
      if (typeof p.reviewerId !== 'string' || !p.reviewerId) throw new ValidationError('reviewerId', 'is required');
      o.kycReviewerId = p.reviewerId;
      return stay(ctx, 'KYC_REVIEWER_ASSIGNED', o);
    }
    case 'completeKycChecklist': {
      if (o.kycReviewerId && o.kycReviewerId !== actor.id) throw fail('FORBIDDEN', 'Only the assigned KYC reviewer may complete the checklist');
      const items = (p.items ?? {}) as Record<string, unknown>;
      for (const [key, value] of Object.entries(items)) {
        if (!(KYC_CHECKLIST_ITEMS as readonly string[]).includes(key) || typeof value !== 'boolean') {
          throw new ValidationError(`items.${key}`, `must be one of ${KYC_CHECKLIST_ITEMS.join(', ')} with true or false`);
        }
      }
      o.kycChecklist = { ...o.kycChecklist, ...(items as OriginationState['kycChecklist']) };
      return stay(ctx, 'KYC_CHECKLIST_UPDATED', o);
    }
    case 'decideKyc': {
      const r = reason(p.reason as string, !p.approve);
      if (!p.approve) return move(ctx, 'KYC_REJECTED', 'REJECTED', o, { reason: r });
      const missing = KYC_CHECKLIST_ITEMS.filter((i) => o.kycChecklist[i] !== true);
      if (missing.length) throw fail('CONFLICT', `The KYC checklist is incomplete: ${missing.join(', ')}`);
      return move(ctx, 'KYC_APPROVED', 'RISK_ASSESSMENT', o, { reason: r, effect: 'ASSESS_RISK' });
    }
    case 'decideRisk': {
      if (!o.risk) throw fail('CONFLICT', 'The risk assessment has not finished yet');
      if (o.risk.decision !== 'MANUAL_REVIEW') throw fail('CONFLICT', 'This application needs no risk decision');
      const r = reason(p.reason as string, !p.approve);
      return p.approve ? move(ctx, 'RISK_APPROVED', 'DISCUSSION', o, { reason: r }) : move(ctx, 'RISK_REJECTED', 'REJECTED', o, { reason: r });
    }
    case 'sendOffer': {
      const raw = { principal: String(p.principal), annualInterestRate: String(p.annualInterestRate), numberOfRepayments: Number(p.numberOfRepayments) };
      validateLoanApplication(ctx.product, { ...raw, currencyCode: ctx.product.currencyCode });
      // Stored canonical ("9500.00" → "9500") so offers compare and display alike whoever typed them.
      const offer = { ...raw, principal: new Decimal(raw.principal).toFixed(), annualInterestRate: new Decimal(raw.annualInterestRate).toFixed() };
      if (o.risk?.maxPrincipal && new Decimal(offer.principal).gt(o.risk.maxPrincipal)) {
        throw new ValidationError('principal', `must not exceed ${o.risk.maxPrincipal}, the limit set by the risk assessment`);
      }
      o.offer = { ...offer, number: (o.offer?.number ?? 0) + 1, offeredBy: actor.id, expiresAtMs: ctx.nowMs + ctx.timers.offerTtlMs };
      // Only offers that name a first repayment date carry the field (older offers replay unchanged).
      if (p.repaymentsStartingFromDate !== undefined) {
        const first = p.repaymentsStartingFromDate;
        if (first !== null && (typeof first !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(first))) throw new ValidationError('repaymentsStartingFromDate', 'must be a date YYYY-MM-DD');
        o.offer.repaymentsStartingFromDate = first as string | null;
      }
      return stay(ctx, o.offer.number === 1 ? 'OFFER_SENT' : 'OFFER_COUNTERED', o);
    }
    case 'acceptOffer':
    case 'declineOffer': {
      if (!o.offer) throw fail('CONFLICT', 'There is no open offer');
      if (o.offer.number !== p.offerNumber) throw fail('CONFLICT', `Offer ${String(p.offerNumber)} was replaced by offer ${o.offer.number}`);
      if (action === 'declineOffer') return move(ctx, 'OFFER_DECLINED', 'DECLINED', o, { reason: reason(p.reason as string, false) });
      o.acceptedOffer = o.offer;
      o.offer = null;
      if (pendingApprovals(o).length === 0) {
        return move(ctx, 'OFFER_ACCEPTED', 'AGREEMENT', o, { effect: 'GENERATE_AGREEMENT' });
      }
      return move(ctx, 'OFFER_ACCEPTED', 'APPROVAL', o);
    }
    case 'approveLoan':
    case 'rejectLoan': {
      const level = p.level as ApprovalLevel;
      if (!(APPROVAL_LEVELS as readonly string[]).includes(level)) throw new ValidationError('level', `must be one of ${APPROVAL_LEVELS.join(', ')}`);
      if (APPROVAL_LEVEL_ROLE[level] !== actor.role) throw fail('FORBIDDEN', `Level ${level} is decided by ${APPROVAL_LEVEL_ROLE[level]}`);
      if (actor.id === o.applicantId) throw fail('FORBIDDEN', 'Four-eyes: nobody decides on an application they submitted');
      const pending = pendingApprovals(o);
      if (!pending.includes(level)) throw fail('CONFLICT', `Level ${level} is not pending (pending: ${pending.join(', ') || 'none'})`);
      if (pending[0] !== level) throw fail('CONFLICT', `Level ${pending[0]} must be decided before ${level}`);
      if (action === 'rejectLoan') return move(ctx, `REJECTED_AT_${level}`, 'REJECTED', o, { reason: reason(p.reason as string, true) });
      if (o.approvals.some((a) => a.actorId === actor.id)) throw fail('FORBIDDEN', 'Four-eyes: the same person may not approve two levels of one loan');
      o.approvals.push({ level, actorId: actor.id, atMs: ctx.nowMs });
      if (pendingApprovals(o).length === 0) return move(ctx, `APPROVED_AT_${level}`, 'AGREEMENT', o, { effect: 'GENERATE_AGREEMENT' });
      return stay(ctx, `APPROVED_AT_${level}`, o);
    }
    case 'signAgreement':
    case 'uploadSignedAgreement': {
      if (!o.agreement) throw fail('CONFLICT', 'The agreement is still being generated');
      if (action === 'signAgreement') {
        const name = String(p.signerName ?? '').trim();
        if (!name || name.length > 200) throw new ValidationError('signerName', 'is required (at most 200 characters)');
        if (p.documentHash !== o.agreement.documentHash) throw fail('CONFLICT', 'The agreement you signed is not the current one (hash mismatch)');
        o.agreement = { ...o.agreement, signedBy: actor.id, signerName: name, signedAtMs: ctx.nowMs, signerIp: (p.ip as string) ?? null, signedVia: 'E_SIGNATURE' };
      } else {
        if (typeof p.documentId !== 'string' || !p.documentId) throw new ValidationError('documentId', 'is required');
        if (typeof p.documentHash !== 'string' || !/^[0-9a-f]{64}$/.test(p.documentHash)) throw new ValidationError('documentHash', 'must be a sha256 hex digest');
        // The generated agreement stays referenced; the signed scan is recorded beside it.
        o.agreement = { ...o.agreement, signedBy: actor.id, signedAtMs: ctx.nowMs, signedVia: 'SIGNED_UPLOAD', signedDocumentId: p.documentId, signedDocumentHash: p.documentHash };
      }
      return move(ctx, 'AGREEMENT_SIGNED', 'ACTIVATION', o);
    }
    case 'activateLoan': {
      const date = String(p.disbursementDate ?? '');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ValidationError('disbursementDate', 'must be a date YYYY-MM-DD');
      // Agreement = booking: the signed schedule was drawn for one disbursement date; another date needs a new agreement.
      const drawnFor = o.agreement?.disbursementDate;
      if (drawnFor && drawnFor !== date) {
        throw fail('CONFLICT', `The signed agreement is drawn for a disbursement on ${drawnFor}; activate on that date or redraw the agreement (redrawAgreement) for a new signature`);
      }
      o.disbursementDate = date;
      return move(ctx, 'ACTIVATED', 'REPAYMENT', o, { effect: 'ACTIVATE' });
    }
    case 'redrawAgreement':
      // The document is drawn again for today's business date; the borrower signs the new one.
      o.agreement = null;
      return move(ctx, 'AGREEMENT_REDRAWN', 'AGREEMENT', o, { effect: 'GENERATE_AGREEMENT' });
    case 'withdrawApplication':
      return move(ctx, 'WITHDRAWN', 'WITHDRAWN', o, { reason: reason(p.reason as string, false) });
  }
  throw new ValidationError('action', 'unknown action');
}

/** How a finished risk assessment moves the loan (a SYSTEM step, not a person's action). */
export function planRiskResult(ctx: PlanContext, result: RiskResult): ActionPlan {
  const o: OriginationState = { ...JSON.parse(JSON.stringify(ctx.origination)), risk: result };
  if (result.decision === 'AUTO_REJECT') return move(ctx, 'RISK_AUTO_REJECTED', 'REJECTED', o, { reason: result.reasons.join('; ') || null });
  if (result.decision === 'MANUAL_REVIEW') return stay(ctx, 'RISK_ASSESSED', o);
  return move(ctx, 'RISK_ASSESSED', 'DISCUSSION', o);
}

/** The agreement document is ready: the customer may now sign until it expires. */
export function planAgreementGenerated(ctx: PlanContext, documentId: string, documentHash: string, disbursementDate?: string): ActionPlan {
  const o: OriginationState = JSON.parse(JSON.stringify(ctx.origination));
  o.agreement = { documentId, documentHash, generatedAtMs: ctx.nowMs, expiresAtMs: ctx.nowMs + ctx.timers.agreementTtlMs, ...(disbursementDate ? { disbursementDate } : {}) };
  return stay(ctx, 'AGREEMENT_GENERATED', o);
}

/** A deadline passed: an unanswered offer or an unsigned agreement expires the application. */
export function planExpiry(ctx: PlanContext): ActionPlan | null {
  if (ctx.state.stage === 'DISCUSSION' && ctx.origination.offer && ctx.nowMs >= ctx.origination.offer.expiresAtMs) {
    return move(ctx, 'OFFER_EXPIRED', 'EXPIRED', ctx.origination);
  }
  const a = ctx.origination.agreement;
  if (ctx.state.stage === 'AGREEMENT' && a && !a.signedAtMs && ctx.nowMs >= a.expiresAtMs) {
    return move(ctx, 'AGREEMENT_EXPIRED', 'EXPIRED', ctx.origination);
  }
  return null;
}

/** The next deadline the workflow must wake up for, if any. */
export function nextDeadline(state: LoanState, o: OriginationState): number | null {
  if (state.stage === 'DISCUSSION' && o.offer) return o.offer.expiresAtMs;
  if (state.stage === 'AGREEMENT' && o.agreement && !o.agreement.signedAtMs) return o.agreement.expiresAtMs;
  return null;
}
