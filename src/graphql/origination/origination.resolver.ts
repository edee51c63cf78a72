import { JSONObjectResolver } from 'graphql-scalars';
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { LOAN_ACTIONS, pendingApprovals, type ApprovalLevel, type KycChecklistItem, type Offer } from '../../domain/origination';
import { performLoanAction } from '../../services/origination.service';
import { currentRuleSet, saveRuleSet } from '../../services/risk.service';
import { canAccessCustomer, forbidden } from '../../services/authorization';
import { deleteDocument, listDocuments } from '../../services/document.service';
import { KYC_QUEUE_ROLES, kycQueue } from '../../services/kyc-queue.service';
import { statementUrl } from '../../services/statement.service';
import { encodeCursor } from '../../services/pagination';
import type { GraphQLContext } from '../context';
import { LoanConnection, LoanType } from '../loans/loan.type';
import { DecimalScalar, LocalDateScalar } from '../scalars';
import { ApprovalLevelEnum } from '../common/enums';
import { DocumentType, InstallmentType, OriginationType, RiskRuleSetType, TransactionType } from './origination.type';
import { KycChecklistItemInput, KycQueueFilter } from './origination.inputs';
import type { LoanRoot } from '../../services/loan-read.service';

const roles = (action: keyof typeof LOAN_ACTIONS) => [...LOAN_ACTIONS[action].roles];
const offerView = (o: Offer | null) => (o ? { ...o, expiresAt: new Date(o.expiresAtMs) } : null);

