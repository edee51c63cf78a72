/**
 * Built-in notification templates per event type (subject + body with `{{field}}` placeholders filled
 * from the event payload and the recipient: firstName, lastName). An ADMIN may override any of them
 * per channel (setNotificationTemplate). Event types without a template notify nobody.
 */

export interface Template {
  subject: string;
  body: string;
}

export const DEFAULT_TEMPLATES: Record<string, Template> = {
  LoanCreated: {
    subject: 'We received your loan application',
    body: 'Hello {{firstName}}, we received your application for {{principal}} {{currencyCode}} over {{numberOfRepayments}} repayments (loan {{loanId}}).',
  },
  LoanStageChanged: {
    subject: 'Your loan application is now in {{toStage}}',
    body: 'Hello {{firstName}}, your loan {{loanId}} moved from {{fromStage}} to {{toStage}} ({{toStatus}}).',
  },
  LoanApproved: {
    subject: 'Your loan is approved',
    body: 'Hello {{firstName}}, good news: your loan {{loanId}} for {{approvedPrincipal}} {{currencyCode}} is approved. Your agreement follows.',
  },
  LoanRejected: {
    subject: 'Your loan application was not approved',
    body: 'Hello {{firstName}}, we are sorry: your loan application {{loanId}} was not approved. {{reason}}',
  },
  LoanDisbursed: {
    subject: 'Your loan has been disbursed',
    body: 'Hello {{firstName}}, {{principal}} {{currencyCode}} of your loan {{loanId}} was disbursed on {{disbursedOn}}.',
  },
  LoanRepaymentRecorded: {
    subject: 'Repayment received',
    body: 'Hello {{firstName}}, we received your repayment of {{amount}} {{currencyCode}} on {{transactionDate}} for loan {{loanId}}.',
  },
  PenaltyApplied: {
    subject: 'A late payment penalty was charged',
    body: 'Hello {{firstName}}, a penalty of {{amount}} {{currencyCode}} was charged on {{appliedOn}} to loan {{loanId}} because a repayment is overdue.',
  },
  LoanClosed: {
    subject: 'Your loan is closed',
    body: 'Hello {{firstName}}, your loan {{loanId}} is closed ({{status}}). Thank you.',
  },
  LoanWrittenOff: {
    subject: 'Your loan was written off',
    body: 'Hello {{firstName}}, your loan {{loanId}} was written off on {{writtenOffOn}}.',
  },
};

export function hasTemplate(eventType: string): boolean {
  return Object.prototype.hasOwnProperty.call(DEFAULT_TEMPLATES, eventType);
}

/** Replaces `{{name}}` with vars[name] (missing or null → empty), then trims. */
export function render(text: string, vars: Record<string, unknown>): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, name: string) => {
    const v = vars[name];
    return v === undefined || v === null ? '' : String(v);
  }).trim();
}
