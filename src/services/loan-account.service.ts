import type { EntityManager } from '@mikro-orm/postgresql';
import { buildSchedule, type LoanTerms, type ScheduleModel, type Terms } from '../domain';
import { money } from '../domain/schedule/calc';
import { addDays } from '../domain/dates';
import { journalLines, zeroPortions } from '../domain/ledger';
import { Decimal } from '../domain/money';
import type { WorkingCalendar } from '../domain/holidays';
import { termsFromSettings, type LoanScheduleSettings } from '../domain/product-settings';
import { Loan, LoanCharge, LoanInstallment, LoanProduct, LoanTransaction } from '../entities';
import type { InstallmentChargePart } from '../entities/charge.entity';
import { workingCalendar } from './calendar.service';
import { postJournal } from './ledger.service';
import { settingsOf } from './loan-product.service';
import { installmentShare } from './loan-charge.service';

/** What the schedule takes from an offer (or the loan's current figures). */
export interface OfferTerms {
  principal: string;
  annualInterestRate: string;
  numberOfRepayments: number;
  repaymentsStartingFromDate?: string | null;
}

/**
 * The loan's schedule settings: those resolved onto it at application / offer (see loan.scheduleSettings),
 * or, for a loan that has none, its product's current ones.
 */
export function loanSettingsOf(loan: Loan, product: LoanProduct): LoanScheduleSettings {
  return loan.scheduleSettings ?? { ...settingsOf(product), currencyCode: product.currencyCode, productSettingsVersion: null, charges: [] };
}

/** The first repayment date in force: the offer's when it set one (even to none), else the application's. */
export function firstRepaymentDate(loan: Loan, offer?: Pick<OfferTerms, 'repaymentsStartingFromDate'> | null): string | null {
  if (offer && offer.repaymentsStartingFromDate !== undefined) return offer.repaymentsStartingFromDate ?? null;
  return loan.repaymentsStartingFromDate ?? null;
}

/**
 * The schedule terms of a loan: its resolved settings and charges with the offer's amount, rate, term and
 * first repayment date. One place, so the agreement shows what activation persists.
 */
export function loanTermsFor(settings: LoanScheduleSettings, offer: OfferTerms, disbursementDate: string, calendar?: WorkingCalendar | null): LoanTerms {
  return termsFromSettings(settings, {
    principal: offer.principal,
    annualNominalInterestRate: offer.annualInterestRate,
    numberOfRepayments: offer.numberOfRepayments,
    expectedDisbursementDate: disbursementDate,
    repaymentsStartingFromDate: offer.repaymentsStartingFromDate ?? null,
  }, calendar);
}

/** loanTermsFor with the loan's settings, first repayment date and the lender's calendar loaded. */
export async function loanTerms(em: EntityManager, loan: Loan, offer: OfferTerms, disbursementDate: string): Promise<LoanTerms> {
  const product = await em.findOneOrFail(LoanProduct, loan.product.id);
  const calendar = await workingCalendar({ em });
  return loanTermsFor(loanSettingsOf(loan, product), { ...offer, repaymentsStartingFromDate: firstRepaymentDate(loan, offer) }, disbursementDate, calendar);
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
  const model = buildSchedule(await loanTerms(em, loan, offer, disbursementDate));
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
  recordLoanCharges(em, loan, model);
  // Charges due at disbursement are paid as the money goes out (Fineract's REPAYMENT_AT_DISBURSEMENT).
  const atDisbursement = model.feeChargesAtDisbursement.gt(0)
    ? em.create(LoanTransaction, {
      loan: loan.id, type: 'REPAYMENT_AT_DISBURSEMENT', amount: model.feeChargesAtDisbursement, transactionDate: disbursementDate,
      requestId: `disbursement-charges-${loan.id}`, feePortion: model.feeChargesAtDisbursement,
    })
    : null;
  await em.flush();
  const target = { loanId: loan.id, currencyCode: loan.currencyCode, businessDate: disbursementDate, glMapping: product.glMapping };
  await postJournal(em, { ...target, loanTransactionId: disbursement.id }, journalLines('DISBURSEMENT', product.accountingRule, new Decimal(model.terms.principal), zeroPortions()));
  if (atDisbursement) {
    await postJournal(em, { ...target, loanTransactionId: atDisbursement.id },
      journalLines('REPAYMENT_AT_DISBURSEMENT', product.accountingRule, atDisbursement.amount, { ...zeroPortions(), fee: atDisbursement.amount }));
  }
}

/** One loan_charge row per charge the loan carries, with what it comes to on this schedule. */
function recordLoanCharges(em: EntityManager, loan: Loan, model: ScheduleModel): void {
  const t = model.terms;
  t.charges.forEach((c, i) => {
    let amount = new Decimal(0);
    let installmentNumber: number | null = null;
    let installmentCharges: InstallmentChargePart[] | null = null;
    if (c.chargeTimeType === 'DISBURSEMENT') {
      amount = money(c.chargeCalculationType === 'FLAT' ? c.amount : t.principal.times(c.amount).div(100), t);
    } else if (c.chargeTimeType !== 'OVERDUE_INSTALLMENT') {
      // What this charge alone adds to each installment: the schedule with only this charge.
      const alone = buildSchedule({ ...termsInput(t), charges: [{ ...c, amount: c.amount.toFixed() }] });
      installmentCharges = [];
      for (const p of alone.periods) {
        const part = p.feeChargesDue.plus(p.penaltyChargesDue);
        if (part.lte(0)) continue;
        if (c.chargeTimeType === 'SPECIFIED_DUE_DATE') installmentNumber = p.period;
        installmentCharges.push(installmentShare(p.period, part));
        amount = amount.plus(part);
      }
    }
    em.create(LoanCharge, {
      loan: loan.id, name: c.name, chargeTimeType: c.chargeTimeType, chargeCalculationType: c.chargeCalculationType, penalty: c.penalty,
      amountOrPercentage: c.amount, amount, amountWaived: new Decimal(0), dueDate: c.dueDate, installmentNumber, installmentCharges, requestId: `activation-${i}`,
    });
  });
}

/** Validated terms back as engine input (strings for money). */
function termsInput(t: Terms): LoanTerms {
  return { ...t, principal: t.principal.toFixed(), annualNominalInterestRate: t.annualNominalInterestRate.toFixed(), charges: [] };
}

export async function loanInstallments(em: EntityManager, loanId: string): Promise<LoanInstallment[]> {
  return em.find(LoanInstallment, { loan: loanId }, { orderBy: { installmentNumber: 'asc' } });
}

export async function loanTransactions(em: EntityManager, loanId: string): Promise<LoanTransaction[]> {
  return em.find(LoanTransaction, { loan: loanId }, { orderBy: { transactionDate: 'asc', id: 'asc' } });
}
