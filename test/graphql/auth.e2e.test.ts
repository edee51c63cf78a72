/** Authentication and authorization over real HTTP: tokens, refresh rotation, roles and ownership. */
import { Customer, LoanProduct, RefreshToken, User } from '../../src/entities';
import { dropDatabase, openDatabase } from '../../src/database';
import { ROLES } from '../../src/domain/roles';
import { ensureInitialAdmin } from '../../src/services/auth.service';
import { signAccessToken } from '../../src/services/jwt';
import { decodeJwt } from './security.fixtures';
import { LOGIN, startTestApp, TEST_PASSWORD, unique, type TestApp } from '../utils';
import { APPLY, applicationInput, createCustomer, createProduct, productInput, CREATE_PRODUCT } from './fixtures';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const REGISTER = `mutation($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id email roles } }
}`;
const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }`;
const LOGOUT = `mutation($t: String!) { logout(refreshToken: $t) }`;
const ME = `{ me { id email roles customerId } }`;
const LOANS = `{ loans(first: 50) { totalCount edges { node { id customer { id } } } } }`;

async function signUp(): Promise<{ accessToken: string; refreshToken: string; customerId: string; email: string }> {
  const email = `${unique('borrower')}@example.com`;
  const res = await app.gql(REGISTER, { input: { firstName: 'Bo', lastName: 'Rrower', email, password: TEST_PASSWORD } }, null);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  const customer = await app.orm.em.fork().findOneOrFail(Customer, { email });
  return { ...res.data.register, customerId: customer.id, email };
}

describe('tokens', () => {
  it('registers a borrower (customer + CUSTOMER login) and signs them in', async () => {
    const { accessToken, email, customerId } = await signUp();
    const me = await app.gql(ME, {}, accessToken);
    expect(me.data.me).toMatchObject({ email, roles: ['CUSTOMER'], customerId });
    const user = await app.orm.em.fork().findOneOrFail(User, { email }, { populate: ['passwordHash'] });
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain(TEST_PASSWORD);
  });

  it('rejects a wrong password, an unknown email and a short password', async () => {
    const { email } = await signUp();
    for (const vars of [{ email, password: 'wrong password!!' }, { email: 'nobody@example.com', password: TEST_PASSWORD }]) {
      const res = await app.gql(LOGIN, vars, null);
      expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(res.errors?.[0].message).toBe('Invalid email or password');
    }
    const short = await app.gql(REGISTER, { input: { firstName: 'A', lastName: 'B', email: `${unique('s')}@example.com`, password: 'short' } }, null);
    expect(short.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
  });

  it('rejects expired and forged access tokens', async () => {
    const { accessToken } = await signUp();
    const claims = decodeJwt(accessToken) as { sub: string; sid: string; ver: number; cid: string };
    const subject = { sub: claims.sub, roles: ['CUSTOMER'], cid: claims.cid, sid: claims.sid, ver: claims.ver };
    // The same subject and session, signed with the real key: valid now, refused once expired.
    const fresh = await signAccessToken(subject, app.config.auth, 60);
    expect((await app.gql(ME, {}, fresh.token)).data?.me.id).toBe(claims.sub);
    const expired = await signAccessToken(subject, app.config.auth, 900, Math.floor(Date.now() / 1000) - 1000);
    expect((await app.gql(ME, {}, expired.token)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await signAccessToken({ ...subject, roles: ['ADMIN'] }, { ...app.config.auth, jwtSecret: 'not-the-secret-not-the-secret-not-the' }, 3600);
    expect((await app.gql(ME, {}, forged.token)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rotates refresh tokens; reusing a spent one revokes the whole family', async () => {
    const { refreshToken, email } = await signUp();
    const first = await app.gql(REFRESH, { t: refreshToken }, null);
    expect(first.errors).toBeUndefined();
    const next = first.data.refreshToken.refreshToken;
    expect(next).not.toBe(refreshToken);
    // The old token again: theft assumed, every token of this login is revoked, including `next`.
    const reuse = await app.gql(REFRESH, { t: refreshToken }, null);
    expect(reuse.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await app.gql(REFRESH, { t: next }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const family = await app.orm.em.fork().find(RefreshToken, { user: { email } });
    expect(family).toHaveLength(2);
    expect(family.every((t) => t.revokedAt)).toBe(true);
  });

  it('logout revokes the refresh token', async () => {
    const { refreshToken } = await signUp();
    expect((await app.gql(LOGOUT, { t: refreshToken }, null)).data.logout).toBe(true);
    expect((await app.gql(REFRESH, { t: refreshToken }, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('roles and ownership', () => {
  it('is UNAUTHENTICATED without a token and changes nothing', async () => {
    const before = await app.orm.em.fork().count(LoanProduct, {});
    const res = await app.gql(CREATE_PRODUCT, { input: productInput() }, null);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await app.gql(LOANS, {}, null)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await app.orm.em.fork().count(LoanProduct, {})).toBe(before);
  });

  it('is FORBIDDEN in the wrong role and changes nothing', async () => {
    const officer = await app.tokenFor(['LOAN_OFFICER']);
    const before = await app.orm.em.fork().count(LoanProduct, {});
    expect((await app.gql(CREATE_PRODUCT, { input: productInput() }, officer)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await app.orm.em.fork().count(LoanProduct, {})).toBe(before);
    const staff = `mutation($i: CreateStaffUserInput!) { createStaffUser(input: $i) { id roles } }`;
    const input = { email: `${unique('x')}@example.com`, password: TEST_PASSWORD, roles: ['MANAGER'] };
    expect((await app.gql(staff, { i: input }, officer)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const admin = await app.tokenFor(['ADMIN']);
    expect((await app.gql(staff, { i: input }, admin)).data.createStaffUser.roles).toEqual(['MANAGER']);
    expect((await app.gql(staff, { i: { ...input, email: `${unique('y')}@example.com`, roles: ['CUSTOMER'] } }, admin)).errors?.[0].extensions)
      .toMatchObject({ code: 'BAD_USER_INPUT', field: 'roles' });
  });

  it('roles are the Role enum: unknown values never reach the service, staff-only rules still apply', async () => {
    const admin = await app.tokenFor(['ADMIN']);
    const target = await app.staff(['KYC_OFFICER']);
    const roles = async () => (await app.orm.em.fork().findOneOrFail(User, target.id)).roles;
    // Inline: an unknown value, or a string where an enum literal belongs, fails validation before execution.
    for (const literal of ['[NOT_A_ROLE]', '["MANAGER"]']) {
      const res = await app.gql(`mutation($id: ID!) { setUserRoles(userId: $id, roles: ${literal}) { roles } }`, { id: target.id }, admin);
      expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    // As a variable: the string must be one of the values.
    const SET = `mutation($id: ID!, $r: [Role!]!) { setUserRoles(userId: $id, roles: $r) { roles } }`;
    expect((await app.gql(SET, { id: target.id, r: ['NOT_A_ROLE'] }, admin)).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await app.gql(SET, { id: target.id, r: ['SYSTEM'] }, admin)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'roles' });
    expect(await roles()).toEqual(['KYC_OFFICER']);
    const set = await app.gql(`mutation($id: ID!) { setUserRoles(userId: $id, roles: [MANAGER, KYC_OFFICER]) { roles } }`, { id: target.id }, admin);
    expect(set.data.setUserRoles.roles).toEqual(['MANAGER', 'KYC_OFFICER']);
    expect(await roles()).toEqual(['MANAGER', 'KYC_OFFICER']);
    // The enum is the domain's role list, each value described.
    const type = await app.gql(`{ __type(name: "Role") { enumValues { name description } } }`, {}, admin);
    expect(type.data.__type.enumValues.map((v: { name: string }) => v.name)).toEqual([...ROLES]);
    expect(type.data.__type.enumValues.every((v: { description: string | null }) => (v.description ?? '').length > 10)).toBe(true);
  });

  it('lets a customer apply and read only for themself', async () => {
    const productId = await createProduct(app);
    const me = await signUp();
    const other = await createCustomer(app);
    const mine = await app.gql(APPLY, { input: applicationInput(me.customerId, productId) }, me.accessToken);
    expect(mine.errors).toBeUndefined();
    const forOther = await app.gql(APPLY, { input: applicationInput(other, productId) }, me.accessToken);
    expect(forOther.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // A loan of another customer, made by an officer, is not readable by this customer.
    const theirs = await app.gql(APPLY, { input: applicationInput(other, productId) });
    const read = await app.gql(`query($id: ID!) { loan(id: $id) { id } }`, { id: theirs.data.applyForLoan.id }, me.accessToken);
    expect(read.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const list = await app.gql(LOANS, {}, me.accessToken);
    expect(list.data.loans.totalCount).toBe(1);
    expect(list.data.loans.edges[0].node.customer.id).toBe(me.customerId);
    const customer = await app.gql(`query($id: ID!) { customer(id: $id) { id } }`, { id: other }, me.accessToken);
    expect(customer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // The timeline records who acted and in which role.
    const timeline = await app.gql(`query($id: ID!) { loan(id: $id) { timeline { actorRole } } }`, { id: mine.data.applyForLoan.id }, me.accessToken);
    expect(timeline.data.loan.timeline[0].actorRole).toBe('CUSTOMER');
  });
});

it('creates the first ADMIN from configuration once, on a database without one', async () => {
  const url = new URL(app.config.databaseUrl);
  url.pathname = `/loan_platform_test_admin_${process.pid}`;
  const orm = await openDatabase(url.toString(), { migrate: true });
  try {
    const config = { ...app.config, auth: { ...app.config.auth, adminEmail: 'root@example.com', adminPassword: TEST_PASSWORD } };
    expect(await ensureInitialAdmin(orm.em.fork(), config)).toBe(true);
    expect(await ensureInitialAdmin(orm.em.fork(), config)).toBe(false);
    const admins = await orm.em.fork().find(User, { roles: { $contains: ['ADMIN'] } });
    expect(admins.map((u) => u.email)).toEqual(['root@example.com']);
  } finally {
    await orm.close();
    await dropDatabase(url.toString());
  }
});
