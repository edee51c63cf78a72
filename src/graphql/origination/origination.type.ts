import { JSONObjectResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, DecimalScalar, LocalDateScalar } from '../scalars';

@ObjectType('KycChecklistEntry')
export class KycChecklistEntryType {
  @Field()
  item!: string;

  @Field()
  checked!: boolean;
}

@ObjectType('RiskAssessment', { description: 'The result of the risk rules for this application.' })
export class RiskAssessmentType {
  @Field(() => Float)
  score!: number;

  @Field()
  band!: string;

  @Field({ description: 'AUTO_APPROVE, MANUAL_REVIEW (a RISK_MANAGER decides) or AUTO_REJECT.' })
  decision!: string;

  @Field(() => [String], { description: 'Approval levels this loan needs, in order.' })
  requiredApprovals!: string[];

  @Field(() => [String])
  reasons!: string[];

  @Field(() => DecimalScalar, { nullable: true })
  maxPrincipal!: string | null;

  @Field(() => JSONObjectResolver, { description: 'The facts the rules saw (debt-to-income, employment, loans on book, ...).' })
  facts!: Record<string, unknown>;

  @Field(() => Int, { nullable: true })
  ruleSetVersion?: number | null;
}

@ObjectType('LoanOffer')
export class OfferType {
  @Field(() => Int)
  number!: number;

  @Field(() => DecimalScalar)
  principal!: string;

  @Field(() => DecimalScalar)
  annualInterestRate!: string;

  @Field(() => Int)
  numberOfRepayments!: number;

  @Field()
  offeredBy!: string;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;

  @Field(() => LocalDateScalar, { nullable: true, description: "The first repayment date this offer sets (null: the application's, or a regular first period)." })
  repaymentsStartingFromDate?: string | null;
}

@ObjectType('LoanApproval')
export class ApprovalType {
  @Field()
  level!: string;

  @Field()
  actorId!: string;

  @Field(() => DateTimeScalar)
  at!: Date;
}

@ObjectType('LoanAgreement')
export class AgreementType {
  @Field(() => ID)
  documentId!: string;

  @Field({ description: 'sha256 of the agreement PDF; signAgreement must quote it.' })
  documentHash!: string;

  @Field(() => DateTimeScalar)
  expiresAt!: Date;

  @Field(() => String, { nullable: true })
  signerName?: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  signedAt?: Date | null;

  @Field(() => String, { nullable: true })
  signerIp?: string | null;

  @Field(() => String, { nullable: true, description: 'E_SIGNATURE or SIGNED_UPLOAD.' })
  signedVia?: string | null;

  @Field(() => ID, { nullable: true, description: 'SIGNED_UPLOAD: the uploaded signed agreement (a SIGNED_AGREEMENT document).' })
  signedDocumentId?: string | null;

  @Field(() => String, { nullable: true, description: 'SIGNED_UPLOAD: sha256 of the uploaded signed agreement.' })
  signedDocumentHash?: string | null;
}

@ObjectType('LoanOrigination', { description: "Where the application is in origination, as the loan's workflow last persisted it." })
export class OriginationType {
  @Field(() => String, { nullable: true })
  kycReviewerId!: string | null;

  @Field(() => [KycChecklistEntryType])
  kycChecklist!: KycChecklistEntryType[];

  @Field(() => RiskAssessmentType, { nullable: true })
  risk!: RiskAssessmentType | null;

  @Field(() => OfferType, { nullable: true, description: 'The open offer, awaiting the customer.' })
  offer!: OfferType | null;

  @Field(() => OfferType, { nullable: true })
  acceptedOffer!: OfferType | null;

  @Field(() => [ApprovalType])
  approvals!: ApprovalType[];

  @Field(() => [String], { description: 'Approval levels still to decide, in order.' })
  pendingApprovals!: string[];

  @Field(() => AgreementType, { nullable: true })
  agreement!: AgreementType | null;
}

@ObjectType('LoanInstallment')
export class InstallmentType {
  @Field(() => Int)
  installmentNumber!: number;

  @Field(() => LocalDateScalar)
  fromDate!: string;

  @Field(() => LocalDateScalar)
  dueDate!: string;

  @Field(() => DecimalScalar)
  principalDue!: string;

  @Field(() => DecimalScalar)
  interestDue!: string;

  @Field(() => DecimalScalar)
  feeChargesDue!: string;

  @Field(() => DecimalScalar)
  penaltyChargesDue!: string;

  @Field(() => DecimalScalar)
  principalPaid!: string;

  @Field(() => DecimalScalar)
  interestPaid!: string;

  @Field(() => DecimalScalar)
  feePaid!: string;

  @Field(() => DecimalScalar)
  penaltyPaid!: string;

  @Field(() => DecimalScalar, { description: 'Interest forgiven (e.g. not yet earned at a payoff).' })
  interestWaived!: string;

  @Field(() => DecimalScalar, { description: 'Interest earned so far (periodic accrual by close of business).' })
  interestAccrued!: string;

  @Field({ description: 'Every component paid or waived.' })
  completed!: boolean;
}

@ObjectType('LoanTransaction', { description: 'DISBURSEMENT, REPAYMENT, ACCRUAL, PENALTY, WRITE_OFF, RECOVERY, CREDIT_BALANCE_REFUND or REVERSAL, with its split.' })
export class TransactionType {
  @Field(() => ID)
  id!: string;

  @Field()
  type!: string;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => LocalDateScalar)
  transactionDate!: string;

  @Field({ description: 'The idempotency key (or system key) the transaction was recorded under.' })
  requestId!: string;

  @Field(() => DecimalScalar)
  principalPortion!: string;

  @Field(() => DecimalScalar)
  interestPortion!: string;

  @Field(() => DecimalScalar)
  feePortion!: string;

  @Field(() => DecimalScalar)
  penaltyPortion!: string;

  @Field(() => DecimalScalar, { description: 'Paid beyond everything owed: added to the credit balance.' })
  overpaymentPortion!: string;

  @Field(() => String, { nullable: true })
  paymentType?: string | null;

  @Field({ description: 'Undone by a REVERSAL (its effects were replayed away).' })
  reversed!: boolean;

  @Field()
  createdBy!: string;
}

@ObjectType('Document', { description: 'A file about a loan: customer uploads (POST /documents), the generated agreement, a signed agreement.' })
export class DocumentType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, { nullable: true })
  loanId?: string | null;

  @Field({ description: 'ID_DOCUMENT, PROOF_OF_ADDRESS, PROOF_OF_INCOME, OTHER, AGREEMENT or SIGNED_AGREEMENT.' })
  type!: string;

  @Field()
  fileName!: string;

  @Field()
  contentType!: string;

  @Field(() => Int)
  size!: number;

  @Field()
  sha256!: string;

  @Field({ description: 'GET with the same bearer token to download.' })
  url!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Set when the document was deleted (soft delete).' })
  deletedAt?: Date | null;
}

@ObjectType('RiskRuleSet', { description: 'The risk rules in force (json-rules-engine style conditions).' })
export class RiskRuleSetType {
  @Field(() => Int, { description: '0 = the built-in default, before ADMIN saved a version.' })
  version!: number;

  @Field(() => JSONObjectResolver)
  rules!: Record<string, unknown>;
}
