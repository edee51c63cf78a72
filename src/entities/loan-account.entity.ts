import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import { Decimal } from '../domain/money';
import { DecimalType } from './decimal.type';
import { Loan } from './loan.entity';

/** One installment of an active loan's repayment schedule, persisted at activation. */
const ZERO = new Decimal(0);

@Entity({ tableName: 'loan_installment' })
@Unique({ properties: ['loan', 'installmentNumber'] })
@Index({ properties: ['loan', 'dueDate'] })
export class LoanInstallment {
  [OptionalProps]?: 'principalPaid' | 'interestPaid' | 'feePaid' | 'penaltyPaid' | 'interestWaived' | 'feeWaived' | 'penaltyWaived' | 'interestAccrued' | 'feeAccrued' | 'completed' | 'appliedOverdueCharges';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Loan, { ref: true, deleteRule: 'cascade' })
  loan!: Ref<Loan>;

  @Property({ type: 'integer' })
  installmentNumber!: number;

  @Property({ type: 'date' })
  fromDate!: string;

  @Property({ type: 'date' })
  dueDate!: string;

  @Property({ type: DecimalType })
  principalDue!: Decimal;

  @Property({ type: DecimalType })
  interestDue!: Decimal;

  @Property({ type: DecimalType })
  feeChargesDue!: Decimal;

  @Property({ type: DecimalType })
  penaltyChargesDue!: Decimal;

  @Property({ type: DecimalType, defaultRaw: '0' })
  principalPaid: Decimal = ZERO;

  @Property({ type: DecimalType, defaultRaw: '0' })
  interestPaid: Decimal = ZERO;

  @Property({ type: DecimalType, defaultRaw: '0' })
  feePaid: Decimal = ZERO;

  @Property({ type: DecimalType, defaultRaw: '0' })
  penaltyPaid: Decimal = ZERO;

  @Property({ type: DecimalType, defaultRaw: '0' })
  interestWaived: Decimal = ZERO;

  @Property({ type: DecimalType, defaultRaw: '0' })
  feeWaived: Decimal = ZERO;

  @Property({ type: DecimalType, defaultRaw: '0' })
  penaltyWaived: Decimal = ZERO;

  /** Interest earned so far (periodic accrual, posted by close of business). */
  @Property({ type: DecimalType, defaultRaw: '0' })
  interestAccrued: Decimal = ZERO;

  /**
   * Fees booked receivable so far under periodic accrual (Dr fees receivable, Cr fee income): by close
   * of business on the installment's due date, or at once for a fee added to an active loan.
   */
  @Property({ type: DecimalType, defaultRaw: '0' })
  feeAccrued: Decimal = ZERO;

  /** Every component settled (paid or waived). */
  @Property({ type: 'boolean', defaultRaw: 'false' })
  completed: boolean = false;

  /**
   * Request ids of the one-time OVERDUE_INSTALLMENT charges close of business applied here (each a
   * loan_charge row of the loan): it skips those instead of probing loan_charge on every overdue date.
   */
  @Property({ type: 'string[]', defaultRaw: `'{}'` })
  appliedOverdueCharges: string[] = [];
}

/**
 * A money movement on a loan: DISBURSEMENT, REPAYMENT, ACCRUAL, PENALTY, WAIVE_INTEREST, WRITE_OFF, CHARGE, WAIVE_CHARGE,
 * RECOVERY, CREDIT_BALANCE_REFUND. Each has a balanced journal entry (see ledger.service.ts).
 */
@Entity({ tableName: 'loan_transaction' })
@Unique({ properties: ['loan', 'requestId'] })
@Index({ properties: ['loan', 'transactionDate'] })
export class LoanTransaction {
  [OptionalProps]?: 'createdAt' | 'principalPortion' | 'interestPortion' | 'feePortion' | 'feeReceivablePortion' | 'penaltyPortion' | 'overpaymentPortion' | 'reversed' | 'createdBy';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Loan, { ref: true, deleteRule: 'cascade' })
  loan!: Ref<Loan>;

  @Property({ type: 'string', length: 32 })
  type!: string;

  @Property({ type: DecimalType })
  amount!: Decimal;

  /** Business date of the transaction. */
  @Property({ type: 'date' })
  transactionDate!: string;

  @Property({ type: 'string', length: 100 })
  requestId!: string;

  /**
   * sha256 of what the request asked for (operation and payload): the same idempotency key with a
   * different request is a CONFLICT, not the first request's result. Null for system postings.
   */
  @Property({ type: 'string', length: 64, nullable: true })
  requestFingerprint?: string | null;

  @Property({ type: DecimalType, defaultRaw: '0' })
  principalPortion: Decimal = ZERO;

  @Property({ type: DecimalType, defaultRaw: '0' })
  interestPortion: Decimal = ZERO;

  @Property({ type: DecimalType, defaultRaw: '0' })
  feePortion: Decimal = ZERO;

  /**
   * Of a repayment's feePortion, what settled fees receivable under accrual (the rest was fee income):
   * kept so a reversal undoes, and its replay re-splits, exactly what was posted.
   */
  @Property({ type: DecimalType, defaultRaw: '0' })
  feeReceivablePortion: Decimal = ZERO;

  @Property({ type: DecimalType, defaultRaw: '0' })
  penaltyPortion: Decimal = ZERO;

  /** Money beyond everything owed: the loan's credit balance (a liability to the borrower). */
  @Property({ type: DecimalType, defaultRaw: '0' })
  overpaymentPortion: Decimal = ZERO;

  @Property({ type: 'string', length: 40, nullable: true })
  paymentType?: string | null;

  /** For a PENALTY charge: the installment it was charged on. */
  @Property({ type: 'integer', nullable: true })
  installmentNumber?: number | null;

  @Property({ type: 'boolean', defaultRaw: 'false' })
  reversed: boolean = false;

  @Property({ type: 'datetime', nullable: true })
  reversedAt?: Date | null;

  @Property({ type: 'string', length: 100, defaultRaw: `'system'` })
  createdBy: string = 'system';

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
