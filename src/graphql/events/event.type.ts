import { Field, ID, ObjectType } from 'type-graphql';

@ObjectType('EventTypeSetting', { description: 'A business event type and whether it is published (ADMIN switches it).' })
export class EventTypeSettingType {
  @Field({ description: 'e.g. LoanApproved' })
  type!: string;

  @Field({ description: 'LOAN, COB, NOTIFICATION or BULK (first part of the RabbitMQ routing key)' })
  category!: string;

  @Field({ description: 'Full name of the Avro payload schema (src/events/avro)' })
  schema!: string;

  @Field()
  description!: string;

  @Field()
  enabled!: boolean;

  @Field(() => String, { nullable: true })
  updatedBy!: string | null;

  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;
}

@ObjectType('LoanStageChange', { description: 'A committed stage/status change of a loan, as published on the event bus.' })
export class LoanStageChangeType {
  @Field(() => ID, { description: 'Outbox id of the event (monotonic per loan)' })
  eventId!: string;

  @Field({ description: 'LoanStageChanged, LoanApproved, LoanRejected, LoanDisbursed or LoanClosed' })
  eventType!: string;

  @Field(() => ID)
  loanId!: string;

  @Field(() => String, { nullable: true })
  action!: string | null;

  @Field(() => String, { nullable: true })
  fromStage!: string | null;

  @Field()
  toStage!: string;

  @Field(() => String, { nullable: true })
  fromStatus!: string | null;

  @Field()
  toStatus!: string;

  @Field()
  occurredAt!: string;
}
