/**
 * Reschedule requests for active loans: a LOAN_OFFICER submits new terms (annual rate, number of
 * remaining repayments, next due date) with a reason; a MANAGER who did not submit it (four-eyes)
 * approves — the loan workflow's `servicing` Update of kind RESCHEDULE regenerates the unpaid part of
 * the schedule in one transaction (reschedule.service.ts) — or rejects it with a reason.
 */
import { LockMode, type FilterQuery } from '@mikro-orm/core';
import { compareDates, requireLocalDate } from '../domain/dates';
import { ConflictError, InvalidStageError, NotFoundError, ValidationError } from '../domain/errors';
import { parseDecimal } from '../domain/money';
import { planReschedule } from '../domain/reschedule';
import { LoanEvent, LoanProduct, RescheduleRequest, type Loan } from '../entities';
import { RESCHEDULE_STATUSES, type RescheduleStatus } from '../entities/reschedule-request.entity';
import { actingAs, forbidden } from './authorization';
import { currentBusinessDate } from './business-date.service';
import type { Actor, ServiceContext } from './context';
import { loanInstallments } from './loan-account.service';
import { getLoan } from './loan.service';
import { performServicing } from './loan-servicing.service';
import { currentLoanTerms } from './reschedule.service';
import { toDomainInstallment } from './servicing.service';
import { isUniqueViolation, requireText, requireUuid } from './validation';

export const RESCHEDULE_SUBMIT_ROLES = ['LOAN_OFFICER'] as const;
export const RESCHEDULE_DECIDE_ROLES = ['MANAGER'] as const;
export const RESCHEDULE_READ_ROLES = ['LOAN_OFFICER', 'MANAGER', 'RISK_MANAGER', 'ADMIN'] as const;

export interface RescheduleInput {
  annualInterestRate?: string | null;
  numberOfRepayments?: number | null;
  nextDueDate?: string | null;
  reason?: string | null;
}

export function rescheduleRequestId(id: string): string {
  return `reschedule-${id}`;
}

function assertActive(loan: Loan): void {
  if (loan.status !== 'ACTIVE' || loan.stage !== 'REPAYMENT') {
    throw new InvalidStageError(`Only an active loan can be rescheduled; the loan is ${loan.stage} (status ${loan.status})`);
  }
}

function timeline(ctx: ServiceContext, loan: Loan, requestId: string, action: string, actor: Actor, reason: string, data: Record<string, unknown>) {
  return ctx.em.create(LoanEvent, {
    loan: loan.id, requestId, action, fromStage: loan.stage, toStage: loan.stage, fromStatus: loan.status, toStatus: loan.status,
    actor: actor.id, actorRole: actor.role, reason, data,
  });
}

/** Validates the new terms against the product and the business date, and plans them on the current schedule (a dry run). */
async function validateTerms(ctx: ServiceContext, loan: Loan, input: RescheduleInput) {
  const product = await ctx.em.findOneOrFail(LoanProduct, loan.product.id);
  if (input.annualInterestRate == null && input.numberOfRepayments == null && input.nextDueDate == null) {
    throw new ValidationError('annualInterestRate', 'give at least one of annualInterestRate, numberOfRepayments, nextDueDate');
  }
  let rate: string | null = null;
  if (input.annualInterestRate != null) {
    const r = parseDecimal(input.annualInterestRate);
    if (!r || r.lt(product.minInterestRate) || r.gt(product.maxInterestRate) || r.decimalPlaces() > 6) {
      throw new ValidationError('annualInterestRate', `must be a decimal from ${product.minInterestRate.toFixed()} to ${product.maxInterestRate.toFixed()} (the product's range)`);
    }
    rate = r.toFixed();
  }
  const n = input.numberOfRepayments;
  if (n != null && (!Number.isInteger(n) || n < 1 || n > product.maxNumberOfRepayments)) {
    throw new ValidationError('numberOfRepayments', `must be a whole number from 1 to ${product.maxNumberOfRepayments}`);
  }
  let nextDueDate: string | null = null;
  if (input.nextDueDate != null) {
    nextDueDate = requireLocalDate('nextDueDate', input.nextDueDate);
    const businessDate = await currentBusinessDate(ctx.em);
    if (compareDates(nextDueDate, businessDate) <= 0) throw new ValidationError('nextDueDate', `must be after the business date ${businessDate}`);
  }
  const rows = await loanInstallments(ctx.em, loan.id);
  const plan = planReschedule(currentLoanTerms(loan, product), rows.map(toDomainInstallment), new Map(rows.map((r) => [r.installmentNumber, r.interestAccrued])), {
    annualInterestRate: rate, numberOfRepayments: n ?? null, nextDueDate,
  });
  return { rate, numberOfRepayments: n ?? null, nextDueDate, plan };
}

