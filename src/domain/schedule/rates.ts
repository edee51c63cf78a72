/** Periodic interest rates of the cumulative engine (Fineract's LoanApplicationTerms.periodicInterestRate). */
import { daysBetween, type LocalDate } from '../dates';
import { Decimal } from '../money';
import { div12, mul12 } from './calc';
import { periodsBetween } from './periods';
import type { DaysInMonthType, Terms } from './terms';

const DAYS_IN_YEAR: Record<string, number> = { DAYS_360: 360, DAYS_364: 364, DAYS_365: 365 };
const PERIODS_PER_YEAR = { DAYS: 365, WEEKS: 52, MONTHS: 12 } as const;

/**
 * How many rate periods make a year. Note Fineract's cumulative engine counts an ACTUAL year as 365
 * days here (only the progressive engine looks at leap years).
 */
export function periodsInOneYear(t: Terms): number {
  if (t.interestCalculationPeriodType === 'DAILY') return DAYS_IN_YEAR[t.daysInYearType] ?? 365;
  if (t.repaymentFrequencyType === 'DAYS' && t.daysInYearType !== 'ACTUAL') return DAYS_IN_YEAR[t.daysInYearType];
  return PERIODS_PER_YEAR[t.repaymentFrequencyType];
}

/** Interest rate (a fraction) for the period [start, end). */
export function periodicRate(
  t: Terms,
  start: LocalDate,
  end: LocalDate,
  opts: { forPmt?: boolean; daysInMonthType?: DaysInMonthType } = {},
): Decimal {
  const perYear = periodsInOneYear(t);
  const frequency = opts.forPmt
    ? new Decimal(t.repaymentEvery)
    : t.interestCalculationPeriodType === 'DAILY' || t.allowPartialPeriodInterestCalculation
      ? periodsBetween(t, start, end)
      : new Decimal(t.repaymentEvery);
  const perPeriodOrDay = div12(div12(t.annualNominalInterestRate, perYear), 100);
  if (t.interestCalculationPeriodType === 'SAME_AS_REPAYMENT_PERIOD') return perPeriodOrDay.times(frequency);
  let days = new Decimal(daysBetween(start, end));
  if (t.repaymentFrequencyType === 'MONTHS' && (opts.daysInMonthType ?? t.daysInMonthType) === 'DAYS_30') days = mul12(frequency, 30);
  return mul12(perPeriodOrDay, days);
}

/**
 * periodicRate memoised for one schedule: most periods share a length, and the rate only depends on
 * the period's length in days and in fractional periods.
 */
export function rateCache(t: Terms): (start: LocalDate, end: LocalDate) => Decimal {
  const cache = new Map<string, Decimal>();
  const fractional = t.interestCalculationPeriodType === 'DAILY' || t.allowPartialPeriodInterestCalculation;
  return (start, end) => {
    const key = fractional ? `${daysBetween(start, end)}|${periodsBetween(t, start, end).toString()}` : '';
    let rate = cache.get(key);
    if (!rate) {
      rate = periodicRate(t, start, end);
      cache.set(key, rate);
    }
    return rate;
  };
}
