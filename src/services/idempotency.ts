import { createHash } from 'node:crypto';
import { ConflictError } from '../domain/errors';

/** Canonical JSON: keys sorted, null/undefined left out, so equal requests hash alike however they were sent. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] != null)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * What an idempotency key is bound to: the operation and its payload (Stripe's rule). The same key
 * with the same request returns the first result; with anything else it is a CONFLICT.
 */
export function requestFingerprint(operation: string, payload: unknown): string {
  return createHash('sha256').update(JSON.stringify([operation, canonical(payload)])).digest('hex');
}

export function keyReusedError(field: string): ConflictError {
  return new ConflictError(`${field}: this key was already used for a different request; use a new key for a new request`, field);
}
