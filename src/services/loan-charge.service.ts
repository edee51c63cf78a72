/**
 * Charges added to and waived on an active loan (Fineract's addLoanCharge / waiveLoanCharge), run
 * inside the servicing transaction (`applyServicing`, kinds ADD_CHARGE and WAIVE with component
 * CHARGE). A SPECIFIED_DUE_DATE charge lands on the installment whose period holds its due date (fee or
 * penalty due); under accrual accounting it is booked receivable when charged, under cash when paid.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { compareDates, requireLocalDate } from '../domain/dates';
import { ConflictError, InvalidStageError, NotFoundError, ValidationError } from '../domain/errors';
import { outstanding, totalOutstanding, type Installment } from '../domain/installments';
import { glCode, zeroPortions, type LoanTransactionType, type Portions } from '../domain/ledger';
import { Decimal, parseDecimal, roundMoney } from '../domain/money';
import { Charge, Loan, LoanCharge, LoanInstallment, LoanProduct, LoanTransaction } from '../entities';
import type { ServicingRequest } from '../workflows/servicing-messages';
import { recordEvent } from './outbox.service';
import { sql } from './sql';

type Post = (type: LoanTransactionType, amount: Decimal, portions: Portions, extra?: Partial<LoanTransaction>) => Promise<LoanTransaction>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Edge checks (before the workflow): ids, amount, date. */
export function validateChargePayload(kind: 'ADD_CHARGE' | 'WAIVE', payload: ServicingRequest['payload']): void {
  if (kind === 'ADD_CHARGE') {
    if (!UUID.test(payload.chargeId ?? '')) throw new ValidationError('chargeId', 'must be a charge id');
    if (payload.amount != null) {
      const amount = parseDecimal(payload.amount);
      if (!amount || amount.lte(0)) throw new ValidationError('amount', 'must be a positive decimal');
    }
    if (payload.dueDate != null) requireLocalDate('dueDate', payload.dueDate);
  } else if (!/^[1-9]\d{0,17}$/.test(payload.loanChargeId ?? '')) {
    throw new ValidationError('loanChargeId', 'must be a loan charge id');
  }
}

/** What the loan owes in fees booked receivable (FEES_RECEIVABLE's balance on this loan). */
export async function feesReceivableOpen(em: EntityManager, loanId: string, product: LoanProduct): Promise<Decimal> {
  if (product.accountingRule !== 'ACCRUAL_PERIODIC') return new Decimal(0);
  const [row] = await sql<{ balance: string | null }>(em, `
    select sum(case when e.entry_type = 'DEBIT' then e.amount else -e.amount end)::text as balance
      from journal_entry e join gl_account a on a.id = e.gl_account_id where e.loan_id = ? and a.code = ?`,
  [loanId, glCode(product.glMapping, 'FEES_RECEIVABLE')]);
  return Decimal.max(0, new Decimal(row?.balance ?? 0));
}

