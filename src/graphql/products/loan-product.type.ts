import { JSONObjectResolver } from 'graphql-scalars';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { RepaymentFrequencyType } from '../../domain/loan-application';
import type { Decimal } from '../../domain/money';
import { RepaymentFrequencyTypeEnum } from '../common/enums';
import { DateTimeScalar, DecimalScalar } from '../scalars';
import { ScheduleSettingsFields } from './schedule-settings.fields';

@ObjectType('AllowAttributeOverrides', { description: "Settings a loan may set differently (Fineract's allowAttributeOverrides)." })
export class AllowAttributeOverridesType {
  @Field()
  amortizationType!: boolean;

  @Field()
  interestType!: boolean;

  @Field()
  interestCalculationPeriodType!: boolean;

  @Field()
  repaymentEvery!: boolean;

  @Field()
  graceOnPrincipalAndInterestPayment!: boolean;
}

@ObjectType('LoanProduct', { description: 'A loan product: the limits every application for it must respect, its schedule settings (Fineract names) and default charges.' })
export class LoanProductType extends ScheduleSettingsFields {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field({ description: 'ISO 4217 currency code.' })
  currencyCode!: string;

  @Field(() => Int, { description: 'Decimal places of the currency (amounts are rounded HALF_EVEN to these).' })
  digitsAfterDecimal!: number;

  @Field(() => DecimalScalar)
  minPrincipal!: Decimal;

  @Field(() => DecimalScalar)
  maxPrincipal!: Decimal;

  @Field(() => DecimalScalar, { description: 'Minimum annual nominal interest rate, percent.' })
  minInterestRate!: Decimal;

  @Field(() => DecimalScalar, { description: 'Maximum annual nominal interest rate, percent.' })
  maxInterestRate!: Decimal;

  @Field(() => Int)
  minNumberOfRepayments!: number;

  @Field(() => Int)
  maxNumberOfRepayments!: number;

  @Field(() => Int, { description: 'A repayment every N units of `repaymentFrequencyType`.' })
  repaymentEvery!: number;

  @Field(() => RepaymentFrequencyTypeEnum)
  repaymentFrequencyType!: RepaymentFrequencyType;

  @Field(() => Int, { description: 'Current settings version; a loan records the version it was offered under.' })
  settingsVersion!: number;

  @Field(() => Int, { description: 'Optimistic-lock version (expectedVersion of updateLoanProduct).' })
  version!: number;

  @Field({ description: 'CASH or ACCRUAL_PERIODIC (set with configureProductServicing).' })
  accountingRule!: string;

  @Field({ description: 'How repayments are allocated over installments and components.' })
  allocationStrategy!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('LoanProductSettingsVersion', { description: "One version of a product's schedule settings and default charges." })
export class LoanProductSettingsVersionType {
  @Field(() => Int)
  version!: number;

  @Field(() => JSONObjectResolver, { description: 'The settings (Fineract field names).' })
  settings!: Record<string, unknown>;

  @Field(() => JSONObjectResolver, { nullable: true })
  allowAttributeOverrides?: Record<string, unknown> | null;

  @Field(() => [JSONObjectResolver], { description: 'The default charges as the schedule takes them.' })
  charges!: Record<string, unknown>[];

  @Field()
  createdBy!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}
