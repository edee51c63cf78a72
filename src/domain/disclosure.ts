/**
 * Cost-of-credit disclosure (beyond Fineract): the APR and the effective annual rate of a schedule,
 * fees included. The borrower receives the principal less fees at disbursement and pays each period's
 * total; the periodic rate i that discounts those payments to the amount received is found by
 * bisection (actuarial method, compounding once per repayment period, fractional periods by days).
 */
import { daysBetween } from './dates';
import { Decimal } from './money';
import { periodTotal, type ScheduleModel } from './schedule';

export interface Disclosure {
  /** Annual percentage rate: periodic rate × periods per year, percent, 4 decimals. */
  apr: string;
  /** Effective annual rate: (1 + periodic rate)^(periods per year) − 1, percent, 4 decimals. */
  effectiveAnnualRate: string;
  amountFinanced: string;
  financeCharge: string;
}

function periodsPerYear(model: ScheduleModel): Decimal {
  const t = model.terms;
  const base = t.repaymentFrequencyType === 'DAYS' ? 365 : t.repaymentFrequencyType === 'WEEKS' ? 52 : 12;
  return new Decimal(base).div(t.repaymentEvery);
}

export function disclose(model: ScheduleModel): Disclosure {
  const t = model.terms;
  const amountFinanced = t.principal.minus(model.feeChargesAtDisbursement);
  const perYear = periodsPerYear(model);
  // Time of each payment in repayment periods, from its day count (irregular periods count exactly).
  const flows = model.periods.map((p) => ({
    amount: periodTotal(p),
    time: new Decimal(daysBetween(t.expectedDisbursementDate, p.dueDate)).div(365).times(perYear),
  }));
  const totalPaid = flows.reduce((acc, f) => acc.plus(f.amount), new Decimal(0));
  const presentValue = (i: Decimal) => flows.reduce((acc, f) => acc.plus(f.amount.div(i.plus(1).pow(f.time))), new Decimal(0));

  let low = new Decimal(0);
  let high = new Decimal(1);
  while (presentValue(high).gt(amountFinanced) && high.lt(1e6)) high = high.times(2);
  for (let k = 0; k < 200 && high.minus(low).gt('1e-14'); k++) {
    const mid = low.plus(high).div(2);
    if (presentValue(mid).gt(amountFinanced)) low = mid;
    else high = mid;
  }
  const periodic = low.plus(high).div(2);
  return {
    apr: periodic.times(perYear).times(100).toFixed(4),
    effectiveAnnualRate: periodic.plus(1).pow(perYear).minus(1).times(100).toFixed(4),
    amountFinanced: amountFinanced.toFixed(t.digitsAfterDecimal),
    financeCharge: totalPaid.minus(amountFinanced).toFixed(t.digitsAfterDecimal),
  };
}
