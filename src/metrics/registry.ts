/**
 * Prometheus metrics (prom-client): one registry per process with the default Node process metrics and
 * the platform's own series, all prefixed `loan_platform_`. The API serves them at /metrics, the
 * worker on WORKER_METRICS_PORT (see src/metrics/http.ts). Counters and histograms are updated where
 * the work happens; gauges that describe the database (outbox backlog, COB runs, pool use) are read
 * at scrape time (src/metrics/collectors.ts).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'loan_platform_' });

/** Latency buckets (seconds) for requests that usually take milliseconds and may take seconds. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const graphqlOperations = new Counter({
  name: 'loan_platform_graphql_operations_total',
  help: 'GraphQL operations answered, by operation name, type (query, mutation, subscription) and outcome (OK or the first error code).',
  labelNames: ['operation', 'type', 'outcome'] as const,
  registers: [registry],
});

export const graphqlDuration = new Histogram({
  name: 'loan_platform_graphql_operation_duration_seconds',
  help: 'Time from receiving a GraphQL request to sending its response, by operation name, type and outcome.',
  labelNames: ['operation', 'type', 'outcome'] as const,
  buckets: REQUEST_BUCKETS,
  registers: [registry],
});

export const temporalUpdateDuration = new Histogram({
  name: 'loan_platform_temporal_update_duration_seconds',
  help: "A mutation's Temporal Update on the loan workflow, from sending it to its result, by update name and outcome (OK or the error code).",
  labelNames: ['update', 'outcome'] as const,
  buckets: REQUEST_BUCKETS,
  registers: [registry],
});

export const outboxPublished = new Counter({
  name: 'loan_platform_outbox_published_total',
  help: 'Outbox events the relay published to RabbitMQ and marked sent (confirmed by the broker).',
  registers: [registry],
});

export const outboxRelayLeader = new Gauge({
  name: 'loan_platform_outbox_relay_leader',
  help: '1 while this process holds the outbox relay leadership (one relay per database publishes).',
  registers: [registry],
});

export const notificationDeliveries = new Counter({
  name: 'loan_platform_notification_deliveries_total',
  help: 'Notification delivery attempts by channel and outcome: SENT, RETRY (failed, will retry), DEAD (dead-lettered after the last attempt).',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

export const notificationDeadLetters = new Counter({
  name: 'loan_platform_notification_dead_letters_total',
  help: 'Deliveries published to the dead-letter queue after their last failed attempt, by channel.',
  labelNames: ['channel'] as const,
  registers: [registry],
});

export const cobLoansProcessed = new Counter({
  name: 'loan_platform_cob_loans_total',
  help: 'Loans close of business processed in this process, by outcome (processed, failed).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const cobStepDuration = new Histogram({
  name: 'loan_platform_cob_step_chunk_duration_seconds',
  help: 'Time one close-of-business business step took over one chunk of loans, by step.',
  labelNames: ['step'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

/** Seconds since `started` (a performance.now() value). */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}

/** The outcome label of a failure: its typed code when it has one. */
export function outcomeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? code : 'ERROR';
}
