/** Every environment variable the platform reads, with embedded defaults that work on one machine. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface AppConfig {
  databaseUrl: string;
  port: number;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiUrl: string;
    /** Longest a mutation waits for its workflow Update before answering UNAVAILABLE (retry-safe). */
    mutationTimeoutMs: number;
  };
  graphql: { maxDepth: number; maxComplexity: number };
  auth: {
    jwtSecret: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** The first ADMIN, created on first start when no ADMIN exists. */
    adminEmail: string;
    adminPassword: string;
  };
  logLevel: string;
  origination: {
    /** How long a customer has to answer an offer (a durable timer; tests use seconds). */
    offerExpirySeconds: number;
    /** How long a generated agreement stays signable. */
    agreementExpirySeconds: number;
  };
  documents: { storageDir: string; maxUploadBytes: number };
  cob: {
    /** Start the daily COB schedule (advance the business date, close the day) from the API. */
    scheduleEnabled: boolean;
    cron: string;
    timezone: string;
    /** Loans per child workflow, loans per transaction, child workflows at once. */
    partitionSize: number;
    chunkSize: number;
    maxParallelPartitions: number;
    /** COB may run on its own workers; empty: the main task queue. */
    taskQueue: string;
  };
  events: {
    /** RabbitMQ; when unreachable the platform still runs and events wait in the outbox. */
    rabbitmqUrl: string;
    /** Topic exchange the relay publishes to (routing key `<category>.<Type>`). */
    exchange: string;
    /** `source` in every event envelope. */
    source: string;
    /** Run the outbox relay in the worker process (one relay per database is leader at a time). */
    relayEnabled: boolean;
    relayBatchSize: number;
    /** Fallback poll interval; commits wake the relay at once through LISTEN/NOTIFY. */
    relayPollMs: number;
    /** Back-off before reconnecting to a broker that is down. */
    reconnectMs: number;
    /** Sent rows older than this are deleted from the outbox. */
    retentionHours: number;
  };
  notifications: {
    /** Run the notification consumer and dispatcher in the worker process. */
    enabled: boolean;
    /** The consumer's durable queue (bound to `loan.#` on the events exchange). */
    queue: string;
    smtp: { host: string; port: number; secure: boolean; user: string; password: string; from: string };
    /** HTTP webhook providers; an empty URL disables the channel (deliveries are SKIPPED). */
    smsWebhookUrl: string;
    pushWebhookUrl: string;
    webhookTimeoutMs: number;
    /** Attempts per delivery before it is dead-lettered, and the first retry delay (doubling). */
    maxAttempts: number;
    retryBaseMs: number;
    /** Dead deliveries are published to this queue. */
    deadLetterQueue: string;
  };
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loan_platform',
    port: int('PORT', 4000),
    temporal: {
      address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      namespace: env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'loan-platform',
      uiUrl: (env.TEMPORAL_UI_URL ?? `http://localhost:${env.TEMPORAL_UI_PORT ?? 8233}`).replace(/\/$/, ''),
      mutationTimeoutMs: int('MUTATION_TIMEOUT_MS', 10_000),
    },
    graphql: { maxDepth: int('GRAPHQL_MAX_DEPTH', 10), maxComplexity: int('GRAPHQL_MAX_COMPLEXITY', 2000) },
    auth: {
      // The default only suits a developer machine; production must set JWT_SECRET (see README).
      jwtSecret: env.JWT_SECRET ?? 'dev-only-insecure-jwt-secret-change-me',
      accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 900),
      refreshTokenTtlSeconds: int('REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600),
      adminEmail: (env.ADMIN_EMAIL ?? 'admin@example.com').toLowerCase(),
      adminPassword: env.ADMIN_PASSWORD ?? 'admin-change-me',
    },
    logLevel: env.LOG_LEVEL ?? 'info',
    origination: {
      offerExpirySeconds: int('OFFER_EXPIRY_SECONDS', 7 * 24 * 3600),
      agreementExpirySeconds: int('AGREEMENT_EXPIRY_SECONDS', 14 * 24 * 3600),
    },
    documents: {
      storageDir: env.DOCUMENT_STORAGE_DIR ?? join(projectRoot(), '.data', 'documents'),
      maxUploadBytes: int('DOCUMENT_MAX_UPLOAD_BYTES', 10 * 1024 * 1024),
    },
    cob: {
      scheduleEnabled: (env.COB_SCHEDULE_ENABLED ?? 'true') !== 'false',
      cron: env.COB_CRON ?? '0 0 * * *',
      timezone: env.COB_TIMEZONE ?? 'UTC',
      partitionSize: int('COB_PARTITION_SIZE', 10000),
      chunkSize: int('COB_CHUNK_SIZE', 1000),
      maxParallelPartitions: int('COB_MAX_PARALLEL_PARTITIONS', 4),
      taskQueue: env.COB_TASK_QUEUE ?? '',
    },
    events: {
      rabbitmqUrl: env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      exchange: env.EVENTS_EXCHANGE ?? 'loan-platform.events',
      source: env.EVENTS_SOURCE ?? 'loan-platform',
      relayEnabled: env.OUTBOX_RELAY_ENABLED !== 'false',
      relayBatchSize: int('OUTBOX_RELAY_BATCH_SIZE', 500),
      relayPollMs: int('OUTBOX_RELAY_POLL_MS', 1000),
      reconnectMs: int('RABBITMQ_RECONNECT_MS', 2000),
      retentionHours: int('OUTBOX_RETENTION_HOURS', 168),
    },
    notifications: {
      enabled: env.NOTIFICATIONS_ENABLED !== 'false',
      queue: env.NOTIFICATIONS_QUEUE ?? 'loan-platform.notifications',
      smtp: {
        host: env.SMTP_HOST ?? '127.0.0.1',
        port: int('SMTP_PORT', 1025),
        secure: env.SMTP_SECURE === 'true',
        user: env.SMTP_USER ?? '',
        password: env.SMTP_PASSWORD ?? '',
        from: env.SMTP_FROM ?? 'Loan Platform <no-reply@loan-platform.local>',
      },
      smsWebhookUrl: env.SMS_WEBHOOK_URL ?? '',
      pushWebhookUrl: env.PUSH_WEBHOOK_URL ?? '',
      webhookTimeoutMs: int('WEBHOOK_TIMEOUT_MS', 5000),
      maxAttempts: int('NOTIFICATION_MAX_ATTEMPTS', 5),
      retryBaseMs: int('NOTIFICATION_RETRY_BASE_MS', 2000),
      deadLetterQueue: env.NOTIFICATIONS_DEAD_LETTER_QUEUE ?? 'loan-platform.notifications.dead-letter',
    },
  };
}

/** The repository root (the folder holding package.json), whether running from src/ or dist/. */
export function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) || dir.endsWith('dist')) {
    const parent = dirname(dir);
    if (parent === dir) return resolve(__dirname, '..');
    dir = parent;
  }
  return dir;
}
