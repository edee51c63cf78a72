/**
 * Arithmetic exactly as Apache Fineract does it, so results agree to the cent: rate arithmetic in a
 * 12-significant-digit context (Fineract's MoneyHelper MathContext), money rounded HALF_EVEN to the
 * currency's digits, and Fineract's two "multiples of" roundings.
 */
import { Decimal, type DecimalInput } from '../money';
import type { Terms } from './terms';

/**
 * Fineract's MathContext(12, HALF_EVEN) for rates and factors. Computing at the platform's 40 digits
 * and then rounding to 12 significant digits gives the same result (a double-rounding difference
 * would need digits 13-40 to be exactly a tie) and is much faster than a second Decimal constructor.
 */
const SIG = 12;

export function div12(a: DecimalInput, b: DecimalInput): Decimal {
  return new Decimal(a).div(b).toSignificantDigits(SIG, Decimal.ROUND_HALF_EVEN);
}

export function mul12(a: DecimalInput, b: DecimalInput): Decimal {
  return new Decimal(a).times(b).toSignificantDigits(SIG, Decimal.ROUND_HALF_EVEN);
}

export function add12(a: DecimalInput, b: DecimalInput): Decimal {
  return new Decimal(a).plus(b).toSignificantDigits(SIG, Decimal.ROUND_HALF_EVEN);
}

/** Java's BigDecimal.valueOf(double): the shortest decimal that round-trips the double. */
export function fromDouble(x: number): Decimal {
  return new Decimal(String(x));
}

/** Rounds to a multiple, ties to even (Fineract's Money.roundToMultiplesOf on BigDecimal). */
export function roundToMultiple(amount: DecimalInput, multiple: number): Decimal {
  if (multiple <= 0) return new Decimal(amount);
  return new Decimal(amount).div(multiple).toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).times(multiple);
}

/** Nearest multiple, ties up (Fineract's double variant, used by Money for 0-digit currencies). */
function roundToMultipleTiesUp(amount: Decimal, multiple: number): Decimal {
  const floor = amount.div(multiple).floor().times(multiple);
  const ceil = amount.div(multiple).ceil().times(multiple);
  return ceil.minus(amount).gt(amount.minus(floor)) ? floor : ceil;
}

/** What Fineract's Money constructor does: currency digits (HALF_EVEN), multiples for 0-digit currencies. */
export function money(amount: DecimalInput, t: Pick<Terms, 'digitsAfterDecimal' | 'inMultiplesOf'>): Decimal {
  let d = new Decimal(amount);
  if (t.inMultiplesOf > 0 && t.digitsAfterDecimal === 0 && d.gt(0)) d = roundToMultipleTiesUp(d, t.inMultiplesOf);
  return d.toDecimalPlaces(t.digitsAfterDecimal, Decimal.ROUND_HALF_EVEN);
}

/** Excel/Fineract PMT in IEEE doubles (as Fineract computes it), for a positive principal. */
export function pmt(rate: number, periods: number, principal: number): number {
  if (rate === 0) return principal / periods;
  const r1 = rate + 1;
  return (-principal * Math.pow(r1, periods) * rate) / (1 - Math.pow(r1, periods));
}

export const ZERO = new Decimal(0);
