/** Drives loans through origination to ACTIVE over real GraphQL, for servicing and COB tests. */
import { Decimal } from '../../src/domain/money';
import { Customer } from '../../src/entities';
import { sql } from '../../src/services/sql';
import { TEST_PASSWORD, unique, type TestApp } from '../utils';
import { APPLY, applicationInput, productInput } from './fixtures';
import { addDays } from '../../src/domain/dates';

export interface Staff {
  officer: { token: string; id: string };
  officer2: { token: string; id: string };
  manager: { token: string; id: string };
  kyc: { token: string; id: string };
  admin: { token: string; id: string };
}

export async function createStaff(app: TestApp): Promise<Staff> {
  const [officer, officer2, manager, kyc, admin] = await Promise.all([
    app.staff(['LOAN_OFFICER']), app.staff(['LOAN_OFFICER']), app.staff(['MANAGER']), app.staff(['KYC_OFFICER']), app.staff(['ADMIN']),
  ]);
  return { officer, officer2, manager, kyc, admin };
}

export async function ok(app: TestApp, query: string, vars: Record<string, unknown>, token: string): Promise<any> {
  const res = await app.gql(query, vars, token);
  if (res.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(res.errors)}`);
  return Object.values(res.data)[0];
}

const ALL_CHECKS = ['IDENTITY_VERIFIED', 'ADDRESS_VERIFIED', 'INCOME_VERIFIED', 'SANCTIONS_SCREENED'].map((item) => ({ item, checked: true }));
const AGREEMENT = `origination { agreement { documentHash } }`;

/** A new borrower applies; staff take the loan through every stage to ACTIVE with these terms. */
export async function activeLoan(
  app: TestApp, staff: Staff, productId: string,
  terms: { principal: string; rate: string; repayments: number; disbursementDate: string },
): Promise<{ loanId: string; borrowerToken: string }> {
  const email = `${unique('borrower')}@example.com`;
  const reg = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, { i: { firstName: 'Bo', lastName: 'Rower', email, password: TEST_PASSWORD } }, null);
  const token = reg.data.register.accessToken as string;
  const customerId = (await app.orm.em.fork().findOneOrFail(Customer, { email })).id;
  await ok(app, `mutation($id: ID!, $i: CustomerProfileInput!) { updateCustomerProfile(customerId: $id, input: $i) { id } }`,
    { id: customerId, i: { monthlyIncome: '9000', monthlyObligations: '300', employmentStatus: 'EMPLOYED', employmentYears: 6 } }, token);
  const loanId = (await ok(app, APPLY, { input: applicationInput(customerId, productId, { principal: terms.principal, annualInterestRate: terms.rate, numberOfRepayments: terms.repayments }) }, token)).id;
  await ok(app, `mutation($l: ID!) { submitApplication(loanId: $l) { id } }`, { l: loanId }, token);
  await ok(app, `mutation($l: ID!, $r: ID!) { assignKycReviewer(loanId: $l, reviewerId: $r) { id } }`, { l: loanId, r: staff.kyc.id }, staff.manager.token);
  await ok(app, `mutation($l: ID!, $i: [KycChecklistItemInput!]!) { completeKycChecklist(loanId: $l, items: $i) { id } }`, { l: loanId, i: ALL_CHECKS }, staff.kyc.token);
  const kyc = await ok(app, `mutation($l: ID!) { decideKyc(loanId: $l, approve: true) { stage } }`, { l: loanId }, staff.manager.token);
  if (kyc.stage !== 'DISCUSSION') throw new Error(`expected DISCUSSION after KYC, got ${kyc.stage}`);
  await ok(app, `mutation($l: ID!, $p: Decimal!, $r: Decimal!, $n: Int!) { sendOffer(loanId: $l, principal: $p, annualInterestRate: $r, numberOfRepayments: $n) { id } }`,
    { l: loanId, p: terms.principal, r: terms.rate, n: terms.repayments }, staff.officer.token);
  await ok(app, `mutation($l: ID!) { acceptOffer(loanId: $l, offerNumber: 1) { id } }`, { l: loanId }, token);
  const approved = await ok(app, `mutation($l: ID!) { approveLoan(loanId: $l, level: INTERNAL) { stage ${AGREEMENT} } }`, { l: loanId }, staff.officer2.token);
  if (approved.stage !== 'AGREEMENT') throw new Error(`expected AGREEMENT, got ${approved.stage} (more approval levels?)`);
  await ok(app, `mutation($l: ID!, $h: String!) { signAgreement(loanId: $l, signerName: "Bo Rower", documentHash: $h) { id } }`,
    { l: loanId, h: approved.origination.agreement.documentHash }, token);
  const active = await ok(app, `mutation($l: ID!, $d: LocalDate!) { activateLoan(loanId: $l, disbursementDate: $d) { stage status } }`,
    { l: loanId, d: terms.disbursementDate }, staff.officer.token);
  if (active.status !== 'ACTIVE') throw new Error(`expected ACTIVE, got ${active.status}`);
  return { loanId, borrowerToken: token };
}

/** Debits equal credits (trial balance over GraphQL), and the portfolio account holds exactly the principal active loans still owe. */
export async function expectLedgerConsistent(app: TestApp): Promise<void> {
  const tb = await ok(app, `query { trialBalance { totalDebits totalCredits rows { code balance } } }`, {}, app.token);
  expect(new Decimal(tb.totalDebits).eq(tb.totalCredits)).toBe(true);
  const [{ owed }] = await sql<{ owed: string }>(app.orm.em.fork(), `
    select coalesce(sum(i.principal_due - i.principal_paid), 0)::text as owed
      from loan_installment i join loan l on l.id = i.loan_id where l.status = 'ACTIVE'`);
  expect(new Decimal(tb.rows.find((r: { code: string }) => r.code === '1100').balance).eq(owed)).toBe(true);
}

/**
 * A book for close-of-business tests on the app's own database: an accrual product, the business date
 * at `start`, two loans activated through GraphQL and `copiesEach` row-for-row copies of each (with
 * installments), then the business date moved to the next day so `start` is the date to close.
 */
export async function seedAccrualBook(app: TestApp, start: string, copiesEach: number): Promise<{ staff: Staff; productId: string; sources: string[] }> {
  const staff = await createStaff(app);
  const productId = (await ok(app, `mutation($i: CreateLoanProductInput!) { createLoanProduct(input: $i) { id } }`, { i: productInput({ maxPrincipal: '100000.00' }) }, app.token)).id;
  await ok(app, `mutation($p: ID!, $i: ProductServicingInput!) { configureProductServicing(productId: $p, input: $i) { id } }`, {
    p: productId, i: { accountingRule: 'ACCRUAL_PERIODIC', allocationStrategy: 'PENALTIES_FEES_INTEREST_PRINCIPAL' },
  }, staff.admin.token);
  const advance = `mutation($to: LocalDate) { advanceBusinessDate(to: $to, runCob: false) { businessDate } }`;
  await ok(app, advance, { to: start }, staff.admin.token);
  const sources: string[] = [];
  for (const [principal, rate] of [['1200.00', '12'], ['2400.00', '24']]) {
    sources.push((await activeLoan(app, staff, productId, { principal, rate, repayments: 6, disbursementDate: start })).loanId);
  }
  const em = app.orm.em.fork();
  await sql(em, `
    insert into loan select (jsonb_populate_record(null::loan, to_jsonb(l) || jsonb_build_object('id', gen_random_uuid(), 'workflow_id', 'copy-of-' || l.id))).*
      from loan l cross join generate_series(1, ?) n where l.id = any(?::uuid[])`, [copiesEach, sources]);
  await sql(em, `
    insert into loan_installment (loan_id, installment_number, from_date, due_date, principal_due, interest_due, fee_charges_due, penalty_charges_due)
    select c.id, i.installment_number, i.from_date, i.due_date, i.principal_due, i.interest_due, i.fee_charges_due, i.penalty_charges_due
      from loan c join loan_installment i on 'copy-of-' || i.loan_id = c.workflow_id`);
  await ok(app, advance, { to: addDays(start, 1) }, staff.admin.token);
  return { staff, productId, sources };
}

/** Every ACCRUAL transaction has two journal lines, each balanced, and debits = credits = the accruals. */
export async function expectAccrualJournal(app: TestApp, accruals: number): Promise<void> {
  const [j] = await sql<{ lines: number; txs: number; d: string; c: string; total: string; unbalanced: number }>(app.orm.em.fork(), `
    select count(e.id)::int as lines, count(distinct t.id)::int as txs,
           coalesce(sum(e.amount) filter (where e.entry_type = 'DEBIT'), 0)::text as d,
           coalesce(sum(e.amount) filter (where e.entry_type = 'CREDIT'), 0)::text as c,
           (select sum(amount) from loan_transaction where type = 'ACCRUAL')::text as total,
           (select count(*)::int from (select loan_transaction_id from journal_entry group by loan_transaction_id
              having sum(case when entry_type = 'DEBIT' then amount else -amount end) <> 0) u) as unbalanced
      from loan_transaction t join journal_entry e on e.loan_transaction_id = t.id where t.type = 'ACCRUAL'`);
  expect({ lines: j.lines, txs: j.txs, unbalanced: j.unbalanced }).toEqual({ lines: 2 * accruals, txs: accruals, unbalanced: 0 });
  expect(new Decimal(j.d).gt(0) && new Decimal(j.d).eq(j.c) && new Decimal(j.d).eq(j.total)).toBe(true);
}
