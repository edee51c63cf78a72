import { IsOptional, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import type { RepaymentRescheduleType } from '../../domain/holidays';
import type { RepaymentFrequencyType } from '../../domain/loan-application';
import type {
  AmortizationType, DaysInMonthType, DaysInYearType, InterestCalculationPeriodType, InterestType, LoanScheduleType,
} from '../../domain/schedule';
import { RepaymentFrequencyTypeEnum, RepaymentRescheduleTypeEnum } from '../common/enums';
import { DecimalScalar } from '../scalars';
import {
  AmortizationTypeEnum, DaysInMonthTypeEnum, DaysInYearTypeEnum, InterestCalculationPeriodTypeEnum, InterestTypeEnum, LoanScheduleTypeEnum,
} from '../schedule/schedule.inputs';

@InputType({ description: "Which settings a loan may set differently from the product (Fineract's allowAttributeOverrides)." })
export class AllowAttributeOverridesInput {
  @Field({ defaultValue: false })
  amortizationType!: boolean;

  @Field({ defaultValue: false })
  interestType!: boolean;

  @Field({ defaultValue: false })
  interestCalculationPeriodType!: boolean;

  @Field({ defaultValue: false })
  repaymentEvery!: boolean;

  @Field({ defaultValue: false, description: 'graceOnPrincipalPayment, graceOnInterestPayment and graceOnInterestCharged.' })
  graceOnPrincipalAndInterestPayment!: boolean;
}

/** Schedule settings with Fineract's names; null / absent: the default (create) or unchanged (update). */
@InputType('ProductScheduleSettingsInput', { description: 'Schedule settings of a product (shared by create and update).' })
class ProductScheduleSettingsFields {
  @Field(() => AmortizationTypeEnum, { nullable: true, description: 'Default EQUAL_INSTALLMENTS.' })
  amortizationType?: AmortizationType | null;

  @Field(() => InterestTypeEnum, { nullable: true, description: 'Default DECLINING_BALANCE.' })
  interestType?: InterestType | null;

  @Field(() => InterestCalculationPeriodTypeEnum, { nullable: true, description: 'Default DAILY.' })
  interestCalculationPeriodType?: InterestCalculationPeriodType | null;

  @Field(() => DaysInYearTypeEnum, { nullable: true, description: 'Default ACTUAL.' })
  daysInYearType?: DaysInYearType | null;

  @Field(() => DaysInMonthTypeEnum, { nullable: true, description: 'Default ACTUAL.' })
  daysInMonthType?: DaysInMonthType | null;

  @Field(() => Int, { nullable: true, description: 'Periods without principal (default 0).' })
  graceOnPrincipalPayment?: number | null;

  @Field(() => Int, { nullable: true, description: 'Periods whose interest is deferred to the first period after them (default 0).' })
  graceOnInterestPayment?: number | null;

  @Field(() => Int, { nullable: true, description: 'Interest-free periods (default 0).' })
  graceOnInterestCharged?: number | null;

  @Field(() => Int, { nullable: true, description: 'Currency rounding multiple, 0 = none (default 0).' })
  inMultiplesOf?: number | null;

  @Field(() => Int, { nullable: true, description: 'Rounds the installment to this multiple (default none).' })
  installmentAmountInMultiplesOf?: number | null;

  @Field(() => LoanScheduleTypeEnum, { nullable: true, description: 'Default CUMULATIVE.' })
  loanScheduleType?: LoanScheduleType | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  allowPartialPeriodInterestCalculation?: boolean | null;

  @Field(() => Int, { nullable: true, description: "Decimal places amounts are rounded to (HALF_EVEN); default the currency's, at most that." })
  digitsAfterDecimal?: number | null;

  @Field(() => RepaymentRescheduleTypeEnum, { nullable: true, description: 'A due date on a holiday or non-working day (default SAME_DAY).' })
  repaymentRescheduleType?: RepaymentRescheduleType | null;

  @Field(() => AllowAttributeOverridesInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  allowAttributeOverrides?: AllowAttributeOverridesInput | null;

  @Field(() => [ID], { nullable: true, description: 'Default charges (createCharge ids, in the product currency): DISBURSEMENT, INSTALLMENT_FEE or OVERDUE_INSTALLMENT.' })
  chargeIds?: string[] | null;
}

@InputType()
export class CreateLoanProductInput extends ProductScheduleSettingsFields {
  @Field()
  @Length(1, 100)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  description?: string | null;

  @Field({ description: 'ISO 4217 code, e.g. "USD".' })
  @Matches(/^[A-Z]{3}$/, { message: 'currencyCode must be an ISO 4217 code like "USD"' })
  currencyCode!: string;

  @Field(() => DecimalScalar)
  minPrincipal!: string;

  @Field(() => DecimalScalar)
  maxPrincipal!: string;

  @Field(() => DecimalScalar, { description: 'Annual nominal rate, percent (e.g. "12.5").' })
  minInterestRate!: string;

  @Field(() => DecimalScalar, { description: 'Annual nominal rate, percent.' })
  maxInterestRate!: string;

  @Field(() => Int)
  @Min(1)
  @Max(1200)
  minNumberOfRepayments!: number;

  @Field(() => Int)
  @Min(1)
  @Max(1200)
  maxNumberOfRepayments!: number;

  @Field(() => Int, { defaultValue: 1 })
  @Min(1)
  @Max(1000)
  repaymentEvery!: number;

  @Field(() => RepaymentFrequencyTypeEnum, { defaultValue: 'MONTHS' })
  repaymentFrequencyType!: RepaymentFrequencyType;
}

@InputType({ description: 'Changes to a product; absent fields stay as they are. A product with loans gets a new settings version.' })
export class UpdateLoanProductInput extends ProductScheduleSettingsFields {
  @Field(() => Int, { nullable: true, description: "The product's `version` as you read it (CONFLICT if it changed since)." })
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 100)
  name?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  description?: string | null;

  @Field(() => String, { nullable: true, description: 'Only while the product has no loans.' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currencyCode must be an ISO 4217 code like "USD"' })
  currencyCode?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  minPrincipal?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  maxPrincipal?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  minInterestRate?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  maxInterestRate?: string | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  @Max(1200)
  minNumberOfRepayments?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  @Max(1200)
  maxNumberOfRepayments?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  @Max(1000)
  repaymentEvery?: number | null;

  @Field(() => RepaymentFrequencyTypeEnum, { nullable: true })
  repaymentFrequencyType?: RepaymentFrequencyType | null;
}

@InputType({ description: "A loan's own values for product settings the product lets loans override." })
export class LoanSettingOverridesInput {
  @Field(() => AmortizationTypeEnum, { nullable: true })
  amortizationType?: AmortizationType | null;

  @Field(() => InterestTypeEnum, { nullable: true })
  interestType?: InterestType | null;

  @Field(() => InterestCalculationPeriodTypeEnum, { nullable: true })
  interestCalculationPeriodType?: InterestCalculationPeriodType | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @Min(1)
  @Max(1000)
  repaymentEvery?: number | null;

  @Field(() => Int, { nullable: true })
  graceOnPrincipalPayment?: number | null;

  @Field(() => Int, { nullable: true })
  graceOnInterestPayment?: number | null;

  @Field(() => Int, { nullable: true })
  graceOnInterestCharged?: number | null;
}
