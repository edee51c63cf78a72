/**
 * Interest accrual and payoff quotes. Scheduled interest of a period is earned evenly over its days
 * (Fineract's periodic accrual), so any date range accrues the days it covers of each period.
 */
import { compareDates, daysBetween, type LocalDate } from './dates';
import { ValidationError } from './errors';
import { COMPONENTS, outstanding, type Installment } from './installments';
import { Decimal } from './money';

export interface MoneyRounding {
  digitsAfterDecimal: number;
}

function round(x: Decimal, r: MoneyRounding): Decimal {
  return x.toDecimalPlaces(r.digitsAfterDecimal, Decimal.ROUND_HALF_EVEN);
}

/** Interest of one installment earned by the end of `date` (whole at its due date). */
export function interestEarnedBy(inst: Installment, date: LocalDate, r: MoneyRounding): Decimal {
  if (compareDates(date, inst.fromDate) <= 0) return new Decimal(0);
  if (compareDates(date, inst.dueDate) >= 0) return inst.due.interest;
  const days = daysBetween(inst.fromDate, inst.dueDate);
  return round(inst.due.interest.times(daysBetween(inst.fromDate, date)).div(days), r);
}

/**
 * Interest income of one installment accrued by the end of `date` under periodic accrual: the earned
 * share of the interest charged less what was waived (waived interest is never income; a waiver
 * reverses what was booked of it, and the rest accrues on what is left). What close of business books
 * (ADD_PERIODIC_ACCRUAL_ENTRIES); without waivers it is interestEarnedBy.
 */
export function accrualIncomeBy(inst: Installment, date: LocalDate, r: MoneyRounding): Decimal {
  return interestEarnedBy({ ...inst, due: { ...inst.due, interest: inst.due.interest.minus(inst.waived.interest) } }, date, r);
}

/**
 * Interest accrued over [from, to): the earned-by-`to` amount minus the earned-by-`from` amount,
 * per installment, so consecutive ranges add up exactly to the scheduled interest.
 */
export function accruedInterest(installments: Installment[], from: LocalDate, to: LocalDate, r: MoneyRounding): Decimal {
  if (compareDates(to, from) < 0) throw new ValidationError('to', 'must not be before from');
  return installments.reduce(
    (acc, inst) => acc.plus(interestEarnedBy(inst, to, r)).minus(interestEarnedBy(inst, from, r)),
    new Decimal(0),
  );
}

/**
 * Fees periodic accrual books on one installment by `date` (Dr fees receivable, Cr fee income; close of
 * business, ADD_PERIODIC_ACCRUAL_ENTRIES): from its due date on, what is charged less waived and not yet
 * recognised. Recognised is `feeAccrued` (booked receivable before) or, if more, what was paid: a fee paid
 * before it was accrued was income when paid (a payment settles the receivable first, the rest is income).
 * Once it books, the installment's fees count as recognised: `feeAccrued` becomes charged less waived.
 */
export function feeAccrualBy(inst: Installment, feeAccrued: Decimal, date: LocalDate): Decimal {
  if (compareDates(inst.dueDate, date) > 0) return new Decimal(0);
  return Decimal.max(0, inst.due.fee.minus(inst.waived.fee).minus(Decimal.max(feeAccrued, inst.paid.fee)));
}

export interface PayoffQuote {
  date: LocalDate;
  principal: Decimal;
  interest: Decimal;
  fees: Decimal;
  penalties: Decimal;
  total: Decimal;
}

/**
 * What it takes to close the loan on `date`: all outstanding principal, interest earned up to that
 * date but not paid, and fees and penalties already due. Future interest is not charged.
 */
export function payoffQuote(installments: Installment[], date: LocalDate, r: MoneyRounding): PayoffQuote {
  let principal = new Decimal(0);
  let interest = new Decimal(0);
  let fees = new Decimal(0);
  let penalties = new Decimal(0);
  for (const inst of installments) {
    principal = principal.plus(outstanding(inst, 'principal'));
    const earned = interestEarnedBy(inst, date, r);
    const settled = inst.paid.interest.plus(inst.waived.interest);
    interest = interest.plus(Decimal.max(0, earned.minus(settled)));
    if (compareDates(inst.dueDate, date) <= 0) {
      fees = fees.plus(outstanding(inst, 'fee'));
      penalties = penalties.plus(outstanding(inst, 'penalty'));
    }
  }
  for (const v of [principal, interest, fees, penalties]) if (v.lt(0)) throw new Error('negative outstanding amount');
  return { date, principal, interest, fees, penalties, total: principal.plus(interest).plus(fees).plus(penalties) };
}

/** Total still owed on all installments regardless of date (what the schedule says is left). */
export function totalScheduledOutstanding(installments: Installment[]): Decimal {
  return installments.reduce((acc, i) => COMPONENTS.reduce((a, c) => a.plus(outstanding(i, c)), acc), new Decimal(0));
}

