import type { EntityManager } from '@mikro-orm/postgresql';
import { escapeLiteral } from 'pg';

/** A PostgreSQL array literal: knex would otherwise expand a JS array into a list of placeholders. */
function arrayLiteral(values: unknown[]): string {
  return `{${values.map((v) => `"${String(v).replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;
}

/**
 * Raw SQL inside the EntityManager's current transaction (if any). Set-based work (ledger posting,
 * close of business) uses it; select dates as `::text` and money as `::text` so nothing becomes a
 * JS Date or number on the way out. Array parameters bind as one array value (`?::uuid[]`).
 */
export async function sql<T = Record<string, unknown>>(em: EntityManager, query: string, params: unknown[] = []): Promise<T[]> {
  const bound = params.map((p) => (Array.isArray(p) ? arrayLiteral(p) : p));
  return em.getConnection().execute(query, bound, 'all', em.getTransactionContext()) as Promise<T[]>;
}

interface PgResult { rows: Record<string, unknown>[] }
interface PgClient { query(text: string, values?: unknown[]): Promise<PgResult | PgResult[]> }
interface KnexClient { acquireConnection(): Promise<PgClient>; releaseConnection(c: PgClient): Promise<void> }

/**
 * One SQL statement on a pooled connection of the EntityManager's own pool, straight through `pg`:
 * no QueryBuilder, no knex compilation, no entity hydration (each of which cost more CPU per statement
 * than PostgreSQL's answer). Inside a transaction of `em` it runs on that transaction's connection.
 */
export async function rawRows(em: EntityManager, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  // In a transaction: through it (sql() binds `?` placeholders and array parameters for knex).
  if (em.getTransactionContext()) return sql(em, text.replace(/\$\d+/g, '?'), values);
  return withPooledClient(em, async (conn) => ((await conn.query(text, values)) as PgResult).rows);
}

/** Runs `work` on a connection of the EntityManager's own pool, released afterwards. */
async function withPooledClient<T>(em: EntityManager, work: (conn: PgClient) => Promise<T>): Promise<T> {
  const client = (em.getKnex() as unknown as { client: KnexClient }).client;
  const conn = await client.acquireConnection();
  try {
    return await work(conn);
  } finally {
    await client.releaseConnection(conn);
  }
}

/** A parameter as an SQL literal (pg's escaping; an array as a PostgreSQL array literal). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return escapeLiteral(Array.isArray(value) ? arrayLiteral(value) : String(value));
}

/**
 * Several statements in ONE round trip: their rows, in order. Each statement's `$n` placeholders take
 * its own values, inlined as escaped literals, because only the simple-query protocol carries more than
 * one statement per message (for our own constant SQL texts: `$n` must not occur inside their string
 * literals). Every statement costs PostgreSQL a wake-up and the API a socket write and a result to
 * parse; on this machine that was ~0.1 ms of API CPU a statement (README, read path). Inside a
 * transaction of `em` they run one by one on its connection.
 */
export async function rawRowSets(em: EntityManager, statements: { text: string; values: unknown[] }[]): Promise<Record<string, unknown>[][]> {
  if (em.getTransactionContext() || statements.length === 1) {
    const out: Record<string, unknown>[][] = [];
    for (const s of statements) out.push(await rawRows(em, s.text, s.values));
    return out;
  }
  const text = statements.map((s) => s.text.replace(/\$(\d+)/g, (_, n: string) => literal(s.values[Number(n) - 1]))).join(';\n');
  return withPooledClient(em, async (conn) => {
    const results = await conn.query(text);
    return (Array.isArray(results) ? results : [results]).map((r) => r.rows);
  });
}
