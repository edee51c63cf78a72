/**
 * Abuse limits on the public entry points (rate-limiter-flexible): sign-in, sign-up, refresh and the
 * schedule preview, each per IP and per account; and lockout with back-off after repeated failed
 * sign-ins. In memory for one API process, or in PostgreSQL (table rate_limit) when several API
 * instances must share the counts. A refusal is a RateLimitedError (RATE_LIMITED, retryAfter, HTTP 429).
 */
import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitSettings, RateRule } from '../config';
import { RateLimitedError } from '../domain/errors';

const DAY_SECONDS = 24 * 3600;

/** Account keys are hashed: e-mails stay out of the store and fit its 255-character key. */
function accountKey(value: string): string {
  return createHash('sha256').update(value.trim().toLowerCase()).digest('hex').slice(0, 40);
}

function retryAfter(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}

export type LimitedAction = 'login' | 'register' | 'refresh' | 'preview';

const WHAT: Record<LimitedAction, string> = {
  login: 'sign-in attempts',
  register: 'sign-ups',
  refresh: 'token refreshes',
  preview: 'schedule previews',
};

export class RateLimits {
  private readonly perIp: Record<LimitedAction, RateLimiterAbstract>;
  private readonly perAccount: Record<Exclude<LimitedAction, 'login'>, RateLimiterAbstract>;
  /** Consecutive failed sign-ins per account within the window. */
  private readonly failures: RateLimiterAbstract;
  /** Lockouts per account in the last day: the back-off exponent. */
  private readonly lockouts: RateLimiterAbstract;
  /** The lockout itself (a blocked key). */
  private readonly locked: RateLimiterAbstract;

  constructor(readonly settings: RateLimitSettings, knex?: Knex) {
    const make = (prefix: string, rule: RateRule): RateLimiterAbstract => {
      const opts = { keyPrefix: `lp_${prefix}`, points: rule.points, duration: rule.durationSeconds };
      if (settings.store === 'postgres') {
        if (!knex) throw new Error('RATE_LIMIT_STORE=postgres needs the database connection');
        return new RateLimiterPostgres({ ...opts, storeClient: knex, storeType: 'knex', tableName: 'rate_limit', tableCreated: true, clearExpiredByTimeout: false });
      }
      return new RateLimiterMemory(opts);
    };
    this.perIp = {
      login: make('login_ip', settings.loginPerIp),
      register: make('register_ip', settings.registerPerIp),
      refresh: make('refresh_ip', settings.refreshPerIp),
      preview: make('preview_ip', settings.previewPerIp),
    };
    this.perAccount = {
      register: make('register_account', settings.registerPerAccount),
      refresh: make('refresh_account', settings.refreshPerAccount),
      preview: make('preview_account', settings.previewPerAccount),
    };
    this.failures = make('login_failures', settings.loginFailuresPerAccount);
    this.lockouts = make('login_lockouts', { points: 1_000_000, durationSeconds: DAY_SECONDS });
    this.locked = make('login_locked', { points: 1, durationSeconds: 1 });
  }

  private async consume(limiter: RateLimiterAbstract, key: string, message: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw new RateLimitedError(message, retryAfter(rejection));
      throw rejection; // the store failed: not the client's fault, masked upstream
    }
  }

  /** Counts one request from this IP; throws RATE_LIMITED over the limit. */
  async hitIp(action: LimitedAction, ip: string | null | undefined): Promise<void> {
    await this.consume(this.perIp[action], ip || 'unknown', `Too many ${WHAT[action]} from this address; retry later`);
  }

  /** Counts one request for this account (an e-mail or a user id); throws RATE_LIMITED over the limit. */
  async hitAccount(action: Exclude<LimitedAction, 'login'>, account: string): Promise<void> {
    await this.consume(this.perAccount[action], accountKey(account), `Too many ${WHAT[action]} for this account; retry later`);
  }

  /** Seconds left of this account's lockout (0: not locked). */
  async lockedFor(email: string): Promise<number> {
    const res = await this.locked.get(accountKey(email));
    return res && res.remainingPoints <= 0 && res.msBeforeNext > 0 ? retryAfter(res) : 0;
  }

  /**
   * Records a failed sign-in. Returns the lockout in seconds when this failure started one: the
   * configured base, doubled for each earlier lockout of the account in the last day, up to the maximum.
   */
  async recordFailure(email: string): Promise<number> {
    const key = accountKey(email);
    let res: RateLimiterRes;
    try {
      res = await this.failures.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      res = rejection;
    }
    if (res.remainingPoints > 0) return 0;
    const previous = await this.lockouts.consume(key);
    const seconds = Math.min(this.settings.lockoutMaxSeconds, this.settings.lockoutSeconds * 2 ** Math.min(previous.consumedPoints - 1, 30));
    await this.locked.block(key, seconds);
    await this.failures.delete(key);
    return seconds;
  }

  /** A successful sign-in forgets the account's failures (its lockout history still counts for a day). */
  async clearFailures(email: string): Promise<void> {
    await this.failures.delete(accountKey(email));
  }
}
