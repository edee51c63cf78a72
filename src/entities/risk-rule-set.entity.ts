import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { RuleSet } from '../domain/risk';

/** Every version of the risk rules ADMIN saved; the highest version is in force. */
@Entity({ tableName: 'risk_rule_set' })
export class RiskRuleSet {
  [OptionalProps]?: 'createdAt' | 'version';

  @PrimaryKey({ type: 'integer', autoincrement: true })
  version!: number;

  @Property({ type: 'json' })
  rules!: RuleSet;

  @Property({ type: 'string', length: 100 })
  createdBy!: string;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
