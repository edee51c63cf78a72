/**
 * The security suite, over real HTTP and WebSocket against real PostgreSQL: forged tokens, key
 * rotation, immediate revocation, rate limits and lockout (with the real default limits), cost and
 * armor limits, clean 4xx JSON errors, security headers, CORS, hostile strings, and the refusal to
 * start in production with default secrets.
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { createClient, type Client } from 'graphql-ws';
import { GraphQLError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import WebSocket from 'ws';
import { loadConfig, type AppConfig } from '../../src/config';
import { RefreshToken, SecurityEvent, User } from '../../src/entities';
import { createFormatError } from '../../src/graphql/errors';
import { createApiServer, listen, type ApiServer } from '../../src/graphql/server';
import { logger } from '../../src/logger';
import { RateLimits } from '../../src/services/rate-limits';
import { signAccessToken } from '../../src/services/jwt';
import {
  assertSecureConfig, devJwtSecretPath, jwtKeysFrom, keyIdOf, LEGACY_DEFAULT_JWT_SECRET, securityProblems,
} from '../../src/security-settings';
import { LOGIN, startTestApp, TEST_PASSWORD, unique, type GqlResponse, type TestApp } from '../utils';
import { decodeJwt, decodeJwtHeader, forgeHs256, unsignedJwt } from './security.fixtures';

const quiet = logger.child({}, { level: 'silent' });
let app: TestApp;
const servers: ApiServer[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  app = await startTestApp({ worker: false });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  for (const s of servers) await s.apollo.stop();
  await app?.close();
});

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }`;
const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;
const LOGOUT = `mutation($t: String!) { logout(refreshToken: $t) }`;
const ME = `{ me { id roles } }`;
const PREVIEW = `query($terms: LoanScheduleTermsInput!) { loanSchedulePreview(terms: $terms) { apr periods { totalDue } } }`;
const terms = (numberOfRepayments: number) => ({
  principal: '1000', annualNominalInterestRate: '12', numberOfRepayments, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS',
  expectedDisbursementDate: '2026-01-01', currencyCode: 'USD',
});

/** The platform as configured out of the box (default limits), on the test database; no worker needed. */
function defaultConfig(change: (c: AppConfig) => void = () => undefined): AppConfig {
  const c = loadConfig();
  c.temporal = { ...c.temporal, taskQueue: `test-${randomUUID()}` };
  change(c);
  return c;
}

interface Raw<T = any> extends GqlResponse<T> {
  status: number;
  headers: Headers;
  text: string;
}

/** Starts another API on its own port, with its own limiters; returns a poster for it. */
async function server(config: AppConfig = defaultConfig()) {
  const api = await createApiServer({ orm: app.orm, temporal: app.temporal, config, log: quiet });
  servers.push(api);
  const url = `http://127.0.0.1:${await listen(api, 0, '127.0.0.1')}`;
  const post = async <T = any>(query: string, variables: Record<string, unknown> = {}, token?: string | null, headers: Record<string, string> = {}): Promise<Raw<T>> => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, ...(JSON.parse(text) as GqlResponse<T>) };
  };
  return { api, url, config, post };
}

async function signUp(post: (q: string, v?: Record<string, unknown>, t?: string | null) => Promise<GqlResponse>) {
  const email = `${unique('sec')}@example.com`;
  const res = await post(REGISTER, { input: { firstName: 'Eve', lastName: 'Tester', email, password: TEST_PASSWORD } }, null);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  return { email, ...(res.data.register as { accessToken: string; refreshToken: string; user: { id: string } }) };
}

const codeOf = (r: GqlResponse) => r.errors?.[0]?.extensions?.code;

