import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { User } from './user.entity';

export const NOTIFICATION_CHANNELS = ['IN_APP', 'EMAIL', 'SMS', 'PUSH'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** A user's in-app inbox entry. One per (user, event): a redelivered event adds nothing. */
@Entity({ tableName: 'notification' })
@Unique({ properties: ['user', 'eventKey'] })
@Index({ properties: ['user', 'createdAt'] })
export class Notification {
  [OptionalProps]?: 'createdAt' | 'readAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => User, { ref: true, deleteRule: 'cascade' })
  user!: Ref<User>;

  /** The event's idempotency key. */
  @Property({ type: 'string', length: 200 })
  eventKey!: string;

  @Property({ type: 'string', length: 64 })
  eventType!: string;

  @Property({ type: 'uuid', nullable: true })
  loanId?: string | null;

  @Property({ type: 'string', length: 200 })
  title!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'datetime', nullable: true })
  readAt?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * One message to send over EMAIL, SMS or PUSH. Unique on `eventKey:userId:channel`, so a duplicate
 * event never creates (or sends) a second one. PENDING → SENT, or retried until DEAD (dead-lettered).
 */
@Entity({ tableName: 'notification_delivery' })
@Index({ properties: ['status', 'nextAttemptAt'] })
export class NotificationDelivery {
  [OptionalProps]?: 'createdAt' | 'attempts' | 'status' | 'nextAttemptAt' | 'lastError' | 'sentAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 300, unique: true })
  idempotencyKey!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'string', length: 16 })
  channel!: NotificationChannel;

  @Property({ type: 'string', length: 64 })
  eventType!: string;

  @Property({ type: 'string', length: 254 })
  recipient!: string;

  @Property({ type: 'string', length: 200 })
  subject!: string;

  @Property({ type: 'text' })
  body!: string;

  /** PENDING, SENT, DEAD or SKIPPED (no provider configured). */
  @Property({ type: 'string', length: 16 })
  status: string = 'PENDING';

  @Property({ type: 'integer' })
  attempts: number = 0;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  nextAttemptAt: Date = new Date();

  @Property({ type: 'string', length: 500, nullable: true })
  lastError?: string | null;

  @Property({ type: 'datetime', nullable: true })
  sentAt?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** The channels a user wants for one event type (`*` = every type without its own row). */
@Entity({ tableName: 'notification_preference' })
export class NotificationPreference {
  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @PrimaryKey({ type: 'string', length: 64 })
  eventType!: string;

  @Property({ type: 'text[]' })
  channels: string[] = [];

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}

/** An ADMIN's template for one event type and channel, overriding the built-in default. */
@Entity({ tableName: 'notification_template' })
export class NotificationTemplate {
  @PrimaryKey({ type: 'string', length: 64 })
  eventType!: string;

  @PrimaryKey({ type: 'string', length: 16 })
  channel!: string;

  @Property({ type: 'string', length: 200 })
  subject!: string;

  @Property({ type: 'text' })
  body!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
