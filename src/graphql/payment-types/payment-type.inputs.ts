import { Field, InputType, Int } from 'type-graphql';

@InputType({ description: 'A new payment type.' })
export class CreatePaymentTypeInput {
  @Field({ description: 'Upper-case code, `^[A-Z][A-Z0-9_]{1,39}$`, e.g. MOBILE_MONEY; fixed once created.' })
  code!: string;

  @Field({ description: '1 to 100 characters.' })
  name!: string;

  @Field(() => String, { nullable: true, description: 'At most 500 characters.' })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  isCashPayment?: boolean | null;

  @Field(() => Int, { nullable: true, description: '0 to 100000. Default: after the last one.' })
  position?: number | null;
}

@InputType({ description: 'What to change on a payment type; fields left out stay as they are.' })
export class UpdatePaymentTypeInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'An empty string clears it.' })
  description?: string | null;

  @Field(() => Boolean, { nullable: true })
  isCashPayment?: boolean | null;

  @Field(() => Int, { nullable: true })
  position?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'false deactivates it (payment types are never deleted); true reactivates it.' })
  active?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'CONFLICT unless the type is still at this version.' })
  expectedVersion?: number | null;
}
