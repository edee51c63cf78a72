/**
 * `generateSchedule(terms)`: the repayment schedule of a loan, to the cent as Apache Fineract computes
 * it. Pure and deterministic; amounts in and out are decimal strings.
 */
import { daysBetween, type LocalDate } from '../dates';
import { Decimal } from '../money';
import { money, ZERO } from './calc';
import { cumulativeSchedule } from './cumulative';
import { progressiveSchedule } from './progressive';
import { validateTerms, type ChargeCalculationType, type LoanTerms, type Terms } from './terms';
import type { EngineResult, PeriodAmounts } from './types';

export * from './terms';
export type { PeriodAmounts } from './types';

export interface SchedulePeriod {
  period: number;
  fromDate: LocalDate;
  dueDate: LocalDate;
  daysInPeriod: number;
  principalDue: string;
  interestDue: string;
  feeChargesDue: string;
  penaltyChargesDue: string;
  totalDue: string;
  principalLoanBalanceOutstanding: string;
}

export interface LoanSchedule {
  currencyCode: string;
  digitsAfterDecimal: number;
  loanScheduleType: 'CUMULATIVE' | 'PROGRESSIVE';
  /** The equal installment (principal + interest) where the terms amortize in equal installments. */
  installmentAmount: string | null;
  /** Fees due at disbursement (Fineract's "period 0"). */
  feeChargesAtDisbursement: string;
  periods: SchedulePeriod[];
  totalPrincipal: string;
  totalInterest: string;
  totalFeeCharges: string;
  totalPenaltyCharges: string;
  /** Principal + interest + fees (including at disbursement) + penalties. */
  totalRepayment: string;
}

/** A schedule with Decimal amounts, for code that keeps computing with it (allocation, accrual, APR). */
export interface ScheduleModel extends EngineResult {
  terms: Terms;
  feeChargesAtDisbursement: Decimal;
}

function percentOf(amount: Decimal, percent: Decimal): Decimal {
  return amount.times(percent).div(100);
}

/**
 * What a charge comes to before rounding: FLAT its amount, otherwise its percent of the principal, the
 * interest or both (an installment fee's of that installment, a dated charge's of the loan: Fineract).
 */
export function chargeValue(calculation: ChargeCalculationType, rate: Decimal, principal: Decimal, interest: Decimal): Decimal {
  if (calculation === 'FLAT') return rate;
  const base = calculation === 'PERCENT_OF_AMOUNT' ? principal : calculation === 'PERCENT_OF_INTEREST' ? interest : principal.plus(interest);
  return percentOf(base, rate);
}

/**
 * Adds charges as Fineract's schedule shows them: DISBURSEMENT ones in period 0 (flat or a percent of the
 * principal), INSTALLMENT_FEE ones on every installment (flat, or a percent of its principal, interest or
 * both), SPECIFIED_DUE_DATE ones on the installment whose period (fromDate, dueDate] holds the date (the
 * first period includes its fromDate; a date after the last due date joins the last installment).
 * Penalties go to penaltyChargesDue. OVERDUE_INSTALLMENT charges are applied later by close of business.
 */
function applyCharges(t: Terms, result: EngineResult): ScheduleModel {
  let atDisbursement = ZERO;
  for (const c of t.charges) {
    if (c.chargeTimeType !== 'DISBURSEMENT') continue;
    atDisbursement = atDisbursement.plus(money(c.chargeCalculationType === 'FLAT' ? c.amount : percentOf(t.principal, c.amount), t));
  }
  const last = result.periods.length - 1;
  const totalInterest = result.periods.reduce((acc, p) => acc.plus(p.interestDue), ZERO);
  const periods: PeriodAmounts[] = result.periods.map((p, i) => {
    let fee = ZERO;
    let penalty = ZERO;
    for (const c of t.charges) {
      // An installment fee's percent is of that installment; a dated charge's of the loan (Fineract).
      const [principal, interest] = c.chargeTimeType === 'INSTALLMENT_FEE' ? [p.principalDue, p.interestDue] : [t.principal, totalInterest];
      let applies = c.chargeTimeType === 'INSTALLMENT_FEE';
      if (c.chargeTimeType === 'SPECIFIED_DUE_DATE' && c.dueDate) {
        applies = (i === 0 ? c.dueDate >= p.fromDate : c.dueDate > p.fromDate) && (c.dueDate <= p.dueDate || i === last);
      }
      if (!applies) continue;
      const amount = money(chargeValue(c.chargeCalculationType, c.amount, principal, interest), t);
      if (c.penalty) penalty = penalty.plus(amount);
      else fee = fee.plus(amount);
    }
    return { ...p, feeChargesDue: fee, penaltyChargesDue: penalty };
  });
  return { ...result, periods, terms: t, feeChargesAtDisbursement: atDisbursement };
}

/** Validates the terms and computes the schedule with Decimal amounts. */
export function buildSchedule(input: LoanTerms): ScheduleModel {
  const t = validateTerms(input);
  const result = t.loanScheduleType === 'PROGRESSIVE' ? progressiveSchedule(t) : cumulativeSchedule(t);
  return applyCharges(t, result);
}

export function periodTotal(p: PeriodAmounts): Decimal {
  return p.principalDue.plus(p.interestDue).plus(p.feeChargesDue).plus(p.penaltyChargesDue);
}

/** Renders a schedule model as the public, string-typed schedule. */
export function toLoanSchedule(model: ScheduleModel): LoanSchedule {
  const d = model.terms.digitsAfterDecimal;
  const s = (x: Decimal) => x.toFixed(d);
  const sum = (f: (p: PeriodAmounts) => Decimal) => model.periods.reduce((acc, p) => acc.plus(f(p)), new Decimal(0));
  const totalPrincipal = sum((p) => p.principalDue);
  const totalInterest = sum((p) => p.interestDue);
  const totalFees = sum((p) => p.feeChargesDue).plus(model.feeChargesAtDisbursement);
  const totalPenalties = sum((p) => p.penaltyChargesDue);
  return {
    currencyCode: model.terms.currencyCode,
    digitsAfterDecimal: d,
    loanScheduleType: model.terms.loanScheduleType,
    installmentAmount: model.installmentAmount ? s(model.installmentAmount) : null,
    feeChargesAtDisbursement: s(model.feeChargesAtDisbursement),
    periods: model.periods.map((p) => ({
      period: p.period,
      fromDate: p.fromDate,
      dueDate: p.dueDate,
      daysInPeriod: daysBetween(p.fromDate, p.dueDate),
      principalDue: s(p.principalDue),
      interestDue: s(p.interestDue),
      feeChargesDue: s(p.feeChargesDue),
      penaltyChargesDue: s(p.penaltyChargesDue),
      totalDue: s(periodTotal(p)),
      principalLoanBalanceOutstanding: s(p.principalLoanBalanceOutstanding),
    })),
    totalPrincipal: s(totalPrincipal),
    totalInterest: s(totalInterest),
    totalFeeCharges: s(totalFees),
    totalPenaltyCharges: s(totalPenalties),
    totalRepayment: s(totalPrincipal.plus(totalInterest).plus(totalFees).plus(totalPenalties)),
  };
}

/** The public contract: terms in (Fineract field names, strings for money), schedule out. */
export function generateSchedule(terms: LoanTerms): LoanSchedule {
  return toLoanSchedule(buildSchedule(terms));
}
