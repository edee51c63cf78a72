import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { listEventTypes, setEventTypeEnabled, type EventTypeStatus } from '../../services/outbox.service';
import { getLoan } from '../../services/loan.service';
import type { GraphQLContext } from '../context';
import { requireEventBus, type LoanStageChangePayload } from '../../events/pubsub';
import { EventTypeSettingType, LoanStageChangeType } from './event.type';

@Resolver()
export class EventResolver {
  @Authorized('ADMIN')
  @Query(() => [EventTypeSettingType], { description: 'Every business event type and whether it is published.' })
  eventTypes(@Ctx() ctx: GraphQLContext): Promise<EventTypeStatus[]> {
    return listEventTypes(ctx);
  }

  @Authorized('ADMIN')
  @Mutation(() => EventTypeSettingType, {
    description: 'Enables or disables an event type: a disabled type is not written to the outbox (nor published) from the next transaction on.',
  })
  setEventTypeEnabled(@Arg('type') type: string, @Arg('enabled') enabled: boolean, @Ctx() ctx: GraphQLContext): Promise<EventTypeStatus> {
    return setEventTypeEnabled(ctx, type, enabled);
  }

  @Authorized()
  @Subscription(() => LoanStageChangeType, {
    description: "Stage/status changes of one loan once committed (fed from RabbitMQ). Authorized as `loan(id)`: FORBIDDEN for another customer's loan.",
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const loan = await getLoan(ctx, args.loanId as string, 'loanId');
      return requireEventBus(ctx).subscribe('LOAN_STAGE_CHANGED', loan.id);
    },
  })
  loanStageChanged(@Root() change: LoanStageChangePayload, @Arg('loanId', () => ID) _loanId: string): LoanStageChangePayload {
    return change;
  }
}
