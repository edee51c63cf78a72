/**
 * Allocation strategies, accrual, payoff quotes, penalties, delinquency, prepayment and disclosure,
 * with figures worked out by hand in the comments.
 */
import {
  accrualIncomeBy, accruedInterest, allocatePayment, buildSchedule, classifyDelinquency, daysPastDue, Decimal, disclose, installmentsFromSchedule,
  overduePenalties, payoffQuote, reamortize, ValidationError, validateBucket, zeroComponents, type Installment, type LoanTerms,
} from '../../src/domain';

const d = (x: string | number) => new Decimal(x);

function inst(period: number, fromDate: string, dueDate: string, principal: number, interest: number, fee = 0, penalty = 0): Installment {
  return {
    period,
    fromDate,
    dueDate,
    due: { principal: d(principal), interest: d(interest), fee: d(fee), penalty: d(penalty) },
    paid: zeroComponents(),
    waived: zeroComponents(),
  };
}

// Three installments: 100 principal each; interest 10/8/6; fees 5/5/0; a 2.00 penalty on the first.
const book = () => [
  inst(1, '2024-01-01', '2024-02-01', 100, 10, 5, 2),
  inst(2, '2024-02-01', '2024-03-01', 100, 8, 5),
  inst(3, '2024-03-01', '2024-04-01', 100, 6),
];

function portions(r: ReturnType<typeof allocatePayment>) {
  return {
    principal: r.principalPortion.toFixed(2),
    interest: r.interestPortion.toFixed(2),
    fee: r.feePortion.toFixed(2),
    penalty: r.penaltyPortion.toFixed(2),
    overpayment: r.overpayment.toFixed(2),
  };
}

describe('allocatePayment', () => {
  it('penalties → fees → interest → principal, oldest installment first', () => {
    // 120: installment 1 takes 2 + 5 + 10 + 100 = 117, the last 3 go to installment 2's fee.
    expect(portions(allocatePayment(book(), '120', '2024-03-10'))).toEqual({ principal: '100.00', interest: '10.00', fee: '8.00', penalty: '2.00', overpayment: '0.00' });
  });

  it('principal → interest → penalties → fees', () => {
    // 120: installment 1 takes 100 + 10 + 2 + 5, the last 3 go to installment 2's principal.
    expect(portions(allocatePayment(book(), '120', '2024-03-10', 'PRINCIPAL_INTEREST_PENALTIES_FEES'))).toEqual({ principal: '103.00', interest: '10.00', fee: '5.00', penalty: '2.00', overpayment: '0.00' });
  });

  it('interest → principal → penalties → fees', () => {
    expect(portions(allocatePayment(book(), '120', '2024-03-10', 'INTEREST_PRINCIPAL_PENALTIES_FEES'))).toEqual({ principal: '100.00', interest: '13.00', fee: '5.00', penalty: '2.00', overpayment: '0.00' });
  });

  it('due first (penalty, fee, interest, principal), then in advance (principal first)', () => {
    // On 15 Feb installment 1 is due (117 in the standard order); installment 2 is paid in advance: its principal first.
    const early = allocatePayment(book(), '150', '2024-02-15', 'DUE_PENALTY_FEE_INTEREST_PRINCIPAL_IN_ADVANCE_PRINCIPAL_PENALTY_FEE_INTEREST');
    expect(portions(early)).toEqual({ principal: '133.00', interest: '10.00', fee: '5.00', penalty: '2.00', overpayment: '0.00' });
    // The same payment on 10 March finds installment 2 due: fee and interest before principal.
    const late = allocatePayment(book(), '150', '2024-03-10', 'DUE_PENALTY_FEE_INTEREST_PRINCIPAL_IN_ADVANCE_PRINCIPAL_PENALTY_FEE_INTEREST');
    expect(portions(late)).toEqual({ principal: '120.00', interest: '18.00', fee: '10.00', penalty: '2.00', overpayment: '0.00' });
  });

  it('handles partial payments across calls and turns the excess into a credit balance', () => {
    const first = allocatePayment(book(), '50', '2024-02-01');
    expect(portions(first)).toEqual({ principal: '33.00', interest: '10.00', fee: '5.00', penalty: '2.00', overpayment: '0.00' });
    // Everything is 336 (117 + 113 + 106); 50 paid, so 300 more leaves 14 over.
    const second = allocatePayment(first.installments, '300', '2024-04-01');
    expect(second.overpayment.toFixed(2)).toBe('14.00');
    expect(second.installments.every((i) => i.paid.principal.eq(i.due.principal))).toBe(true);
  });

  it('rejects a zero or malformed amount', () => {
    expect(() => allocatePayment(book(), '0', '2024-02-01')).toThrow(ValidationError);
    expect(() => allocatePayment(book(), '1e3', '2024-02-01')).toThrow(ValidationError);
  });
});

