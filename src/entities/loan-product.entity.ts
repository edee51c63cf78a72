import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { REPAYMENT_FREQUENCY_TYPES, type RepaymentFrequencyType } from '../domain/loan-application';
import type { Decimal } from '../domain/money';
import type { AllocationStrategy } from '../domain/allocation';
import type { AccountingRule, GlRole } from '../domain/ledger';
import type { RepaymentRescheduleType } from '../domain/holidays';
import type { AllowAttributeOverrides } from '../domain/product-settings';
import type {
  AmortizationType, DaysInMonthType, DaysInYearType, InterestCalculationPeriodType, InterestType, LoanScheduleType,
} from '../domain/schedule';
import { DecimalType } from './decimal.type';

type ScheduleSettingProps =
  | 'amortizationType' | 'interestType' | 'interestCalculationPeriodType' | 'daysInYearType' | 'daysInMonthType' | 'graceOnPrincipalPayment'
  | 'graceOnInterestPayment' | 'graceOnInterestCharged' | 'inMultiplesOf' | 'installmentAmountInMultiplesOf' | 'loanScheduleType'
  | 'allowPartialPeriodInterestCalculation' | 'repaymentRescheduleType' | 'allowAttributeOverrides';

@Entity({ tableName: 'loan_product' })
export class LoanProduct {
  [OptionalProps]?: 'createdAt' | 'version' | 'accountingRule' | 'allocationStrategy' | 'settingsVersion' | ScheduleSettingProps;

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 100 })
  @Unique()
  name!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  description?: string | null;

  @Property({ type: 'string', length: 3 })
  currencyCode!: string;

  @Property({ type: 'integer' })
  digitsAfterDecimal!: number;

  @Property({ type: DecimalType })
  minPrincipal!: Decimal;

  @Property({ type: DecimalType })
  maxPrincipal!: Decimal;

  /** Annual nominal interest rate, percent. */
  @Property({ type: DecimalType, precision: 12, scale: 6 })
  minInterestRate!: Decimal;

  @Property({ type: DecimalType, precision: 12, scale: 6 })
  maxInterestRate!: Decimal;

  @Property({ type: 'integer' })
  minNumberOfRepayments!: number;

  @Property({ type: 'integer' })
  maxNumberOfRepayments!: number;

  @Property({ type: 'integer' })
  repaymentEvery!: number;

  @Enum({ items: () => [...REPAYMENT_FREQUENCY_TYPES], type: 'string' })
  repaymentFrequencyType!: RepaymentFrequencyType;

  // Schedule settings (Apache Fineract's loan product fields). Defaults are what activation used before
  // products carried them. Changed settings of a product with loans make a new settings version.
  @Property({ type: 'string', length: 30, defaultRaw: `'EQUAL_INSTALLMENTS'` })
  amortizationType: AmortizationType = 'EQUAL_INSTALLMENTS';

  @Property({ type: 'string', length: 30, defaultRaw: `'DECLINING_BALANCE'` })
  interestType: InterestType = 'DECLINING_BALANCE';

  @Property({ type: 'string', length: 30, defaultRaw: `'DAILY'` })
  interestCalculationPeriodType: InterestCalculationPeriodType = 'DAILY';

  @Property({ type: 'string', length: 20, defaultRaw: `'ACTUAL'` })
  daysInYearType: DaysInYearType = 'ACTUAL';

  @Property({ type: 'string', length: 20, defaultRaw: `'ACTUAL'` })
  daysInMonthType: DaysInMonthType = 'ACTUAL';

  @Property({ type: 'integer', defaultRaw: '0' })
  graceOnPrincipalPayment: number = 0;

  @Property({ type: 'integer', defaultRaw: '0' })
  graceOnInterestPayment: number = 0;

  @Property({ type: 'integer', defaultRaw: '0' })
  graceOnInterestCharged: number = 0;

  @Property({ type: 'integer', defaultRaw: '0' })
  inMultiplesOf: number = 0;

  @Property({ type: 'integer', nullable: true })
  installmentAmountInMultiplesOf?: number | null = null;

  @Property({ type: 'string', length: 20, defaultRaw: `'CUMULATIVE'` })
  loanScheduleType: LoanScheduleType = 'CUMULATIVE';

  @Property({ type: 'boolean', defaultRaw: 'false' })
  allowPartialPeriodInterestCalculation: boolean = false;

  /** A due date on a holiday or non-working day: SAME_DAY, MOVE_TO_NEXT_WORKING_DAY or MOVE_TO_PREVIOUS_WORKING_DAY. */
  @Property({ type: 'string', length: 40, defaultRaw: `'SAME_DAY'` })
  repaymentRescheduleType: RepaymentRescheduleType = 'SAME_DAY';

  /** Which settings a loan may set differently (Fineract's allowAttributeOverrides). */
  @Property({ type: 'json', nullable: true })
  allowAttributeOverrides?: AllowAttributeOverrides | null = null;

  /** The current settings version (see LoanProductSettingsVersion); loans record the one they were offered under. */
  @Property({ type: 'integer', defaultRaw: '1' })
  settingsVersion: number = 1;

  /** CASH: income when paid; ACCRUAL_PERIODIC: interest earned daily by close of business (Fineract's rules). */
  @Property({ type: 'string', length: 20, defaultRaw: `'CASH'` })
  accountingRule: AccountingRule = 'CASH';

  @Property({ type: 'string', length: 80, defaultRaw: `'PENALTIES_FEES_INTEREST_PRINCIPAL'` })
  allocationStrategy: AllocationStrategy = 'PENALTIES_FEES_INTEREST_PRINCIPAL';

  /** GL account code per posting role; roles left out use the default chart (see domain/ledger.ts). */
  @Property({ type: 'json', nullable: true })
  glMapping?: Partial<Record<GlRole, string>> | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ version: true, type: 'integer' })
  version: number = 1;
}
