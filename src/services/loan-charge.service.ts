/**
 * Charges added to and waived on an active loan (Fineract's addLoanCharge / waiveLoanCharge), run
 * inside the servicing transaction (`applyServicing`, kinds ADD_CHARGE and WAIVE with component
 * CHARGE). A SPECIFIED_DUE_DATE charge lands on the installment whose period holds its due date (fee or
 * penalty due); under accrual accounting it is booked receivable when charged, under cash when paid. An
 * INSTALLMENT_FEE lands on every installment still to fall due and is booked by close of business on each
 * due date. Each loan charge keeps its share per installment (installmentCharges), which waivers use.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { compareDates, requireLocalDate } from '../domain/dates';
import { ConflictError, InvalidStageError, NotFoundError, ValidationError } from '../domain/errors';
import { outstanding, totalOutstanding, type Installment } from '../domain/installments';
import { glCode, zeroPortions, type LoanTransactionType, type Portions } from '../domain/ledger';
import { Decimal, parseDecimal, roundMoney } from '../domain/money';
import { chargeValue } from '../domain/schedule';
import { money } from '../domain/schedule/calc';
import { Charge, Loan, LoanCharge, LoanInstallment, LoanProduct, LoanTransaction } from '../entities';
import type { InstallmentChargePart } from '../entities/charge.entity';
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
  return receivableOpen(em, loanId, product, 'FEES_RECEIVABLE');
}

/** A receivable account's balance on this loan under periodic accrual (never below zero); 0 under cash. */
export async function receivableOpen(em: EntityManager, loanId: string, product: LoanProduct, role: 'FEES_RECEIVABLE' | 'PENALTIES_RECEIVABLE'): Promise<Decimal> {
  if (product.accountingRule !== 'ACCRUAL_PERIODIC') return new Decimal(0);
  const [row] = await sql<{ balance: string | null }>(em, `
    select sum(case when e.entry_type = 'DEBIT' then e.amount else -e.amount end)::text as balance
      from journal_entry e join gl_account a on a.id = e.gl_account_id where e.loan_id = ? and a.code = ?`,
  [loanId, glCode(product.glMapping, role)]);
  return Decimal.max(0, new Decimal(row?.balance ?? 0));
}

/** The charge's amount or percent, or the request's `amount` in its place: at most the currency's digits, a percent at most 100. */
function chargeRate(charge: Charge, req: ServicingRequest, digits: number): Decimal {
  const rate = req.payload.amount != null ? parseDecimal(req.payload.amount)! : charge.amount;
  if (charge.chargeCalculationType === 'FLAT' && rate.decimalPlaces() > digits) throw new ValidationError('amount', `must have at most ${digits} decimal places`);
  if (charge.chargeCalculationType !== 'FLAT' && rate.gt(100)) throw new ValidationError('amount', 'a percentage must be at most 100');
  return rate;
}

/** A loan charge's share on one installment, nothing of it waived yet. */
export function installmentShare(installmentNumber: number, amount: Decimal): InstallmentChargePart {
  return { installmentNumber, amount: amount.toFixed(), amountWaived: '0', waived: false };
}

