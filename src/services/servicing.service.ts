/**
 * Loan servicing inside one database transaction per request: repayments (allocated by the engine),
 * payoff, credit-balance refunds, write-off and recovery, reversal with replay — each with its
 * balanced journal entry. Called by the loan workflow's `servicing` Update activity (and, for
 * recoveries on written-off loans whose workflow has ended, directly).
 */
import type { EntityDictionary, EntityManager } from '@mikro-orm/postgresql';
import { payoffQuote } from '../domain/accrual';
import { allocatePayment, type AllocationResult } from '../domain/allocation';
import { compareDates, requireLocalDate } from '../domain/dates';
import { DomainError, InvalidStageError, NotFoundError, ValidationError } from '../domain/errors';
import { COMPONENTS, isSettled, outstanding, totalOutstanding, zeroComponents, type Installment } from '../domain/installments';
import { glCode, journalLines, reversalLines, zeroPortions, type LoanTransactionType, type Portions } from '../domain/ledger';
import { Decimal, parseDecimal } from '../domain/money';
import { Loan, LoanInstallment, LoanProduct, LoanTransaction } from '../entities';
import type { ServicingKind, ServicingPayload, ServicingRequest, ServicingResult } from '../workflows/servicing-messages';
import { BUSINESS_DATE } from './business-date.service';
import { columnsOf, unprefixed } from './loan-read.service';
import { cobLockOf, runInlineCob } from './cob';
import { postJournal } from './ledger.service';
import { recordEvent } from './outbox.service';
import { applyReschedule } from './reschedule.service';
import { loanInstallments } from './loan-account.service';
import { keyReusedError } from './idempotency';
import { addLoanCharge, feesReceivableOpen, receivableOpen, validateChargePayload, waiveLoanCharge } from './loan-charge.service';
import { sql } from './sql';
import { assertPaymentTypeCode } from './payment-type.service';

export type { ServicingKind, ServicingPayload, ServicingRequest, ServicingResult };

export function toDomainInstallment(i: Omit<LoanInstallment, 'loan'>): Installment {
  return {
    period: i.installmentNumber,
    fromDate: i.fromDate,
    dueDate: i.dueDate,
    due: { principal: i.principalDue, interest: i.interestDue, fee: i.feeChargesDue, penalty: i.penaltyChargesDue },
    paid: { principal: i.principalPaid, interest: i.interestPaid, fee: i.feePaid, penalty: i.penaltyPaid },
    waived: { principal: new Decimal(0), interest: i.interestWaived, fee: i.feeWaived, penalty: i.penaltyWaived },
  };
}

function writeBack(rows: LoanInstallment[], installments: Installment[]): void {
  const byPeriod = new Map(installments.map((i) => [i.period, i]));
  for (const row of rows) {
    const d = byPeriod.get(row.installmentNumber)!;
    row.principalPaid = d.paid.principal;
    row.interestPaid = d.paid.interest;
    row.feePaid = d.paid.fee;
    row.penaltyPaid = d.paid.penalty;
    row.interestWaived = d.waived.interest;
    row.feeWaived = d.waived.fee;
    row.penaltyWaived = d.waived.penalty;
    row.completed = isSettled(d);
  }
}

function allocationPortions(r: AllocationResult): Portions {
  return { principal: r.principalPortion, interest: r.interestPortion, fee: r.feePortion, penalty: r.penaltyPortion, overpayment: r.overpayment };
}

function portionsOf(tx: LoanTransaction): Portions {
  return {
    principal: tx.principalPortion, interest: tx.interestPortion, fee: tx.feePortion, penalty: tx.penaltyPortion, overpayment: tx.overpaymentPortion,
    feeReceivable: tx.feeReceivablePortion,
  };
}

function fullyRepaid(installments: Installment[], loan: Loan): boolean {
  return installments.every(isSettled) && loan.creditBalance.lte(0);
}

