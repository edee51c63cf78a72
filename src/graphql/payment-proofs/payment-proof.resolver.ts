import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Document, LoanTransaction, type PaymentProof } from '../../entities';
import type { PaymentProofStatus } from '../../entities/payment-proof.entity';
import { documentView } from '../../services/document.service';
import { encodeCursor } from '../../services/pagination';
import {
  getPaymentProof, loanPaymentProofs, PAYMENT_PROOF_OFFICER_ROLES, paymentProofQueue, rejectPaymentProof, verifyPaymentProof,
} from '../../services/payment-proof.service';
import type { GraphQLContext } from '../context';
import { DocumentType, TransactionType } from '../origination/origination.type';
import { PaymentProofConnection, PaymentProofStatusEnum, PaymentProofType } from './payment-proof.type';

function toType(p: PaymentProof): PaymentProofType {
  return {
    id: p.id, loanId: p.loan.id, customerId: p.customer.id, documentId: p.document.id, amount: p.amount.toFixed(), paymentDate: p.paymentDate,
    paymentReference: p.paymentReference ?? null, status: p.status, submittedBy: p.submittedBy, submittedByRole: p.submittedByRole,
    submittedAt: p.submittedAt, decidedBy: p.decidedBy ?? null, decidedAt: p.decidedAt ?? null, rejectionReason: p.rejectionReason ?? null,
    transactionId: p.transaction?.id ?? null,
  };
}

/** Proofs of payment: upload with POST /documents (type PAYMENT_PROOF), then an officer verifies or rejects. */
@Resolver(() => PaymentProofType)
export class PaymentProofResolver {
  @Authorized(...PAYMENT_PROOF_OFFICER_ROLES)
  @Query(() => PaymentProofConnection, {
    description: 'LOAN_OFFICER / MANAGER queue of payment proofs in a status (default SUBMITTED), oldest first, as a Relay connection.',
    complexity: ({ args, childComplexity }) => 1 + childComplexity * Number(args.first ?? 20),
  })
  async paymentProofQueue(
    @Ctx() ctx: GraphQLContext,
    @Arg('status', () => PaymentProofStatusEnum, { nullable: true }) status?: PaymentProofStatus | null,
    @Arg('loanId', () => ID, { nullable: true }) loanId?: string | null,
    @Arg('first', () => Int, { nullable: true, defaultValue: 20, description: '1 to 100.' }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<PaymentProofConnection> {
    const page = await paymentProofQueue(ctx, { status, loanId }, first, after);
    const edges = page.items.map((p) => ({ cursor: encodeCursor({ createdAt: p.submittedAt, id: p.id }), node: toType(p) }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount: page.totalCount };
  }

  @Authorized()
  @Query(() => [PaymentProofType], { description: "A loan's payment proofs, oldest first (the loan's customer, or staff)." })
  async paymentProofs(@Arg('loanId', () => ID) loanId: string, @Ctx() ctx: GraphQLContext) {
    return (await loanPaymentProofs(ctx, loanId)).map(toType);
  }

  @Authorized()
  @Query(() => PaymentProofType, { description: 'One payment proof (its customer, or staff).' })
  async paymentProof(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return toType(await getPaymentProof(ctx, id));
  }

  @Authorized(...PAYMENT_PROOF_OFFICER_ROLES)
  @Mutation(() => PaymentProofType, {
    description: 'Verifies a submitted proof: records its amount as a repayment on its payment date (idempotency key proof-<id>) and marks it VERIFIED. Not by its uploader (FORBIDDEN). Repeating it returns the verified proof; a rejected proof is a CONFLICT.',
  })
  async verifyPaymentProof(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext) {
    return toType(await verifyPaymentProof(ctx, id));
  }

  @Authorized(...PAYMENT_PROOF_OFFICER_ROLES)
  @Mutation(() => PaymentProofType, { description: 'Rejects a submitted proof with a reason. Repeating it returns the rejected proof; a verified proof is a CONFLICT.' })
  async rejectPaymentProof(@Arg('id', () => ID) id: string, @Arg('reason') reason: string, @Ctx() ctx: GraphQLContext) {
    return toType(await rejectPaymentProof(ctx, id, reason));
  }

  @FieldResolver(() => DocumentType, { description: 'The uploaded file (download from its url).' })
  async document(@Root() p: PaymentProofType, @Ctx() ctx: GraphQLContext) {
    return documentView(await ctx.em.findOneOrFail(Document, p.documentId));
  }

  @FieldResolver(() => TransactionType, { nullable: true })
  async transaction(@Root() p: PaymentProofType, @Ctx() ctx: GraphQLContext) {
    return p.transactionId ? ctx.em.findOne(LoanTransaction, p.transactionId) : null;
  }
}
