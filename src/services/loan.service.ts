import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors';
import { validateLoanApplication } from '../domain/loan-application';
import { isTerminalStage, type LoanStage, type LoanStatus } from '../domain/loan-lifecycle';
import { Decimal } from '../domain/money';
import { isStaff } from '../domain/roles';
import { Customer, Loan, LoanEvent, LoanProduct } from '../entities';
import { recordLoanCreatedEvent, recordTransitionEvent } from '../events/loan-events';
import { loanWorkflowId, summaryLine, type RecordTransitionInput } from '../workflows/messages';
import { actingAs, assertOwnCustomerOrStaff, canAccessCustomer, forbidden } from './authorization';
import { requireTemporal, type ServiceContext } from './context';
import { productTerms, resolveLoanSettings } from './loan-product.service';
import { activateAccount, loanTermsFor } from './loan-account.service';
import { BUSINESS_DATE, BUSINESS_DATE_SQL, businessDateExpr, businessDateOf, currentBusinessDate } from './business-date.service';
import { compactOverrides, type LoanSettingOverrides } from '../domain/product-settings';
import { validateTerms } from '../domain/schedule';
import { requireLocalDate } from '../domain/dates';
import {
  balancesAsOf, balancesById, balancesSql, heldEntity, loanColumns, loanRead, loanRowWithParts, loanRowsOf, loanWithParts, type LoanBalanceSums, type LoanJsonColumns, type LoanRead, type LoanReadParts, type LoanRow,
} from './loan-read.service';
import { rawRowSets } from './sql';
import { decodeCursor, pageSize, type Page } from './pagination';
import { isUuid, optionalText, requireUuid } from './validation';

export interface ApplyForLoanInput {
  customerId: string;
  productId: string;
  principal: string;
  currencyCode: string;
  annualInterestRate: string;
  numberOfRepayments: number;
  purpose?: string | null;
  /** The first repayment date (a broken first period), after the business date. */
  repaymentsStartingFromDate?: string | null;
  /** Product settings this loan sets differently (only those the product allows). */
  overrides?: LoanSettingOverrides | null;
}

/**
 * Validates the application against its product, then in one transaction starts its workflow
 * `loan-<id>` and persists the loan (status SUBMITTED). Bad input writes nothing: no row, no workflow;
 * if the row fails to commit after the start, the workflow is terminated.
 */
export async function applyForLoan(ctx: ServiceContext, input: ApplyForLoanInput): Promise<Loan> {
  const temporal = requireTemporal(ctx);
  const customerId = requireUuid('customerId', input.customerId);
  assertOwnCustomerOrStaff(ctx, customerId);
  const actor = actingAs(ctx.actor, ['CUSTOMER', 'LOAN_OFFICER']);
  const productId = requireUuid('productId', input.productId);
  const [customer, product] = await Promise.all([
    ctx.em.findOne(Customer, { id: customerId }),
    ctx.em.findOne(LoanProduct, { id: productId }),
  ]);
  if (!customer) throw new ValidationError('customerId', 'no customer with this id');
  if (!product) throw new ValidationError('productId', 'no loan product with this id');
  validateLoanApplication(productTerms(product), input);
  const purpose = optionalText('purpose', input.purpose, 500);
  const overrides = compactOverrides(input.overrides);
  const scheduleSettings = await resolveLoanSettings(ctx, product, overrides);
  const repaymentsStartingFromDate = await checkFirstRepaymentDate(ctx, input.repaymentsStartingFromDate);
  // The whole schedule must work out (e.g. grace shorter than the term), drawn as if disbursed today.
  validateTerms(loanTermsFor(scheduleSettings, { ...input, repaymentsStartingFromDate }, await currentBusinessDate(ctx.em)));

  const loanId = randomUUID();
  let started = false;
  try {
    const loan = await ctx.em.transactional(async (em) => {
      const loan = em.create(Loan, {
        id: loanId,
        customer: customer.id,
        product: product.id,
        principal: new Decimal(input.principal),
        currencyCode: input.currencyCode,
        annualInterestRate: new Decimal(input.annualInterestRate),
        numberOfRepayments: input.numberOfRepayments,
        repaymentEvery: scheduleSettings.repaymentEvery,
        repaymentFrequencyType: scheduleSettings.repaymentFrequencyType,
        purpose,
        repaymentsStartingFromDate,
        settingOverrides: overrides,
        scheduleSettings,
        workflowId: loanWorkflowId(loanId),
      });
      em.create(LoanEvent, {
        loan: loanId,
        requestId: `apply-${loanId}`,
        action: 'SUBMITTED',
        toStage: loan.stage,
        toStatus: loan.status,
        actor: actor.id,
        actorRole: actor.role,
      });
      const summary = {
        principal: loan.principal.toFixed(product.digitsAfterDecimal),
        currencyCode: loan.currencyCode,
        numberOfRepayments: loan.numberOfRepayments,
        productName: product.name,
      };
      loan.workflowRunId = await temporal.startLoanWorkflow(
        {
          loanId,
          customerId: customer.id,
          productId: product.id,
          applicantId: actor.id,
          summary,
          product: productTerms(product),
          timers: {
            offerTtlMs: ctx.config.origination.offerExpirySeconds * 1000,
            agreementTtlMs: ctx.config.origination.agreementExpirySeconds * 1000,
          },
        },
        summaryLine(summary, loan),
      );
      started = true;
      await recordLoanCreatedEvent(em, loan, actor);
      // One INSERT with the run id already set (an UPDATE afterwards would bump the version).
      await em.flush();
      return loan;
    });
    return loan;
  } catch (err) {
    // The row did not commit: don't leave a workflow behind for a loan that does not exist.
    if (started) await temporal.terminateLoanWorkflow(loanId, 'loan row was not committed');
    throw err;
  }
}

