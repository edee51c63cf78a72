import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RescheduleRequest } from '../../entities';
import type { RescheduleStatus } from '../../entities/reschedule-request.entity';
import {
  approveRescheduleRequest, getRescheduleRequest, listRescheduleRequests, rejectRescheduleRequest, RESCHEDULE_DECIDE_ROLES, RESCHEDULE_READ_ROLES,
  RESCHEDULE_SUBMIT_ROLES, submitRescheduleRequest,
} from '../../services/reschedule-request.service';
import type { GraphQLContext } from '../context';
import { RescheduleInput, RescheduleRequestType, RescheduleStatusEnum, type RescheduleInstallmentType } from './reschedule.type';

function toType(r: RescheduleRequest): RescheduleRequestType {
  return {
    id: r.id, loanId: r.loan.id, status: r.status, annualInterestRate: r.annualInterestRate?.toFixed() ?? null, numberOfRepayments: r.numberOfRepayments ?? null,
    nextDueDate: r.nextDueDate ?? null, reason: r.reason, submittedBy: r.submittedBy, submittedAt: r.submittedAt, decidedBy: r.decidedBy ?? null,
    decidedAt: r.decidedAt ?? null, rejectionReason: r.rejectionReason ?? null, fromInstallment: r.fromInstallment ?? null, transactionId: r.transaction?.id ?? null,
    replacedInstallments: (r.result?.before as RescheduleInstallmentType[] | undefined) ?? null,
  };
}

/** Reschedule requests: LOAN_OFFICER submits, a different MANAGER approves (schedule regenerated via the loan workflow) or rejects. */
@Resolver(() => RescheduleRequestType)
export class RescheduleResolver {
  @Authorized(...RESCHEDULE_SUBMIT_ROLES)
  @Mutation(() => RescheduleRequestType, { description: 'Submits new terms for an active loan (validated against the product and planned on the current schedule). One pending request per loan (CONFLICT otherwise).' })
  async submitRescheduleRequest(@Arg('loanId', () => ID) loanId: string, @Arg('input', () => RescheduleInput) input: RescheduleInput, @Ctx() ctx: GraphQLContext) {
    return toType(await submitRescheduleRequest(ctx, loanId, input));
  }

  @Authorized(...RESCHEDULE_DECIDE_ROLES)
  @Mutation(() => RescheduleRequestType, {
    description: "Approves a pending request (not by its submitter): the loan workflow regenerates the unpaid installments with the schedule engine in one transaction; principal outstanding is unchanged. Repeating it returns the approved request.",
  })
  async approveRescheduleRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return toType(await approveRescheduleRequest(ctx, id));
  }

  @Authorized(...RESCHEDULE_DECIDE_ROLES)
  @Mutation(() => RescheduleRequestType, { description: 'Rejects a pending request with a reason (not by its submitter).' })
  async rejectRescheduleRequest(@Arg('id', () => ID) id: string, @Arg('reason') reason: string, @Ctx() ctx: GraphQLContext) {
    return toType(await rejectRescheduleRequest(ctx, id, reason));
  }

  @Authorized(...RESCHEDULE_READ_ROLES)
  @Query(() => RescheduleRequestType)
  async rescheduleRequest(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return toType(await getRescheduleRequest(ctx, id));
  }

  @Authorized(...RESCHEDULE_READ_ROLES)
  @Query(() => [RescheduleRequestType], { description: 'Reschedule requests, oldest first (at most 100), of one loan and/or in one status (e.g. the PENDING queue).' })
  async rescheduleRequests(
    @Ctx() ctx: GraphQLContext,
    @Arg('loanId', () => ID, { nullable: true }) loanId?: string | null,
    @Arg('status', () => RescheduleStatusEnum, { nullable: true }) status?: RescheduleStatus | null,
  ) {
    return (await listRescheduleRequests(ctx, { loanId, status })).map(toType);
  }
}
