/**
 * Authentication: argon2id passwords, short-lived JWT access tokens, rotating refresh tokens stored
 * hashed (reuse of a spent token revokes its family), and the first ADMIN from configuration.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import argon2 from 'argon2';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppConfig } from '../config';
import { ConflictError, DomainError, NotFoundError, ValidationError } from '../domain/errors';
import { isRole, STAFF_ROLES, type Role } from '../domain/roles';
import { RefreshToken, User } from '../entities';
import type { Actor, ServiceContext } from './context';
import { registerCustomer, type RegisterCustomerInput } from './customer.service';
import { signJwt, verifyJwt } from './jwt';
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
  const exp = now + config.auth.accessTokenTtlSeconds;
  const accessToken = signJwt({ sub: user.id, roles: user.roles, cid: user.customer?.id ?? null, iat: now, exp }, config.auth.jwtSecret);
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

/** The actor behind an `Authorization: Bearer <jwt>` header (anonymous when absent or invalid). */
export function actorFromToken(token: string | undefined, config: AppConfig): Actor | undefined {
  if (!token) return undefined;
  const claims = verifyJwt(token, config.auth.jwtSecret, Math.floor(Date.now() / 1000));
  if (!claims) return undefined;
  return { id: claims.sub, role: claims.roles[0] ?? 'NONE', roles: claims.roles, customerId: claims.cid ?? null, authenticated: true };
}

export interface RegisterInput extends RegisterCustomerInput {
  password: string;
}

/** Self-registration of a borrower: a Customer and its CUSTOMER login, in one transaction. */
export async function register(ctx: ServiceContext, input: RegisterInput): Promise<AuthTokens> {
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

export async function login(ctx: ServiceContext, email: string, password: string): Promise<AuthTokens> {
  const user = await ctx.em.findOne(User, { email: String(email).trim().toLowerCase() }, { populate: ['passwordHash'] });
  // Verify against a dummy hash when the user is unknown so timing does not reveal which emails exist.
  const hash = user?.passwordHash ?? (await dummyHash());
  const ok = await argon2.verify(hash, String(password)).catch(() => false);
  if (!user || !ok || !user.active) throw unauthenticated('Invalid email or password');
  return issueTokens(ctx.em, ctx.config, user);
}

let cachedDummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  cachedDummy ??= argon2.hash(randomBytes(16).toString('hex'), { type: argon2.argon2id });
  return cachedDummy;
}

/** Rotates a refresh token. A token presented twice means it was stolen: the whole family is revoked. */
export async function refresh(ctx: ServiceContext, refreshToken: string): Promise<AuthTokens> {
  const tokenHash = sha256(String(refreshToken));
  const reused = await ctx.em.transactional(async (em) => {
    // Lock the row so two concurrent refreshes with one token cannot both succeed.
    const token = await em.findOne(RefreshToken, { tokenHash }, { populate: ['user'], lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!token) throw unauthenticated();
    if (token.usedAt || token.revokedAt) return token.familyId;
    if (token.expiresAt.getTime() <= Date.now() || !token.user.getEntity().active) throw unauthenticated();
    token.usedAt = new Date();
    return issueTokens(em, ctx.config, token.user.getEntity(), token.familyId);
  });
  if (typeof reused !== 'string') return reused;
  // Outside the transaction above, so the revocation commits even though the request fails.
  await ctx.em.nativeUpdate(RefreshToken, { familyId: reused, revokedAt: null }, { revokedAt: new Date() });
  throw unauthenticated('Refresh token reuse detected; all sessions of this login were revoked');
}

/** Revokes the refresh token's whole family (this login on this device). Idempotent. */
export async function logout(ctx: ServiceContext, refreshToken: string): Promise<boolean> {
  const token = await ctx.em.findOne(RefreshToken, { tokenHash: sha256(String(refreshToken)) });
  if (token) await ctx.em.nativeUpdate(RefreshToken, { familyId: token.familyId, revokedAt: null }, { revokedAt: new Date() });
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

export async function setUserRoles(ctx: ServiceContext, userId: string, roles: string[], active?: boolean | null): Promise<User> {
  const user = await ctx.em.findOne(User, { id: requireUuid('userId', userId) });
  if (!user) throw new NotFoundError('User', userId, 'userId');
  if (user.roles.includes('CUSTOMER')) throw new ValidationError('userId', 'customer logins have no staff roles');
  if (user.id === ctx.actor.id && !roles.includes('ADMIN')) throw new ValidationError('roles', 'an admin cannot remove their own ADMIN role');
  user.roles = requireStaffRoles(roles);
  if (active != null) user.active = active;
  await ctx.em.flush();
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

