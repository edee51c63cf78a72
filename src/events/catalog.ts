/**
 * Every business event type the platform publishes: its category (the first part of the RabbitMQ
 * routing key), its Avro payload schema (src/events/avro/<Schema>.avsc.json, versioned by name) and
 * the TypeScript shape of its payload. Consumers generate their types from the .avsc.json files.
 */

export const EVENT_CATEGORIES = ['LOAN', 'COB', 'NOTIFICATION', 'BULK'] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

interface LoanTransitionPayload {
  loanId: string;
  customerId: string;
  action: string;
  fromStage: string | null;
  toStage: string;
  fromStatus: string | null;
  toStatus: string;
  actorId: string;
  actorRole: string;
  reason: string | null;
  occurredAt: string;
  version: number;
}

/** Payload type per event type. Money is always a decimal string. Optional fields default to null/"0". */
export interface EventPayloads {
  LoanCreated: {
    loanId: string; customerId: string; productId: string; principal: string; currencyCode: string; annualInterestRate: string;
    numberOfRepayments: number; stage: string; status: string; submittedAt: string; actorId: string; actorRole: string;
  };
  LoanStageChanged: LoanTransitionPayload;
  LoanActionRecorded: LoanTransitionPayload;
  LoanApproved: LoanTransitionPayload & { approvedPrincipal: string | null; currencyCode: string };
  LoanRejected: LoanTransitionPayload;
  LoanDisbursed: LoanTransitionPayload & { principal: string; currencyCode: string; disbursedOn: string | null };
  LoanClosed: {
    loanId: string; customerId: string; status: string; closedOn?: string | null; closedAt: string; reason?: string | null; actorId: string; actorRole: string;
  };
  LoanWrittenOff: {
    loanId: string; customerId: string; writtenOffOn: string; currencyCode: string; principalWrittenOff: string; interestWrittenOff?: string;
    feeChargesWrittenOff?: string; penaltyChargesWrittenOff?: string; totalWrittenOff: string; reason?: string | null; actorId: string; actorRole: string;
  };
  LoanRepaymentRecorded: {
    loanId: string; customerId: string; transactionId: string; transactionDate: string; currencyCode: string; amount: string;
    principalPortion?: string; interestPortion?: string; feeChargesPortion?: string; penaltyChargesPortion?: string; overpaymentPortion?: string;
    outstandingBalance?: string | null; externalId?: string | null; actorId: string; actorRole: string;
  };
  PenaltyApplied: {
    loanId: string; customerId: string; appliedOn: string; currencyCode: string; amount: string; installmentNumber?: number | null;
    dueDate?: string | null; chargeName?: string | null;
  };
  LoanChargeAdded: {
    loanId: string; customerId: string; loanChargeId: string; chargeId: string; chargeName: string; penalty: boolean; currencyCode: string;
    amount: string; dueDate: string; installmentNumber: number; transactionId: string; outstandingBalance?: string | null; actorId: string; actorRole: string;
  };
  LoanChargeWaived: {
    loanId: string; customerId: string; loanChargeId: string; chargeName: string; penalty: boolean; currencyCode: string; amount: string;
    installmentNumber: number; transactionId: string; reason?: string | null; actorId: string; actorRole: string;
  };
  CobLoanProcessed: {
    loanId: string; businessDate: string; steps: string[]; status: 'SUCCESS' | 'FAILED'; error?: string | null; daysPastDue?: number | null;
    outstandingBalance?: string | null;
  };
  NotificationCreated: {
    notificationId: string; userId: string; eventType: string; loanId: string | null; title: string; body: string; createdAt: string;
  };
}

export type EventType = keyof EventPayloads;

export interface EventTypeInfo {
  category: EventCategory;
  /** Simple name of the Avro schema (file src/events/avro/<schema>.avsc.json). */
  schema: string;
  description: string;
}

export const EVENT_TYPES: Record<EventType, EventTypeInfo> = {
  LoanCreated: { category: 'LOAN', schema: 'LoanCreatedV1', description: 'A loan application was submitted' },
  LoanStageChanged: { category: 'LOAN', schema: 'LoanStageChangedV1', description: 'The loan moved to another stage or status' },
  LoanActionRecorded: { category: 'LOAN', schema: 'LoanActionRecordedV1', description: 'An action on the loan that did not change its stage' },
  LoanApproved: { category: 'LOAN', schema: 'LoanApprovedV1', description: 'All required approval levels approved the loan' },
  LoanRejected: { category: 'LOAN', schema: 'LoanRejectedV1', description: 'KYC, risk or an approver rejected the loan' },
  LoanDisbursed: { category: 'LOAN', schema: 'LoanDisbursedV1', description: 'The loan was activated and disbursed' },
  LoanClosed: { category: 'LOAN', schema: 'LoanClosedV1', description: 'The loan was closed' },
  LoanWrittenOff: { category: 'LOAN', schema: 'LoanWrittenOffV1', description: 'The loan was written off' },
  LoanRepaymentRecorded: { category: 'LOAN', schema: 'LoanRepaymentRecordedV1', description: 'A repayment was posted to the loan' },
  PenaltyApplied: { category: 'LOAN', schema: 'PenaltyAppliedV1', description: 'An overdue penalty was charged' },
  LoanChargeAdded: { category: 'LOAN', schema: 'LoanChargeAddedV1', description: 'A charge was added to an active loan (addLoanCharge)' },
  LoanChargeWaived: { category: 'LOAN', schema: 'LoanChargeWaivedV1', description: 'A loan charge was waived (waiveLoanCharge component CHARGE)' },
  CobLoanProcessed: { category: 'COB', schema: 'CobLoanProcessedV1', description: 'Close of business processed the loan (inside a bulk message)' },
  NotificationCreated: { category: 'NOTIFICATION', schema: 'NotificationCreatedV1', description: 'A notification landed in a user inbox' },
};

/** The type of the one-message-per-loan-per-COB-run envelope (payload: BulkMessagePayloadV1). */
export const BULK_EVENT_TYPE = 'BulkBusinessEvent';
export const BULK_SCHEMA = 'BulkMessagePayloadV1';

/** Every type an ADMIN can enable or disable. */
export const ALL_EVENT_TYPES: string[] = [...Object.keys(EVENT_TYPES), BULK_EVENT_TYPE];

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_TYPES, type);
}

export function categoryOf(type: string): EventCategory {
  if (type === BULK_EVENT_TYPE) return 'BULK';
  if (!isEventType(type)) throw new Error(`Unknown event type ${type}`);
  return EVENT_TYPES[type].category;
}

/** RabbitMQ routing key: `<category>.<Type>`, e.g. `loan.LoanApproved`, `bulk.BulkBusinessEvent`. */
export function routingKeyOf(type: string): string {
  return `${categoryOf(type).toLowerCase()}.${type}`;
}

/** Transitions whose payloads carry a stage/status change (what `loanStageChanged` subscribers see). */
export const STAGE_CHANGE_EVENT_TYPES: readonly EventType[] = [
  'LoanStageChanged', 'LoanApproved', 'LoanRejected', 'LoanDisbursed',
];
