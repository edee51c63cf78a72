/**
 * The read path's N+1 guard: a `loans` page with every per-loan field (customer, product, balances,
 * payoffQuote, installments, transactions, documents, timeline) costs the same, small number of SQL
 * statements for 2 loans as for 40 — each field is batched over the page by a request-scoped DataLoader
 * (src/graphql/loaders.ts). Statements are counted where every one of them passes: pg's Client.query
 * (MikroORM, knex and the read path's direct queries alike). No timing here.
 */
import { Client } from 'pg';
import { loadConfig } from '../../src/config';
import { dropDatabase, openDatabase } from '../../src/database';
import type { Actor, ServiceContext } from '../../src/services/context';
import { readLoanWithRows } from '../../src/services/loan.service';
import { loanRead, type LoanRead } from '../../src/services/loan-read.service';
import { sql } from '../../src/services/sql';
import { startTestApp, unique, type TestApp } from '../utils';

let app: TestApp;
let productId: string;
const LOANS = 40;

const PAGE = `query Page($productId: ID!, $first: Int!) {
  loans(filter: { productId: $productId }, first: $first) {
    totalCount
    edges { node {
      id status principal
      customer { id firstName }
      product { id name }
      balances { principalOutstanding interestOutstanding totalOutstanding totalOverdue nextInstallmentNumber nextInstallmentAmount }
      payoffQuote { total }
      installments { installmentNumber dueDate principalDue principalPaid completed }
      transactions { type amount transactionDate }
      documents { id fileName }
      timeline { action toStage }
    } }
  }
}`;

/** Runs `fn` and returns how many statements went to PostgreSQL from this process meanwhile. */
async function countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const original = Client.prototype.query;
  const patched = function (this: Client, ...args: unknown[]) {
    const text = args[0];
    statements.push(typeof text === 'string' ? text : String((text as { text?: string })?.text ?? text));
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  Client.prototype.query = patched as typeof Client.prototype.query;
  try {
    return { result: await fn(), statements };
  } finally {
    Client.prototype.query = original;
  }
}

// A database of its own: these loans are seeded without ledger entries, which the other suites'
// ledger checks (every active loan's principal in GL 1100) must not see.
let databaseUrl: string;

