/**
 * Servicing requests from the API: validate, authorize, then hand the request to the loan's workflow
 * (its `servicing` Update), which runs it in one database transaction. The idempotency key makes a
 * retried request return the first result.
 */
import { DomainError, InvalidStageError, ValidationError } from '../domain/errors';
import { payoffQuote, type PayoffQuote } from '../domain/accrual';
import { requireLocalDate } from '../domain/dates';
import { LoanProduct } from '../entities';
import { WorkflowClosedError } from '../temporal-client';
import { actingAs } from './authorization';
import { BUSINESS_DATE, currentBusinessDate } from './business-date.service';
import { requireTemporal, type ServiceContext } from './context';
import { loanInstallments } from './loan-account.service';
import { getLoan, readLoan } from './loan.service';
import { heldEntity, transactionRow, type TransactionRow } from './loan-read.service';
import { applyServicing, assertNoLock, toDomainInstallment, validateServicingPayload, type ServicingKind, type ServicingPayload } from './servicing.service';
import { keyReusedError, requestFingerprint } from './idempotency';
import { cobLockOf } from './cob';
import { assertUsablePaymentType } from './payment-type.service';
import { rawRows } from './sql';
import { requireText } from './validation';

/** Who may do what (customers pay through payment channels that act as staff or SYSTEM). */
const SERVICING_ROLES: Record<Exclude<ServicingKind, 'CLOSE'>, string[]> = {
  REPAYMENT: ['LOAN_OFFICER', 'MANAGER', 'SYSTEM'],
  PAYOFF: ['LOAN_OFFICER', 'MANAGER', 'SYSTEM'],
  CREDIT_BALANCE_REFUND: ['LOAN_OFFICER', 'MANAGER'],
  WRITE_OFF: ['MANAGER'],
  RECOVERY: ['LOAN_OFFICER', 'MANAGER', 'SYSTEM'],
  REVERSAL: ['MANAGER'],
  RESCHEDULE: ['MANAGER'],
  WAIVE: ['MANAGER'],
  ADD_CHARGE: ['LOAN_OFFICER', 'MANAGER'],
};

export async function performServicing(
  ctx: ServiceContext,
  loanId: string,
  kind: Exclude<ServicingKind, 'CLOSE'>,
  payload: ServicingPayload,
  idempotencyKey: string,
): Promise<TransactionRow> {
  const actor = actingAs(ctx.actor, SERVICING_ROLES[kind]);
  const requestId = requireText('idempotencyKey', idempotencyKey, 100);
  // The loan (a row: only read here) and its product in one statement.
  const loan = await readLoan(ctx, loanId, ['product'], {}, 'loanId');
  const product = heldEntity<LoanProduct>(ctx.em, LoanProduct, loan.product.id)!;
  validateServicingPayload(kind, payload, product.digitsAfterDecimal);
  const fingerprint = requestFingerprint(kind, payload);
  // Everything the checks below read, in one statement: the key's first transaction, the COB lock,
  // the payment type and the business date.
  const [pre] = await rawRows(ctx.em, `
    select (select id::text from loan_transaction where loan_id = $1 and request_id = $2) as first_id,
           ${cobLockOf('$3')} as lock,
           (select active from payment_type where code = $4) as payment_type_active,
           (select date::text from business_date where name = $5) as business_date`,
  // Each parameter once, in order (rawRows binds positionally inside a transaction).
  [loan.id, requestId, loan.id, payload.paymentType ?? null, BUSINESS_DATE]);
  const first = pre.first_id ? await transactionRow(ctx.em, pre.first_id as string) : null;
  if (first) {
    // A retry returns the first result; the same key for another request is refused.
    if (first.createdBy === 'system' || (first.requestFingerprint && first.requestFingerprint !== fingerprint)) throw keyReusedError('idempotencyKey');
    return first;
  }
  // After the retry check: a retry returns the first result even if its payment type was deactivated since.
  assertUsablePaymentType(payload.paymentType, pre.payment_type_active as boolean | null);
  assertNoLock(loan.id, pre.lock as { error: string | null } | null);
  if (payload.transactionDate) {
    const businessDate = pre.business_date as string;
    if (payload.transactionDate > businessDate) throw new ValidationError('transactionDate', `must not be after the business date ${businessDate}`);
    if (loan.disbursedOn && payload.transactionDate < loan.disbursedOn) throw new ValidationError('transactionDate', `must not be before the disbursement on ${loan.disbursedOn}`);
  }
  const request = { loanId: loan.id, requestId, actor: { id: actor.id, role: actor.role }, kind, payload, fingerprint };
  let transactionId: string | null;
  if (kind === 'RECOVERY') {
    // A written-off loan's workflow has ended; recoveries are booked directly.
    transactionId = (await applyServicing(ctx.em.fork(), request)).transactionId;
  } else {
    if (loan.stage !== 'REPAYMENT') throw new InvalidStageError(`${kind} is not possible: the loan is ${loan.stage} (status ${loan.status})`);
    try {
      transactionId = (await requireTemporal(ctx).servicing(request)).transactionId;
    } catch (err) {
      if (err instanceof WorkflowClosedError) throw new InvalidStageError(`${kind} is not possible: the loan is closed`);
      throw err;
    }
  }
  const row = transactionId ? await transactionRow(ctx.em, transactionId) : null;
  if (!row) throw new DomainError('CONFLICT', 'The request was processed but recorded no transaction');
  return row;
}

/** What it takes to pay the loan off on a date (default: the business date). */
export async function payoffQuoteFor(ctx: ServiceContext, loanId: string, date?: string | null): Promise<PayoffQuote> {
  const loan = await getLoan(ctx, loanId, 'loanId');
  if (loan.status !== 'ACTIVE') throw new InvalidStageError(`A payoff quote needs an active loan; this one is ${loan.status}`);
  const product = await ctx.em.findOneOrFail(LoanProduct, loan.product.id);
  const on = date ? requireLocalDate('date', date) : await currentBusinessDate(ctx.em);
  const installments = (await loanInstallments(ctx.em, loan.id)).map(toDomainInstallment);
  return payoffQuote(installments, on, { digitsAfterDecimal: product.digitsAfterDecimal });
}