function requireAmount(payload: ServicingPayload): Decimal {
  const amount = parseDecimal(payload.amount);
  if (!amount || amount.lte(0)) throw new ValidationError('amount', 'must be a positive decimal');
  return amount;
}

/** Validates a servicing request's input before it reaches the workflow (so bad input changes nothing). */
export function validateServicingPayload(kind: ServicingKind, payload: ServicingPayload, digits: number): void {
  if (['REPAYMENT', 'CREDIT_BALANCE_REFUND', 'RECOVERY'].includes(kind)) {
    const amount = requireAmount(payload);
    if (amount.decimalPlaces() > digits) throw new ValidationError('amount', `must have at most ${digits} decimal places`);
  }
  if (kind === 'PAYOFF' && payload.amount != null) requireAmount(payload);
  if (payload.transactionDate != null) requireLocalDate('transactionDate', payload.transactionDate);
  // The format only; that the code is on the ADMIN-managed list is checked where the database is at hand.
  assertPaymentTypeCode(payload.paymentType);
  // Transaction ids are bigint: 1 to 18 digits always fit (a 20-digit id would fail as a cast in SQL).
  if (kind === 'REVERSAL' && !/^[1-9]\d{0,17}$/.test(payload.transactionId ?? '')) throw new ValidationError('transactionId', 'must be a transaction id');
  if (payload.reason != null && payload.reason.length > 500) throw new ValidationError('reason', 'must be at most 500 characters');
  if (kind === 'WRITE_OFF' && !(payload.reason ?? '').trim()) throw new ValidationError('reason', 'must not be empty');
  if (kind === 'RESCHEDULE' && !/^[0-9a-f-]{36}$/i.test(payload.rescheduleRequestId ?? '')) throw new ValidationError('rescheduleRequestId', 'must be a UUID');
  if (kind === 'ADD_CHARGE') validateChargePayload(kind, payload);
  if (kind === 'WAIVE') {
    if (payload.component !== 'INTEREST' && payload.component !== 'PENALTY' && payload.component !== 'CHARGE') throw new ValidationError('component', 'must be INTEREST, PENALTY or CHARGE');
    if (payload.component === 'CHARGE') {
      validateChargePayload(kind, payload);
      if (payload.amount != null) throw new ValidationError('amount', 'a loan charge is waived whole: leave the amount out');
    } else if (payload.loanChargeId != null) {
      throw new ValidationError('loanChargeId', 'only with component CHARGE');
    }
    if (payload.amount != null) {
      const amount = requireAmount(payload);
      if (amount.decimalPlaces() > digits) throw new ValidationError('amount', `must have at most ${digits} decimal places`);
    }
    if (payload.installmentNumber != null && (!Number.isInteger(payload.installmentNumber) || payload.installmentNumber < 1)) {
      throw new ValidationError('installmentNumber', 'must be a positive whole number');
    }
    if (!(payload.reason ?? '').trim()) throw new ValidationError('reason', 'must not be empty');
  }
}

/** LOAN_LOCKED when close of business holds the loan (`lock`: cobLockOf's answer). */
export function assertNoLock(loanId: string, lock: { error: string | null } | null | undefined): void {
  if (lock) {
    throw new DomainError(
      'LOAN_LOCKED',
      lock.error ? `Loan ${loanId} is locked: its close of business failed (${lock.error}); retry COB first` : `Loan ${loanId} is being processed by close of business; try again shortly`,
    );
  }
}

/**
 * What a servicing transaction starts from, in two statements through `pg` (MikroORM's QueryBuilder
 * cost more CPU than PostgreSQL's answers — README, the mutation path): the loan row locked FOR UPDATE
 * (first and alone: a statement that waits for the lock sees the other tables as they were before it
 * waited), then its product, the transaction this idempotency key already wrote, the COB lock and the
 * business date. The loan, product and transaction are managed entities (`em.map`), as `findOne` gives.
 */