export async function addLoanCharge(
  em: EntityManager, loan: Loan, product: LoanProduct, rows: LoanInstallment[], installments: Installment[], req: ServicingRequest, businessDate: string, post: Post,
): Promise<LoanTransaction> {
  const charge = await em.findOne(Charge, { id: req.payload.chargeId! });
  if (!charge) throw new NotFoundError('Charge', req.payload.chargeId!, 'chargeId');
  if (charge.chargeTimeType !== 'SPECIFIED_DUE_DATE') throw new ValidationError('chargeId', `only a SPECIFIED_DUE_DATE charge can be added to an active loan; this one is ${charge.chargeTimeType}`);
  if (charge.currencyCode !== loan.currencyCode) throw new ValidationError('chargeId', `the charge is in ${charge.currencyCode}, the loan in ${loan.currencyCode}`);
  const digits = product.digitsAfterDecimal;
  const given = req.payload.amount != null ? parseDecimal(req.payload.amount)! : null;
  const rate = given ?? charge.amount;
  if (charge.chargeCalculationType === 'FLAT' && rate.decimalPlaces() > digits) throw new ValidationError('amount', `must have at most ${digits} decimal places`);
  if (charge.chargeCalculationType !== 'FLAT' && rate.gt(100)) throw new ValidationError('amount', 'a percentage must be at most 100');
  // A percentage is of the loan (as in the schedule): its principal, its interest, or both.
  const principal = rows.reduce((a, r) => a.plus(r.principalDue), new Decimal(0));
  const interest = rows.reduce((a, r) => a.plus(r.interestDue), new Decimal(0));
  const base = { FLAT: null, PERCENT_OF_AMOUNT: principal, PERCENT_OF_INTEREST: interest, PERCENT_OF_AMOUNT_AND_INTEREST: principal.plus(interest) }[charge.chargeCalculationType];
  const amount = base ? roundMoney(base.times(rate).div(100), digits) : rate;
  if (amount.lte(0)) throw new ValidationError('amount', 'the charge comes to nothing on this loan');

  const dueDate = req.payload.dueDate ? requireLocalDate('dueDate', req.payload.dueDate) : businessDate;
  if (loan.disbursedOn && compareDates(dueDate, loan.disbursedOn) < 0) throw new ValidationError('dueDate', `must not be before the disbursement on ${loan.disbursedOn}`);
  const inst = installments.find((i) => compareDates(dueDate, i.dueDate) <= 0);
  if (!inst) throw new ValidationError('dueDate', `must not be after the last due date ${installments[installments.length - 1]?.dueDate}`);
  const row = rows.find((r) => r.installmentNumber === inst.period)!;
  if (charge.penalty) {
    inst.due.penalty = inst.due.penalty.plus(amount);
    row.penaltyChargesDue = inst.due.penalty;
  } else {
    inst.due.fee = inst.due.fee.plus(amount);
    row.feeChargesDue = inst.due.fee;
  }
  const portions = charge.penalty ? { ...zeroPortions(), penalty: amount } : { ...zeroPortions(), fee: amount };
  const tx = await post('CHARGE', amount, portions, { installmentNumber: inst.period });
  const loanCharge = em.create(LoanCharge, {
    loan: loan.id, charge: charge.id, name: charge.name, chargeTimeType: charge.chargeTimeType, chargeCalculationType: charge.chargeCalculationType,
    penalty: charge.penalty, amountOrPercentage: rate, amount, amountWaived: new Decimal(0), dueDate, installmentNumber: inst.period,
    requestId: req.requestId, createdBy: req.actor.id,
  });
  await em.flush();
  await recordEvent(em, { type: 'LoanChargeAdded', aggregateId: loan.id, idempotencyKey: `charge-added-${tx.id}`, data: {
    loanId: loan.id, customerId: loan.customer.id, loanChargeId: loanCharge.id, chargeId: charge.id, chargeName: charge.name, penalty: charge.penalty,
    currencyCode: loan.currencyCode, amount: amount.toFixed(), dueDate, installmentNumber: inst.period, transactionId: tx.id,
    outstandingBalance: installments.reduce((a, i) => a.plus(totalOutstanding(i)), new Decimal(0)).toFixed(), actorId: req.actor.id, actorRole: req.actor.role,
  } });
  return tx;
}

/** Forgives what is still outstanding of one dated loan charge on its installment. */
export async function waiveLoanCharge(
  em: EntityManager, loan: Loan, product: LoanProduct, installments: Installment[], req: ServicingRequest, post: Post,
): Promise<LoanTransaction> {
  const loanCharge = await em.findOne(LoanCharge, { id: req.payload.loanChargeId!, loan: loan.id });
  if (!loanCharge) throw new NotFoundError('LoanCharge', req.payload.loanChargeId!, 'loanChargeId');
  if (loanCharge.waived) throw new ConflictError(`Loan charge ${loanCharge.id} is already waived`, 'loanChargeId');
  if (loanCharge.installmentNumber == null) throw new ValidationError('loanChargeId', 'only a charge due on one installment (SPECIFIED_DUE_DATE) can be waived');
  const inst = installments.find((i) => i.period === loanCharge.installmentNumber)!;
  const component = loanCharge.penalty ? 'penalty' : 'fee';
  // Payments settle an installment's fees together; what is still open of this charge is at most what is open there.
  const amount = Decimal.min(loanCharge.amount.minus(loanCharge.amountWaived), outstanding(inst, component));
  if (amount.lte(0)) throw new InvalidStageError(`Nothing of loan charge ${loanCharge.id} is outstanding to waive`);
  inst.waived[component] = inst.waived[component].plus(amount);
  // Under accrual the receivable booked by addLoanCharge is reversed (never more than is still open).
  const accrual = product.accountingRule === 'ACCRUAL_PERIODIC';
  const booked = accrual && loanCharge.createdBy !== 'system';
  const portions = zeroPortions();
  if (booked && component === 'fee') portions.fee = Decimal.min(amount, await feesReceivableOpen(em, loan.id, product));
  if (booked && component === 'penalty') portions.penalty = amount;
  const tx = await post('WAIVE_CHARGE', amount, portions, { installmentNumber: inst.period });
  loanCharge.amountWaived = loanCharge.amountWaived.plus(amount);
  loanCharge.waived = true;
  await recordEvent(em, { type: 'LoanChargeWaived', aggregateId: loan.id, idempotencyKey: `charge-waived-${tx.id}`, data: {
    loanId: loan.id, customerId: loan.customer.id, loanChargeId: loanCharge.id, chargeName: loanCharge.name, penalty: loanCharge.penalty,
    currencyCode: loan.currencyCode, amount: amount.toFixed(), installmentNumber: inst.period, transactionId: tx.id, reason: req.payload.reason ?? null,
    actorId: req.actor.id, actorRole: req.actor.role,
  } });
  return tx;
}
