/** Every environment variable the platform reads, with embedded defaults that work on one machine. */
import { join } from 'node:path';
import { projectRoot } from './local-data';
import { isProductionEnv, jwtKeysFrom } from './security-settings';

/** Re-exported: where the project's files are (src/local-data.ts). */
export { projectRoot };

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
    /** AES-256-GCM key (base64) sealing every Temporal payload; older keys still decrypt (comma-separated). */
    payloadKey: string;
    payloadOldKeys: string;
    /** Outside development (see security.production): no generated dev key. */
    production: boolean;
    /**
     * Workflows a worker keeps in memory (WORKER_MAX_CACHED_WORKFLOWS). Bounded on purpose: every cached
     * workflow holds the SDK's AsyncLocalStorage instances, and Node 20 touches each of them on every
     * promise the worker's workflow thread creates, so each activation costs more the more are cached
     * (README, the mutation path). 0: the SDK's default (about 600 per GiB of heap).
     */
    maxCachedWorkflows: number;
  };
  graphql: {
    maxDepth: number;
    maxComplexity: number;
    /** graphql-armor limits, on HTTP and WebSocket alike. */
    maxAliases: number;
    maxTokens: number;
    maxDirectives: number;
    /** Introspection for anonymous callers (signed-in users may always introspect). */
    anonymousIntrospection: boolean;
    /** "Did you mean …?" in validation errors. */
    fieldSuggestions: boolean;
    /** Largest numberOfRepayments a schedule preview accepts without a product (a product's own maximum bounds its previews). */
    previewMaxRepayments: number;
    /** Complexity points per requested installment of a schedule preview (its APR solver is the real work). */
    previewInstallmentCost: number;
  };
  /** HTTP edge and abuse protection (see README "Security"). */
  security: {
    /** NODE_ENV is set and is none of development/test: no generated secrets, no defaults. */
    production: boolean;
    /** Browser origins allowed to call the API cross-origin; empty: same-origin only; `*`: any. */
    corsOrigins: string[];
    /** express `trust proxy` (e.g. `loopback`, `1`, a subnet): what `req.ip`, and so per-IP limits, believe. */
    trustProxy: string | false;
    /** How long a verified session (user active, token version, refresh family alive) is cached. */
    sessionCacheMs: number;
    rateLimits: RateLimitSettings;
  };
  auth: {
    /** Signs new access tokens (HS256). On a developer machine generated into .data/jwt-secret. */
    jwtSecret: string;
    /** `kid` of jwtSecret (default: derived from it). */
    jwtKeyId: string;
    /** Retired keys that still verify the tokens they signed until those expire (`kid=secret`, comma-separated). */
    jwtPreviousKeys: { kid: string; secret: string }[];
    jwtIssuer: string;
    jwtAudience: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** The first ADMIN, created on first start when no ADMIN exists. */
    adminEmail: string;
    adminPassword: string;
  };
  logLevel: string;
  /** Prometheus metrics (see README "Operating"). */
  metrics: {
    /** When set, /metrics (API and worker) asks for `Authorization: Bearer <token>`. */
    bearerToken: string;
    /** The worker process's own metrics listener; 0 turns it off. */
    workerPort: number;
    workerHost: string;
    /** Where the worker's Temporal SDK Prometheus exporter listens (its text is served on the worker's /metrics); empty: off. */
    temporalSdkAddress: string;
  };
  /** OpenTelemetry traces (see README "Operating"): off unless an OTLP endpoint is set. */
  tracing: {
    /** OTLP/HTTP base URL (spans go to `<endpoint>/v1/traces`); empty: tracing off, nothing is instrumented. */
    otlpEndpoint: string;
    /** `service.name` of this process's spans; the worker appends `-worker` when it is the default. */
    serviceName: string;
  };
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

/** `points` requests per `durationSeconds`, per key (an IP or an account). */
export interface RateRule {
  points: number;
  durationSeconds: number;
}

export interface RateLimitSettings {
  /** `memory` (one API process) or `postgres` (shared by every API instance, table rate_limit). */
  store: 'memory' | 'postgres';
  loginPerIp: RateRule;
  /** Failed sign-ins per account (e-mail) before it is locked out. */
  loginFailuresPerAccount: RateRule;
  /** First lockout; each further lockout within a day doubles it, up to the maximum. */
  lockoutSeconds: number;
  lockoutMaxSeconds: number;
  registerPerIp: RateRule;
  registerPerAccount: RateRule;
  refreshPerIp: RateRule;
  refreshPerAccount: RateRule;
  previewPerIp: RateRule;
  previewPerAccount: RateRule;
}

