import { Field, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { DateTimeScalar, LocalDateScalar } from '../scalars';

@ObjectType('CobStep', { description: 'A business step of the close-of-business job, in order.' })
export class CobStepType {
  @Field()
  jobName!: string;

  @Field()
  stepName!: string;

  @Field(() => Int)
  stepOrder!: number;

  @Field()
  enabled!: boolean;
}

@ObjectType('CobRun', { description: 'Close of business for one business date.' })
export class CobRunType {
  @Field(() => LocalDateScalar)
  businessDate!: string;

  @Field({ description: 'RUNNING, COMPLETED or COMPLETED_WITH_FAILURES.' })
  status!: string;

  @Field()
  workflowId!: string;

  @Field(() => DateTimeScalar)
  startedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt?: Date | null;

  @Field(() => Int)
  loansProcessed!: number;

  @Field(() => Int)
  loansFailed!: number;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Milliseconds per business step, summed over chunks.' })
  stepMillis?: Record<string, number> | null;
}

@ObjectType('CobFailedLoan', { description: 'A loan whose close of business failed: it stays locked (LOAN_LOCKED) until retried.' })
export class CobFailedLoanType {
  @Field()
  loanId!: string;

  @Field(() => LocalDateScalar)
  businessDate!: string;

  @Field()
  error!: string;

  @Field(() => DateTimeScalar)
  lockedAt!: Date;
}

@ObjectType('CobStart', { description: 'A close-of-business workflow that was started.' })
export class CobStartType {
  @Field()
  workflowId!: string;

  @Field()
  runId!: string;

  @Field(() => LocalDateScalar, { description: 'Closes every pending date up to this one.' })
  upTo!: string;

  @Field({ description: 'The run in the Temporal UI.' })
  url!: string;

  @Field(() => Int, { nullable: true, description: 'retryFailedCob: failed loans released for the new run.' })
  released?: number | null;
}

@ObjectType('BusinessDateChange')
export class BusinessDateChangeType {
  @Field(() => LocalDateScalar)
  businessDate!: string;

  @Field(() => CobStartType, { nullable: true })
  cob?: CobStartType | null;
}
