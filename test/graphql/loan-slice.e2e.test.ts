/**
 * The first vertical slice end to end over real HTTP, real PostgreSQL and a real Temporal server:
 * customer → product → application (loan row + workflow) → withdrawal (a Temporal Update) → reads.
 */
import { Loan, LoanEvent } from '../../src/entities';
import { eventually, startTestApp, type TestApp } from '../utils';
import {
  APPLY, CREATE_PRODUCT, REGISTER_CUSTOMER, WITHDRAW,
  applicationInput, createCustomer, createProduct, productInput,
} from './fixtures';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.close();
});

async function loanRows(customerId: string): Promise<number> {
  return app.orm.em.fork().count(Loan, { customer: customerId });
}

async function workflowCount(customerId: string): Promise<number> {
  const { count } = await app.temporal.client.workflow.count(`CustomerId="${customerId}"`);
  return count;
}

describe('registerCustomer and createLoanProduct', () => {
  it('registers a customer and rejects a duplicate e-mail with CONFLICT', async () => {
    const email = `dup-${Date.now()}@Example.com`;
    const first = await app.gql(REGISTER_CUSTOMER, { input: { firstName: 'A', lastName: 'B', email } });
    expect(first.errors).toBeUndefined();
    expect(first.data.registerCustomer.email).toBe(email.toLowerCase());
    const second = await app.gql(REGISTER_CUSTOMER, { input: { firstName: 'C', lastName: 'D', email: email.toLowerCase() } });
    expect(second.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
  });

  it('rejects a malformed e-mail with BAD_USER_INPUT naming the field', async () => {
    const res = await app.gql(REGISTER_CUSTOMER, { input: { firstName: 'A', lastName: 'B', email: 'not-an-email' } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
  });

  it('creates a product with exact decimals and the currency digits', async () => {
    const res = await app.gql(CREATE_PRODUCT, { input: productInput({ currencyCode: 'JPY', minPrincipal: '10000', maxPrincipal: '5000000' }) });
    expect(res.errors).toBeUndefined();
    expect(res.data.createLoanProduct).toMatchObject({
      currencyCode: 'JPY', digitsAfterDecimal: 0, minPrincipal: '10000', maxPrincipal: '5000000', repaymentFrequencyType: 'MONTHS',
    });
  });

  it.each([
    [{ minPrincipal: '1000', maxPrincipal: '999' }, 'maxPrincipal'],
    [{ minInterestRate: '-1' }, 'minInterestRate'],
    [{ maxInterestRate: '5000' }, 'maxInterestRate'],
    [{ minNumberOfRepayments: 0 }, 'minNumberOfRepayments'],
    [{ currencyCode: 'usd' }, 'currencyCode'],
    [{ minPrincipal: '100.001' }, 'minPrincipal'],
    [{ name: '' }, 'name'],
  ])('rejects product %j naming %s', async (overrides, field) => {
    const res = await app.gql(CREATE_PRODUCT, { input: productInput(overrides) });
    expect(res.data).toBeFalsy();
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});

describe('applyForLoan', () => {
  let customerId: string;
  let productId: string;

  beforeAll(async () => {
    customerId = await createCustomer(app);
    productId = await createProduct(app);
  });

  it('persists a SUBMITTED loan and starts loan-<id> with its search attributes', async () => {
    const res = await app.gql(APPLY, { input: applicationInput(customerId, productId) });
    expect(res.errors).toBeUndefined();
    const loan = res.data.applyForLoan;
    expect(loan).toMatchObject({
      status: 'SUBMITTED', stage: 'APPLICATION', principal: '10000', currencyCode: 'USD', annualInterestRate: '12.5',
      numberOfRepayments: 12, customer: { id: customerId }, product: { id: productId },
    });
    expect(loan.workflow.workflowId).toBe(`loan-${loan.id}`);
    expect(loan.workflow.url).toBe(
      `${app.config.temporal.uiUrl}/namespaces/default/workflows/loan-${loan.id}/${loan.workflow.runId}/history`,
    );

    const row = await app.orm.em.fork().findOneOrFail(Loan, loan.id);
    expect(row.principal.toFixed(2)).toBe('10000.00');
    expect(row.workflowRunId).toBe(loan.workflow.runId);

    const description = await app.temporal.client.workflow.getHandle(`loan-${loan.id}`).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.runId).toBe(loan.workflow.runId);
    const attrs = description.searchAttributes as Record<string, unknown[]>;
    expect(attrs.LoanId).toEqual([loan.id]);
    expect(attrs.CustomerId).toEqual([customerId]);
    expect(attrs.LoanStatus).toEqual(['SUBMITTED']);
    expect(attrs.LoanStage).toEqual(['APPLICATION']);
    // Ops can find it in the Temporal UI by LoanId (visibility is eventually consistent).
    await eventually(async () => (await app.temporal.client.workflow.count(`LoanId="${loan.id}"`)).count === 1, 20000, 'LoanId visibility');
  });

  describe('bad input returns BAD_USER_INPUT naming the field and writes nothing', () => {
    let rowsBefore: number;
    let workflowsBefore: number;

    beforeAll(async () => {
      rowsBefore = await loanRows(customerId);
      await eventually(async () => (await workflowCount(customerId)) === rowsBefore, 20000, 'visibility to settle');
      workflowsBefore = await workflowCount(customerId);
    });

    afterAll(async () => {
      expect(await loanRows(customerId)).toBe(rowsBefore);
      // Give visibility time to show a stray workflow, had one been started.
      await new Promise((r) => setTimeout(r, 1500));
      expect(await workflowCount(customerId)).toBe(workflowsBefore);
    });

    const cases: [string, (c: string, p: string) => Record<string, unknown>, string][] = [
      ['unknown product', (c) => applicationInput(c, '00000000-0000-4000-8000-000000000000'), 'productId'],
      ['malformed product id', (c) => applicationInput(c, 'not-a-uuid'), 'productId'],
      ['unknown customer', (_c, p) => applicationInput('00000000-0000-4000-8000-000000000000', p), 'customerId'],
      ['principal below the minimum', (c, p) => applicationInput(c, p, { principal: '499.99' }), 'principal'],
      ['principal above the maximum', (c, p) => applicationInput(c, p, { principal: '50000.01' }), 'principal'],
      ['principal with too many decimals', (c, p) => applicationInput(c, p, { principal: '1000.001' }), 'principal'],
      ['negative principal', (c, p) => applicationInput(c, p, { principal: '-1000' }), 'principal'],
      ['term below the minimum', (c, p) => applicationInput(c, p, { numberOfRepayments: 2 }), 'numberOfRepayments'],
      ['term above the maximum', (c, p) => applicationInput(c, p, { numberOfRepayments: 61 }), 'numberOfRepayments'],
      ['rate outside the range', (c, p) => applicationInput(c, p, { annualInterestRate: '30.01' }), 'annualInterestRate'],
      ['wrong currency', (c, p) => applicationInput(c, p, { currencyCode: 'EUR' }), 'currencyCode'],
      ['malformed currency', (c, p) => applicationInput(c, p, { currencyCode: 'dollars' }), 'currencyCode'],
      ['malformed principal', (c, p) => applicationInput(c, p, { principal: '10k' }), 'principal'],
      ['principal as a JSON number', (c, p) => applicationInput(c, p, { principal: 10000.5 }), 'principal'],
      ['missing principal', (c, p) => {
        const { principal: _omit, ...rest } = applicationInput(c, p);
        return rest;
      }, 'principal'],
      ['missing productId', (c, p) => {
        const { productId: _omit, ...rest } = applicationInput(c, p);
        return rest;
      }, 'productId'],
      ['term not an integer', (c, p) => applicationInput(c, p, { numberOfRepayments: 12.5 }), 'numberOfRepayments'],
    ];

    it.each(cases)('%s', async (_name, input, field) => {
      const res = await app.gql(APPLY, { input: input(customerId, productId) });
      expect(res.data?.applyForLoan ?? null).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors?.[0].message).toContain(field);
      expect(JSON.stringify(res.errors)).not.toMatch(/stack|select |insert /i);
    });
  });
});

describe('withdrawApplication (a Temporal Update)', () => {
  let customerId: string;
  let productId: string;

  beforeAll(async () => {
    customerId = await createCustomer(app);
    productId = await createProduct(app);
  });

  async function apply(): Promise<string> {
    const res = await app.gql(APPLY, { input: applicationInput(customerId, productId) });
    return res.data.applyForLoan.id;
  }

  it('withdraws, records the timeline, updates the search attributes and completes the workflow', async () => {
    const loanId = await apply();
    const res = await app.gql(WITHDRAW, { loanId, reason: 'found a cheaper offer' });
    expect(res.errors).toBeUndefined();
    const loan = res.data.withdrawApplication;
    expect(loan).toMatchObject({ status: 'WITHDRAWN', stage: 'WITHDRAWN', version: 2 });
    expect(loan.closedAt).toBeTruthy();
    expect(loan.timeline.map((e: { action: string }) => e.action)).toEqual(['SUBMITTED', 'WITHDRAWN']);
    expect(loan.timeline[1]).toMatchObject({
      fromStage: 'APPLICATION', toStage: 'WITHDRAWN', fromStatus: 'SUBMITTED', toStatus: 'WITHDRAWN', reason: 'found a cheaper offer',
    });

    const handle = app.temporal.client.workflow.getHandle(`loan-${loanId}`);
    expect(await handle.result()).toMatchObject({ stage: 'WITHDRAWN', status: 'WITHDRAWN' });
    const attrs = (await handle.describe()).searchAttributes as Record<string, unknown[]>;
    expect(attrs.LoanStage).toEqual(['WITHDRAWN']);
    expect(attrs.LoanStatus).toEqual(['WITHDRAWN']);
  });

  it('rejects a second withdrawal with INVALID_STAGE and changes nothing', async () => {
    const loanId = await apply();
    expect((await app.gql(WITHDRAW, { loanId })).errors).toBeUndefined();
    const before = await app.orm.em.fork().findOneOrFail(Loan, loanId);
    const res = await app.gql(WITHDRAW, { loanId, reason: 'again' });
    expect(res.errors?.[0].extensions?.code).toBe('INVALID_STAGE');
    const after = await app.orm.em.fork().findOneOrFail(Loan, loanId);
    expect(after.version).toBe(before.version);
    expect(await app.orm.em.fork().count(LoanEvent, { loan: loanId })).toBe(2);
  });

  it('is idempotent on clientMutationId: a retry returns the first result', async () => {
    const loanId = await apply();
    const input = { loanId, reason: 'retry me', clientMutationId: `withdraw-${loanId}` };
    const first = await app.gql(WITHDRAW, input);
    const retry = await app.gql(WITHDRAW, input);
    expect(first.errors).toBeUndefined();
    expect(retry.errors).toBeUndefined();
    expect(retry.data.withdrawApplication).toEqual(first.data.withdrawApplication);
    expect(await app.orm.em.fork().count(LoanEvent, { loan: loanId })).toBe(2);
  });

  it('lets exactly one of two racing withdrawals win', async () => {
    const loanId = await apply();
    const results = await Promise.all([
      app.gql(WITHDRAW, { loanId, reason: 'first' }),
      app.gql(WITHDRAW, { loanId, reason: 'second' }),
    ]);
    const ok = results.filter((r) => !r.errors);
    const failed = results.filter((r) => r.errors);
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(failed[0].errors?.[0].extensions?.code).toBe('INVALID_STAGE');
    expect(await app.orm.em.fork().count(LoanEvent, { loan: loanId, action: 'WITHDRAWN' })).toBe(1);
  });

  it('answers NOT_FOUND for an unknown loan and BAD_USER_INPUT for a malformed id', async () => {
    const unknown = await app.gql(WITHDRAW, { loanId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'loanId' });
    const malformed = await app.gql(WITHDRAW, { loanId: 'abc' });
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'loanId' });
  });
});

describe('loan and loans', () => {
  const LOAN = `query($id: ID!) { loan(id: $id) { id status customer { id } workflow { workflowId } } }`;
  const LOANS = `query($filter: LoanFilter, $first: Int, $after: String) {
    loans(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status } }
    }
  }`;

  it('reads one loan, and null for an unknown id', async () => {
    const customerId = await createCustomer(app);
    const productId = await createProduct(app);
    const id = (await app.gql(APPLY, { input: applicationInput(customerId, productId) })).data.applyForLoan.id;
    const res = await app.gql(LOAN, { id });
    expect(res.data.loan).toEqual({ id, status: 'SUBMITTED', customer: { id: customerId }, workflow: { workflowId: `loan-${id}` } });
    const missing = await app.gql(LOAN, { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors).toBeUndefined();
    expect(missing.data.loan).toBeNull();
  });

  it('pages through a filtered list newest first without gaps or repeats', async () => {
    const customerId = await createCustomer(app);
    const productId = await createProduct(app);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await app.gql(APPLY, { input: applicationInput(customerId, productId) })).data.applyForLoan.id);
    await app.gql(WITHDRAW, { loanId: ids[0] });

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: any = await app.gql(LOANS, { filter: { customerId }, first: 2, after });
      expect(res.errors).toBeUndefined();
      expect(res.data.loans.totalCount).toBe(5);
      seen.push(...res.data.loans.edges.map((e: any) => e.node.id));
      after = res.data.loans.pageInfo.hasNextPage ? res.data.loans.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());

    const withdrawn = await app.gql(LOANS, { filter: { customerId, status: 'WITHDRAWN' } });
    expect(withdrawn.data.loans.edges.map((e: any) => e.node.id)).toEqual([ids[0]]);
  });

  it('rejects a page size over 100 and a forged cursor with BAD_USER_INPUT', async () => {
    const big = await app.gql(LOANS, { first: 101 });
    expect(big.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const forged = await app.gql(LOANS, { after: 'garbage' });
    expect(forged.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
