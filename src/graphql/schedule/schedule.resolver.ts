import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { previewProductSchedule, previewSchedule, type SchedulePreview } from '../../services/schedule.service';
import type { GraphQLContext } from '../context';
import { LoanScheduleTermsInput, ScheduleTermsInput } from './schedule.inputs';
import { LoanScheduleType } from './schedule.type';

@Resolver()
export class ScheduleResolver {
  @Query(() => LoanScheduleType, {
    description: 'Computes a repayment schedule for any terms (creates nothing). Public: a loan calculator for front-ends. BAD_USER_INPUT names the bad term.',
  })
  loanSchedulePreview(@Arg('terms') terms: LoanScheduleTermsInput, @Ctx() ctx: GraphQLContext): SchedulePreview {
    return previewSchedule(ctx, terms);
  }

  @Authorized()
  @Query(() => LoanScheduleType, {
    description: "Computes a schedule for terms under a product: principal, rate and repayments are checked against the product's limits; currency and frequency come from it.",
  })
  loanProductSchedulePreview(
    @Arg('productId', () => ID) productId: string,
    @Arg('terms') terms: ScheduleTermsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SchedulePreview> {
    return previewProductSchedule(ctx, productId, terms);
  }
}
