import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import type { Decimal } from '../domain/money';
import type { ChargeCalculationType, ChargeTimeType } from '../domain/schedule';
import { DecimalType } from './decimal.type';
import { LoanProduct } from './loan-product.entity';
import { Loan } from './loan.entity';

/** A charge definition (Apache Fineract's m_charge): what, when, how much; attached to products and loans. */
@Entity({ tableName: 'charge' })
export class Charge {
  [OptionalProps]?: 'createdAt' | 'active' | 'chargeAppliesTo' | 'penalty' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 100 })
  @Unique()
  name!: string;

  /** Always LOAN here (Fineract also has SAVINGS, CLIENT, SHARES). */
  @Property({ type: 'string', length: 10, defaultRaw: `'LOAN'` })
  chargeAppliesTo = 'LOAN' as const;

  @Property({ type: 'string', length: 30 })
  chargeTimeType!: ChargeTimeType;

  @Property({ type: 'string', length: 40 })
  chargeCalculationType!: ChargeCalculationType;

  /** A penalty (penalty income, penaltyChargesDue) rather than a fee. */
  @Property({ type: 'boolean', defaultRaw: 'false' })
  penalty: boolean = false;

  /** FLAT: an amount in `currencyCode`; PERCENT_*: a percentage. */
  @Property({ type: DecimalType })
  amount!: Decimal;

  @Property({ type: 'string', length: 3 })
  currencyCode!: string;

  /** OVERDUE_INSTALLMENT: days after the due date before it is charged. */
  @Property({ type: 'integer', defaultRaw: '0' })
  graceDays: number = 0;

  /** OVERDUE_INSTALLMENT: charged again every this many days while the installment stays overdue (null: once). */
  @Property({ type: 'integer', nullable: true })
  feeInterval?: number | null;

  @Property({ type: 'boolean', defaultRaw: 'true' })
  active: boolean = true;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ version: true, type: 'integer' })
  version: number = 1;
}

/** A product's default charges: every loan under the product carries them. */
@Entity({ tableName: 'loan_product_charge' })
@Unique({ properties: ['product', 'charge'] })
export class LoanProductCharge {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => LoanProduct, { ref: true, deleteRule: 'cascade' })
  product!: Ref<LoanProduct>;

  @ManyToOne(() => Charge, { ref: true })
  charge!: Ref<Charge>;
}

/** One installment's share of a loan charge; money as decimal strings (JSON). */
export interface InstallmentChargePart {
  installmentNumber: number;
  amount: string;
  amountWaived: string;
  /** A waiver was applied to this installment's share (a second one is a CONFLICT). */
  waived: boolean;
}

/**
 * A charge on one loan (Fineract's m_loan_charge): from the product's defaults at activation, or added
 * later (addLoanCharge). Its amounts land on installments (feeChargesDue / penaltyChargesDue); a
 * disbursement charge is paid at disbursement.
 */
@Entity({ tableName: 'loan_charge' })
// (loan_id, request_id) also serves every lookup by loan (a separate loan_id index was dropped: Migration20261204130000).
@Unique({ properties: ['loan', 'requestId'] })
export class LoanCharge {
  [OptionalProps]?: 'createdAt' | 'amountWaived' | 'waived' | 'penalty' | 'createdBy';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Loan, { ref: true, deleteRule: 'cascade' })
  loan!: Ref<Loan>;

  @ManyToOne(() => Charge, { ref: true, nullable: true })
  charge?: Ref<Charge> | null;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 30 })
  chargeTimeType!: ChargeTimeType;

  @Property({ type: 'string', length: 40 })
  chargeCalculationType!: ChargeCalculationType;

  @Property({ type: 'boolean', defaultRaw: 'false' })
  penalty: boolean = false;

  /** The definition's amount (FLAT) or percentage. */
  @Property({ type: DecimalType })
  amountOrPercentage!: Decimal;

  /** What the loan is charged in total (all installments for an installment fee). */
  @Property({ type: DecimalType })
  amount!: Decimal;

  @Property({ type: DecimalType, defaultRaw: '0' })
  amountWaived!: Decimal;

  @Property({ type: 'boolean', defaultRaw: 'false' })
  waived: boolean = false;

  @Property({ type: 'date', nullable: true })
  dueDate?: string | null;

  /** The installment a dated charge joined (null: disbursement or every installment). */
  @Property({ type: 'integer', nullable: true })
  installmentNumber?: number | null;

  /**
   * What the charge comes to on each installment it applies to, and what of that was waived (Fineract's
   * m_loan_installment_charge): one entry for a dated charge, one per installment for an installment
   * fee, null for a disbursement charge. Installments pool their fees, so a waiver needs this share.
   */
  @Property({ type: 'json', nullable: true })
  installmentCharges?: InstallmentChargePart[] | null;

  /** Idempotency key of the request that added it (activation uses `product-<chargeId>`). */
  @Property({ type: 'string', length: 100 })
  requestId!: string;

  @Property({ type: 'string', length: 100, defaultRaw: `'system'` })
  createdBy: string = 'system';

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
