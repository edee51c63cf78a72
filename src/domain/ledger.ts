/**
 * Double-entry posting rules for loan transactions, as Apache Fineract's cash and periodic-accrual
 * accounting: which GL roles are debited and credited by how much. Pure; every entry balances
 * (checked here, and again by the database trigger where the lines are written).
 */
import { DomainError } from './errors';
import { Decimal } from './money';

export const GL_ACCOUNT_TYPES = ['ASSET', 'LIABILITY', 'EQUITY', 'INCOME', 'EXPENSE'] as const;
export type GlAccountType = (typeof GL_ACCOUNT_TYPES)[number];

export const ACCOUNTING_RULES = ['CASH', 'ACCRUAL_PERIODIC'] as const;
export type AccountingRule = (typeof ACCOUNTING_RULES)[number];

export const GL_ROLES = [
  'FUND_SOURCE', 'LOAN_PORTFOLIO', 'INTEREST_RECEIVABLE', 'FEES_RECEIVABLE', 'PENALTIES_RECEIVABLE',
  'OVERPAYMENT_LIABILITY', 'INCOME_FROM_INTEREST', 'INCOME_FROM_FEES', 'INCOME_FROM_PENALTIES',
  'INCOME_FROM_RECOVERY', 'LOSSES_WRITTEN_OFF',
] as const;
export type GlRole = (typeof GL_ROLES)[number];

/** The chart of accounts the platform ships with (seeded by migration); a product may map roles elsewhere. */
export const DEFAULT_GL_MAPPING: Record<GlRole, string> = {
  FUND_SOURCE: '1000',
  LOAN_PORTFOLIO: '1100',
  INTEREST_RECEIVABLE: '1200',
  FEES_RECEIVABLE: '1210',
  PENALTIES_RECEIVABLE: '1220',
  OVERPAYMENT_LIABILITY: '2100',
  INCOME_FROM_INTEREST: '4000',
  INCOME_FROM_FEES: '4100',
  INCOME_FROM_PENALTIES: '4200',
  INCOME_FROM_RECOVERY: '4300',
  LOSSES_WRITTEN_OFF: '5000',
};

export const LOAN_TRANSACTION_TYPES = [
  'DISBURSEMENT', 'REPAYMENT', 'ACCRUAL', 'PENALTY', 'WAIVE_INTEREST', 'WAIVE_PENALTY', 'WRITE_OFF', 'RECOVERY', 'CREDIT_BALANCE_REFUND',
  /** Undoes a repayment; its lines are the repayment's reversed plus the replay's adjustments. */
  'REVERSAL',
  /** Charges due at disbursement, paid as the money goes out (Fineract's REPAYMENT_AT_DISBURSEMENT). */
  'REPAYMENT_AT_DISBURSEMENT',
  /** A charge added to an active loan (addLoanCharge): receivable under accrual, nothing under cash. */
  'CHARGE',
  /** A loan charge forgiven (waiveLoanCharge component CHARGE): the receivable reversed under accrual. */
  'WAIVE_CHARGE',
] as const;
export type LoanTransactionType = (typeof LOAN_TRANSACTION_TYPES)[number];

export interface Portions {
  principal: Decimal;
  interest: Decimal;
  fee: Decimal;
  penalty: Decimal;
  overpayment: Decimal;
  /**
   * Of `fee`, the part that settles fees receivable (fees booked by addLoanCharge under accrual); the
   * rest is income when paid. Absent: none.
   */
  feeReceivable?: Decimal;
}

export interface JournalLine {
  role: GlRole;
  entryType: 'DEBIT' | 'CREDIT';
  amount: Decimal;
}

export function zeroPortions(): Portions {
  return { principal: new Decimal(0), interest: new Decimal(0), fee: new Decimal(0), penalty: new Decimal(0), overpayment: new Decimal(0) };
}

export function portionsTotal(p: Portions): Decimal {
  return p.principal.plus(p.interest).plus(p.fee).plus(p.penalty).plus(p.overpayment);
}

/**
 * The journal lines of one loan transaction. `amount` is the transaction amount; `portions` says what
 * it settled (repayment, write-off) or what it charged (accrual: interest, penalty: penalty).
 */
