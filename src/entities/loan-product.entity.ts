import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, Enum, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { REPAYMENT_FREQUENCY_TYPES, type RepaymentFrequencyType } from '../domain/loan-application';
import type { Decimal } from '../domain/money';
import type { AllocationStrategy } from '../domain/allocation';
import type { AccountingRule, GlRole } from '../domain/ledger';
import type { PenaltyCalculationType } from '../domain/penalties';
import { DecimalType } from './decimal.type';

@Entity({ tableName: 'loan_product' })
export class LoanProduct {
  [OptionalProps]?: 'createdAt' | 'version' | 'accountingRule' | 'allocationStrategy' | 'penaltyGraceDays';

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

  /** CASH: income when paid; ACCRUAL_PERIODIC: interest earned daily by close of business (Fineract's rules). */
  @Property({ type: 'string', length: 20, defaultRaw: `'CASH'` })
  accountingRule: AccountingRule = 'CASH';

  @Property({ type: 'string', length: 80, defaultRaw: `'PENALTIES_FEES_INTEREST_PRINCIPAL'` })
  allocationStrategy: AllocationStrategy = 'PENALTIES_FEES_INTEREST_PRINCIPAL';

  /** Overdue penalty (charged once per installment by close of business); null: none. */
  @Property({ type: 'string', length: 50, nullable: true })
  penaltyCalculationType?: PenaltyCalculationType | null;

  @Property({ type: DecimalType, nullable: true })
  penaltyAmount?: Decimal | null;

  @Property({ type: 'integer', defaultRaw: '0' })
  penaltyGraceDays: number = 0;

  /** GL account code per posting role; roles left out use the default chart (see domain/ledger.ts). */
  @Property({ type: 'json', nullable: true })
  glMapping?: Partial<Record<GlRole, string>> | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ version: true, type: 'integer' })
  version: number = 1;
}
