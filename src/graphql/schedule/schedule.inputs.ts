import { IsOptional, Matches, Max, Min, ValidateNested } from 'class-validator';
import { Field, InputType, Int, registerEnumType } from 'type-graphql';
import {
  AMORTIZATION_TYPES, CHARGE_CALCULATION_TYPES, CHARGE_TIME_TYPES, DAYS_IN_MONTH_TYPES, DAYS_IN_YEAR_TYPES,
  INTEREST_CALCULATION_PERIOD_TYPES, INTEREST_TYPES, LOAN_SCHEDULE_TYPES,
  type AmortizationType, type ChargeCalculationType, type ChargeTimeType, type DaysInMonthType, type DaysInYearType,
  type FrequencyType, type InterestCalculationPeriodType, type InterestType, type LoanScheduleType,
} from '../../domain/schedule';
import { asEnum, RepaymentFrequencyTypeEnum } from '../common/enums';
import { DecimalScalar, LocalDateScalar } from '../scalars';

export const AmortizationTypeEnum = asEnum(AMORTIZATION_TYPES);
export const InterestTypeEnum = asEnum(INTEREST_TYPES);
export const InterestCalculationPeriodTypeEnum = asEnum(INTEREST_CALCULATION_PERIOD_TYPES);
export const DaysInYearTypeEnum = asEnum(DAYS_IN_YEAR_TYPES);
export const DaysInMonthTypeEnum = asEnum(DAYS_IN_MONTH_TYPES);
export const LoanScheduleTypeEnum = asEnum(LOAN_SCHEDULE_TYPES);
export const ChargeTimeTypeEnum = asEnum(CHARGE_TIME_TYPES);
export const ChargeCalculationTypeEnum = asEnum(CHARGE_CALCULATION_TYPES);

registerEnumType(AmortizationTypeEnum, { name: 'AmortizationType' });
registerEnumType(InterestTypeEnum, { name: 'InterestType' });
registerEnumType(InterestCalculationPeriodTypeEnum, { name: 'InterestCalculationPeriodType' });
registerEnumType(DaysInYearTypeEnum, { name: 'DaysInYearType', description: 'Day count: ACTUAL, or a fixed 360/364/365-day year.' });
registerEnumType(DaysInMonthTypeEnum, { name: 'DaysInMonthType' });
registerEnumType(LoanScheduleTypeEnum, { name: 'LoanScheduleType', description: "CUMULATIVE or PROGRESSIVE (EMI), Fineract's two engines." });
registerEnumType(ChargeTimeTypeEnum, { name: 'ChargeTimeType' });
registerEnumType(ChargeCalculationTypeEnum, { name: 'ChargeCalculationType' });

@InputType()
export class ChargeInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => DecimalScalar, { description: 'An amount for FLAT, a percent otherwise.' })
  amount!: string;

  @Field(() => ChargeTimeTypeEnum)
  chargeTimeType!: ChargeTimeType;

  @Field(() => ChargeCalculationTypeEnum)
  chargeCalculationType!: ChargeCalculationType;
}

@InputType({ description: 'The loan-level terms of a loan under a product; everything else comes from the product.' })
export class ProductScheduleTermsInput {
  @Field(() => DecimalScalar)
  principal!: string;

  @Field(() => DecimalScalar, { description: 'Percent per year.' })
  annualNominalInterestRate!: string;

  @Field(() => Int)
  @Min(1)
  @Max(1200)
  numberOfRepayments!: number;

  @Field(() => LocalDateScalar)
  expectedDisbursementDate!: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'First repayment date (a broken first period, as Fineract computes it).' })
  repaymentsStartingFromDate?: string | null;
}

/** Terms that every preview needs, with Fineract's field names: the loan-level ones and the product's settings. */
@InputType()
export class ScheduleTermsInput extends ProductScheduleTermsInput {
  @Field(() => AmortizationTypeEnum, { defaultValue: 'EQUAL_INSTALLMENTS' })
  amortizationType!: AmortizationType;

  @Field(() => InterestTypeEnum, { defaultValue: 'DECLINING_BALANCE' })
  interestType!: InterestType;

  @Field(() => InterestCalculationPeriodTypeEnum, { defaultValue: 'SAME_AS_REPAYMENT_PERIOD' })
  interestCalculationPeriodType!: InterestCalculationPeriodType;

  @Field(() => DaysInYearTypeEnum, { defaultValue: 'ACTUAL' })
  daysInYearType!: DaysInYearType;

  @Field(() => DaysInMonthTypeEnum, { defaultValue: 'ACTUAL' })
  daysInMonthType!: DaysInMonthType;

  @Field(() => Int, { nullable: true })
  graceOnPrincipalPayment?: number | null;

  @Field(() => Int, { nullable: true, description: 'Periods whose interest is deferred to the first period after them.' })
  graceOnInterestPayment?: number | null;

  @Field(() => Int, { nullable: true, description: 'Interest-free periods.' })
  graceOnInterestCharged?: number | null;

  @Field(() => Int, { nullable: true })
  inMultiplesOf?: number | null;

  @Field(() => Int, { nullable: true })
  installmentAmountInMultiplesOf?: number | null;

  @Field(() => LoanScheduleTypeEnum, { defaultValue: 'CUMULATIVE' })
  loanScheduleType!: LoanScheduleType;

  @Field({ defaultValue: false })
  allowPartialPeriodInterestCalculation!: boolean;

  @Field(() => [ChargeInput], { nullable: true })
  @IsOptional()
  @ValidateNested({ each: true })
  charges?: ChargeInput[] | null;
}

@InputType({ description: 'Free-standing terms: everything a schedule needs, no product.' })
export class LoanScheduleTermsInput extends ScheduleTermsInput {
  @Field(() => Int)
  @Min(1)
  @Max(1000)
  repaymentEvery!: number;

  @Field(() => RepaymentFrequencyTypeEnum)
  repaymentFrequencyType!: FrequencyType;

  @Field()
  @Matches(/^[A-Z]{3}$/, { message: 'currencyCode must be an ISO 4217 code like "USD"' })
  currencyCode!: string;

  @Field(() => Int, { nullable: true, description: "Defaults to the currency's ISO digits." })
  digitsAfterDecimal?: number | null;
}
