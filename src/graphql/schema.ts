import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import { TypedPubSub } from '../events/pubsub';
import { authChecker } from './auth/auth-checker';
import { AuthResolver } from './auth/auth.resolver';
import { CustomerResolver } from './customers/customer.resolver';
import { EventResolver } from './events/event.resolver';
import { NotificationResolver } from './notifications/notification.resolver';
import { LoanResolver } from './loans/loan.resolver';
import { OriginationResolver } from './origination/origination.resolver';
import { LoanProductResolver } from './products/loan-product.resolver';
import { ScheduleResolver } from './schedule/schedule.resolver';
import { CobResolver } from './cob/cob.resolver';
import { ServicingResolver } from './servicing/servicing.resolver';
import { PaymentProofResolver } from './payment-proofs/payment-proof.resolver';
import { RescheduleResolver } from './reschedule/reschedule.resolver';
import { inputGuard } from './input-guard';
import { DateTimeScalar } from './scalars';

export const RESOLVERS = [AuthResolver, CustomerResolver, LoanProductResolver, LoanResolver, OriginationResolver, ScheduleResolver, EventResolver, NotificationResolver, ServicingResolver, CobResolver, PaymentProofResolver, RescheduleResolver] as const;

/** `pubSub`: what subscriptions listen to (the API's EventBus feeds it from RabbitMQ). */
export function createSchema(pubSub: PubSub = new TypedPubSub()): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    pubSub,
    // class-validator runs on every input; failures become BAD_USER_INPUT naming the field.
    validate: { forbidUnknownValues: false },
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    emitSchemaFile: false,
    authChecker,
    globalMiddlewares: [inputGuard],
  });
}
