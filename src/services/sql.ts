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
