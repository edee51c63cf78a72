import { randomUUID } from 'node:crypto';
import { InvalidStageError, ValidationError } from '../domain/errors';
import { requireLocalDate } from '../domain/dates';
import { APPROVAL_LEVEL_ROLE, LOAN_ACTIONS, type ActionPayloads, type ApprovalLevel, type LoanActionName } from '../domain/origination';
import { Loan, LoanEvent, LoanProduct, User } from '../entities';
import { parseDecimal } from '../domain/money';
import { validateTerms } from '../domain/schedule';
import { firstRepaymentDate, loanTermsFor } from './loan-account.service';
import { resolveLoanSettings } from './loan-product.service';
import { currentBusinessDate } from './business-date.service';
import { keyReusedError, requestFingerprint } from './idempotency';
import { WorkflowClosedError } from '../temporal-client';
import { actingAs } from './authorization';
import { requireTemporal, type ServiceContext } from './context';
import { checkFirstRepaymentDate, getLoan } from './loan.service';
import { optionalText, requireUuid } from './validation';

/**
 * Sends a person's action to the loan's workflow as the Update of that name and returns the loan as
 * persisted afterwards. Authorization first (role here and in the validator, ownership via getLoan),
 * then the workflow's validator decides stage and input; a rejected action changes nothing.
 */
export async function performLoanAction<A extends LoanActionName>(
  ctx: ServiceContext,
  loanId: string,
  action: A,
  payload: ActionPayloads[A],
  clientMutationId?: string | null,
): Promise<Loan> {
  const temporal = requireTemporal(ctx);
  const loan = await getLoan(ctx, loanId, 'loanId');
  const actor = actingAs(ctx.actor, actingRoles(ctx, action, payload));
  const requestId = optionalText('clientMutationId', clientMutationId, 100) ?? randomUUID();
  await validateAgainstRecords(ctx, loan, action, payload);
  // The key is bound to the action and what it asked (not the caller's IP, which may change on a retry).
  const fingerprint = requestFingerprint(action, asked(payload));
  try {
    await temporal.act(loan.id, action, { requestId, actor: { id: actor.id, role: actor.role }, payload, fingerprint });
  } catch (err) {
    if (!(err instanceof WorkflowClosedError)) throw err;
    // The workflow has ended; a retry of the request that ended it is a success, anything else is not.
    const done = await ctx.em.findOne(LoanEvent, { loan: loan.id, requestId });
    if (!done) throw new InvalidStageError(`${action} is not possible: the loan is ${loan.stage} (status ${loan.status})`);
    if (requestFingerprint(action, asked(done.data ?? {})) !== fingerprint) throw keyReusedError('clientMutationId');
  }
  return ctx.em.findOneOrFail(Loan, loan.id, { refresh: true });
}

/** The role the step needs among the user's roles (a LOAN_OFFICER + MANAGER approves MANAGEMENT as MANAGER). */
function actingRoles<A extends LoanActionName>(ctx: ServiceContext, action: A, payload: ActionPayloads[A]): readonly string[] {
  if (action === 'approveLoan' || action === 'rejectLoan') {
    const needed = APPROVAL_LEVEL_ROLE[(payload as { level: ApprovalLevel }).level];
    if (needed && ctx.actor.roles.includes(needed)) return [needed];
  }
  return LOAN_ACTIONS[action].roles;
}

/** Checks that need our records, before the workflow is touched: the reviewer is a KYC officer, dates fit the business date. */
async function validateAgainstRecords<A extends LoanActionName>(ctx: ServiceContext, loan: Loan, action: A, payload: ActionPayloads[A]): Promise<void> {
  if (action === 'assignKycReviewer') {
    const id = requireUuid('reviewerId', (payload as { reviewerId: string }).reviewerId);
    const reviewer = await ctx.em.findOne(User, { id });
    if (!reviewer || !reviewer.active || !reviewer.roles.includes('KYC_OFFICER')) throw new ValidationError('reviewerId', 'must be an active user with the role KYC_OFFICER');
    (payload as { reviewerId: string }).reviewerId = id;
  }
  if (action === 'sendOffer') {
    // The offer's terms must make a schedule under the loan's settings (grace shorter than the term, ...).
    const offer = payload as ActionPayloads['sendOffer'];
    if (offer.repaymentsStartingFromDate !== undefined) offer.repaymentsStartingFromDate = await checkFirstRepaymentDate(ctx, offer.repaymentsStartingFromDate);
    const product = await ctx.em.findOneOrFail(LoanProduct, loan.product.id);
    const settings = await resolveLoanSettings(ctx, product, loan.settingOverrides);
    const first = firstRepaymentDate(loan, offer);
    const terms = { principal: String(offer.principal), annualInterestRate: String(offer.annualInterestRate), numberOfRepayments: Number(offer.numberOfRepayments), repaymentsStartingFromDate: first };
    if (parseDecimal(terms.principal) && parseDecimal(terms.annualInterestRate)) validateTerms(loanTermsFor(settings, terms, await currentBusinessDate(ctx.em)));
  }
  if (action === 'activateLoan') {
    const date = requireLocalDate('disbursementDate', (payload as { disbursementDate: string }).disbursementDate);
    const businessDate = await currentBusinessDate(ctx.em);
    if (date > businessDate) throw new ValidationError('disbursementDate', `must not be after the business date ${businessDate}`);
    const drawnFor = loan.origination?.agreement?.disbursementDate;
    if (drawnFor && date < drawnFor) throw new ValidationError('disbursementDate', `must not be before the agreement's date ${drawnFor}`);
  }
}

/** What a request asked for, without the caller's IP (which may change on a retry). */
function asked(payload: object): Record<string, unknown> {
  const { ip: _ip, ...rest } = payload as Record<string, unknown>;
  return rest;
}