describe('tokens: nothing forged', () => {
  it('issues HS256 tokens naming their key, issuer and audience', async () => {
    const { accessToken } = await signUp(app.gql);
    expect(decodeJwtHeader(accessToken)).toEqual({ alg: 'HS256', typ: 'JWT', kid: app.config.auth.jwtKeyId });
    expect(decodeJwt(accessToken)).toMatchObject({ iss: 'loan-platform', aud: 'loan-platform-api', roles: ['CUSTOMER'], ver: 0 });
  });

  it('refuses an ADMIN token forged with the old default secret, alg none, a wrong key, issuer or audience', async () => {
    const { accessToken } = await signUp(app.gql);
    const real = decodeJwt(accessToken);
    const now = Math.floor(Date.now() / 1000);
    const admin = { ...real, roles: ['ADMIN'], iat: now, exp: now + 3600 };
    const forgeries = [
      // What the old code accepted: its published default secret and header, no kid/iss/aud.
      forgeHs256({ sub: real.sub, roles: ['ADMIN'], iat: now, exp: now + 3600 }, LEGACY_DEFAULT_JWT_SECRET),
      forgeHs256(admin, LEGACY_DEFAULT_JWT_SECRET, { alg: 'HS256', typ: 'JWT', kid: app.config.auth.jwtKeyId }),
      forgeHs256(admin, 'guessed-secret', { alg: 'HS256', typ: 'JWT', kid: app.config.auth.jwtKeyId }),
      unsignedJwt(admin),
      (await signAccessToken({ sub: String(real.sub), roles: ['ADMIN'], cid: null, sid: String(real.sid), ver: 0 }, { ...app.config.auth, jwtIssuer: 'someone-else' }, 600)).token,
      (await signAccessToken({ sub: String(real.sub), roles: ['ADMIN'], cid: null, sid: String(real.sid), ver: 0 }, { ...app.config.auth, jwtAudience: 'another-api' }, 600)).token,
      `${accessToken.slice(0, -4)}AAAA`,
      'not.a.jwt',
    ];
    for (const token of forgeries) {
      const res = await app.gql('{ users { id email } }', {}, token);
      expect(codeOf(res)).toBe('UNAUTHENTICATED');
      expect(res.data ?? null).toBeNull();
    }
    // The genuine token, for contrast, is a customer: FORBIDDEN, not anonymous.
    expect(codeOf(await app.gql('{ users { id } }', {}, accessToken))).toBe('FORBIDDEN');
  });

  it('rotates keys: retired keys verify their tokens until they expire, and only if still configured', async () => {
    const oldSecret = `old-${randomUUID()}-${randomUUID()}`;
    const newSecret = `new-${randomUUID()}-${randomUUID()}`;
    const before = await server(defaultConfig((c) => (c.auth = { ...c.auth, jwtSecret: oldSecret, jwtKeyId: keyIdOf(oldSecret), jwtPreviousKeys: [] })));
    const { accessToken } = await signUp(before.post);
    const rotated = await server(defaultConfig((c) => (c.auth = { ...c.auth, jwtSecret: newSecret, jwtKeyId: keyIdOf(newSecret), jwtPreviousKeys: [{ kid: keyIdOf(oldSecret), secret: oldSecret }] })));
    expect((await rotated.post(ME, {}, accessToken)).data?.me.roles).toEqual(['CUSTOMER']);
    // New tokens carry the new kid.
    const fresh = (await signUp(rotated.post)).accessToken;
    expect(decodeJwtHeader(fresh).kid).toBe(keyIdOf(newSecret));
    // An expired token of the retired key is refused like any other.
    const claims = decodeJwt(accessToken);
    const stale = await signAccessToken(
      { sub: String(claims.sub), roles: ['CUSTOMER'], cid: claims.cid as string, sid: String(claims.sid), ver: 0 },
      before.config.auth, 60, Math.floor(Date.now() / 1000) - 3600,
    );
    expect(codeOf(await rotated.post(ME, {}, stale.token))).toBe('UNAUTHENTICATED');
    // Once the retired key is dropped from JWT_PREVIOUS_KEYS its tokens stop working.
    const dropped = await server(defaultConfig((c) => (c.auth = { ...c.auth, jwtSecret: newSecret, jwtKeyId: keyIdOf(newSecret), jwtPreviousKeys: [] })));
    expect(codeOf(await dropped.post(ME, {}, accessToken))).toBe('UNAUTHENTICATED');
    expect((await dropped.post(ME, {}, fresh)).data?.me.roles).toEqual(['CUSTOMER']);
  });

  it('parses JWT_PREVIOUS_KEYS as kid=secret or bare secrets', () => {
    const keys = jwtKeysFrom({ JWT_SECRET: 's'.repeat(40), JWT_PREVIOUS_KEYS: 'k1=first-secret, second-secret' }, true);
    expect(keys).toEqual({
      secret: 's'.repeat(40), kid: keyIdOf('s'.repeat(40)),
      previous: [{ kid: 'k1', secret: 'first-secret' }, { kid: keyIdOf('second-secret'), secret: 'second-secret' }],
    });
  });

  it('generates a development secret once into the git-ignored .data directory', () => {
    const first = jwtKeysFrom({}, false);
    const second = jwtKeysFrom({}, false);
    expect(first.secret).toBe(second.secret);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(first.secret).not.toBe(LEGACY_DEFAULT_JWT_SECRET);
    expect(devJwtSecretPath()).toMatch(/[/\\]\.data[/\\]jwt-secret$/);
    expect(statSync(devJwtSecretPath()).mode & 0o077).toBe(0);
    // In production nothing is generated: the secret stays empty and the start is refused.
    expect(jwtKeysFrom({ NODE_ENV: 'production' }, true).secret).toBe('');
  });

  it('refuses to start outside development with a missing or default secret or admin password, naming the variable', async () => {
    const prod = loadConfig({ NODE_ENV: 'production' });
    expect(prod.security.production).toBe(true);
    const problems = securityProblems(prod).join('\n');
    expect(problems).toMatch(/JWT_SECRET is not set/);
    expect(problems).toMatch(/ADMIN_PASSWORD/);
    expect(() => assertSecureConfig(prod)).toThrow(/JWT_SECRET.*ADMIN_PASSWORD/s);
    await expect(createApiServer({ orm: app.orm, temporal: app.temporal, config: prod, log: quiet })).rejects.toThrow(/Refusing to start/);
    expect(securityProblems(loadConfig({ NODE_ENV: 'staging', JWT_SECRET: LEGACY_DEFAULT_JWT_SECRET, ADMIN_PASSWORD: 'a-long-admin-password' })))
      .toEqual([expect.stringMatching(/JWT_SECRET is the published default/)]);
    expect(securityProblems(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short', ADMIN_PASSWORD: 'admin-change-me' })))
      .toEqual([expect.stringMatching(/JWT_SECRET is shorter than 32/), expect.stringMatching(/ADMIN_PASSWORD is unset or the published default/)]);
    expect(securityProblems(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(48), ADMIN_PASSWORD: 'a-long-admin-password' }))).toEqual([]);
    // Development keeps working with the defaults.
    expect(securityProblems(loadConfig({ NODE_ENV: 'development' }))).toEqual([]);
  });
});

