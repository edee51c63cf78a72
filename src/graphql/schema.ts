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
import { ChargeResolver } from './charges/charge.resolver';
import { CalendarResolver } from './calendar/calendar.resolver';
import { LoanTermsResolver } from './products/loan-terms.resolver';
import { PipelineDashboardResolver } from './dashboard/pipeline-dashboard.resolver';
import { PaymentTypeResolver, TransactionPaymentTypeResolver } from './payment-types/payment-type.resolver';
import { guardArguments } from './input-guard';
import { DateTimeScalar } from './scalars';

export const RESOLVERS = [AuthResolver, CustomerResolver, LoanProductResolver, LoanResolver, OriginationResolver, ScheduleResolver, EventResolver, NotificationResolver, ServicingResolver, CobResolver, PaymentProofResolver, RescheduleResolver, ChargeResolver, CalendarResolver, LoanTermsResolver, PipelineDashboardResolver, PaymentTypeResolver, TransactionPaymentTypeResolver] as const;

/** `pubSub`: what subscriptions listen to (the API's EventBus feeds it from RabbitMQ). */
export async function createSchema(pubSub: PubSub = new TypedPubSub()): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    pubSub,
    // class-validator runs on every input; failures become BAD_USER_INPUT naming the field.
    validate: { forbidUnknownValues: false },
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    emitSchemaFile: false,
    authChecker,
  });
  // Every argument is checked for unstorable strings (inputGuard), on the fields that take arguments only.
  return guardArguments(schema);
}
