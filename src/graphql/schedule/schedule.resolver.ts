import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { ValidationError } from '../../domain/errors';
import { previewProductSchedule, previewSchedule, type SchedulePreview } from '../../services/schedule.service';
import type { GraphQLContext } from '../context';
import { LoanScheduleTermsInput, ProductScheduleTermsInput } from './schedule.inputs';
import { LoanScheduleType } from './schedule.type';

/**
 * Previews cost real CPU (the APR solver works per installment): each one is rate-limited per IP and
 * per account, refused above SCHEDULE_PREVIEW_MAX_REPAYMENTS, and costs SCHEDULE_PREVIEW_INSTALLMENT_COST
 * complexity points per installment (src/graphql/limits.ts), so aliases cannot multiply the work.
 */
async function guardPreview(ctx: GraphQLContext, numberOfRepayments: number): Promise<void> {
  await ctx.security?.limits.hitIp('preview', ctx.ip);
  if (ctx.actor.authenticated) await ctx.security?.limits.hitAccount('preview', ctx.actor.id);
  const max = ctx.config.graphql.previewMaxRepayments;
  if (numberOfRepayments > max) throw new ValidationError('terms.numberOfRepayments', `must be at most ${max} for a preview`);
}

@Resolver()
export class ScheduleResolver {
  @Query(() => LoanScheduleType, {
    description: 'Computes a repayment schedule for any terms (creates nothing). Public: a loan calculator for front-ends. BAD_USER_INPUT names the bad term. Rate-limited per IP (RATE_LIMITED); numberOfRepayments at most SCHEDULE_PREVIEW_MAX_REPAYMENTS; costs complexity by installments.',
  })
  async loanSchedulePreview(@Arg('terms') terms: LoanScheduleTermsInput, @Ctx() ctx: GraphQLContext): Promise<SchedulePreview> {
    await guardPreview(ctx, terms.numberOfRepayments);
    return previewSchedule(ctx, terms);
  }

  @Authorized()
  @Query(() => LoanScheduleType, {
    description: "Computes a schedule for a loan under a product: only the loan-level terms are given (principal, rate and repayments checked against the product's limits, dates); every setting, the default charges and the holiday rule come from the product, as for an application, agreement and activation. Rate-limited per account and IP.",
  })
  async loanProductSchedulePreview(
    @Arg('productId', () => ID) productId: string,
    @Arg('terms') terms: ProductScheduleTermsInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SchedulePreview> {
    await guardPreview(ctx, terms.numberOfRepayments);
    return previewProductSchedule(ctx, productId, terms);
  }
}
