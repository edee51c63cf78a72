/**
 * Typed, expected failures. Pure (no GraphQL import): the transport maps `code` to its own error
 * shape, Temporal carries it as an ApplicationFailure type. `field` names the offending input path.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_STAGE'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'LOAN_LOCKED'
  /** The platform could not finish in time (a worker or the database away); retry with the same idempotency key. */
  | 'UNAVAILABLE'
  /** Too many attempts (sign-in, sign-up, refresh, previews) or a locked-out account; retry after `retryAfter` seconds. */
  | 'RATE_LIMITED';

/** The codes workflows and activities can fail with (RATE_LIMITED is the API edge's own). */
export const ERROR_CODES: readonly ErrorCode[] = [
  'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'INVALID_STAGE', 'FORBIDDEN', 'UNAUTHENTICATED', 'LOAN_LOCKED', 'UNAVAILABLE',
];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(field: string, message: string) {
    super('BAD_USER_INPUT', `${field}: ${message}`, field);
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: string, field?: string) {
    super('NOT_FOUND', `${entity} ${id} not found`, field);
    this.name = 'NotFoundError';
  }
}

export class InvalidStageError extends DomainError {
  constructor(message: string) {
    super('INVALID_STAGE', message);
    this.name = 'InvalidStageError';
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, field?: string) {
    super('CONFLICT', message, field);
    this.name = 'ConflictError';
  }
}

export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    /** Whole seconds until a retry can succeed (the HTTP Retry-After). */
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message);
    this.name = 'RateLimitedError';
  }
}
