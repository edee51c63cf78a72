import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PAYMENT_PROOF_STATUSES, type PaymentProofStatus } from '../../entities/payment-proof.entity';
import { asEnum, RoleEnum } from '../common/enums';
import { PageInfo } from '../common/page-info.type';
import { DateTimeScalar, DecimalScalar, LocalDateScalar } from '../scalars';

export const PaymentProofStatusEnum = asEnum(PAYMENT_PROOF_STATUSES);
registerEnumType(PaymentProofStatusEnum, { name: 'PaymentProofStatus', description: 'SUBMITTED (waiting for an officer), VERIFIED (repayment recorded) or REJECTED.' });

@ObjectType('PaymentProof', { description: 'A proof of payment uploaded for an active loan (POST /documents, type PAYMENT_PROOF) with the amount and date claimed.' })
export class PaymentProofType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  loanId!: string;

  @Field(() => ID)
  customerId!: string;

  @Field(() => ID)
  documentId!: string;

  @Field(() => DecimalScalar, { description: 'Amount claimed paid; recorded as the repayment on verification.' })
  amount!: string;

  @Field(() => LocalDateScalar, { description: 'Date claimed; the repayment’s transaction date.' })
  paymentDate!: string;

  @Field(() => String, { nullable: true })
  paymentReference!: string | null;

  @Field(() => PaymentProofStatusEnum)
  status!: PaymentProofStatus;

  @Field()
  submittedBy!: string;

  // Stored as text; always one of the roles (the uploader's).
  @Field(() => RoleEnum)
  submittedByRole!: string;

  @Field(() => DateTimeScalar)
  submittedAt!: Date;

  @Field(() => String, { nullable: true, description: 'The officer who verified or rejected it.' })
  decidedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  decidedAt!: Date | null;

  @Field(() => String, { nullable: true })
  rejectionReason!: string | null;

  @Field(() => ID, { nullable: true, description: 'The REPAYMENT recorded when it was verified.' })
  transactionId!: string | null;
}

@ObjectType('PaymentProofEdge')
export class PaymentProofEdge {
  @Field()
  cursor!: string;

  @Field(() => PaymentProofType)
  node!: PaymentProofType;
}

@ObjectType('PaymentProofConnection', { description: 'A page of payment proofs, oldest submission first.' })
export class PaymentProofConnection {
  @Field(() => [PaymentProofEdge])
  edges!: PaymentProofEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Proofs matching the filter, across all pages.' })
  totalCount!: number;
}
