import { randomUUID } from 'node:crypto';
import { ArrayType, Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Ref } from '@mikro-orm/core';
import type { Role } from '../domain/roles';
import { Customer } from './customer.entity';

/** A login: staff with roles, or a customer (role CUSTOMER, linked to their Customer record). */
@Entity({ tableName: 'app_user' })
export class User {
  [OptionalProps]?: 'createdAt' | 'version' | 'active' | 'tokenVersion';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Stored lower-cased. */
  @Property({ type: 'string', length: 254 })
  @Unique()
  email!: string;

  /** argon2id hash; the password itself is never stored. */
  @Property({ type: 'string', length: 255, hidden: true, lazy: true })
  passwordHash!: string;

  @Property({ type: ArrayType })
  roles: Role[] = [];

  @ManyToOne(() => Customer, { ref: true, nullable: true })
  customer?: Ref<Customer> | null;

  @Property({ type: 'boolean' })
  active: boolean = true;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  /**
   * Carried in every access token (`ver`); bumping it (role change, deactivation) makes every token
   * issued before unusable at once.
   */
  @Property({ type: 'integer', default: 0 })
  tokenVersion: number = 0;

  @Property({ version: true, type: 'integer' })
  version: number = 1;
}
