/**
 * GraphQL subscriptions over WebSocket (graphql-ws protocol) on the same path as HTTP, /graphql.
 * The access token goes in the connection_init payload: `{ authorization: 'Bearer <accessToken>' }`.
 * Subscriptions are authorized like queries (the same auth checker and services, the same session
 * check: a revoked token is anonymous) and limited like them: the same token, depth, alias, directive,
 * complexity and anonymous-introspection limits as HTTP; errors are formatted (typed codes, unknown
 * errors masked, no field suggestions) as for HTTP.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { actorFromToken } from '../services/auth.service';
import { verifyAccessToken, type AccessClaims } from '../services/jwt';
import { DomainError } from '../domain/errors';
import { ANONYMOUS_ACTOR, type SecurityRuntime, type ServiceContext } from '../services/context';
import type { GraphQLContext } from './context';
import { createFormatError } from './errors';
import { armorValidationRules, assertComplexity, assertIntrospectionAllowed, depthLimitRule, operationComplexity } from './limits';
import { createLoaders } from './loaders';
import type { ApiDeps } from './server';

function bearerOf(params: Record<string, unknown> | undefined): string | undefined {
  const raw = params?.authorization ?? params?.Authorization;
  if (typeof raw !== 'string') return undefined;
  return raw.startsWith('Bearer ') ? raw.slice(7).trim() : raw.trim();
}

export function attachSubscriptions(httpServer: Server, schema: GraphQLSchema, deps: ApiDeps & { security: SecurityRuntime }): { dispose(): Promise<void> } {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const { graphql: limits } = deps.config;
  const format = createFormatError(deps.log, { fieldSuggestions: limits.fieldSuggestions });
  const formatAll = (errors: readonly GraphQLError[]) => errors.map((e) => format(e.toJSON(), e));
  const rules = [...specifiedRules, depthLimitRule(limits.maxDepth), ...armorValidationRules(deps.config)];
  // Codes as Apollo gives them over HTTP, so the formatter passes these client errors through.
  const withCode = (e: GraphQLError, code: string) =>
    e.extensions?.code ? e : new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError, extensions: { ...e.extensions, code } });
  const sessionsOf = new WeakMap<GraphQLContext, AccessClaims>();
  const asGraphQLError = (err: unknown) => (err instanceof GraphQLError ? err : new GraphQLError((err as Error).message, { originalError: err as Error }));
  const cleanup = useServer(
    {
      schema,
      // Parse, validate and cost each operation exactly as HTTP does (Apollo's parseOptions, validationRules, complexity plugin).
      onSubscribe: async (ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: limits.maxTokens });
        } catch (err) {
          return [withCode(asGraphQLError(err), 'GRAPHQL_PARSE_FAILED')];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) return errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED'));
        const base: ServiceContext = {
          em: deps.orm.em.fork(),
          actor: (await actorFromToken(bearerOf(ctx.connectionParams), deps.config, deps.security.sessions)) ?? ANONYMOUS_ACTOR,
          config: deps.config,
          temporal: deps.temporal,
          security: deps.security,
          ip: ctx.extra.request.socket.remoteAddress ?? null,
        };
        const variables = payload.variables ?? {};
        try {
          assertIntrospectionAllowed(document, base.actor.authenticated, limits.anonymousIntrospection);
          assertComplexity(operationComplexity(schema, document, variables, payload.operationName ?? undefined, limits.previewInstallmentCost), limits.maxComplexity);
        } catch (err) {
          return [asGraphQLError(err)];
        }
        const contextValue: GraphQLContext = { ...base, events: deps.events, requestId: randomUUID(), ip: base.ip ?? null, loaders: createLoaders(base) };
        if (base.actor.authenticated) {
          const claims = await verifyAccessToken(bearerOf(ctx.connectionParams) ?? '', deps.config.auth);
          if (claims) sessionsOf.set(contextValue, claims);
        }
        return { schema, document, variableValues: variables, operationName: payload.operationName, contextValue };
      },
      // A subscription outlives its request: before each event, its session must still be alive
      // (logout, role change, deactivation close the socket with 4401).
      onNext: async (ctx, _id, _payload, args, result) => {
        const claims = sessionsOf.get(args.contextValue as GraphQLContext);
        if (claims && !(await deps.security.sessions.isActive(claims))) {
          ctx.extra.socket.close(4401, 'Unauthorized: the session was revoked');
          return { errors: formatAll([new GraphQLError('The session was revoked; sign in again', { originalError: new DomainError('UNAUTHENTICATED', 'The session was revoked; sign in again') })]) };
        }
        return result.errors ? { ...result, errors: formatAll(result.errors) } : undefined;
      },
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
