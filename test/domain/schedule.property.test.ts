/**
 * Invariants of the loan math that must hold for any valid terms (fast-check generates them):
 * principal parts sum to the principal, the balance chain holds and ends at zero, totals are sums,
 * no component is negative; an allocation splits exactly the payment; accrual adds up.
 */
import fc from 'fast-check';
import {
  accruedInterest, addDays, allocatePayment, ALLOCATION_STRATEGIES, buildSchedule, COMPONENTS, Decimal, generateSchedule,
  installmentsFromSchedule, outstanding, type LoanTerms,
} from '../../src/domain';

const termsArb: fc.Arbitrary<LoanTerms> = fc
  .record({
    cents: fc.integer({ min: 10_000, max: 100_000_000 }),
    rate: fc.integer({ min: 0, max: 60_000 }), // up to 60 %, 3 decimals
    numberOfRepayments: fc.integer({ min: 1, max: 60 }),
    repaymentEvery: fc.integer({ min: 1, max: 3 }),
    repaymentFrequencyType: fc.constantFrom('DAYS', 'WEEKS', 'MONTHS' as const),
    amortizationType: fc.constantFrom('EQUAL_INSTALLMENTS', 'EQUAL_PRINCIPAL' as const),
    interestType: fc.constantFrom('DECLINING_BALANCE', 'FLAT' as const),
    interestCalculationPeriodType: fc.constantFrom('DAILY', 'SAME_AS_REPAYMENT_PERIOD' as const),
    daysInYearType: fc.constantFrom('ACTUAL', 'DAYS_360', 'DAYS_364', 'DAYS_365' as const),
    daysInMonthType: fc.constantFrom('ACTUAL', 'DAYS_30' as const),
    dayOffset: fc.integer({ min: 0, max: 3650 }),
    grace: fc.integer({ min: 0, max: 3 }),
    graceKind: fc.constantFrom('none', 'principal', 'interestPayment', 'interestCharged'),
    progressive: fc.boolean(),
    multiples: fc.constantFrom(null, 1, 5),
  })
  .map((r) => {
    const progressive = r.progressive && r.interestType === 'DECLINING_BALANCE' && r.amortizationType === 'EQUAL_INSTALLMENTS';
    const grace = Math.min(r.grace, r.numberOfRepayments - 1);
    return {
      principal: new Decimal(r.cents).div(100).toFixed(2),
      annualNominalInterestRate: new Decimal(r.rate).div(1000).toFixed(),
      numberOfRepayments: r.numberOfRepayments,
      repaymentEvery: r.repaymentEvery,
      repaymentFrequencyType: r.repaymentFrequencyType,
      amortizationType: r.amortizationType,
      interestType: r.interestType,
      interestCalculationPeriodType: r.interestCalculationPeriodType,
      daysInYearType: r.daysInYearType,
      daysInMonthType: r.daysInMonthType,
      expectedDisbursementDate: addDays('2020-01-01', r.dayOffset),
      currencyCode: 'USD',
      loanScheduleType: progressive ? 'PROGRESSIVE' : 'CUMULATIVE',
      installmentAmountInMultiplesOf: r.multiples,
      graceOnPrincipalPayment: !progressive && r.graceKind === 'principal' ? grace : 0,
      graceOnInterestPayment: !progressive && r.graceKind === 'interestPayment' ? grace : 0,
      graceOnInterestCharged: !progressive && r.graceKind === 'interestCharged' ? grace : 0,
    } as LoanTerms;
  });

const sum = (xs: string[]) => xs.reduce((acc, x) => acc.plus(x), new Decimal(0));

