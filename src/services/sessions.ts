/**
 * Revocation that takes effect at once: every request's access token is checked against the database
 * (the user is active, the token's `ver` is the user's current token version, its session — the
 * refresh-token family `sid` — is not revoked). Answers are cached for AUTH_SESSION_CACHE_MS and
 * dropped immediately on logout, refresh-token reuse, role change and deactivation: in this process,
 * and in its sibling API processes when it runs in a node:cluster (API_PROCESSES > 1), through the
 * primary (src/api-cluster.ts relays the message).
 */
import cluster from 'node:cluster';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config';
import { isUuid } from './validation';
import type { AccessClaims } from './jwt';

interface Entry {
  ok: boolean;
  until: number;
}

const MAX_ENTRIES = 50_000;

export class SessionRegistry {
  /** userId → (sid:ver → answer). */
  private readonly cache = new Map<string, Map<string, Entry>>();
  private size = 0;

  constructor(
    private readonly em: () => EntityManager,
    private readonly ttlMs: number,
  ) {}

  /** True when the token's user and session are still good. */
  async isActive(claims: Pick<AccessClaims, 'sub' | 'sid' | 'ver'>): Promise<boolean> {
    if (!isUuid(claims.sub) || !isUuid(claims.sid)) return false;
    const key = `${claims.sid}:${claims.ver}`;
    const now = Date.now();
    const hit = this.cache.get(claims.sub)?.get(key);
    if (hit && hit.until > now) return hit.ok;
    const rows: { active: boolean; token_version: number; alive: boolean }[] = await this.em().getConnection().execute(
      `select u.active, u.token_version,
              exists (select 1 from refresh_token r where r.family_id = ? and r.user_id = u.id and r.revoked_at is null) as alive
         from app_user u where u.id = ?`,
      [claims.sid, claims.sub],
    );
    const row = rows[0];
    const ok = !!row && row.active && row.token_version === claims.ver && row.alive;
    if (this.ttlMs > 0) this.remember(claims.sub, key, { ok, until: now + this.ttlMs });
    return ok;
  }

  private remember(userId: string, key: string, entry: Entry): void {
    if (this.size >= MAX_ENTRIES) {
      this.cache.clear();
      this.size = 0;
    }
    let sessions = this.cache.get(userId);
    if (!sessions) this.cache.set(userId, (sessions = new Map()));
    if (!sessions.has(key)) this.size++;
    sessions.set(key, entry);
  }

  /** After a role change, deactivation or anything else that bumps the user's token version. */
  forgetUser(userId: string): void {
    this.apply({ type: SESSIONS_FORGET, userId });
    tellSiblings({ type: SESSIONS_FORGET, userId });
  }

  /** After a session (refresh-token family) is revoked. */
  forgetSession(userId: string, sid: string): void {
    this.apply({ type: SESSIONS_FORGET, userId, sid });
    tellSiblings({ type: SESSIONS_FORGET, userId, sid });
  }

  /** Drops what a revocation made stale, here or (from a sibling process) there. */
  apply(m: ForgetMessage): void {
    if (!m.sid) {
      this.size -= this.cache.get(m.userId)?.size ?? 0;
      this.cache.delete(m.userId);
      return;
    }
    const sid = m.sid;
    const sessions = this.cache.get(m.userId);
    if (!sessions) return;
    for (const key of [...sessions.keys()]) {
      if (key.startsWith(`${sid}:`)) {
        sessions.delete(key);
        this.size--;
      }
    }
  }
}

/** The message a cluster API process sends its primary, which relays it to the other processes. */
export const SESSIONS_FORGET = 'loan-platform:sessions-forget';

export interface ForgetMessage {
  type: typeof SESSIONS_FORGET;
  userId: string;
  sid?: string;
}

export function isForgetMessage(m: unknown): m is ForgetMessage {
  return typeof m === 'object' && m !== null && (m as ForgetMessage).type === SESSIONS_FORGET && typeof (m as ForgetMessage).userId === 'string';
}

function tellSiblings(m: ForgetMessage): void {
  if (cluster.isWorker && process.send) process.send(m);
}

const registries = new WeakMap<AppConfig, SessionRegistry>();

/** The API registers its registry for its configuration, so every route that reads tokens shares it. */
export function registerSessionRegistry(config: AppConfig, registry: SessionRegistry): void {
  registries.set(config, registry);
  if (cluster.isWorker) process.on('message', (m: unknown) => { if (isForgetMessage(m)) registry.apply(m); });
}

export function sessionRegistryFor(config: AppConfig): SessionRegistry | undefined {
  return registries.get(config);
}
