/**
 * Starts the real app for a test file: ORM on the test database, a Temporal client, a worker on the
 * file's own task queue, and the HTTP API on a free port. `gql()` posts real HTTP requests.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Worker } from '@temporalio/worker';
import { loadConfig, type AppConfig, type RateLimitSettings } from '../src/config';
import { openDatabase, withScratchDatabase } from '../src/database';
import { createApiServer, listen, type ApiServer } from '../src/graphql/server';
import { logger } from '../src/logger';
import { LoanWorkflowGateway } from '../src/temporal-client';
import { createStaffUser } from '../src/services/auth.service';
import { SYSTEM_ACTOR } from '../src/services/context';
import { createWorker } from '../src/worker-runtime';
import { EventBus } from '../src/events/event-bus';

export const TEST_PASSWORD = 'correct horse battery staple';

/** Runs `text` in a savepoint of `db`'s open transaction: 'ok', or the error's message (the savepoint rolled back). */
export async function inSavepoint(db: { query(text: string, params?: unknown[]): Promise<unknown> }, text: string, params: unknown[] = []): Promise<string> {
  await db.query('savepoint s');
  try {
    await db.query(text, params);
    await db.query('release savepoint s');
    return 'ok';
  } catch (err) {
    await db.query('rollback to savepoint s');
    return (err as Error).message;
  }
}
export const LOGIN = `mutation($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken accessTokenExpiresAt user { id email roles } }
}`;

export interface GqlResponse<T = any> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; field?: string; [k: string]: unknown } }[];
}

export interface RunningWorker {
  worker: Worker;
  done: Promise<void>;
  stop(): Promise<void>;
}

export interface TestApp {
  config: AppConfig;
  orm: MikroORM;
  temporal: LoanWorkflowGateway;
  api: ApiServer;
  url: string;
  worker?: RunningWorker;
  /** Token used by gql() unless one is passed: a staff user holding every staff role. */
  token: string;
  /** Posts an operation; `token: null` sends it anonymously. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GqlResponse<T>>;
  /** Creates a staff user with these roles and returns a fresh access token for it. */
  tokenFor(roles: string[]): Promise<string>;
  /** Like tokenFor, with the new user's id. */
  staff(roles: string[]): Promise<{ token: string; id: string }>;
  startWorker(): Promise<RunningWorker>;
  /** With `eventBus: true`: the API's RabbitMQ-fed event stream behind GraphQL subscriptions. */
  events?: EventBus;
  close(): Promise<void>;
}

/** Limits no test reaches by signing in, registering and previewing as often as it needs to. */
export function generousRateLimits(limits: RateLimitSettings): RateLimitSettings {
  const lots = { points: 1_000_000, durationSeconds: 60 };
  return {
    ...limits,
    loginPerIp: lots, registerPerIp: lots, registerPerAccount: lots, refreshPerIp: lots, refreshPerAccount: lots, previewPerIp: lots, previewPerAccount: lots,
  };
}

export function testConfig(): AppConfig {
  const config = loadConfig();
  // Each test file gets its own task queue, so parallel files never run each other's workflows.
  // The e2e files sign in and register many times from one address: they raise the per-IP limits
  // (test/graphql/security.e2e.test.ts checks the real defaults).
  return {
    ...config,
    temporal: { ...config.temporal, taskQueue: `test-${randomUUID()}` },
    security: { ...config.security, rateLimits: generousRateLimits(config.security.rateLimits) },
  };
}

export async function startWorker(orm: MikroORM, config: AppConfig): Promise<RunningWorker> {
  const { worker, connection } = await createWorker({ orm, config });
  const done = worker.run();
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      await connection.close();
    },
  };
}

export async function startTestApp(opts: { worker?: boolean; eventBus?: boolean; configure?: (c: AppConfig) => void } = {}): Promise<TestApp> {
  const config = testConfig();
  opts.configure?.(config);
  const orm = await openDatabase(config.databaseUrl);
  const temporal = await LoanWorkflowGateway.connect(config.temporal);
  const events = opts.eventBus ? new EventBus(config, logger) : undefined;
  events?.start();
  const api = await createApiServer({ orm, temporal, config, log: logger, events });
  const port = await listen(api, 0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  const app: TestApp = {
    config,
    orm,
    temporal,
    api,
    url,
    events,
    token: '',
    async gql(query, variables, token) {
      const bearer = token === undefined ? app.token : token;
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GqlResponse;
    },
    async staff(roles) {
      const token = await app.tokenFor(roles);
      const me = await app.gql<{ me: { id: string } }>('{ me { id } }', {}, token);
      return { token, id: me.data!.me.id };
    },
    async tokenFor(roles) {
      const email = `${unique('staff')}@example.com`;
      await createStaffUser({ em: orm.em.fork(), actor: SYSTEM_ACTOR, config }, { email, password: TEST_PASSWORD, roles });
      const res = await app.gql<{ login: { accessToken: string } }>(LOGIN, { email, password: TEST_PASSWORD }, null);
      if (!res.data) throw new Error(JSON.stringify(res.errors));
      return res.data.login.accessToken;
    },
    async startWorker() {
      app.worker = await startWorker(orm, config);
      return app.worker;
    },
    async close() {
      await app.worker?.stop();
      await api.apollo.stop();
      await events?.stop();
      await temporal.close();
      await orm.close();
    },
  };
  app.token = await app.tokenFor(['LOAN_OFFICER', 'KYC_OFFICER', 'RISK_MANAGER', 'MANAGER', 'CREDIT_COMMITTEE', 'ADMIN']);
  if (opts.worker !== false) await app.startWorker();
  return app;
}

/** Polls until `check` returns true (for eventually consistent things like Temporal visibility). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 20000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * A migrated scratch database held open for a whole test file (withScratchDatabase around the file):
 * `open()` in beforeAll gives its MikroORM, `close()` in afterAll drops it.
 */
export function fileScratchDatabase(name: string): { open(): Promise<MikroORM>; close(): Promise<void> } {
  let release: (() => void) | undefined;
  let finished: Promise<void> | undefined;
  return {
    open: () => new Promise<MikroORM>((ready, failed) => {
      finished = withScratchDatabase(process.env.DATABASE_URL!, name, (orm) => {
        ready(orm);
        return new Promise<void>((done) => { release = done; });
      });
      finished.catch(failed);
    }),
    async close() {
      release?.();
      await finished;
    },
  };
}