async function servicingStart(tx: EntityManager, req: ServicingRequest) {
  const [loanRow] = await sql<EntityDictionary<Loan>>(tx, `select * from loan where id = ? for update`, [req.loanId]);
  if (!loanRow) throw new NotFoundError('Loan', req.loanId);
  const [raw] = await sql<Record<string, unknown>>(tx, `
    select ${columnsOf(tx, LoanProduct, 'p')}, ${columnsOf(tx, LoanTransaction, 't')},
           ${cobLockOf('?')} as lock,
           (select date::text from business_date where name = ?) as business_date
      from loan_product p left join loan_transaction t on t.loan_id = ? and t.request_id = ?
     where p.id = ?`, [req.loanId, BUSINESS_DATE, req.loanId, req.requestId, (loanRow as Record<string, unknown>).product_id]);
  // The product first: the loan's reference then points at it, initialized.
  const product = tx.map(LoanProduct, unprefixed(raw, 'p') as EntityDictionary<LoanProduct>);
  const loan = tx.map(Loan, loanRow);
  const done = raw.t__id ? tx.map(LoanTransaction, unprefixed(raw, 't') as EntityDictionary<LoanTransaction>) : null;
  return { loan, product, done, lock: raw.lock as { error: string | null } | null, businessDate: raw.business_date as string };
}

/** The loan's installments as managed entities (read through `pg`, as servicingStart). */
async function managedInstallments(tx: EntityManager, loanId: string): Promise<LoanInstallment[]> {
  const rows = await sql<EntityDictionary<LoanInstallment>>(tx, `select * from loan_installment where loan_id = ? order by installment_number`, [loanId]);
  return rows.map((r) => tx.map(LoanInstallment, r));
}

