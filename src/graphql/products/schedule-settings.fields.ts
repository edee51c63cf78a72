import { Field, Int, ObjectType } from 'type-graphql';
import type { RepaymentRescheduleType } from '../../domain/holidays';
import type {
  AmortizationType, DaysInMonthType, DaysInYearType, InterestCalculationPeriodType, InterestType, LoanScheduleType,
} from '../../domain/schedule';
import { RepaymentRescheduleTypeEnum } from '../common/enums';
import {
  AmortizationTypeEnum, DaysInMonthTypeEnum, DaysInYearTypeEnum, InterestCalculationPeriodTypeEnum, InterestTypeEnum, LoanScheduleTypeEnum,
} from '../schedule/schedule.inputs';

/** The schedule settings (Fineract names) a product holds and a loan keeps: one definition for both types. */
@ObjectType({ description: 'Not in the schema by itself (no field returns it): the fields LoanProduct and LoanScheduleSettings share.' })
export abstract class ScheduleSettingsFields {
  @Field(() => AmortizationTypeEnum)
  amortizationType!: AmortizationType;

  @Field(() => InterestTypeEnum)
  interestType!: InterestType;

  @Field(() => InterestCalculationPeriodTypeEnum)
  interestCalculationPeriodType!: InterestCalculationPeriodType;

  @Field(() => DaysInYearTypeEnum)
  daysInYearType!: DaysInYearType;

  @Field(() => DaysInMonthTypeEnum)
  daysInMonthType!: DaysInMonthType;

  @Field(() => Int)
  graceOnPrincipalPayment!: number;

  @Field(() => Int)
  graceOnInterestPayment!: number;

  @Field(() => Int)
  graceOnInterestCharged!: number;

  @Field(() => Int)
  inMultiplesOf!: number;

  @Field(() => Int, { nullable: true })
  installmentAmountInMultiplesOf?: number | null;

  @Field(() => LoanScheduleTypeEnum)
  loanScheduleType!: LoanScheduleType;

  @Field()
  allowPartialPeriodInterestCalculation!: boolean;

  @Field(() => RepaymentRescheduleTypeEnum)
  repaymentRescheduleType!: RepaymentRescheduleType;
}
