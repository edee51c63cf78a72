/**
 * Workflow interceptors that carry the API's request id (the `request-id` Temporal header, see
 * src/tracing/temporal-request-id.ts) from the Update, Signal or start that brought it to every
 * activity and child workflow scheduled while handling it, so the worker's log lines for that work
 * name the request (src/tracing/activity-request-id.ts). Bundled into every workflow bundle; a call
 * without the header costs one property lookup.
 *
 * Work the workflow does on its own from its main loop (timers, deferred effects) runs in the context
 * of the workflow's start, so it carries the id of the request that started the workflow.
 */
import { defaultPayloadConverter, type Headers, type Payload } from '@temporalio/common';
import {
  AsyncLocalStorage, type Next, type WorkflowInboundCallsInterceptor, type WorkflowInterceptors, type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** Same name as REQUEST_ID_TEMPORAL_HEADER (that module is not sandbox-safe: it imports OpenTelemetry's API). */
const HEADER = 'request-id';

const current = new AsyncLocalStorage<Payload>();

function within<T>(headers: Headers, fn: () => T): T {
  const payload = headers[HEADER];
  return payload ? current.run(payload, fn) : fn();
}

function withHeader(headers: Headers): Headers {
  const payload = current.getStore();
  return payload && !headers[HEADER] ? { ...headers, [HEADER]: payload } : headers;
}

type In<K extends keyof WorkflowInboundCallsInterceptor> = Parameters<NonNullable<WorkflowInboundCallsInterceptor[K]>>[0];
type Out<K extends keyof WorkflowOutboundCallsInterceptor> = Parameters<NonNullable<WorkflowOutboundCallsInterceptor[K]>>[0];

class RequestIdInbound implements WorkflowInboundCallsInterceptor {
  execute(input: In<'execute'>, next: Next<WorkflowInboundCallsInterceptor, 'execute'>) {
    return within(input.headers, () => next(input));
  }

  handleUpdate(input: In<'handleUpdate'>, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>) {
    return within(input.headers, () => next(input));
  }

  handleSignal(input: In<'handleSignal'>, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>) {
    return within(input.headers, () => next(input));
  }
}

class RequestIdOutbound implements WorkflowOutboundCallsInterceptor {
  scheduleActivity(input: Out<'scheduleActivity'>, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
    return next({ ...input, headers: withHeader(input.headers) });
  }

  scheduleLocalActivity(input: Out<'scheduleLocalActivity'>, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>) {
    return next({ ...input, headers: withHeader(input.headers) });
  }

  startChildWorkflowExecution(input: Out<'startChildWorkflowExecution'>, next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>) {
    return next({ ...input, headers: withHeader(input.headers) });
  }

  /** Lines the workflow logs itself (`log` of @temporalio/workflow) carry the request id too. */
  getLogAttributes(input: Out<'getLogAttributes'>, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>) {
    const payload = current.getStore();
    if (!payload) return next(input);
    let requestId: unknown;
    try {
      requestId = defaultPayloadConverter.fromPayload(payload);
    } catch {
      return next(input);
    }
    return next(typeof requestId === 'string' ? { ...input, requestId } : input);
  }
}

export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new RequestIdInbound()],
  outbound: [new RequestIdOutbound()],
});
