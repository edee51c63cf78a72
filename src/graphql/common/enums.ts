import { registerEnumType } from 'type-graphql';
import { REPAYMENT_FREQUENCY_TYPES } from '../../domain/loan-application';
import { LOAN_STAGES, LOAN_STATUSES } from '../../domain/loan-lifecycle';
import { REPAYMENT_RESCHEDULE_TYPES, WEEKDAYS } from '../../domain/holidays';
import { APPROVAL_LEVELS } from '../../domain/origination';
import { ROLES, type Role } from '../../domain/roles';

/** GraphQL enums generated from the domain's string-literal lists, so the two never disagree. */
export function asEnum<T extends string>(values: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
}

export const LoanStageEnum = asEnum(LOAN_STAGES);
export const LoanStatusEnum = asEnum(LOAN_STATUSES);
export const RepaymentFrequencyTypeEnum = asEnum(REPAYMENT_FREQUENCY_TYPES);
export const RepaymentRescheduleTypeEnum = asEnum(REPAYMENT_RESCHEDULE_TYPES);
export const WeekdayEnum = asEnum(WEEKDAYS);
export const ApprovalLevelEnum = asEnum(APPROVAL_LEVELS);
export const WAIVE_COMPONENTS = ['INTEREST', 'PENALTY', 'CHARGE'] as const;
export type WaiveComponent = (typeof WAIVE_COMPONENTS)[number];
export const WaiveComponentEnum = asEnum(WAIVE_COMPONENTS);

registerEnumType(RepaymentRescheduleTypeEnum, {
  name: 'RepaymentRescheduleType',
  description: "What a due date on a holiday or non-working day becomes (Fineract's RepaymentRescheduleType).",
});
registerEnumType(WeekdayEnum, { name: 'Weekday' });
registerEnumType(WaiveComponentEnum, {
  name: 'WaiveComponent',
  description: 'What waiveLoanCharge forgives: outstanding INTEREST or PENALTY, or one loan CHARGE (with loanChargeId).',
});
export const RoleEnum = asEnum(ROLES);
const ROLE_DESCRIPTIONS: Record<Role, string> = {
  CUSTOMER: 'A borrower: sees and acts on their own records only (self-registered).',
  LOAN_OFFICER: 'Originates and services loans: applications, offers, INTERNAL approval, activation, repayments, payment proofs.',
  KYC_OFFICER: 'Works the KYC checklist (documents) of the applications in KYC review.',
  RISK_MANAGER: 'Decides the risk assessment; reads the risk rules (ADMIN saves them).',
  MANAGER: 'Assigns and decides KYC; MANAGEMENT approval, write-offs, reversals, waivers, reschedules.',
  CREDIT_COMMITTEE: 'CREDIT_COMMITTEE approval of the loans routed to it.',
  ADMIN: 'Users and roles, products, charges, payment types, risk rules, the chart of accounts, business date and COB.',
  SYSTEM: 'The platform itself (workflows, close of business, payment channels); never a login.',
};
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'Who may act. Staff logins hold one or more of LOAN_OFFICER, KYC_OFFICER, RISK_MANAGER, MANAGER, CREDIT_COMMITTEE, ADMIN.',
  valuesConfig: Object.fromEntries(ROLES.map((r) => [r, { description: ROLE_DESCRIPTIONS[r] }])),
});
registerEnumType(ApprovalLevelEnum, { name: 'ApprovalLevel', description: 'INTERNAL (LOAN_OFFICER), MANAGEMENT (MANAGER), CREDIT_COMMITTEE.' });

registerEnumType(LoanStageEnum, {
  name: 'LoanStage',
  description: 'Where the loan is in its life: origination stages, servicing, or a terminal outcome.',
});
registerEnumType(LoanStatusEnum, {
  name: 'LoanStatus',
  description: 'The loan account status (Apache Fineract naming where one exists).',
});
registerEnumType(RepaymentFrequencyTypeEnum, {
  name: 'RepaymentFrequencyType',
  description: 'Unit of `repaymentEvery`: a repayment every N days, weeks or months.',
});
