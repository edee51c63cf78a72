/**
 * The KYC officers' queue over real HTTP: only loans in KYC_REVIEW, oldest first, every filter,
 * keyset pagination and the roles allowed to read it. Loans are made through the real workflow.
 */
import { Loan } from '../../src/entities';
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';
import { apply, borrower, codeOf, M, ok, type Borrower } from './origination.fixtures';

let app: TestApp;
let productId: string;
let manager: { token: string; id: string };
let kycA: { token: string; id: string };
let kycB: { token: string; id: string };
let officer: { token: string; id: string };
let b: Borrower;
/** Five loans of one customer, oldest first: [APPLICATION, KYC (A), KYC (B), KYC (unassigned), KYC (A)]. */
let loans: string[];

const QUEUE = `query($filter: KycQueueFilter, $first: Int, $after: String) {
  kycQueue(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id stage origination { kycReviewerId } customer { id } } }
  }
}`;

async function queue(filter: Record<string, unknown>, token: string, first?: number, after?: string): Promise<{ ids: string[]; totalCount: number; hasNextPage: boolean; endCursor: string | null }> {
  const q = await ok(app, QUEUE, { filter, first, after }, token);
  return { ids: q.edges.map((e: any) => e.node.id), totalCount: q.totalCount, hasNextPage: q.pageInfo.hasNextPage, endCursor: q.pageInfo.endCursor };
}

beforeAll(async () => {
  app = await startTestApp();
  productId = await createProduct(app);
  [manager, kycA, kycB, officer] = await Promise.all([app.staff(['MANAGER']), app.staff(['KYC_OFFICER']), app.staff(['KYC_OFFICER']), app.staff(['LOAN_OFFICER'])]);
  b = await borrower(app);
  loans = [];
  // Sequential, so submission times are strictly ordered.
  for (let i = 0; i < 5; i++) loans.push(await apply(app, b, productId));
  for (const id of loans.slice(1)) await ok(app, M.submit, { loanId: id }, b.token);
  await ok(app, M.assign, { loanId: loans[1], reviewerId: kycA.id }, manager.token);
  await ok(app, M.assign, { loanId: loans[2], reviewerId: kycB.id }, manager.token);
  await ok(app, M.assign, { loanId: loans[4], reviewerId: kycA.id }, manager.token);
});

afterAll(async () => {
  await app?.close();
});

it("lists a customer's loans in KYC_REVIEW, oldest first, with their reviewer", async () => {
  const q = await ok(app, QUEUE, { filter: { customerId: b.customerId } }, kycA.token);
  expect(q.totalCount).toBe(4);
  expect(q.edges.map((e: any) => [e.node.id, e.node.stage, e.node.origination.kycReviewerId])).toEqual([
    [loans[1], 'KYC_REVIEW', kycA.id], [loans[2], 'KYC_REVIEW', kycB.id], [loans[3], 'KYC_REVIEW', null], [loans[4], 'KYC_REVIEW', kycA.id],
  ]);
});

it('filters by assignee: assignedToMe, reviewerId, unassigned', async () => {
  expect((await queue({ assignedToMe: true }, kycA.token)).ids).toEqual([loans[1], loans[4]]);
  expect((await queue({ assignedToMe: true }, kycB.token)).ids).toEqual([loans[2]]);
  expect((await queue({ reviewerId: kycA.id }, manager.token)).ids).toEqual([loans[1], loans[4]]);
  expect((await queue({ unassigned: true, customerId: b.customerId }, kycB.token)).ids).toEqual([loans[3]]);
  expect((await queue({ assignedToMe: true }, manager.token)).ids).toEqual([]);
});

it('filters by submission time (from inclusive, to exclusive)', async () => {
  const em = app.orm.em.fork();
  const submitted = await Promise.all(loans.map(async (id) => (await em.findOneOrFail(Loan, id)).submittedAt));
  const from = submitted[2].toISOString();
  const to = submitted[4].toISOString();
  expect((await queue({ customerId: b.customerId, submittedFrom: from }, kycA.token)).ids).toEqual([loans[2], loans[3], loans[4]]);
  expect((await queue({ customerId: b.customerId, submittedTo: to }, kycA.token)).ids).toEqual([loans[1], loans[2], loans[3]]);
  expect((await queue({ customerId: b.customerId, submittedFrom: from, submittedTo: to }, kycA.token)).ids).toEqual([loans[2], loans[3]]);
  expect(await codeOf(app, QUEUE, { filter: { submittedFrom: to, submittedTo: from } }, kycA.token)).toBe('BAD_USER_INPUT');
});

it('paginates with keyset cursors: every loan exactly once, in order', async () => {
  const seen: string[] = [];
  let after: string | undefined;
  const pages: boolean[] = [];
  for (;;) {
    const page = await queue({ customerId: b.customerId }, kycA.token, 3, after);
    expect(page.totalCount).toBe(4);
    seen.push(...page.ids);
    pages.push(page.hasNextPage);
    if (!page.hasNextPage) break;
    after = page.endCursor!;
  }
  expect(pages).toEqual([true, false]);
  expect(seen).toEqual(loans.slice(1));
});

it('a loan leaves the queue when it leaves KYC_REVIEW (here: withdrawn)', async () => {
  const withdrawn = await ok(app, M.withdraw, { loanId: loans[3], reason: 'found better terms' }, b.token);
  expect(withdrawn.stage).toBe('WITHDRAWN');
  expect((await queue({ unassigned: true, customerId: b.customerId }, kycA.token)).ids).toEqual([]);
  expect((await queue({ customerId: b.customerId }, kycA.token)).totalCount).toBe(3);
});

it('is for KYC officers and managers only; bad filters are BAD_USER_INPUT naming the field', async () => {
  expect(await codeOf(app, QUEUE, {}, '')).toBe('UNAUTHENTICATED');
  expect(await codeOf(app, QUEUE, {}, b.token)).toBe('FORBIDDEN');
  expect(await codeOf(app, QUEUE, {}, officer.token)).toBe('FORBIDDEN');
  expect(await codeOf(app, QUEUE, {}, await app.tokenFor(['ADMIN']))).toBe('FORBIDDEN');
  const both = await app.gql(QUEUE, { filter: { assignedToMe: true, unassigned: true } }, kycA.token);
  expect(both.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.unassigned' });
  const badId = await app.gql(QUEUE, { filter: { reviewerId: 'x' } }, kycA.token);
  expect(badId.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.reviewerId' });
  expect((await app.gql(QUEUE, { first: 0 }, kycA.token)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  expect((await app.gql(QUEUE, { after: 'garbage' }, kycA.token)).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
});

it('the unassigned filter uses the partial expression index', async () => {
  const conn = app.orm.em.getConnection();
  await conn.execute('set enable_seqscan = off');
  try {
    const plan = await conn.execute(`explain select id from loan where stage = 'KYC_REVIEW' and origination->>'kycReviewerId' is null order by created_at, id limit 21`);
    expect(JSON.stringify(plan)).toContain('loan_kyc_queue_index');
  } finally {
    await conn.execute('set enable_seqscan = on');
  }
});
