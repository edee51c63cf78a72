import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The transactional outbox: one row per business event, inserted in the business change's own
 * transaction (src/services/outbox.service.ts) and published to RabbitMQ by the relay in id order.
 * Written with SQL by the service and relay; this entity is for reading (GraphQL, tests).
 */
@Entity({ tableName: 'outbox_event' })
@Index({ properties: ['aggregateType', 'aggregateId', 'id'] })
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
