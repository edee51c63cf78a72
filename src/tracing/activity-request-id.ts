/**
 * Worker side of the request id: an activity scheduled while a workflow handled a request carries the
 * `request-id` header (src/workflows/request-id-interceptors.ts); the activity runs inside that
 * request's context, so every pino line it writes names the request (src/logger.ts mixin), and so do
 * the SDK's own lines about it (Context.log, `getLogAttributes`).
 */
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type {
  ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptors, ActivityOutboundCallsInterceptor, Next,
} from '@temporalio/worker';
import { requestIdFrom, withRequestId } from './request-context';
import { REQUEST_ID_TEMPORAL_HEADER } from './temporal-request-id';

/** The request id in Temporal headers, when there is a sane one. */
export function requestIdOfHeaders(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_TEMPORAL_HEADER];
  if (!payload) return undefined;
  try {
    const value: unknown = defaultPayloadConverter.fromPayload(payload);
    // The same rule as for X-Request-Id: anything else is not a request id worth logging.
    return typeof value === 'string' && requestIdFrom(value) === value ? value : undefined;
  } catch {
    return undefined;
  }
}

/** One per activity execution: the inbound side reads the header, the outbound side tags the SDK's lines with it. */
class RequestIdActivityInterceptor implements ActivityInboundCallsInterceptor, ActivityOutboundCallsInterceptor {
  private requestId: string | undefined;

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    this.requestId = requestIdOfHeaders(input.headers);
    return this.requestId ? withRequestId(this.requestId, () => next(input)) : next(input);
  }

  /** Also for the lines the SDK writes after the activity returned ("Activity failed", "completed"). */
  getLogAttributes(input: Record<string, unknown>, next: Next<ActivityOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    return next(this.requestId ? { ...input, requestId: this.requestId } : input);
  }
}

/** For Worker.create's `interceptors.activity`. */
export function requestIdActivityInterceptors(): ActivityInterceptors {
  const interceptor = new RequestIdActivityInterceptor();
  return { inbound: interceptor, outbound: interceptor };
}
