/** Repayment due dates and period lengths, as Fineract's DefaultScheduledDateGenerator computes them. */
import { addDays, addMonths, daysBetween, daysInMonth, formatYmd, ymd, type LocalDate } from '../dates';
import { adjustDueDate } from '../holidays';
import { fromDouble } from './calc';
import type { FrequencyType, Terms } from './terms';

/** One frequency step forward. */
export function addPeriod(date: LocalDate, frequency: FrequencyType, every: number): LocalDate {
  if (frequency === 'DAYS') return addDays(date, every);
  if (frequency === 'WEEKS') return addDays(date, 7 * every);
  return addMonths(date, every);
}

export function subtractPeriod(date: LocalDate, frequency: FrequencyType, every: number): LocalDate {
  return addPeriod(date, frequency, -every);
}

/** Fineract's CalendarUtils.adjustDate: monthly dates keep a 29th/30th/31st seed day where the month allows. */
export function adjustToSeed(date: LocalDate, seed: LocalDate, frequency: FrequencyType): LocalDate {
  const s = ymd(seed);
  const d = ymd(date);
  if (frequency !== 'MONTHS' || s.d <= 28 || d.d < 28) return date;
  return formatYmd({ y: d.y, m: d.m, d: Math.min(daysInMonth(d.y, d.m), s.d) });
}

/** The date repayments are anchored to: the first repayment date if given, else the disbursement. */
export function seedDate(t: Terms): LocalDate {
  return t.repaymentsStartingFromDate ?? t.expectedDisbursementDate;
}

/** Due dates of all installments, each chained from the previous one and re-anchored to the seed day. */
export function dueDates(t: Terms): LocalDate[] {
  const seed = seedDate(t);
  const dates: LocalDate[] = [];
  let last = t.expectedDisbursementDate;
  for (let i = 0; i < t.numberOfRepayments; i++) {
    const next =
      i === 0 && t.repaymentsStartingFromDate
        ? t.repaymentsStartingFromDate
        : adjustToSeed(addPeriod(last, t.repaymentFrequencyType, t.repaymentEvery), seed, t.repaymentFrequencyType);
    dates.push(next);
    last = next;
  }
  return t.calendar ? moveOffNonWorkingDays(t, dates) : dates;
}

/**
 * Due dates on a holiday or non-working day move by the product's rule (Fineract adjusts each due date of
 * the cumulative schedule this way; the next period is still chained from the regular date). A move that
 * would reach the previous due date (or the disbursement) keeps the regular date.
 */
function moveOffNonWorkingDays(t: Terms, dates: LocalDate[]): LocalDate[] {
  const out: LocalDate[] = [];
  let previous = t.expectedDisbursementDate;
  for (const d of dates) {
    const moved = adjustDueDate(d, t.calendar!);
    const next = moved > previous ? moved : d;
    out.push(next);
    previous = next;
  }
  return out;
}

/** Java's ChronoUnit.MONTHS.between: whole months, not counting a last partial month. */
export function monthsBetween(from: LocalDate, to: LocalDate): number {
  const a = ymd(from);
  const b = ymd(to);
  let months = (b.y - a.y) * 12 + (b.m - a.m);
  const days = b.d - a.d;
  if (months > 0 && days < 0) months--;
  else if (months < 0 && days > 0) months++;
  return months;
}

/** Fineract's calculatePeriodsBetweenDates: repayment periods (with a fractional part) between two dates. */
export function periodsBetween(t: Terms, from: LocalDate, to: LocalDate) {
  const days = daysBetween(from, to);
  if (t.repaymentFrequencyType === 'DAYS') return fromDouble(days);
  if (t.repaymentFrequencyType === 'WEEKS') {
    const weeks = Math.trunc(days / 7);
    return fromDouble(weeks).plus(fromDouble((days - weeks * 7) / 7));
  }
  const months = monthsBetween(from, to);
  const seed = seedDate(t);
  const start = adjustToSeed(addMonths(from, months), seed, 'MONTHS');
  const end = adjustToSeed(addMonths(from, months + 1), seed, 'MONTHS');
  return fromDouble(months).plus(fromDouble(daysBetween(start, to) / daysBetween(start, end)));
}