export async function submitRescheduleRequest(ctx: ServiceContext, loanId: string, input: RescheduleInput): Promise<RescheduleRequest> {
  const actor = actingAs(ctx.actor, RESCHEDULE_SUBMIT_ROLES);
  const loan = await getLoan(ctx, loanId, 'loanId');
  assertActive(loan);
  const reason = requireText('reason', input.reason, 500);
  const terms = await validateTerms(ctx, loan, input);
  const request = ctx.em.create(RescheduleRequest, {
    loan: loan.id, annualInterestRate: terms.rate ? parseDecimal(terms.rate)! : null, numberOfRepayments: terms.numberOfRepayments,
    nextDueDate: terms.nextDueDate, reason, submittedBy: actor.id,
  });
  timeline(ctx, loan, `reschedule-requested-${request.id}`, 'RESCHEDULE_REQUESTED', actor, reason, {
    rescheduleRequestId: request.id, annualInterestRate: terms.rate, numberOfRepayments: terms.numberOfRepayments, nextDueDate: terms.nextDueDate,
    fromInstallment: terms.plan.fromInstallment,
  });
  try {
    await ctx.em.flush();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('A reschedule request for this loan is already pending; approve or reject it first', 'loanId');
    throw err;
  }
  return request;
}

async function loadRequest(ctx: ServiceContext, id: string, lock = false): Promise<RescheduleRequest> {
  const found = await ctx.em.findOne(RescheduleRequest, requireUuid('id', id), lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : { refresh: true });
  if (!found) throw new NotFoundError('RescheduleRequest', id, 'id');
  return found;
}

/**
 * Approves a pending request: the loan workflow's servicing Update (kind RESCHEDULE, key
 * reschedule-<id>) regenerates the schedule and marks the request APPROVED in one transaction.
 * Approving an approved request returns it; a rejected one is a CONFLICT; the submitter is FORBIDDEN.
 */
export async function approveRescheduleRequest(ctx: ServiceContext, id: string): Promise<RescheduleRequest> {
  const actor = actingAs(ctx.actor, RESCHEDULE_DECIDE_ROLES);
  const request = await loadRequest(ctx, id);
  if (request.status === 'APPROVED') return request;
  if (request.status === 'REJECTED') throw new ConflictError(`Reschedule request ${request.id} was rejected`);
  if (request.submittedBy === actor.id) throw forbidden('Four-eyes: the submitter of a reschedule request may not decide it');
  await performServicing(ctx, request.loan.id, 'RESCHEDULE', { rescheduleRequestId: request.id }, rescheduleRequestId(request.id));
  return loadRequest(ctx, request.id);
}

/** Rejects a pending request with a reason (not by its submitter); rejecting again returns it; an approved one is a CONFLICT. */
export async function rejectRescheduleRequest(ctx: ServiceContext, id: string, reasonInput: string): Promise<RescheduleRequest> {
  const actor = actingAs(ctx.actor, RESCHEDULE_DECIDE_ROLES);
  const reason = requireText('reason', reasonInput, 500);
  return ctx.em.transactional(async (em) => {
    const tctx = { ...ctx, em };
    const request = await loadRequest(tctx, id, true);
    if (request.status === 'REJECTED') return request;
    if (request.status === 'APPROVED') throw new ConflictError(`Reschedule request ${request.id} was approved`);
    if (request.submittedBy === actor.id) throw forbidden('Four-eyes: the submitter of a reschedule request may not decide it');
    request.status = 'REJECTED';
    request.decidedBy = actor.id;
    request.decidedAt = new Date();
    request.rejectionReason = reason;
    const loan = await getLoan(tctx, request.loan.id);
    timeline(tctx, loan, `reschedule-rejected-${request.id}`, 'RESCHEDULE_REJECTED', actor, reason, { rescheduleRequestId: request.id });
    await em.flush();
    return request;
  });
}

export async function getRescheduleRequest(ctx: ServiceContext, id: string): Promise<RescheduleRequest> {
  actingAs(ctx.actor, RESCHEDULE_READ_ROLES);
  return loadRequest(ctx, id);
}

/** Requests, oldest first (at most 100): of one loan and/or in one status. */
export async function listRescheduleRequests(ctx: ServiceContext, filter: { loanId?: string | null; status?: RescheduleStatus | null }): Promise<RescheduleRequest[]> {
  actingAs(ctx.actor, RESCHEDULE_READ_ROLES);
  const where: FilterQuery<RescheduleRequest> = {};
  if (filter.loanId) where.loan = requireUuid('loanId', filter.loanId);
  if (filter.status) {
    if (!(RESCHEDULE_STATUSES as readonly string[]).includes(filter.status)) throw new ValidationError('status', `must be one of ${RESCHEDULE_STATUSES.join(', ')}`);
    where.status = filter.status;
  }
  return ctx.em.find(RescheduleRequest, where, { orderBy: { submittedAt: 'asc', id: 'asc' }, limit: 100 });
}
