/**
 * Proofs of payment: a customer (their own loan) or staff uploads a PAYMENT_PROOF document for an
 * active loan with the amount and date claimed (POST /documents, see document.service.ts); it waits
 * in the officers' queue; a LOAN_OFFICER or MANAGER other than the uploader verifies it, which records
 * the repayment through the loan workflow (`performServicing(... 'REPAYMENT' ...)`, idempotency key
 * `proof-<id>`), or rejects it with a reason. Every step leaves a timeline row.
 */
import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { compareDates, requireLocalDate } from '../domain/dates';
import { ConflictError, InvalidStageError, NotFoundError, ValidationError } from '../domain/errors';
import { parseDecimal, type Decimal } from '../domain/money';
import { Loan, LoanEvent, LoanProduct, LoanTransaction, PaymentProof } from '../entities';
import { PAYMENT_PROOF_STATUSES, type PaymentProofStatus } from '../entities/payment-proof.entity';
import { actingAs, canAccessCustomer, forbidden } from './authorization';
import { currentBusinessDate } from './business-date.service';
import type { Actor, ServiceContext } from './context';
import { getLoan } from './loan.service';
import { performServicing } from './loan-servicing.service';
import { decodeCursor, pageSize, type Page } from './pagination';
import { optionalText, requireText, requireUuid } from './validation';

export const PAYMENT_PROOF = 'PAYMENT_PROOF';
/** Who works the queue and decides. */
export const PAYMENT_PROOF_OFFICER_ROLES = ['LOAN_OFFICER', 'MANAGER'] as const;

export function proofRequestId(proofId: string): string {
  return `proof-${proofId}`;
}

export interface PaymentClaimInput {
  amount?: string | null;
  paymentDate?: string | null;
  paymentReference?: string | null;
}

export interface PaymentClaim {
  amount: Decimal;
  paymentDate: string;
  paymentReference: string | null;
}

/** The loan must be active (repayment stage) for a proof of payment. */
export function assertProofStage(loan: Loan): void {
  if (loan.status !== 'ACTIVE' || loan.stage !== 'REPAYMENT') {
    throw new InvalidStageError(`A proof of payment needs an active loan; the loan is ${loan.stage} (status ${loan.status})`);
  }
}

/** Checks what the uploader claims: a positive amount in the currency's digits, a date from disbursement to the business date. */
export async function validatePaymentClaim(em: EntityManager, loan: Loan, input: PaymentClaimInput): Promise<PaymentClaim> {
  const amount = parseDecimal(input.amount ?? undefined);
  if (!amount || amount.lte(0)) throw new ValidationError('amount', 'must be a positive decimal');
  const product = await em.findOneOrFail(LoanProduct, loan.product.id);
  if (amount.decimalPlaces() > product.digitsAfterDecimal) throw new ValidationError('amount', `must have at most ${product.digitsAfterDecimal} decimal places`);
  if (input.paymentDate == null || input.paymentDate === '') throw new ValidationError('paymentDate', 'is required (YYYY-MM-DD)');
  const paymentDate = requireLocalDate('paymentDate', input.paymentDate);
  const businessDate = await currentBusinessDate(em);
  if (compareDates(paymentDate, businessDate) > 0) throw new ValidationError('paymentDate', `must not be after the business date ${businessDate}`);
  if (loan.disbursedOn && compareDates(paymentDate, loan.disbursedOn) < 0) throw new ValidationError('paymentDate', `must not be before the disbursement on ${loan.disbursedOn}`);
  return { amount, paymentDate, paymentReference: optionalText('paymentReference', input.paymentReference, 100) };
}

function audit(em: EntityManager, loan: Loan, requestId: string, action: string, actor: Actor, data: Record<string, unknown>, reason?: string | null): void {
  em.create(LoanEvent, {
    loan: loan.id, requestId, action, fromStage: loan.stage, toStage: loan.stage, fromStatus: loan.status, toStatus: loan.status,
    actor: actor.id, actorRole: actor.role, reason: reason ?? null, data,
  });
}

/** Inside the upload's transaction (the loan locked): the proof row and its timeline entry. */
export function createPaymentProof(em: EntityManager, loan: Loan, documentId: string, claim: PaymentClaim, actor: Actor): PaymentProof {
  const proof = em.create(PaymentProof, {
    loan: loan.id, customer: loan.customer.id, document: documentId, amount: claim.amount, paymentDate: claim.paymentDate,
    paymentReference: claim.paymentReference, submittedBy: actor.id, submittedByRole: actor.role,
  });
  audit(em, loan, `payment-proof-submitted-${proof.id}`, 'PAYMENT_PROOF_SUBMITTED', actor, {
    paymentProofId: proof.id, documentId, amount: claim.amount.toFixed(), paymentDate: claim.paymentDate, paymentReference: claim.paymentReference,
  });
  return proof;
}

async function loadProof(ctx: ServiceContext, em: EntityManager, id: string, lock = false): Promise<PaymentProof> {
  const proofId = requireUuid('id', id);
  const proof = await em.findOne(PaymentProof, proofId, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!proof) throw new NotFoundError('PaymentProof', id, 'id');
  if (!canAccessCustomer(ctx.actor, proof.customer.id)) throw forbidden();
  return proof;
}

/** One proof: its customer, or staff. */
export async function getPaymentProof(ctx: ServiceContext, id: string): Promise<PaymentProof> {
  if (!ctx.actor.authenticated) throw forbidden('Sign in first');
  return loadProof(ctx, ctx.em, id);
}

