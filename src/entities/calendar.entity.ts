import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { Weekday } from '../domain/holidays';

/** A holiday (inclusive date range) on which no repayment falls due when the product moves due dates. */
@Entity({ tableName: 'holiday' })
export class Holiday {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'date' })
  fromDate!: string;

  @Property({ type: 'date' })
  toDate!: string;

  @Property({ type: 'string', length: 100 })
  createdBy!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/** The lender's working week (one row, id 1): the weekdays that are not working days. */
@Entity({ tableName: 'working_days' })
export class WorkingDays {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'integer', autoincrement: false })
  id: number = 1;

  @Property({ type: 'json' })
  nonWorkingDays!: Weekday[];

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
