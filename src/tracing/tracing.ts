/**
 * OpenTelemetry tracing, OFF unless an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT) or a
 * caller hands span processors in (tests: an in-memory exporter). Off means nothing is registered:
 * no tracer provider, no http/pg patching, no Temporal interceptors — the OpenTelemetry API then hands
 * out no-op tracers, so instrumented code costs nothing.
 *
 * On, one trace covers a GraphQL request: the HTTP server span (instrumentation-http) → the GraphQL
 * operation span (src/tracing/graphql.ts) → the Temporal client span of the Update or start
 * (@temporalio/interceptors-opentelemetry, which carries the context in Temporal headers) → the
 * workflow's update/execute spans (its workflow interceptors, see src/workflows/interceptors.ts)
 * → the activity span → the activity's SQL (instrumentation-pg).
 */
import * as otel from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations, type InstrumentationBase } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import {
  makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import type { AppConfig } from '../config';

export const TRACER_NAME = 'loan-platform';

interface Tracing {
  provider: NodeTracerProvider;
  resource: Resource;
  processors: SpanProcessor[];
  instrumentations: InstrumentationBase[];
}

let active: Tracing | undefined;

export function tracingEnabled(): boolean {
  return active !== undefined;
}

/** Health checks and scrapes are not worth a trace each. */
function ignoredPath(url: string | undefined): boolean {
  return !!url && (url.startsWith('/metrics') || url.startsWith('/health'));
}

/**
 * Starts tracing for this process when `config.otlpEndpoint` is set or `spanProcessors` are given;
 * otherwise does nothing and returns false. Call it before `pg` and `http` are first required (the
 * api and worker entry points import src/tracing/register.ts first). Once per process.
 */
export function startTracing(config: AppConfig['tracing'], opts: { serviceName?: string; spanProcessors?: SpanProcessor[] } = {}): boolean {
  if (active) return true;
  const processors = [...(opts.spanProcessors ?? [])];
  if (config.otlpEndpoint) {
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${config.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` })));
  }
  if (!processors.length) return false;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: opts.serviceName ?? config.serviceName });
  const provider = new NodeTracerProvider({ resource, spanProcessors: processors });
  // AsyncLocalStorage context manager + W3C trace-context propagator (Temporal headers use it too).
  provider.register();
  const instrumentations: InstrumentationBase[] = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => ignoredPath(req.url),
      // Outgoing calls from this process are webhooks and the OTLP exporter itself: not part of a request's story.
      ignoreOutgoingRequestHook: () => true,
    }),
    // Only SQL inside a traced operation (a request or an activity), not pool housekeeping or relays polling.
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false }),
  ];
  registerInstrumentations({ tracerProvider: provider, instrumentations });
  active = { provider, resource, processors, instrumentations };
  return true;
}

/** Flushes and stops tracing (process shutdown, tests). */
export async function stopTracing(): Promise<void> {
  if (!active) return;
  const { provider, instrumentations } = active;
  active = undefined;
  for (const i of instrumentations) i.disable();
  await provider.shutdown();
  otel.trace.disable();
  otel.context.disable();
  otel.propagation.disable();
}

export function tracer(): otel.Tracer {
  return otel.trace.getTracer(TRACER_NAME);
}

/** Instrumentations this process registered (tests under jest patch modules they load themselves). */
export function activeInstrumentations(): InstrumentationBase[] {
  return active?.instrumentations ?? [];
}

/** Temporal client interceptors: trace context into the headers of every start, Update and Signal (when tracing is on). */
export function temporalClientInterceptors(): WorkflowClientInterceptor[] {
  return active ? [new OpenTelemetryWorkflowClientInterceptor()] : [];
}

/**
 * Workflow spans are built inside the sandbox by the interceptor package's own (1.x) SDK and arrive
 * through a sink in its span shape; this hands them to our (2.x) processors in theirs.
 */
function workflowSpanProcessor(processors: SpanProcessor[]): SpanProcessor {
  type V1Span = ReadableSpan & { parentSpanId?: string; instrumentationLibrary?: { name: string; version?: string } };
  return {
    onStart: () => undefined,
    onEnd: (span) => {
      const s = span as V1Span;
      const ctx = s.spanContext();
      const adapted: ReadableSpan = {
        ...s,
        spanContext: () => ctx,
        parentSpanContext: s.parentSpanContext ?? (s.parentSpanId ? { traceId: ctx.traceId, spanId: s.parentSpanId, traceFlags: ctx.traceFlags, isRemote: false } : undefined),
        instrumentationScope: s.instrumentationScope ?? s.instrumentationLibrary ?? { name: '@temporalio/interceptors-opentelemetry' },
      };
      for (const p of processors) p.onEnd(adapted);
    },
    forceFlush: async () => { await Promise.all(processors.map((p) => p.forceFlush())); },
    shutdown: async () => undefined,
  };
}

/**
 * Worker options for tracing: activity interceptors (a span per activity, child of the workflow's
 * schedule span) and the sink the workflow interceptors export through. The sink is always
 * installed — a no-op when tracing is off — because the workflow bundle always contains the workflow
 * interceptors (they create spans only for calls that arrive with trace context in their headers).
 */
export function workerTracingOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  if (!active) {
    return { sinks: { exporter: { export: { fn: () => undefined, callDuringReplay: false } } } };
  }
  return {
    interceptors: {
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    // The package types these with its own 1.x SDK; workflowSpanProcessor adapts the spans.
    sinks: { exporter: makeWorkflowExporter(workflowSpanProcessor(active.processors) as any, active.resource as any) },
  };
}
