import { Arg, Authorized, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import {
  advanceBusinessDate, cobJobSteps, getBusinessDate, listCobRuns, listFailedCobLoans, retryFailedCob, runCloseOfBusiness, updateCobJobSteps,
} from '../../services/cob-run.service';
import type { GraphQLContext } from '../context';
import { LocalDateScalar } from '../scalars';
import { CobStepInput } from '../servicing/servicing.inputs';
import { BusinessDateChangeType, CobFailedLoanType, CobRunType, CobStartType, CobStepType } from './cob.type';

const READERS = ['ADMIN', 'MANAGER', 'RISK_MANAGER', 'LOAN_OFFICER'];

/** Business date and close of business (COB): a Temporal Schedule runs it daily; ADMIN can run it by hand. */
@Resolver()
export class CobResolver {
  @Authorized()
  @Query(() => LocalDateScalar, { description: 'The business date: ledger time, advanced by the daily COB schedule (not the wall clock).' })
  businessDate(@Ctx() ctx: GraphQLContext) {
    return getBusinessDate(ctx);
  }

  @Authorized('ADMIN')
  @Mutation(() => BusinessDateChangeType, {
    description:
      'Moves the business date forward (default: one day) and, with runCob, closes the days passed. Pass expectedBusinessDate to make it a compare-and-set that is safe to resend: ' +
      'a retry finds the date already moved and changes nothing; a date moved by someone else is CONFLICT.',
  })
  advanceBusinessDate(
    @Ctx() ctx: GraphQLContext,
    @Arg('to', () => LocalDateScalar, { nullable: true }) to?: string | null,
    @Arg('runCob', () => Boolean, { defaultValue: true }) runCob = true,
    @Arg('expectedBusinessDate', () => LocalDateScalar, { nullable: true, description: 'The business date the caller saw; the change applies only if it is still that date.' })
    expectedBusinessDate?: string | null,
  ) {
    return advanceBusinessDate(ctx, to, runCob, expectedBusinessDate);
  }

  @Authorized('ADMIN')
  @Mutation(() => CobStartType, { description: 'Starts close of business for every pending date up to upTo (default: the day before the business date). Re-running a closed date changes nothing.' })
  runCloseOfBusiness(@Ctx() ctx: GraphQLContext, @Arg('upTo', () => LocalDateScalar, { nullable: true }) upTo?: string | null) {
    return runCloseOfBusiness(ctx, upTo);
  }

  @Authorized('ADMIN')
  @Mutation(() => CobStartType, { description: 'Releases loans whose COB failed and runs COB again so they catch up.' })
  retryFailedCob(@Ctx() ctx: GraphQLContext) {
    return retryFailedCob(ctx);
  }

  @Authorized(...READERS)
  @Query(() => [CobStepType], { description: "The COB job's business steps in order (Fineract's GET /jobs/{job}/steps)." })
  cobJobSteps(@Ctx() ctx: GraphQLContext, @Arg('jobName', () => String, { nullable: true }) jobName?: string | null) {
    return cobJobSteps(ctx, jobName);
  }

  @Authorized('ADMIN')
  @Mutation(() => [CobStepType], { description: 'Replaces the job\'s steps: this order, enabled or not (Fineract\'s PUT /jobs/{job}/steps).' })
  updateCobJobSteps(@Arg('jobName') jobName: string, @Arg('steps', () => [CobStepInput]) steps: CobStepInput[], @Ctx() ctx: GraphQLContext) {
    return updateCobJobSteps(ctx, jobName, steps);
  }

  @Authorized(...READERS)
  @Query(() => [CobRunType], { description: 'Recent COB runs, newest first.' })
  cobRuns(@Ctx() ctx: GraphQLContext, @Arg('limit', () => Int, { nullable: true }) limit?: number | null) {
    return listCobRuns(ctx, limit);
  }

  @Authorized(...READERS)
  @Query(() => [CobFailedLoanType], { description: 'Loans whose COB failed, with the error; they stay locked until retryFailedCob.' })
  failedCobLoans(@Ctx() ctx: GraphQLContext) {
    return listFailedCobLoans(ctx);
  }
}
