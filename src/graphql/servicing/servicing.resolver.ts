import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { createGlAccount, glAccountStatement, listGlAccounts, trialBalance } from '../../services/ledger.service';
import { payoffQuoteOf, requirePayoffQuotable, type LoanRoot } from '../../services/loan-read.service';
import { performServicing } from '../../services/loan-servicing.service';
import { configureProductServicing } from '../../services/product-servicing.service';
import type { GraphQLContext } from '../context';
import { LoanType } from '../loans/loan.type';
import { TransactionType } from '../origination/origination.type';
import { LoanProductType } from '../products/loan-product.type';
import { DecimalScalar, LocalDateScalar } from '../scalars';
import { WaiveComponentEnum, type WaiveComponent } from '../common/enums';
import { GlAccountInput, ProductServicingInput } from './servicing.inputs';
import { GlAccountStatementType, GlAccountType, LoanBalancesType, PayoffQuoteType, TrialBalanceType } from './servicing.type';

const STAFF = ['LOAN_OFFICER', 'MANAGER', 'SYSTEM'];
const idem = { description: 'Idempotency key: retrying with the same key returns the first result and changes nothing.' };
const PAYMENT_TYPE = 'Code of an active payment type (see paymentTypes), e.g. CASH or BANK_TRANSFER; BAD_USER_INPUT otherwise.';

/** Repayment stage: every money movement is the loan workflow's `servicing` Update, with a balanced journal entry. */
@Resolver(() => LoanType)
export class ServicingResolver {
  @Authorized(...STAFF)
  @Mutation(() => TransactionType, { description: 'Records a repayment, allocated over the installments by the product strategy; an overpayment becomes credit balance. Closes the loan when it is fully repaid.' })
  recordRepayment(
    @Arg('loanId', () => ID) loanId: string,
    @Arg('amount', () => DecimalScalar) amount: string,
    @Arg('idempotencyKey', idem) idempotencyKey: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('transactionDate', () => LocalDateScalar, { nullable: true, description: 'Default: the business date.' }) transactionDate?: string | null,
    @Arg('paymentType', () => String, { nullable: true, description: PAYMENT_TYPE }) paymentType?: string | null,
  ) {
    return performServicing(ctx, loanId, 'REPAYMENT', { amount, transactionDate, paymentType }, idempotencyKey);
  }

  @Authorized(...STAFF)
  @Mutation(() => TransactionType, { description: 'Foreclosure: pays the payoff quote of the business date (see Loan.payoffQuote); interest not yet earned is waived and the loan closes.' })
  payOffLoan(
    @Arg('loanId', () => ID) loanId: string,
    @Arg('idempotencyKey', idem) idempotencyKey: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('amount', () => DecimalScalar, { nullable: true, description: 'If given, must equal the quote.' }) amount?: string | null,
    @Arg('paymentType', () => String, { nullable: true, description: PAYMENT_TYPE }) paymentType?: string | null,
  ) {
    return performServicing(ctx, loanId, 'PAYOFF', { amount, paymentType }, idempotencyKey);
  }

  @Authorized('LOAN_OFFICER', 'MANAGER')
  @Mutation(() => TransactionType, { description: 'Pays out (part of) the credit balance; a fully repaid loan closes once nothing is left.' })
  refundCreditBalance(
    @Arg('loanId', () => ID) loanId: string,
    @Arg('amount', () => DecimalScalar) amount: string,
    @Arg('idempotencyKey', idem) idempotencyKey: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    return performServicing(ctx, loanId, 'CREDIT_BALANCE_REFUND', { amount }, idempotencyKey);
  }

  @Authorized('MANAGER')
  @Mutation(() => TransactionType, { description: 'Writes the outstanding off as a loss; the loan closes as WRITTEN_OFF.' })
  writeOffLoan(@Arg('loanId', () => ID) loanId: string, @Arg('reason') reason: string, @Arg('idempotencyKey', idem) idempotencyKey: string, @Ctx() ctx: GraphQLContext) {
    return performServicing(ctx, loanId, 'WRITE_OFF', { reason }, idempotencyKey);
  }

  @Authorized(...STAFF)
  @Mutation(() => TransactionType, { description: 'Money recovered on a written-off loan (income from recovery).' })
  recordRecoveryPayment(
    @Arg('loanId', () => ID) loanId: string,
    @Arg('amount', () => DecimalScalar) amount: string,
    @Arg('idempotencyKey', idem) idempotencyKey: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('paymentType', () => String, { nullable: true, description: PAYMENT_TYPE }) paymentType?: string | null,
  ) {
    return performServicing(ctx, loanId, 'RECOVERY', { amount, paymentType }, idempotencyKey);
  }

  @Authorized('MANAGER')
  @Mutation(() => TransactionType, { description: 'Reverses a repayment and replays every later one; the ledger gets the matching corrections. Returns the REVERSAL transaction.' })
  reverseLoanTransaction(
    @Arg('loanId', () => ID) loanId: string,
    @Arg('transactionId', () => ID) transactionId: string,
    @Arg('idempotencyKey', idem) idempotencyKey: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('reason', () => String, { nullable: true }) reason?: string | null,
  ) {
    return performServicing(ctx, loanId, 'REVERSAL', { transactionId, reason }, idempotencyKey);
  }