/** A first repayment date must be a date after the business date (null: a regular first period). */
export async function checkFirstRepaymentDate(ctx: ServiceContext, value: string | null | undefined, field = 'repaymentsStartingFromDate'): Promise<string | null> {
  if (value == null) return null;
  const date = requireLocalDate(field, value);
  const businessDate = await currentBusinessDate(ctx.em);
  if (date <= businessDate) throw new ValidationError(field, `must be after the business date ${businessDate}`);
  return date;
}

/** The loan `read` finds by id (lower-cased), after the id's format check; NOT_FOUND or FORBIDDEN otherwise. */
async function accessibleLoan<T extends { customer: { id: string } }>(ctx: ServiceContext, id: string, field: string, read: (id: string) => Promise<T | null>): Promise<T> {
  if (!isUuid(id)) throw new ValidationError(field, 'must be a UUID');
  const loan = await read(id.toLowerCase());
  if (!loan) throw new NotFoundError('Loan', id, field);
  if (!canAccessCustomer(ctx.actor, loan.customer.id)) throw forbidden();
  return loan;
}

export async function getLoan(ctx: ServiceContext, id: string, field = 'id', populate: ('customer' | 'product')[] = []): Promise<Loan> {
  // populate: the loan's customer and product in the same statement (joined), for a read that shows them.
  // Loaded already (a mutation's own EntityManager): that entity, with any change not yet flushed.
  return accessibleLoan(ctx, id, field, async (lower) => (heldEntity(ctx.em, Loan, lower)
    ? ctx.em.findOne(Loan, { id: lower }, { populate })
    : loanWithParts(ctx.em, lower, { customer: populate.includes('customer'), product: populate.includes('product') })));
}

/**
 * As getLoan, for a loan that is only read (the `loan(id)` query, a servicing request's checks): the
 * loan as a plain row (field resolvers take either), its customer and product (when asked for) held by
 * the EntityManager.
 */
export async function readLoan(ctx: ServiceContext, id: string, populate: ('customer' | 'product')[], json: LoanJsonColumns, field = 'id'): Promise<LoanRow> {
  return accessibleLoan(ctx, id, field, (lower) => loanRowWithParts(ctx.em, lower, { customer: populate.includes('customer'), product: populate.includes('product'), json }));
}

/** As readLoan, with the rows the query's other fields read in the same round trip (loanRead). */
export async function readLoanWithRows(ctx: ServiceContext, id: string, parts: LoanReadParts): Promise<LoanRead> {
  let read: LoanRead | null = null;
  await accessibleLoan(ctx, id, 'id', async (lower) => (read = await loanRead(ctx.em, lower, parts))?.loan ?? null);
  return read!;
}

export interface LoanFilter {
  customerId?: string | null;
  productId?: string | null;
  status?: LoanStatus | null;
  stage?: LoanStage | null;
}

/**
 * A page of loans, with the business date when it was asked for (listLoans' withBusinessDate) and the
 * page's balances by loan id (withBalances; a loan missing from it was not covered: read it apart).
 */
export type LoanPage = Page<LoanRow> & { businessDate?: string; balances?: Map<string, LoanBalanceSums | undefined> };

