import { ValidationError } from '../domain/errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; a malformed one is bad input (and must never reach SQL as a cast error). */
export function requireUuid(field: string, value: string): string {
  if (!UUID.test(value)) throw new ValidationError(field, 'must be a UUID');
  return value.toLowerCase();
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function requireText(field: string, value: string | null | undefined, max: number): string {
  const v = (value ?? '').trim();
  if (!v) throw new ValidationError(field, 'must not be empty');
  if (v.length > max) throw new ValidationError(field, `must be at most ${max} characters`);
  return v;
}

export function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  const v = (value ?? '').trim();
  if (!v) return null;
  if (v.length > max) throw new ValidationError(field, `must be at most ${max} characters`);
  return v;
}

/** Detects PostgreSQL unique-constraint violations (SQLSTATE 23505) as thrown through MikroORM. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === '23505' || (err as { name?: string })?.name === 'UniqueConstraintViolationException';
}