export async function addLoanCharge(
  em: EntityManager, loan: Loan, product: LoanProduct, rows: LoanInstallment[], installments: Installment[], req: ServicingRequest, businessDate: string, post: Post,
): Promise<LoanTransaction> {
  const charge = await em.findOne(Charge, { id: req.payload.chargeId! });
  if (!charge) throw new NotFoundError('Charge', req.payload.chargeId!, 'chargeId');
  if (charge.chargeTimeType !== 'SPECIFIED_DUE_DATE' && charge.chargeTimeType !== 'INSTALLMENT_FEE') {
    throw new ValidationError('chargeId', `only a SPECIFIED_DUE_DATE or INSTALLMENT_FEE charge can be added to an active loan; this one is ${charge.chargeTimeType}`);
  }
  if (charge.currencyCode !== loan.currencyCode) throw new ValidationError('chargeId', `the charge is in ${charge.currencyCode}, the loan in ${loan.currencyCode}`);
  if (charge.chargeTimeType === 'INSTALLMENT_FEE') return addInstallmentFee(em, loan, product, charge, rows, installments, req, businessDate, post);
  const digits = product.digitsAfterDecimal;
  const rate = chargeRate(charge, req, digits);
  // A percentage is of the loan (as in the schedule): its principal, its interest, or both.
  const principal = rows.reduce((a, r) => a.plus(r.principalDue), new Decimal(0));
  const interest = rows.reduce((a, r) => a.plus(r.interestDue), new Decimal(0));
  const amount = charge.chargeCalculationType === 'FLAT' ? rate : roundMoney(chargeValue(charge.chargeCalculationType, rate, principal, interest), digits);
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
    // Booked receivable below, so close of business must not accrue it again (see domain feeAccrualBy).
    if (product.accountingRule === 'ACCRUAL_PERIODIC') row.feeAccrued = Decimal.max(row.feeAccrued, row.feePaid).plus(amount);
  }
  const portions = charge.penalty ? { ...zeroPortions(), penalty: amount } : { ...zeroPortions(), fee: amount };
  const tx = await post('CHARGE', amount, portions, { installmentNumber: inst.period });
  const loanCharge = em.create(LoanCharge, {
    loan: loan.id, charge: charge.id, name: charge.name, chargeTimeType: charge.chargeTimeType, chargeCalculationType: charge.chargeCalculationType,
    penalty: charge.penalty, amountOrPercentage: rate, amount, amountWaived: new Decimal(0), dueDate, installmentNumber: inst.period,
    installmentCharges: [installmentShare(inst.period, amount)],
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

/**
 * An installment fee added to an active loan: it applies to every installment still to fall due (due
 * after the business date), flat per installment or a percent of that installment's principal /
 * interest / both, as the schedule computes installment fees. Nothing is booked now, under either rule:
 * under accrual close of business books each installment's fees receivable on its due date (fee_accrued),
 * as for the schedule's own installment fees; under cash they are income when paid.
 */
async function addInstallmentFee(
  em: EntityManager, loan: Loan, product: LoanProduct, charge: Charge, rows: LoanInstallment[], installments: Installment[], req: ServicingRequest, businessDate: string, post: Post,
): Promise<LoanTransaction> {
  // Penalty receivables are booked when charged; one spread over future due dates has no such booking.
  if (charge.penalty) throw new ValidationError('chargeId', 'an INSTALLMENT_FEE penalty cannot be added to an active loan');
  if (req.payload.dueDate != null) throw new ValidationError('dueDate', 'an installment fee falls due with each installment: leave the due date out');
  const digits = product.digitsAfterDecimal;
  const rate = chargeRate(charge, req, digits);
  const terms = { digitsAfterDecimal: digits, inMultiplesOf: loan.scheduleSettings?.inMultiplesOf ?? 0 };
  const parts: { inst: Installment; amount: Decimal }[] = [];
  for (const inst of installments) {
    if (compareDates(inst.dueDate, businessDate) <= 0) continue;
    const amount = money(chargeValue(charge.chargeCalculationType, rate, inst.due.principal, inst.due.interest), terms);
    if (amount.gt(0)) parts.push({ inst, amount });
  }
  if (parts.length === 0) throw new ValidationError('chargeId', 'the installment fee comes to nothing: no installment still to fall due carries any of it');
  const total = parts.reduce((a, p) => a.plus(p.amount), new Decimal(0));
  for (const { inst, amount } of parts) {
    inst.due.fee = inst.due.fee.plus(amount);
    rows.find((r) => r.installmentNumber === inst.period)!.feeChargesDue = inst.due.fee;
  }
  // The transaction shows the fee charged; its journal entry is empty (zero portions) until accrual or payment.
  const tx = await post('CHARGE', total, zeroPortions(), { feePortion: total });
  const loanCharge = em.create(LoanCharge, {
    loan: loan.id, charge: charge.id, name: charge.name, chargeTimeType: charge.chargeTimeType, chargeCalculationType: charge.chargeCalculationType,
    penalty: false, amountOrPercentage: rate, amount: total, amountWaived: new Decimal(0), dueDate: null, installmentNumber: null,
    installmentCharges: parts.map(({ inst, amount }) => installmentShare(inst.period, amount)),
    requestId: req.requestId, createdBy: req.actor.id,
  });
  await em.flush();
  const outstandingBalance = installments.reduce((a, i) => a.plus(totalOutstanding(i)), new Decimal(0)).toFixed();
  // One event per installment: LoanChargeAddedV1 describes a charge on one installment.
  for (const { inst, amount } of parts) {
    await recordEvent(em, { type: 'LoanChargeAdded', aggregateId: loan.id, idempotencyKey: `charge-added-${tx.id}-${inst.period}`, data: {
      loanId: loan.id, customerId: loan.customer.id, loanChargeId: loanCharge.id, chargeId: charge.id, chargeName: charge.name, penalty: false,
      currencyCode: loan.currencyCode, amount: amount.toFixed(), dueDate: inst.dueDate, installmentNumber: inst.period, transactionId: tx.id,
      outstandingBalance, actorId: req.actor.id, actorRole: req.actor.role,
    } });
  }
  return tx;
}

/**
 * Forgives what is still outstanding of one loan charge: a dated charge on its installment, an
 * installment fee on every installment it applies to (or, with installmentNumber, on that one). A
 * disbursement charge was paid as the money went out, so there is nothing to waive. Under accrual only
 * what was booked receivable and is still open is reversed: for a fee, per installment at most its
 * fee_accrued less what was paid (payments settle the booked part first), never more than the loan's
 * open fees receivable, and for an installment fee only once close of business has passed its due
 * date; the rest of a waived fee was never income. fee_accrued goes down by what is reversed, so close
 * of business does not book it again. Penalties added to the active loan (or charged by close of
 * business) were booked when charged; schedule penalties were not.
 */
export async function waiveLoanCharge(
  em: EntityManager, loan: Loan, product: LoanProduct, rows: LoanInstallment[], installments: Installment[], req: ServicingRequest, post: Post,
): Promise<LoanTransaction> {
  const loanCharge = await em.findOne(LoanCharge, { id: req.payload.loanChargeId!, loan: loan.id });
  if (!loanCharge) throw new NotFoundError('LoanCharge', req.payload.loanChargeId!, 'loanChargeId');
  if (loanCharge.chargeTimeType === 'DISBURSEMENT') {
    throw new ConflictError(`Loan charge ${loanCharge.id} was already paid at disbursement: nothing of it is outstanding to waive`, 'loanChargeId');
  }
  if (loanCharge.waived) throw new ConflictError(`Loan charge ${loanCharge.id} is already waived`, 'loanChargeId');
  const parts = (loanCharge.installmentCharges ?? []).map((p) => ({ ...p }));
  if (parts.length === 0) throw new ValidationError('loanChargeId', `a ${loanCharge.chargeTimeType} charge is not due on any installment, so it cannot be waived`);
  const only = req.payload.installmentNumber ?? null;
  const targets = only == null ? parts.filter((p) => !p.waived) : parts.filter((p) => p.installmentNumber === only);
  if (targets.length === 0) throw new ValidationError('installmentNumber', `loan charge ${loanCharge.id} is not due on installment ${only}`);
  if (targets.some((p) => p.waived)) throw new ConflictError(`Loan charge ${loanCharge.id} is already waived on installment ${only}`, 'installmentNumber');

  const component = loanCharge.penalty ? 'penalty' : 'fee';
  const accrual = product.accountingRule === 'ACCRUAL_PERIODIC';
  let receivableLeft = accrual && component === 'fee' ? await feesReceivableOpen(em, loan.id, product) : new Decimal(0);
  let amount = new Decimal(0);
  let reversed = new Decimal(0);
  const waivedOn: { installmentNumber: number; amount: Decimal }[] = [];
  for (const part of targets) {
    part.waived = true;
    const inst = installments.find((i) => i.period === part.installmentNumber);
    const row = rows.find((r) => r.installmentNumber === part.installmentNumber);
    if (!inst || !row) continue;
    // Payments settle an installment's fees together; what is still open of this charge is at most what is open there.
    const open = outstanding(inst, component);
    const take = Decimal.min(new Decimal(part.amount).minus(part.amountWaived), open);
    if (take.lte(0)) continue;
    if (component === 'fee' && accrual) {
      // An installment fee's share is booked by close of business on its due date; dated and overdue fees when charged.
      const recognised = loanCharge.chargeTimeType !== 'INSTALLMENT_FEE' || (loan.lastCobDate != null && compareDates(inst.dueDate, loan.lastCobDate) <= 0);
      // fee_accrued counts what is recognised (booked, or paid before it was booked: income then); payments settle the booked part first.
      const booked = recognised ? Decimal.min(take, Decimal.max(0, row.feeAccrued.minus(inst.paid.fee)), receivableLeft) : new Decimal(0);
      if (booked.gt(0)) {
        row.feeAccrued = row.feeAccrued.minus(booked);
        receivableLeft = receivableLeft.minus(booked);
        reversed = reversed.plus(booked);
      }
    }
    inst.waived[component] = inst.waived[component].plus(take);
    part.amountWaived = new Decimal(part.amountWaived).plus(take).toFixed();
    amount = amount.plus(take);
    waivedOn.push({ installmentNumber: part.installmentNumber, amount: take });
  }
  if (amount.lte(0)) throw new InvalidStageError(`Nothing of loan charge ${loanCharge.id} is outstanding to waive`);
  if (component === 'penalty' && accrual && loanCharge.createdBy !== 'system') reversed = amount;
  const portions = component === 'penalty' ? { ...zeroPortions(), penalty: reversed } : { ...zeroPortions(), fee: reversed };
  const tx = await post('WAIVE_CHARGE', amount, portions, { installmentNumber: waivedOn.length === 1 ? waivedOn[0]!.installmentNumber : null });
  loanCharge.installmentCharges = parts;
  loanCharge.amountWaived = loanCharge.amountWaived.plus(amount);
  loanCharge.waived = parts.every((p) => p.waived);
  // One event per installment: LoanChargeWaivedV1 describes one installment's waiver.
  for (const w of waivedOn) {
    await recordEvent(em, { type: 'LoanChargeWaived', aggregateId: loan.id, idempotencyKey: `charge-waived-${tx.id}-${w.installmentNumber}`, data: {
      loanId: loan.id, customerId: loan.customer.id, loanChargeId: loanCharge.id, chargeName: loanCharge.name, penalty: loanCharge.penalty,
      currencyCode: loan.currencyCode, amount: w.amount.toFixed(), installmentNumber: w.installmentNumber, transactionId: tx.id, reason: req.payload.reason ?? null,
      actorId: req.actor.id, actorRole: req.actor.role,
    } });
  }
  return tx;
}
