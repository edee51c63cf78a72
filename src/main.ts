/** The API process: GraphQL over PostgreSQL, talking to Temporal. `npm run start:api`. */
import 'reflect-metadata';
// First: starts tracing (when configured) before http and pg load.
import './tracing/register';
import { loadConfig } from './config';
import { assertSecureConfig } from './security-settings';
import { openDatabase, whenPoolIdle } from './database';
import { createApiServer, listen } from './graphql/server';
import { logger } from './logger';
import { EventBus } from './events/event-bus';
import { setEventSource } from './services/outbox.service';
import { ensureInitialAdmin } from './services/auth.service';
import { cobSettings } from './services/cob-run.service';
import { LoanWorkflowGateway } from './temporal-client';
import { apiProcessCount, isApiClusterWorker, runApiCluster } from './api-cluster';

async function main(): Promise<void> {
  const config = loadConfig();
  // Outside development: no missing or default JWT secret, no default admin password (names the variable).
  assertSecureConfig(config);
  // API_PROCESSES > 1: this process (the cluster primary) does the once-per-start work below — migrations,
  // the first admin, the one COB schedule — then forks the API processes (src/api-cluster.ts).
  const clusterWorker = isApiClusterWorker();
  const processes = clusterWorker ? 1 : apiProcessCount();
  // Production runs migrations as a separate release step; MIGRATE_ON_START=false turns this off.
  const orm = await openDatabase(config.databaseUrl, { migrate: !clusterWorker && process.env.MIGRATE_ON_START !== 'false' });
  if (!clusterWorker && await ensureInitialAdmin(orm.em.fork(), config)) {
    logger.warn({ email: config.auth.adminEmail }, 'created the first ADMIN from ADMIN_EMAIL / ADMIN_PASSWORD; change its password');
  }
  const temporal = await LoanWorkflowGateway.connect(config.temporal);
  if (!clusterWorker && config.cob.scheduleEnabled) {
    const id = await temporal.ensureCobSchedule(cobSettings(config), config.cob.cron, config.cob.timezone);
    logger.info({ schedule: id, cron: config.cob.cron, timezone: config.cob.timezone }, 'close-of-business schedule ready');
  }
  if (processes > 1) {
    await temporal.close();
    await orm.close();
    return runApiCluster(processes, config.port, logger);
  }
  setEventSource(config.events.source);
  // Feeds GraphQL subscriptions from RabbitMQ; keeps retrying (subscriptions wait) while it is down.
  const events = new EventBus(config, logger);
  events.start();
  const server = await createApiServer({ orm, temporal, config, log: logger, events });
  const port = await listen(server, config.port);
  // In a cluster the primary announces the API once every process listens.
  if (clusterWorker) logger.info({ port }, 'API process listening');
  else logger.info({ port }, `GraphQL API on http://localhost:${port}/graphql`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'API stopping');
    await server.apollo.stop();
    // Requests whose clients hung up are still running (HTTP is closed): let them finish with the pool.
    if (!(await whenPoolIdle(orm, 10_000))) logger.warn('API stopping with database work still running after 10 s');
    await events.stop();
    await temporal.close();
    await orm.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  logger.fatal({ err }, 'API failed to start');
  process.exit(1);
});
