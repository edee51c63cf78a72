/** The worker process: runs loan workflows and their activities. Scale out by running more. */
import 'reflect-metadata';
// First: starts tracing (when configured) before http and pg load.
import './tracing/register';
import { loadConfig } from './config';
import { openDatabase } from './database';
import { logger } from './logger';
import { ensureSearchAttributes } from './temporal-client';
import { createWorker, installRuntime } from './worker-runtime';
import { watchDatabase } from './metrics/collectors';
import { startMetricsServer } from './metrics/http';
import { startEventServices } from './events/runtime';
import { stopTracing } from './tracing/tracing';

async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await openDatabase(config.databaseUrl, { migrate: process.env.MIGRATE_ON_START !== 'false' });
  if (process.env.TEMPORAL_REGISTER_SEARCH_ATTRIBUTES !== 'false') {
    const added = await ensureSearchAttributes(config.temporal.address, config.temporal.namespace);
    if (added.length) logger.info({ added }, 'registered Temporal search attributes');
  }
  // The Temporal SDK's Prometheus exporter (served through this process's /metrics), if this process can
  // bind its address: another worker on the host may hold it (installRuntime then warns and goes on without).
  const wanted = config.metrics.workerPort ? config.metrics.temporalSdkAddress : '';
  const sdkMetricsAddress = wanted && installRuntime({ prometheusBindAddress: wanted }) ? wanted : '';
  const { worker, connection } = await createWorker({ orm, config });
  watchDatabase(orm);
  const metrics = config.metrics.workerPort
    ? await startMetricsServer({ port: config.metrics.workerPort, host: config.metrics.workerHost, config, log: logger, temporalSdkAddress: sdkMetricsAddress })
    : undefined;
  if (metrics) logger.info({ port: metrics.port }, `worker metrics on http://localhost:${metrics.port}/metrics`);
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker started');
  // Outbox relay (leader-elected) + notification consumer and dispatcher; they wait out a RabbitMQ outage.
  const events = startEventServices({ orm, config, log: logger });
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks, then resolves.
  await worker.run();
  await events.stop();
  await metrics?.close();
  await connection.close();
  await stopTracing();
  await orm.close();
  logger.info('worker stopped');
}

main().catch((err) => {
  logger.fatal({ err }, 'worker failed');
  process.exit(1);
});
