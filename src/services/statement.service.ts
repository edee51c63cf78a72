/**
 * The per-loan account statement (PDF): borrower and terms, balances as of the business date, the
 * persisted repayment schedule with what was paid, and every transaction. Rendered on request from the
 * PostgreSQL projection (never stored: it changes with every posting); the same loan state on the same
 * business date gives the same bytes. Who may see it: whoever may see the loan (the borrower, staff).
 */
import { DomainError } from '../domain/errors';
import { COMPONENTS, isSettled, totalOutstanding } from '../domain/installments';
import { compareDates } from '../domain/dates';
import { currencyDigits, Decimal, roundMoney, toMoneyString, type DecimalInput } from '../domain/money';
import { Customer, LoanProduct } from '../entities';
import { currentBusinessDate } from './business-date.service';
import type { ServiceContext } from './context';
import { loanInstallments, loanTransactions } from './loan-account.service';
import { getLoan } from './loan.service';
import { renderPdf, type PdfBlock } from './pdf';
import { loanBalances, toDomainInstallment } from './servicing.service';

export interface LoanStatement {
  fileName: string;
  asOf: string;
  bytes: Buffer;
}

export function statementUrl(loanId: string): string {
  return `/documents/loans/${loanId}/statement`;
}

export async function renderLoanStatement(ctx: ServiceContext, loanId: string): Promise<LoanStatement> {
  if (!ctx.actor.authenticated) throw new DomainError('UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <accessToken>');
  const loan = await getLoan(ctx, loanId, 'loanId');
  const [customer, product, rows, transactions, asOf] = await Promise.all([
    ctx.em.findOneOrFail(Customer, loan.customer.id),
    ctx.em.findOneOrFail(LoanProduct, loan.product.id),
    loanInstallments(ctx.em, loan.id),
    loanTransactions(ctx.em, loan.id),
    currentBusinessDate(ctx.em),
  ]);
  const digits = currencyDigits(loan.currencyCode);
  const m = (x: DecimalInput) => toMoneyString(roundMoney(x, digits), digits);
  const cur = (x: DecimalInput) => `${m(x)} ${loan.currencyCode}`;

  const blocks: PdfBlock[] = [
    { text: 'LOAN ACCOUNT STATEMENT', size: 16, bold: true },
    { text: `Loan ${loan.id}` },
    { text: `As of business date ${asOf}` },
    { space: 1 },
    { text: 'Borrower', bold: true },
    { text: `${customer.firstName} ${customer.lastName}, ${customer.email}${customer.address ? `, ${customer.address}` : ''}` },
    { space: 1 },
    { text: 'Loan', bold: true },
    { text: `Product: ${product.name}` },
    { text: `Status: ${loan.status} (stage ${loan.stage})` },
    { text: `Principal: ${cur(loan.principal)}; annual nominal interest rate ${loan.annualInterestRate.toFixed()} %; ${loan.numberOfRepayments} repayments every ${loan.repaymentEvery} ${loan.repaymentFrequencyType.toLowerCase()}` },
    { text: loan.disbursedOn ? `Disbursed on ${loan.disbursedOn}` : 'Not disbursed yet' },
    ...(loan.closedOn ? [{ text: `Closed on ${loan.closedOn}` }] : []),
    { space: 1 },
  ];

  if (rows.length > 0) {
    const b = loanBalances(rows, asOf);
    blocks.push(
      { text: 'Balances', bold: true },
      {
        table: {
          columns: [{ header: 'Outstanding', weight: 3 }, { header: `Amount (${loan.currencyCode})`, weight: 2, align: 'right' }, { header: '', weight: 5 }],
          rows: [
            ['Principal', m(b.principalOutstanding), ''],
            ['Interest', m(b.interestOutstanding), ''],
            ['Fees', m(b.feeOutstanding), ''],
            ['Penalties', m(b.penaltyOutstanding), ''],
            ['Total outstanding', m(b.totalOutstanding), ''],
            ['Overdue', m(b.totalOverdue), loan.daysPastDue > 0 ? `${loan.daysPastDue} days past due` : ''],
            ['Credit balance', m(loan.creditBalance), ''],
            ...(b.nextInstallment ? [['Next installment', m(totalOutstanding(b.nextInstallment)), `#${b.nextInstallment.period} due ${b.nextInstallment.dueDate}`]] : []),
          ],
        },
      },
      { text: 'Repayment schedule', bold: true },
      {
        table: {
          columns: [
            { header: '#', weight: 1, align: 'right' }, { header: 'Due date', weight: 3 }, { header: 'Principal', weight: 3, align: 'right' },
            { header: 'Interest', weight: 3, align: 'right' }, { header: 'Fees', weight: 2, align: 'right' }, { header: 'Penalties', weight: 2, align: 'right' },
            { header: 'Total due', weight: 3, align: 'right' }, { header: 'Paid', weight: 3, align: 'right' }, { header: 'Outstanding', weight: 3, align: 'right' },
            { header: 'State', weight: 2 },
          ],
          rows: rows.map((row) => {
            const i = toDomainInstallment(row);
            const due = COMPONENTS.reduce((a, c) => a.plus(i.due[c]), new Decimal(0));
            const paid = COMPONENTS.reduce((a, c) => a.plus(i.paid[c]), new Decimal(0));
            const state = isSettled(i) ? 'settled' : compareDates(i.dueDate, asOf) < 0 ? 'overdue' : 'open';
            return [String(i.period), i.dueDate, m(i.due.principal), m(i.due.interest), m(i.due.fee), m(i.due.penalty), m(due), m(paid), m(totalOutstanding(i)), state];
          }),
        },
      },
    );
  } else {
    blocks.push({ text: 'No repayment schedule yet: it is booked when the loan is activated.' });
  }

  blocks.push({ text: 'Transactions', bold: true });
  if (transactions.length === 0) blocks.push({ text: 'None yet.' });
  else {
    blocks.push({
      table: {
        columns: [
          { header: 'Date', weight: 3 }, { header: 'Type', weight: 5 }, { header: 'Amount', weight: 3, align: 'right' }, { header: 'Principal', weight: 3, align: 'right' },
          { header: 'Interest', weight: 3, align: 'right' }, { header: 'Fees', weight: 2, align: 'right' }, { header: 'Penalties', weight: 2, align: 'right' },
          { header: 'Overpaid', weight: 2, align: 'right' },
        ],
        rows: transactions.map((t) => [
          t.transactionDate, t.reversed ? `${t.type} (reversed)` : t.type, m(t.amount), m(t.principalPortion), m(t.interestPortion), m(t.feePortion),
          m(t.penaltyPortion), m(t.overpaymentPortion),
        ]),
      },
    });
  }
  const bytes = await renderPdf({ title: `Loan account statement ${loan.id} as of ${asOf}`, date: asOf, blocks });
  return { fileName: `statement-${loan.id}-${asOf}.pdf`, asOf, bytes };
}
