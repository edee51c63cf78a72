import { Field, Int, ObjectType } from 'type-graphql';
import type { Decimal } from '../../domain/money';
import { DecimalScalar, LocalDateScalar } from '../scalars';

@ObjectType('LoanBalances', { description: 'What the borrower owes now, from the persisted installments.' })
export class LoanBalancesType {
  @Field(() => LocalDateScalar, { description: 'The business date the balances are as of.' })
  asOf!: string;

  @Field(() => DecimalScalar)
  principalOutstanding!: Decimal;

  @Field(() => DecimalScalar, { description: 'Scheduled interest not yet paid or waived (including future periods).' })
  interestOutstanding!: Decimal;

  @Field(() => DecimalScalar)
  feeOutstanding!: Decimal;

  @Field(() => DecimalScalar)
  penaltyOutstanding!: Decimal;

  @Field(() => DecimalScalar)
  totalOutstanding!: Decimal;

  @Field(() => DecimalScalar, { description: 'Due before the business date and unpaid.' })
  totalOverdue!: Decimal;

  @Field(() => DecimalScalar)
  creditBalance!: Decimal;

  @Field(() => Int, { nullable: true, description: 'The next installment not yet settled.' })
  nextInstallmentNumber?: number | null;

  @Field(() => LocalDateScalar, { nullable: true })
  nextInstallmentDueDate?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'Still owed on the next installment.' })
  nextInstallmentAmount?: Decimal | null;
}

@ObjectType('PayoffQuote', { description: 'What closes the loan on a date: principal, interest earned to that date, charges due. Future interest is not charged.' })
export class PayoffQuoteType {
  @Field(() => LocalDateScalar)
  date!: string;

  @Field(() => DecimalScalar)
  principal!: Decimal;

  @Field(() => DecimalScalar)
  interest!: Decimal;

  @Field(() => DecimalScalar)
  fees!: Decimal;

  @Field(() => DecimalScalar)
  penalties!: Decimal;

  @Field(() => DecimalScalar)
  total!: Decimal;
}

@ObjectType('GlAccount')
export class GlAccountType {
  @Field()
  code!: string;

  @Field()
  name!: string;

  @Field({ description: 'ASSET, LIABILITY, EQUITY, INCOME or EXPENSE.' })
  type!: string;
}

@ObjectType('TrialBalanceRow')
export class TrialBalanceRowType extends GlAccountType {
  @Field(() => DecimalScalar)
  debits!: Decimal;

  @Field(() => DecimalScalar)
  credits!: Decimal;

  @Field(() => DecimalScalar, { description: 'Debits minus credits.' })
  balance!: Decimal;
}

@ObjectType('TrialBalance', { description: 'Every GL account with its debits and credits; total debits always equal total credits.' })
export class TrialBalanceType {
  @Field(() => LocalDateScalar, { nullable: true })
  asOf?: string | null;

  @Field(() => [TrialBalanceRowType])
  rows!: TrialBalanceRowType[];

  @Field(() => DecimalScalar)
  totalDebits!: Decimal;

  @Field(() => DecimalScalar)
  totalCredits!: Decimal;
}

@ObjectType('GlStatementLine')
export class GlStatementLineType {
  @Field()
  id!: string;

  @Field(() => LocalDateScalar)
  businessDate!: string;

  @Field()
  loanId!: string;

  @Field()
  loanTransactionId!: string;

  @Field()
  transactionType!: string;

  @Field({ description: 'DEBIT or CREDIT.' })
  entryType!: string;

  @Field(() => DecimalScalar)
  amount!: Decimal;

  @Field(() => DecimalScalar)
  runningBalance!: Decimal;
}

@ObjectType('GlAccountStatement')
export class GlAccountStatementType {
  @Field(() => GlAccountType)
  account!: GlAccountType;

  @Field(() => LocalDateScalar)
  from!: string;

  @Field(() => LocalDateScalar)
  to!: string;

  @Field(() => DecimalScalar)
  openingBalance!: Decimal;

  @Field(() => DecimalScalar)
  closingBalance!: Decimal;

  @Field(() => [GlStatementLineType])
  lines!: GlStatementLineType[];
}