export async function applyServicing(em: EntityManager, req: ServicingRequest): Promise<ServicingResult> {
  return em.transactional(async (tx) => {
    const { loan, product, done, lock, businessDate } = await servicingStart(tx, req);
    if (done) {
      if (done.createdBy === 'system' || (done.requestFingerprint && req.fingerprint && done.requestFingerprint !== req.fingerprint)) throw keyReusedError('idempotencyKey');
      const installments = (await loanInstallments(tx, loan.id)).map(toDomainInstallment);
      const closeAs = loan.status === 'WRITTEN_OFF' ? 'WRITTEN_OFF' : loan.status === 'ACTIVE' && fullyRepaid(installments, loan) ? 'CLOSED_OBLIGATIONS_MET' : null;
      return { transactionId: done.id, closeAs };
    }
    assertNoLock(loan.id, lock);
    if (req.kind === 'RECOVERY') return recordRecovery(tx, loan, product, req, businessDate);
    if (loan.status !== 'ACTIVE') throw new InvalidStageError(`${req.kind} is not possible: the loan is ${loan.status}`);
    // A loan behind the business date is first brought up to date (accruals, penalties, delinquency).
    // Usually up to date already: then nothing is re-read.
    if (await runInlineCob(tx, loan.id, businessDate, { last: loan.lastCobDate ?? null, disbursed: loan.disbursedOn ?? null })) await tx.refresh(loan);
    const rows = await managedInstallments(tx, loan.id);
    const date = req.payload.transactionDate ? requireLocalDate('transactionDate', req.payload.transactionDate) : businessDate;
    if (compareDates(date, businessDate) > 0) throw new ValidationError('transactionDate', `must not be after the business date ${businessDate}`);
    if (loan.disbursedOn && compareDates(date, loan.disbursedOn) < 0) throw new ValidationError('transactionDate', `must not be before the disbursement on ${loan.disbursedOn}`);
    const post = async (type: LoanTransactionType, amount: Decimal, portions: Portions, extra: Partial<LoanTransaction> = {}) => {
      const row = tx.create(LoanTransaction, {
        loan: loan.id, type, amount, transactionDate: date, requestId: req.requestId, requestFingerprint: req.fingerprint ?? null, createdBy: req.actor.id,
        principalPortion: portions.principal, interestPortion: portions.interest, feePortion: portions.fee, feeReceivablePortion: portions.feeReceivable ?? new Decimal(0),
        penaltyPortion: portions.penalty, overpaymentPortion: portions.overpayment, paymentType: req.payload.paymentType ?? null, ...extra,
      });
      await tx.flush();
      await postJournal(tx, { loanTransactionId: row.id, loanId: loan.id, currencyCode: loan.currencyCode, businessDate, glMapping: product.glMapping },
        journalLines(type, product.accountingRule, amount, portions));
      return row;
    };
    let installments = rows.map(toDomainInstallment);
    let row: LoanTransaction | null = null;
    /** PAYOFF: fees and penalties of installments not yet due, forgiven with the unearned interest. */
    const forgiven = { fee: new Decimal(0), penalty: new Decimal(0) };
    /**
     * What a payoff forgave of fees and penalties booked receivable under accrual (fees added to a
     * future installment, added penalties) is reversed by a WAIVE_CHARGE beside the payment, so the
     * closed loan keeps no receivable; the rest was never income. `feesLeft`: fees receivable still
     * open after the payment.
     */
    const forgiveAtPayoff = async (payment: LoanTransaction, feesLeft: Decimal) => {
      for (const [k, inst] of installments.entries()) {
        if (compareDates(inst.dueDate, date) > 0) rows[k]!.feeAccrued = Decimal.min(rows[k]!.feeAccrued, inst.paid.fee);
      }
      const penaltiesLeft = forgiven.penalty.gt(0) ? await receivableOpen(tx, loan.id, product, 'PENALTIES_RECEIVABLE') : new Decimal(0);
      const reversed = { ...zeroPortions(), fee: Decimal.min(forgiven.fee, Decimal.max(0, feesLeft)), penalty: Decimal.min(forgiven.penalty, penaltiesLeft) };
      await post('WAIVE_CHARGE', forgiven.fee.plus(forgiven.penalty), reversed, { requestId: `payoff-forgiven-${payment.id}`, createdBy: 'system' });
    };

    switch (req.kind) {
      case 'REPAYMENT':
      case 'PAYOFF': {
        let amount: Decimal;
        if (req.kind === 'PAYOFF') {
          // Foreclosure: interest not yet earned is forgiven, then the quote is paid in full.
          const quote = payoffQuote(installments, date, { digitsAfterDecimal: product.digitsAfterDecimal });
          amount = req.payload.amount ? requireAmount(req.payload) : quote.total;
          if (!amount.eq(quote.total)) throw new ValidationError('amount', `must equal the payoff amount ${quote.total.toFixed(product.digitsAfterDecimal)} on ${date}`);
          let earnedLeft = quote.interest;
          for (const inst of installments) {
            const open = outstanding(inst, 'interest');
            const keep = Decimal.min(open, earnedLeft);
            earnedLeft = earnedLeft.minus(keep);
            inst.waived.interest = inst.waived.interest.plus(open.minus(keep));
          }
          // Fees and penalties of installments not yet due are not in the quote either: forgiven too, or
          // the payment would go to them before principal and leave the loan open.
          for (const inst of installments) {
            if (compareDates(inst.dueDate, date) <= 0) continue;
            for (const c of ['fee', 'penalty'] as const) {
              const open = outstanding(inst, c);
              inst.waived[c] = inst.waived[c].plus(open);
              forgiven[c] = forgiven[c].plus(open);
            }
          }
        } else {
          amount = requireAmount(req.payload);
        }
        const result = allocatePayment(installments, amount, date, product.allocationStrategy);
        installments = result.installments;
        const portions = allocationPortions(result);
        // Fees added under accrual were booked receivable: the payment settles that first, the rest is income.
        const feesOpen = portions.fee.gt(0) || forgiven.fee.gt(0) ? await feesReceivableOpen(tx, loan.id, product) : new Decimal(0);
        if (portions.fee.gt(0)) portions.feeReceivable = Decimal.min(portions.fee, feesOpen);
        row = await post('REPAYMENT', amount, portions);
        if (forgiven.fee.plus(forgiven.penalty).gt(0)) await forgiveAtPayoff(row, feesOpen.minus(portions.feeReceivable ?? 0));
        loan.creditBalance = loan.creditBalance.plus(result.overpayment);
        await recordEvent(tx, { type: 'LoanRepaymentRecorded', aggregateId: loan.id, idempotencyKey: `repayment-${row.id}`, data: {
          loanId: loan.id, customerId: loan.customer.id, transactionId: row.id, transactionDate: date, currencyCode: loan.currencyCode,
          amount: amount.toFixed(), principalPortion: portions.principal.toFixed(), interestPortion: portions.interest.toFixed(),
          feeChargesPortion: portions.fee.toFixed(), penaltyChargesPortion: portions.penalty.toFixed(), overpaymentPortion: portions.overpayment.toFixed(),
          outstandingBalance: installments.reduce((a, i) => a.plus(totalOutstanding(i)), new Decimal(0)).toFixed(),
          externalId: req.requestId, actorId: req.actor.id, actorRole: req.actor.role,
        } });
        break;
      }
      case 'CREDIT_BALANCE_REFUND': {
        const amount = requireAmount(req.payload);
        if (amount.gt(loan.creditBalance)) throw new ValidationError('amount', `must not exceed the credit balance ${loan.creditBalance.toFixed()}`);
        row = await post('CREDIT_BALANCE_REFUND', amount, { ...zeroPortions(), overpayment: amount });
        loan.creditBalance = loan.creditBalance.minus(amount);
        break;
      }
      case 'WRITE_OFF': {
        const principal = installments.reduce((a, i) => a.plus(outstanding(i, 'principal')), new Decimal(0));
        // Receivables booked so far (accrued interest, charged penalties and fees) go with it under accrual.
        const accruedInterest = rows.reduce((a, r) => a.plus(Decimal.max(0, r.interestAccrued.minus(r.interestPaid).minus(r.interestWaived))), new Decimal(0));
        const accrual = product.accountingRule === 'ACCRUAL_PERIODIC';
        const portions: Portions = {
          ...zeroPortions(),
          principal,
          interest: accrual ? accruedInterest : new Decimal(0),
          // Only fees booked receivable (added under accrual) are written off the receivable; schedule fees never were.
          fee: accrual ? Decimal.min(installments.reduce((a, i) => a.plus(outstanding(i, 'fee')), new Decimal(0)), await feesReceivableOpen(tx, loan.id, product)) : new Decimal(0),
          penalty: accrual ? installments.reduce((a, i) => a.plus(outstanding(i, 'penalty')), new Decimal(0)) : new Decimal(0),
        };
        const amount = portions.principal.plus(portions.interest).plus(portions.fee).plus(portions.penalty);
        if (amount.lte(0)) throw new InvalidStageError('Nothing is outstanding to write off');
        row = await post('WRITE_OFF', amount, portions);
        await recordEvent(tx, { type: 'LoanWrittenOff', aggregateId: loan.id, idempotencyKey: `write-off-${row.id}`, data: {
          loanId: loan.id, customerId: loan.customer.id, writtenOffOn: date, currencyCode: loan.currencyCode,
          principalWrittenOff: portions.principal.toFixed(), interestWrittenOff: portions.interest.toFixed(), feeChargesWrittenOff: portions.fee.toFixed(),
          penaltyChargesWrittenOff: portions.penalty.toFixed(), totalWrittenOff: amount.toFixed(), reason: req.payload.reason ?? null,
          actorId: req.actor.id, actorRole: req.actor.role,
        } });
        loan.writtenOffOn = date;
        loan.closedOn = date;
        break;
      }
      case 'ADD_CHARGE':
        row = await addLoanCharge(tx, loan, product, rows, installments, req, businessDate, post);
        break;
      case 'WAIVE': {
        if (req.payload.component === 'CHARGE') {
          row = await waiveLoanCharge(tx, loan, product, rows, installments, req, post);
          break;
        }
        // Forgive outstanding interest or penalty, oldest installment first (or one installment).
        const component = req.payload.component === 'PENALTY' ? 'penalty' : 'interest';
        const targets = installments.filter((i) => req.payload.installmentNumber == null || i.period === req.payload.installmentNumber);
        if (targets.length === 0) throw new ValidationError('installmentNumber', 'no such installment');
        let left = req.payload.amount ? requireAmount(req.payload) : targets.reduce((a, i) => a.plus(outstanding(i, component)), new Decimal(0));
        if (left.lte(0)) throw new InvalidStageError(`No ${component} is outstanding to waive`);
        const open = targets.reduce((a, i) => a.plus(outstanding(i, component)), new Decimal(0));
        if (left.gt(open)) throw new ValidationError('amount', `must not exceed the outstanding ${component} ${open.toFixed()}`);
        const amount = left;
        // Under accrual only what was booked as income is reversed: penalties in full, interest as far as accrued.
        let reversed = new Decimal(0);
        for (const inst of targets) {
          const take = Decimal.min(left, outstanding(inst, component));
          if (take.lte(0)) continue;
          const r = rows.find((x) => x.installmentNumber === inst.period)!;
          if (component === 'interest') {
            const bookedUnpaid = Decimal.max(0, r.interestAccrued.minus(inst.paid.interest).minus(inst.waived.interest));
            const part = Decimal.min(take, bookedUnpaid);
            reversed = reversed.plus(part);
            r.interestAccrued = r.interestAccrued.minus(part);
            inst.waived.interest = inst.waived.interest.plus(take);
          } else {
            inst.waived.penalty = inst.waived.penalty.plus(take);
            r.penaltyWaived = inst.waived.penalty;
            reversed = reversed.plus(take);
          }
          left = left.minus(take);
        }
        const portions = component === 'interest' ? { ...zeroPortions(), interest: reversed } : { ...zeroPortions(), penalty: reversed };
        row = await post(component === 'interest' ? 'WAIVE_INTEREST' : 'WAIVE_PENALTY', amount, portions, { installmentNumber: req.payload.installmentNumber ?? null });
        break;
      }
      case 'REVERSAL':
        row = await reverseAndReplay(tx, loan, product, rows, req, businessDate);
        installments = rows.map(toDomainInstallment);
        break;
      case 'CLOSE':
        break;
      case 'RESCHEDULE':
        row = await applyReschedule(tx, loan, product, rows, installments, req, businessDate);
        break;
      default:
        throw new ValidationError('kind', `unknown servicing request ${String(req.kind)}`);
    }
    if (req.kind !== 'REVERSAL' && req.kind !== 'RESCHEDULE') writeBack(rows, installments);
    const repaid = fullyRepaid(installments, loan);
    if (repaid && req.kind !== 'WRITE_OFF') loan.closedOn = date;
    await tx.flush();
    const closeAs = req.kind === 'WRITE_OFF' ? 'WRITTEN_OFF' : repaid ? 'CLOSED_OBLIGATIONS_MET' : null;
    return { transactionId: row?.id ?? null, closeAs };
  });
}

