/**
 * Authentication: argon2id passwords, short-lived JWT access tokens (jose, see jwt.ts) checked against
 * the user's token version and session on every request (sessions.ts), rotating refresh tokens stored
 * hashed (reuse of a spent token revokes its family), rate limits and lockout on the public entry
 * points (rate-limits.ts), a security_event row for every failed sign-in and lockout, and the first
 * ADMIN from configuration.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config';
import { ConflictError, DomainError, NotFoundError, RateLimitedError, ValidationError } from '../domain/errors';
import { isRole, STAFF_ROLES, type Role } from '../domain/roles';
import { RefreshToken, SecurityEvent, User } from '../entities';
import type { SecurityEventType } from '../entities/security-event.entity';
import type { Actor, ServiceContext } from './context';
import { registerCustomer, type RegisterCustomerInput } from './customer.service';
import { signAccessToken, verifyAccessToken } from './jwt';
import { sessionRegistryFor } from './sessions';
import { isUniqueViolation, requireText, requireUuid } from './validation';

export interface AuthTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  user: User;
}

const MIN_PASSWORD = 10;

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function unauthenticated(message = 'Invalid or expired credentials'): DomainError {
  return new DomainError('UNAUTHENTICATED', message);
}

function requirePassword(password: string): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD) {
    throw new ValidationError('password', `must be at least ${MIN_PASSWORD} characters`);
  }
  if (password.length > 200) throw new ValidationError('password', 'must be at most 200 characters');
  return password;
}

async function issueTokens(em: EntityManager, config: AppConfig, user: User, familyId: string = randomUUID()): Promise<AuthTokens> {
  const now = Math.floor(Date.now() / 1000);
  const { token: accessToken, exp } = await signAccessToken(
    { sub: user.id, roles: user.roles, cid: user.customer?.id ?? null, sid: familyId, ver: user.tokenVersion },
    config.auth,
    config.auth.accessTokenTtlSeconds,
    now,
  );
  const refreshToken = randomBytes(32).toString('base64url');
  em.create(RefreshToken, {
    user: user.id,
    tokenHash: sha256(refreshToken),
    familyId,
    expiresAt: new Date((now + config.auth.refreshTokenTtlSeconds) * 1000),
  });
  await em.flush();
  return { accessToken, accessTokenExpiresAt: new Date(exp * 1000), refreshToken, user };
}

/** The token of an `Authorization: Bearer <token>` header (HTTP routes and /graphql alike). */
export function bearerToken(header: unknown): string | undefined {
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
}

/**
 * The actor behind an `Authorization: Bearer <jwt>` header: anonymous when absent, and also when the
 * token is invalid, expired, signed with an unknown key, or its user or session was revoked since.
 */
export async function actorFromToken(token: string | undefined, config: AppConfig, sessions = sessionRegistryFor(config)): Promise<Actor | undefined> {
  if (!token) return undefined;
  const claims = await verifyAccessToken(token, config.auth);
  // Without a session registry nothing can say the session is still alive: fail closed.
  if (!claims || !sessions || !(await sessions.isActive(claims))) return undefined;
  return { id: claims.sub, role: claims.roles[0] ?? 'NONE', roles: claims.roles, customerId: claims.cid, authenticated: true };
}

interface SecurityEventInput {
  type: SecurityEventType;
  email?: string | null;
  userId?: string | null;
  reason?: string | null;
  data?: Record<string, unknown> | null;
}

/** One security_event row (outside any transaction of the caller's: it must survive the request failing). */
export async function recordSecurityEvent(ctx: ServiceContext, event: SecurityEventInput): Promise<void> {
  await ctx.em.fork().insert(SecurityEvent, {
    type: event.type,
    email: event.email ? event.email.slice(0, 254) : null,
    userId: event.userId ?? null,
    actorId: ctx.actor.authenticated ? ctx.actor.id.slice(0, 100) : null,
    ip: ctx.ip ? ctx.ip.slice(0, 64) : null,
    reason: event.reason ?? null,
    data: event.data ?? null,
    occurredAt: new Date(),
  });
}

function normalizeEmail(email: string): string {
  return String(email).trim().toLowerCase();
}

export interface RegisterInput extends RegisterCustomerInput {
  password: string;
}

