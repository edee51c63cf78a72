import { randomUUID } from 'node:crypto';
import { OptimisticLockError } from '@mikro-orm/core';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import type { ValidationError as ClassValidationError } from 'class-validator';
import type { ApolloServerPlugin } from '@apollo/server';
import { DomainError, RateLimitedError } from '../domain/errors';
import type { Logger } from '../logger';

/** Codes produced by GraphQL/Apollo themselves that are safe to show as they are. */
const PASS_THROUGH = new Set([
  'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED', 'OPERATION_RESOLUTION_FAILURE', 'QUERY_TOO_COMPLEX',
  'INTROSPECTION_DISABLED',
]);

/** graphql-js's "Did you mean …?" hints reveal the schema to whoever probes it. */
function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

function firstViolation(errors: ClassValidationError[], prefix = ''): { field: string; message: string } | undefined {
  for (const e of errors) {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const constraint = e.constraints && Object.values(e.constraints)[0];
    if (constraint) return { field: path, message: `${path}: ${constraint}` };
    const nested = firstViolation(e.children ?? [], path);
    if (nested) return nested;
  }
  return undefined;
}

/** The error a resolver (or anything beneath GraphQL) actually threw. */
function unwrap(error: unknown): unknown {
  let e = error;
  while (e instanceof GraphQLError && e.originalError) e = e.originalError;
  return e;
}

/**
 * GraphQL's variable-coercion messages name the field in prose; lift it out so clients get `field`
 * for these errors just as for our own ("... at \"input.principal\"" or "Field \"principal\" ... not provided").
 */
function variableField(message: string): string | undefined {
  const at = /got invalid value .* at "[^".]+\.([^"]+)"/.exec(message);
  if (at) return at[1];
  const missing = /Field "([^"]+)" of required type .* was not provided/.exec(message);
  return missing?.[1];
}

/**
 * Maps what resolvers throw to the client's view: typed domain errors keep their code and field
 * (RATE_LIMITED also `retryAfter` seconds), GraphQL's own input errors pass (without stack, and
 * without "Did you mean" unless GRAPHQL_FIELD_SUGGESTIONS=true), and everything else is masked as
 * INTERNAL_SERVER_ERROR with a correlation id that is also in the log next to the real error.
 * It never throws: a failure while formatting is itself masked.
 */
export function createFormatError(log: Logger, options: { fieldSuggestions?: boolean } = {}) {
  const format = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrap(error);
    const base = { locations: formatted.locations, path: formatted.path };
    if (original instanceof RateLimitedError) {
      return { ...base, message: original.message, extensions: { code: original.code, retryAfter: original.retryAfterSeconds } };
    }
    if (original instanceof DomainError) {
      return { ...base, message: original.message, extensions: { code: original.code, field: original.field } };
    }
    if (original instanceof ArgumentValidationError) {
      // class-validator answers `{}` instead of a list for a plain JSON object argument.
      const list = original.extensions?.validationErrors;
      const v = firstViolation(Array.isArray(list) ? list : []);
      return { ...base, message: v?.message ?? 'Invalid input', extensions: { code: 'BAD_USER_INPUT', field: v?.field } };
    }
    if (original instanceof OptimisticLockError) {
      return { ...base, message: 'The record was changed by someone else; reload and retry', extensions: { code: 'CONFLICT' } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PASS_THROUGH.has(code)) {
      const message = options.fieldSuggestions ? formatted.message : withoutSuggestions(formatted.message);
      return { ...base, message, extensions: { code, field: variableField(formatted.message) } };
    }
    const correlationId = randomUUID();
    log.error({ err: original, correlationId, path: formatted.path }, 'unexpected error in GraphQL request');
    return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId } };
  };
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    try {
      return format(formatted, error);
    } catch (err) {
      const correlationId = randomUUID();
      log.error({ err, cause: unwrap(error), correlationId }, 'failed to format a GraphQL error');
      return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId } };
    }
  };
}

/** RATE_LIMITED answers HTTP 429 with Retry-After (Apollo reads `extensions.http` before formatting). */
export function httpStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const original = unwrap(error);
            if (original instanceof RateLimitedError && error.extensions) {
              (error.extensions as Record<string, unknown>).http = {
                status: 429,
                headers: new Map([['retry-after', String(original.retryAfterSeconds)]]),
              };
            }
          }
        },
      };
    },
  };
}