/** Origination stages: every mutation is a Temporal Update on the loan's workflow (see src/domain/origination.ts). */
@Resolver(() => LoanType)
export class OriginationResolver {
  @Authorized(...roles('submitApplication'))
  @Mutation(() => LoanType, { description: 'APPLICATION → KYC_REVIEW: the applicant is done with profile and documents.' })
  submitApplication(@Arg('loanId', () => ID) loanId: string, @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'submitApplication', {}, id);
  }

  @Authorized(...roles('assignKycReviewer'))
  @Mutation(() => LoanType, { description: 'MANAGER assigns the KYC officer who reviews this application.' })
  assignKycReviewer(@Arg('loanId', () => ID) loanId: string, @Arg('reviewerId', () => ID) reviewerId: string, @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'assignKycReviewer', { reviewerId }, id);
  }

  @Authorized(...roles('completeKycChecklist'))
  @Mutation(() => LoanType, { description: 'KYC_OFFICER records verification checks (IDENTITY_VERIFIED, ADDRESS_VERIFIED, INCOME_VERIFIED, SANCTIONS_SCREENED).' })
  completeKycChecklist(@Arg('loanId', () => ID) loanId: string, @Arg('items', () => [KycChecklistItemInput]) items: KycChecklistItemInput[], @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    const map = Object.fromEntries(items.map((i) => [i.item, i.checked])) as Partial<Record<KycChecklistItem, boolean>>;
    return performLoanAction(ctx, loanId, 'completeKycChecklist', { items: map }, id);
  }

  @Authorized(...roles('decideKyc'))
  @Mutation(() => LoanType, { description: 'MANAGER approves (checklist complete → automatic risk assessment) or rejects with a reason.' })
  decideKyc(@Arg('loanId', () => ID) loanId: string, @Arg('approve') approve: boolean, @Ctx() ctx: GraphQLContext, @Arg('reason', () => String, { nullable: true }) reason?: string | null, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'decideKyc', { approve, reason }, id);
  }

  @Authorized(...roles('decideRisk'))
  @Mutation(() => LoanType, { description: 'RISK_MANAGER decides an application the rules sent to manual review.' })
  decideRisk(@Arg('loanId', () => ID) loanId: string, @Arg('approve') approve: boolean, @Ctx() ctx: GraphQLContext, @Arg('reason', () => String, { nullable: true }) reason?: string | null, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'decideRisk', { approve, reason }, id);
  }

  @Authorized(...roles('sendOffer'))
  @Mutation(() => LoanType, { description: 'LOAN_OFFICER offers terms within the product and risk limits; sending again counters. The offer expires after OFFER_EXPIRY_SECONDS.' })
  sendOffer(
    @Arg('loanId', () => ID) loanId: string,
    @Arg('principal', () => DecimalScalar) principal: string,
    @Arg('annualInterestRate', () => DecimalScalar) annualInterestRate: string,
    @Arg('numberOfRepayments', () => Int) numberOfRepayments: number,
    @Ctx() ctx: GraphQLContext,
    @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null,
    @Arg('repaymentsStartingFromDate', () => LocalDateScalar, { nullable: true, description: "First repayment date (after the business date); absent: the application's." })
    repaymentsStartingFromDate?: string | null,
  ) {
    const payload = { principal, annualInterestRate, numberOfRepayments, ...(repaymentsStartingFromDate !== undefined ? { repaymentsStartingFromDate } : {}) };
    return performLoanAction(ctx, loanId, 'sendOffer', payload, id);
  }

  @Authorized(...roles('acceptOffer'))
  @Mutation(() => LoanType, { description: 'The customer accepts the open offer (quote its number).' })
  acceptOffer(@Arg('loanId', () => ID) loanId: string, @Arg('offerNumber', () => Int) offerNumber: number, @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'acceptOffer', { offerNumber }, id);
  }

  @Authorized(...roles('declineOffer'))
  @Mutation(() => LoanType, { description: 'The customer declines the open offer → DECLINED.' })
  declineOffer(@Arg('loanId', () => ID) loanId: string, @Arg('offerNumber', () => Int) offerNumber: number, @Ctx() ctx: GraphQLContext, @Arg('reason', () => String, { nullable: true }) reason?: string | null, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'declineOffer', { offerNumber, reason }, id);
  }

  @Authorized(...roles('approveLoan'))
  @Mutation(() => LoanType, { description: 'Approves one level (INTERNAL by LOAN_OFFICER, MANAGEMENT by MANAGER, CREDIT_COMMITTEE). Four-eyes: never your own application, never two levels.' })
  approveLoan(@Arg('loanId', () => ID) loanId: string, @Arg('level', () => ApprovalLevelEnum) level: ApprovalLevel, @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'approveLoan', { level: level as ApprovalLevel }, id);
  }

  @Authorized(...roles('rejectLoan'))
  @Mutation(() => LoanType, { description: 'Rejects at the pending level, with a reason → REJECTED.' })
  rejectLoan(@Arg('loanId', () => ID) loanId: string, @Arg('level', () => ApprovalLevelEnum) level: ApprovalLevel, @Arg('reason') reason: string, @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'rejectLoan', { level: level as ApprovalLevel, reason }, id);
  }

  @Authorized(...roles('signAgreement'))
  @Mutation(() => LoanType, { description: 'The customer e-signs the agreement: name, time, IP and the document hash are recorded.' })
  signAgreement(@Arg('loanId', () => ID) loanId: string, @Arg('signerName') signerName: string, @Arg('documentHash') documentHash: string, @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'signAgreement', { signerName, documentHash, ip: ctx.ip }, id);
  }

  @Authorized(...roles('activateLoan'))
  @Mutation(() => LoanType, { description: 'Creates the loan account: persisted schedule, disbursement transaction → REPAYMENT (ACTIVE). The date must not be after the business date and must be the one the signed agreement is drawn for (else CONFLICT: redrawAgreement).' })
  activateLoan(@Arg('loanId', () => ID) loanId: string, @Arg('disbursementDate', () => LocalDateScalar) disbursementDate: string, @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'activateLoan', { disbursementDate }, id);
  }

  @Authorized(...roles('redrawAgreement'))
  @Mutation(() => LoanType, { description: 'AGREEMENT or ACTIVATION → AGREEMENT: draws the agreement again for the current business date (the disbursement date activation will book); the borrower signs the new document.' })
  redrawAgreement(@Arg('loanId', () => ID) loanId: string, @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'redrawAgreement', {}, id);
  }

  @Authorized(...roles('withdrawApplication'))
  @Mutation(() => LoanType, {
    description: "Withdraws an application before activation (a Temporal Update on the loan's workflow). INVALID_STAGE when the loan is past the point of withdrawal; nothing changes then.",
  })
  withdrawApplication(@Arg('loanId', () => ID) loanId: string, @Ctx() ctx: GraphQLContext, @Arg('reason', () => String, { nullable: true }) reason?: string | null, @Arg('clientMutationId', () => String, { nullable: true }) id?: string | null) {
    return performLoanAction(ctx, loanId, 'withdrawApplication', { reason }, id);
  }

  @Authorized(...KYC_QUEUE_ROLES)
  @Query(() => LoanConnection, {
    description: 'KYC_OFFICER / MANAGER work queue: loans in KYC_REVIEW, oldest submission first, as a Relay connection.',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Number(args.first ?? 20),
  })
  async kycQueue(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => KycQueueFilter, { nullable: true }) filter?: KycQueueFilter | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<LoanConnection> {
    const page = await kycQueue(ctx, filter ?? {}, first, after);
    const edges = page.items.map((loan) => ({ cursor: encodeCursor(loan), node: loan as unknown as LoanType }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: page.totalCount };
  }

  @Authorized()
  @Query(() => [DocumentType], {
    name: 'documents',
    description: "Documents, oldest first (deleted ones left out). A customer sees their own (optionally of one loan); staff name a loanId or customerId. Upload with POST /documents; download from each document's url.",
  })
  documentList(@Ctx() ctx: GraphQLContext, @Arg('loanId', () => ID, { nullable: true }) loanId?: string | null, @Arg('customerId', () => ID, { nullable: true }) customerId?: string | null) {
    return listDocuments(ctx, { loanId, customerId });
  }

  @Authorized()
  @Mutation(() => DocumentType, {
    description: 'Soft-deletes an uploaded customer document (its owner, or LOAN_OFFICER / KYC_OFFICER / MANAGER) until the KYC decision; INVALID_STAGE afterwards. Repeating it returns the deleted document.',
  })
  deleteDocument(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext, @Arg('clientMutationId', () => String, { nullable: true }) _clientMutationId?: string | null) {
    return deleteDocument(ctx, id);
  }

  @Authorized('ADMIN', 'RISK_MANAGER')
  @Query(() => RiskRuleSetType)
  riskRuleSet(@Ctx() ctx: GraphQLContext) {
    return currentRuleSet(ctx);
  }

  @Authorized('ADMIN')
  @Mutation(() => RiskRuleSetType, { description: 'Saves a new version of the risk rules (validated; older versions are kept).' })
  saveRiskRuleSet(@Arg('rules', () => JSONObjectResolver, { validate: false }) rules: Record<string, unknown>, @Ctx() ctx: GraphQLContext) {
    return saveRuleSet(ctx, rules);
  }

  @FieldResolver(() => OriginationType, { nullable: true })
  origination(@Root() loan: LoanRoot) {
    const o = loan.origination;
    if (!o) return null;
    return {
      kycReviewerId: o.kycReviewerId,
      kycChecklist: Object.entries(o.kycChecklist).map(([item, checked]) => ({ item, checked })),
      risk: o.risk,
      offer: offerView(o.offer),
      acceptedOffer: offerView(o.acceptedOffer),
      approvals: o.approvals.map((a) => ({ ...a, at: new Date(a.atMs) })),
      pendingApprovals: loan.stage === 'APPROVAL' ? pendingApprovals(o) : [],
      agreement: o.agreement
        ? { ...o.agreement, expiresAt: new Date(o.agreement.expiresAtMs), signedAt: o.agreement.signedAtMs ? new Date(o.agreement.signedAtMs) : null }
        : null,
    };
  }

  @FieldResolver(() => [InstallmentType], { description: 'The persisted repayment schedule (from activation).' })
  installments(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.installments.load(loan.id);
  }

  @FieldResolver(() => [TransactionType])
  transactions(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.transactions.load(loan.id);
  }

  @FieldResolver(() => [DocumentType])
  documents(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext) {
    // As listLoanDocuments, batched: the loan itself was read by the query that returned it.
    if (!canAccessCustomer(ctx.actor, loan.customer.id)) throw forbidden();
    return ctx.loaders.documents.load(loan.id);
  }

  @FieldResolver(() => String, {
    description: 'GET this path (same Bearer token) for the account statement as of the business date: a PDF with balances, the repayment schedule with what was paid, and every transaction. Rendered on request; the borrower and staff may download it.',
  })
  statementUrl(@Root() loan: LoanRoot) {
    return statementUrl(loan.id);
  }
}
