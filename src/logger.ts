import pino from 'pino';

/** Structured logs; personal data is redacted wherever it might appear in a logged object. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
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
