/**
 * The request id of the HTTP request being served, carried through every await of that request
 * (AsyncLocalStorage): pino adds it to each log line written while serving it, the Temporal client
 * interceptor puts it in the headers of the Updates, Signals and starts it sends, and its spans.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export interface RequestContext {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const REQUEST_ID_HEADER = 'x-request-id';
const MAX_REQUEST_ID_LENGTH = 100;

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Runs `fn` as part of the request `requestId` (tests and background work that acts for a request). */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return storage.run({ requestId }, fn);
}

/** The caller's X-Request-Id when it is a sane token, else a new UUID. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && /^[\w.:@-]+$/.test(header) && header.length <= MAX_REQUEST_ID_LENGTH ? header : randomUUID();
}

/** Express middleware: the request id (echoed in the response's X-Request-Id) for the rest of the request. */
export function requestContextMiddleware(req: Request, res: Response, next: NextFunction): void {
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
  res.setHeader('X-Request-Id', requestId);
  storage.run({ requestId }, next);
}
