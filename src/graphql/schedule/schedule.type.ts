import { Field, Int, ObjectType } from 'type-graphql';
import { DecimalScalar, LocalDateScalar } from '../scalars';

@ObjectType('SchedulePeriod', { description: 'One installment of a repayment schedule.' })
export class SchedulePeriodType {
  @Field(() => Int)
  period!: number;

  @Field(() => LocalDateScalar)
  fromDate!: string;

  @Field(() => LocalDateScalar)
  dueDate!: string;

  @Field(() => Int)
  daysInPeriod!: number;

  @Field(() => DecimalScalar)
  principalDue!: string;

  @Field(() => DecimalScalar)
  interestDue!: string;

  @Field(() => DecimalScalar)
  feeChargesDue!: string;

  @Field(() => DecimalScalar)
  penaltyChargesDue!: string;

  @Field(() => DecimalScalar)
  totalDue!: string;

  @Field(() => DecimalScalar, { description: 'Principal still owed after this installment.' })
  principalLoanBalanceOutstanding!: string;
}

@ObjectType('LoanSchedule', { description: 'A repayment schedule computed by the loan math engine (Apache Fineract compatible).' })
export class LoanScheduleType {
  @Field()
  currencyCode!: string;

  @Field(() => Int)
  digitsAfterDecimal!: number;

  @Field()
  loanScheduleType!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'The equal installment, where the terms amortize in equal installments.' })
  installmentAmount!: string | null;

  @Field(() => DecimalScalar, { description: 'Fees due at disbursement.' })
  feeChargesAtDisbursement!: string;

  @Field(() => [SchedulePeriodType])
  periods!: SchedulePeriodType[];

  @Field(() => DecimalScalar)
  totalPrincipal!: string;

  @Field(() => DecimalScalar)
  totalInterest!: string;

  @Field(() => DecimalScalar)
  totalFeeCharges!: string;

  @Field(() => DecimalScalar)
  totalPenaltyCharges!: string;

  @Field(() => DecimalScalar)
  totalRepayment!: string;

  @Field(() => DecimalScalar, { description: 'Annual percentage rate including fees, percent.' })
  apr!: string;

  @Field(() => DecimalScalar, { description: 'Effective annual rate including fees, percent.' })
  effectiveAnnualRate!: string;
}
