/**
 * Which event a loan's change produces, and its payload. Exactly one event per timeline row: the
 * transition's most specific type (rejected, approved, disbursed, closed), else LoanStageChanged when
 * the stage or status moved, else LoanActionRecorded.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Loan } from '../entities';
import type { Actor } from '../services/context';
import { recordEvent } from '../services/outbox.service';
import type { RecordTransitionInput } from '../workflows/messages';
import type { EventPayloads, EventType } from './catalog';

/** Idempotency key of the event of a loan's timeline row (requestId is unique per loan). */
export function transitionEventKey(loanId: string, requestId: string): string {
  return `loan-${loanId}-${requestId}`;
}

export function transitionEventType(t: Pick<RecordTransitionInput, 'fromStage' | 'toStage' | 'fromStatus' | 'toStatus' | 'activate'>): EventType {
  if (t.toStage === 'REJECTED') return 'LoanRejected';
  if (t.toStage === 'CLOSED') return 'LoanClosed';
  if (t.activate) return 'LoanDisbursed';
  if (t.toStatus === 'APPROVED' && t.fromStatus !== 'APPROVED') return 'LoanApproved';
  if (t.toStage !== t.fromStage || t.toStatus !== t.fromStatus) return 'LoanStageChanged';
  return 'LoanActionRecorded';
}

/** Records the event of a transition `recordTransition` is persisting (same transaction). */
export async function recordTransitionEvent(em: EntityManager, loan: Loan, t: RecordTransitionInput): Promise<void> {
  const type = transitionEventType(t);
  const occurredAt = new Date().toISOString();
  const base: EventPayloads['LoanStageChanged'] = {
    loanId: loan.id,
    customerId: loan.customer.id,
    action: t.action,
    fromStage: t.fromStage,
    toStage: t.toStage,
    fromStatus: t.fromStatus,
    toStatus: t.toStatus,
    actorId: t.actor.id,
    actorRole: t.actor.role,
    reason: t.reason ?? null,
    occurredAt,
    version: loan.version + 1,
  };
  const key = transitionEventKey(loan.id, t.requestId);
  switch (type) {
    case 'LoanClosed':
      await recordEvent(em, { type, aggregateId: loan.id, idempotencyKey: key, data: {
        loanId: loan.id, customerId: loan.customer.id, status: t.toStatus, closedOn: null, closedAt: occurredAt,
        reason: t.reason ?? null, actorId: t.actor.id, actorRole: t.actor.role,
      } });
      return;
    case 'LoanApproved':
      await recordEvent(em, { type, aggregateId: loan.id, idempotencyKey: key, data: {
        ...base, approvedPrincipal: t.origination?.acceptedOffer?.principal ?? null, currencyCode: loan.currencyCode,
      } });
      return;
    case 'LoanDisbursed':
      await recordEvent(em, { type, aggregateId: loan.id, idempotencyKey: key, data: {
        ...base, principal: loan.principal.toString(), currencyCode: loan.currencyCode, disbursedOn: loan.disbursedOn ?? null,
      } });
      return;
    default:
      await recordEvent(em, { type, aggregateId: loan.id, idempotencyKey: key, data: base });
  }
}

/** Records LoanCreated for a loan `applyForLoan` is inserting (same transaction). */
export async function recordLoanCreatedEvent(em: EntityManager, loan: Loan, actor: Actor): Promise<void> {
  await recordEvent(em, {
    type: 'LoanCreated',
    aggregateId: loan.id,
    idempotencyKey: `loan-${loan.id}-created`,
    data: {
      loanId: loan.id,
      customerId: loan.customer.id,
      productId: loan.product.id,
      principal: loan.principal.toString(),
      currencyCode: loan.currencyCode,
      annualInterestRate: loan.annualInterestRate.toString(),
      numberOfRepayments: loan.numberOfRepayments,
      stage: loan.stage,
      status: loan.status,
      submittedAt: loan.submittedAt.toISOString(),
      actorId: actor.id,
      actorRole: actor.role,
    },
  });
}
