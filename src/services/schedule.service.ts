import { buildSchedule, disclose, toLoanSchedule, validateLoanApplication, type LoanSchedule, type LoanTerms } from '../domain';
import type { ServiceContext } from './context';
import { getLoanProduct, productTerms } from './loan-product.service';

export interface SchedulePreview extends LoanSchedule {
  apr: string;
  effectiveAnnualRate: string;
}

/** A schedule for free-standing terms; creates nothing. Bad terms throw ValidationErrors naming the field. */
export function previewSchedule(_ctx: ServiceContext, terms: LoanTerms): SchedulePreview {
  const model = buildSchedule(terms);
  const { apr, effectiveAnnualRate } = disclose(model);
  return { ...toLoanSchedule(model), apr, effectiveAnnualRate };
}

export type ProductScheduleTerms = Omit<LoanTerms, 'repaymentEvery' | 'repaymentFrequencyType' | 'currencyCode' | 'digitsAfterDecimal'>;

/**
 * A schedule for terms offered under a product: principal, rate and number of repayments must be
 * inside the product's limits; currency and repayment frequency come from the product.
 */
export async function previewProductSchedule(ctx: ServiceContext, productId: string, terms: ProductScheduleTerms): Promise<SchedulePreview> {
  const product = await getLoanProduct(ctx, productId);
  validateLoanApplication(productTerms(product), {
    principal: terms.principal,
    currencyCode: product.currencyCode,
    annualInterestRate: terms.annualNominalInterestRate,
    numberOfRepayments: terms.numberOfRepayments,
  });
  return previewSchedule(ctx, {
    ...terms,
    currencyCode: product.currencyCode,
    digitsAfterDecimal: product.digitsAfterDecimal,
    repaymentEvery: product.repaymentEvery,
    repaymentFrequencyType: product.repaymentFrequencyType,
  });
}
