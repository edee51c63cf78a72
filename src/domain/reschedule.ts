/**
 * Rescheduling an active loan (Fineract's loan reschedule): a new annual rate, a new number of
 * remaining repayments and/or a new next due date. The installments already settled stay as they
 * are; from the first unsettled installment on, the outstanding principal is re-amortized by the
 * schedule engine from that installment's start date. Pure: the caller persists the plan.
 */
import { compareDates, type LocalDate } from './dates';
import { ConflictError, ValidationError } from './errors';
import { COMPONENTS, isSettled, type Installment } from './installments';
import { Decimal } from './money';
import { buildSchedule, type LoanTerms, type PeriodAmounts } from './schedule';

export interface RescheduleChange {
  annualInterestRate?: string | null;
  /** Repayments from the first unsettled installment on. */
  numberOfRepayments?: number | null;
  /** Due date of the first rescheduled installment; the rest follow at the loan's frequency. */
  nextDueDate?: LocalDate | null;
}

export interface ReschedulePlan {
  /** Number of the first installment replaced; earlier ones are untouched. */
  fromInstallment: number;
  /** Outstanding principal re-amortized (unchanged by the reschedule). */
  principal: Decimal;
  annualInterestRate: string;
  numberOfRepayments: number;
  /** The new installments, numbered on from `fromInstallment`. */
  periods: PeriodAmounts[];
  /** Interest already accrued on the replaced installments, carried onto the new ones (same order as `periods`). */
  interestAccrued: Decimal[];
}

/**
 * Plans a reschedule. `base` are the loan's schedule terms (frequency, day count, currency digits);
 * `accrued` is the interest accrued so far per installment (by installment number). Replaced
 * installments must carry no payment, waiver, fee or penalty (pay or waive those first): a CONFLICT
 * otherwise, as when the new schedule's interest could not absorb what was already accrued.
 */
export function planReschedule(base: LoanTerms, installments: Installment[], accrued: Map<number, Decimal>, change: RescheduleChange): ReschedulePlan {
  const sorted = [...installments].sort((a, b) => a.period - b.period);
  const first = sorted.findIndex((i) => !isSettled(i));
  if (first < 0) throw new ConflictError('Nothing is outstanding to reschedule');
  const replaced = sorted.slice(first);
  for (const i of replaced) {
    if (COMPONENTS.some((c) => i.paid[c].gt(0) || i.waived[c].gt(0))) {
      throw new ConflictError(`Installment ${i.period} is partly paid or waived; only untouched installments can be rescheduled`);
    }
    if (i.due.fee.gt(0) || i.due.penalty.gt(0)) throw new ConflictError(`Installment ${i.period} carries fees or penalties; settle or waive them before rescheduling`);
  }
  const start = replaced[0];
  const numberOfRepayments = change.numberOfRepayments ?? replaced.length;
  if (!Number.isInteger(numberOfRepayments) || numberOfRepayments < 1) throw new ValidationError('numberOfRepayments', 'must be a positive integer');
  const firstDue = change.nextDueDate ?? start.dueDate;
  if (compareDates(firstDue, start.fromDate) <= 0) throw new ValidationError('nextDueDate', `must be after ${start.fromDate}, the start of installment ${start.period}`);
  const annualInterestRate = change.annualInterestRate ?? base.annualNominalInterestRate;
  const principal = replaced.reduce((a, i) => a.plus(i.due.principal), new Decimal(0));
  const terms: LoanTerms = {
    ...base,
    principal: principal.toFixed(base.digitsAfterDecimal ?? 2),
    annualNominalInterestRate: annualInterestRate,
    numberOfRepayments,
    expectedDisbursementDate: start.fromDate,
    repaymentsStartingFromDate: firstDue,
    graceOnPrincipalPayment: 0,
    graceOnInterestPayment: 0,
    graceOnInterestCharged: 0,
    charges: [],
  };
  const periods = buildSchedule(terms).periods.map((p, n) => ({ ...p, period: start.period + n }));
  const total = periods.reduce((a, p) => a.plus(p.principalDue), new Decimal(0));
  if (!total.eq(principal)) throw new Error(`reschedule: new principal parts sum to ${total.toFixed()}, not ${principal.toFixed()}`);
  // Accrued interest stays booked: it moves onto the new installments in order, each up to its interest.
  let carry = replaced.reduce((a, i) => a.plus(accrued.get(i.period) ?? 0), new Decimal(0));
  const interestAccrued = periods.map((p) => {
    const take = Decimal.min(carry, p.interestDue);
    carry = carry.minus(take);
    return take;
  });
  if (carry.gt(0)) throw new ConflictError(`Interest already accrued exceeds the new schedule's interest by ${carry.toFixed()}`);
  return { fromInstallment: start.period, principal, annualInterestRate, numberOfRepayments, periods, interestAccrued };
}
