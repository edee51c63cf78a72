import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Loan } from './loan.entity';

/** The system's business date (Fineract's BUSINESS_DATE): ledger time, advanced by close of business. */
@Entity({ tableName: 'business_date' })
export class BusinessDate {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'string', length: 20 })
  name!: string;

  @Property({ type: 'date' })
  date!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}

/** A business step of a COB job, in order, enabled or not (Fineract's job steps). */
@Entity({ tableName: 'cob_step' })
export class CobStep {
  [OptionalProps]?: 'enabled';

  @PrimaryKey({ type: 'string', length: 40 })
  jobName!: string;

  @PrimaryKey({ type: 'string', length: 60 })
  stepName!: string;

  @Property({ type: 'integer' })
  stepOrder!: number;

  @Property({ type: 'boolean', defaultRaw: 'true' })
  enabled: boolean = true;
}

/** One close-of-business run per business date. */
@Entity({ tableName: 'cob_run' })
export class CobRun {
  [OptionalProps]?: 'startedAt' | 'loansProcessed' | 'loansFailed';

  @PrimaryKey({ type: 'date' })
  businessDate!: string;

  /** RUNNING, COMPLETED, COMPLETED_WITH_FAILURES */
  @Property({ type: 'string', length: 30 })
  status!: string;

  @Property({ type: 'string', length: 100 })
  workflowId!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  startedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null;

  @Property({ type: 'integer', defaultRaw: '0' })
  loansProcessed: number = 0;

  @Property({ type: 'integer', defaultRaw: '0' })
  loansFailed: number = 0;

  /** Milliseconds spent per business step, summed over chunks. */
  @Property({ type: 'json', nullable: true })
  stepMillis?: Record<string, number> | null;
}

/**
 * A loan held by close of business outside a running chunk: while the row exists real-time writes fail
 * with LOAN_LOCKED. A row with an error is a loan whose COB failed; it stays until a retry succeeds.
 * (A running chunk holds its loans with one CobChunkLock row instead.)
 */
@Entity({ tableName: 'loan_account_lock' })
export class LoanAccountLock {
  [OptionalProps]?: 'lockedAt';

  @ManyToOne(() => Loan, { primary: true, ref: true, deleteRule: 'cascade' })
  loan!: Ref<Loan>;

  @Property({ type: 'string', length: 100 })
  owner!: string;

  @Property({ type: 'date' })
  businessDate!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  lockedAt: Date = new Date();

  @Property({ type: 'text', nullable: true })
  error?: string | null;
}

/**
 * A chunk of close of business in progress: its loans, the active ones in [fromLoanId, toLoanId] disbursed
 * by and not yet closed for businessDate (cobLockOf), are LOAN_LOCKED while the row exists. One row a chunk, where a row per loan
 * (loan_account_lock) cost 1,000 inserts with their key checks and 1,000 deletes (README, COB).
 */
@Entity({ tableName: 'cob_chunk_lock' })
export class CobChunkLock {
  [OptionalProps]?: 'lockedAt';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 100 })
  owner!: string;

  @Property({ type: 'date' })
  businessDate!: string;

  @Property({ type: 'uuid' })
  fromLoanId!: string;

  @Property({ type: 'uuid' })
  toLoanId!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  lockedAt: Date = new Date();
}

/** A delinquency bucket range (days past due → classification). */
@Entity({ tableName: 'delinquency_range' })
export class DelinquencyRangeRow {
  @PrimaryKey({ type: 'integer', autoincrement: true })
  id!: number;

  @Property({ type: 'string', length: 40 })
  classification!: string;

  @Property({ type: 'integer' })
  minimumAgeDays!: number;

  @Property({ type: 'integer', nullable: true })
  maximumAgeDays?: number | null;
}