/** Money received on a written-off loan: income from recovery (the loan stays written off). */
async function recordRecovery(em: EntityManager, loan: Loan, product: LoanProduct, req: ServicingRequest, businessDate: string): Promise<ServicingResult> {
  if (loan.status !== 'WRITTEN_OFF') throw new InvalidStageError(`A recovery payment needs a written-off loan; this one is ${loan.status}`);
  const amount = requireAmount(req.payload);
  const row = em.create(LoanTransaction, {
    loan: loan.id, type: 'RECOVERY', amount, transactionDate: businessDate, requestId: req.requestId, requestFingerprint: req.fingerprint ?? null, createdBy: req.actor.id,
    paymentType: req.payload.paymentType ?? null,
  });
  await em.flush();
  await postJournal(em, { loanTransactionId: row.id, loanId: loan.id, currencyCode: loan.currencyCode, businessDate, glMapping: product.glMapping },
    journalLines('RECOVERY', product.accountingRule, amount, zeroPortions()));
  return { transactionId: row.id, closeAs: null };
}

/**
 * Reverses a repayment and replays every later one: installments are rebuilt from the schedule with
 * all remaining repayments allocated again in order; each repayment whose split changed gets its old
 * journal lines reversed and the new ones posted, so the ledger matches the replayed loan.
 */