describe('revocation takes effect at once', () => {
  it('logout kills the access tokens of that session, not of the user\'s other sessions', async () => {
    const { email, accessToken, refreshToken } = await signUp(app.gql);
    const other = await app.gql(LOGIN, { email, password: TEST_PASSWORD }, null);
    expect((await app.gql(ME, {}, accessToken)).data?.me).toBeTruthy();
    expect((await app.gql(LOGOUT, { t: refreshToken }, null)).data?.logout).toBe(true);
    expect(codeOf(await app.gql(ME, {}, accessToken))).toBe('UNAUTHENTICATED');
    expect((await app.gql(ME, {}, other.data.login.accessToken)).data?.me).toBeTruthy();
  });

  it('setUserRoles: a demoted admin loses ADMIN at once; a refresh gets the new roles', async () => {
    const email = `${unique('admin')}@example.com`;
    await app.gql(`mutation($i: CreateStaffUserInput!) { createStaffUser(input: $i) { id } }`, { i: { email, password: TEST_PASSWORD, roles: ['ADMIN'] } });
    const login = (await app.gql(LOGIN, { email, password: TEST_PASSWORD }, null)).data.login;
    expect((await app.gql('{ users { id } }', {}, login.accessToken)).data?.users.length).toBeGreaterThan(0);
    const demote = await app.gql(`mutation($id: ID!) { setUserRoles(userId: $id, roles: [LOAN_OFFICER]) { roles } }`, { id: login.user.id });
    expect(demote.data.setUserRoles.roles).toEqual(['LOAN_OFFICER']);
    expect(codeOf(await app.gql('{ users { id } }', {}, login.accessToken))).toBe('UNAUTHENTICATED');
    const refreshed = (await app.gql(REFRESH, { t: login.refreshToken }, null)).data.refreshToken;
    expect((await app.gql(ME, {}, refreshed.accessToken)).data.me.roles).toEqual(['LOAN_OFFICER']);
    expect(codeOf(await app.gql('{ users { id } }', {}, refreshed.accessToken))).toBe('FORBIDDEN');
    const audit = await app.orm.em.fork().find(SecurityEvent, { userId: login.user.id, type: 'USER_ROLES_CHANGED' });
    expect(audit.map((a) => a.data)).toEqual([{ before: { roles: ['ADMIN'], active: true }, after: { roles: ['LOAN_OFFICER'], active: true } }]);
  });

  it('deactivation: the access token, the refresh token and the password all stop working', async () => {
    const { token, id } = await app.staff(['LOAN_OFFICER']);
    const email = (await app.orm.em.fork().findOneOrFail(User, { id })).email;
    const tokens = (await app.gql(LOGIN, { email, password: TEST_PASSWORD }, null)).data.login;
    await app.gql(`mutation($id: ID!) { setUserRoles(userId: $id, roles: [LOAN_OFFICER], active: false) { active } }`, { id });
    for (const t of [token, tokens.accessToken]) expect(codeOf(await app.gql(ME, {}, t))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.gql(REFRESH, { t: tokens.refreshToken }, null))).toBe('UNAUTHENTICATED');
    expect(codeOf(await app.gql(LOGIN, { email, password: TEST_PASSWORD }, null))).toBe('UNAUTHENTICATED');
    expect(await app.orm.em.fork().count(RefreshToken, { user: id, revokedAt: null })).toBe(0);
  });

  it('refresh-token reuse revokes the family and its access tokens', async () => {
    const { accessToken, refreshToken, user } = await signUp(app.gql);
    const next = (await app.gql(REFRESH, { t: refreshToken }, null)).data.refreshToken;
    expect((await app.gql(ME, {}, next.accessToken)).data?.me).toBeTruthy();
    expect(codeOf(await app.gql(REFRESH, { t: refreshToken }, null))).toBe('UNAUTHENTICATED');
    for (const t of [accessToken, next.accessToken]) expect(codeOf(await app.gql(ME, {}, t))).toBe('UNAUTHENTICATED');
    expect(await app.orm.em.fork().count(SecurityEvent, { userId: user.id, type: 'REFRESH_TOKEN_REUSE' })).toBe(1);
  });

  it('a revoked token is anonymous over WebSocket too', async () => {
    const { accessToken, refreshToken } = await signUp(app.gql);
    await app.gql(LOGOUT, { t: refreshToken }, null);
    const result = await wsQuery(app.url, ME, {}, accessToken);
    expect(result.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('rate limits and lockout (the default limits)', () => {
  it('locks an account after 5 failed sign-ins: RATE_LIMITED, HTTP 429 with Retry-After, audit rows; unknown e-mails alike', async () => {
    const s = await server();
    const { email } = await signUp(s.post);
    const unknown = `${unique('nobody')}@example.com`;
    for (const target of [email, unknown]) {
      for (let i = 1; i <= 4; i++) {
        const res = await s.post(LOGIN, { email: target, password: `wrong password ${i}` }, null);
        expect(codeOf(res)).toBe('UNAUTHENTICATED');
      }
      const fifth = await s.post(LOGIN, { email: target, password: 'wrong password 5' }, null);
      expect(fifth.status).toBe(429);
      expect(fifth.headers.get('retry-after')).toBe('60');
      expect(fifth.errors?.[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED', retryAfter: 60 } });
      // Locked: even the right password is refused, and says so the same way.
      const right = await s.post(LOGIN, { email: target, password: TEST_PASSWORD }, null);
      expect(right.status).toBe(429);
      expect(codeOf(right)).toBe('RATE_LIMITED');
      const events = await app.orm.em.fork().find(SecurityEvent, { email: target }, { orderBy: { id: 'asc' } });
      expect(events.map((e) => `${e.type}:${e.reason}`)).toEqual([
        ...Array(5).fill(`LOGIN_FAILED:${target === email ? 'WRONG_PASSWORD' : 'UNKNOWN_EMAIL'}`),
        'LOGIN_LOCKOUT:TOO_MANY_FAILURES',
        'LOGIN_FAILED:LOCKED_OUT',
      ]);
      expect(events.every((e) => e.ip && e.ip.includes('127.0.0.1'))).toBe(true);
    }
    // Another account from the same address is not affected.
    const other = await signUp(s.post);
    expect((await s.post(LOGIN, { email: other.email, password: TEST_PASSWORD }, null)).data?.login.accessToken).toBeTruthy();
  });

  it('backs off: each further lockout of the day doubles, up to the maximum', async () => {
    const limits = new RateLimits({ ...loadConfig().security.rateLimits, lockoutMaxSeconds: 300 });
    const email = `${unique('backoff')}@example.com`;
    const lockouts: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 4; i++) expect(await limits.recordFailure(email)).toBe(0);
      lockouts.push(await limits.recordFailure(email));
    }
    expect(lockouts).toEqual([60, 120, 240, 300]);
    expect(await limits.lockedFor(email)).toBeGreaterThan(240);
  });

  it('limits sign-ins per IP (30 a minute) whatever the account', async () => {
    const s = await server();
    const codes: string[] = [];
    for (let i = 0; i < 31; i++) codes.push(String(codeOf(await s.post(LOGIN, { email: `${unique('ip')}@example.com`, password: 'wrong password!' }, null))));
    expect(codes.slice(0, 30).every((c) => c === 'UNAUTHENTICATED')).toBe(true);
    expect(codes[30]).toBe('RATE_LIMITED');
  });

  it('limits sign-ups per account (5 an hour per e-mail) and per IP (20 an hour)', async () => {
    const s = await server();
    const email = `${unique('dup')}@example.com`;
    const input = { firstName: 'Eve', lastName: 'Tester', email, password: TEST_PASSWORD };
    const codes: unknown[] = [];
    for (let i = 0; i < 6; i++) codes.push(codeOf(await s.post(REGISTER, { input }, null)) ?? 'OK');
    expect(codes).toEqual(['OK', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT', 'RATE_LIMITED']);
    for (let i = 6; i < 20; i++) await s.post(REGISTER, { input: { ...input, email: `${unique('many')}@example.com` } }, null);
    const over = await s.post(REGISTER, { input: { ...input, email: `${unique('many')}@example.com` } }, null);
    expect(over.status).toBe(429);
    expect(over.errors?.[0].message).toBe('Too many sign-ups from this address; retry later');
  });

  it('limits refreshes per IP (60 a minute)', async () => {
    const s = await server();
    const codes: unknown[] = [];
    for (let i = 0; i < 61; i++) codes.push(codeOf(await s.post(REFRESH, { t: `junk-${i}` }, null)));
    expect(codes.slice(0, 60).every((c) => c === 'UNAUTHENTICATED')).toBe(true);
    expect(codes[60]).toBe('RATE_LIMITED');
  });

  it('limits anonymous schedule previews per IP (30 a minute), aliases included', async () => {
    const s = await server();
    const aliases = Array.from({ length: 10 }, (_, i) => `p${i}: loanSchedulePreview(terms: $terms) { apr }`).join(' ');
    for (let i = 0; i < 3; i++) expect((await s.post(`query($terms: LoanScheduleTermsInput!) { ${aliases} }`, { terms: terms(3) })).errors).toBeUndefined();
    const over = await s.post(PREVIEW, { terms: terms(3) });
    expect(over.status).toBe(429);
    expect(over.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
  });

  it('shares counts between API instances with RATE_LIMIT_STORE=postgres', async () => {
    const settings = { ...loadConfig().security.rateLimits, store: 'postgres' as const };
    const a = new RateLimits(settings, app.orm.em.getKnex());
    const b = new RateLimits(settings, app.orm.em.getKnex());
    const email = `${unique('shared')}@example.com`;
    for (let i = 0; i < 5; i++) await (i % 2 ? a : b).hitAccount('register', email);
    await expect(a.hitAccount('register', email)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(b.hitAccount('register', email)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Lockouts too: failures recorded by one instance lock the account on the other.
    for (let i = 0; i < 4; i++) await a.recordFailure(email);
    expect(await b.recordFailure(email)).toBe(60);
    expect(await a.lockedFor(email)).toBeGreaterThan(0);
    const rows: { key: string }[] = await app.orm.em.getConnection().execute(`select key from rate_limit where key like 'lp_register_account:%'`);
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(email);
  });
});

describe('cost and armor limits', () => {
  it('costs a schedule preview by its installments: 1,200 are refused before any work, HTTP 400', async () => {
    const res = await app.gql(PREVIEW, { terms: terms(1200) }, null);
    expect(codeOf(res)).toBe('QUERY_TOO_COMPLEX');
    expect(res.errors?.[0].message).toMatch(/^Query complexity \d+ exceeds the maximum of 2000$/);
    const raw = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: PREVIEW, variables: { terms: terms(1200) } }) });
    expect(raw.status).toBe(400);
    // The same number of installments spread over aliases costs the same.
    const split = Array.from({ length: 5 }, (_, i) => `p${i}: loanSchedulePreview(terms: { principal: "1000", annualNominalInterestRate: "12", numberOfRepayments: 120, repaymentEvery: 1, repaymentFrequencyType: MONTHS, expectedDisbursementDate: "2026-01-01", currencyCode: "USD" }) { apr }`).join(' ');
    expect(codeOf(await app.gql(`{ ${split} }`, {}, null))).toBe('QUERY_TOO_COMPLEX');
  });

  it('costs the same document again for other variables (the estimate is kept per document and numbers, not per text)', async () => {
    // Cheap, then expensive, then cheap again: each answer follows its own variables.
    expect((await app.gql(PREVIEW, { terms: terms(12) }, null)).errors).toBeUndefined();
    expect(codeOf(await app.gql(PREVIEW, { terms: terms(1200) }, null))).toBe('QUERY_TOO_COMPLEX');
    expect((await app.gql(PREVIEW, { terms: terms(12) }, null)).errors).toBeUndefined();
    // A variable of the wrong type is still the client's error, whatever was costed before.
    expect(codeOf(await app.gql(PREVIEW, { terms: { ...terms(12), numberOfRepayments: '12' } }, null))).toBe('BAD_USER_INPUT');
  });

  it('bounds previews by SCHEDULE_PREVIEW_MAX_REPAYMENTS even under a generous cost limit', async () => {
    const s = await server(defaultConfig((c) => (c.graphql = { ...c.graphql, maxComplexity: 1_000_000 })));
    const res = await s.post(PREVIEW, { terms: terms(481) });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'terms.numberOfRepayments' });
  });

  it('limits aliases, tokens and directives with HTTP 400', async () => {
    // (`__typename` is free: armor does not count its aliases.)
    const aliases = await rawPost(app.url, { query: `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: me { id }`).join(' ')} }` }, app.token);
    expect(aliases.status).toBe(400);
    expect(aliases.body.errors[0].message).toMatch(/Aliases limit of 15 exceeded/);
    const tokens = await rawPost(app.url, { query: `{ __typename ${'__typename '.repeat(2500)} }` });
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors[0]).toMatchObject({ message: expect.stringMatching(/more tha[nt] 2000 tokens/), extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    const directives = await rawPost(app.url, { query: `{ __typename ${'@include(if: true) '.repeat(60)} }` });
    expect(directives.status).toBe(400);
    expect(directives.body.errors[0].message).toMatch(/Directives limit of 50 exceeded/);
  });

  it('applies the same limits over WebSocket', async () => {
    const aliases = await wsQuery(app.url, `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, {}, app.token);
    expect(aliases.errors?.[0].message).toMatch(/Aliases limit of 15 exceeded/);
    const cost = await wsQuery(app.url, PREVIEW, { terms: terms(1200) }, null);
    expect(cost.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });
    const tokens = await wsQuery(app.url, `{ ${'__typename '.repeat(2500)} }`, {}, null);
    expect(tokens.errors?.[0].message).toMatch(/more tha[nt] 2000 tokens/);
    const introspection = await wsQuery(app.url, '{ __schema { types { name } } }', {}, null);
    expect(introspection.errors?.[0].extensions?.code).toBe('INTROSPECTION_DISABLED');
    const fine = await wsQuery(app.url, '{ __typename }', {}, null);
    expect(fine.data).toEqual({ __typename: 'Query' });
  });

  it('turns anonymous introspection and field suggestions off', async () => {
    const anon = await rawPost(app.url, { query: '{ __schema { queryType { name } } }' });
    expect(anon.status).toBe(400);
    expect(anon.body.errors[0].extensions.code).toBe('INTROSPECTION_DISABLED');
    expect((await app.gql('{ __type(name: "Loan") { name } }', {}, null)).errors?.[0].extensions?.code).toBe('INTROSPECTION_DISABLED');
    expect((await app.gql('{ __schema { queryType { name } } }')).data?.__schema.queryType.name).toBe('Query');
    const typo = await app.gql('{ loanz { totalCount } }');
    expect(typo.errors?.[0].message).toBe('Cannot query field "loanz" on type "Query".');
    const open = await server(defaultConfig((c) => (c.graphql = { ...c.graphql, anonymousIntrospection: true, fieldSuggestions: true })));
    expect((await open.post('{ __schema { queryType { name } } }')).data?.__schema.queryType.name).toBe('Query');
    expect((await open.post('{ loanz { totalCount } }')).errors?.[0].message).toMatch(/Did you mean .*"loans"/);
  });
});

