import { ConflictError, NotFoundError } from '../domain/errors';
import { validateLoanProduct, type LoanProductTerms } from '../domain/loan-application';
import { currencyDigits, Decimal } from '../domain/money';
import { LoanProduct } from '../entities';
import type { ServiceContext } from './context';
import { isUniqueViolation, optionalText, requireUuid } from './validation';

export interface CreateLoanProductInput extends LoanProductTerms {
  description?: string | null;
}

export async function createLoanProduct(ctx: ServiceContext, input: CreateLoanProductInput): Promise<LoanProduct> {
  const terms: LoanProductTerms = { ...input, name: input.name.trim() };
  validateLoanProduct(terms);
  const product = ctx.em.create(LoanProduct, {
    name: terms.name,
    description: optionalText('description', input.description, 500),
    currencyCode: terms.currencyCode,
    digitsAfterDecimal: currencyDigits(terms.currencyCode),
    minPrincipal: new Decimal(terms.minPrincipal),
    maxPrincipal: new Decimal(terms.maxPrincipal),
    minInterestRate: new Decimal(terms.minInterestRate),
    maxInterestRate: new Decimal(terms.maxInterestRate),
    minNumberOfRepayments: terms.minNumberOfRepayments,
    maxNumberOfRepayments: terms.maxNumberOfRepayments,
    repaymentEvery: terms.repaymentEvery,
    repaymentFrequencyType: terms.repaymentFrequencyType,
  });
  try {
    await ctx.em.persistAndFlush(product);
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(`A loan product named "${terms.name}" already exists`, 'name');
    throw err;
  }
  return product;
}

export async function getLoanProduct(ctx: ServiceContext, id: string): Promise<LoanProduct> {
  const product = await ctx.em.findOne(LoanProduct, { id: requireUuid('id', id) });
  if (!product) throw new NotFoundError('Loan product', id, 'id');
  return product;
}

export async function listLoanProducts(ctx: ServiceContext): Promise<LoanProduct[]> {
  return ctx.em.find(LoanProduct, {}, { orderBy: { name: 'asc' } });
}

export async function loanProductsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<LoanProduct[]> {
  return ctx.em.find(LoanProduct, { id: { $in: [...ids] } });
}

/** The product as the pure domain sees it (strings for money). */
export function productTerms(p: LoanProduct): LoanProductTerms {
  return {
    name: p.name,
    currencyCode: p.currencyCode,
    minPrincipal: p.minPrincipal.toFixed(),
    maxPrincipal: p.maxPrincipal.toFixed(),
    minInterestRate: p.minInterestRate.toFixed(),
    maxInterestRate: p.maxInterestRate.toFixed(),
    minNumberOfRepayments: p.minNumberOfRepayments,
    maxNumberOfRepayments: p.maxNumberOfRepayments,
    repaymentEvery: p.repaymentEvery,
    repaymentFrequencyType: p.repaymentFrequencyType,
  };
}
