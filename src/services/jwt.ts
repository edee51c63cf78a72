/**
 * Access tokens: HS256 JWTs signed and verified with `jose`. Every token names its key (`kid`), its
 * issuer and audience; verification accepts only HS256, only known kids (the current key and the
 * retired keys of JWT_PREVIOUS_KEYS, which keep verifying their tokens until those expire), and only
 * tokens carrying the claims revocation needs (`sid` = refresh-token family, `ver` = token version).
 */
import { randomUUID } from 'node:crypto';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import type { AppConfig } from '../config';

// jose is ESM-only; Node >= 20.19 loads it with require() (jest transforms it, see jest.config.js).
const jose = require('jose') as typeof Jose;

export interface AccessClaims {
  sub: string;
  roles: string[];
  cid: string | null;
  /** The login session: the refresh-token family this access token was issued with. */
  sid: string;
  /** The user's token version when issued; bumped on role change and deactivation. */
  ver: number;
  iat: number;
  exp: number;
}

export interface JwtSettings {
  jwtSecret: string;
  jwtKeyId: string;
  jwtPreviousKeys: { kid: string; secret: string }[];
  jwtIssuer: string;
  jwtAudience: string;
}

export type TokenSubject = Pick<AccessClaims, 'sub' | 'roles' | 'cid' | 'sid' | 'ver'>;

const encoder = new TextEncoder();
const keyCache = new WeakMap<JwtSettings, Map<string, Uint8Array>>();

function verificationKeys(settings: JwtSettings): Map<string, Uint8Array> {
  let keys = keyCache.get(settings);
  if (!keys) {
    keys = new Map();
    for (const k of settings.jwtPreviousKeys) keys.set(k.kid, encoder.encode(k.secret));
    if (settings.jwtSecret) keys.set(settings.jwtKeyId, encoder.encode(settings.jwtSecret));
    keyCache.set(settings, keys);
  }
  return keys;
}

export function jwtSettings(config: AppConfig): JwtSettings {
  return config.auth;
}

/** Signs with the current key; returns the token and its expiry (seconds since the epoch). */
export async function signAccessToken(subject: TokenSubject, settings: JwtSettings, ttlSeconds: number, nowSeconds = Math.floor(Date.now() / 1000)): Promise<{ token: string; exp: number }> {
  if (!settings.jwtSecret) throw new Error('JWT_SECRET is not configured');
  const exp = nowSeconds + ttlSeconds;
  const token = await new jose.SignJWT({ roles: subject.roles, cid: subject.cid, sid: subject.sid, ver: subject.ver })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: settings.jwtKeyId })
    .setSubject(subject.sub)
    .setIssuer(settings.jwtIssuer)
    .setAudience(settings.jwtAudience)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(encoder.encode(settings.jwtSecret));
  return { token, exp };
}

/**
 * Tokens whose signature and claims were verified, per settings (so per key set): the HMAC check was
 * the largest single cost of a small authenticated request. A hit still re-checks expiry; revocation is
 * the session registry's job on every request, cached or not. Bounded; the oldest entries go first.
 */
const verifiedCache = new WeakMap<JwtSettings, Map<string, AccessClaims>>();
const VERIFIED_CACHE_MAX = 10_000;
const CLOCK_TOLERANCE_S = 5;

/** The claims of a valid, unexpired token of ours; undefined for anything else (never throws). */
export async function verifyAccessToken(token: string, settings: JwtSettings): Promise<AccessClaims | undefined> {
  if (typeof token !== 'string' || token.length > 4096) return undefined;
  let verified = verifiedCache.get(settings);
  if (!verified) verifiedCache.set(settings, (verified = new Map()));
  const hit = verified.get(token);
  if (hit) {
    if (hit.exp + CLOCK_TOLERANCE_S >= Date.now() / 1000) return hit;
    verified.delete(token);
    return undefined;
  }
  const claims = await verifySignatureAndClaims(token, settings);
  if (claims) {
    if (verified.size >= VERIFIED_CACHE_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, claims);
  }
  return claims;
}

async function verifySignatureAndClaims(token: string, settings: JwtSettings): Promise<AccessClaims | undefined> {
  const keys = verificationKeys(settings);
  try {
    const { payload } = await jose.jwtVerify(
      token,
      (header) => {
        const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
        if (!key) throw new Error('unknown kid');
        return key;
      },
      { algorithms: ['HS256'], issuer: settings.jwtIssuer, audience: settings.jwtAudience, requiredClaims: ['sub', 'exp', 'iat'], clockTolerance: CLOCK_TOLERANCE_S },
    );
    const { sub, roles, cid, sid, ver, iat, exp } = payload as Record<string, unknown>;
    if (typeof sub !== 'string' || typeof sid !== 'string' || typeof ver !== 'number' || typeof iat !== 'number' || typeof exp !== 'number') return undefined;
    if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) return undefined;
    if (cid != null && typeof cid !== 'string') return undefined;
    return { sub, roles, cid: cid ?? null, sid, ver, iat, exp };
  } catch {
    return undefined;
  }
}