async function reverseAndReplay(em: EntityManager, loan: Loan, product: LoanProduct, rows: LoanInstallment[], req: ServicingRequest, businessDate: string): Promise<LoanTransaction> {
  const target = await em.findOne(LoanTransaction, { id: req.payload.transactionId!, loan: loan.id });
  if (!target) throw new NotFoundError('LoanTransaction', req.payload.transactionId!, 'transactionId');
  if (target.type !== 'REPAYMENT' || target.reversed) throw new ValidationError('transactionId', 'only a repayment that is not reversed can be reversed');
  // Every journal line of the reversal (the undo and the replay adjustments) hangs off one REVERSAL row.
  const reversal = em.create(LoanTransaction, {
    loan: loan.id, type: 'REVERSAL', amount: target.amount, transactionDate: businessDate, requestId: req.requestId, requestFingerprint: req.fingerprint ?? null,
    createdBy: req.actor.id, paymentType: req.payload.reason ? req.payload.reason.slice(0, 40) : null,
  });
  target.reversed = true;
  target.reversedAt = new Date();
  await em.flush();
  const at = { loanTransactionId: reversal.id, loanId: loan.id, currencyCode: loan.currencyCode, businessDate, glMapping: product.glMapping };
  await postJournal(em, at, reversalLines(journalLines('REPAYMENT', product.accountingRule, target.amount, portionsOf(target))));

  const repayments = await em.find(LoanTransaction, { loan: loan.id, type: 'REPAYMENT', reversed: false }, { orderBy: { transactionDate: 'asc', id: 'asc' } });
  const refunds = await em.find(LoanTransaction, { loan: loan.id, type: 'CREDIT_BALANCE_REFUND', reversed: false });
  const receivable = await feesReceivableMovements(em, loan.id, product);
  let installments = rows.map(toDomainInstallment).map((i) => ({ ...i, paid: zeroComponents() }));
  let overpaid = new Decimal(0);
  let settled = new Decimal(0);
  for (const r of repayments) {
    const result = allocatePayment(installments, r.amount, r.transactionDate, product.allocationStrategy);
    installments = result.installments;
    overpaid = overpaid.plus(result.overpayment);
    const replayed = allocationPortions(result);
    // As the posting did: the fee portion settles what was booked receivable by then, the rest is income.
    replayed.feeReceivable = Decimal.min(replayed.fee, Decimal.max(0, receivableFor(receivable, r.id).minus(settled)));
    settled = settled.plus(replayed.feeReceivable);
    const old = portionsOf(r);
    if ((['principal', 'interest', 'fee', 'penalty', 'overpayment', 'feeReceivable'] as const).every((k) => old[k]!.eq(replayed[k]!))) continue;
    await postJournal(em, at, reversalLines(journalLines('REPAYMENT', product.accountingRule, r.amount, old)));
    await postJournal(em, at, journalLines('REPAYMENT', product.accountingRule, r.amount, replayed));
    Object.assign(r, {
      principalPortion: replayed.principal, interestPortion: replayed.interest, feePortion: replayed.fee, feeReceivablePortion: replayed.feeReceivable,
      penaltyPortion: replayed.penalty, overpaymentPortion: replayed.overpayment,
    });
  }
  const refunded = refunds.reduce((a, r) => a.plus(r.amount), new Decimal(0));
  if (overpaid.lt(refunded)) throw new DomainError('CONFLICT', 'Reversing this repayment would undo money already refunded from the credit balance');
  loan.creditBalance = overpaid.minus(refunded);
  writeBack(rows, installments);
  return reversal;
}

