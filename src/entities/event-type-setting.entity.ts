import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** ADMIN's switch per event type; a type without a row is enabled. Disabled types are not written. */
@Entity({ tableName: 'event_type_setting' })
export class EventTypeSetting {
  @PrimaryKey({ type: 'string', length: 64 })
  type!: string;

  @Property({ type: 'boolean' })
  enabled!: boolean;

  @Property({ type: 'string', length: 100 })
  updatedBy!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
