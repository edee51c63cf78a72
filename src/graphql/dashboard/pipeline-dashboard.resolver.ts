import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { STAFF_ROLES } from '../../domain/roles';
import { MAX_DASHBOARD_DAYS, pipelineDashboard } from '../../services/pipeline-dashboard.service';
import type { GraphQLContext } from '../context';
import { LocalDateScalar } from '../scalars';
import { PipelineDashboardType } from './pipeline-dashboard.type';

/** The staff pipeline dashboard (every staff role; customers and anonymous callers are refused). */
@Resolver()
export class PipelineDashboardResolver {
  @Authorized(...STAFF_ROLES)
  @Query(() => PipelineDashboardType, {
    description:
      'Pipeline and portfolio for one currency: loans and principal by stage, time per stage (median, p90), approvals waiting per level, ' +
      `disbursed and collected per business date, PAR 1/30/60/90 and arrears by delinquency range. The window (default: the 30 days up to the business date, at most ${MAX_DASHBOARD_DAYS}) ` +
      'applies to the daily series and the stage durations; the rest is the book now. Staff only.',
  })
  pipelineDashboard(
    @Ctx() ctx: GraphQLContext,
    @Arg('currencyCode', { description: 'ISO 4217 code; amounts are never summed across currencies.' }) currencyCode: string,
    @Arg('from', () => LocalDateScalar, { nullable: true }) from?: string | null,
    @Arg('to', () => LocalDateScalar, { nullable: true, description: 'Default: the business date.' }) to?: string | null,
  ) {
    return pipelineDashboard(ctx, { currencyCode, from, to });
  }
}