/** "N/S": N requests per S seconds. */
function rate(env: NodeJS.ProcessEnv, name: string, points: number, durationSeconds: number): RateRule {
  const raw = env[name];
  if (raw === undefined || raw === '') return { points, durationSeconds };
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*s?\s*$/.exec(raw);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`${name} must look like "30/60" (30 requests per 60 seconds), got "${raw}"`);
  return { points: Number(m[1]), durationSeconds: Number(m[2]) };
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new Error(`${name} must be true or false, got "${raw}"`);
  return raw === 'true';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const production = isProductionEnv(env);
  const jwt = jwtKeysFrom(env, production);
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/loan_platform',
    port: int('PORT', 4000),
    temporal: {
      address: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
      namespace: env.TEMPORAL_NAMESPACE ?? 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'loan-platform',
      uiUrl: (env.TEMPORAL_UI_URL ?? `http://localhost:${env.TEMPORAL_UI_PORT ?? 8233}`).replace(/\/$/, ''),
      mutationTimeoutMs: int('MUTATION_TIMEOUT_MS', 10_000),
      payloadKey: env.TEMPORAL_PAYLOAD_KEY ?? '',
      payloadOldKeys: env.TEMPORAL_PAYLOAD_OLD_KEYS ?? '',
      production,
      maxCachedWorkflows: int('WORKER_MAX_CACHED_WORKFLOWS', 0),
    },
    graphql: {
      maxDepth: int('GRAPHQL_MAX_DEPTH', 10),
      maxComplexity: int('GRAPHQL_MAX_COMPLEXITY', 2000),
      maxAliases: int('GRAPHQL_MAX_ALIASES', 15),
      maxTokens: int('GRAPHQL_MAX_TOKENS', 2000),
      maxDirectives: int('GRAPHQL_MAX_DIRECTIVES', 50),
      anonymousIntrospection: bool(env, 'GRAPHQL_ANONYMOUS_INTROSPECTION', false),
      fieldSuggestions: bool(env, 'GRAPHQL_FIELD_SUGGESTIONS', false),
      previewMaxRepayments: int('SCHEDULE_PREVIEW_MAX_REPAYMENTS', 480),
      previewInstallmentCost: int('SCHEDULE_PREVIEW_INSTALLMENT_COST', 4),
    },
    security: {
      production,
      corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
      trustProxy: env.TRUST_PROXY ? env.TRUST_PROXY : false,
      sessionCacheMs: int('AUTH_SESSION_CACHE_MS', 5000),
      rateLimits: {
        store: env.RATE_LIMIT_STORE === 'postgres' ? 'postgres' : 'memory',
        loginPerIp: rate(env, 'RATE_LIMIT_LOGIN_IP', 30, 60),
        loginFailuresPerAccount: rate(env, 'LOGIN_MAX_FAILURES', 5, 900),
        lockoutSeconds: int('LOGIN_LOCKOUT_SECONDS', 60),
        lockoutMaxSeconds: int('LOGIN_LOCKOUT_MAX_SECONDS', 3600),
        registerPerIp: rate(env, 'RATE_LIMIT_REGISTER_IP', 20, 3600),
        registerPerAccount: rate(env, 'RATE_LIMIT_REGISTER_ACCOUNT', 5, 3600),
        refreshPerIp: rate(env, 'RATE_LIMIT_REFRESH_IP', 60, 60),
        refreshPerAccount: rate(env, 'RATE_LIMIT_REFRESH_ACCOUNT', 20, 60),
        previewPerIp: rate(env, 'RATE_LIMIT_PREVIEW_IP', 30, 60),
        previewPerAccount: rate(env, 'RATE_LIMIT_PREVIEW_ACCOUNT', 60, 60),
      },
    },
    auth: {
      // From JWT_SECRET; a developer machine without one gets a random key generated into .data/ (see README "Security").
      jwtSecret: jwt.secret,
      jwtKeyId: jwt.kid,
      jwtPreviousKeys: jwt.previous,
      jwtIssuer: env.JWT_ISSUER ?? 'loan-platform',
      jwtAudience: env.JWT_AUDIENCE ?? 'loan-platform-api',
      accessTokenTtlSeconds: int('ACCESS_TOKEN_TTL_SECONDS', 900),
      refreshTokenTtlSeconds: int('REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600),
      adminEmail: (env.ADMIN_EMAIL ?? 'admin@example.com').toLowerCase(),
      adminPassword: env.ADMIN_PASSWORD ?? 'admin-change-me',
    },
    logLevel: env.LOG_LEVEL ?? 'info',
    metrics: {
      bearerToken: env.METRICS_BEARER_TOKEN ?? '',
      workerPort: int('WORKER_METRICS_PORT', 9464),
      workerHost: env.WORKER_METRICS_HOST ?? '0.0.0.0',
      temporalSdkAddress: env.TEMPORAL_SDK_METRICS_ADDRESS ?? '127.0.0.1:9465',
    },
    tracing: {
      otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '',
      serviceName: env.OTEL_SERVICE_NAME || 'loan-platform',
    },
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
