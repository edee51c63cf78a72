/**
 * Loan products configured as Apache Fineract's published scenarios, through GraphQL: each product is
 * built from the settings of one Fineract test (the case files in test/domain/fineract/cases cite source
 * file, scenario and line), and its loanProductSchedulePreview, the agreement's schedule and the schedule
 * an activated loan persists are compared with Fineract's figures to the cent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../../src/domain/money';
import { dropDatabase, openDatabase } from '../../src/database';
import { Customer, Loan } from '../../src/entities';
import { sql } from '../../src/services/sql';
import { startTestApp, TEST_PASSWORD, unique, type TestApp } from '../utils';
import { APPLY } from './fixtures';
import { createStaff, ok, type Staff } from './lifecycle';

let app: TestApp;
let staff: Staff;
let databaseUrl: string;
// Its own database: Fineract's scenarios have fixed dates, so this file moves the business date back and forth.
beforeAll(async () => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_products`;
  databaseUrl = url.toString();
  await (await openDatabase(databaseUrl, { migrate: true })).close();
  app = await startTestApp({ configure: (c) => { c.databaseUrl = databaseUrl; } });
  staff = await createStaff(app);
});
afterAll(async () => {
  await app?.close();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

interface Case {
  source: string;
  terms: Record<string, any>;
  periods: { period: number; dueDate?: string; principalDue?: string; interestDue?: string; totalDue?: string; principalLoanBalanceOutstanding?: string | null }[];
}
const fineractCase = (name: string): Case => JSON.parse(readFileSync(join(__dirname, '../domain/fineract/cases', `${name}.json`), 'utf8'));

/** Fineract's LoanScheduleGeneratorTest (see test/domain/fineract/first-repayment-date.test.ts for the citation). */
const FIRST_REPAYMENT_CASE: Case = {
  source: 'apache/fineract fineract-progressive-loan/src/test/java/org/apache/fineract/portfolio/loanaccount/loanschedule/domain/LoanScheduleGeneratorTest.java testGenerateLoanSchedule',
  terms: {
    principal: '192.22', annualNominalInterestRate: '9.99', numberOfRepayments: 6, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS',
    amortizationType: 'EQUAL_INSTALLMENTS', interestType: 'DECLINING_BALANCE', interestCalculationPeriodType: 'DAILY', daysInYearType: 'DAYS_360',
    daysInMonthType: 'DAYS_30', expectedDisbursementDate: '2024-01-15', repaymentsStartingFromDate: '2024-02-01', currencyCode: 'USD', loanScheduleType: 'PROGRESSIVE',
  },
  periods: [
    ['2024-02-01', '31.97', '0.88', '32.85', '160.25'], ['2024-03-01', '31.52', '1.33', '32.85', '128.73'], ['2024-04-01', '31.78', '1.07', '32.85', '96.95'],
    ['2024-05-01', '32.04', '0.81', '32.85', '64.91'], ['2024-06-01', '32.31', '0.54', '32.85', '32.60'], ['2024-07-01', '32.60', '0.27', '32.87', '0'],
  ].map(([dueDate, principalDue, interestDue, totalDue, principalLoanBalanceOutstanding], i) => ({ period: i + 1, dueDate, principalDue, interestDue, totalDue, principalLoanBalanceOutstanding })),
};

const SETTINGS = [
  'amortizationType', 'interestType', 'interestCalculationPeriodType', 'daysInYearType', 'daysInMonthType', 'graceOnPrincipalPayment', 'graceOnInterestPayment',
  'graceOnInterestCharged', 'inMultiplesOf', 'installmentAmountInMultiplesOf', 'loanScheduleType', 'allowPartialPeriodInterestCalculation', 'digitsAfterDecimal',
] as const;

const PRODUCT_FIELDS = `id settingsVersion version ${SETTINGS.join(' ')} repaymentEvery repaymentFrequencyType`;
const CREATE = `mutation($i: CreateLoanProductInput!) { createLoanProduct(input: $i) { ${PRODUCT_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateLoanProductInput!) { updateLoanProduct(id: $id, input: $i) { ${PRODUCT_FIELDS} settingsHistory { version settings } } }`;
const PREVIEW = `query($p: ID!, $t: ProductScheduleTermsInput!) {
  loanProductSchedulePreview(productId: $p, terms: $t) { currencyCode installmentAmount totalInterest feeChargesAtDisbursement totalFeeCharges
    periods { period fromDate dueDate principalDue interestDue feeChargesDue totalDue principalLoanBalanceOutstanding } } }`;