// Fineract's 100 EUR / 7 % / 6 months (360/30): 17.01 × 5 + 17.00; interest 0.58, 0.49, 0.39, 0.29, 0.20, 0.10.
const terms: LoanTerms = {
  principal: '100', annualNominalInterestRate: '7', numberOfRepayments: 6, repaymentEvery: 1, repaymentFrequencyType: 'MONTHS',
  amortizationType: 'EQUAL_INSTALLMENTS', interestType: 'DECLINING_BALANCE', interestCalculationPeriodType: 'DAILY',
  daysInYearType: 'DAYS_360', daysInMonthType: 'DAYS_30', expectedDisbursementDate: '2024-01-01', currencyCode: 'EUR',
};
const r = { digitsAfterDecimal: 2 };

describe('accrual and payoff', () => {
  it('accrues interest day by day within each period', () => {
    const installments = [inst(1, '2024-01-01', '2024-02-01', 100, 31)];
    // 31.00 over 31 days: 1.00 a day.
    expect(accruedInterest(installments, '2024-01-01', '2024-01-11', r).toFixed(2)).toBe('10.00');
    expect(accruedInterest(installments, '2024-01-11', '2024-03-01', r).toFixed(2)).toBe('21.00');
  });

  it('quotes a payoff: all principal plus interest earned to the date', () => {
    const installments = installmentsFromSchedule(buildSchedule(terms));
    // On 15 Feb: period 1's 0.58 in full, period 2's 0.49 × 14/29 days = 0.2366 → 0.24.
    const q = payoffQuote(installments, '2024-02-15', r);
    expect([q.principal, q.interest, q.total].map((x) => x.toFixed(2))).toEqual(['100.00', '0.82', '100.82']);
    // After paying installment 1 (17.01), the quote drops by exactly that.
    const paid = allocatePayment(installments, '17.01', '2024-02-01').installments;
    expect(payoffQuote(paid, '2024-02-15', r).total.toFixed(2)).toBe('83.81');
  });
});

describe('overdue penalties', () => {
  const overdue = [inst(1, '2024-01-01', '2024-02-01', 100, 10)];
  const rule = { calculationType: 'FLAT' as const, amount: '15', graceDays: 5, digitsAfterDecimal: 2 };

  it('charges once the grace days have passed, not before', () => {
    expect(overduePenalties(overdue, '2024-02-06', rule)).toEqual([]);
    expect(overduePenalties(overdue, '2024-02-07', rule).map((c) => [c.dueDate, c.amount.toFixed(2)])).toEqual([['2024-02-07', '15.00']]);
  });

  it('charges a percent of the overdue amount, repeatedly, and never twice for the same date', () => {
    const percent = { ...rule, calculationType: 'PERCENT_OF_OVERDUE_PRINCIPAL_AND_INTEREST' as const, amount: '2', repeatEveryDays: 30 };
    // 2 % of 110 = 2.20, on 7 Feb and again on 8 Mar.
    const charges = overduePenalties(overdue, '2024-03-10', percent);
    expect(charges.map((c) => [c.dueDate, c.amount.toFixed(2)])).toEqual([['2024-02-07', '2.20'], ['2024-03-08', '2.20']]);
    expect(overduePenalties(overdue, '2024-03-10', percent, new Set(['1@2024-02-07'])).map((c) => c.dueDate)).toEqual(['2024-03-08']);
  });

  it('charges nothing when the penalty rounds to zero (no zero-amount charge, as close of business)', () => {
    // 0.004 % of 110 = 0.0044 → 0.00.
    expect(overduePenalties(overdue, '2024-03-10', { ...rule, calculationType: 'PERCENT_OF_OVERDUE_PRINCIPAL_AND_INTEREST', amount: '0.004' })).toEqual([]);
    expect(overduePenalties(overdue, '2024-03-10', { ...rule, amount: '0' })).toEqual([]);
  });

  it('charges nothing on a settled installment', () => {
    const settled = allocatePayment(overdue, '110', '2024-02-01').installments;
    expect(overduePenalties(settled, '2024-03-10', rule)).toEqual([]);
  });
});

