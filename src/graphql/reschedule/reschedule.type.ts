import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { RESCHEDULE_STATUSES, type RescheduleStatus } from '../../entities/reschedule-request.entity';
import { asEnum } from '../common/enums';
import { DateTimeScalar, DecimalScalar, LocalDateScalar } from '../scalars';

export const RescheduleStatusEnum = asEnum(RESCHEDULE_STATUSES);
registerEnumType(RescheduleStatusEnum, { name: 'RescheduleStatus', description: 'PENDING (waiting for a manager), APPROVED (schedule regenerated) or REJECTED.' });

@InputType('RescheduleInput', { description: 'New terms for the unpaid part of the schedule: at least one of rate, remaining repayments, next due date; and a reason.' })
export class RescheduleInput {
  @Field(() => DecimalScalar, { nullable: true, description: "New annual nominal rate (percent), within the product's range." })
  annualInterestRate?: string | null;

  @Field(() => Int, { nullable: true, description: 'Repayments from the first unpaid installment on.' })
  numberOfRepayments?: number | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Due date of the first rescheduled installment (after the business date); later ones follow at the loan’s frequency.' })
  nextDueDate?: string | null;

  @Field()
  reason!: string;
}

@ObjectType('RescheduleInstallment')
export class RescheduleInstallmentType {
  @Field(() => Int)
  installmentNumber!: number;

  @Field(() => LocalDateScalar)
  fromDate!: string;

  @Field(() => LocalDateScalar)
  dueDate!: string;

  @Field(() => DecimalScalar)
  principalDue!: string;

  @Field(() => DecimalScalar)
  interestDue!: string;
}

@ObjectType('RescheduleRequest', { description: 'A request to reschedule an active loan; approval regenerates the unpaid schedule through the loan workflow.' })
export class RescheduleRequestType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  loanId!: string;

  @Field(() => RescheduleStatusEnum)
  status!: RescheduleStatus;

  @Field(() => DecimalScalar, { nullable: true })
  annualInterestRate!: string | null;

  @Field(() => Int, { nullable: true })
  numberOfRepayments!: number | null;

  @Field(() => LocalDateScalar, { nullable: true })
  nextDueDate!: string | null;

  @Field()
  reason!: string;

  @Field()
  submittedBy!: string;

  @Field(() => DateTimeScalar)
  submittedAt!: Date;

  @Field(() => String, { nullable: true })
  decidedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  decidedAt!: Date | null;

  @Field(() => String, { nullable: true })
  rejectionReason!: string | null;

  @Field(() => Int, { nullable: true, description: 'First installment the approval replaced (earlier ones were settled and stay).' })
  fromInstallment!: number | null;

  @Field(() => ID, { nullable: true, description: 'The RESCHEDULE loan transaction recorded on approval.' })
  transactionId!: string | null;

  @Field(() => [RescheduleInstallmentType], { nullable: true, description: 'On approval: the installments replaced.' })
  replacedInstallments!: RescheduleInstallmentType[] | null;
}
