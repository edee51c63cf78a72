import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { REPAYMENT_FREQUENCY_TYPES, type RepaymentFrequencyType } from '../domain/loan-application';
import type { Decimal } from '../domain/money';
import { DecimalType } from './decimal.type';

@Entity({ tableName: 'loan_product' })
export class LoanProduct {
  [OptionalProps]?: 'createdAt' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 100 })
  @Unique()
  name!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  description?: string | null;

  @Property({ type: 'string', length: 3 })
  currencyCode!: string;

  @Property({ type: 'integer' })
  digitsAfterDecimal!: number;

  @Property({ type: DecimalType })
  minPrincipal!: Decimal;

  @Property({ type: DecimalType })
  maxPrincipal!: Decimal;

  /** Annual nominal interest rate, percent. */
  @Property({ type: DecimalType, precision: 12, scale: 6 })
  minInterestRate!: Decimal;

  @Property({ type: DecimalType, precision: 12, scale: 6 })
  maxInterestRate!: Decimal;

  @Property({ type: 'integer' })
  minNumberOfRepayments!: number;

  @Property({ type: 'integer' })
  maxNumberOfRepayments!: number;

  @Property({ type: 'integer' })
  repaymentEvery!: number;

  @Enum({ items: () => [...REPAYMENT_FREQUENCY_TYPES], type: 'string' })
  repaymentFrequencyType!: RepaymentFrequencyType;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ version: true, type: 'integer' })
  version: number = 1;
}
