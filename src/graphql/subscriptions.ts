/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the same path as HTTP, /graphql.
 * The access token goes in the connection_init payload: `{ authorization: 'Bearer <accessToken>' }`.
 * Subscriptions are authorized like queries (the same auth checker and services); errors are
 * formatted (typed codes, unknown errors masked) as for HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { specifiedRules, validate, type GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { actorFromToken } from '../services/auth.service';
import { ANONYMOUS_ACTOR, type ServiceContext } from '../services/context';
import type { GraphQLContext } from './context';
import { createFormatError } from './errors';
import { depthLimitRule } from './limits';
import { createLoaders } from './loaders';
import type { ApiDeps } from './server';

function bearerOf(params: Record<string, unknown> | undefined): string | undefined {
  const raw = params?.authorization ?? params?.Authorization;
  if (typeof raw !== 'string') return undefined;
  return raw.startsWith('Bearer ') ? raw.slice(7).trim() : raw.trim();
}

export function attachSubscriptions(httpServer: Server, schema: GraphQLSchema, deps: ApiDeps): { dispose(): Promise<void> } {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const format = createFormatError(deps.log);
  const formatAll = (errors: readonly GraphQLError[]) => errors.map((e) => format(e.toJSON(), e));
  const cleanup = useServer(
    {
      schema,
      validate: (s, doc) => validate(s, doc, [...specifiedRules, depthLimitRule(deps.config.graphql.maxDepth)]),
      context: (ctx): GraphQLContext => {
        const base: ServiceContext = {
          em: deps.orm.em.fork(),
          actor: actorFromToken(bearerOf(ctx.connectionParams), deps.config) ?? ANONYMOUS_ACTOR,
          config: deps.config,
          temporal: deps.temporal,
        };
        return { ...base, events: deps.events, requestId: randomUUID(), ip: ctx.extra.request.socket.remoteAddress ?? null, loaders: createLoaders(base) };
      },
      onNext: (_ctx, _id, _payload, _args, result) => (result.errors ? { ...result, errors: formatAll(result.errors) } : undefined),
      onError: (_ctx, _id, _payload, errors) => formatAll(errors),
    },
    wss,
  );
  return {
    async dispose() {
      await cleanup.dispose();
      wss.close();
    },
  };
}
