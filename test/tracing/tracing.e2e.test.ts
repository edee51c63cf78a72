/**
 * One trace from a GraphQL mutation through Temporal to SQL, recorded by an in-memory span exporter:
 * the GraphQL span, the Temporal client's Update span, the workflow's update spans, the activity span
 * and the activity's PostgreSQL queries share one trace id, each the child of the one before; the
 * request id is on the GraphQL and Temporal spans and in the Update's Temporal header.
 */
import { randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { defaultPayloadConverter } from '@temporalio/common';
import pino from 'pino';
import { logger } from '../../src/logger';
import { withRequestId } from '../../src/tracing/request-context';
import { activeInstrumentations, startTracing, stopTracing } from '../../src/tracing/tracing';
import { REQUEST_ID_ATTR } from '../../src/tracing/graphql';
import { REQUEST_ID_TEMPORAL_HEADER } from '../../src/tracing/temporal-request-id';
import { eventually, startTestApp, type TestApp } from '../utils';
import { APPLY, applicationInput, createCustomer, createProduct, WITHDRAW } from '../graphql/fixtures';

const exporter = new InMemorySpanExporter();
let app: TestApp;

beforeAll(async () => {
  expect(startTracing({ otlpEndpoint: '', serviceName: 'loan-platform-test' }, { spanProcessors: [new SimpleSpanProcessor(exporter)] })).toBe(true);
  // Jest loads modules through its own registry, past the require hooks instrumentations use:
  // hand them the `pg` this test's modules (knex, MikroORM) load.
  for (const instrumentation of activeInstrumentations()) {
    for (const def of instrumentation.getModuleDefinitions()) {
      if (def.name === 'pg') def.patch?.(require('pg'), require('pg/package.json').version);
    }
  }
  app = await startTestApp();
});

afterAll(async () => {
  await app?.close();
  await stopTracing();
});

const id = (s: ReadableSpan) => s.spanContext().spanId;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
/** instrumentation-pg names its spans `pg.query:<verb> <database>`. */
const isSql = (s: ReadableSpan) => s.name.startsWith('pg.query:');

/** The chain of span names from `span` up to the root of its trace. */
function ancestry(span: ReadableSpan, spans: ReadableSpan[]): string[] {
  const byId = new Map(spans.map((s) => [id(s), s]));
  const names: string[] = [];
  for (let s: ReadableSpan | undefined = span; s; s = parentOf(s) ? byId.get(parentOf(s)!) : undefined) names.push(s.name);
  return names;
}

it('one trace spans GraphQL → Temporal Update → workflow → activity → SQL, carrying the request id', async () => {
  const productId = await createProduct(app);
  const customerId = await createCustomer(app);
  const loanId = (await app.gql(APPLY, { input: applicationInput(customerId, productId) })).data.applyForLoan.id as string;
  exporter.reset();

  const requestId = `trace-test-${randomUUID()}`;
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${app.token}`, 'x-request-id': requestId },
    body: JSON.stringify({ query: WITHDRAW, variables: { loanId, reason: 'traced' }, operationName: 'Withdraw' }),
  });
  expect(res.headers.get('x-request-id')).toBe(requestId);
  expect(((await res.json()) as any).data.withdrawApplication.stage).toBe('WITHDRAWN');

  const graphqlSpan = () => exporter.getFinishedSpans().find((s) => s.name === 'graphql.mutation Withdraw');
  // Workflow spans reach the exporter through a sink after the activation; activity and SQL spans as they end.
  await eventually(async () => {
    const g = graphqlSpan();
    if (!g) return false;
    const trace = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === g.spanContext().traceId);
    return trace.some((s) => s.name.startsWith('RunActivity:')) && trace.some((s) => s.name.startsWith('HandleUpdate:'))
      && trace.some((s) => isSql(s) && ancestry(s, trace).some((n) => n.startsWith('RunActivity:')));
  }, 20000, 'the activity and its SQL in the GraphQL trace').catch((err) => {
    console.log(exporter.getFinishedSpans().map((s) => `${s.spanContext().traceId.slice(0, 6)} ${id(s).slice(0, 6)} <- ${parentOf(s)?.slice(0, 6)} ${s.name} `).join('\n'));
    throw err;
  });

  const g = graphqlSpan()!;
  const traceId = g.spanContext().traceId;
  const trace = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  expect(g.attributes[REQUEST_ID_ATTR]).toBe(requestId);
  expect(g.attributes['graphql.operation.type']).toBe('mutation');

  // The Temporal client span of the Update is a child of the GraphQL span and carries the request id.
  const update = trace.find((s) => s.name.startsWith('StartWorkflowUpdate:'))!;
  expect(update).toBeDefined();
  expect(ancestry(update, trace)).toContain('graphql.mutation Withdraw');
  expect(update.attributes[REQUEST_ID_ATTR]).toBe(requestId);

  // Workflow side: the update handler under the client span, the activity under the handler, SQL under the activity.
  const handler = trace.find((s) => s.name.startsWith('HandleUpdate:'))!;
  expect(ancestry(handler, trace)).toEqual(expect.arrayContaining([update.name, 'graphql.mutation Withdraw']));
  const activity = trace.find((s) => s.name.startsWith('RunActivity:'))!;
  expect(ancestry(activity, trace)).toEqual(expect.arrayContaining([handler.name, update.name, 'graphql.mutation Withdraw']));
  const query = trace.find((s) => isSql(s) && ancestry(s, trace).includes(activity.name))!;
  expect(ancestry(query, trace).slice(-1)).toEqual([ancestry(g, trace).slice(-1)[0]]);
  // The GraphQL span's own SQL (loading the loan for the answer) is in the same trace too.
  expect(trace.some((s) => isSql(s) && !ancestry(s, trace).includes(activity.name))).toBe(true);

  // The request id also travelled as a Temporal header of the Update (it is in the workflow's history).
  const history = await app.temporal.client.workflow.getHandle(`loan-${loanId}`).fetchHistory();
  const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)
    .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest!.input!.header?.fields?.[REQUEST_ID_TEMPORAL_HEADER]);
  expect(accepted.filter(Boolean).map((p) => defaultPayloadConverter.fromPayload(p!))).toContain(requestId);
});

it('puts the request id into every log line written while serving the request, and only then', async () => {
  // The API logger's own mixin (pino calls it for each line): inside a request's async context and outside.
  const mixin = (logger as unknown as Record<symbol, () => Record<string, unknown>>)[pino.symbols.mixinSym];
  expect(withRequestId('req-42', () => mixin())).toEqual({ requestId: 'req-42' });
  await expect(withRequestId('req-43', async () => { await new Promise((r) => setTimeout(r, 5)); return mixin(); })).resolves.toEqual({ requestId: 'req-43' });
  expect(mixin()).toEqual({});
});