/**
 * What booked or took off the loan's fees receivable other than repayments (charges added under accrual,
 * close-of-business fee accruals, waivers), as net movements in posting (transaction id) order. A
 * REVERSAL's lines only undo and re-split repayments, so they are left out with the repayments.
 */
async function feesReceivableMovements(em: EntityManager, loanId: string, product: LoanProduct): Promise<{ id: bigint; amount: Decimal }[]> {
  if (product.accountingRule !== 'ACCRUAL_PERIODIC') return [];
  const rows = await sql<{ id: string; amount: string }>(em, `
    select t.id::text as id, sum(case when e.entry_type = 'DEBIT' then e.amount else -e.amount end)::text as amount
      from journal_entry e join gl_account a on a.id = e.gl_account_id join loan_transaction t on t.id = e.loan_transaction_id
     where e.loan_id = ? and a.code = ? and t.type not in ('REPAYMENT', 'REVERSAL')
     group by t.id order by t.id`, [loanId, glCode(product.glMapping, 'FEES_RECEIVABLE')]);
  return rows.map((r) => ({ id: BigInt(r.id), amount: new Decimal(r.amount) }));
}

/**
 * Fees receivable a repayment may settle (before what earlier repayments settled): what was booked before
 * it was posted, but never more than stays booked at any later point (a later waiver took off only what
 * was open then), so the replayed receivable never goes negative. For a repayment whose history is
 * unchanged this is exactly the split its posting made.
 */