/** Newest first, keyset-paginated; reads the PostgreSQL projection, never workflow queries. */
export async function listLoans(
  ctx: ServiceContext,
  filter: LoanFilter = {},
  first?: number | null,
  after?: string | null,
  /** false when the caller does not need totalCount (it is then 0): one statement less. */
  withTotalCount = true,
  /** The JSON columns the caller's fields read (the others are left out of the rows). */
  json: LoanJsonColumns = { origination: true, scheduleSettings: true },
  /** true: the business date too (for payoff quotes and balances), in the same round trip; with withBalances, the one they are as of. */
  withBusinessDate = false,
  /** true: the page's balances too (as of the business date), in the same round trip. */
  withBalances = false,
): Promise<LoanPage> {
  const limit = pageSize(first);
  // Plain rows through `pg` (README, read path): no QueryBuilder, no entity per loan.
  const conds: string[] = [];
  const params: unknown[] = [];
  const equals = (column: string, value: unknown) => {
    params.push(value);
    conds.push(`${column} = $${params.length}`);
  };
  let customerId = filter.customerId ? requireUuid('filter.customerId', filter.customerId) : null;
  // A customer's list is always their own, whatever the filter says.
  if (!isStaff(ctx.actor.roles) && !ctx.actor.roles.includes('SYSTEM')) {
    if (!ctx.actor.customerId) throw forbidden();
    if (filter.customerId && filter.customerId !== ctx.actor.customerId) throw forbidden();
    customerId = ctx.actor.customerId;
  }
  if (customerId) equals('customer_id', customerId);
  if (filter.productId) equals('product_id', requireUuid('filter.productId', filter.productId));
  if (filter.status) equals('status', filter.status);
  if (filter.stage) equals('stage', filter.stage);
  const whereOf = () => (conds.length ? ` where ${conds.join(' and ')}` : '');
  // The count, the page and the business date in ONE round trip (rawRowSets; each costs the API a
  // socket write otherwise, README, read path).
  const statements: { text: string; values: unknown[] }[] = [];
  if (withTotalCount) statements.push({ text: `select count(*)::int as n from loan${whereOf()}`, values: [...params] });
  if (after) {
    const c = decodeCursor(after);
    params.push(c.createdAt.toISOString(), c.id);
    conds.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(limit + 1);
  const pageOrder = `from loan${whereOf()} order by created_at desc, id desc limit $${params.length}`;
  statements.push({ text: `select ${loanColumns(ctx.em, 'loan', json)} ${pageOrder}`, values: params });
  // The balances of the same page (its ids selected again: one statement cannot use another's rows),
  // so a page with balances is one round trip, not two. The statement reports which loans it covered:
  // should a loan be created between the two statements, the one pushed off is read apart. It also
  // returns the business date it used, so the page's date is the one its balances are as of.
  if (withBalances) {
    statements.push({ text: balancesSql(`array(select id ${pageOrder})`, businessDateExpr(`$${params.length + 1}`)), values: [...params, BUSINESS_DATE] });
  } else if (withBusinessDate) {
    statements.push({ text: BUSINESS_DATE_SQL, values: [BUSINESS_DATE] });
  }
  const sets = await rawRowSets(ctx.em, statements);
  const totalCount = withTotalCount ? Number(sets.shift()![0].n) : 0;
  const loans = loanRowsOf(ctx.em, sets.shift()!);
  const page: LoanPage = { items: loans.slice(0, limit), hasNextPage: loans.length > limit, totalCount };
  if (withBalances) {
    const rows = sets.shift()!;
    page.businessDate = balancesAsOf(rows);
    page.balances = balancesById(rows);
  } else if (withBusinessDate) {
    page.businessDate = businessDateOf(sets.shift()!);
  }
  return page;
}

export async function loanTimeline(ctx: ServiceContext, loanId: string): Promise<LoanEvent[]> {
  return ctx.em.find(LoanEvent, { loan: loanId }, { orderBy: { occurredAt: 'asc', id: 'asc' } });
}

/**
 * Persists a transition the loan workflow decided (called by its activity). Idempotent on requestId,
 * so an activity retry after a lost acknowledgement changes nothing.
 */
export async function recordTransition(ctx: ServiceContext, input: RecordTransitionInput): Promise<number> {
  return ctx.em.transactional(async (em) => {
    const loan = await em.findOne(Loan, { id: input.loanId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!loan) throw new NotFoundError('Loan', input.loanId);
    if (await em.count(LoanEvent, { loan: loan.id, requestId: input.requestId })) return loan.version;
    if (loan.stage !== input.fromStage || loan.status !== input.fromStatus) {
      throw new ConflictError(
        `Loan ${loan.id} is ${loan.stage}/${loan.status} in the database but the workflow moved it from ${input.fromStage}/${input.fromStatus}`,
      );
    }
    loan.stage = input.toStage;
    loan.status = input.toStatus;
    if (input.origination) loan.origination = input.origination;
    // An offer is made under the product's settings as they are now; the loan keeps them from here on.
    if (input.action === 'OFFER_SENT' || input.action === 'OFFER_COUNTERED') {
      loan.scheduleSettings = await resolveLoanSettings({ em }, await em.findOneOrFail(LoanProduct, loan.product.id), loan.settingOverrides);
    }
    if (isTerminalStage(input.toStage)) loan.closedAt = new Date();
    if (input.activate) await activateAccount(em, loan);
    em.create(LoanEvent, {
      loan: loan.id,
      requestId: input.requestId,
      action: input.action,
      fromStage: input.fromStage,
      toStage: input.toStage,
      fromStatus: input.fromStatus,
      toStatus: input.toStatus,
      actor: input.actor.id,
      actorRole: input.actor.role,
      reason: input.reason ?? null,
      data: input.data ?? null,
    });
    await recordTransitionEvent(em, loan, input);
    await em.flush();
    return loan.version;
  });
}
