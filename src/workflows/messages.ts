/**
 * The loan workflow's contract: its input, state, updates and queries. Imported by the workflow, the
 * API's Temporal client and tests alike, so names and payload shapes can't drift apart.
 * Payloads are plain JSON; money travels as decimal strings.
 */
import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { LoanProductTerms } from '../domain/loan-application';
import type { LoanState } from '../domain/loan-lifecycle';
import {
  LOAN_ACTION_NAMES, type ActionPayloads, type ActorRef, type LoanActionName, type OriginationState, type RiskResult, type Timers,
} from '../domain/origination';

export type { ActorRef } from '../domain/origination';

export const LOAN_WORKFLOW_TYPE = 'loanLifecycleWorkflow';

export function loanWorkflowId(loanId: string): string {
  return `loan-${loanId}`;
}

/**
 * Facts the workflow needs for its memo; the projection in PostgreSQL holds the full application.
 * No personal data: workflow histories are operational data, kept and exported outside our database.
 */
export interface LoanSummary {
  principal: string;
  currencyCode: string;
  numberOfRepayments: number;
  productName: string;
}

/** The human-readable line the workflow's memo carries, shown in the Temporal UI. */
export function summaryLine(s: LoanSummary, state: Pick<LoanState, 'stage' | 'status'>): string {
  return `${s.principal} ${s.currencyCode} over ${s.numberOfRepayments} repayments (${s.productName}) — ${state.stage}/${state.status}`;
}

export interface LoanWorkflowState extends LoanState {
  origination: OriginationState;
  /** Request ids already applied; carried across continue-as-new, where update-id dedup does not reach. */
  processedRequestIds: string[];
  /** requestId → fingerprint of what it asked (v2): a key reused for another request is a CONFLICT. */
  requestFingerprints?: Record<string, string>;
  /** v2: follow-up work (risk, agreement) that failed and is retried from the main loop. */
  pendingEffect?: 'ASSESS_RISK' | 'GENERATE_AGREEMENT' | 'ACTIVATE' | null;
  /** v2: close of business asked for a closing check (a signal records only this fact). */
  closeCheckRequested?: boolean;
}

export interface LoanWorkflowInput {
  loanId: string;
  customerId: string;
  /** The user who applied (four-eyes: they never approve it). */
  applicantId: string;
  summary: LoanSummary;
  /** The product's limits, for validating offers inside the workflow. */
  product: LoanProductTerms;
  timers: Timers;
  /** Present when the workflow continues as new. */
  state?: LoanWorkflowState;
}

/** Every person's action is an Update named after it, carrying this request. */
export interface LoanActionRequest<A extends LoanActionName = LoanActionName> {
  /** Idempotency key: a retried request with the same id returns the first result. */
  requestId: string;
  actor: ActorRef;
  payload: ActionPayloads[A];
  /** sha256 of action + payload (set by the API); binds the idempotency key to this request. */
  fingerprint?: string | null;
}

/** The view an Update returns: the loan's state after the action (and anything it set off). */
export interface LoanView extends LoanState {
  origination: OriginationState;
}

export const loanActionUpdates = Object.fromEntries(
  LOAN_ACTION_NAMES.map((name) => [name, defineUpdate<LoanView, [LoanActionRequest]>(name)]),
) as { [A in LoanActionName]: UpdateDefinition<LoanView, [LoanActionRequest<A>]> };

export const withdrawApplicationUpdate = loanActionUpdates.withdrawApplication;
/**
 * The staff upload of the signed paper agreement (POST /documents, type SIGNED_AGREEMENT, LOAN_OFFICER or
 * MANAGER): like signAgreement it moves AGREEMENT → ACTIVATION, recording the upload's id and sha256.
 */
export const uploadSignedAgreementUpdate = loanActionUpdates.uploadSignedAgreement;
export const loanStateQuery = defineQuery<LoanView>('loanState');

/** Payload of the activity that persists a transition to the PostgreSQL projection. */
export interface RecordTransitionInput {
  loanId: string;
  requestId: string;
  action: string;
  fromStage: LoanState['stage'];
  fromStatus: LoanState['status'];
  toStage: LoanState['stage'];
  toStatus: LoanState['status'];
  actor: ActorRef;
  reason?: string | null;
  origination?: OriginationState;
  data?: Record<string, unknown> | null;
  /** Activation: also create the repayment schedule and the disbursement, in the same transaction. */
  activate?: boolean;
}

export interface AgreementDocument {
  documentId: string;
  documentHash: string;
  /** The business date the agreement's schedule is drawn for; activation books exactly this date. */
  disbursementDate?: string;
}

export type { RiskResult };