describe('errors: 4xx JSON, never HTML or stacks', () => {
  const noLeak = (text: string) => expect(text).not.toMatch(/<html|<pre>|node_modules|\bat .+\.js:\d+|stack/i);

  it('a variable of the wrong type is 400 BAD_USER_INPUT', async () => {
    const res = await rawPost(app.url, { query: PREVIEW, variables: { terms: { ...terms(12), numberOfRepayments: 'twelve' } } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    noLeak(res.text);
  });

  it('malformed JSON is 400, a body over 1 MB is 413, an unknown route 404, all JSON', async () => {
    for (const [body, status] of [['{"query": "{ __typename }"', 400], [JSON.stringify({ query: `{ __typename }`, variables: { x: 'a'.repeat(1_100_000) } }), 413]] as const) {
      const res = await fetch(`${app.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.text();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(text).errors[0].extensions.code).toBe(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST');
      noLeak(text);
    }
    const missing = await fetch(`${app.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errors: [{ message: 'No route GET /nowhere', extensions: { code: 'NOT_FOUND' } }] });
  });

  it('saveRiskRuleSet(rules: {}) is a typed input error, not a crash', async () => {
    const res = await rawPost(app.url, { query: 'mutation { saveRiskRuleSet(rules: {}) { version } }' }, app.token);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).not.toBe('Internal server error');
    noLeak(res.text);
    // The formatter itself survives class-validator's odd answer for any JSON argument.
    const odd = new ArgumentValidationError({} as never);
    expect(createFormatError(quiet)({ message: odd.message }, new GraphQLError(odd.message, { originalError: odd })).extensions)
      .toEqual({ code: 'BAD_USER_INPUT', field: undefined });
  });

  it('hostile strings are BAD_USER_INPUT naming the field', async () => {
    const input = { firstName: 'Eve', lastName: 'Tester', email: `${unique('h')}@example.com`, password: TEST_PASSWORD };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...input, firstName: 'Eve\u0000' }, 'input.firstName'],
      [{ ...input, lastName: '\ud800' }, 'input.lastName'],
      [{ ...input, firstName: 'x'.repeat(10_001) }, 'input.firstName'],
    ];
    for (const [i, field] of cases) {
      const res = await app.gql(REGISTER, { input: i }, null);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(codeOf(await app.gql(LOGIN, { email: 'a\u0000@example.com', password: 'x' }, null))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql('query($id: ID!) { loan(id: $id) { id } }', { id: "1' or '1'='1" }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await app.gql(PREVIEW, { terms: { ...terms(12), expectedDisbursementDate: '0000-01-01' } }, null))).toBe('BAD_USER_INPUT');
  });
});