const LOAN = `query($id: ID!) { loan(id: $id) { stage status repaymentsStartingFromDate scheduleSettings { productSettingsVersion amortizationType interestType daysInYearType loanScheduleType graceOnPrincipalPayment }
  installments { installmentNumber fromDate dueDate principalDue interestDue feeChargesDue } } }`;

/** A product with exactly the case's settings; limits around its terms. */
function productFor(c: Case, extra: Record<string, unknown> = {}) {
  const t = c.terms;
  const settings = Object.fromEntries(SETTINGS.filter((k) => t[k] !== undefined && t[k] !== null).map((k) => [k, t[k]]));
  return {
    name: unique('Fineract product'), currencyCode: t.currencyCode, minPrincipal: t.principal, maxPrincipal: new Decimal(t.principal).times(100).toFixed(),
    minInterestRate: '0', maxInterestRate: '200', minNumberOfRepayments: t.numberOfRepayments, maxNumberOfRepayments: 120,
    repaymentEvery: t.repaymentEvery, repaymentFrequencyType: t.repaymentFrequencyType, ...settings, ...extra,
  };
}

function loanTerms(c: Case) {
  const t = c.terms;
  return { principal: t.principal, annualNominalInterestRate: t.annualNominalInterestRate, numberOfRepayments: t.numberOfRepayments, expectedDisbursementDate: t.expectedDisbursementDate, repaymentsStartingFromDate: t.repaymentsStartingFromDate ?? null };
}

/** Every figure Fineract published for the case equals ours (as decimals: Fineract prints 278.0 for 278.00). */
function expectFineract(c: Case, periods: { dueDate: string; principalDue: string; interestDue: string; totalDue?: string; principalLoanBalanceOutstanding?: string }[]) {
  expect(periods).toHaveLength(c.periods.length);
  c.periods.forEach((want, i) => {
    const got = periods[i];
    if (want.dueDate) expect(`${i + 1} ${got.dueDate}`).toBe(`${i + 1} ${want.dueDate}`);
    for (const f of ['principalDue', 'interestDue', 'totalDue', 'principalLoanBalanceOutstanding'] as const) {
      const w = want[f];
      const g = (got as Record<string, string | undefined>)[f];
      if (w == null || g === undefined) continue;
      expect(`${i + 1} ${f} ${new Decimal(g).toFixed(2)}`).toBe(`${i + 1} ${f} ${new Decimal(w).toFixed(2)}`);
    }
  });
}

const PREVIEW_CASES = [
  'e2e-rs01-flat-5000-12pct-18m',
  'e2e-rs02-declining-emi-5000-12pct-18m',
  'e2e-rs03-declining-daily-actual-5000-12pct-18m',
  'e2e-rs04-equal-principal-5000-12pct-18m',
  'e2e-rs07-grace-principal-6-interest-payment-3',
  'e2e-progressive-100-7pct-360-30-6m',
  'e2e-progressive-actual-actual-10000-12pct-6m',
  'it-flat-1250-12pct-3m-multiples20',
  'it-declining-every15days-500-12pct-per-month-4p',
  'unit-progressive-100-9.4822pct-364-weekly-6w',
];

