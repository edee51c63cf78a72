import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/**
 * How money reaches the lender (Apache Fineract's m_payment_type), managed by ADMIN. Keyed by the
 * upper-case code repayments carry (`loan_transaction.payment_type`); deactivated, never deleted, so
 * old transactions keep naming a known type.
 */
@Entity({ tableName: 'payment_type' })
export class PaymentType {
  [PrimaryKeyProp]?: 'code';
  [OptionalProps]?: 'description' | 'isCashPayment' | 'position' | 'active' | 'createdAt' | 'updatedAt' | 'version';

  @PrimaryKey({ type: 'string', length: 40 })
  code!: string;

  @Property({ type: 'string', length: 100 })
  name!: string;

  @Property({ type: 'string', length: 500, nullable: true })
  description?: string | null;

  @Property({ type: 'boolean', defaultRaw: 'false' })
  isCashPayment: boolean = false;

  /** Display order (Fineract's `position`), then code. */
  @Property({ type: 'integer', defaultRaw: '0' })
  position: number = 0;

  @Property({ type: 'boolean', defaultRaw: 'true' })
  active: boolean = true;

  @Property({ type: 'string', length: 100 })
  createdBy!: string;

  @Property({ type: 'string', length: 100 })
  updatedBy!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', defaultRaw: 'now()', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ version: true, type: 'integer' })
  version: number = 1;
}
