/**
 * The broken first period: a first repayment date (`repaymentsStartingFromDate`) that makes the first
 * period shorter than a regular one.
 *
 * Source: apache/fineract fineract-progressive-loan/src/test/java/org/apache/fineract/portfolio/loanaccount/
 * loanschedule/domain/LoanScheduleGeneratorTest.java, testGenerateLoanSchedule (192.22 USD disbursed
 * 2024-01-15, 9.99 %, 6 monthly repayments from 2024-02-01, DAYS_360 / DAYS_30, progressive EMI, 12-digit
 * HALF_EVEN). Fineract's test puts the first repayment period at 2024-01-01..2024-02-01 with the
 * disbursement inside it; interest runs from the disbursement, i.e. 17/31 of the period's rate factor.
 * Our period 1 starts on the disbursement date (what the borrower sees) with the same amounts.
 */
import { generateSchedule, type LoanTerms } from '../../../src/domain';

const terms: LoanTerms = {
  principal: '192.22',
  annualNominalInterestRate: '9.99',
  numberOfRepayments: 6,
  repaymentEvery: 1,
  repaymentFrequencyType: 'MONTHS',
  amortizationType: 'EQUAL_INSTALLMENTS',
  interestType: 'DECLINING_BALANCE',
  interestCalculationPeriodType: 'DAILY',
  daysInYearType: 'DAYS_360',
  daysInMonthType: 'DAYS_30',
  expectedDisbursementDate: '2024-01-15',
  repaymentsStartingFromDate: '2024-02-01',
  currencyCode: 'USD',
  loanScheduleType: 'PROGRESSIVE',
};

// [dueDate, principal, interest, total, balance] as asserted by checkRepaymentPeriod in the Fineract test.
const FINERACT = [
  ['2024-02-01', '31.97', '0.88', '32.85', '160.25'],
  ['2024-03-01', '31.52', '1.33', '32.85', '128.73'],
  ['2024-04-01', '31.78', '1.07', '32.85', '96.95'],
  ['2024-05-01', '32.04', '0.81', '32.85', '64.91'],
  ['2024-06-01', '32.31', '0.54', '32.85', '32.60'],
  ['2024-07-01', '32.60', '0.27', '32.87', '0.00'],
];

describe('first repayment date (broken first period), Fineract LoanScheduleGeneratorTest', () => {
  it('matches every installment to the cent', () => {
    const s = generateSchedule(terms);
    expect(s.periods.map((p) => [p.dueDate, p.principalDue, p.interestDue, p.totalDue, p.principalLoanBalanceOutstanding])).toEqual(FINERACT);
    expect(s.periods[0].fromDate).toBe('2024-01-15');
    expect(s.installmentAmount).toBe('32.85');
  });

  it('charges a full period when the first repayment date is exactly one period after the disbursement', () => {
    const regular = generateSchedule({ ...terms, repaymentsStartingFromDate: null });
    const same = generateSchedule({ ...terms, repaymentsStartingFromDate: '2024-02-15' });
    expect(same.periods).toEqual(regular.periods);
    // 192.22 × 9.99 % / 12 = 1.60 for a whole 30/360 month.
    expect(regular.periods[0].interestDue).toBe('1.60');
  });

  it('charges more interest for a longer first period (45 of 31 days)', () => {
    const long = generateSchedule({ ...terms, expectedDisbursementDate: '2024-01-15', repaymentsStartingFromDate: '2024-02-29' });
    // 45 days from 2024-01-15; the regular period ending 2024-02-29 starts 2024-01-29 (31 days): 45/31 of a month's factor.
    const factor = (0.0999 / 12) * (45 / 31);
    expect(long.periods[0].interestDue).toBe((Math.round(192.22 * factor * 100) / 100).toFixed(2));
  });
});