/** Self-registration of a borrower: a Customer and its CUSTOMER login, in one transaction. */
export async function register(ctx: ServiceContext, input: RegisterInput): Promise<AuthTokens> {
  await ctx.security?.limits.hitIp('register', ctx.ip);
  if (typeof input.email === 'string') await ctx.security?.limits.hitAccount('register', normalizeEmail(input.email));
  const password = requirePassword(input.password);
  const passwordHash = await argon2.hash(password, { type: argon2.argon2id });
  return ctx.em.transactional(async (em) => {
    const customer = await registerCustomer({ ...ctx, em }, input);
    const user = em.create(User, { email: customer.email, passwordHash, roles: ['CUSTOMER'], customer: customer.id });
    try {
      await em.flush();
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('A user with this email already exists', 'email');
      throw err;
    }
    return issueTokens(em, ctx.config, user);
  });
}

/**
 * Sign-in. Limited per IP; an account (known or not: the answer never tells) is locked out after
 * LOGIN_MAX_FAILURES failures, for LOGIN_LOCKOUT_SECONDS doubling with each further lockout that day.
 * Every failure and lockout leaves a security_event row.
 */
export async function login(ctx: ServiceContext, email: string, password: string): Promise<AuthTokens> {
  const limits = ctx.security?.limits;
  const normalized = normalizeEmail(email);
  await limits?.hitIp('login', ctx.ip);
  const locked = (await limits?.lockedFor(normalized)) ?? 0;
  if (locked > 0) {
    await recordSecurityEvent(ctx, { type: 'LOGIN_FAILED', email: normalized, reason: 'LOCKED_OUT', data: { retryAfter: locked } });
    throw new RateLimitedError(`Too many failed sign-ins for this account; retry in ${locked} s`, locked);
  }
  const user = await ctx.em.findOne(User, { email: normalized }, { populate: ['passwordHash'] });
  // Verify against a dummy hash when the user is unknown so timing does not reveal which emails exist.
  const hash = user?.passwordHash ?? (await dummyHash());
  const ok = await argon2.verify(hash, String(password)).catch(() => false);
  if (!user || !ok || !user.active) {
    const reason = !user ? 'UNKNOWN_EMAIL' : !ok ? 'WRONG_PASSWORD' : 'INACTIVE';
    await recordSecurityEvent(ctx, { type: 'LOGIN_FAILED', email: normalized, userId: user?.id, reason });
    const lockout = (await limits?.recordFailure(normalized)) ?? 0;
    if (lockout > 0) {
      await recordSecurityEvent(ctx, { type: 'LOGIN_LOCKOUT', email: normalized, userId: user?.id, reason: 'TOO_MANY_FAILURES', data: { seconds: lockout } });
      throw new RateLimitedError(`Too many failed sign-ins for this account; retry in ${lockout} s`, lockout);
    }
    throw unauthenticated('Invalid email or password');
  }
  await limits?.clearFailures(normalized);
  return issueTokens(ctx.em, ctx.config, user);
}

let cachedDummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  cachedDummy ??= argon2.hash(randomBytes(16).toString('hex'), { type: argon2.argon2id });
  return cachedDummy;
}

