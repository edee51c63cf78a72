/**
 * Payment types as an ADMIN-managed list over real HTTP: create, update, deactivate; roles; bad input
 * at the edge; and servicing refusing an unknown or inactive code before the workflow is asked
 * (nothing written, the loan still serviceable), accepting an active one.
 */
import { randomBytes } from 'node:crypto';
import { PaymentType } from '../../src/entities';
import { currentBusinessDate } from '../../src/services/business-date.service';
import { sql } from '../../src/services/sql';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { activeLoan, createStaff, ok, type Staff } from './lifecycle';

let app: TestApp;
let staff: Staff;

const FIELDS = 'code name description isCashPayment position active version';
const CREATE = `mutation($i: CreatePaymentTypeInput!) { createPaymentType(input: $i) { ${FIELDS} } }`;
const UPDATE = `mutation($c: String!, $i: UpdatePaymentTypeInput!) { updatePaymentType(code: $c, input: $i) { ${FIELDS} } }`;
const LIST = `query($all: Boolean) { paymentTypes(includeInactive: $all) { code active position } }`;
const REPAY = `mutation($l: ID!, $a: Decimal!, $k: String!, $p: String) {
  recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k, paymentType: $p) { id type paymentType } }`;

/** A code no other run (or test file) uses; with a digit, which the list allows. */
function newCode(): string {
  return `PT${randomBytes(5).toString('hex').toUpperCase()}_9`;
}

async function error(query: string, vars: Record<string, unknown>, token: string | null): Promise<{ code?: string; field?: unknown }> {
  const res = await app.gql(query, vars, token);
  return { code: res.errors?.[0]?.extensions?.code, field: res.errors?.[0]?.extensions?.field };
}

async function stored(code: string): Promise<PaymentType | null> {
  return app.orm.em.fork().findOne(PaymentType, code);
}

beforeAll(async () => {
  app = await startTestApp();
  staff = await createStaff(app);
});

afterAll(async () => {
  await app?.close();
});

