/**
 * Fineract's cumulative schedule generators (declining balance and flat), for a single disbursement
 * without interest recalculation: AbstractCumulativeLoanScheduleGenerator with
 * CumulativeDecliningBalanceInterestLoanScheduleGenerator / CumulativeFlatInterestLoanScheduleGenerator.
 */
import { Decimal } from '../money';
import { fromDouble, money, pmt, roundToMultiple, ZERO } from './calc';
import { addPeriod, dueDates, subtractPeriod } from './periods';
import { periodicRate, periodsInOneYear, rateCache } from './rates';
import { div12 } from './calc';
import type { Terms } from './terms';
import type { EngineResult, PeriodAmounts } from './types';
import { daysBetween } from '../dates';

/** Fineract's Money.dividedBy(n, HALF_EVEN): keeps the currency scale. */
function divideMoney(t: Terms, amount: Decimal, by: number): Decimal {
  return money(amount.div(by), t);
}

function inPrincipalGrace(t: Terms, period: number): boolean {
  return period <= t.graceOnPrincipalPayment;
}

function inInterestPaymentGrace(t: Terms, period: number): boolean {
  return period <= t.graceOnInterestPayment;
}

function inInterestFreeGrace(t: Terms, period: number): boolean {
  return period <= t.graceOnInterestCharged;
}

/** Equal installment: PMT over the periods that repay principal, on a 30-day-month rate, rounded as money. */
function equalInstallment(t: Terms): Decimal {
  const start = t.expectedDisbursementDate.slice(0, 8) + '01';
  const rate = periodicRate(t, start, addPeriod(start, t.repaymentFrequencyType, t.repaymentEvery), { forPmt: true, daysInMonthType: 'DAYS_30' });
  const periods = t.numberOfRepayments - t.graceOnPrincipalPayment;
  let emi = fromDouble(pmt(rate.toNumber(), periods, t.principal.toNumber()));
  if (t.installmentAmountInMultiplesOf) emi = roundToMultiple(emi, t.installmentAmountInMultiplesOf);
  return money(emi, t);
}

/** Total flat interest over the loan term (before interest-free grace). */
function totalFlatInterest(t: Terms, loanEndDate: string): Decimal {
  let termPeriods: Decimal;
  if (t.interestCalculationPeriodType === 'DAILY') {
    termPeriods = new Decimal(daysBetween(t.expectedDisbursementDate, loanEndDate));
  } else {
    termPeriods = new Decimal(t.numberOfRepayments * t.repaymentEvery);
  }
  const rateForTerm = div12(div12(t.annualNominalInterestRate, periodsInOneYear(t)), 100).times(termPeriods);
  return money(t.principal.times(rateForTerm), t);
}

export function cumulativeSchedule(t: Terms): EngineResult {
  const dates = dueDates(t);
  const n = t.numberOfRepayments;
  // Interest of the first period runs from one period before the first due date (Fineract's
  // "ideal disbursement date"), so a late first repayment date does not add a longer first period.
  const idealDisbursementDate = subtractPeriod(dates[0], t.repaymentFrequencyType, t.repaymentEvery);

  const emi = t.interestType === 'DECLINING_BALANCE' && t.amortizationType === 'EQUAL_INSTALLMENTS' ? equalInstallment(t) : null;
  const fixedPrincipal = divideMoney(t, t.principal, n - t.graceOnPrincipalPayment);

  // Flat interest: the total is known up front and spread over the periods that pay interest.
  const flatTotal = t.interestType === 'FLAT' ? totalFlatInterest(t, dates[n - 1]) : ZERO;
  const flatPerInstallment = divideMoney(t, flatTotal, n);
  const flatTotalDue = flatTotal.minus(flatPerInstallment.times(t.graceOnInterestCharged));
  const interestPayingPeriods = n - t.graceOnInterestPayment - t.graceOnInterestCharged;

  const rateFor = rateCache(t);
  const periods: PeriodAmounts[] = [];
  let balance = t.principal;
  let cumulativePrincipal = ZERO;
  let cumulativeInterest = ZERO;
  let deferredInterest = ZERO;
  let from = t.expectedDisbursementDate;

  for (let p = 1; p <= n; p++) {
    const due = dates[p - 1];
    const interestFrom = p === 1 ? idealDisbursementDate : from;
    let interest: Decimal;
    let principal: Decimal;

    if (t.interestType === 'DECLINING_BALANCE') {
      const periodInterest = money(balance.times(rateFor(interestFrom, due)), t);
      const broughtForward = deferredInterest;
      if (inInterestFreeGrace(t, p)) {
        interest = ZERO;
      } else if (inInterestPaymentGrace(t, p)) {
        deferredInterest = deferredInterest.plus(periodInterest);
        interest = ZERO;
      } else {
        interest = deferredInterest.plus(periodInterest);
        deferredInterest = ZERO;
      }
      // The installment covers this period's interest; interest deferred by grace comes on top.
      const interestForPrincipal = interest.gt(0) ? interest.minus(broughtForward) : deferredInterest.minus(broughtForward);
      // When a period's interest exceeds the installment (long irregular periods at high rates) no
      // principal is due rather than a negative amount; the last installment repays what is left.
      if (emi) principal = inPrincipalGrace(t, p) ? ZERO : Decimal.max(ZERO, emi.minus(interestForPrincipal));
      else principal = inPrincipalGrace(t, p) ? ZERO : fixedPrincipal;
    } else {
      // FLAT: interest averaged over the interest-paying periods; EQUAL_PRINCIPAL defers grace interest.
      if (inInterestPaymentGrace(t, p)) {
        if (t.amortizationType === 'EQUAL_PRINCIPAL') deferredInterest = deferredInterest.plus(flatPerInstallment);
        interest = ZERO;
      } else if (inInterestFreeGrace(t, p)) {
        interest = ZERO;
      } else if (t.amortizationType === 'EQUAL_PRINCIPAL') {
        interest = flatPerInstallment.plus(deferredInterest);
        deferredInterest = ZERO;
      } else {
        interest = divideMoney(t, flatTotalDue, interestPayingPeriods);
      }
      principal = inPrincipalGrace(t, p) ? ZERO : fixedPrincipal;
      if (t.installmentAmountInMultiplesOf && !inPrincipalGrace(t, p)) {
        // Round principal + interest together to the multiple, keeping the interest exact.
        const m = t.installmentAmountInMultiplesOf;
        principal = Decimal.max(ZERO, roundToMultiple(principal, m).plus(roundToMultiple(interest, m)).minus(interest));
      }
      // Never charge more flat interest than the total; the last installment takes the remainder.
      interest = Decimal.min(interest, flatTotalDue.minus(cumulativeInterest));
      if (p === n) interest = flatTotalDue.minus(cumulativeInterest);
      cumulativeInterest = cumulativeInterest.plus(interest);
    }

    // Never repay more principal than is left; the last period repays exactly what is left.
    if (cumulativePrincipal.plus(principal).gt(t.principal)) principal = t.principal.minus(cumulativePrincipal);
    if (p === n) principal = t.principal.minus(cumulativePrincipal);
    cumulativePrincipal = cumulativePrincipal.plus(principal);
    balance = balance.minus(principal);

    periods.push({
      period: p,
      fromDate: from,
      dueDate: due,
      principalDue: principal,
      interestDue: interest,
      feeChargesDue: ZERO,
      penaltyChargesDue: ZERO,
      principalLoanBalanceOutstanding: balance,
    });
    from = due;
  }
  return { periods, installmentAmount: emi };
}

