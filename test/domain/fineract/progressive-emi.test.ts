/**
 * Apache Fineract's own progressive EMI calculator tests, reproduced to the cent.
 * Source: apache/fineract, fineract-progressive-loan/src/test/java/org/apache/fineract/portfolio/
 * loanproduct/calc/ProgressiveEMICalculatorTest.java (MathContext(12, HALF_EVEN), USD 2 digits).
 * Each case names the Java test method it comes from; the expected figures are copied from its
 * checkPeriod(...) assertions: EMI, due interest, due principal, outstanding balance.
 */
import { generateSchedule, type LoanTerms } from '../../../src/domain';

const base: LoanTerms = {
  principal: '100',
  annualNominalInterestRate: '9.4822',
  numberOfRepayments: 6,
  repaymentEvery: 1,
  repaymentFrequencyType: 'MONTHS',
  amortizationType: 'EQUAL_INSTALLMENTS',
  interestType: 'DECLINING_BALANCE',
  interestCalculationPeriodType: 'DAILY',
  daysInYearType: 'DAYS_360',
  daysInMonthType: 'DAYS_30',
  expectedDisbursementDate: '2024-01-01',
  currencyCode: 'USD',
  loanScheduleType: 'PROGRESSIVE',
};

/** [emi, interest, principal, balance] per period, as in the Java assertions. */
type Row = [string, string, string, string];

function expectRows(terms: LoanTerms, rows: Row[]) {
  const s = generateSchedule(terms);
  expect(s.periods.map((p) => [p.totalDue, p.interestDue, p.principalDue, p.principalLoanBalanceOutstanding])).toEqual(rows);
}

describe('Fineract ProgressiveEMICalculatorTest', () => {
  it('testEMICalculation_disbursedAmt100_dayInYears360_daysInMonth30_repayEvery1Month', () => {
    expectRows(base, [
      ['17.13', '0.79', '16.34', '83.66'],
      ['17.13', '0.66', '16.47', '67.19'],
      ['17.13', '0.53', '16.60', '50.59'],
      ['17.13', '0.40', '16.73', '33.86'],
      ['17.13', '0.27', '16.86', '17.00'],
      ['17.13', '0.13', '17.00', '0.00'],
    ]);
  });

  it('testEMICalculation_CheckEmiButNewEmiNotBetterThanOriginal (15.678 %, 365/actual)', () => {
    expectRows({ ...base, annualNominalInterestRate: '15.678', daysInYearType: 'DAYS_365', daysInMonthType: 'ACTUAL' }, [
      ['17.43', '1.33', '16.10', '83.90'],
      ['17.43', '1.05', '16.38', '67.52'],
      ['17.43', '0.90', '16.53', '50.99'],
      ['17.43', '0.66', '16.77', '34.22'],
      ['17.43', '0.46', '16.97', '17.25'],
      ['17.47', '0.22', '17.25', '0.00'],
    ]);
  });

  it('testEMICalculation_disbursedAmt1000_NoInterest_repayEvery1Month', () => {
    expectRows({ ...base, principal: '1000', annualNominalInterestRate: '0', numberOfRepayments: 4, daysInYearType: 'ACTUAL', daysInMonthType: 'ACTUAL' }, [
      ['250.00', '0.00', '250.00', '750.00'],
      ['250.00', '0.00', '250.00', '500.00'],
      ['250.00', '0.00', '250.00', '250.00'],
      ['250.00', '0.00', '250.00', '0.00'],
    ]);
  });

  it('testEMICalculation_disbursedAmt100_dayInYears364_daysInMonthActual_repayEvery1Week', () => {
    expectRows({ ...base, repaymentFrequencyType: 'WEEKS', daysInYearType: 'DAYS_364', daysInMonthType: 'ACTUAL' }, [
      ['16.77', '0.18', '16.59', '83.41'],
      ['16.77', '0.15', '16.62', '66.79'],
      ['16.77', '0.12', '16.65', '50.14'],
      ['16.77', '0.09', '16.68', '33.46'],
      ['16.77', '0.06', '16.71', '16.75'],
      ['16.78', '0.03', '16.75', '0.00'],
    ]);
  });

  it('testEMICalculation_disbursedAmt100_dayInYears364_daysInMonthActual_repayEvery2Week', () => {
    expectRows({ ...base, numberOfRepayments: 3, repaymentEvery: 2, repaymentFrequencyType: 'WEEKS', daysInYearType: 'DAYS_364', daysInMonthType: 'ACTUAL' }, [
      ['33.57', '0.36', '33.21', '66.79'],
      ['33.57', '0.24', '33.33', '33.46'],
      ['33.58', '0.12', '33.46', '0.00'],
    ]);
  });

  it('testEMICalculation_disbursedAmt100_dayInYears360_daysInMonthDoesntMatter_repayEvery15Days', () => {
    const s = generateSchedule({ ...base, repaymentEvery: 15, repaymentFrequencyType: 'DAYS' });
    expect(s.periods.map((p) => p.dueDate)).toEqual(['2024-01-16', '2024-01-31', '2024-02-15', '2024-03-01', '2024-03-16', '2024-03-31']);
    expectRows({ ...base, repaymentEvery: 15, repaymentFrequencyType: 'DAYS' }, [
      ['16.90', '0.40', '16.50', '83.50'],
      ['16.90', '0.33', '16.57', '66.93'],
      ['16.90', '0.26', '16.64', '50.29'],
      ['16.90', '0.20', '16.70', '33.59'],
      ['16.90', '0.13', '16.77', '16.82'],
      ['16.89', '0.07', '16.82', '0.00'],
    ]);
  });
});
