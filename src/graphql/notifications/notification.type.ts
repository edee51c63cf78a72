import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum NotificationChannelEnum {
  IN_APP = 'IN_APP',
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  PUSH = 'PUSH',
}
registerEnumType(NotificationChannelEnum, { name: 'NotificationChannel', description: 'IN_APP (the inbox), EMAIL (SMTP), SMS and PUSH (webhook providers)' });

@ObjectType('Notification', { description: 'An entry in the signed-in user\'s inbox.' })
export class NotificationType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The event that caused it, e.g. LoanApproved' })
  eventType!: string;

  @Field(() => ID, { nullable: true })
  loanId!: string | null;

  @Field()
  title!: string;

  @Field()
  body!: string;

  @Field(() => Date, { nullable: true })
  readAt!: Date | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('NotificationPreference', { description: 'Channels for one event type; eventType "*" is the default for every type.' })
export class NotificationPreferenceType {
  @Field()
  eventType!: string;

  @Field(() => [NotificationChannelEnum])
  channels!: string[];
}

@ObjectType('NotificationTemplate', { description: 'Subject and body with {{field}} placeholders from the event payload and the recipient (firstName, lastName).' })
export class NotificationTemplateType {
  @Field()
  eventType!: string;

  @Field({ description: '"*" (every channel) or a channel name' })
  channel!: string;

  @Field()
  subject!: string;

  @Field()
  body!: string;

  @Field({ description: 'false for the built-in default' })
  custom!: boolean;
}
