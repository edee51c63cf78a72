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
      uiUrl: (env.TEMPORAL_UI_URL ?? 'http://localhost:8233').replace(/\/$/, ''),
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