describe('headers and CORS', () => {
  it('sends helmet\'s security headers and no X-Powered-By on every kind of response', async () => {
    for (const [path, init] of [
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }],
      ['/health/live', {}],
      ['/', {}],
      ['/nowhere', {}],
      ['/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }],
    ] as [string, RequestInit][]) {
      const res = await fetch(`${app.url}${path}`, init);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      // GraphQL answers carry personal and financial data: never cached.
      if (path === '/graphql') expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('sends no CORS headers by default; CORS_ORIGINS allows exactly the listed origins', async () => {
    const preflight = (url: string, origin: string) => fetch(`${url}/graphql`, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
    });
    expect((await preflight(app.url, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const s = await server(defaultConfig((c) => (c.security = { ...c.security, corsOrigins: ['https://app.example'] })));
    const ok = await preflight(s.url, 'https://app.example');
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect((await preflight(s.url, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    const simple = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { origin: 'https://app.example', 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(simple.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });
});

async function rawPost(url: string, body: unknown, token?: string): Promise<{ status: number; text: string; body: any }> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) };
}

/** One operation over graphql-ws; resolves with its result or its errors. */
function wsQuery(url: string, query: string, variables: Record<string, unknown>, token: string | null): Promise<GqlResponse> {
  const client = createClient({
    url: `${url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  clients.push(client);
  return new Promise((resolve, reject) => {
    let result: GqlResponse | undefined;
    client.subscribe({ query, variables }, {
      next: (value) => void (result = value as GqlResponse),
      error: (err) => (Array.isArray(err) ? resolve({ errors: err }) : reject(err)),
      complete: () => resolve(result ?? {}),
    });
  });
}
