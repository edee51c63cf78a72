/**
 * The servicing contract of the loan workflow (repayment stage) and of close of business. Plain JSON
 * payloads; money as decimal strings.
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActorRef } from '../domain/origination';

export const SERVICING_KINDS = ['REPAYMENT', 'PAYOFF', 'CREDIT_BALANCE_REFUND', 'WRITE_OFF', 'RECOVERY', 'REVERSAL', 'WAIVE', 'CLOSE', 'RESCHEDULE', 'ADD_CHARGE'] as const;
export type ServicingKind = (typeof SERVICING_KINDS)[number];

export interface ServicingPayload {
  amount?: string | null;
  transactionDate?: string | null;
  paymentType?: string | null;
  transactionId?: string | null;
  reason?: string | null;
  /** RESCHEDULE: the approved request whose terms regenerate the unpaid schedule. */
  rescheduleRequestId?: string | null;
  /** WAIVE: INTEREST or PENALTY (optionally one installment, else oldest first), or CHARGE (one loan charge). */
  component?: 'INTEREST' | 'PENALTY' | 'CHARGE' | null;
  installmentNumber?: number | null;
  /** WAIVE of component CHARGE: the loan_charge row. */
  loanChargeId?: string | null;
  /** ADD_CHARGE: the charge definition, its amount (override of the definition's) and due date (default: the business date). */
  chargeId?: string | null;
  dueDate?: string | null;
}

export interface ServicingRequest {
  loanId: string;
  /** Idempotency key: the same key returns the first result. */
  requestId: string;
  actor: ActorRef;
  kind: ServicingKind;
  payload: ServicingPayload;
  /** sha256 of kind + payload (set by the API): the key is bound to it. */
  fingerprint?: string | null;
}

export interface ServicingResult {
  transactionId: string | null;
  /** The loan's obligations are met (or it was written off): the workflow closes it. */
  closeAs: 'CLOSED_OBLIGATIONS_MET' | 'WRITTEN_OFF' | null;
}

/** A money movement on an active loan (repayment, payoff, refund, write-off, reversal). */
export const servicingUpdate = defineUpdate<ServicingResult, [ServicingRequest]>('servicing');

/** Close of business found the loan fully repaid: the workflow checks and closes it. */
export const closeIfRepaidSignal = defineSignal<[]>('closeIfRepaid');

export const COB_WORKFLOW_TYPE = 'closeOfBusinessWorkflow';
export const BUSINESS_DAY_WORKFLOW_TYPE = 'businessDayWorkflow';

export function cobWorkflowId(date: string): string {
  return `cob-${date}`;
}

export interface CobWorkflowInput {
  /** Close every pending date up to and including this one. */
  upTo: string;
  /** Loans per child workflow (id-range partition). */
  partitionSize: number;
  /** Loans per transaction inside a child. */
  chunkSize: number;
  /** Child workflows running at once. */
  maxParallelPartitions: number;
  /** Task queue the children and their activities run on. */
  taskQueue: string;
  /** How long a partition activity may go without a heartbeat before it is retried elsewhere (default 1 minute). */
  heartbeatTimeout?: string;
  /** Carried across continue-as-new. */
  resume?: CobResume;
}

export interface CobResume {
  date: string;
  nextIndex: number;
  totals: CobTotals;
  /** Dates already closed by earlier runs (reported in the final result). */
  done?: CobResult['dates'];
}

export interface CobTotals {
  processed: number;
  failed: number;
  stepMillis: Record<string, number>;
}

export interface CobPartitionInput {
  date: string;
  fromId: string;
  toId: string;
  chunkSize: number;
  steps: string[];
  heartbeatTimeout?: string;
}

export interface CobResult {
  dates: { date: string; processed: number; failed: number; partitions: number; stepMillis: Record<string, number> }[];
}
