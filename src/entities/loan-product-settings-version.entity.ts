import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import type { ChargeTerms } from '../domain/schedule';
import type { AllowAttributeOverrides, ProductScheduleSettings } from '../domain/product-settings';
import { LoanProduct } from './loan-product.entity';

/**
 * Every version of a product's schedule settings and default charges. A product without loans is edited
 * in place (its version row rewritten); once it has loans a change makes a new version, and each loan
 * keeps the settings it was offered under (loan.scheduleSettings).
 */
@Entity({ tableName: 'loan_product_settings_version' })
@Unique({ properties: ['product', 'version'] })
export class LoanProductSettingsVersion {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => LoanProduct, { ref: true, deleteRule: 'cascade' })
  product!: Ref<LoanProduct>;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'json' })
  settings!: ProductScheduleSettings;

  @Property({ type: 'json', nullable: true })
  allowAttributeOverrides?: AllowAttributeOverrides | null;

  /** The product's default charges at this version, as the schedule engine takes them. */
  @Property({ type: 'json' })
  charges!: ChargeTerms[];

  @Property({ type: 'string', length: 100 })
  createdBy!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
