/**
 * Carries the request id into Temporal: a `request-id` header on every workflow start, Update and
 * Signal the API sends (visible in the workflow's history), and an attribute on the Temporal client
 * span when tracing is on. Always installed: it costs one header.
 */
import * as otel from '@opentelemetry/api';
import type { Next, WorkflowClientInterceptor, WorkflowSignalInput, WorkflowStartInput, WorkflowStartUpdateInput } from '@temporalio/client';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import { REQUEST_ID_ATTR } from './graphql';
import { currentRequestId } from './request-context';

export const REQUEST_ID_TEMPORAL_HEADER = 'request-id';

function withRequestId(headers: Headers): Headers {
  const requestId = currentRequestId();
  if (!requestId) return headers;
  otel.trace.getActiveSpan()?.setAttribute(REQUEST_ID_ATTR, requestId);
  return { ...headers, [REQUEST_ID_TEMPORAL_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}

export class RequestIdClientInterceptor implements WorkflowClientInterceptor {
  start(input: WorkflowStartInput, next: Next<WorkflowClientInterceptor, 'start'>) {
    return next({ ...input, headers: withRequestId(input.headers) });
  }

  startUpdate(input: WorkflowStartUpdateInput, next: Next<WorkflowClientInterceptor, 'startUpdate'>) {
    return next({ ...input, headers: withRequestId(input.headers) });
  }

  signal(input: WorkflowSignalInput, next: Next<WorkflowClientInterceptor, 'signal'>) {
    return next({ ...input, headers: withRequestId(input.headers) });
  }
}
