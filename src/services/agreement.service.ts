import { createHash } from 'node:crypto';
import { Decimal, generateSchedule, type LoanSchedule, type LoanTerms } from '../domain';
import { NotFoundError } from '../domain/errors';
import type { Offer } from '../domain/origination';
import { Customer, Document, Loan, LoanProduct } from '../entities';
import type { AgreementDocument } from '../workflows/messages';
import type { ServiceContext } from './context';
import { loanTerms } from './loan-account.service';
import { renderPdf, type PdfBlock } from './pdf';
import type { DocumentStorage } from './storage';

/** The product settings and charges the schedule was drawn with, in words (Fineract's names). */
export function agreementTermLines(t: LoanTerms, schedule: LoanSchedule): string[] {
  const lines = [
    `Schedule: ${t.loanScheduleType ?? 'CUMULATIVE'}, ${t.amortizationType}, ${t.interestType} interest calculated ${t.interestCalculationPeriodType}, days in year ${t.daysInYearType}, days in month ${t.daysInMonthType}`,
  ];
  const grace = [
    t.graceOnPrincipalPayment ? `principal ${t.graceOnPrincipalPayment}` : '', t.graceOnInterestPayment ? `interest payment ${t.graceOnInterestPayment}` : '',
    t.graceOnInterestCharged ? `interest-free ${t.graceOnInterestCharged}` : '',
  ].filter(Boolean);
  if (grace.length) lines.push(`Grace periods: ${grace.join(', ')}`);
  for (const c of t.charges ?? []) {
    const how = c.chargeCalculationType === 'FLAT' ? `${c.amount} ${t.currencyCode}` : `${c.amount} % (${c.chargeCalculationType})`;
    lines.push(`${c.penalty ? 'Penalty' : 'Fee'} "${c.name ?? ''}": ${how}, ${c.chargeTimeType}${c.dueDate ? ` on ${c.dueDate}` : ''}`);
  }
  if (new Decimal(schedule.totalFeeCharges).gt(0)) {
    lines.push(`Fees: ${schedule.feeChargesAtDisbursement} ${t.currencyCode} at disbursement, ${schedule.totalFeeCharges} ${t.currencyCode} in total`);
  }
  return lines;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The loan agreement as a PDF (borrower, terms, the full repayment schedule from the engine,
 * signature block), stored as the loan's AGREEMENT document. Idempotent per offer: a retried activity
 * returns the document it made.
 */
export async function generateAgreement(ctx: ServiceContext, storage: DocumentStorage, loanId: string, offer: Offer, today: string): Promise<AgreementDocument> {
  const loan = await ctx.em.findOne(Loan, loanId);
  if (!loan) throw new NotFoundError('Loan', loanId);
  const fileName = `agreement-${loanId}-offer-${offer.number}-${today}.pdf`;
  const existing = await ctx.em.findOne(Document, { loan: loanId, type: 'AGREEMENT', fileName });
  if (existing) return { documentId: existing.id, documentHash: existing.sha256, disbursementDate: today };

  const customer = await ctx.em.findOneOrFail(Customer, loan.customer.id);
  const product = await ctx.em.findOneOrFail(LoanProduct, loan.product.id);
  const terms = await loanTerms(ctx.em, loan, offer, today);
  const schedule = generateSchedule(terms);
  const money = (x: string) => `${x} ${schedule.currencyCode}`;
  const blocks: PdfBlock[] = [
    { text: 'LOAN AGREEMENT', size: 16, bold: true },
    { text: `Loan ${loan.id}` },
    { space: 1 },
    { text: 'Borrower', bold: true },
    { text: `${customer.firstName} ${customer.lastName}, ${customer.email}${customer.address ? `, ${customer.address}` : ''}` },
    { space: 1 },
    { text: 'Terms', bold: true },
    { text: `Product: ${product.name}` },
    { text: `Principal: ${money(schedule.totalPrincipal)}` },
    { text: `Annual nominal interest rate: ${offer.annualInterestRate} %` },
    { text: `Repayments: ${offer.numberOfRepayments}, every ${terms.repaymentEvery} ${terms.repaymentFrequencyType.toLowerCase()}${terms.repaymentsStartingFromDate ? `, the first on ${terms.repaymentsStartingFromDate}` : ''}` },
    ...agreementTermLines(terms, schedule).map((text) => ({ text })),
    { text: `Installment: ${money(schedule.installmentAmount ?? '-')}; total interest ${money(schedule.totalInterest)}; total to repay ${money(schedule.totalRepayment)}` },
    { text: `Disbursement on ${today}: this is the schedule that will be booked.` },
    { space: 1 },
    { text: 'Repayment schedule', bold: true },
    {
      table: {
        columns: [
          { header: '#', weight: 1, align: 'right' }, { header: 'Due date', weight: 3 }, { header: 'Principal', weight: 3, align: 'right' },
          { header: 'Interest', weight: 3, align: 'right' }, { header: 'Fees', weight: 2, align: 'right' }, { header: 'Total', weight: 3, align: 'right' }, { header: 'Balance', weight: 3, align: 'right' },
        ],
        rows: schedule.periods.map((p) => [String(p.period), p.dueDate, p.principalDue, p.interestDue, new Decimal(p.feeChargesDue).plus(p.penaltyChargesDue).toFixed(schedule.digitsAfterDecimal), p.totalDue, p.principalLoanBalanceOutstanding]),
      },
    },
    { space: 1 },
    { text: 'Signature', bold: true },
    { text: 'By signing, the borrower accepts the terms and the schedule above.' },
    { text: 'Borrower: ______________________________     Date: ______________' },
    { text: 'Lender:   ______________________________     Date: ______________' },
  ];
  const pdf = await renderPdf({ title: `Loan agreement ${loan.id}`, date: today, blocks });
  const hash = sha256Hex(pdf);
  const storageKey = `loans/${loanId}/${hash}.pdf`;
  await storage.put(storageKey, pdf);
  const doc = ctx.em.create(Document, {
    customer: customer.id,
    loan: loan.id,
    type: 'AGREEMENT',
    fileName,
    contentType: 'application/pdf',
    size: pdf.length,
    sha256: hash,
    storageKey,
    uploadedBy: 'system',
  });
  await ctx.em.flush();
  return { documentId: doc.id, documentHash: hash, disbursementDate: today };
}
