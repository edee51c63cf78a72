import { buildSchedule, disclose, toLoanSchedule, validateLoanApplication, type LoanSchedule, type LoanTerms } from '../domain';
import type { ServiceContext } from './context';
import { ValidationError } from '../domain/errors';
import { workingCalendar } from './calendar.service';
import { loanTermsFor } from './loan-account.service';
import { getLoanProduct, productTerms, resolveLoanSettings } from './loan-product.service';

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

/** The loan-level terms of a preview under a product (Fineract's names); the rest comes from the product. */
export interface ProductScheduleTerms {
  principal: string;
  annualNominalInterestRate: string;
  numberOfRepayments: number;
  expectedDisbursementDate: string;
  repaymentsStartingFromDate?: string | null;
}

/**
 * A schedule for a loan under a product: principal, rate and number of repayments inside the product's
 * limits; the product's settings (current version), default charges and holiday rule, exactly as an
 * application made now would be drawn up, agreed and activated.
 */
export async function previewProductSchedule(ctx: ServiceContext, productId: string, terms: ProductScheduleTerms): Promise<SchedulePreview> {
  const product = await getLoanProduct(ctx, productId);
  validateLoanApplication(productTerms(product), {
    principal: terms.principal,
    currencyCode: product.currencyCode,
    annualInterestRate: terms.annualNominalInterestRate,
    numberOfRepayments: terms.numberOfRepayments,
  });
  if (terms.repaymentsStartingFromDate != null && !(terms.repaymentsStartingFromDate > terms.expectedDisbursementDate)) {
    throw new ValidationError('repaymentsStartingFromDate', 'must be after expectedDisbursementDate');
  }
  const settings = await resolveLoanSettings(ctx, product);
  const offer = { principal: terms.principal, annualInterestRate: terms.annualNominalInterestRate, numberOfRepayments: terms.numberOfRepayments, repaymentsStartingFromDate: terms.repaymentsStartingFromDate ?? null };
  return previewSchedule(ctx, loanTermsFor(settings, offer, terms.expectedDisbursementDate, await workingCalendar(ctx)));
}
