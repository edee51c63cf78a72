import type { EntityManager } from '@mikro-orm/postgresql';

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

interface PgClient { query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }
interface KnexClient { acquireConnection(): Promise<PgClient>; releaseConnection(c: PgClient): Promise<void> }

/**
 * One SQL statement on a pooled connection of the EntityManager's own pool, straight through `pg`:
 * no QueryBuilder, no knex compilation, no entity hydration (each of which cost more CPU per statement
 * than PostgreSQL's answer). Inside a transaction of `em` it runs on that transaction's connection.
 */
export async function rawRows(em: EntityManager, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
  // In a transaction: through it (sql() binds `?` placeholders and array parameters for knex).
  if (em.getTransactionContext()) return sql(em, text.replace(/\$\d+/g, '?'), values);
  const client = (em.getKnex() as unknown as { client: KnexClient }).client;
  const conn = await client.acquireConnection();
  try {
    return (await conn.query(text, values)).rows;
  } finally {
    await client.releaseConnection(conn);
  }
}
