/**
 * Non-working days and what a due date falling on one becomes (Apache Fineract's working days, holidays
 * and RepaymentRescheduleType). Pure: dates are `YYYY-MM-DD`, weekdays ISO (1 = Monday … 7 = Sunday).
 */
import { ValidationError } from './errors';
import { addDays, isLocalDate, toEpochDay, type LocalDate } from './dates';

/** Fineract's RepaymentRescheduleType values a product can choose (no meeting calendars here). */
export const REPAYMENT_RESCHEDULE_TYPES = ['SAME_DAY', 'MOVE_TO_NEXT_WORKING_DAY', 'MOVE_TO_PREVIOUS_WORKING_DAY'] as const;
export type RepaymentRescheduleType = (typeof REPAYMENT_RESCHEDULE_TYPES)[number];

export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The lender's calendar: weekend days and holidays (each an inclusive date range). */
export interface WorkingCalendar {
  nonWorkingDays: Weekday[];
  holidays: { fromDate: LocalDate; toDate: LocalDate }[];
}

export interface ScheduleCalendar extends WorkingCalendar {
  rescheduleType: RepaymentRescheduleType;
}

/** ISO weekday of a date (1970-01-01 was a Thursday). */
export function weekdayOf(date: LocalDate): Weekday {
  const n = (((toEpochDay(date) + 3) % 7) + 7) % 7;
  return WEEKDAYS[n];
}

export function isWorkingDay(date: LocalDate, c: WorkingCalendar): boolean {
  if (c.nonWorkingDays.includes(weekdayOf(date))) return false;
  return !c.holidays.some((h) => h.fromDate <= date && date <= h.toDate);
}

/** Checks a calendar: at least one working weekday, holidays with fromDate ≤ toDate (ranges ≤ 366 days). */
export function validateCalendar(c: WorkingCalendar): WorkingCalendar {
  const days = [...new Set(c.nonWorkingDays)];
  for (const d of days) if (!(WEEKDAYS as readonly string[]).includes(d)) throw new ValidationError('nonWorkingDays', `must be among ${WEEKDAYS.join(', ')}`);
  if (days.length >= 7) throw new ValidationError('nonWorkingDays', 'at least one day of the week must be a working day');
  c.holidays.forEach((h, i) => {
    if (!isLocalDate(h.fromDate)) throw new ValidationError(`holidays[${i}].fromDate`, 'must be a date YYYY-MM-DD');
    if (!isLocalDate(h.toDate)) throw new ValidationError(`holidays[${i}].toDate`, 'must be a date YYYY-MM-DD');
    if (h.toDate < h.fromDate) throw new ValidationError(`holidays[${i}].toDate`, 'must not be before fromDate');
    if (toEpochDay(h.toDate) - toEpochDay(h.fromDate) > 366) throw new ValidationError(`holidays[${i}].toDate`, 'a holiday spans at most a year');
  });
  return { nonWorkingDays: days, holidays: c.holidays.map((h) => ({ fromDate: h.fromDate, toDate: h.toDate })) };
}

/**
 * The date a due date moves to under the rule: unchanged on a working day or for SAME_DAY, else the next
 * or previous working day. (A calendar always has a working weekday, and holidays are bounded, so the
 * walk ends.)
 */
export function adjustDueDate(date: LocalDate, c: ScheduleCalendar): LocalDate {
  if (c.rescheduleType === 'SAME_DAY' || isWorkingDay(date, c)) return date;
  const step = c.rescheduleType === 'MOVE_TO_NEXT_WORKING_DAY' ? 1 : -1;
  let d = date;
  for (let i = 0; i < 800 && !isWorkingDay(d, c); i++) d = addDays(d, step);
  return d;
}
