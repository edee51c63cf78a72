/**
 * Secrets and the "is this a safe start?" check. On a developer machine (NODE_ENV unset, development
 * or test) a missing JWT_SECRET is generated once into the git-ignored `.data/jwt-secret`; anywhere
 * else the platform refuses to start with a missing or default secret or the default admin password,
 * naming the variable to set.
 */
import { createHash } from 'node:crypto';
import { generatedSecret, localDataPath } from './local-data';

const DEV_JWT_SECRET_FILE = 'jwt-secret';
import type { AppConfig } from './config';

/** What earlier versions signed with when JWT_SECRET was unset: never accepted, refused in production. */
export const LEGACY_DEFAULT_JWT_SECRET = 'dev-only-insecure-jwt-secret-change-me';
export const DEFAULT_ADMIN_PASSWORD = 'admin-change-me';
/** HS256 wants at least 256 bits of key. */
export const MIN_JWT_SECRET_LENGTH = 32;

const DEVELOPMENT_ENVS = new Set(['', 'development', 'dev', 'test', 'local']);

export function isProductionEnv(env: NodeJS.ProcessEnv): boolean {
  return !DEVELOPMENT_ENVS.has((env.NODE_ENV ?? '').trim().toLowerCase());
}

/** A stable, non-secret key id for a secret (its kid when none is configured). */
export function keyIdOf(secret: string): string {
  return createHash('sha256').update(`kid:${secret}`).digest('hex').slice(0, 16);
}

export function devJwtSecretPath(): string {
  return localDataPath(DEV_JWT_SECRET_FILE);
}

export interface JwtKeys {
  secret: string;
  kid: string;
  previous: { kid: string; secret: string }[];
}

/**
 * JWT_SECRET (+ JWT_KEY_ID) signs; JWT_PREVIOUS_KEYS (`kid=secret,kid=secret`, or bare secrets) only
 * verify. In production a missing secret stays empty so the start check can refuse it by name.
 */
export function jwtKeysFrom(env: NodeJS.ProcessEnv, production: boolean): JwtKeys {
  const configured = env.JWT_SECRET?.trim();
  const secret = configured || (production ? '' : generatedSecret(DEV_JWT_SECRET_FILE, 48, 'base64url'));
  const previous = (env.JWT_PREVIOUS_KEYS ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      // A kid never contains '='; a bare secret gets the same derived kid it had while it was current.
      return eq > 0 ? { kid: entry.slice(0, eq), secret: entry.slice(eq + 1) } : { kid: keyIdOf(entry), secret: entry };
    });
  return { secret, kid: env.JWT_KEY_ID?.trim() || (secret ? keyIdOf(secret) : ''), previous };
}

/** Why this configuration must not serve traffic; empty when it may. Development allows the defaults. */
export function securityProblems(config: AppConfig): string[] {
  if (!config.security.production) return [];
  const problems: string[] = [];
  const secret = config.auth.jwtSecret;
  if (!secret) problems.push('JWT_SECRET is not set (use at least 32 random characters, e.g. `openssl rand -base64 48`)');
  else if (secret === LEGACY_DEFAULT_JWT_SECRET) problems.push('JWT_SECRET is the published default; set a random one (`openssl rand -base64 48`)');
  else if (secret.length < MIN_JWT_SECRET_LENGTH) problems.push(`JWT_SECRET is shorter than ${MIN_JWT_SECRET_LENGTH} characters`);
  for (const key of config.auth.jwtPreviousKeys) {
    if (key.secret === LEGACY_DEFAULT_JWT_SECRET) problems.push(`JWT_PREVIOUS_KEYS contains the published default secret (kid ${key.kid})`);
  }
  if (config.auth.adminPassword === DEFAULT_ADMIN_PASSWORD) {
    problems.push('ADMIN_PASSWORD is unset or the published default admin-change-me; set the first admin\'s password');
  } else if (config.auth.adminPassword.length < 12) {
    problems.push('ADMIN_PASSWORD is shorter than 12 characters');
  }
  return problems;
}

/** Throws one message naming every variable to fix; called before the API (or `npm start`) serves anything. */
export function assertSecureConfig(config: AppConfig): void {
  const problems = securityProblems(config);
  if (problems.length === 0) return;
  throw new Error(
    `Refusing to start with NODE_ENV=${process.env.NODE_ENV}: ${problems.join('; ')}. ` +
      'See README "Security" for the production settings.',
  );
}