/** Rotates a refresh token. A token presented twice means it was stolen: the whole family is revoked. */
export async function refresh(ctx: ServiceContext, refreshToken: string): Promise<AuthTokens> {
  await ctx.security?.limits.hitIp('refresh', ctx.ip);
  const tokenHash = sha256(String(refreshToken));
  const reused = await ctx.em.transactional(async (em) => {
    // Lock the row so two concurrent refreshes with one token cannot both succeed.
    const token = await em.findOne(RefreshToken, { tokenHash }, { populate: ['user'], lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!token) throw unauthenticated();
    await ctx.security?.limits.hitAccount('refresh', token.user.id);
    if (token.usedAt || token.revokedAt) return token;
    if (token.expiresAt.getTime() <= Date.now() || !token.user.getEntity().active) throw unauthenticated();
    token.usedAt = new Date();
    return issueTokens(em, ctx.config, token.user.getEntity(), token.familyId);
  });
  if (!(reused instanceof RefreshToken)) return reused;
  // Outside the transaction above, so the revocation commits even though the request fails.
  await ctx.em.nativeUpdate(RefreshToken, { familyId: reused.familyId, revokedAt: null }, { revokedAt: new Date() });
  ctx.security?.sessions.forgetSession(reused.user.id, reused.familyId);
  await recordSecurityEvent(ctx, { type: 'REFRESH_TOKEN_REUSE', userId: reused.user.id, reason: 'FAMILY_REVOKED', data: { familyId: reused.familyId } });
  throw unauthenticated('Refresh token reuse detected; all sessions of this login were revoked');
}

/** Revokes the refresh token's whole family (this login on this device) and its access tokens at once. Idempotent. */
export async function logout(ctx: ServiceContext, refreshToken: string): Promise<boolean> {
  const token = await ctx.em.findOne(RefreshToken, { tokenHash: sha256(String(refreshToken)) });
  if (token) {
    const revoked = await ctx.em.nativeUpdate(RefreshToken, { familyId: token.familyId, revokedAt: null }, { revokedAt: new Date() });
    ctx.security?.sessions.forgetSession(token.user.id, token.familyId);
    if (revoked > 0) await recordSecurityEvent(ctx, { type: 'LOGOUT', userId: token.user.id, data: { familyId: token.familyId } });
  }
  return true;
}

function requireStaffRoles(roles: string[]): Role[] {
  if (!Array.isArray(roles) || roles.length === 0) throw new ValidationError('roles', 'must name at least one role');
  for (const r of roles) {
    if (!isRole(r) || !(STAFF_ROLES as readonly string[]).includes(r)) {
      throw new ValidationError('roles', `must be staff roles: ${STAFF_ROLES.join(', ')}`);
    }
  }
  return [...new Set(roles)] as Role[];
}

export async function createStaffUser(ctx: ServiceContext, input: { email: string; password: string; roles: string[] }): Promise<User> {
  const email = requireText('email', input.email, 254).toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new ValidationError('email', 'must be an e-mail address');
  const roles = requireStaffRoles(input.roles);
  const passwordHash = await argon2.hash(requirePassword(input.password), { type: argon2.argon2id });
  const user = ctx.em.create(User, { email, passwordHash, roles });
  try {
    await ctx.em.flush();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError('A user with this email already exists', 'email');
    throw err;
  }
  return user;
}

/**
 * Replaces a staff user's roles and/or (de)activates them. Any change bumps the token version, so
 * their access tokens stop working at once (a refresh issues tokens with the new roles); deactivation
 * also revokes every refresh token.
 */
export async function setUserRoles(ctx: ServiceContext, userId: string, roles: string[], active?: boolean | null): Promise<User> {
  const user = await ctx.em.findOne(User, { id: requireUuid('userId', userId) });
  if (!user) throw new NotFoundError('User', userId, 'userId');
  if (user.roles.includes('CUSTOMER')) throw new ValidationError('userId', 'customer logins have no staff roles');
  if (user.id === ctx.actor.id && !roles.includes('ADMIN')) throw new ValidationError('roles', 'an admin cannot remove their own ADMIN role');
  if (user.id === ctx.actor.id && active === false) throw new ValidationError('active', 'an admin cannot deactivate their own login');
  const before = { roles: [...user.roles], active: user.active };
  const next = requireStaffRoles(roles);
  const rolesChanged = next.length !== before.roles.length || next.some((r) => !before.roles.includes(r));
  user.roles = next;
  if (active != null) user.active = active;
  if (rolesChanged || user.active !== before.active) {
    user.tokenVersion += 1;
    await ctx.em.flush();
    if (!user.active) await ctx.em.nativeUpdate(RefreshToken, { user: user.id, revokedAt: null }, { revokedAt: new Date() });
    ctx.security?.sessions.forgetUser(user.id);
    await recordSecurityEvent(ctx, {
      type: 'USER_ROLES_CHANGED',
      email: user.email,
      userId: user.id,
      data: { before, after: { roles: user.roles, active: user.active } },
    });
  }
  return user;
}

export async function listUsers(ctx: ServiceContext): Promise<User[]> {
  return ctx.em.find(User, {}, { orderBy: { email: 'asc' } });
}

export async function getUser(ctx: ServiceContext, id: string): Promise<User> {
  const user = await ctx.em.findOne(User, { id });
  if (!user) throw new NotFoundError('User', id);
  return user;
}

/** On first start: create the configured ADMIN when there is none. Returns true when it did. */
export async function ensureInitialAdmin(em: EntityManager, config: AppConfig): Promise<boolean> {
  const admins = await em.count(User, { roles: { $contains: ['ADMIN'] } });
  if (admins > 0) return false;
  const passwordHash = await argon2.hash(config.auth.adminPassword, { type: argon2.argon2id });
  em.create(User, { email: config.auth.adminEmail, passwordHash, roles: ['ADMIN'] });
  try {
    await em.flush();
  } catch (err) {
    if (isUniqueViolation(err)) return false; // another process created it first
    throw err;
  }
  return true;
}