describe('the payment type list', () => {
  it('is seeded with the common channels, in position order', async () => {
    const list = await ok(app, LIST, {}, staff.officer.token);
    const codes = list.map((t: { code: string }) => t.code);
    expect(codes.slice(0, 4)).toEqual(['CASH', 'BANK_TRANSFER', 'MOBILE_MONEY', 'CHEQUE']);
    const positions = list.map((t: { position: number }) => t.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('ADMIN creates, updates and deactivates a payment type; deactivated ones are listed only on request', async () => {
    const code = newCode();
    const created = await ok(app, CREATE, { i: { code, name: '  M-Pesa  ', description: 'Safaricom wallet', isCashPayment: false } }, staff.admin.token);
    expect(created).toMatchObject({ code, name: 'M-Pesa', description: 'Safaricom wallet', isCashPayment: false, active: true, version: 1 });
    // Without a position it goes last.
    const list = await ok(app, LIST, {}, staff.officer.token);
    expect(list.at(-1)).toMatchObject({ code, position: Math.max(...list.map((t: { position: number }) => t.position)) });
    expect(await error(CREATE, { i: { code, name: 'Again' } }, staff.admin.token)).toEqual({ code: 'CONFLICT', field: 'input.code' });

    const updated = await ok(app, UPDATE, { c: code, i: { name: 'M-Pesa (KE)', isCashPayment: true, position: 7, description: '' } }, staff.admin.token);
    expect(updated).toMatchObject({ code, name: 'M-Pesa (KE)', description: null, isCashPayment: true, position: 7, active: true, version: 2 });
    // A stale expectedVersion changes nothing.
    expect(await error(UPDATE, { c: code, i: { name: 'Lost update', expectedVersion: 1 } }, staff.admin.token)).toEqual({ code: 'CONFLICT', field: 'input.expectedVersion' });
    // An update that changes nothing keeps the version.
    expect((await ok(app, UPDATE, { c: code, i: { name: 'M-Pesa (KE)', expectedVersion: 2 } }, staff.admin.token)).version).toBe(2);

    const deactivated = await ok(app, UPDATE, { c: code, i: { active: false, expectedVersion: 2 } }, staff.admin.token);
    expect(deactivated).toMatchObject({ active: false, version: 3 });
    expect((await ok(app, LIST, {}, staff.officer.token)).map((t: { code: string }) => t.code)).not.toContain(code);
    expect((await ok(app, LIST, { all: true }, staff.officer.token)).find((t: { code: string }) => t.code === code)).toMatchObject({ active: false });
    const row = await stored(code);
    expect(row).toMatchObject({ name: 'M-Pesa (KE)', active: false, createdBy: staff.admin.id, updatedBy: staff.admin.id });
    expect(await error(UPDATE, { c: 'NO_SUCH_TYPE', i: { active: false } }, staff.admin.token)).toEqual({ code: 'NOT_FOUND', field: 'code' });
  });

  it('only ADMIN changes the list; staff read it; customers and anonymous callers do not', async () => {
    const code = newCode();
    for (const token of [staff.manager.token, staff.officer.token]) {
      expect((await error(CREATE, { i: { code, name: 'Nope' } }, token)).code).toBe('FORBIDDEN');
      expect((await error(UPDATE, { c: 'CASH', i: { active: false } }, token)).code).toBe('FORBIDDEN');
    }
    expect(await stored(code)).toBeNull();
    expect(await stored('CASH')).toMatchObject({ active: true });
    expect((await ok(app, LIST, {}, staff.kyc.token)).length).toBeGreaterThanOrEqual(4);
    const reg = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`,
      { i: { firstName: 'Cu', lastName: 'Stomer', email: `pt-${code.toLowerCase()}@example.com`, password: 'correct horse battery staple' } }, null);
    expect((await error(LIST, {}, reg.data.register.accessToken)).code).toBe('FORBIDDEN');
    expect((await error(LIST, {}, null)).code).toBe('UNAUTHENTICATED');
  });

  it('refuses bad codes, names, descriptions and positions with BAD_USER_INPUT naming the field, writing nothing', async () => {
    const t = staff.admin.token;
    for (const code of ['cash', 'C', '1CASH', '_CASH', 'BANK-TRANSFER', 'BANK TRANSFER', 'ÉCHÈQUE', `A${'B'.repeat(40)}`, '']) {
      expect(await error(CREATE, { i: { code, name: 'x' } }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.code' });
    }
    const code = newCode();
    expect(await error(CREATE, { i: { code, name: '   ' } }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await error(CREATE, { i: { code, name: 'x'.repeat(101) } }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await error(CREATE, { i: { code, name: 'Cash\u0000' } }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await error(CREATE, { i: { code, name: 'Cash \uD800' } }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await error(CREATE, { i: { code, name: 'x', description: 'd'.repeat(501) } }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.description' });
    expect(await error(CREATE, { i: { code, name: 'x', position: -1 } }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.position' });
    expect(await stored(code)).toBeNull();
    expect(await error(UPDATE, { c: 'cash', i: { active: false } }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'code' });
    expect(await error(UPDATE, { c: 'CASH', i: { name: '' } }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await stored('CASH')).toMatchObject({ name: 'Cash', active: true });
  });
});

describe('servicing with payment types', () => {
  it('refuses an unknown or inactive code before the workflow, changing nothing; records an active one', async () => {
    const productId = await createProduct(app, { maxPrincipal: '100000.00' });
    const today = await currentBusinessDate(app.orm.em.fork());
    const { loanId } = await activeLoan(app, staff, productId, { principal: '600.00', rate: '12', repayments: 6, disbursementDate: today });
    const code = newCode();
    await ok(app, CREATE, { i: { code, name: 'Agent network' } }, staff.admin.token);
    await ok(app, UPDATE, { c: code, i: { active: false } }, staff.admin.token);
    const journal = async () => (await sql<{ n: string }>(app.orm.em.fork(), `select count(*)::text as n from journal_entry where loan_id = ?`, [loanId]))[0].n;
    const transactions = async () => sql<{ type: string; payment_type: string | null }>(app.orm.em.fork(),
      `select type, payment_type from loan_transaction where loan_id = ? order by id`, [loanId]);
    const entries = await journal();
    const t = staff.officer.token;

    expect(await error(REPAY, { l: loanId, a: '10.00', k: 'pt-unknown', p: 'NO_SUCH_TYPE' }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'paymentType' });
    expect(await error(REPAY, { l: loanId, a: '10.00', k: 'pt-inactive', p: code }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'paymentType' });
    expect(await error(REPAY, { l: loanId, a: '10.00', k: 'pt-lower', p: 'cash' }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'paymentType' });
    const payoff = `mutation($l: ID!, $p: String) { payOffLoan(loanId: $l, idempotencyKey: "pt-payoff", paymentType: $p) { id } }`;
    expect(await error(payoff, { l: loanId, p: code }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'paymentType' });
    // Checked before the stage too: a recovery on this active loan names the payment type first.
    const recovery = `mutation($l: ID!, $p: String) { recordRecoveryPayment(loanId: $l, amount: "5.00", idempotencyKey: "pt-recovery", paymentType: $p) { id } }`;
    expect(await error(recovery, { l: loanId, p: code }, t)).toEqual({ code: 'BAD_USER_INPUT', field: 'paymentType' });
    expect((await error(recovery, { l: loanId, p: 'CASH' }, t)).code).toBe('INVALID_STAGE');

    expect(await transactions()).toEqual([{ type: 'DISBURSEMENT', payment_type: null }]);
    expect(await journal()).toBe(entries);
    expect(await sql(app.orm.em.fork(), `select 1 from outbox_event where aggregate_id = ? and type = 'LoanRepaymentRecorded'`, [loanId])).toHaveLength(0);

    // The refused keys were not spent, and the loan keeps working: reactivated, the code is recorded.
    await ok(app, UPDATE, { c: code, i: { active: true } }, staff.admin.token);
    expect(await ok(app, REPAY, { l: loanId, a: '10.00', k: 'pt-inactive', p: code }, t)).toMatchObject({ type: 'REPAYMENT', paymentType: code });
    expect(await ok(app, REPAY, { l: loanId, a: '5.00', k: 'pt-cash', p: 'CASH' }, t)).toMatchObject({ type: 'REPAYMENT', paymentType: 'CASH' });
    expect(await ok(app, REPAY, { l: loanId, a: '5.00', k: 'pt-none' }, t)).toMatchObject({ type: 'REPAYMENT', paymentType: null });

    // A retry of a recorded repayment returns it even after its payment type is deactivated.
    await ok(app, UPDATE, { c: code, i: { active: false } }, staff.admin.token);
    const retried = await ok(app, REPAY, { l: loanId, a: '10.00', k: 'pt-inactive', p: code }, t);
    expect(retried).toMatchObject({ type: 'REPAYMENT', paymentType: code });
    expect((await transactions()).map((x) => x.payment_type)).toEqual([null, code, 'CASH', null]);

    // Transactions name the code, and resolve it to the (possibly deactivated) type.
    const read = await ok(app, `query($id: ID!) { loan(id: $id) { transactions { requestId paymentType paymentTypeDetails { code name active } } } }`, { id: loanId }, t);
    const byKey = Object.fromEntries(read.transactions.map((x: { requestId: string }) => [x.requestId, x]));
    expect(byKey['pt-inactive']).toEqual({ requestId: 'pt-inactive', paymentType: code, paymentTypeDetails: { code, name: 'Agent network', active: false } });
    expect(byKey['pt-cash'].paymentTypeDetails).toEqual({ code: 'CASH', name: 'Cash', active: true });
    expect(byKey['pt-none']).toMatchObject({ paymentType: null, paymentTypeDetails: null });
  });
});
