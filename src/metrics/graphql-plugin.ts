/**
 * Counts every GraphQL operation, times it and logs it (one line: mutations at info, queries and
 * subscriptions at debug; the line carries the request id like every other), by operation name, type and outcome: `OK`, or the code of
 * the first error the client saw (after error masking: BAD_USER_INPUT, FORBIDDEN, INTERNAL_SERVER_ERROR,
 * GRAPHQL_PARSE_FAILED, ...). Names are what clients send, so they are bounded: anything that is not a
 * GraphQL name becomes `invalid`, and past MAX_OPERATION_NAMES distinct names new ones become `other`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { logger } from '../logger';
import { graphqlDuration, graphqlOperations, secondsSince } from './registry';

const MAX_OPERATION_NAMES = 500;
const seen = new Set<string>();

export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  if (!/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name)) return 'invalid';
  if (seen.has(name)) return name;
  if (seen.size >= MAX_OPERATION_NAMES) return 'other';
  seen.add(name);
  return name;
}

export function graphqlMetricsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(ctx) {
          const body = ctx.response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const code = errors?.length ? String(errors[0].extensions?.code ?? 'INTERNAL_SERVER_ERROR') : 'OK';
          const labels = {
            operation: operationLabel(ctx.operationName ?? ctx.request.operationName),
            type: ctx.operation?.operation ?? 'unknown',
            outcome: /^[A-Z_]{2,40}$/.test(code) ? code : 'ERROR',
          };
          graphqlOperations.inc(labels);
          const seconds = secondsSince(started);
          graphqlDuration.observe(labels, seconds);
          // Writes are few and worth a line each (grep the request id across API and worker logs).
          const line = { ...labels, ms: Math.round(seconds * 1000) };
          if (labels.type === 'mutation') logger.info(line, 'graphql operation');
          else logger.debug(line, 'graphql operation');
        },
      };
    },
  };
}
