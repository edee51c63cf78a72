import { randomUUID } from 'node:crypto';
import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property, type Ref } from '@mikro-orm/core';
import { Customer } from './customer.entity';
import { Loan } from './loan.entity';

/** A file about a customer or loan; bytes live in document storage under `storageKey`. */
@Entity({ tableName: 'document' })
@Index({ properties: ['loan', 'createdAt'] })
export class Document {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne(() => Customer, { ref: true })
  customer!: Ref<Customer>;

  @ManyToOne(() => Loan, { ref: true, nullable: true })
  loan?: Ref<Loan> | null;

  /** ID_DOCUMENT, PROOF_OF_ADDRESS, PROOF_OF_INCOME, AGREEMENT, SIGNED_AGREEMENT, OTHER */
  @Property({ type: 'string', length: 32 })
  type!: string;

  @Property({ type: 'string', length: 255 })
  fileName!: string;

  @Property({ type: 'string', length: 100 })
  contentType!: string;

  @Property({ type: 'integer' })
  size!: number;

  @Property({ type: 'string', length: 64 })
  sha256!: string;

  @Property({ type: 'string', length: 255 })
  storageKey!: string;

  @Property({ type: 'string', length: 100 })
  uploadedBy!: string;

  @Property({ type: 'datetime', nullable: true })
  deletedAt?: Date | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
