/**
 * Fineract's progressive EMI engine (ProgressiveEMICalculator): per-period rate factors, an EMI from
 * their product, interest on the outstanding balance each period, the last installment absorbing the
 * rounding residue, and one re-balancing of the EMI when that residue is too large.
 */
import { daysBetween, daysInMonth, daysInYear, ymd, type LocalDate } from '../dates';
import { Decimal } from '../money';
import { add12, div12, money, mul12, roundToMultiple, ZERO } from './calc';
import { dueDates, subtractPeriod } from './periods';
import type { Terms } from './terms';
import type { EngineResult, PeriodAmounts } from './types';

const FIXED_DAYS_IN_YEAR: Record<string, number> = { DAYS_360: 360, DAYS_364: 364, DAYS_365: 365 };

/** Sum of the year fractions of a period that crosses into another year (ACTUAL day count). */
function yearFractions(from: LocalDate, to: LocalDate): Decimal {
  let total = new Decimal(0);
  let cursor = from;
  for (let year = ymd(from).y; year <= ymd(to).y; year++) {
    const end = year === ymd(to).y ? to : `${year}-12-31`;
    total = add12(total, div12(daysBetween(cursor, end), daysInYear(year)));
    cursor = end;
  }
  return total;
}

/** The period's interest rate as a fraction (Fineract's "rate factor" minus one). */
export function rateFactor(t: Terms, from: LocalDate, to: LocalDate, cache?: Map<string, Decimal>): Decimal {
  const rate = div12(t.annualNominalInterestRate, 100);
  const { y, m } = ymd(from);
  if (t.daysInYearType === 'ACTUAL' && ymd(to).y > y) {
    // A period across New Year counts each year's days against that year's length. (Fineract also
    // multiplies this by repaymentEvery, which over-charges periods longer than one unit; identical
    // for repaymentEvery = 1, which is all its tests cover.)
    return mul12(rate, yearFractions(from, to));
  }
  const yearDays = FIXED_DAYS_IN_YEAR[t.daysInYearType] ?? daysInYear(y);
  const multiplier =
    t.repaymentFrequencyType === 'DAYS' ? 1 : t.repaymentFrequencyType === 'WEEKS' ? 7 : t.daysInMonthType === 'DAYS_30' ? 30 : daysInMonth(y, m);
  const key = `${multiplier}|${yearDays}`;
  const cached = cache?.get(key);
  if (cached) return cached;
  const fraction = div12(mul12(multiplier, t.repaymentEvery), yearDays);
  // actual days / calculated days is 1 for a schedule without mid-period disbursements.
  const factor = mul12(rate, fraction);
  cache?.set(key, factor);
  return factor;
}

/**
 * A first period shortened or lengthened by `repaymentsStartingFromDate`: Fineract's rate factor scaled by
 * actualDaysInPeriod / calculatedDaysInPeriod, where the calculated period is the regular one ending on the
 * first due date (LoanScheduleGeneratorTest: disbursed 2024-01-15, first due 2024-02-01 → 17/31 of January's
 * factor). A year-crossing ACTUAL period already counts real days, so it is not scaled again.
 */
export function brokenPeriodFactor(t: Terms, from: LocalDate, due: LocalDate): Decimal {
  const regularStart = subtractPeriod(due, t.repaymentFrequencyType, t.repaymentEvery);
  if (regularStart === from) return rateFactor(t, from, due);
  if (t.daysInYearType === 'ACTUAL' && ymd(due).y > ymd(from).y) return rateFactor(t, from, due);
  const actual = daysBetween(from, due);
  const calculated = daysBetween(regularStart, due);
  return div12(mul12(rateFactor(t, from, due), actual), calculated);
}

/** EMI = balance × ∏(1 + rf) / fn, where fn folds 1 + fn × (1 + rf) over all periods but the first. */
export function emiFor(t: Terms, balance: Decimal, factors: Decimal[]): Decimal {
  const plus1 = factors.map((f) => f.plus(1));
  const product = plus1.reduce((acc, f) => mul12(acc, f), new Decimal(1));
  const fn = plus1.slice(1).reduce((acc, f) => add12(1, mul12(acc, f)), new Decimal(1));
  let emi = money(div12(mul12(product, balance), fn), t);
  if (t.installmentAmountInMultiplesOf) emi = roundToMultiple(emi, t.installmentAmountInMultiplesOf);
  return emi;
}

function amortize(t: Terms, dates: LocalDate[], factors: Decimal[], emi: Decimal): { periods: PeriodAmounts[]; lastEmi: Decimal } {
  const periods: PeriodAmounts[] = [];
  let balance = t.principal;
  let from = t.expectedDisbursementDate;
  let lastEmi = emi;
  dates.forEach((due, i) => {
    const interest = money(mul12(balance, factors[i]), t);
    const last = i === dates.length - 1;
    // The last installment repays whatever principal is left (its EMI absorbs the rounding residue).
    let principal = last ? balance : emi.minus(interest);
    if (principal.gt(balance)) principal = balance;
    if (principal.lt(0)) principal = ZERO;
    if (last) lastEmi = principal.plus(interest);
    balance = balance.minus(principal);
    periods.push({
      period: i + 1,
      fromDate: from,
      dueDate: due,
      principalDue: principal,
      interestDue: interest,
      feeChargesDue: ZERO,
      penaltyChargesDue: ZERO,
      principalLoanBalanceOutstanding: balance,
    });
    from = due;
  });
  return { periods, lastEmi };
}

export function progressiveSchedule(t: Terms): EngineResult {
  const dates = dueDates(t);
  const froms = [t.expectedDisbursementDate, ...dates.slice(0, -1)];
  const cache = new Map<string, Decimal>();
  const factors = dates.map((due, i) => (i === 0 && t.repaymentsStartingFromDate ? brokenPeriodFactor(t, froms[0], due) : rateFactor(t, froms[i], due, cache)));
  const emi = emiFor(t, t.principal, factors);
  const first = amortize(t, dates, factors, emi);

  // Fineract re-balances once when the last installment differs from the others by more than
  // floor(n/2) cents: it spreads the difference over all installments and keeps it if it helps.
  const n = dates.length;
  const difference = first.lastEmi.minus(emi);
  const halfN = Math.floor(n / 2);
  if (difference.isZero() || halfN === 0 || !difference.abs().times(100).gt(halfN)) return { periods: first.periods, installmentAmount: emi };
  let adjusted = money(emi.plus(money(difference.div(n), t)), t);
  if (t.installmentAmountInMultiplesOf) adjusted = roundToMultiple(adjusted, t.installmentAmountInMultiplesOf);
  if (adjusted.eq(emi)) return { periods: first.periods, installmentAmount: emi };
  const second = amortize(t, dates, factors, adjusted);
  if (second.lastEmi.minus(adjusted).abs().lt(difference.abs())) return { periods: second.periods, installmentAmount: adjusted };
  return { periods: first.periods, installmentAmount: emi };
}