/** A loan's proofs, oldest first: the loan's customer, or staff. */
export async function loanPaymentProofs(ctx: ServiceContext, loanId: string): Promise<PaymentProof[]> {
  const loan = await getLoan(ctx, loanId, 'loanId');
  return ctx.em.find(PaymentProof, { loan: loan.id }, { orderBy: { submittedAt: 'asc', id: 'asc' } });
}

export interface PaymentProofQueueFilter {
  status?: PaymentProofStatus | null;
  loanId?: string | null;
}

/** The officers' queue: proofs in a status (SUBMITTED by default), oldest first, keyset-paginated. */
export async function paymentProofQueue(ctx: ServiceContext, filter: PaymentProofQueueFilter = {}, first?: number | null, after?: string | null): Promise<Page<PaymentProof>> {
  actingAs(ctx.actor, PAYMENT_PROOF_OFFICER_ROLES);
  const limit = pageSize(first);
  const status = filter.status ?? 'SUBMITTED';
  if (!(PAYMENT_PROOF_STATUSES as readonly string[]).includes(status)) throw new ValidationError('filter.status', `must be one of ${PAYMENT_PROOF_STATUSES.join(', ')}`);
  const where: FilterQuery<PaymentProof> = { status };
  if (filter.loanId) where.loan = requireUuid('filter.loanId', filter.loanId);
  const totalCount = await ctx.em.count(PaymentProof, where);
  const pageWhere: FilterQuery<PaymentProof> = { ...where };
  if (after) {
    const c = decodeCursor(after);
    pageWhere.$or = [{ submittedAt: { $gt: c.createdAt } }, { submittedAt: c.createdAt, id: { $gt: c.id } }];
  }
  const rows = await ctx.em.find(PaymentProof, pageWhere, { orderBy: { submittedAt: 'asc', id: 'asc' }, limit: limit + 1 });
  return { items: rows.slice(0, limit), hasNextPage: rows.length > limit, totalCount };
}

/**
 * Verifies a submitted proof: records the claimed amount as a repayment on the claimed date through
 * the loan workflow (key `proof-<id>`), then marks the proof VERIFIED with the transaction, all while
 * holding the proof's row lock (a concurrent reject waits and then finds it verified). The uploader
 * may not verify their own proof. Verifying a verified proof returns it; a rejected one is a CONFLICT.
 * If the repayment is refused (loan locked, closed, date out of range) nothing changes.
 */
export async function verifyPaymentProof(ctx: ServiceContext, id: string): Promise<PaymentProof> {
  const actor = actingAs(ctx.actor, PAYMENT_PROOF_OFFICER_ROLES);
  return ctx.em.transactional(async (em) => {
    const proof = await loadProof(ctx, em, id, true);
    if (proof.status === 'VERIFIED') return proof;
    if (proof.status === 'REJECTED') throw new ConflictError(`Payment proof ${proof.id} was rejected; it cannot be verified`);
    if (proof.submittedBy === actor.id) throw forbidden('Four-eyes: the person who uploaded a proof of payment may not verify it');
    const tx = await performServicing({ ...ctx, em: ctx.em.fork() }, proof.loan.id, 'REPAYMENT', {
      amount: proof.amount.toFixed(), transactionDate: proof.paymentDate,
    }, proofRequestId(proof.id));
    proof.status = 'VERIFIED';
    proof.decidedBy = actor.id;
    proof.decidedAt = new Date();
    proof.transaction = em.getReference(LoanTransaction, tx.id, { wrapped: true });
    const loan = await em.findOneOrFail(Loan, proof.loan.id, { refresh: true });
    audit(em, loan, `payment-proof-verified-${proof.id}`, 'PAYMENT_PROOF_VERIFIED', actor, {
      paymentProofId: proof.id, transactionId: tx.id, amount: proof.amount.toFixed(), paymentDate: proof.paymentDate,
    });
    await em.flush();
    return proof;
  });
}

/** Rejects a submitted proof with a reason; rejecting it again returns it; a verified one is a CONFLICT. */
export async function rejectPaymentProof(ctx: ServiceContext, id: string, reasonInput: string): Promise<PaymentProof> {
  const actor = actingAs(ctx.actor, PAYMENT_PROOF_OFFICER_ROLES);
  const reason = requireText('reason', reasonInput, 500);
  return ctx.em.transactional(async (em) => {
    const proof = await loadProof(ctx, em, id, true);
    if (proof.status === 'REJECTED') return proof;
    if (proof.status === 'VERIFIED') throw new ConflictError(`Payment proof ${proof.id} was verified; it cannot be rejected`);
    // A verification that recorded the repayment but did not finish: it must be completed, not rejected.
    if (await em.findOne(LoanTransaction, { loan: proof.loan.id, requestId: proofRequestId(proof.id) })) {
      throw new ConflictError(`A repayment was already recorded for payment proof ${proof.id}; verify it to finish`);
    }
    proof.status = 'REJECTED';
    proof.decidedBy = actor.id;
    proof.decidedAt = new Date();
    proof.rejectionReason = reason;
    const loan = await em.findOneOrFail(Loan, proof.loan.id);
    audit(em, loan, `payment-proof-rejected-${proof.id}`, 'PAYMENT_PROOF_REJECTED', actor, { paymentProofId: proof.id }, reason);
    await em.flush();
    return proof;
  });
}

/** Plain JSON for the upload route's response. */
export function paymentProofView(p: PaymentProof) {
  return {
    id: p.id, loanId: p.loan.id, documentId: p.document.id, amount: p.amount.toFixed(), paymentDate: p.paymentDate,
    paymentReference: p.paymentReference ?? null, status: p.status, submittedBy: p.submittedBy, submittedAt: p.submittedAt,
  };
}
