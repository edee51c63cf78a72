import { createHash } from 'node:crypto';
import { generateSchedule } from '../domain';
import { NotFoundError } from '../domain/errors';
import type { Offer } from '../domain/origination';
import { Customer, Document, Loan, LoanProduct } from '../entities';
import type { AgreementDocument } from '../workflows/messages';
import type { ServiceContext } from './context';
import { loanTermsFor } from './loan-account.service';
import { renderPdf, type PdfLine } from './pdf';
import type { DocumentStorage } from './storage';

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
  const schedule = generateSchedule(loanTermsFor(product, offer, today));
  const money = (x: string) => `${x} ${schedule.currencyCode}`;
  const lines: PdfLine[] = [
    { text: 'LOAN AGREEMENT', size: 16, bold: true },
    { text: `Loan ${loan.id}` },
    { text: '' },
    { text: 'Borrower', bold: true },
    { text: `${customer.firstName} ${customer.lastName}, ${customer.email}${customer.address ? `, ${customer.address}` : ''}` },
    { text: '' },
    { text: 'Terms', bold: true },
    { text: `Product: ${product.name}` },
    { text: `Principal: ${money(schedule.totalPrincipal)}` },
    { text: `Annual nominal interest rate: ${offer.annualInterestRate} %` },
    { text: `Repayments: ${offer.numberOfRepayments}, every ${product.repaymentEvery} ${product.repaymentFrequencyType.toLowerCase()}` },
    { text: `Installment: ${money(schedule.installmentAmount ?? '-')}; total interest ${money(schedule.totalInterest)}; total to repay ${money(schedule.totalRepayment)}` },
    { text: `Disbursement on ${today}: this is the schedule that will be booked.` },
    { text: '' },
    { text: 'Repayment schedule', bold: true },
    { text: '  #   Due date      Principal       Interest          Total        Balance' },
    ...schedule.periods.map((p) => ({
      text: `${String(p.period).padStart(3)}   ${p.dueDate}  ${p.principalDue.padStart(12)}  ${p.interestDue.padStart(12)}  ${p.totalDue.padStart(12)}  ${p.principalLoanBalanceOutstanding.padStart(12)}`,
    })),
    { text: '' },
    { text: 'Signature', bold: true },
    { text: 'By signing, the borrower accepts the terms and the schedule above.' },
    { text: 'Borrower: ______________________________     Date: ______________' },
    { text: 'Lender:   ______________________________     Date: ______________' },
  ];
  const pdf = renderPdf(lines, `Loan agreement ${loan.id}`);
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