beforeAll(async () => {
  const url = new URL(loadConfig().databaseUrl);
  url.pathname = `${url.pathname}_reads_${process.pid}`;
  databaseUrl = url.toString();
  await (await openDatabase(databaseUrl, { migrate: true })).close();
  app = await startTestApp({ worker: false, configure: (c) => { c.databaseUrl = databaseUrl; } });
  const em = app.orm.em.fork();
  // Set-based seed (as bench/cob.bench.ts): one product, LOANS active loans of their own customers, each
  // with 3 installments (the first paid), a disbursement and a repayment, 2 timeline rows and a document.
  const tag = unique('reads');
  [{ id: productId }] = await sql<{ id: string }>(em, `
    insert into loan_product (id, name, currency_code, digits_after_decimal, min_principal, max_principal, min_interest_rate, max_interest_rate,
      min_number_of_repayments, max_number_of_repayments, repayment_every, repayment_frequency_type)
    values (gen_random_uuid(), ?, 'USD', 2, 100, 50000, 1, 30, 1, 24, 1, 'MONTHS') returning id::text`, [tag]);
  await sql(em, `
    with c as (
      insert into customer (id, first_name, last_name, email)
      select gen_random_uuid(), 'Reader', 'No ' || g, ? || '-' || g || '@example.com' from generate_series(1, ?) g returning id
    )
    insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
      repayment_frequency_type, status, stage, workflow_id, disbursed_on)
    select gen_random_uuid(), c.id, ?::uuid, 3000, 'USD', 12, 3, 1, 'MONTHS', 'ACTIVE', 'REPAYMENT', 'reads-test', date '2026-01-01' from c`,
  [tag, LOANS, productId]);
  await sql(em, `
    insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due,
      principal_paid, interest_paid, completed)
    select l.id, n, date '2026-01-01' + (n - 1) * 30, date '2026-01-01' + n * 30, 1000, 30, 0, 0,
           case when n = 1 then 1000 else 0 end, case when n = 1 then 30 else 0 end, n = 1
      from loan l cross join generate_series(1, 3) n where l.product_id = ?::uuid`, [productId]);
  await sql(em, `
    insert into loan_transaction (loan_id, type, amount, transaction_date, request_id, principal_portion, interest_portion)
    select l.id, t.type, t.amount, t.d, 'reads-' || t.type, t.p, t.i from loan l
      cross join (values ('DISBURSEMENT', 3000, date '2026-01-01', 3000, 0), ('REPAYMENT', 1030, date '2026-01-31', 1000, 30)) t(type, amount, d, p, i)
     where l.product_id = ?::uuid`, [productId]);
  await sql(em, `
    insert into loan_event (loan_id, request_id, action, from_stage, to_stage, from_status, to_status, actor, actor_role)
    select l.id, 'reads-' || e.action, e.action, e.fs, e.ts, e.fst, e.tst, 'system', 'SYSTEM' from loan l
      cross join (values ('APPLIED', null, 'APPLICATION', null, 'SUBMITTED'), ('ACTIVATED', 'ACTIVATION', 'REPAYMENT', 'APPROVED', 'ACTIVE')) e(action, fs, ts, fst, tst)
     where l.product_id = ?::uuid`, [productId]);
  await sql(em, `
    insert into document (id, customer_id, loan_id, type, file_name, content_type, size, sha256, storage_key, uploaded_by)
    select gen_random_uuid(), l.customer_id, l.id, 'ID_DOCUMENT', 'id.pdf', 'application/pdf', 10, repeat('0', 64), 'reads/' || l.id, 'system'
      from loan l where l.product_id = ?::uuid`, [productId]);
});

/** One more loan of the product, newest, without a schedule (as an application is); its id. */
async function insertApplication(workflowId: string): Promise<string> {
  const [{ id }] = await sql<{ id: string }>(app.orm.em.fork(), `
    insert into loan (id, customer_id, product_id, principal, currency_code, annual_interest_rate, number_of_repayments, repayment_every,
      repayment_frequency_type, status, stage, workflow_id)
    select gen_random_uuid(), customer_id, product_id, 1000, 'USD', 12, 3, 1, 'MONTHS', 'SUBMITTED', 'APPLICATION', ? from loan
     where product_id = ?::uuid limit 1 returning id::text`, [workflowId, productId]);
  return id;
}

