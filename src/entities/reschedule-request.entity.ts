import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, Unique, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { Decimal } from '../domain/money';
import { DecimalType } from './decimal.type';
import { LoanTransaction } from './loan-account.entity';
import { Loan } from './loan.entity';

export const RESCHEDULE_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;
export type RescheduleStatus = (typeof RESCHEDULE_STATUSES)[number];

/**
 * A request to reschedule an active loan (new rate, number of remaining repayments and/or next due
 * date), submitted by a loan officer and approved or rejected by a manager who did not submit it.
 * At most one PENDING request per loan (partial unique index).
 */
@Entity({ tableName: 'loan_reschedule_request' })
@Index({ properties: ['status', 'submittedAt', 'id'] })
@Index({ properties: ['loan', 'submittedAt'] })
@Unique({
  name: 'loan_reschedule_request_one_pending',
  expression: `create unique index "loan_reschedule_request_one_pending" on "loan_reschedule_request" ("loan_id") where "status" = 'PENDING'`,
})
export class RescheduleRequest {
  [OptionalProps]?: 'status' | 'submittedAt' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Loan, { ref: true })
  loan!: Ref<Loan>;

  @Enum({ items: () => [...RESCHEDULE_STATUSES], type: 'string', default: 'PENDING' })
  status: RescheduleStatus = 'PENDING';

  @Property({ type: DecimalType, nullable: true, precision: 12, scale: 6 })
  annualInterestRate?: Decimal | null;

  @Property({ type: 'integer', nullable: true })
  numberOfRepayments?: number | null;

  @Property({ type: 'date', nullable: true })
  nextDueDate?: string | null;

  @Property({ type: 'string', length: 500 })
  reason!: string;

  @Property({ type: 'string', length: 100 })
  submittedBy!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  submittedAt: Date = new Date();

  @Property({ type: 'string', length: 100, nullable: true })
  decidedBy?: string | null;

  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'string', length: 500, nullable: true })
  rejectionReason?: string | null;

  /** First installment the approval replaced. */
  @Property({ type: 'integer', nullable: true })
  fromInstallment?: number | null;

  /** The replaced and the new installments, for the audit trail. */
  @Property({ type: 'json', nullable: true })
  result?: Record<string, unknown> | null;

  /** The RESCHEDULE loan transaction recorded on approval (no journal entry: no money moves). */
  @ManyToOne(() => LoanTransaction, { ref: true, nullable: true })
  transaction?: Ref<LoanTransaction> | null;

  @Property({ type: 'integer', version: true })
  version: number = 1;
}
