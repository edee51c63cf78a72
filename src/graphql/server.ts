import { graphqlSpanMiddleware, graphqlTracingPlugin } from '../tracing/graphql';
import { currentRequestId, requestContextMiddleware, requestIdFrom } from '../tracing/request-context';
import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { actorFromToken, bearerToken } from '../services/auth.service';
import { ANONYMOUS_ACTOR, type SecurityRuntime, type ServiceContext } from '../services/context';
import { RateLimits } from '../services/rate-limits';
import { assertSecureConfig } from '../security-settings';
import { registerSessionRegistry, SessionRegistry } from '../services/sessions';
import { LocalDiskStorage } from '../services/storage';
import type { LoanWorkflowGateway } from '../temporal-client';
import type { GraphQLContext } from './context';
import { documentRoutes } from './documents.routes';
import { watchDatabase } from '../metrics/collectors';
import { graphqlMetricsPlugin } from '../metrics/graphql-plugin';
import { metricsHandler } from '../metrics/http';
import { temporalCodecRoutes } from './temporal-codec.routes';
import { createFormatError, httpStatusPlugin } from './errors';
import { cors, jsonErrorHandler, jsonNotFound, securityHeaders } from './http-security';
import { landingPage } from './landing-page';
import { GRAPHIQL_PATH, graphiqlRoutes } from './graphiql';
import { armorValidationRules, complexityLimitPlugin, depthLimitRule } from './limits';
import { createLoaders } from './loaders';
import { createSchema } from './schema';
import { attachSubscriptions } from './subscriptions';
import type { EventBusLike } from '../events/pubsub';

export interface ApiDeps {
  orm: MikroORM;
  temporal: LoanWorkflowGateway;
  config: AppConfig;
  log: Logger;
  /** Feeds GraphQL subscriptions (from RabbitMQ); without it subscriptions are unavailable. */
  events?: EventBusLike;
}

export interface ApiServer {
  app: express.Express;
  httpServer: Server;
  apollo: ApolloServer<GraphQLContext>;
  /** Session cache and rate limiters of this API. */
  security: SecurityRuntime;
}

/** The session registry (revocation) and rate limiters one API instance shares across HTTP and WebSocket. */
export function createSecurityRuntime(deps: Pick<ApiDeps, 'orm' | 'config'>): SecurityRuntime {
  const sessions = new SessionRegistry(() => deps.orm.em.fork(), deps.config.security.sessionCacheMs);
  registerSessionRegistry(deps.config, sessions);
  return { sessions, limits: new RateLimits(deps.config.security.rateLimits, deps.orm.em.getKnex()) };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Readiness: PostgreSQL answers a query, the Temporal frontend answers getSystemInfo, and a worker polls
 * the loan task queue (without one, every mutation would wait for MUTATION_TIMEOUT_MS and fail).
 */
async function readiness(deps: ApiDeps): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  await Promise.all([
    withTimeout(deps.orm.em.getConnection().execute('select 1'), 2000)
      .then(() => void (checks.postgres = 'ok'))
      .catch((err: Error) => void (checks.postgres = `down: ${err.message}`)),
    withTimeout(deps.temporal.client.connection.workflowService.getSystemInfo({}), 2000)
      .then(() => void (checks.temporal = 'ok'))
      .catch((err: Error) => void (checks.temporal = `down: ${err.message}`)),
    withTimeout(deps.temporal.livePollers(deps.config.temporal.taskQueue), 2000)
      .then((pollers) => void (checks.worker = pollers.length ? 'ok' : `down: no worker polled task queue ${deps.config.temporal.taskQueue} in the last 90 s`))
      .catch((err: Error) => void (checks.worker = `down: ${err.message}`)),
  ]);
  return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
}

