/**
 * Workflow interceptors (bundled with the workflows: scripts/build-workflow-bundle.ts, test global
 * setup, or `interceptors.workflowModules` when a worker bundles at start). OpenTelemetry's workflow
 * interceptors, but only for calls that carry trace context: an Update, Signal or start whose
 * Temporal headers hold `_tracer-data` (the API sent it with tracing on) gets spans, and so do the
 * activities and child workflows it schedules; untraced calls go straight through, so with tracing
 * off a workflow does no tracing work at all.
 */
import * as otel from '@opentelemetry/api';
import {
  OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor, OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { Headers } from '@temporalio/common';
import type { Next, WorkflowInboundCallsInterceptor, WorkflowInterceptors, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';

const TRACE_HEADER = '_tracer-data';
const traced = (headers: Headers) => headers[TRACE_HEADER] !== undefined;
const inSpan = () => otel.trace.getSpan(otel.context.active()) !== undefined;

class TracedInbound implements WorkflowInboundCallsInterceptor {
  private readonly otel = new OpenTelemetryInboundInterceptor();

  execute(input: Parameters<NonNullable<WorkflowInboundCallsInterceptor['execute']>>[0], next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    return traced(input.headers) ? this.otel.execute(input, next) : next(input);
  }

  handleUpdate(input: Parameters<NonNullable<WorkflowInboundCallsInterceptor['handleUpdate']>>[0], next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>) {
    return traced(input.headers) ? this.otel.handleUpdate(input, next) : next(input);
  }

  validateUpdate(input: Parameters<NonNullable<WorkflowInboundCallsInterceptor['validateUpdate']>>[0], next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>) {
    return traced(input.headers) ? this.otel.validateUpdate(input, next) : next(input);
  }

  handleSignal(input: Parameters<NonNullable<WorkflowInboundCallsInterceptor['handleSignal']>>[0], next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) {
    return traced(input.headers) ? this.otel.handleSignal(input, next) : next(input);
  }
}

class TracedOutbound implements WorkflowOutboundCallsInterceptor {
  private readonly otel = new OpenTelemetryOutboundInterceptor();

  scheduleActivity(input: Parameters<NonNullable<WorkflowOutboundCallsInterceptor['scheduleActivity']>>[0], next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
    return inSpan() ? this.otel.scheduleActivity(input, next) : next(input);
  }

  scheduleLocalActivity(input: Parameters<NonNullable<WorkflowOutboundCallsInterceptor['scheduleLocalActivity']>>[0], next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>) {
    return inSpan() ? this.otel.scheduleLocalActivity(input, next) : next(input);
  }

  startChildWorkflowExecution(input: Parameters<NonNullable<WorkflowOutboundCallsInterceptor['startChildWorkflowExecution']>>[0], next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>) {
    return inSpan() ? this.otel.startChildWorkflowExecution(input, next) : next(input);
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new TracedInbound()],
  outbound: [new TracedOutbound()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
