/**
 * Payment allocation over installments with Apache Fineract's transaction processing strategies.
 * Installments are settled oldest first; within one, the strategy fixes the order of components.
 */
import { compareDates, type LocalDate } from './dates';
import { ValidationError } from './errors';
import { cloneInstallments, outstanding, type Component, type Installment } from './installments';
import { Decimal, parseDecimal } from './money';

export const ALLOCATION_STRATEGIES = [
  /** Fineract "mifos-standard-strategy": penalties, fees, interest, principal. */
  'PENALTIES_FEES_INTEREST_PRINCIPAL',
  /** Fineract "principal-interest-penalties-fees-order-strategy". */
  'PRINCIPAL_INTEREST_PENALTIES_FEES',
  /** Fineract "interest-principal-penalties-fees-order-strategy". */
  'INTEREST_PRINCIPAL_PENALTIES_FEES',
  /**
   * Fineract "due-penalty-fee-interest-principal-in-advance-principal-penalty-fee-interest-strategy":
   * installments already due take penalties, fees, interest, principal; future ones (paid in advance)
   * take principal first, then penalties, fees, interest.
   */
  'DUE_PENALTY_FEE_INTEREST_PRINCIPAL_IN_ADVANCE_PRINCIPAL_PENALTY_FEE_INTEREST',
] as const;
export type AllocationStrategy = (typeof ALLOCATION_STRATEGIES)[number];

const ORDERS: Record<string, Component[]> = {
  PENALTIES_FEES_INTEREST_PRINCIPAL: ['penalty', 'fee', 'interest', 'principal'],
  PRINCIPAL_INTEREST_PENALTIES_FEES: ['principal', 'interest', 'penalty', 'fee'],
  INTEREST_PRINCIPAL_PENALTIES_FEES: ['interest', 'principal', 'penalty', 'fee'],
  DUE: ['penalty', 'fee', 'interest', 'principal'],
  IN_ADVANCE: ['principal', 'penalty', 'fee', 'interest'],
};

export interface AllocationPortion {
  period: number;
  component: Component;
  amount: Decimal;
}

export interface AllocationResult {
  installments: Installment[];
  portions: AllocationPortion[];
  /** Totals by component of what this payment settled. */
  principalPortion: Decimal;
  interestPortion: Decimal;
  feePortion: Decimal;
  penaltyPortion: Decimal;
  /** Money left after every installment is settled: becomes the loan's credit balance. */
  overpayment: Decimal;
}

function orderFor(strategy: AllocationStrategy, inst: Installment, date: LocalDate): Component[] {
  if (strategy === 'DUE_PENALTY_FEE_INTEREST_PRINCIPAL_IN_ADVANCE_PRINCIPAL_PENALTY_FEE_INTEREST') {
    return compareDates(inst.dueDate, date) <= 0 ? ORDERS.DUE : ORDERS.IN_ADVANCE;
  }
  return ORDERS[strategy];
}

/** Allocates `amount` received on `transactionDate`; returns new installments (the input is not changed). */
export function allocatePayment(
  installments: Installment[],
  amountInput: string | Decimal,
  transactionDate: LocalDate,
  strategy: AllocationStrategy = 'PENALTIES_FEES_INTEREST_PRINCIPAL',
): AllocationResult {
  const amount = typeof amountInput === 'string' ? parseDecimal(amountInput) : amountInput;
  if (!amount || amount.lte(0)) throw new ValidationError('amount', 'must be a positive decimal');
  if (!(ALLOCATION_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new ValidationError('strategy', `must be one of ${ALLOCATION_STRATEGIES.join(', ')}`);
  }
  const result = cloneInstallments(installments).sort((a, b) => a.period - b.period);
  const portions: AllocationPortion[] = [];
  let left = new Decimal(amount);
  for (const inst of result) {
    for (const component of orderFor(strategy, inst, transactionDate)) {
      if (left.lte(0)) break;
      const open = outstanding(inst, component);
      if (open.lte(0)) continue;
      const pay = Decimal.min(open, left);
      inst.paid[component] = inst.paid[component].plus(pay);
      left = left.minus(pay);
      portions.push({ period: inst.period, component, amount: pay });
    }
  }
  const total = (c: Component) => portions.filter((p) => p.component === c).reduce((acc, p) => acc.plus(p.amount), new Decimal(0));
  return {
    installments: result,
    portions,
    principalPortion: total('principal'),
    interestPortion: total('interest'),
    feePortion: total('fee'),
    penaltyPortion: total('penalty'),
    overpayment: left,
  };
}