  @Authorized('MANAGER')
  @Mutation(() => TransactionType, { description: 'Waives outstanding INTEREST or PENALTY (oldest installment first, or one installment), or one loan charge (component CHARGE with loanChargeId: what is still outstanding of it, for an installment fee on every installment or on installmentNumber; a disbursement charge was paid and cannot be); under accrual accounting the income already booked is reversed. Returns the WAIVE_INTEREST / WAIVE_PENALTY / WAIVE_CHARGE transaction.' })
  waiveLoanCharge(
    @Arg('loanId', () => ID) loanId: string,
    @Arg('component', () => WaiveComponentEnum) component: WaiveComponent,
    @Arg('reason') reason: string,
    @Arg('idempotencyKey', idem) idempotencyKey: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('amount', () => DecimalScalar, { nullable: true, description: 'INTEREST / PENALTY only. Default: all that is outstanding.' }) amount?: string | null,
    @Arg('installmentNumber', () => Int, { nullable: true, description: 'INTEREST / PENALTY: that installment only. CHARGE: an installment fee on that installment only.' }) installmentNumber?: number | null,
    @Arg('loanChargeId', () => ID, { nullable: true, description: 'CHARGE only: the loan charge (Loan.charges) to waive.' }) loanChargeId?: string | null,
  ) {
    return performServicing(ctx, loanId, 'WAIVE', { component, reason, amount, installmentNumber, loanChargeId }, idempotencyKey);
  }

  @Authorized('LOAN_OFFICER', 'MANAGER')
  @Mutation(() => TransactionType, { description: 'Adds a SPECIFIED_DUE_DATE fee or penalty charge to an active loan: it joins the installment whose period holds the due date (under accrual accounting booked receivable); or an INSTALLMENT_FEE fee, on every installment due after the business date (under accrual accrued by close of business on each due date). Returns the CHARGE transaction; the charge is in Loan.charges.' })
  addLoanCharge(
    @Arg('loanId', () => ID) loanId: string,
    @Arg('chargeId', () => ID) chargeId: string,
    @Arg('idempotencyKey', idem) idempotencyKey: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('amount', () => DecimalScalar, { nullable: true, description: "Default: the charge's amount (FLAT; per installment for an installment fee) or percent." }) amount?: string | null,
    @Arg('dueDate', () => LocalDateScalar, { nullable: true, description: 'SPECIFIED_DUE_DATE only. Default: the business date.' }) dueDate?: string | null,
  ) {
    return performServicing(ctx, loanId, 'ADD_CHARGE', { chargeId, amount, dueDate }, idempotencyKey);
  }

  @FieldResolver(() => LoanBalancesType, { nullable: true, description: 'Outstanding amounts now (null before activation).' })
  async balances(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext) {
    // Summed in SQL for every loan of the request (loanBalances' rule), not from the installment rows.
    const [b, asOf] = await Promise.all([ctx.loaders.balances.load(loan.id), ctx.loaders.businessDate()]);
    if (!b) return null;
    return { asOf, ...b, creditBalance: loan.creditBalance };
  }

  @FieldResolver(() => PayoffQuoteType, {
    nullable: true,
    description: 'What pays the loan off on a date (default: the business date). Active loans only: for any other, null with an INVALID_STAGE error, so that one such loan on a page of loans leaves the rest of the answer intact.',
  })
  async payoffQuote(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext, @Arg('date', () => LocalDateScalar, { nullable: true }) date?: string | null) {
    // The loan was read (and its access checked) by the query that returned it.
    requirePayoffQuotable(loan);
    const [product, rows, businessDate] = await Promise.all([
      ctx.loaders.loanProduct.load(loan.product.id), ctx.loaders.installments.load(loan.id), date ? Promise.resolve('') : ctx.loaders.businessDate(),
    ]);
    if (!product) throw new Error(`Loan ${loan.id} has no product ${loan.product.id}`);
    return payoffQuoteOf(loan, product, rows, businessDate, date);
  }

  @Authorized('ADMIN', 'MANAGER', 'RISK_MANAGER', 'LOAN_OFFICER')
  @Query(() => TrialBalanceType, { description: 'Trial balance up to a business date (default: everything).' })
  trialBalance(@Ctx() ctx: GraphQLContext, @Arg('asOf', () => LocalDateScalar, { nullable: true }) asOf?: string | null) {
    return trialBalance(ctx, asOf);
  }

  @Authorized('ADMIN', 'MANAGER', 'RISK_MANAGER', 'LOAN_OFFICER')
  @Query(() => [GlAccountType], { description: 'The chart of accounts.' })
  glAccounts(@Ctx() ctx: GraphQLContext) {
    return listGlAccounts(ctx);
  }

  @Authorized('ADMIN')
  @Mutation(() => GlAccountType, { description: 'Adds an account to the chart of accounts (map it to a product with configureProductServicing).' })
  createGlAccount(@Arg('input', () => GlAccountInput) input: GlAccountInput, @Ctx() ctx: GraphQLContext) {
    return createGlAccount(ctx, input);
  }

  @Authorized('ADMIN', 'MANAGER', 'RISK_MANAGER', 'LOAN_OFFICER')
  @Query(() => GlAccountStatementType, { description: "A GL account's journal lines between two business dates with running balance." })
  glAccountStatement(
    @Arg('code') code: string,
    @Arg('from', () => LocalDateScalar) from: string,
    @Arg('to', () => LocalDateScalar) to: string,
    @Ctx() ctx: GraphQLContext,
    @Arg('limit', () => Int, { nullable: true }) limit?: number | null,
  ) {
    return glAccountStatement(ctx, code, from, to, limit ?? 500);
  }

  @Authorized('ADMIN')
  @Mutation(() => LoanProductType, { description: "Sets a product's accounting rule (CASH or ACCRUAL_PERIODIC), allocation strategy, overdue penalty and GL mapping." })
  configureProductServicing(@Arg('productId', () => ID) productId: string, @Arg('input', () => ProductServicingInput) input: ProductServicingInput, @Ctx() ctx: GraphQLContext) {
    return configureProductServicing(ctx, productId, input);
  }
}
