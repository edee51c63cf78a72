import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { ormConfig } from './mikro-orm.config';

/** Creates the database named in the URL when it does not exist yet (connects to `postgres` to do it). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unsupported database name "${name}" in DATABASE_URL`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return false;
    await admin.query(`CREATE DATABASE "${name}"`);
    return true;
  } catch (err) {
    // Two processes racing to create it: the loser finds it created.
    if ((err as { code?: string }).code === '42P04') return false;
    throw err;
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unsupported database name "${name}"`);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** Any fixed 64-bit key: serialises migrations when the api and workers start together. */
const MIGRATION_LOCK_KEY = 7_318_204_551;

/** Opens the ORM; with `migrate`, first creates the database if missing and applies pending migrations. */
export async function openDatabase(databaseUrl: string, opts: { migrate?: boolean } = {}): Promise<MikroORM> {
  if (opts.migrate) await ensureDatabase(databaseUrl);
  const orm = await MikroORM.init(ormConfig(databaseUrl));
  if (opts.migrate) {
    const lock = new Client({ connectionString: databaseUrl });
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await orm.getMigrator().up();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.end();
    }
  }
  return orm;
}

/**
 * Runs `work` on a throw-away, fully migrated database next to `baseUrl` (for tooling that needs the
 * schema the migrations build: creating and checking migrations). Always dropped afterwards.
 */
export async function withScratchDatabase<T>(baseUrl: string, prefix: string, work: (orm: MikroORM) => Promise<T>): Promise<T> {
  const url = new URL(baseUrl);
  url.pathname = `/${prefix}_${process.pid}`;
  const scratch = url.toString();
  const orm = await openDatabase(scratch, { migrate: true });
  try {
    return await work(orm);
  } finally {
    await orm.close();
    await dropDatabase(scratch);
  }
}

/** The knex (tarn) pool behind an ORM's connections, as far as this code reads it. */
export interface ConnectionPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

/** The ORM's connection pool, or undefined when it is not (or no longer) connected. */
export function connectionPool(orm: MikroORM): ConnectionPool | undefined {
  try {
    return (orm.em.getConnection().getKnex() as unknown as { client?: { pool?: ConnectionPool } }).client?.pool;
  } catch {
    return undefined;
  }
}

/**
 * Resolves once no connection of the pool is in use and nobody waits for one, or after `timeoutMs`
 * (false then). A stopping process calls it before closing the pool: a request whose client went away
 * still runs to its end instead of failing on a pool closed under it.
 */
export async function whenPoolIdle(orm: MikroORM, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const pool = connectionPool(orm);
    if (!pool || pool.numUsed() + pool.numPendingAcquires() === 0) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}
