import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';

@ObjectType('PaymentType', { description: "A channel money arrives through (Fineract's payment type), named by code on repayments, payoffs and recoveries. ADMIN manages the list." })
export class PaymentTypeType {
  @Field({ description: 'Upper-case code carried by transactions, e.g. BANK_TRANSFER.' })
  code!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field({ description: 'Cash handled by the lender (a till or an agent) rather than a bank or wallet.' })
  isCashPayment!: boolean;

  @Field(() => Int, { description: 'Display order (then code).' })
  position!: number;

  @Field({ description: 'Inactive types are refused for new payments (BAD_USER_INPUT on paymentType); old transactions keep them.' })
  active!: boolean;

  @Field(() => Int, { description: 'Optimistic-lock version (expectedVersion of updatePaymentType).' })
  version!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar)
  updatedAt!: Date;
}
