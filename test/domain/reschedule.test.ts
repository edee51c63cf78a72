/** planReschedule: what is replaced, the sum invariant, accrued interest carried over, and the refusals. */
import { installmentsFromSchedule, type Installment } from '../../src/domain/installments';
import { Decimal } from '../../src/domain/money';
import { planReschedule } from '../../src/domain/reschedule';
import { buildSchedule, type LoanTerms } from '../../src/domain/schedule';

const TERMS: LoanTerms = {
  principal: '1000.00', annualNominalInterestRate: '12', numberOfRepayments: 6, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS',
  amortizationType: 'EQUAL_INSTALLMENTS', interestType: 'DECLINING_BALANCE', interestCalculationPeriodType: 'DAILY', daysInYearType: 'ACTUAL',
  daysInMonthType: 'ACTUAL', expectedDisbursementDate: '2027-01-15', currencyCode: 'EUR', digitsAfterDecimal: 2,
};

function loan(paidPeriods: number): Installment[] {
  const list = installmentsFromSchedule(buildSchedule(TERMS));
  for (const i of list.slice(0, paidPeriods)) i.paid = { ...i.due };
  return list;
}

describe('planReschedule', () => {
  it('re-amortizes the outstanding principal from the first unpaid installment; the parts sum to it exactly', () => {
    const list = loan(2);
    const outstanding = list.slice(2).reduce((a, i) => a.plus(i.due.principal), new Decimal(0));
    const plan = planReschedule(TERMS, list, new Map(), { annualInterestRate: '7.5', numberOfRepayments: 9 });
    expect(plan.fromInstallment).toBe(3);
    expect(plan.principal.eq(outstanding)).toBe(true);
    expect(plan.periods.map((p) => p.period)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(plan.periods.reduce((a, p) => a.plus(p.principalDue), new Decimal(0)).eq(outstanding)).toBe(true);
    expect(plan.periods[0].fromDate).toBe(list[2].fromDate);
    expect(plan.periods[0].dueDate).toBe(list[2].dueDate);
    expect(plan.periods.at(-1)!.principalLoanBalanceOutstanding.toFixed()).toBe('0');
  });

  it('carries interest already accrued onto the new installments in order, up to each one’s interest', () => {
    const list = loan(0);
    const plan = planReschedule(TERMS, list, new Map([[1, new Decimal('4.00')], [2, new Decimal('0.50')]]), { numberOfRepayments: 12 });
    expect(plan.interestAccrued[0].toFixed()).toBe('4.5');
    expect(plan.interestAccrued.slice(1).every((d) => d.eq(0))).toBe(true);
    // A much lower rate cannot absorb what was booked already: refused, not silently lost.
    expect(() => planReschedule(TERMS, list, new Map([[1, new Decimal('9.00')]]), { annualInterestRate: '5', numberOfRepayments: 1 })).toThrow(/accrued exceeds/);
  });

  it('refuses partly paid installments, fees or penalties, and a due date before the period start', () => {
    const partly = loan(1);
    partly[1].paid.principal = new Decimal('1.00');
    expect(() => planReschedule(TERMS, partly, new Map(), { numberOfRepayments: 3 })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    const penalised = loan(0);
    penalised[0].due.penalty = new Decimal('10');
    expect(() => planReschedule(TERMS, penalised, new Map(), { numberOfRepayments: 3 })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => planReschedule(TERMS, loan(0), new Map(), { nextDueDate: '2027-01-15' })).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'nextDueDate' }));
    expect(() => planReschedule(TERMS, loan(6), new Map(), { numberOfRepayments: 3 })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });
});
