import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import type { Decimal } from '../domain/money';
import { DecimalType } from './decimal.type';
import { Loan } from './loan.entity';

/** One installment of an active loan's repayment schedule, persisted at activation. */
@Entity({ tableName: 'loan_installment' })
@Unique({ properties: ['loan', 'installmentNumber'] })
export class LoanInstallment {
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
}

/** A money movement on a loan (DISBURSEMENT now; repayments and the rest with servicing). */
@Entity({ tableName: 'loan_transaction' })
@Unique({ properties: ['loan', 'requestId'] })
export class LoanTransaction {
  [OptionalProps]?: 'createdAt';

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

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
