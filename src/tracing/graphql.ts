/**
 * The GraphQL span: one per operation on /graphql, child of the HTTP server span, parent of
 * everything the resolvers do (Temporal client spans, SQL). The express middleware opens it and
 * makes it the active context for the rest of the request; the Apollo plugin names it after the
 * operation (`graphql.mutation WithdrawApplication`) and marks errors. Both do nothing when tracing is off.
 */
import * as otel from '@opentelemetry/api';
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { currentRequestId } from './request-context';
import { tracer, tracingEnabled } from './tracing';

export const REQUEST_ID_ATTR = 'loan_platform.request_id';

export function graphqlSpanMiddleware(req: Request, res: Response, next: NextFunction): void {
  if (!tracingEnabled()) return next();
  const span = tracer().startSpan('graphql', { kind: otel.SpanKind.INTERNAL, attributes: { [REQUEST_ID_ATTR]: currentRequestId() ?? '' } });
  res.once('close', () => span.end());
  otel.context.with(otel.trace.setSpan(otel.context.active(), span), next);
}

export function graphqlTracingPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      if (!tracingEnabled()) return;
      const span = otel.trace.getActiveSpan();
      if (!span) return;
      return {
        async didResolveOperation({ operationName, operation }) {
          const type = operation?.operation ?? 'query';
          span.updateName(`graphql.${type} ${operationName ?? 'anonymous'}`);
          span.setAttributes({ 'graphql.operation.type': type, 'graphql.operation.name': operationName ?? '' });
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (errors?.length) {
            span.setStatus({ code: otel.SpanStatusCode.ERROR, message: String(errors[0].extensions?.code ?? 'ERROR') });
          }
        },
      };
    },
  };
}
