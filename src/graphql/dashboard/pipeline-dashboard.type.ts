import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { Decimal } from '../../domain/money';
import type { LoanStage } from '../../domain/loan-lifecycle';
import type { ApprovalLevel } from '../../domain/origination';
import { ApprovalLevelEnum, LoanStageEnum } from '../common/enums';
import { DecimalScalar, LocalDateScalar } from '../scalars';

@ObjectType('PipelineStageCount', { description: 'Loans in a stage now.' })
export class PipelineStageCountType {
  @Field(() => LoanStageEnum)
  stage!: LoanStage;

  @Field(() => Int)
  loans!: number;

  @Field(() => DecimalScalar, { description: 'Sum of the principal on these loans (as on the loan record: applied for, or the accepted offer once activated).' })
  principal!: Decimal;
}

@ObjectType('PipelineStageDuration', { description: 'Time loans spent in a stage, over the stays that ended (the loan moved on) inside the window.' })
export class PipelineStageDurationType {
  @Field(() => LoanStageEnum)
  stage!: LoanStage;

  @Field(() => Int, { description: 'Stays that ended in the window.' })
  stays!: number;

  @Field(() => Float, { description: 'Median time in the stage, seconds (wall clock, from the timeline).' })
  medianSeconds!: number;

  @Field(() => Float, { description: '90th percentile time in the stage, seconds (interpolated).' })
  p90Seconds!: number;
}

@ObjectType('PipelineApprovalsWaiting', { description: 'Loans in APPROVAL waiting for a level: the first level the risk result requires (INTERNAL when none) that nobody has approved yet.' })
export class PipelineApprovalsWaitingType {
  @Field(() => ApprovalLevelEnum)
  level!: ApprovalLevel;

  @Field(() => Int)
  loans!: number;

  @Field(() => DecimalScalar)
  principal!: Decimal;
}

@ObjectType('PipelineDay', { description: 'Money out and in on one business date (reversed transactions excluded).' })
export class PipelineDayType {
  @Field(() => LocalDateScalar)
  date!: string;

  @Field(() => DecimalScalar, { description: 'Sum of DISBURSEMENT transactions.' })
  disbursed!: Decimal;

  @Field(() => Int)
  disbursements!: number;

  @Field(() => DecimalScalar, { description: 'Sum of REPAYMENT and RECOVERY transactions (whole amounts, all portions).' })
  collected!: Decimal;

  @Field(() => Int)
  collections!: number;
}

@ObjectType('PortfolioAtRisk', { description: 'PAR N: outstanding principal of active loans N or more days past due, and its share of all outstanding principal.' })
export class PortfolioAtRiskType {
  @Field(() => Int, { description: 'N: the days-past-due threshold (1, 30, 60, 90).' })
  daysPastDue!: number;

  @Field(() => Int)
  loans!: number;

  @Field(() => DecimalScalar)
  outstandingPrincipal!: Decimal;

  @Field(() => DecimalScalar, { description: 'outstandingPrincipal / total outstanding principal, 6 decimal places (0 when nothing is outstanding).' })
  ratio!: Decimal;
}

@ObjectType('ArrearsBucket', { description: 'Active loans in a delinquency range (the ranges close of business classifies into).' })
export class ArrearsBucketType {
  @Field()
  classification!: string;

  @Field(() => Int)
  minimumAgeDays!: number;

  @Field(() => Int, { nullable: true, description: 'Null: open-ended.' })
  maximumAgeDays?: number | null;

  @Field(() => Int)
  loans!: number;

  @Field(() => DecimalScalar, { description: 'Their outstanding principal (due later included).' })
  outstandingPrincipal!: Decimal;

  @Field(() => DecimalScalar, { description: 'What is past due on them (principal, interest, fees, penalties), as of the last close of business.' })
  overdueAmount!: Decimal;
}

@ObjectType('PipelineDashboard', {
  description: 'The lending pipeline and portfolio quality for one currency, computed in SQL on each request. Days past due, delinquency and overdue amounts are as of the last close of business.',
})
export class PipelineDashboardType {
  @Field()
  currencyCode!: string;

  @Field(() => LocalDateScalar, { description: 'First day of the window (daily series and stage durations).' })
  from!: string;

  @Field(() => LocalDateScalar, { description: 'Last day of the window, inclusive.' })
  to!: string;

  @Field(() => LocalDateScalar)
  businessDate!: string;

  @Field(() => [PipelineStageCountType], { description: 'Every stage, in pipeline order, zeros included.' })
  stages!: PipelineStageCountType[];

  @Field(() => [PipelineStageDurationType], { description: 'Stages with at least one stay that ended between from and to (UTC days of the transition).' })
  stageDurations!: PipelineStageDurationType[];

  @Field(() => [PipelineApprovalsWaitingType], { description: 'Every approval level, zeros included.' })
  approvalsWaiting!: PipelineApprovalsWaitingType[];

  @Field(() => [PipelineDayType], { description: 'Every business date from..to, zeros included.' })
  daily!: PipelineDayType[];

  @Field(() => Int, { description: 'Loans with status ACTIVE.' })
  activeLoans!: number;

  @Field(() => DecimalScalar, { description: 'Scheduled principal of ACTIVE loans not yet paid.' })
  outstandingPrincipal!: Decimal;

  @Field(() => [PortfolioAtRiskType], { description: 'PAR 1, 30, 60 and 90.' })
  portfolioAtRisk!: PortfolioAtRiskType[];

  @Field(() => [ArrearsBucketType], { description: 'Every delinquency range, zeros included.' })
  arrears!: ArrearsBucketType[];
}