export function journalLines(type: LoanTransactionType, rule: AccountingRule, amount: Decimal, portions: Portions): JournalLine[] {
  const accrual = rule === 'ACCRUAL_PERIODIC';
  const lines: JournalLine[] = [];
  const debit = (role: GlRole, x: Decimal) => x.gt(0) && lines.push({ role, entryType: 'DEBIT', amount: x });
  const credit = (role: GlRole, x: Decimal) => x.gt(0) && lines.push({ role, entryType: 'CREDIT', amount: x });
  switch (type) {
    case 'DISBURSEMENT':
      debit('LOAN_PORTFOLIO', amount);
      credit('FUND_SOURCE', amount);
      break;
    case 'REPAYMENT':
      debit('FUND_SOURCE', amount);
      credit('LOAN_PORTFOLIO', portions.principal);
      // Under accrual the income was booked when earned: the payment settles the receivable.
      credit(accrual ? 'INTEREST_RECEIVABLE' : 'INCOME_FROM_INTEREST', portions.interest);
      // Under accrual fees booked receivable (by close of business on the due date, or when added) are
      // settled first (portions.feeReceivable); a fee paid before it was booked is income when paid.
      credit('FEES_RECEIVABLE', accrual ? (portions.feeReceivable ?? new Decimal(0)) : new Decimal(0));
      credit('INCOME_FROM_FEES', accrual ? portions.fee.minus(portions.feeReceivable ?? 0) : portions.fee);
      credit(accrual ? 'PENALTIES_RECEIVABLE' : 'INCOME_FROM_PENALTIES', portions.penalty);
      credit('OVERPAYMENT_LIABILITY', portions.overpayment);
      break;
    case 'ACCRUAL':
      debit('INTEREST_RECEIVABLE', portions.interest);
      credit('INCOME_FROM_INTEREST', portions.interest);
      debit('FEES_RECEIVABLE', portions.fee);
      credit('INCOME_FROM_FEES', portions.fee);
      break;
    case 'PENALTY':
      // Cash accounting books penalty income only when it is paid.
      if (accrual) {
        debit('PENALTIES_RECEIVABLE', portions.penalty);
        credit('INCOME_FROM_PENALTIES', portions.penalty);
      }
      break;
    case 'WAIVE_INTEREST':
      // Waiving accrued interest reverses the accrual (portions.interest = the accrued part); under cash nothing was booked.
      if (accrual) {
        debit('INCOME_FROM_INTEREST', portions.interest);
        credit('INTEREST_RECEIVABLE', portions.interest);
      }
      break;
    case 'WAIVE_PENALTY':
      if (accrual) {
        debit('INCOME_FROM_PENALTIES', portions.penalty);
        credit('PENALTIES_RECEIVABLE', portions.penalty);
      }
      break;
    case 'WRITE_OFF':
      debit('LOSSES_WRITTEN_OFF', accrual ? amount : portions.principal);
      credit('LOAN_PORTFOLIO', portions.principal);
      if (accrual) {
        credit('INTEREST_RECEIVABLE', portions.interest);
        credit('FEES_RECEIVABLE', portions.fee);
        credit('PENALTIES_RECEIVABLE', portions.penalty);
      }
      break;
    case 'RECOVERY':
      debit('FUND_SOURCE', amount);
      credit('INCOME_FROM_RECOVERY', amount);
      break;
    case 'CREDIT_BALANCE_REFUND':
      debit('OVERPAYMENT_LIABILITY', amount);
      credit('FUND_SOURCE', amount);
      break;
    case 'REVERSAL':
      // Built from the reversed transaction's own lines (see reversalLines).
      break;
    case 'CHARGE':
      // Under accrual an added charge is earned when charged (as a penalty by close of business); cash books it when paid.
      if (accrual) {
        debit('FEES_RECEIVABLE', portions.fee);
        credit('INCOME_FROM_FEES', portions.fee);
        debit('PENALTIES_RECEIVABLE', portions.penalty);
        credit('INCOME_FROM_PENALTIES', portions.penalty);
      }
      break;
    case 'WAIVE_CHARGE':
      // portions: what was booked receivable and is forgiven.
      if (accrual) {
        debit('INCOME_FROM_FEES', portions.fee);
        credit('FEES_RECEIVABLE', portions.fee);
        debit('INCOME_FROM_PENALTIES', portions.penalty);
        credit('PENALTIES_RECEIVABLE', portions.penalty);
      }
      break;
    case 'REPAYMENT_AT_DISBURSEMENT':
      // Earned and collected at the same moment: income under either rule, nothing left receivable.
      debit('FUND_SOURCE', amount);
      credit('INCOME_FROM_FEES', portions.fee);
      credit('INCOME_FROM_PENALTIES', portions.penalty);
      break;
  }
  assertBalanced(lines);
  return lines;
}

/** Debits equal credits, or the entry is refused. */
export function assertBalanced(lines: JournalLine[]): void {
  const net = lines.reduce((acc, l) => (l.entryType === 'DEBIT' ? acc.plus(l.amount) : acc.minus(l.amount)), new Decimal(0));
  if (!net.isZero()) throw new DomainError('CONFLICT', `unbalanced journal entry: debits and credits differ by ${net.toFixed()}`);
}

/** The lines that undo an entry: the same amounts on the opposite sides. */
export function reversalLines(lines: JournalLine[]): JournalLine[] {
  return lines.map((l) => ({ ...l, entryType: l.entryType === 'DEBIT' ? 'CREDIT' : 'DEBIT' }));
}

export function glCode(mapping: Partial<Record<GlRole, string>> | null | undefined, role: GlRole): string {
  return mapping?.[role] ?? DEFAULT_GL_MAPPING[role];
}