afterAll(async () => {
  await app?.close();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

describe('loans page: SQL statements do not grow with the page size', () => {
  it('answers every per-loan field, from batched statements', async () => {
    const res = await app.gql(PAGE, { productId, first: 3 });
    expect(res.errors).toBeUndefined();
    const [node] = res.data.loans.edges.map((e: { node: unknown }) => e.node);
    expect(res.data.loans.totalCount).toBe(LOANS);
    expect(node).toMatchObject({
      status: 'ACTIVE',
      // 3 × (1000 principal + 30 interest) due, the first installment paid.
      balances: { principalOutstanding: '2000', interestOutstanding: '60', totalOutstanding: '2060', nextInstallmentNumber: 2, nextInstallmentAmount: '1030' },
      installments: [{ installmentNumber: 1, principalPaid: '1000', completed: true }, { installmentNumber: 2 }, { installmentNumber: 3 }],
      transactions: [{ type: 'DISBURSEMENT', amount: '3000' }, { type: 'REPAYMENT', amount: '1030' }],
      documents: [{ fileName: 'id.pdf' }],
      timeline: [{ action: 'APPLIED' }, { action: 'ACTIVATED' }],
    });
  });

  it('issues the same few statements for 2 loans as for 40', async () => {
    await app.gql('{ businessDate }'); // the token's session check, cached from here on
    const small = await countStatements(() => app.gql(PAGE, { productId, first: 2 }));
    const large = await countStatements(() => app.gql(PAGE, { productId, first: LOANS }));
    expect(small.result.errors).toBeUndefined();
    expect(large.result.errors).toBeUndefined();
    expect(small.result.data.loans.edges).toHaveLength(2);
    expect(large.result.data.loans.edges).toHaveLength(LOANS);
    // count, page, customers, products, installments, balances (summed in SQL), transactions, documents,
    // timeline, business date.
    expect(large.statements.length).toBeLessThanOrEqual(10);
    expect(large.statements.length).toBe(small.statements.length);
  });

  it('skips the count when totalCount is not asked for', async () => {
    const withCount = await countStatements(() => app.gql(`query($p: ID!) { loans(filter: { productId: $p }, first: 5) { totalCount edges { node { id } } } }`, { p: productId }));
    const without = await countStatements(() => app.gql(`query($p: ID!) { loans(filter: { productId: $p }, first: 5) { edges { node { id } } } }`, { p: productId }));
    expect(withCount.result.data.loans.totalCount).toBe(LOANS);
    // The count travels with the page (one message); without totalCount it is not asked at all.
    expect(without.statements.length).toBe(withCount.statements.length);
    expect(withCount.statements.join('\n')).toContain('select count(*)');
    expect(without.statements.join('\n')).not.toContain('select count(*)');
  });

  it('reads a page with its balances in ONE message, each as the balances loader gives it; a loan without installments has none', async () => {
    const em = app.orm.em.fork();
    const bare = await insertApplication('reads-bare');
    try {
      const LIST = `query($p: ID!, $n: Int) { loans(filter: { productId: $p }, first: $n) { edges { node { id
        balances { principalOutstanding interestOutstanding feeOutstanding penaltyOutstanding totalOutstanding totalOverdue nextInstallmentNumber nextInstallmentDueDate nextInstallmentAmount }
      } } } }`;
      await app.gql('{ businessDate }');
      const { result, statements } = await countStatements(() => app.gql(LIST, { p: productId, n: 6 }));
      expect(result.errors).toBeUndefined();
      expect(statements).toHaveLength(1);
      const nodes = result.data.loans.edges.map((e: { node: { id: string; balances: unknown } }) => e.node);
      expect(nodes[0]).toEqual({ id: bare, balances: null });
      // Each loan's balances as loan(id) reads them (the per-loan loader's statement).
      for (const n of nodes.slice(1)) {
        const one = await app.gql(`query($id: ID!) { loan(id: $id) { balances { principalOutstanding interestOutstanding feeOutstanding penaltyOutstanding totalOutstanding totalOverdue nextInstallmentNumber nextInstallmentDueDate nextInstallmentAmount } } }`, { id: n.id });
        expect(n.balances).toEqual(one.data.loan.balances);
        expect(n.balances).toMatchObject({ principalOutstanding: '2000', totalOutstanding: '2060' });
      }
    } finally {
      await sql(em, `delete from loan where id = ?::uuid`, [bare]);
    }
  });
});

describe('a page asking payoffQuote of a loan that is not active', () => {
  it('answers the page: the quote of that loan is null with its INVALID_STAGE error, the others are quoted', async () => {
    const em = app.orm.em.fork();
    const submitted = await insertApplication('reads-submitted');
    try {
      const result = await app.gql(`query($p: ID!) { loans(filter: { productId: $p }, first: 3) { edges { node { id status payoffQuote { total } } } } }`, { p: productId });
      const nodes = result.data.loans.edges.map((e: { node: unknown }) => e.node);
      expect(nodes[0]).toEqual({ id: submitted, status: 'SUBMITTED', payoffQuote: null });
      expect(nodes.slice(1)).toEqual([1, 2].map(() => expect.objectContaining({ status: 'ACTIVE', payoffQuote: { total: '2060' } })));
      expect(result.errors).toEqual([expect.objectContaining({ path: ['loans', 'edges', 0, 'node', 'payoffQuote'], extensions: { code: 'INVALID_STAGE' } })]);
    } finally {
      await sql(em, `delete from loan where id = ?::uuid`, [submitted]);
    }
  });
});

describe('loan rows leave out the JSON columns no selected field reads', () => {
  it('reads origination and scheduleSettings only when selected (directly or through a fragment), with the same answer as loan(id)', async () => {
    const [{ id }] = await sql<{ id: string }>(app.orm.em.fork(), `
      update loan set origination = ?::jsonb, schedule_settings = ?::jsonb
       where id = (select id from loan where product_id = ?::uuid order by created_at desc, id desc limit 1) returning id::text`,
    [JSON.stringify({ kycReviewerId: 'reviewer-1', kycChecklist: { ID_VERIFIED: true }, risk: null, offer: null, acceptedOffer: null, approvals: [] }),
      JSON.stringify({ amortizationType: 'EQUAL_INSTALLMENTS' }), productId]);
    const LIST = `query($p: ID!) { loans(filter: { productId: $p }, first: 1) { edges { node { id ...Json } } } }
      fragment Json on Loan { origination { kycReviewerId kycChecklist { item checked } } scheduleSettings { amortizationType } }`;
    const ONE = `query($id: ID!) { loan(id: $id) { id origination { kycReviewerId kycChecklist { item checked } } scheduleSettings { amortizationType } } }`;
    const list = await countStatements(() => app.gql(LIST, { p: productId }));
    const one = await app.gql(ONE, { id });
    expect(list.result.errors).toBeUndefined();
    expect(one.errors).toBeUndefined();
    const expected = { id, origination: { kycReviewerId: 'reviewer-1', kycChecklist: [{ item: 'ID_VERIFIED', checked: true }] }, scheduleSettings: { amortizationType: 'EQUAL_INSTALLMENTS' } };
    expect(list.result.data.loans.edges[0].node).toEqual(expected);
    expect(one.data.loan).toEqual(expected);
    expect(list.statements.find((s) => s.includes('from loan '))).toMatch(/"origination".*"schedule_settings"|"schedule_settings".*"origination"/);
    const bare = await countStatements(() => app.gql(`query($p: ID!) { loans(filter: { productId: $p }, first: 1) { edges { node { id status } } } }`, { p: productId }));
    const page = bare.statements.find((s) => s.includes('from loan '))!;
    expect(page).not.toMatch(/origination|schedule_settings|setting_overrides/);
  });
});

describe('loan(id) reads its rows in one round trip', () => {
  // Every per-loan field the read path batches, plus the loan's own; the page above asks the same.
  const FIELDS = `id status principal
    customer { id firstName }
    product { id name }
    balances { asOf principalOutstanding interestOutstanding totalOutstanding totalOverdue nextInstallmentNumber nextInstallmentDueDate nextInstallmentAmount }
    payoffQuote { total }
    installments { installmentNumber dueDate principalDue principalPaid completed }
    transactions { type amount transactionDate }`;

  it('answers customer, product, balances, payoffQuote, installments and transactions from ONE statement message, as the batched page does', async () => {
    await app.gql('{ businessDate }'); // the token's session check, cached from here on
    const page = await app.gql(`query($p: ID!) { loans(filter: { productId: $p }, first: 1) { edges { node { ${FIELDS} } } } }`, { p: productId });
    expect(page.errors).toBeUndefined();
    const fromPage = page.data.loans.edges[0].node;
    const one = await countStatements(() => app.gql(`query($id: ID!) { loan(id: $id) { ${FIELDS} } }`, { id: fromPage.id }));
    expect(one.result.errors).toBeUndefined();
    expect(one.result.data.loan).toEqual(fromPage);
    expect(one.result.data.loan.installments).toHaveLength(3);
    expect(one.result.data.loan.transactions).toHaveLength(2);
    // The loan with customer and product, installments, transactions, and the balances with their business date.
    expect(one.statements).toHaveLength(1);
    expect(one.statements[0].split(';\n')).toHaveLength(4);
  });

  it('labels balances with the business date their own statement read, on loan(id) and on a page (empty or not)', async () => {
    const [{ id }] = await sql<{ id: string }>(app.orm.em.fork(), `select id::text from loan where product_id = ?::uuid limit 1`, [productId]);
    const today = (await app.gql('{ businessDate }')).data.businessDate;
    const one = await countStatements(() => app.gql(`query($id: ID!) { loan(id: $id) { balances { asOf totalOutstanding } } }`, { id }));
    const page = await countStatements(() => app.gql(`query($p: ID!) { loans(filter: { productId: $p }, first: 2) { edges { node { balances { asOf } payoffQuote { date } } } } }`, { p: productId }));
    const empty = await countStatements(() => app.gql(`query($p: ID!) { loans(filter: { productId: $p }, first: 2) { edges { node { balances { asOf } } } } }`, { p: '00000000-0000-4000-8000-000000000000' }));
    expect(one.result.data.loan.balances).toEqual({ asOf: today, totalOutstanding: '2060' });
    expect(page.result.errors).toBeUndefined();
    expect(page.result.data.loans.edges.map((e: { node: unknown }) => e.node)).toEqual([1, 2].map(() => ({ balances: { asOf: today }, payoffQuote: { date: today } })));
    expect(empty.result).toEqual({ data: { loans: { edges: [] } } });
    // No statement of its own for the date: another statement's snapshot could see a date a close of business just moved.
    // (The payoff quotes read the product and installments after the page.)
    expect(one.statements).toHaveLength(1);
    expect(empty.statements).toHaveLength(1);
    for (const text of [...one.statements, ...page.statements, ...empty.statements]) expect(text).not.toContain('select date::text as date from business_date');
  });

  it('concurrent loan(id) requests over HTTP each get their own loan and their own access check', async () => {
    const ids = (await sql<{ id: string }>(app.orm.em.fork(), `select id::text from loan where product_id = ?::uuid order by id limit 8`, [productId])).map((r) => r.id);
    const alone = await Promise.all(ids.map((id) => app.gql(`query($id: ID!) { loan(id: $id) { ${FIELDS} } }`, { id }).then((r) => r.data.loan)));
    // A borrower of none of these loans, asking at the same moment: refused, and the others unaffected.
    const reg = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`,
      { i: { firstName: 'Other', lastName: 'Borrower', email: `${unique('other')}@example.com`, password: 'correct horse battery staple' } }, null);
    const borrower = reg.data.register.accessToken as string;
    await app.gql('{ businessDate }', {}, borrower);
    const missing = '00000000-0000-4000-8000-000000000000';
    const together = await countStatements(() => Promise.all([
      ...ids.map((id) => app.gql(`query($id: ID!) { loan(id: $id) { ${FIELDS} } }`, { id })),
      app.gql(`query($id: ID!) { loan(id: $id) { ${FIELDS} } }`, { id: ids[0] }, borrower),
      app.gql(`query($id: ID!) { loan(id: $id) { ${FIELDS} } }`, { id: missing }),
    ]));
    const answers = together.result;
    expect(answers.slice(0, ids.length).map((r) => r.data.loan)).toEqual(alone);
    expect(new Set(alone.map((l: { id: string }) => l.id))).toEqual(new Set(ids));
    expect(answers[ids.length].errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(answers[ids.length].data?.loan ?? null).toBeNull();
    expect(answers[ids.length + 1].errors).toBeUndefined();
    expect(answers[ids.length + 1].data.loan).toBeNull();
    // However the HTTP requests happened to interleave, no read took more than one message.
    expect(together.statements.filter((t) => t.includes('from loan l')).length).toBeLessThanOrEqual(ids.length + 2);
  });

  it('reads started in the same turn of the event loop go to PostgreSQL as ONE message, each with its own access check', async () => {
    const ids = (await sql<{ id: string }>(app.orm.em.fork(), `select id::text from loan where product_id = ?::uuid order by id limit 6`, [productId])).map((r) => r.id);
    const [{ customer_id: owner }] = await sql<{ customer_id: string }>(app.orm.em.fork(), `select customer_id::text from loan where id = ?::uuid`, [ids[0]]);
    const parts = { customer: true, product: true, json: {}, installments: true, transactions: true, balances: true };
    const ctx = (actor: Actor) => ({ ...({} as ServiceContext), em: app.orm.em.fork(), actor });
    const staff: Actor = { id: 'staff', role: 'LOAN_OFFICER', roles: ['LOAN_OFFICER'], authenticated: true };
    const borrower: Actor = { id: 'borrower', role: 'CUSTOMER', roles: ['CUSTOMER'], customerId: owner, authenticated: true };
    const { result, statements } = await countStatements(() => Promise.allSettled([
      ...ids.map((id) => readLoanWithRows(ctx(staff), id, parts)),
      readLoanWithRows(ctx(borrower), ids[0], parts), // their own loan
      readLoanWithRows(ctx(borrower), ids[1], parts), // somebody else's: FORBIDDEN, though its rows came in the same message
    ]));
    expect(statements).toHaveLength(1);
    expect(statements[0]).toContain('l.id = any(');
    const values = result.map((r) => (r.status === 'fulfilled' ? r.value.loan.id : (r.reason as { code?: string }).code));
    expect(values).toEqual([...ids, ids[0], 'FORBIDDEN']);
    const first = result[0] as PromiseFulfilledResult<LoanRead>;
    expect(first.value.installments).toHaveLength(3);
    expect(first.value.customer?.id).toBe(owner);
  });

  it('a shared read that fails fails every request waiting on it, at once, and the next read works', async () => {
    const [{ id }] = await sql<{ id: string }>(app.orm.em.fork(), `select id::text from loan where product_id = ?::uuid limit 1`, [productId]);
    const parts = { customer: true, product: true, json: {}, installments: true, transactions: true, balances: true };
    // A second connection pool to the same database, closed: its reads fail in PostgreSQL's client.
    const closed = await openDatabase(databaseUrl, { migrate: false });
    await closed.close();
    const em = closed.em.fork();
    const reads = [loanRead(em, id, parts), loanRead(em, id, parts)];
    for (const r of reads) await expect(r).rejects.toThrow();
    // Nothing is left waiting: the live pool's reads go on, one at a time and together.
    const live = await Promise.all([loanRead(app.orm.em.fork(), id, parts), loanRead(app.orm.em.fork(), id, parts)]);
    expect(live.map((r) => r?.loan.id)).toEqual([id, id]);
    expect(live[0]?.installments).toHaveLength(3);
  });

  it('asks only for what is selected, and a loan that does not exist is null', async () => {
    const [{ id }] = await sql<{ id: string }>(app.orm.em.fork(), `select id::text from loan where product_id = ?::uuid limit 1`, [productId]);
    const bare = await countStatements(() => app.gql(`query($id: ID!) { loan(id: $id) { id balances { totalOutstanding } } }`, { id }));
    expect(bare.result.data.loan).toEqual({ id, balances: { totalOutstanding: '2060' } });
    expect(bare.statements).toHaveLength(1);
    expect(bare.statements[0]).not.toContain('select * from loan_installment');
    expect(bare.statements[0]).not.toContain('from loan_transaction');
    const missing = await app.gql(`query($id: ID!) { loan(id: $id) { id balances { totalOutstanding } installments { installmentNumber } } }`, { id: '00000000-0000-4000-8000-000000000000' });
    expect(missing.errors).toBeUndefined();
    expect(missing.data.loan).toBeNull();
    // The id is checked before it is inlined into the statement text.
    const hostile = await app.gql(`query($id: ID!) { loan(id: $id) { id } }`, { id: "'; drop table loan; --" });
    expect(hostile.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
