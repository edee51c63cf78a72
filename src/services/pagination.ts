import { ValidationError } from '../domain/errors';

/** Keyset cursor over (createdAt, id): stable under inserts, no OFFSET scans on large books. */
export interface KeysetCursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(c: KeysetCursor): string {
  return Buffer.from(`${c.createdAt.toISOString()}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): KeysetCursor {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || Number.isNaN(createdAt.getTime())) throw new ValidationError(field, 'is not a valid cursor');
  return { createdAt, id };
}

export const MAX_PAGE_SIZE = 100;

export function pageSize(first: number | undefined | null, field = 'first'): number {
  const n = first ?? 20;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw new ValidationError(field, `must be between 1 and ${MAX_PAGE_SIZE}`);
  return n;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: number;
}
