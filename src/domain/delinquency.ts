/** Days past due and delinquency buckets (Fineract's delinquency ranges and buckets). */
import { compareDates, daysBetween, type LocalDate } from './dates';
import { ValidationError } from './errors';
import { totalOutstanding, type Installment } from './installments';

export interface DelinquencyRange {
  classification: string;
  minimumAgeDays: number;
  /** null: open-ended (e.g. 90+). */
  maximumAgeDays: number | null;
}

export const DEFAULT_DELINQUENCY_BUCKET: DelinquencyRange[] = [
  { classification: 'RANGE_1_30', minimumAgeDays: 1, maximumAgeDays: 30 },
  { classification: 'RANGE_31_60', minimumAgeDays: 31, maximumAgeDays: 60 },
  { classification: 'RANGE_61_90', minimumAgeDays: 61, maximumAgeDays: 90 },
  { classification: 'RANGE_90_PLUS', minimumAgeDays: 91, maximumAgeDays: null },
];

/** Days since the oldest installment that is due and not settled; 0 when nothing is overdue. */
export function daysPastDue(installments: Installment[], businessDate: LocalDate): number {
  const overdue = installments
    .filter((i) => compareDates(i.dueDate, businessDate) < 0 && totalOutstanding(i).gt(0))
    .sort((a, b) => compareDates(a.dueDate, b.dueDate));
  return overdue.length ? daysBetween(overdue[0].dueDate, businessDate) : 0;
}

/** Checks that ranges are well formed and do not overlap. */
export function validateBucket(ranges: DelinquencyRange[]): void {
  const sorted = [...ranges].sort((a, b) => a.minimumAgeDays - b.minimumAgeDays);
  sorted.forEach((r, i) => {
    if (!Number.isInteger(r.minimumAgeDays) || r.minimumAgeDays < 1) throw new ValidationError(`ranges[${i}].minimumAgeDays`, 'must be >= 1');
    if (r.maximumAgeDays !== null && r.maximumAgeDays < r.minimumAgeDays) {
      throw new ValidationError(`ranges[${i}].maximumAgeDays`, 'must not be below minimumAgeDays');
    }
    const next = sorted[i + 1];
    if (next && (r.maximumAgeDays === null || r.maximumAgeDays >= next.minimumAgeDays)) {
      throw new ValidationError(`ranges[${i + 1}].minimumAgeDays`, 'overlaps the previous range');
    }
  });
}

/** The range a loan this many days past due falls in, or null when it is not delinquent. */
export function classifyDelinquency(days: number, ranges: DelinquencyRange[] = DEFAULT_DELINQUENCY_BUCKET): DelinquencyRange | null {
  if (days <= 0) return null;
  return ranges.find((r) => days >= r.minimumAgeDays && (r.maximumAgeDays === null || days <= r.maximumAgeDays)) ?? null;
}
