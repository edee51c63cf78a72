/** loanSchedulePreview and loanProductSchedulePreview over real HTTP (no worker needed). */
import { startTestApp, type TestApp } from '../utils';
import { createProduct } from './fixtures';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ worker: false });
});
afterAll(async () => {
  await app?.close();
});

const PREVIEW = `query($terms: LoanScheduleTermsInput!) {
  loanSchedulePreview(terms: $terms) {
    currencyCode installmentAmount totalPrincipal totalInterest totalRepayment feeChargesAtDisbursement apr effectiveAnnualRate
    periods { period fromDate dueDate principalDue interestDue feeChargesDue totalDue principalLoanBalanceOutstanding }
  }
}`;

const PRODUCT_PREVIEW = `query($productId: ID!, $terms: ProductScheduleTermsInput!) {
  loanProductSchedulePreview(productId: $productId, terms: $terms) { currencyCode installmentAmount totalInterest periods { dueDate totalDue } }
}`;

const terms = {
  principal: '100',
  annualNominalInterestRate: '7',
  numberOfRepayments: 6,
  repaymentEvery: 1,
  repaymentFrequencyType: 'MONTHS',
  interestCalculationPeriodType: 'DAILY',
  daysInYearType: 'DAYS_360',
  daysInMonthType: 'DAYS_30',
  expectedDisbursementDate: '2024-01-01',
  currencyCode: 'EUR',
};

it('computes a schedule with decimals as strings, and APR/EAR', async () => {
  const res = await app.gql(PREVIEW, { terms });
  expect(res.errors).toBeUndefined();
  const s = res.data.loanSchedulePreview;
  expect(s).toMatchObject({ currencyCode: 'EUR', installmentAmount: '17.01', totalPrincipal: '100.00', totalInterest: '2.05', totalRepayment: '102.05' });
  expect(s.periods.map((p: any) => p.totalDue)).toEqual(['17.01', '17.01', '17.01', '17.01', '17.01', '17.00']);
  // Without fees the APR is the nominal rate (7 %), up to the day-count difference of 30/360 vs actual.
  expect(Number(s.apr)).toBeGreaterThan(6.9);
  expect(Number(s.apr)).toBeLessThan(7.1);
  expect(Number(s.effectiveAnnualRate)).toBeGreaterThan(Number(s.apr));
});

it('raises the APR above the nominal rate when there are fees', async () => {
  const res = await app.gql(PREVIEW, {
    terms: { ...terms, charges: [{ amount: '2', chargeTimeType: 'DISBURSEMENT', chargeCalculationType: 'PERCENT_OF_AMOUNT' }] },
  });
  expect(res.errors).toBeUndefined();
  expect(res.data.loanSchedulePreview.feeChargesAtDisbursement).toBe('2.00');
  expect(Number(res.data.loanSchedulePreview.apr)).toBeGreaterThan(13);
});

it.each([
  [{ numberOfRepayments: 0 }, 'numberOfRepayments'],
  [{ annualNominalInterestRate: '-1' }, 'annualNominalInterestRate'],
  [{ annualNominalInterestRate: '5000' }, 'annualNominalInterestRate'],
  [{ principal: '1e5' }, 'principal'],
  [{ expectedDisbursementDate: '2024-02-30' }, 'expectedDisbursementDate'],
  [{ graceOnPrincipalPayment: 6 }, 'graceOnPrincipalPayment'],
  [{ daysInYearType: 'DAYS_366' }, 'daysInYearType'],
  [{ repaymentsStartingFromDate: '2023-12-01' }, 'repaymentsStartingFromDate'],
])('rejects %j with BAD_USER_INPUT naming %s', async (override, field) => {
  const res = await app.gql(PREVIEW, { terms: { ...terms, ...override } });
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
});

it('checks product-bound terms against the product and uses its currency and frequency', async () => {
  const productId = await createProduct(app, { currencyCode: 'USD', repaymentEvery: 2, repaymentFrequencyType: 'WEEKS' });
  const base = { principal: '1000', annualNominalInterestRate: '12', numberOfRepayments: 6, expectedDisbursementDate: '2024-01-01' };
  const ok = await app.gql(PRODUCT_PREVIEW, { productId, terms: base });
  expect(ok.errors).toBeUndefined();
  expect(ok.data.loanProductSchedulePreview.currencyCode).toBe('USD');
  expect(ok.data.loanProductSchedulePreview.periods[0].dueDate).toBe('2024-01-15');
  const tooBig = await app.gql(PRODUCT_PREVIEW, { productId, terms: { ...base, principal: '60000' } });
  expect(tooBig.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'principal' });
  const tooLong = await app.gql(PRODUCT_PREVIEW, { productId, terms: { ...base, numberOfRepayments: 61 } });
  expect(tooLong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'numberOfRepayments' });
  const unknown = await app.gql(PRODUCT_PREVIEW, { productId: '00000000-0000-4000-8000-000000000000', terms: base });
  expect(unknown.errors?.[0].extensions?.code).toBe('NOT_FOUND');
});
