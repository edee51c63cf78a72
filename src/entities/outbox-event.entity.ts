import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The transactional outbox: one row per business event, inserted in the business change's own
 * transaction (src/services/outbox.service.ts) and published to RabbitMQ by the relay in id order.
 * Written with SQL by the service and relay; this entity is for reading (GraphQL, tests).
 */
@Entity({ tableName: 'outbox_event' })
// No (aggregate_type, aggregate_id, id) index: no query reads the outbox by aggregate, and every event paid
// an entry in it (Migration20261206130000).
// Partial indexes of the relay (unsent, in id order) and of the purge (sent, by age).
@Index({ name: 'outbox_event_unsent_index', expression: `create index "outbox_event_unsent_index" on "outbox_event" ("id") where "sent_at" is null` })
@Index({ name: 'outbox_event_sent_at_index', expression: `create index "outbox_event_sent_at_index" on "outbox_event" ("sent_at") where "sent_at" is not null` })
export class OutboxEvent {
  [OptionalProps]?: 'createdAt' | 'sentAt' | 'businessDate';

  /** Monotonic (bigserial); a string in JS. */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 100 })
  source!: string;

  @Property({ type: 'string', length: 64 })
  type!: string;

  @Property({ type: 'string', length: 32 })
  category!: string;

  @Property({ type: 'string', length: 64 })
  aggregateType!: string;

  @Property({ type: 'string', length: 100 })
  aggregateId!: string;

  @Property({ type: 'string', length: 200, unique: true })
  idempotencyKey!: string;

  /** Full Avro schema name of the payload. */
  @Property({ type: 'string', length: 200 })
  dataSchema!: string;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'date', nullable: true })
  businessDate?: string | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /** Set when RabbitMQ confirmed it; sent rows are purged after the retention period. */
  @Property({ type: 'datetime', nullable: true })
  sentAt?: Date | null;
}