describe('loanProductSchedulePreview: products built from Fineract scenarios', () => {
  it.each(PREVIEW_CASES)('%s: the product preview equals Fineract to the cent', async (name) => {
    const c = fineractCase(name);
    const product = await ok(app, CREATE, { i: productFor(c) }, staff.admin.token);
    for (const k of SETTINGS) if (c.terms[k] != null) expect([k, product[k]]).toEqual([k, c.terms[k]]);
    const preview = await ok(app, PREVIEW, { p: product.id, t: loanTerms(c) }, staff.officer.token);
    expectFineract(c, preview.periods);
  });

  it('the first repayment date gives Fineract\'s broken first period (LoanScheduleGeneratorTest)', async () => {
    const product = await ok(app, CREATE, { i: productFor(FIRST_REPAYMENT_CASE) }, staff.admin.token);
    const preview = await ok(app, PREVIEW, { p: product.id, t: loanTerms(FIRST_REPAYMENT_CASE) }, staff.officer.token);
    expectFineract(FIRST_REPAYMENT_CASE, preview.periods);
    expect(preview.periods[0].fromDate).toBe('2024-01-15');
  });

  it('takes only loan-level terms, checks them against the product, and names bad ones', async () => {
    const c = fineractCase('e2e-rs01-flat-5000-12pct-18m');
    const product = await ok(app, CREATE, { i: productFor(c) }, staff.admin.token);
    const extra = await app.gql(PREVIEW, { p: product.id, t: { ...loanTerms(c), interestType: 'DECLINING_BALANCE' } }, staff.officer.token);
    expect(extra.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const small = await app.gql(PREVIEW, { p: product.id, t: { ...loanTerms(c), principal: '10' } }, staff.officer.token);
    expect(small.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'principal' });
    const first = await app.gql(PREVIEW, { p: product.id, t: { ...loanTerms(c), repaymentsStartingFromDate: c.terms.expectedDisbursementDate } }, staff.officer.token);
    expect(first.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'repaymentsStartingFromDate' });
  });

  it('refuses settings that cannot make a schedule, naming the setting', async () => {
    const c = fineractCase('e2e-rs01-flat-5000-12pct-18m');
    for (const [bad, field] of [
      [{ loanScheduleType: 'PROGRESSIVE' }, 'loanScheduleType'], // flat interest cannot be progressive
      [{ graceOnPrincipalPayment: 18 }, 'graceOnPrincipalPayment'],
      [{ digitsAfterDecimal: 3 }, 'digitsAfterDecimal'],
    ] as const) {
      const res = await app.gql(CREATE, { i: productFor(c, bad) }, staff.admin.token);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

/** A borrower applies (optionally with a first repayment date and overrides); staff take the loan to ACTIVE. */
async function activate(productId: string, c: Case, apply: Record<string, unknown> = {}): Promise<{ loanId: string }> {
  const t = c.terms;
  const email = `${unique('borrower')}@example.com`;
  const reg = await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, { i: { firstName: 'Bo', lastName: 'Rower', email, password: TEST_PASSWORD } }, null);
  const token = reg.data.register.accessToken as string;
  const customerId = (await app.orm.em.fork().findOneOrFail(Customer, { email })).id;
  await ok(app, `mutation($id: ID!, $i: CustomerProfileInput!) { updateCustomerProfile(customerId: $id, input: $i) { id } }`,
    { id: customerId, i: { monthlyIncome: '90000', monthlyObligations: '300', employmentStatus: 'EMPLOYED', employmentYears: 6 } }, token);
  const input = { customerId, productId, principal: t.principal, currencyCode: t.currencyCode, annualInterestRate: t.annualNominalInterestRate, numberOfRepayments: t.numberOfRepayments, ...apply };
  const loanId = (await ok(app, APPLY, { input }, token)).id;
  await ok(app, `mutation($l: ID!) { submitApplication(loanId: $l) { id } }`, { l: loanId }, token);
  await ok(app, `mutation($l: ID!, $r: ID!) { assignKycReviewer(loanId: $l, reviewerId: $r) { id } }`, { l: loanId, r: staff.kyc.id }, staff.manager.token);
  const checks = ['IDENTITY_VERIFIED', 'ADDRESS_VERIFIED', 'INCOME_VERIFIED', 'SANCTIONS_SCREENED'].map((item) => ({ item, checked: true }));
  await ok(app, `mutation($l: ID!, $i: [KycChecklistItemInput!]!) { completeKycChecklist(loanId: $l, items: $i) { id } }`, { l: loanId, i: checks }, staff.kyc.token);
  const kyc = await ok(app, `mutation($l: ID!) { decideKyc(loanId: $l, approve: true) { stage } }`, { l: loanId }, staff.manager.token);
  expect(kyc.stage).toBe('DISCUSSION');
  await ok(app, `mutation($l: ID!, $p: Decimal!, $r: Decimal!, $n: Int!) { sendOffer(loanId: $l, principal: $p, annualInterestRate: $r, numberOfRepayments: $n) { id } }`,
    { l: loanId, p: t.principal, r: t.annualNominalInterestRate, n: t.numberOfRepayments }, staff.officer.token);
  await ok(app, `mutation($l: ID!) { acceptOffer(loanId: $l, offerNumber: 1) { id } }`, { l: loanId }, token);
  const approved = await ok(app, `mutation($l: ID!) { approveLoan(loanId: $l, level: INTERNAL) { stage origination { agreement { documentHash } } } }`, { l: loanId }, staff.officer2.token);
  expect(approved.stage).toBe('AGREEMENT');
  await ok(app, `mutation($l: ID!, $h: String!) { signAgreement(loanId: $l, signerName: "Bo Rower", documentHash: $h) { id } }`,
    { l: loanId, h: approved.origination.agreement.documentHash }, token);
  const active = await ok(app, `mutation($l: ID!, $d: LocalDate!) { activateLoan(loanId: $l, disbursementDate: $d) { status } }`, { l: loanId, d: t.expectedDisbursementDate }, staff.officer.token);
  expect(active.status).toBe('ACTIVE');
  return { loanId };
}

/** This file's own database: the business date is set directly (Fineract's scenarios lie in the past). */
const setBusinessDate = (to: string) => sql(app.orm.em.fork(), `update business_date set date = ? where name = 'BUSINESS_DATE'`, [to]);

describe('activated loans under Fineract-configured products', () => {
  it.each([
    ['e2e-rs01-flat-5000-12pct-18m'],
    ['e2e-rs07-grace-principal-6-interest-payment-3'],
    ['e2e-progressive-100-7pct-360-30-6m'],
  ])('%s: the activated schedule equals Fineract to the cent', async (name) => {
    const c = fineractCase(name);
    await setBusinessDate(c.terms.expectedDisbursementDate);
    const product = await ok(app, CREATE, { i: productFor(c) }, staff.admin.token);
    const { loanId } = await activate(product.id, c);
    const loan = await ok(app, LOAN, { id: loanId }, staff.officer.token);
    expect(loan.scheduleSettings).toMatchObject({ productSettingsVersion: 1, interestType: c.terms.interestType, loanScheduleType: c.terms.loanScheduleType });
    expectFineract(c, loan.installments);
  });

  it('a first repayment date on the application gives the broken first period at activation', async () => {
    const c = FIRST_REPAYMENT_CASE;
    await setBusinessDate('2024-01-15');
    const product = await ok(app, CREATE, { i: productFor(c) }, staff.admin.token);
    const { loanId } = await activate(product.id, c, { repaymentsStartingFromDate: '2024-02-01' });
    const loan = await ok(app, LOAN, { id: loanId }, staff.officer.token);
    expect(loan.repaymentsStartingFromDate).toBe('2024-02-01');
    expectFineract(c, loan.installments);
    expect(loan.installments[0].fromDate).toBe('2024-01-15');
  });
});

describe('updateLoanProduct and settings versions', () => {
  it('edits a product without loans in place, and versions the settings of a product with loans', async () => {
    const c = fineractCase('e2e-rs02-declining-emi-5000-12pct-18m');
    await setBusinessDate(c.terms.expectedDisbursementDate);
    const created = await ok(app, CREATE, { i: productFor(c) }, staff.admin.token);
    // No loans yet: the change rewrites version 1.
    const inPlace = await ok(app, UPDATE, { id: created.id, i: { interestType: 'FLAT', expectedVersion: created.version } }, staff.admin.token);
    expect(inPlace).toMatchObject({ settingsVersion: 1, interestType: 'FLAT' });
    expect(inPlace.settingsHistory).toHaveLength(1);
    expect(inPlace.settingsHistory[0].settings.interestType).toBe('FLAT');
    const stale = await app.gql(UPDATE, { id: created.id, i: { interestType: 'DECLINING_BALANCE', expectedVersion: created.version } }, staff.admin.token);
    expect(stale.errors?.[0].extensions?.code).toBe('CONFLICT');
    const back = await ok(app, UPDATE, { id: created.id, i: { interestType: 'DECLINING_BALANCE' } }, staff.admin.token);

    // A loan offered under version 1 keeps it when the product moves to version 2.
    const { loanId } = await activate(created.id, c);
    const v2 = await ok(app, UPDATE, { id: created.id, i: { interestType: 'FLAT', expectedVersion: back.version } }, staff.admin.token);
    expect(v2).toMatchObject({ settingsVersion: 2, interestType: 'FLAT' });
    expect(v2.settingsHistory.map((h: any) => [h.version, h.settings.interestType])).toEqual([[1, 'DECLINING_BALANCE'], [2, 'FLAT']]);
    const loan = await ok(app, LOAN, { id: loanId }, staff.officer.token);
    expect(loan.scheduleSettings).toMatchObject({ productSettingsVersion: 1, interestType: 'DECLINING_BALANCE' });
    expectFineract(c, loan.installments);
    const row = await app.orm.em.fork().findOneOrFail(Loan, loanId);
    expect(row.scheduleSettings?.interestType).toBe('DECLINING_BALANCE');

    const currency = await app.gql(UPDATE, { id: created.id, i: { currencyCode: 'USD' } }, staff.admin.token);
    expect(currency.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'currencyCode' });
    const notAdmin = await app.gql(UPDATE, { id: created.id, i: { interestType: 'FLAT' } }, staff.officer.token);
    expect(notAdmin.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('lets a loan override only what the product allows', async () => {
    const c = fineractCase('e2e-rs05-grace-principal-3');
    await setBusinessDate(c.terms.expectedDisbursementDate);
    const strict = await ok(app, CREATE, { i: productFor(c, { graceOnPrincipalPayment: 0 }) }, staff.admin.token);
    const email = `${unique('b')}@example.com`;
    await app.gql(`mutation($i: RegisterInput!) { register(input: $i) { accessToken } }`, { i: { firstName: 'A', lastName: 'B', email, password: TEST_PASSWORD } }, null);
    const customerId = (await app.orm.em.fork().findOneOrFail(Customer, { email })).id;
    const input = (productId: string) => ({ customerId, productId, principal: c.terms.principal, currencyCode: 'EUR', annualInterestRate: '12', numberOfRepayments: 18, overrides: { graceOnPrincipalPayment: 3 } });
    const refused = await app.gql(APPLY, { input: input(strict.id) }, staff.officer.token);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'overrides.graceOnPrincipalPayment' });

    // With the override allowed the loan is RS05 (principal grace 3) on a product without grace.
    const lenient = await ok(app, CREATE, { i: productFor(c, { graceOnPrincipalPayment: 0, allowAttributeOverrides: { graceOnPrincipalAndInterestPayment: true } }) }, staff.admin.token);
    const { loanId } = await activate(lenient.id, c, { overrides: { graceOnPrincipalPayment: 3 } });
    const loan = await ok(app, LOAN, { id: loanId }, staff.officer.token);
    expect(loan.scheduleSettings.graceOnPrincipalPayment).toBe(3);
    expectFineract(c, loan.installments);
  });
});

describe('charges: a fee loan repaid to closure', () => {
  const TB = `query { trialBalance { totalDebits totalCredits rows { code balance } } }`;
  /** Balances (debits − credits) per GL code, and the check that debits equal credits. */
  async function ledger(): Promise<Record<string, Decimal>> {
    const tb = await ok(app, TB, {}, staff.admin.token);
    expect(new Decimal(tb.totalDebits).eq(tb.totalCredits)).toBe(true);
    return Object.fromEntries(tb.rows.map((r: { code: string; balance: string }) => [r.code, new Decimal(r.balance)]));
  }
  const delta = (after: Record<string, Decimal>, before: Record<string, Decimal>, code: string) => (after[code] ?? new Decimal(0)).minus(before[code] ?? new Decimal(0)).toFixed(2);

  it('charges the disbursement fee at disbursement and the installment fee on every installment; fee income and the portfolio balance at every step', async () => {
    // Settings of Fineract's RS02 (declining EMI, 5000 at 12 %, 18 months); fees as Fineract models them.
    const c = fineractCase('e2e-rs02-declining-emi-5000-12pct-18m');
    await setBusinessDate(c.terms.expectedDisbursementDate);
    const CHARGE = `mutation($i: CreateChargeInput!) { createCharge(input: $i) { id name chargeTimeType chargeCalculationType penalty amount currencyCode } }`;
    const disbursementFee = await ok(app, CHARGE, { i: { name: unique('Processing fee'), chargeTimeType: 'DISBURSEMENT', chargeCalculationType: 'PERCENT_OF_AMOUNT', amount: '1', currencyCode: 'EUR' } }, staff.admin.token);
    const installmentFee = await ok(app, CHARGE, { i: { name: unique('Account fee'), chargeTimeType: 'INSTALLMENT_FEE', chargeCalculationType: 'FLAT', amount: '2.50', currencyCode: 'EUR' } }, staff.admin.token);
    expect(disbursementFee).toMatchObject({ chargeTimeType: 'DISBURSEMENT', penalty: false, amount: '1' });
    const wrongCurrency = await ok(app, CHARGE, { i: { name: unique('USD fee'), chargeTimeType: 'INSTALLMENT_FEE', chargeCalculationType: 'FLAT', amount: '1', currencyCode: 'USD' } }, staff.admin.token);
    const refused = await app.gql(CREATE, { i: productFor(c, { chargeIds: [wrongCurrency.id] }) }, staff.admin.token);
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'chargeIds[0]' });

    const product = await ok(app, CREATE, { i: productFor(c, { chargeIds: [disbursementFee.id, installmentFee.id] }) }, staff.admin.token);
    const preview = await ok(app, PREVIEW, { p: product.id, t: loanTerms(c) }, staff.officer.token);
    // The fees do not change Fineract's principal and interest; 1 % of 5000 at disbursement, 2.50 per installment.
    expectFineract(c, preview.periods.map((p: any) => ({ ...p, totalDue: undefined })));
    expect(preview.feeChargesAtDisbursement).toBe('50.00');
    expect(preview.periods.every((p: any) => p.feeChargesDue === '2.50')).toBe(true);
    expect(preview.totalFeeCharges).toBe('95.00');

    const before = await ledger();
    const { loanId } = await activate(product.id, c);
    const FEES = `query($id: ID!) { loan(id: $id) { status charges { name chargeTimeType amount } installments { installmentNumber principalDue interestDue feeChargesDue feePaid completed } transactions { type amount feePortion } } }`;
    let loan = await ok(app, FEES, { id: loanId }, staff.officer.token);
    expect(loan.charges.map((x: any) => [x.chargeTimeType, x.amount])).toEqual([['DISBURSEMENT', '50'], ['INSTALLMENT_FEE', '45']]);
    expect(loan.installments.map((i: any) => i.feeChargesDue)).toEqual(Array(18).fill('2.5'));
    expect(loan.transactions.map((t: any) => [t.type, t.amount])).toEqual([['DISBURSEMENT', '5000'], ['REPAYMENT_AT_DISBURSEMENT', '50']]);
    let after = await ledger();
    // Cash accounting: 5000 out, 50 fee back in as fee income; the portfolio holds the principal.
    expect([delta(after, before, '1100'), delta(after, before, '1000'), delta(after, before, '4100')]).toEqual(['5000.00', '-4950.00', '-50.00']);

    const REPAY = `mutation($l: ID!, $a: Decimal!, $k: String!) { recordRepayment(loanId: $l, amount: $a, idempotencyKey: $k) { id feePortion principalPortion interestPortion } }`;
    let principalPaid = new Decimal(0);
    let interestPaid = new Decimal(0);
    let feesPaid = new Decimal(50);
    for (const inst of loan.installments) {
      const due = new Decimal(inst.principalDue).plus(inst.interestDue).plus(inst.feeChargesDue);
      const tx = await ok(app, REPAY, { l: loanId, a: due.toFixed(2), k: `repay-${loanId}-${inst.installmentNumber}` }, staff.officer.token);
      expect(new Decimal(tx.feePortion).toFixed(2)).toBe('2.50');
      principalPaid = principalPaid.plus(tx.principalPortion);
      interestPaid = interestPaid.plus(tx.interestPortion);
      feesPaid = feesPaid.plus(tx.feePortion);
      after = await ledger();
      expect(delta(after, before, '4100')).toBe(feesPaid.neg().toFixed(2));
      expect(delta(after, before, '4000')).toBe(interestPaid.neg().toFixed(2));
      expect(delta(after, before, '1100')).toBe(new Decimal(5000).minus(principalPaid).toFixed(2));
    }
    loan = await ok(app, FEES, { id: loanId }, staff.officer.token);
    expect(feesPaid.toFixed(2)).toBe('95.00');
    expect(principalPaid.toFixed(2)).toBe('5000.00');
    expect(loan.installments.every((i: any) => i.completed && i.feePaid === '2.5')).toBe(true);
    expect(loan.status).toBe('CLOSED_OBLIGATIONS_MET');
    // Every cent the borrower paid is in the fund source: fees + interest + principal − the 5000 disbursed.
    expect(delta(after, before, '1000')).toBe(feesPaid.plus(interestPaid).toFixed(2));
  });
});
