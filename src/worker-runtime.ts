import { DefaultLogger, NativeConnection, Runtime, Worker, type LogLevel } from '@temporalio/worker';
import type { MikroORM } from '@mikro-orm/postgresql';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createActivities } from './activities';
import { logger } from './logger';
import { workflowInterceptorModules } from './workflow-interceptor-modules';
import { requestIdActivityInterceptors } from './tracing/activity-request-id';
import { LocalDiskStorage } from './services/storage';
import { dataConverterFor } from './temporal-codec';
import { tracingEnabled, workerTracingOptions } from './tracing/tracing';
import type { AppConfig } from './config';

export interface WorkerOptions {
  orm: MikroORM;
  config: AppConfig;
  /** Overrides config.temporal.taskQueue (tests give each file its own queue). */
  taskQueue?: string;
}

/**
 * Creates (does not run) a worker for the loan workflows and activities. Uses a pre-built workflow
 * bundle (WORKFLOW_BUNDLE_PATH, or the one `npm run build` writes next to this file) when there is one,
 * else bundles src/workflows at start (a few seconds).
 */
let runtimeInstalled = false;

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, string>;

/**
 * The SDK's own log level (TEMPORAL_LOG_LEVEL: TRACE, DEBUG, INFO, WARN, ERROR); once per process, the
 * first call wins. `prometheusBindAddress` turns on the SDK's Prometheus exporter (the worker process
 * does, before it creates workers; in-process test workers do not, so they never bind a port). Returns
 * whether the exporter runs: when its address cannot be bound (another worker on the host holds it, or
 * took it at the same moment) the runtime starts without it rather than the worker not at all.
 */
export function installRuntime(opts: { prometheusBindAddress?: string } = {}): boolean {
  if (runtimeInstalled) return sdkMetricsOn;
  runtimeInstalled = true;
  const level = (process.env.TEMPORAL_LOG_LEVEL ?? 'INFO').toUpperCase() as LogLevel;
  // The SDK's lines (worker, workflow and activity logs) go out through pino like ours, as JSON with
  // their metadata (workflow and activity ids, and the request id: src/tracing/activity-request-id.ts).
  const options = { logger: new DefaultLogger(level, ({ level: sdkLevel, message, meta }) => logger[PINO_LEVEL[sdkLevel]](meta ?? {}, message)) };
  if (opts.prometheusBindAddress) {
    try {
      Runtime.install({ ...options, telemetryOptions: { metrics: { prometheus: { bindAddress: opts.prometheusBindAddress, useSecondsForDurations: true } } } });
      sdkMetricsOn = true;
      return true;
    } catch (err) {
      logger.warn({ address: opts.prometheusBindAddress, err: (err as Error).message }, 'Temporal SDK metrics off: TEMPORAL_SDK_METRICS_ADDRESS is taken');
    }
  }
  Runtime.install(options);
  return false;
}

let sdkMetricsOn = false;

export async function createWorker(opts: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  installRuntime();
  const connection = await NativeConnection.connect({ address: opts.config.temporal.address });
  // The traced bundle holds OpenTelemetry's workflow interceptors; without tracing the plain one spares
  // every new workflow their set-up (scripts/build-workflow-bundle.ts).
  const traced = tracingEnabled();
  const bundlePath = traced
    ? (process.env.WORKFLOW_TRACED_BUNDLE_PATH ?? join(__dirname, 'workflow-bundle-traced.js'))
    : (process.env.WORKFLOW_BUNDLE_PATH ?? join(__dirname, 'workflow-bundle.js'));
  const workflowSource = existsSync(bundlePath)
    ? { workflowBundle: { codePath: bundlePath } }
    : { workflowsPath: require.resolve('./workflows') };
  // Bundling here (no pre-built bundle) adds OpenTelemetry's interceptors only when tracing is on.
  const workflowModules = 'workflowsPath' in workflowSource ? workflowInterceptorModules(traced) : undefined;
  const tracing = workerTracingOptions();
  const worker = await Worker.create({
    connection,
    namespace: opts.config.temporal.namespace,
    taskQueue: opts.taskQueue ?? opts.config.temporal.taskQueue,
    ...workflowSource,
    dataConverter: dataConverterFor(opts.config.temporal),
    // A dead worker's loans move on within seconds: its sticky queue is given up after 2 s.
    stickyQueueScheduleToStartTimeout: '2 seconds',
    ...(opts.config.temporal.maxCachedWorkflows > 0 ? { maxCachedWorkflows: opts.config.temporal.maxCachedWorkflows } : {}),
    activities: createActivities({ orm: opts.orm, config: opts.config, storage: new LocalDiskStorage(opts.config.documents.storageDir) }),
    // Activity spans and the workflow-span sink when tracing is on (src/tracing/tracing.ts).
    ...tracing,
    interceptors: {
      activity: [requestIdActivityInterceptors, ...(tracing.interceptors?.activity ?? [])],
      workflowModules,
    },
  });
  return { worker, connection };
}
