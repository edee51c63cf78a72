import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { Decimal } from '../domain/money';
import { DecimalType } from './decimal.type';

@Entity({ tableName: 'customer' })
export class Customer {
  [OptionalProps]?: 'createdAt' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 100 })
  firstName!: string;

  @Property({ type: 'string', length: 100 })
  lastName!: string;

  /** Stored lower-cased; one customer per e-mail address. */
  @Property({ type: 'string', length: 254 })
  @Unique()
  email!: string;

  @Property({ type: 'string', length: 32, nullable: true })
  phone?: string | null;

  /** YYYY-MM-DD */
  @Property({ type: 'date', nullable: true })
  dateOfBirth?: string | null;

  @Property({ type: 'string', length: 100, nullable: true })
  @Unique()
  externalId?: string | null;

  /** KYC and affordability data the risk rules read. */
  @Property({ type: DecimalType, nullable: true })
  monthlyIncome?: Decimal | null;

  @Property({ type: DecimalType, nullable: true })
  monthlyObligations?: Decimal | null;

  /** EMPLOYED, SELF_EMPLOYED, UNEMPLOYED, RETIRED, STUDENT */
  @Property({ type: 'string', length: 32, nullable: true })
  employmentStatus?: string | null;

  @Property({ type: 'integer', nullable: true })
  employmentYears?: number | null;

  @Property({ type: 'string', length: 300, nullable: true })
  address?: string | null;

  @Property({ type: 'string', length: 64, nullable: true })
  nationalId?: string | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ version: true, type: 'integer' })
  version: number = 1;
}
