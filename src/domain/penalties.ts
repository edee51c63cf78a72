/**
 * Overdue-installment penalties: flat or a percent of the overdue amount, charged once an installment
 * is more than `graceDays` past due, once or again every `repeatEveryDays` (Fineract's overdue charge
 * with a fee frequency). Close of business applies every OVERDUE_INSTALLMENT charge a loan carries with
 * this rule (overdueChargeRule maps the charge's calculation type).
 */
import { addDays, compareDates, daysBetween, type LocalDate } from './dates';
import { ValidationError } from './errors';
import { outstanding, type Installment } from './installments';
import { Decimal, parseDecimal } from './money';
import type { ChargeCalculationType } from './schedule';

export const PENALTY_CALCULATION_TYPES = ['FLAT', 'PERCENT_OF_OVERDUE_PRINCIPAL', 'PERCENT_OF_OVERDUE_PRINCIPAL_AND_INTEREST'] as const;
export type PenaltyCalculationType = (typeof PENALTY_CALCULATION_TYPES)[number];

export interface PenaltyRule {
  calculationType: PenaltyCalculationType;
  /** An amount for FLAT, a percent otherwise. */
  amount: string;
  graceDays: number;
  /** null: charge once per installment; N: charge again every N days while still overdue. */
  repeatEveryDays?: number | null;
  digitsAfterDecimal: number;
}

/** An OVERDUE_INSTALLMENT charge's calculation (Fineract's names) as the overdue base it is a percent of. */
export const OVERDUE_CHARGE_CALCULATIONS: Partial<Record<ChargeCalculationType, PenaltyCalculationType>> = {
  FLAT: 'FLAT',
  PERCENT_OF_AMOUNT: 'PERCENT_OF_OVERDUE_PRINCIPAL',
  PERCENT_OF_AMOUNT_AND_INTEREST: 'PERCENT_OF_OVERDUE_PRINCIPAL_AND_INTEREST',
};

/** The rule of an OVERDUE_INSTALLMENT charge: its amount or percent, grace days and fee interval (repeat). */
export function overdueChargeRule(
  charge: { chargeCalculationType: ChargeCalculationType; amount: string; graceDays?: number | null; feeInterval?: number | null },
  digitsAfterDecimal: number,
): PenaltyRule {
  const calculationType = OVERDUE_CHARGE_CALCULATIONS[charge.chargeCalculationType];
  if (!calculationType) throw new ValidationError('chargeCalculationType', `an overdue charge is one of ${Object.keys(OVERDUE_CHARGE_CALCULATIONS).join(', ')}`);
  return { calculationType, amount: charge.amount, graceDays: charge.graceDays ?? 0, repeatEveryDays: charge.feeInterval ?? null, digitsAfterDecimal };
}

export interface PenaltyCharge {
  period: number;
  /** The date the penalty became due (the day after the grace days ran out, or a repeat of it). */
  dueDate: LocalDate;
  amount: Decimal;
}

/**
 * Penalties an installment has incurred by `businessDate` that are not yet in `alreadyCharged`
 * (keyed `period@date`), so running it every night is idempotent.
 */
export function overduePenalties(
  installments: Installment[],
  businessDate: LocalDate,
  rule: PenaltyRule,
  alreadyCharged: ReadonlySet<string> = new Set(),
): PenaltyCharge[] {
  const amount = parseDecimal(rule.amount);
  if (!amount || amount.lt(0)) throw new ValidationError('amount', 'must be a non-negative decimal');
  if (!Number.isInteger(rule.graceDays) || rule.graceDays < 0) throw new ValidationError('graceDays', 'must be a whole number >= 0');
  if (rule.repeatEveryDays != null && (!Number.isInteger(rule.repeatEveryDays) || rule.repeatEveryDays < 1)) {
    throw new ValidationError('repeatEveryDays', 'must be a whole number >= 1');
  }
  const charges: PenaltyCharge[] = [];
  for (const inst of installments) {
    const overduePrincipal = outstanding(inst, 'principal');
    const overdueInterest = outstanding(inst, 'interest');
    if (overduePrincipal.plus(overdueInterest).lte(0)) continue;
    const first = addDays(inst.dueDate, rule.graceDays + 1);
    if (compareDates(businessDate, first) < 0) continue;
    const occurrences = rule.repeatEveryDays ? Math.floor(daysBetween(first, businessDate) / rule.repeatEveryDays) + 1 : 1;
    for (let k = 0; k < occurrences; k++) {
      const dueDate = addDays(first, k * (rule.repeatEveryDays ?? 0));
      if (alreadyCharged.has(`${inst.period}@${dueDate}`)) continue;
      const base = rule.calculationType === 'PERCENT_OF_OVERDUE_PRINCIPAL' ? overduePrincipal : overduePrincipal.plus(overdueInterest);
      const value = rule.calculationType === 'FLAT' ? amount : base.times(amount).div(100);
      const charge = value.toDecimalPlaces(rule.digitsAfterDecimal, Decimal.ROUND_HALF_EVEN);
      // A penalty that rounds to nothing is not a charge (nor does it count as charged: a later date may charge it).
      if (charge.gt(0)) charges.push({ period: inst.period, dueDate, amount: charge });
    }
  }
  return charges;
}
