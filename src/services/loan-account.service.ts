import type { EntityManager } from '@mikro-orm/postgresql';
import { buildSchedule, type LoanTerms } from '../domain';
import type { Offer } from '../domain/origination';
import { addDays } from '../domain/dates';
import { journalLines, zeroPortions } from '../domain/ledger';
import { Decimal } from '../domain/money';
import { Loan, LoanInstallment, LoanProduct, LoanTransaction } from '../entities';
import { postJournal } from './ledger.service';

/**
 * The schedule terms of a loan under a product: the accepted offer's amount, rate and term, the
 * product's currency and frequency. One place, so the agreement shows what activation persists.
 */
export function loanTermsFor(product: LoanProduct, offer: Offer, disbursementDate: string): LoanTerms {
  return {
    principal: offer.principal,
    annualNominalInterestRate: offer.annualInterestRate,
    numberOfRepayments: offer.numberOfRepayments,
    repaymentEvery: product.repaymentEvery,
    repaymentFrequencyType: product.repaymentFrequencyType,
    amortizationType: 'EQUAL_INSTALLMENTS',
    interestType: 'DECLINING_BALANCE',
    interestCalculationPeriodType: 'DAILY',
    daysInYearType: 'ACTUAL',
    daysInMonthType: 'ACTUAL',
    expectedDisbursementDate: disbursementDate,
    currencyCode: product.currencyCode,
    digitsAfterDecimal: product.digitsAfterDecimal,
  };
}

/**
 * Activation, inside the transition's database transaction: the approved terms become the loan's,
 * its repayment schedule is persisted and the disbursement recorded. Idempotent (a retried activity
 * finds the installments already there).
 */
export async function activateAccount(em: EntityManager, loan: Loan): Promise<void> {
  if (await em.count(LoanInstallment, { loan: loan.id })) return;
  const offer = loan.origination?.acceptedOffer;
  const disbursementDate = loan.origination?.disbursementDate;
  if (!offer || !disbursementDate) throw new Error(`Loan ${loan.id} has no accepted offer or disbursement date to activate`);
  const product = await em.findOneOrFail(LoanProduct, loan.product.id);
  const model = buildSchedule(loanTermsFor(product, offer, disbursementDate));
  loan.principal = model.terms.principal;
  loan.annualInterestRate = model.terms.annualNominalInterestRate;
  loan.numberOfRepayments = model.terms.numberOfRepayments;
  loan.disbursedOn = disbursementDate;
  for (const p of model.periods) {
    em.create(LoanInstallment, {
      loan: loan.id,
      installmentNumber: p.period,
      fromDate: p.fromDate,
      dueDate: p.dueDate,
      principalDue: p.principalDue,
      interestDue: p.interestDue,
      feeChargesDue: p.feeChargesDue,
      penaltyChargesDue: p.penaltyChargesDue,
    });
  }
  // Close of business starts with the disbursement day itself.
  loan.lastCobDate = addDays(disbursementDate, -1);
  const disbursement = em.create(LoanTransaction, {
    loan: loan.id,
    type: 'DISBURSEMENT',
    amount: model.terms.principal,
    transactionDate: disbursementDate,
    requestId: `disbursement-${loan.id}`,
  });
  await em.flush();
  await postJournal(
    em,
    { loanTransactionId: disbursement.id, loanId: loan.id, currencyCode: loan.currencyCode, businessDate: disbursementDate, glMapping: product.glMapping },
    journalLines('DISBURSEMENT', product.accountingRule, new Decimal(model.terms.principal), zeroPortions()),
  );
}

export async function loanInstallments(em: EntityManager, loanId: string): Promise<LoanInstallment[]> {
  return em.find(LoanInstallment, { loan: loanId }, { orderBy: { installmentNumber: 'asc' } });
}

export async function loanTransactions(em: EntityManager, loanId: string): Promise<LoanTransaction[]> {
  return em.find(LoanTransaction, { loan: loanId }, { orderBy: { transactionDate: 'asc', id: 'asc' } });
}
