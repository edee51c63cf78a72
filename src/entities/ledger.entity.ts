import { Check, Entity, Enum, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import type { Decimal } from '../domain/money';
import type { GlAccountType } from '../domain/ledger';
import { DecimalType } from './decimal.type';
import { LoanTransaction } from './loan-account.entity';

/** An account of the chart of accounts (seeded with the default chart; see domain/ledger.ts). */
@Entity({ tableName: 'gl_account' })
export class GlAccount {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 20 })
  @Unique()
  code!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 20 })
  type!: GlAccountType;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

/**
 * One line of the journal. Lines are written only by ledger.service.ts (one statement per loan
 * transaction); the database refuses unbalanced statements and any update or delete.
 */
@Entity({ tableName: 'journal_entry' })
@Check({ name: 'journal_entry_amount_positive', expression: 'amount > 0' })
@Index({ properties: ['glAccount', 'businessDate'] })
@Index({ properties: ['loanTransaction'] })
export class JournalEntry {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  // No foreign keys: the journal's insert trigger checks a statement's lines name a transaction of their
  // loan and an existing GL account in one pass, and keeps those from being deleted (Migration20261206120000).
  @ManyToOne(() => LoanTransaction, { ref: true, createForeignKeyConstraint: false })
  loanTransaction!: Ref<LoanTransaction>;

  @Property({ type: 'uuid' })
  loanId!: string;

  @ManyToOne(() => GlAccount, { ref: true, createForeignKeyConstraint: false })
  glAccount!: Ref<GlAccount>;

  @Enum({ items: ['DEBIT', 'CREDIT'], type: 'string' })
  entryType!: 'DEBIT' | 'CREDIT';

  @Property({ type: DecimalType })
  amount!: Decimal;

  @Property({ type: 'string', length: 3 })
  currencyCode!: string;

  @Property({ type: 'date' })
  businessDate!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