function noStore(_req: express.Request, res: express.Response, next: express.NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/** Builds the express app with /graphql, /health/* and a landing page; does not listen yet. */
export async function createApiServer(deps: ApiDeps): Promise<ApiServer> {
  assertSecureConfig(deps.config);
  const app = express();
  app.disable('x-powered-by');
  if (deps.config.security.trustProxy) app.set('trust proxy', deps.config.security.trustProxy);
  app.use(securityHeaders(deps.config));
  app.use(cors(deps.config));
  const security = createSecurityRuntime(deps);
  const httpServer = createServer(app);
  const schema = await createSchema(deps.events?.pubsub);
  const subscriptions = attachSubscriptions(httpServer, schema, { ...deps, security });
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError: createFormatError(deps.log, { fieldSuggestions: deps.config.graphql.fieldSuggestions }),
    includeStacktraceInErrorResponses: false,
    // graphql-armor's limits and ours; the same ones guard subscriptions (subscriptions.ts).
    parseOptions: { maxTokens: deps.config.graphql.maxTokens },
    validationRules: [depthLimitRule(deps.config.graphql.maxDepth), ...armorValidationRules(deps.config)],
    // Anonymous introspection is refused by the complexity plugin unless configured on.
    introspection: true,
    // The process's own SIGINT/SIGTERM handlers stop Apollo with everything else (src/main.ts). Apollo's
    // own (on outside NODE_ENV=test) stopped it first and re-raised the signal into ours, which then
    // waited for ever on the stop already under way: the API never exited.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: () => subscriptions.dispose() }) },
      // Apollo's default Sandbox loads from a CDN; this platform must work offline.
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are used (every answer is private and no-store, below). Apollo's default cache-control
      // plugin would otherwise wrap every field's resolver to collect hints: ~3 % of a loan read's CPU.
      ApolloServerPluginCacheControlDisabled(),
      complexityLimitPlugin(deps.config.graphql.maxComplexity, deps.config.graphql.anonymousIntrospection, deps.config.graphql.previewInstallmentCost),
      httpStatusPlugin(),
      graphqlMetricsPlugin(),
      graphqlTracingPlugin(),
    ],
  });
  await apollo.start();

  // First: every API call passes the routes registered before it (express matches them in order).
  app.use(
    '/graphql',
    // The request id (X-Request-Id or a UUID) for every log line and Temporal call of the request; its span when tracing.
    requestContextMiddleware,
    graphqlSpanMiddleware,
    // Answers carry personal and financial data: never stored by browsers or shared caches.
    noStore,
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const bearer = bearerToken(req.headers.authorization);
        const base: ServiceContext = {
          em: deps.orm.em.fork(),
          actor: (await actorFromToken(bearer, deps.config, security.sessions)) ?? ANONYMOUS_ACTOR,
          config: deps.config,
          temporal: deps.temporal,
          security,
          ip: req.ip ?? null,
        };
        return {
          ...base,
          events: deps.events,
          requestId: currentRequestId() ?? requestIdFrom(req.headers['x-request-id']),
          ip: req.ip ?? null,
          loaders: createLoaders(base),
        };
      },
    }),
  );
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    const r = await readiness(deps);
    res.status(r.ok ? 200 : 503).json({ status: r.ok ? 'ok' : 'unavailable', checks: r.checks });
  });
  // Prometheus: GraphQL, Temporal Update, outbox, notification, COB and pool metrics (src/metrics).
  watchDatabase(deps.orm);
  app.get('/metrics', metricsHandler(deps.config));
  app.use(GRAPHIQL_PATH, graphiqlRoutes());
  app.get('/', (_req, res) => {
    res.type('html').send(landingPage(deps.config));
  });
  app.use('/temporal-codec', temporalCodecRoutes(deps.config));
  app.use('/documents', documentRoutes({ ...deps, storage: new LocalDiskStorage(deps.config.documents.storageDir) }));
  // Anything not answered above, and every error express or a route throws: JSON, never HTML.
  app.use(jsonNotFound);
  app.use(jsonErrorHandler(deps.log));
  return { app, httpServer, apollo, security };
}

export function listen(server: ApiServer, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.httpServer.once('error', reject);
    server.httpServer.listen(port, host, () => {
      const address = server.httpServer.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
