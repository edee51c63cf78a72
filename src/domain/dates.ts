/**
 * Calendar arithmetic on `YYYY-MM-DD` strings, without Date objects or time zones: a loan's dates are
 * civil dates. Day numbers count days since 1970-01-01 (proleptic Gregorian), so date math is integer math.
 */
import { ValidationError } from './errors';

export type LocalDate = string;

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

export function daysInYear(y: number): number {
  return isLeapYear(y) ? 366 : 365;
}

export interface Ymd {
  y: number;
  m: number;
  d: number;
}

function digits(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}

/** Splits `YYYY-MM-DD` (hot in schedule generation, so no regex). */
export function ymd(date: LocalDate): Ymd {
  const y = date.length === 10 && date[4] === '-' && date[7] === '-' ? digits(date, 0, 4) : NaN;
  const m = digits(date, 5, 7);
  const d = digits(date, 8, 10);
  if (Number.isNaN(y) || Number.isNaN(m) || Number.isNaN(d)) throw new Error(`Not a date: ${date}`);
  return { y, m, d };
}

export function isLocalDate(value: unknown): value is LocalDate {
  if (typeof value !== 'string') return false;
  const match = LOCAL_DATE.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return y >= 1900 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/** Validates a date input; throws a ValidationError naming the field. */
export function requireLocalDate(field: string, value: unknown): LocalDate {
  if (!isLocalDate(value)) throw new ValidationError(field, 'must be a date YYYY-MM-DD');
  return value;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatYmd({ y, m, d }: Ymd): LocalDate {
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
export function toEpochDay(date: LocalDate): number {
  const { y: year, m, d } = ymd(date);
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of toEpochDay (civil_from_days). */
export function fromEpochDay(days: number): LocalDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return formatYmd({ y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d });
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Adds calendar months; a day past the end of the target month becomes its last day (Jan 31 + 1 = Feb 28/29). */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const { y, m, d } = ymd(date);
  const index = y * 12 + (m - 1) + months;
  const ny = Math.floor(index / 12);
  const nm = (index % 12) + 1;
  return formatYmd({ y: ny, m: nm, d: Math.min(d, daysInMonth(ny, nm)) });
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a < b ? -1 : a > b ? 1 : 0; // ISO strings sort chronologically
}

export function maxDate(a: LocalDate, b: LocalDate): LocalDate {
  return a > b ? a : b;
}

export function minDate(a: LocalDate, b: LocalDate): LocalDate {
  return a < b ? a : b;
}

/** Days between two dates counting every month as 30 days (30/360, US/NASD end-of-month rules). */
export function days360(from: LocalDate, to: LocalDate): number {
  const a = ymd(from);
  const b = ymd(to);
  let d1 = a.d;
  let d2 = b.d;
  if (d1 === 31) d1 = 30;
  if (d2 === 31 && d1 >= 30) d2 = 30;
  return (b.y - a.y) * 360 + (b.m - a.m) * 30 + (d2 - d1);
}