function receivableFor(movements: { id: bigint; amount: Decimal }[], transactionId: string): Decimal {
  const id = BigInt(transactionId);
  let running = new Decimal(0);
  let least: Decimal | null = null;
  for (const m of movements) {
    if (m.id > id && least === null) least = running;
    running = running.plus(m.amount);
    if (least !== null) least = Decimal.min(least, running);
  }
  return least ?? running;
}

export interface LoanBalances {
  principalOutstanding: Decimal;
  interestOutstanding: Decimal;
  feeOutstanding: Decimal;
  penaltyOutstanding: Decimal;
  totalOutstanding: Decimal;
  /** Due on or before the business date and unpaid. */
  totalOverdue: Decimal;
  nextInstallment: Installment | null;
}

/** What the borrower owes, from the persisted installments, as of a business date. */
export function loanBalances(rows: Omit<LoanInstallment, 'loan'>[], asOf: string): LoanBalances {
  // One pass, each installment's outstanding computed once (the same sums, in the same order, as
  // outstanding() / totalOutstanding() / isSettled() one by one: list pages call this per loan).
  const sums = { principal: new Decimal(0), interest: new Decimal(0), fee: new Decimal(0), penalty: new Decimal(0) };
  let total = new Decimal(0);
  let totalOverdue = new Decimal(0);
  let nextInstallment: Installment | null = null;
  for (const row of rows) {
    const i = toDomainInstallment(row);
    let owed = new Decimal(0);
    for (const c of COMPONENTS) {
      const o = outstanding(i, c);
      sums[c] = sums[c].plus(o);
      owed = owed.plus(o);
    }
    total = total.plus(owed);
    if (compareDates(i.dueDate, asOf) < 0) totalOverdue = totalOverdue.plus(owed);
    if (!nextInstallment && owed.gt(0)) nextInstallment = i;
  }
  return {
    principalOutstanding: sums.principal,
    interestOutstanding: sums.interest,
    feeOutstanding: sums.fee,
    penaltyOutstanding: sums.penalty,
    totalOutstanding: total,
    totalOverdue,
    nextInstallment,
  };
}
