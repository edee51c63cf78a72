/**
 * Schedule rules with figures worked out by hand from Fineract's algorithm (see
 * fineract/ALGORITHM-NOTES.md), for features its published scenarios do not cover, plus validation.
 */
import { addMonths, DomainError, generateSchedule, type LoanTerms } from '../../src/domain';

const monthly: LoanTerms = {
  principal: '1200', annualNominalInterestRate: '12', numberOfRepayments: 12, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS',
  amortizationType: 'EQUAL_INSTALLMENTS', interestType: 'DECLINING_BALANCE', interestCalculationPeriodType: 'SAME_AS_REPAYMENT_PERIOD',
  daysInYearType: 'ACTUAL', daysInMonthType: 'ACTUAL', expectedDisbursementDate: '2024-01-15', currencyCode: 'USD',
};

const rows = (t: LoanTerms, n = 3) => generateSchedule(t).periods.slice(0, n).map((p) => [p.principalDue, p.interestDue, p.principalLoanBalanceOutstanding]);

describe('due dates', () => {
  it('keep a month-end seed day (Fineract LoanApplicationScheduleMonthlyTest: 31 Jan → 28 Feb, 31 Mar, 30 Apr)', () => {
    const s = generateSchedule({ ...monthly, expectedDisbursementDate: '2022-12-31', repaymentsStartingFromDate: '2023-01-31', numberOfRepayments: 14 });
    expect(s.periods.map((p) => p.dueDate)).toEqual([
      '2023-01-31', '2023-02-28', '2023-03-31', '2023-04-30', '2023-05-31', '2023-06-30', '2023-07-31',
      '2023-08-31', '2023-09-30', '2023-10-31', '2023-11-30', '2023-12-31', '2024-01-31', '2024-02-29',
    ]);
  });

  it('step weeks and every-N-days from the disbursement date', () => {
    expect(generateSchedule({ ...monthly, repaymentFrequencyType: 'WEEKS', repaymentEvery: 2, numberOfRepayments: 3 }).periods.map((p) => p.dueDate))
      .toEqual(['2024-01-29', '2024-02-12', '2024-02-26']);
    expect(generateSchedule({ ...monthly, repaymentFrequencyType: 'DAYS', repaymentEvery: 10, numberOfRepayments: 3 }).periods.map((p) => p.dueDate))
      .toEqual(['2024-01-25', '2024-02-04', '2024-02-14']);
  });

  it('addMonths clamps to the end of shorter months', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
  });
});

describe('interest', () => {
  it('EMI by PMT, 1 % a month: 1200 over 12 → 106.62; 12.00 interest, then 11.05 on 1105.38', () => {
    expect(generateSchedule(monthly).installmentAmount).toBe('106.62');
    expect(rows(monthly, 2)).toEqual([['94.62', '12.00', '1105.38'], ['95.57', '11.05', '1009.81']]);
  });

  it('interest-free grace (graceOnInterestCharged): no interest in the first periods, the EMI still amortizes', () => {
    // Periods 1-2 charge nothing, so the whole 106.62 is principal; period 3 charges 1 % of 986.76 = 9.87.
    expect(rows({ ...monthly, graceOnInterestCharged: 2 })).toEqual([['106.62', '0.00', '1093.38'], ['106.62', '0.00', '986.76'], ['96.75', '9.87', '890.01']]);
  });

  it('30/360 daily interest charges 30 days in every month, whatever its length', () => {
    const s = generateSchedule({ ...monthly, interestCalculationPeriodType: 'DAILY', daysInYearType: 'DAYS_360', daysInMonthType: 'DAYS_30' });
    // 1200 × 12 % × 30/360 = 12.00 in February (29 days) just as in March.
    expect(s.periods[0].interestDue).toBe('12.00');
  });

  it('actual daily interest follows the days of each period (365-day year in the cumulative engine)', () => {
    const s = generateSchedule({ ...monthly, interestCalculationPeriodType: 'DAILY' });
    // 15 Jan → 15 Feb is 31 days: 1200 × 0.12 × 31/365 = 12.2301... → 12.23.
    expect(s.periods[0].interestDue).toBe('12.23');
  });

  it('a first period longer than one repayment period is charged from one period before the first due date', () => {
    // Fineract's "ideal disbursement date": the first due date is 15 Mar, so interest runs from 15 Feb.
    const s = generateSchedule({ ...monthly, interestCalculationPeriodType: 'DAILY', repaymentsStartingFromDate: '2024-03-15' });
    expect(s.periods[0].fromDate).toBe('2024-01-15');
    // 15 Feb → 15 Mar is 29 days: 1200 × 0.12 × 29/365 = 11.4411 → 11.44.
    expect(s.periods[0].interestDue).toBe('11.44');
  });
});

