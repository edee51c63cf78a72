/**
 * The loan's life as data: stages (where in the process) and statuses (the account state, named as in
 * Apache Fineract where one exists). Pure, so the workflow, services and GraphQL agree on every rule.
 */
export const LOAN_STAGES = [
  'APPLICATION', 'KYC_REVIEW', 'RISK_ASSESSMENT', 'DISCUSSION', 'APPROVAL', 'AGREEMENT', 'ACTIVATION',
  'REPAYMENT', 'CLOSED', 'REJECTED', 'DECLINED', 'WITHDRAWN', 'EXPIRED',
] as const;
export type LoanStage = (typeof LOAN_STAGES)[number];

export const LOAN_STATUSES = [
  'SUBMITTED', 'APPROVED', 'ACTIVE', 'CLOSED_OBLIGATIONS_MET', 'WRITTEN_OFF', 'REJECTED', 'DECLINED',
  'WITHDRAWN', 'EXPIRED',
] as const;
export type LoanStatus = (typeof LOAN_STATUSES)[number];

/** Stages a loan never leaves: its workflow completes once it reaches one. */
export const TERMINAL_STAGES: readonly LoanStage[] = ['CLOSED', 'REJECTED', 'DECLINED', 'WITHDRAWN', 'EXPIRED'];

/** Stages in which the applicant may still withdraw (everything before the money moves). */
export const WITHDRAWABLE_STAGES: readonly LoanStage[] = [
  'APPLICATION', 'KYC_REVIEW', 'RISK_ASSESSMENT', 'DISCUSSION', 'APPROVAL', 'AGREEMENT',
];

export function isTerminalStage(stage: LoanStage): boolean {
  return TERMINAL_STAGES.includes(stage);
}

export function canWithdraw(stage: LoanStage): boolean {
  return WITHDRAWABLE_STAGES.includes(stage);
}

export const MAX_REASON_LENGTH = 500;

/** The plain-JSON state a loan workflow carries (also across continue-as-new). */
export interface LoanState {
  loanId: string;
  stage: LoanStage;
  status: LoanStatus;
  /** Bumped on every transition; equals the projection's version after the activity persisted it. */
  version: number;
}

export interface LoanTransition {
  action: string;
  from: { stage: LoanStage; status: LoanStatus };
  to: { stage: LoanStage; status: LoanStatus };
}

/** What withdrawing does, or why it cannot be done now. */
export function planWithdrawal(state: LoanState): LoanTransition {
  return {
    action: 'WITHDRAWN',
    from: { stage: state.stage, status: state.status },
    to: { stage: 'WITHDRAWN', status: 'WITHDRAWN' },
  };
}
