/**
 * The HTTP edge: security headers (helmet), CORS from CORS_ORIGINS, and JSON for every error express
 * itself would answer (malformed JSON, a body over the limit, an unknown route, anything thrown by a
 * route): the GraphQL error shape `{"errors":[{"message","extensions":{"code"}}]}`, a 4xx for the
 * client's mistakes, never an HTML page or a stack trace.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import helmet from 'helmet';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';

/**
 * helmet's defaults (CSP `default-src 'self'`, HSTS, X-Frame-Options SAMEORIGIN, nosniff,
 * Referrer-Policy no-referrer, COOP/CORP...). A page that needs more (an in-browser IDE) sets its own
 * Content-Security-Policy in its handler. On a developer machine CSP does not upgrade http:// requests.
 */
export function securityHeaders(config: AppConfig): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'upgrade-insecure-requests': config.security.production ? [] : null,
      },
    },
    // Downloads (documents, statements) and the landing page are only ever read from this origin.
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });
}

const ALLOWED_HEADERS = 'Content-Type, Authorization, Apollo-Require-Preflight, X-Apollo-Operation-Name, X-Request-Id';

/**
 * CORS_ORIGINS: the browser origins (scheme://host[:port], comma-separated) allowed to call the API
 * from another origin; `*` allows any. Empty (the default): no CORS headers, so browsers allow only
 * same-origin calls. Credentials are bearer tokens, never cookies, so no Allow-Credentials.
 */
export function cors(config: AppConfig): RequestHandler {
  const origins = new Set(config.security.corsOrigins);
  const any = origins.has('*');
  return (req, res, next) => {
    const origin = req.headers.origin;
    const allowed = typeof origin === 'string' && (any || origins.has(origin));
    if (origins.size > 0) res.vary('Origin');
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After, X-Request-Id');
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (allowed) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}

function sendJsonError(res: Parameters<RequestHandler>[1], status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).type('application/json').send(JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] }));
}

/** Last route: an unknown path is a JSON 404. */
export const jsonNotFound: RequestHandler = (req, res) => {
  sendJsonError(res, 404, 'NOT_FOUND', `No route ${req.method} ${req.path.slice(0, 200)}`);
};

/** body-parser's error types → what the client did wrong. */
const BODY_ERRORS: Record<string, { status: number; message: (err: { limit?: number }) => string }> = {
  'entity.parse.failed': { status: 400, message: () => 'The request body is not valid JSON' },
  'entity.too.large': { status: 413, message: (e) => `The request body is larger than ${e.limit ?? 'the limit'} bytes` },
  'encoding.unsupported': { status: 415, message: () => 'Unsupported content encoding' },
  'charset.unsupported': { status: 415, message: () => 'Unsupported charset' },
  'request.aborted': { status: 400, message: () => 'The request was aborted' },
  'request.size.invalid': { status: 400, message: () => 'The request body length does not match Content-Length' },
  'stream.encoding.set': { status: 500, message: () => 'Internal server error' },
};

/**
 * Last middleware: errors thrown by express or a route. Client errors (4xx) say what was wrong;
 * anything else is masked as INTERNAL_SERVER_ERROR with a correlation id that is also in the log.
 */
export function jsonErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err);
    const e = (err ?? {}) as { type?: string; status?: number; statusCode?: number; expose?: boolean; message?: string; limit?: number };
    const known = e.type ? BODY_ERRORS[e.type] : undefined;
    const status = known?.status ?? e.status ?? e.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const message = known ? known.message(e) : e.expose && e.message ? e.message : 'Bad request';
      sendJsonError(res, status, status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', message);
      return;
    }
    const correlationId = randomUUID();
    log.error({ err, correlationId }, 'unexpected error in an HTTP route');
    sendJsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error', { correlationId });
  };
}
