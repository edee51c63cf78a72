import { randomUUID } from 'node:crypto';
import { OptionalProps, Entity, Enum, Index, ManyToOne, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { LOAN_STAGES, LOAN_STATUSES, type LoanStage, type LoanStatus } from '../domain/loan-lifecycle';
import { REPAYMENT_FREQUENCY_TYPES, type RepaymentFrequencyType } from '../domain/loan-application';
import { Decimal } from '../domain/money';
import type { OriginationState } from '../domain/origination';
import type { LoanScheduleSettings, LoanSettingOverrides } from '../domain/product-settings';
import { Customer } from './customer.entity';
import { DecimalType } from './decimal.type';
import { LoanProduct } from './loan-product.entity';

const ZERO = new Decimal(0);

/**
 * The PostgreSQL projection of a loan. The loan's Temporal workflow decides; activities write here;
 * lists and searches read here (never workflow queries).
 */
@Entity({ tableName: 'loan' })
@Index({ properties: ['createdAt', 'id'] })
@Index({ properties: ['customer', 'createdAt'] })
// (status, id) also serves every lookup by status alone (a separate status index was dropped: Migration20261204130000).
@Index({ properties: ['status', 'id'] })
// The KYC officers' queue (Migration20261123093000_kyc_queue): declared so schema diffs keep it.
@Index({ name: 'loan_kyc_queue_index', expression: `create index "loan_kyc_queue_index" on "loan" ((origination->>'kycReviewerId'), "created_at", "id") where "stage" = 'KYC_REVIEW'` })
export class Loan {
  [OptionalProps]?: 'status' | 'stage' | 'submittedAt' | 'createdAt' | 'updatedAt' | 'version' | 'daysPastDue' | 'overdueAmount' | 'creditBalance';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true })
  customer!: Ref<Customer>;

  @ManyToOne(() => LoanProduct, { ref: true })
  product!: Ref<LoanProduct>;

  @Property({ type: DecimalType })
  principal!: Decimal;

  @Property({ type: 'string', length: 3 })
  currencyCode!: string;

  @Property({ type: DecimalType, precision: 12, scale: 6 })
  annualInterestRate!: Decimal;

  @Property({ type: 'integer' })
  numberOfRepayments!: number;

  @Property({ type: 'integer' })
  repaymentEvery!: number;

  @Enum({ items: () => [...REPAYMENT_FREQUENCY_TYPES], type: 'string' })
  repaymentFrequencyType!: RepaymentFrequencyType;

  @Property({ type: 'string', length: 500, nullable: true })
  purpose?: string | null;

  /** The first repayment date asked for in the application (an offer may set another). */
  @Property({ type: 'date', nullable: true })
  repaymentsStartingFromDate?: string | null;

  /** The application's overrides of product settings (only those the product allows). */
  @Property({ type: 'json', nullable: true })
  settingOverrides?: LoanSettingOverrides | null;

  /**
   * The loan's resolved schedule settings and charges: taken from the product at application, taken
   * again when an offer is made, then kept whatever happens to the product (agreement, activation and
   * servicing use these).
   */
  @Property({ type: 'json', nullable: true })
  scheduleSettings?: LoanScheduleSettings | null;

  @Enum({ items: () => [...LOAN_STATUSES], type: 'string' })
  status: LoanStatus = 'SUBMITTED';

  @Enum({ items: () => [...LOAN_STAGES], type: 'string' })
  stage: LoanStage = 'APPLICATION';

  @Property({ type: 'string', length: 100 })
  workflowId!: string;

  @Property({ type: 'string', length: 100, nullable: true })
  workflowRunId?: string | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  submittedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  closedAt?: Date | null;

  /** The workflow's origination state (KYC, risk, offer, approvals, agreement), as last persisted. */
  @Property({ type: 'json', nullable: true })
  origination?: OriginationState | null;

  /** Set at activation: the business date the money went out. */
  @Property({ type: 'date', nullable: true })
  disbursedOn?: string | null;

  /** The last business date close of business processed this loan (null: never). */
  @Property({ type: 'date', nullable: true })
  lastCobDate?: string | null;

  @Property({ type: 'integer', defaultRaw: '0' })
  daysPastDue: number = 0;

  @Property({ type: 'string', length: 40, nullable: true })
  delinquencyClass?: string | null;

  @Property({ type: 'date', nullable: true })
  nextDueDate?: string | null;

  @Property({ type: DecimalType, nullable: true })
  nextDueAmount?: Decimal | null;

  @Property({ type: DecimalType, defaultRaw: '0' })
  overdueAmount: Decimal = ZERO;

  /** Overpaid money the lender owes the borrower (refundable). */
  @Property({ type: DecimalType, defaultRaw: '0' })
  creditBalance: Decimal = ZERO;

  @Property({ type: 'date', nullable: true })
  writtenOffOn?: string | null;

  /** Business date the loan closed (repaid, foreclosed or written off). */
  @Property({ type: 'date', nullable: true })
  closedOn?: string | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ version: true, type: 'integer' })
  version: number = 1;
}
