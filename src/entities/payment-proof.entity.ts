import { randomUUID } from 'node:crypto';
import { Entity, Enum, Index, ManyToOne, OneToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import type { Decimal } from '../domain/money';
import { Customer } from './customer.entity';
import { DecimalType } from './decimal.type';
import { Document } from './document.entity';
import { LoanTransaction } from './loan-account.entity';
import { Loan } from './loan.entity';

export const PAYMENT_PROOF_STATUSES = ['SUBMITTED', 'VERIFIED', 'REJECTED'] as const;
export type PaymentProofStatus = (typeof PAYMENT_PROOF_STATUSES)[number];

/**
 * A proof of payment (a PAYMENT_PROOF document) with the amount and date the uploader claims was paid.
 * An officer verifies it (the repayment is recorded, `transaction`) or rejects it with a reason.
 */
@Entity({ tableName: 'payment_proof' })
@Index({ name: 'payment_proof_queue_index', properties: ['status', 'submittedAt', 'id'] })
@Index({ properties: ['loan', 'submittedAt'] })
export class PaymentProof {
  [OptionalProps]?: 'status' | 'submittedAt' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Loan, { ref: true })
  loan!: Ref<Loan>;

  @ManyToOne(() => Customer, { ref: true })
  customer!: Ref<Customer>;

  @OneToOne(() => Document, { ref: true, owner: true, unique: true })
  document!: Ref<Document>;

  /** Claimed amount paid. */
  @Property({ type: DecimalType })
  amount!: Decimal;

  /** Claimed payment date (becomes the repayment's transaction date). */
  @Property({ type: 'date' })
  paymentDate!: string;

  /** The payer's reference (bank reference, receipt number), to match statements. */
  @Property({ type: 'string', length: 100, nullable: true })
  paymentReference?: string | null;

  @Enum({ items: () => [...PAYMENT_PROOF_STATUSES], type: 'string', default: 'SUBMITTED' })
  status: PaymentProofStatus = 'SUBMITTED';

  @Property({ type: 'string', length: 100 })
  submittedBy!: string;

  @Property({ type: 'string', length: 32 })
  submittedByRole!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  submittedAt: Date = new Date();

  /** The officer who verified or rejected it. */
  @Property({ type: 'string', length: 100, nullable: true })
  decidedBy?: string | null;

  @Property({ type: 'datetime', nullable: true })
  decidedAt?: Date | null;

  @Property({ type: 'string', length: 500, nullable: true })
  rejectionReason?: string | null;

  /** The repayment recorded on verification. */
  @ManyToOne(() => LoanTransaction, { ref: true, nullable: true })
  transaction?: Ref<LoanTransaction> | null;

  @Property({ type: 'integer', version: true })
  version: number = 1;
}
