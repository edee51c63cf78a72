import DecimalJs from 'decimal.js';

/**
 * The one Decimal constructor of the platform. A clone, so no code ever mutates decimal.js's global
 * configuration (workflow sandboxes share V8 contexts, so Decimal.set() would leak between loans).
 * 40 significant digits is far beyond any loan amount; HALF_EVEN is banker's rounding, as Fineract.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_EVEN });
export type Decimal = DecimalJs;
export type DecimalInput = DecimalJs.Value;

/** A strict decimal string: optional minus, digits, optional fraction. No exponents, no spaces. */
const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && DECIMAL_PATTERN.test(value);
}

/**
 * Every money column is numeric(24,6): at most 18 digits before the point and 6 after. An input
 * beyond that could never be stored, so it is refused at the edge instead of failing in a write.
 */
export const MAX_INTEGER_DIGITS = 18;
export const MAX_SCALE = 6;

/** Why a decimal string does not fit the columns, or null when it does. */
export function decimalFitProblem(value: string): string | null {
  const [int, frac = ''] = value.replace(/^-/, '').split('.');
  const digits = int.replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_INTEGER_DIGITS) return `must have at most ${MAX_INTEGER_DIGITS} digits before the decimal point`;
  if (frac.length > MAX_SCALE) return `must have at most ${MAX_SCALE} decimal places`;
  return null;
}

/** Parses a decimal string; returns undefined for anything that is not a plain finite decimal. */
export function parseDecimal(value: unknown): Decimal | undefined {
  if (value instanceof DecimalJs) return value.isFinite() ? new Decimal(value) : undefined;
  if (!isDecimalString(value)) return undefined;
  return new Decimal(value);
}

/** Rounds a money amount to the currency's decimal places with the platform's HALF_EVEN rule. */
export function roundMoney(amount: DecimalInput, digitsAfterDecimal: number): Decimal {
  return new Decimal(amount).toDecimalPlaces(digitsAfterDecimal, Decimal.ROUND_HALF_EVEN);
}

/** Canonical string form for payloads and the wire: fixed notation, never exponent notation. */
export function toMoneyString(amount: DecimalInput, digitsAfterDecimal?: number): string {
  const d = new Decimal(amount);
  return digitsAfterDecimal === undefined ? d.toFixed() : d.toFixed(digitsAfterDecimal);
}

/** Decimal places of the common ISO 4217 currencies; unknown currencies default to 2. */
const CURRENCY_DIGITS: Record<string, number> = {
  BHD: 3, JOD: 3, KWD: 3, OMR: 3, TND: 3, IQD: 3, LYD: 3,
  JPY: 0, KRW: 0, VND: 0, CLP: 0, ISK: 0, UGX: 0, XAF: 0, XOF: 0, RWF: 0, PYG: 0, KMF: 0, GNF: 0,
};

export function currencyDigits(currencyCode: string): number {
  return CURRENCY_DIGITS[currencyCode] ?? 2;
}

export function isCurrencyCode(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Z]{3}$/.test(value);
}
