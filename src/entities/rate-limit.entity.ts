import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The shared store of the rate limiters with RATE_LIMIT_STORE=postgres (rate-limiter-flexible's
 * RateLimiterPostgres layout: `<limiter>:<key>`, points consumed, expiry in epoch milliseconds).
 */
@Entity({ tableName: 'rate_limit' })
export class RateLimitEntry {
  @PrimaryKey({ type: 'string', length: 255 })
  key!: string;

  @Property({ type: 'integer', default: 0 })
  points: number = 0;

  @Property({ type: 'bigint', nullable: true })
  @Index()
  expire?: string | null;
}
