import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { RepaymentFrequencyType } from '../../domain/loan-application';
import type { LoanStage, LoanStatus } from '../../domain/loan-lifecycle';
import type { Decimal } from '../../domain/money';
import { LoanStageEnum, LoanStatusEnum, RepaymentFrequencyTypeEnum, RoleEnum } from '../common/enums';
import { PageInfo } from '../common/page-info.type';
import { DateTimeScalar, DecimalScalar, LocalDateScalar } from '../scalars';

@ObjectType('LoanWorkflow', { description: "The loan's durable Temporal workflow, for ops." })
export class LoanWorkflowType {
  @Field({ description: 'Always `loan-<loanId>`.' })
  workflowId!: string;

  @Field(() => String, { nullable: true, description: 'Run id of the first execution.' })
  runId!: string | null;

  @Field({ description: "This loan's workflow in the Temporal UI." })
  url!: string;

  @Field({ description: 'A Temporal UI search for every run of this loan (by the LoanId search attribute).' })
  searchUrl!: string;
}

@ObjectType('LoanTimelineEntry', { description: 'One action on a loan: the timeline is also the audit trail.' })
export class LoanTimelineEntryType {
  @Field()
  action!: string;

  @Field(() => LoanStageEnum, { nullable: true })
  fromStage?: LoanStage | null;

  @Field(() => LoanStageEnum)
  toStage!: LoanStage;

  @Field(() => LoanStatusEnum, { nullable: true })
  fromStatus?: LoanStatus | null;

  @Field(() => LoanStatusEnum)
  toStatus!: LoanStatus;

  @Field({ description: 'User id, or `system`.' })
  actor!: string;

  @Field(() => RoleEnum, { description: 'The role the actor acted in (SYSTEM for the platform itself).' })
  actorRole!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => DateTimeScalar)
  occurredAt!: Date;
}

@ObjectType('Loan', { description: 'A loan, from application to closure (read from the PostgreSQL projection).' })
export class LoanType {
  @Field(() => ID)
  id!: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Last business date close of business processed this loan.' })
  lastCobDate?: string | null;

  @Field(() => Int, { description: 'Days since the oldest unpaid installment fell due (as of the last COB).' })
  daysPastDue!: number;

  @Field(() => String, { nullable: true, description: 'Delinquency range, e.g. RANGE_1_30 (null: not delinquent).' })
  delinquencyClass?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Next installment due date (as of the last COB).' })
  nextDueDate?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  nextDueAmount?: Decimal | null;

  @Field(() => DecimalScalar, { description: 'Past due and unpaid (as of the last COB).' })
  overdueAmount!: Decimal;

  @Field(() => DecimalScalar, { description: 'Overpaid money owed back to the borrower.' })
  creditBalance!: Decimal;

  @Field(() => LocalDateScalar, { nullable: true })
  writtenOffOn?: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Business date the loan closed.' })
  closedOn?: string | null;

  @Field(() => DecimalScalar)
  principal!: Decimal;

  @Field()
  currencyCode!: string;

  @Field(() => DecimalScalar, { description: 'Annual nominal interest rate, percent.' })
  annualInterestRate!: Decimal;

  @Field(() => Int)
  numberOfRepayments!: number;

  @Field(() => Int)
  repaymentEvery!: number;

  @Field(() => RepaymentFrequencyTypeEnum)
  repaymentFrequencyType!: RepaymentFrequencyType;

  @Field(() => String, { nullable: true })
  purpose?: string | null;

  @Field(() => LoanStatusEnum)
  status!: LoanStatus;

  @Field(() => LoanStageEnum)
  stage!: LoanStage;

  @Field(() => DateTimeScalar)
  submittedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  closedAt?: Date | null;

  @Field(() => Int, { description: 'Optimistic-lock version; grows with every change.' })
  version!: number;
}

@ObjectType('LoanEdge')
export class LoanEdge {
  @Field()
  cursor!: string;

  @Field(() => LoanType)
  node!: LoanType;
}

@ObjectType('LoanConnection', { description: 'A page of loans, newest first.' })
export class LoanConnection {
  @Field(() => [LoanEdge])
  edges!: LoanEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Loans matching the filter, across all pages.' })
  totalCount!: number;
}