describe('schedule invariants', () => {
  it('principal parts sum to the principal; the balance chain holds and ends at zero; totals are sums; nothing negative', () => {
    fc.assert(
      fc.property(termsArb, (terms) => {
        const s = generateSchedule(terms);
        expect(s.periods).toHaveLength(terms.numberOfRepayments);
        expect(sum(s.periods.map((p) => p.principalDue)).eq(terms.principal)).toBe(true);
        let balance = new Decimal(terms.principal);
        let previousDue = terms.expectedDisbursementDate;
        for (const p of s.periods) {
          balance = balance.minus(p.principalDue);
          expect(p.principalLoanBalanceOutstanding).toBe(balance.toFixed(2));
          for (const v of [p.principalDue, p.interestDue, p.feeChargesDue, p.penaltyChargesDue, p.principalLoanBalanceOutstanding]) {
            expect(new Decimal(v).gte(0)).toBe(true);
          }
          expect(new Decimal(p.totalDue).eq(sum([p.principalDue, p.interestDue, p.feeChargesDue, p.penaltyChargesDue]))).toBe(true);
          expect(p.dueDate > previousDue).toBe(true);
          previousDue = p.dueDate;
        }
        expect(balance.isZero()).toBe(true);
        expect(s.totalPrincipal).toBe(new Decimal(terms.principal).toFixed(2));
        expect(s.totalInterest).toBe(sum(s.periods.map((p) => p.interestDue)).toFixed(2));
        expect(s.totalRepayment).toBe(sum([s.totalPrincipal, s.totalInterest, s.totalFeeCharges, s.totalPenaltyCharges]).toFixed(2));
        if (new Decimal(terms.annualNominalInterestRate).isZero()) expect(s.totalInterest).toBe('0.00');
      }),
      { numRuns: 400 },
    );
  });

  it('equal installments are equal except the last (cumulative, per-period interest, no grace, no multiples)', () => {
    fc.assert(
      fc.property(termsArb, (t) => {
        const terms = { ...t, loanScheduleType: 'CUMULATIVE', interestCalculationPeriodType: 'SAME_AS_REPAYMENT_PERIOD', amortizationType: 'EQUAL_INSTALLMENTS', interestType: 'DECLINING_BALANCE', graceOnPrincipalPayment: 0, graceOnInterestPayment: 0, graceOnInterestCharged: 0, installmentAmountInMultiplesOf: null } as LoanTerms;
        const s = generateSchedule(terms);
        // The installment is rounded to cents; over a long, dear loan the rounding can pay the balance off
        // before the last period (e.g. 100.00 at 44.242 % over 55 quarters: 11.10 a quarter, period 54
        // pays the rest, period 55 owes nothing). Equal up to the period that pays the balance off.
        const paidOff = s.periods.findIndex((p) => new Decimal(p.principalLoanBalanceOutstanding).isZero());
        const dues = s.periods.slice(0, paidOff).map((p) => p.totalDue);
        expect(new Set(dues).size).toBeLessThanOrEqual(1);
        for (const p of s.periods.slice(paidOff + 1)) expect(p.totalDue).toBe('0.00');
      }),
      { numRuns: 200 },
    );
  });
});

describe('allocation invariants', () => {
  it('splits exactly the payment, never pays a component beyond its due, and oldest installments first', () => {
    fc.assert(
      fc.property(
        termsArb,
        fc.integer({ min: 1, max: 200_000_000 }),
        fc.constantFrom(...ALLOCATION_STRATEGIES),
        fc.integer({ min: 0, max: 400 }),
        (terms, cents, strategy, offset) => {
          const model = buildSchedule(terms);
          const installments = installmentsFromSchedule(model);
          const amount = new Decimal(cents).div(100);
          const result = allocatePayment(installments, amount, addDays(terms.expectedDisbursementDate, offset), strategy);
          const allocated = result.principalPortion.plus(result.interestPortion).plus(result.feePortion).plus(result.penaltyPortion);
          expect(allocated.plus(result.overpayment).eq(amount)).toBe(true);
          expect(result.overpayment.gte(0)).toBe(true);
          for (const inst of result.installments) for (const c of COMPONENTS) expect(outstanding(inst, c).gte(0)).toBe(true);
          // The input is not mutated.
          expect(installments.every((i) => COMPONENTS.every((c) => i.paid[c].isZero()))).toBe(true);
          // Overpayment only once everything is settled.
          if (result.overpayment.gt(0)) expect(result.installments.every((i) => COMPONENTS.every((c) => outstanding(i, c).isZero()))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('accrual invariants', () => {
  it('accrues the whole scheduled interest over the life of the loan, additively over any split', () => {
    fc.assert(
      fc.property(termsArb, fc.integer({ min: 0, max: 2000 }), (terms, split) => {
        const model = buildSchedule(terms);
        const installments = installmentsFromSchedule(model);
        const r = { digitsAfterDecimal: 2 };
        const start = model.periods[0].fromDate < terms.expectedDisbursementDate ? model.periods[0].fromDate : terms.expectedDisbursementDate;
        const end = model.periods[model.periods.length - 1].dueDate;
        const middle = addDays(start, split) < end ? addDays(start, split) : end;
        const whole = accruedInterest(installments, start, end, r);
        expect(whole.eq(model.periods.reduce((a, p) => a.plus(p.interestDue), new Decimal(0)))).toBe(true);
        expect(accruedInterest(installments, start, middle, r).plus(accruedInterest(installments, middle, end, r)).eq(whole)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
