import type { LocalDate } from '../dates';
import type { Decimal } from '../money';

/** One installment of a schedule, amounts as Decimals (the public result converts them to strings). */
export interface PeriodAmounts {
  period: number;
  fromDate: LocalDate;
  dueDate: LocalDate;
  principalDue: Decimal;
  interestDue: Decimal;
  feeChargesDue: Decimal;
  penaltyChargesDue: Decimal;
  principalLoanBalanceOutstanding: Decimal;
}

export interface EngineResult {
  periods: PeriodAmounts[];
  /** The equal installment (EMI) where the engine computes one. */
  installmentAmount: Decimal | null;
}
