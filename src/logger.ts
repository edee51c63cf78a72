import pino from 'pino';
import { currentRequestId } from './tracing/request-context';

/** Structured logs; personal data is redacted wherever it might appear in a logged object. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  // Every line written while serving an HTTP request carries its id (src/tracing/request-context.ts).
  mixin: () => {
    const requestId = currentRequestId();
    return requestId ? { requestId } : {};
  },
  redact: {
    paths: [
      '*.email', '*.firstName', '*.lastName', '*.phone', '*.dateOfBirth', '*.password',
      'variables.*.email', 'variables.*.firstName', 'variables.*.lastName', 'variables.*.phone', 'variables.*.dateOfBirth',
      'req.headers.authorization',
    ],
    censor: '[redacted]',
  },
});

export type Logger = typeof logger;
