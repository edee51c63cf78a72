/**
 * Prometheus metrics for real: the API's /metrics after real GraphQL operations (counts and latency by
 * operation and outcome, the mutation's Temporal Update, scrape-time database gauges, Node process
 * metrics), and a real worker process (src/worker.ts) with its own listener serving our series plus the
 * Temporal SDK's runtime metrics, which move when the worker runs a loan workflow.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../temporal/dev-server';
import { join } from 'node:path';
import { logger } from '../../src/logger';
import { startMetricsServer } from '../../src/metrics/http';
import { startTestApp, type TestApp } from '../utils';
import { APPLY, applicationInput, createCustomer, createProduct } from '../graphql/fixtures';

let app: TestApp;
let worker: ChildProcess | undefined;

/** One sample's value from exposition text (`name{labels}`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}


beforeAll(async () => {
  app = await startTestApp({ worker: false });
});

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGTERM');
    await new Promise((r) => worker!.once('exit', r));
  }
  await app?.close();
});

it('API /metrics: GraphQL operations are counted and timed by name and outcome; database and process gauges', async () => {
  const before = await scrape(`${app.url}/metrics`);
  for (let i = 0; i < 3; i++) expect((await app.gql('query MetricsProbe { me { id } }')).errors).toBeUndefined();
  const missing = await app.gql('query MetricsMissing($id: ID!) { customer(id: $id) { id } }', { id: '00000000-0000-4000-8000-000000000000' });
  expect(missing.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  const parse = await app.gql('query Broken { me { id }');
  expect(parse.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');

  const after = await scrape(`${app.url}/metrics`);
  const ops = (text: string, labels: Record<string, string>) => sample(text, 'loan_platform_graphql_operations_total', labels) ?? 0;
  expect(ops(after, { operation: 'MetricsProbe', type: 'query', outcome: 'OK' }) - ops(before, { operation: 'MetricsProbe', type: 'query', outcome: 'OK' })).toBe(3);
  expect(ops(after, { operation: 'MetricsMissing', type: 'query', outcome: 'NOT_FOUND' })).toBe(1);
  expect(ops(after, { operation: 'anonymous', type: 'unknown', outcome: 'GRAPHQL_PARSE_FAILED' }) - ops(before, { operation: 'anonymous', type: 'unknown', outcome: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
  // The latency histogram saw the same three, in its +Inf bucket and its count.
  expect(sample(after, 'loan_platform_graphql_operation_duration_seconds_count', { operation: 'MetricsProbe', outcome: 'OK' })).toBe(3);
  expect(sample(after, 'loan_platform_graphql_operation_duration_seconds_bucket', { operation: 'MetricsProbe', outcome: 'OK', le: '+Inf' })).toBe(3);
  expect(sample(after, 'loan_platform_graphql_operation_duration_seconds_sum', { operation: 'MetricsProbe', outcome: 'OK' })).toBeGreaterThan(0);

  // Scrape-time gauges: the pool of this API process, the database-wide outbox and COB gauges, Node.
  expect(sample(after, 'loan_platform_database_up')).toBe(1);
  expect(sample(after, 'loan_platform_db_pool_connections', { state: 'max' })).toBeGreaterThan(0);
  expect(sample(after, 'loan_platform_outbox_backlog')).toBeGreaterThanOrEqual(0);
  expect(sample(after, 'loan_platform_outbox_oldest_unsent_age_seconds')).toBeGreaterThanOrEqual(0);
  expect(sample(after, 'loan_platform_notification_deliveries', { channel: 'EMAIL', status: 'DEAD' })).toBeGreaterThanOrEqual(0);
  expect(sample(after, 'loan_platform_process_resident_memory_bytes')).toBeGreaterThan(0);
  expect(after).toContain('# TYPE loan_platform_nodejs_eventloop_lag_seconds gauge');
});

it('worker process: its own /metrics with the Temporal SDK runtime metrics, which move when it runs a loan', async () => {
  const [port, sdkPort] = [await freePort(), await freePort()];
  worker = spawn(process.execPath, ['-r', join(__dirname, '../workflows/support/ts-register.js'), join(__dirname, '../../src/worker.ts')], {
    env: {
      ...process.env, TEMPORAL_TASK_QUEUE: app.config.temporal.taskQueue, MIGRATE_ON_START: 'false', OUTBOX_RELAY_ENABLED: 'false', NOTIFICATIONS_ENABLED: 'false',
      TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'false', LOG_LEVEL: 'info', WORKER_METRICS_PORT: String(port), WORKER_METRICS_HOST: '127.0.0.1',
      TEMPORAL_SDK_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    worker!.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('worker started') && out.includes('worker metrics on')) resolve();
    });
    worker!.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready:\n${out}`)));
  });
  const url = `http://127.0.0.1:${port}/metrics`;
  const before = await scrape(url);
  expect(sample(before, 'loan_platform_db_pool_connections', { state: 'max' })).toBeGreaterThan(0);
  expect(sample(before, 'loan_platform_process_cpu_user_seconds_total')).toBeGreaterThan(0);
  expect(before).toMatch(/^temporal_worker_start\S* /m);
  const tasks = (text: string) =>
    text.split('\n').filter((l) => l.startsWith('temporal_workflow_task_execution_latency_count{') && l.includes(app.config.temporal.taskQueue))
      .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
  expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);

  // A loan through one real Update: apply (starts loan-<id>), then submitApplication on the worker.
  const productId = await createProduct(app);
  const customerId = await createCustomer(app);
  const apiBefore = await scrape(`${app.url}/metrics`);
  const applied = await app.gql(APPLY, { input: applicationInput(customerId, productId) });
  expect(applied.errors).toBeUndefined();
  const loanId = applied.data.applyForLoan.id as string;
  const submitted = await app.gql('mutation MetricsSubmit($l: ID!) { submitApplication(loanId: $l) { stage } }', { l: loanId });
  expect(submitted.errors).toBeUndefined();
  const apiAfter = await scrape(`${app.url}/metrics`);
  const updates = (text: string) => sample(text, 'loan_platform_temporal_update_duration_seconds_count', { update: 'submitApplication', outcome: 'OK' }) ?? 0;
  expect(updates(apiAfter) - updates(apiBefore)).toBe(1);
  expect(sample(apiAfter, 'loan_platform_graphql_operations_total', { operation: 'MetricsSubmit', type: 'mutation', outcome: 'OK' })).toBe(1);

  const after = await scrape(url);
  expect(tasks(after)).toBeGreaterThan(tasks(before));
});

it('with METRICS_BEARER_TOKEN, /metrics asks for it', async () => {
  const server = await startMetricsServer({ port: 0, host: '127.0.0.1', config: { ...app.config, metrics: { ...app.config.metrics, bearerToken: 's3cret' } }, log: logger });
  try {
    const url = `http://127.0.0.1:${server!.port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong!' } })).status).toBe(401);
    const text = await scrape(url, { authorization: 'Bearer s3cret' });
    expect(sample(text, 'loan_platform_db_pool_connections', { state: 'max' })).toBeGreaterThan(0);
    // A worker's page carries no database-wide gauges (the API answers those).
    expect(sample(text, 'loan_platform_outbox_backlog')).toBeUndefined();
  } finally {
    await server?.close();
  }
});