describe('rounding', () => {
  it('rounds every amount of a 0-digit currency to its multiple (JPY in 100s)', () => {
    // EMI = PMT(1 %, 3, 100000) = 34002.21 → 34000; interest 1000, 670 → 700, 337 → 300.
    const s = generateSchedule({ ...monthly, principal: '100000', numberOfRepayments: 3, currencyCode: 'JPY', inMultiplesOf: 100 });
    expect(s.periods.map((p) => [p.principalDue, p.interestDue, p.totalDue])).toEqual([['33000', '1000', '34000'], ['33300', '700', '34000'], ['33700', '300', '34000']]);
  });

  it('rounds the installment to installmentAmountInMultiplesOf (106.62 → 105 for multiples of 5)', () => {
    expect(generateSchedule({ ...monthly, installmentAmountInMultiplesOf: 5 }).installmentAmount).toBe('105.00');
  });

  it('uses HALF_EVEN: 0.125 → 0.12, 0.135 → 0.14', () => {
    // 12.5 % of a 1 % monthly rate on 12.50 = 0.125: flat 12.50 × 1 % interest per month.
    const s = generateSchedule({ ...monthly, principal: '12.50', interestType: 'FLAT', numberOfRepayments: 1 });
    expect(s.periods[0].interestDue).toBe('0.12');
    expect(generateSchedule({ ...monthly, principal: '13.50', interestType: 'FLAT', numberOfRepayments: 1 }).periods[0].interestDue).toBe('0.14');
  });
});

describe('fees', () => {
  it('charges fees at disbursement and per installment', () => {
    const s = generateSchedule({
      ...monthly,
      charges: [
        { amount: '1.5', chargeTimeType: 'DISBURSEMENT', chargeCalculationType: 'PERCENT_OF_AMOUNT' },
        { amount: '2', chargeTimeType: 'INSTALLMENT_FEE', chargeCalculationType: 'FLAT' },
        { amount: '10', chargeTimeType: 'INSTALLMENT_FEE', chargeCalculationType: 'PERCENT_OF_INTEREST' },
      ],
    });
    expect(s.feeChargesAtDisbursement).toBe('18.00');
    // Period 1: 2.00 flat + 10 % of 12.00 interest.
    expect(s.periods[0].feeChargesDue).toBe('3.20');
    expect(s.periods[0].totalDue).toBe('109.82');
  });
});

describe('bad terms', () => {
  const field = (t: Partial<LoanTerms>) => {
    try {
      generateSchedule({ ...monthly, ...t } as LoanTerms);
    } catch (err) {
      expect((err as DomainError).code).toBe('BAD_USER_INPUT');
      return (err as DomainError).field;
    }
    return undefined;
  };

  it.each([
    [{ principal: '-5' }, 'principal'],
    [{ principal: 'abc' }, 'principal'],
    [{ principal: '1.005' }, 'principal'],
    [{ annualNominalInterestRate: '-0.5' }, 'annualNominalInterestRate'],
    [{ annualNominalInterestRate: '1000.5' }, 'annualNominalInterestRate'],
    [{ numberOfRepayments: 0 }, 'numberOfRepayments'],
    [{ numberOfRepayments: 2.5 }, 'numberOfRepayments'],
    [{ repaymentEvery: 0 }, 'repaymentEvery'],
    [{ repaymentFrequencyType: 'YEARS' as never }, 'repaymentFrequencyType'],
    [{ amortizationType: 'BALLOON' as never }, 'amortizationType'],
    [{ interestType: 'COMPOUND' as never }, 'interestType'],
    [{ daysInYearType: 'DAYS_366' as never }, 'daysInYearType'],
    [{ daysInMonthType: 'DAYS_31' as never }, 'daysInMonthType'],
    [{ interestCalculationPeriodType: 'HOURLY' as never }, 'interestCalculationPeriodType'],
    [{ loanScheduleType: 'SIMPLE' as never }, 'loanScheduleType'],
    [{ expectedDisbursementDate: '2024-13-01' }, 'expectedDisbursementDate'],
    [{ repaymentsStartingFromDate: '2024-01-15' }, 'repaymentsStartingFromDate'],
    [{ graceOnPrincipalPayment: 12 }, 'graceOnPrincipalPayment'],
    [{ graceOnInterestPayment: -1 }, 'graceOnInterestPayment'],
    [{ graceOnInterestCharged: 13 }, 'graceOnInterestCharged'],
    [{ currencyCode: 'usd' }, 'currencyCode'],
    [{ installmentAmountInMultiplesOf: 0 }, 'installmentAmountInMultiplesOf'],
    [{ loanScheduleType: 'PROGRESSIVE' as const, interestType: 'FLAT' as const }, 'loanScheduleType'],
    [{ charges: [{ amount: '150', chargeTimeType: 'DISBURSEMENT', chargeCalculationType: 'PERCENT_OF_AMOUNT' }] } as Partial<LoanTerms>, 'charges[0].amount'],
  ])('%j → %s', (t, expected) => {
    expect(field(t)).toBe(expected);
  });
});
