import { ValidationError } from './errors';
import { Decimal, isCurrencyCode, parseDecimal, currencyDigits } from './money';

export const REPAYMENT_FREQUENCY_TYPES = ['DAYS', 'WEEKS', 'MONTHS'] as const;
export type RepaymentFrequencyType = (typeof REPAYMENT_FREQUENCY_TYPES)[number];

/** A product's limits, money and rates as decimal strings (names follow Fineract's loan product). */
export interface LoanProductTerms {
  name: string;
  currencyCode: string;
  minPrincipal: string;
  maxPrincipal: string;
  minInterestRate: string;
  maxInterestRate: string;
  minNumberOfRepayments: number;
  maxNumberOfRepayments: number;
  repaymentEvery: number;
  repaymentFrequencyType: RepaymentFrequencyType;
}

export interface LoanApplicationTerms {
  principal: string;
  currencyCode: string;
  annualInterestRate: string;
  numberOfRepayments: number;
}

/** Sanity ceilings that stop absurd input before it reaches the math (1e15 of any currency, 1000 %). */
const MAX_AMOUNT = new Decimal('1e15');
const MAX_RATE = new Decimal(1000);
const MAX_REPAYMENTS = 1200;

function money(field: string, value: string, digits: number): Decimal {
  const d = parseDecimal(value);
  if (!d) throw new ValidationError(field, 'must be a decimal number like "1000.00"');
  if (d.lte(0)) throw new ValidationError(field, 'must be greater than zero');
  if (d.gt(MAX_AMOUNT)) throw new ValidationError(field, 'is too large');
  if (d.decimalPlaces() > digits) throw new ValidationError(field, `must have at most ${digits} decimal places`);
  return d;
}

function rate(field: string, value: string): Decimal {
  const d = parseDecimal(value);
  if (!d) throw new ValidationError(field, 'must be a decimal percentage like "12.5"');
  if (d.lt(0)) throw new ValidationError(field, 'must not be negative');
  if (d.gt(MAX_RATE)) throw new ValidationError(field, 'must be at most 1000 percent');
  return d;
}

function count(field: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new ValidationError(field, `must be a whole number >= ${min}`);
  if (value > MAX_REPAYMENTS) throw new ValidationError(field, `must be at most ${MAX_REPAYMENTS}`);
  return value;
}

/** Checks a product definition; throws a ValidationError naming the first bad field. */
export function validateLoanProduct(p: LoanProductTerms): void {
  if (!p.name.trim()) throw new ValidationError('name', 'must not be empty');
  if (!isCurrencyCode(p.currencyCode)) throw new ValidationError('currencyCode', 'must be an ISO 4217 code like "USD"');
  const digits = currencyDigits(p.currencyCode);
  const minP = money('minPrincipal', p.minPrincipal, digits);
  const maxP = money('maxPrincipal', p.maxPrincipal, digits);
  if (minP.gt(maxP)) throw new ValidationError('maxPrincipal', 'must not be less than minPrincipal');
  const minR = rate('minInterestRate', p.minInterestRate);
  const maxR = rate('maxInterestRate', p.maxInterestRate);
  if (minR.gt(maxR)) throw new ValidationError('maxInterestRate', 'must not be less than minInterestRate');
  count('minNumberOfRepayments', p.minNumberOfRepayments, 1);
  count('maxNumberOfRepayments', p.maxNumberOfRepayments, 1);
  if (p.minNumberOfRepayments > p.maxNumberOfRepayments) {
    throw new ValidationError('maxNumberOfRepayments', 'must not be less than minNumberOfRepayments');
  }
  count('repaymentEvery', p.repaymentEvery, 1);
  if (!REPAYMENT_FREQUENCY_TYPES.includes(p.repaymentFrequencyType)) {
    throw new ValidationError('repaymentFrequencyType', `must be one of ${REPAYMENT_FREQUENCY_TYPES.join(', ')}`);
  }
}

/** Checks an application against its product's limits; throws a ValidationError naming the field. */
export function validateLoanApplication(product: LoanProductTerms, a: LoanApplicationTerms): void {
  if (a.currencyCode !== product.currencyCode) {
    throw new ValidationError('currencyCode', `must be ${product.currencyCode}, the currency of product "${product.name}"`);
  }
  const principal = money('principal', a.principal, currencyDigits(product.currencyCode));
  if (principal.lt(product.minPrincipal) || principal.gt(product.maxPrincipal)) {
    throw new ValidationError('principal', `must be between ${product.minPrincipal} and ${product.maxPrincipal}`);
  }
  const r = rate('annualInterestRate', a.annualInterestRate);
  if (r.lt(product.minInterestRate) || r.gt(product.maxInterestRate)) {
    throw new ValidationError(
      'annualInterestRate',
      `must be between ${product.minInterestRate} and ${product.maxInterestRate}`,
    );
  }
  count('numberOfRepayments', a.numberOfRepayments, 1);
  if (a.numberOfRepayments < product.minNumberOfRepayments || a.numberOfRepayments > product.maxNumberOfRepayments) {
    throw new ValidationError(
      'numberOfRepayments',
      `must be between ${product.minNumberOfRepayments} and ${product.maxNumberOfRepayments}`,
    );
  }
}