describe('accrual income', () => {
  it('accrues the earned share of the interest less what was waived (waived interest is never income)', () => {
    // 31 days, 31.00 interest, 6.20 waived: 24.80 accrues at 0.80 a day.
    const i = inst(1, '2024-01-01', '2024-02-01', 100, 31);
    i.waived.interest = d('6.20');
    expect(accrualIncomeBy(i, '2024-01-11', { digitsAfterDecimal: 2 }).toFixed(2)).toBe('8.00');
    expect(accrualIncomeBy(i, '2024-02-01', { digitsAfterDecimal: 2 }).toFixed(2)).toBe('24.80');
  });
});

describe('delinquency', () => {
  it('counts days from the oldest unpaid due date and classifies into buckets', () => {
    const installments = book();
    expect(daysPastDue(installments, '2024-02-01')).toBe(0);
    expect(daysPastDue(installments, '2024-03-02')).toBe(30);
    expect(classifyDelinquency(daysPastDue(installments, '2024-03-02'))?.classification).toBe('RANGE_1_30');
    expect(classifyDelinquency(daysPastDue(installments, '2024-03-03'))?.classification).toBe('RANGE_31_60');
    expect(classifyDelinquency(daysPastDue(installments, '2024-06-01'))?.classification).toBe('RANGE_90_PLUS');
    // Paying installment 1 moves the oldest unpaid due date to 1 March.
    const paid = allocatePayment(installments, '117', '2024-03-03').installments;
    expect(daysPastDue(paid, '2024-03-03')).toBe(2);
    expect(classifyDelinquency(0)).toBeNull();
  });

  it('rejects overlapping buckets', () => {
    expect(() => validateBucket([{ classification: 'A', minimumAgeDays: 1, maximumAgeDays: 30 }, { classification: 'B', minimumAgeDays: 30, maximumAgeDays: null }])).toThrow(/overlaps/);
  });
});

describe('prepayment', () => {
  const model = buildSchedule(terms);
  // After two installments the balance is 67.05; a 30.00 prepayment leaves 37.05.
  it('reduce the installment amount: same term, smaller installment', () => {
    const rest = reamortize(terms, model, 2, '37.05', 'REDUCE_EMI_AMOUNT');
    expect(rest.map((p) => p.period)).toEqual([3, 4, 5, 6]);
    expect(rest.map((p) => p.dueDate)).toEqual(['2024-04-01', '2024-05-01', '2024-06-01', '2024-07-01']);
    expect(rest.reduce((a, p) => a.plus(p.principalDue), d(0)).toFixed(2)).toBe('37.05');
    expect(rest[0].principalDue.plus(rest[0].interestDue).lt('17.01')).toBe(true);
  });

  it('reduce the number of installments: same installment, shorter loan', () => {
    const rest = reamortize(terms, model, 2, '37.05', 'REDUCE_NUMBER_OF_INSTALLMENTS');
    // 37.05 needs three installments of at most 17.01.
    expect(rest.map((p) => p.period)).toEqual([3, 4, 5]);
    expect(rest.reduce((a, p) => a.plus(p.principalDue), d(0)).toFixed(2)).toBe('37.05');
    for (const p of rest) expect(p.principalDue.plus(p.interestDue).lte('17.01')).toBe(true);
  });
});

describe('disclosure', () => {
  it('an interest- and fee-free loan has an APR of zero', () => {
    expect(disclose(buildSchedule({ ...terms, annualNominalInterestRate: '0' })).apr).toBe('0.0000');
  });

  it('APR ≈ the nominal rate without fees; EAR compounds it; fees raise both', () => {
    // 12 % nominal, monthly: EAR = 1.01^12 − 1 = 12.68 %.
    const plain = disclose(buildSchedule({ ...terms, principal: '1000', annualNominalInterestRate: '12', numberOfRepayments: 12, interestCalculationPeriodType: 'SAME_AS_REPAYMENT_PERIOD' }));
    expect(Math.abs(Number(plain.apr) - 12)).toBeLessThan(0.1);
    expect(Math.abs(Number(plain.effectiveAnnualRate) - 12.68)).toBeLessThan(0.1);
    const withFee = disclose(buildSchedule({
      ...terms, principal: '1000', annualNominalInterestRate: '12', numberOfRepayments: 12, interestCalculationPeriodType: 'SAME_AS_REPAYMENT_PERIOD',
      charges: [{ amount: '20', chargeTimeType: 'DISBURSEMENT', chargeCalculationType: 'FLAT' }],
    }));
    expect(withFee.amountFinanced).toBe('980.00');
    expect(Number(withFee.apr)).toBeGreaterThan(15);
  });
});
