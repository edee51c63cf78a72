import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { MikroORM } from '@mikro-orm/postgresql';
import express from 'express';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';
import { actorFromToken } from '../services/auth.service';
import { ANONYMOUS_ACTOR, type ServiceContext } from '../services/context';
import { LocalDiskStorage } from '../services/storage';
import type { LoanWorkflowGateway } from '../temporal-client';
import type { GraphQLContext } from './context';
import { documentRoutes } from './documents.routes';
import { createFormatError } from './errors';
import { landingPage } from './landing-page';
import { complexityLimitPlugin, depthLimitRule } from './limits';
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

/** Readiness: PostgreSQL answers a query and the Temporal frontend answers getSystemInfo. */
async function readiness(deps: ApiDeps): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, string> = {};
  await Promise.all([
    withTimeout(deps.orm.em.getConnection().execute('select 1'), 2000)
      .then(() => void (checks.postgres = 'ok'))
      .catch((err: Error) => void (checks.postgres = `down: ${err.message}`)),
    withTimeout(deps.temporal.client.connection.workflowService.getSystemInfo({}), 2000)
      .then(() => void (checks.temporal = 'ok'))
      .catch((err: Error) => void (checks.temporal = `down: ${err.message}`)),
  ]);
  return { ok: Object.values(checks).every((c) => c === 'ok'), checks };
}

/** Builds the express app with /graphql, /health/* and a landing page; does not listen yet. */
export async function createApiServer(deps: ApiDeps): Promise<ApiServer> {
  const app = express();
  const httpServer = createServer(app);
  const schema = await createSchema(deps.events?.pubsub);
  const subscriptions = attachSubscriptions(httpServer, schema, deps);
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError: createFormatError(deps.log),
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimitRule(deps.config.graphql.maxDepth)],
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: () => subscriptions.dispose() }) },
      // Apollo's default Sandbox loads from a CDN; this platform must work offline.
      ApolloServerPluginLandingPageDisabled(),
      complexityLimitPlugin(deps.config.graphql.maxComplexity),
    ],
  });
  await apollo.start();

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    const r = await readiness(deps);
    res.status(r.ok ? 200 : 503).json({ status: r.ok ? 'ok' : 'unavailable', checks: r.checks });
  });
  app.get('/', (_req, res) => {
    res.type('html').send(landingPage(deps.config));
  });
  app.use('/documents', documentRoutes({ ...deps, storage: new LocalDiskStorage(deps.config.documents.storageDir) }));
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const auth = req.headers.authorization;
        const bearer = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
        const base: ServiceContext = {
          em: deps.orm.em.fork(),
          actor: actorFromToken(bearer, deps.config) ?? ANONYMOUS_ACTOR,
          config: deps.config,
          temporal: deps.temporal,
        };
        const header = req.headers['x-request-id'];
        return {
          ...base,
          events: deps.events,
          requestId: typeof header === 'string' && header ? header : randomUUID(),
          ip: req.ip ?? null,
          loaders: createLoaders(base),
        };
      },
    }),
  );
  return { app, httpServer, apollo };
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
