/** The worker process: runs loan workflows and their activities. Scale out by running more. */
import 'reflect-metadata';
import { loadConfig } from './config';
import { openDatabase } from './database';
import { logger } from './logger';
import { ensureSearchAttributes } from './temporal-client';
import { createWorker } from './worker-runtime';
import { startEventServices } from './events/runtime';

async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await openDatabase(config.databaseUrl, { migrate: process.env.MIGRATE_ON_START !== 'false' });
  if (process.env.TEMPORAL_REGISTER_SEARCH_ATTRIBUTES !== 'false') {
    const added = await ensureSearchAttributes(config.temporal.address, config.temporal.namespace);
    if (added.length) logger.info({ added }, 'registered Temporal search attributes');
  }
  const { worker, connection } = await createWorker({ orm, config });
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker started');
  // Outbox relay (leader-elected) + notification consumer and dispatcher; they wait out a RabbitMQ outage.
  const events = startEventServices({ orm, config, log: logger });
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks, then resolves.
  await worker.run();
  await events.stop();
  await connection.close();
  await orm.close();
  logger.info('worker stopped');
}

main().catch((err) => {
  logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
