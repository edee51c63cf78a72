import { Field, ID, InputType } from 'type-graphql';
import { DateTimeScalar } from '../scalars';

@InputType()
export class KycChecklistItemInput {
  @Field({ description: 'IDENTITY_VERIFIED, ADDRESS_VERIFIED, INCOME_VERIFIED or SANCTIONS_SCREENED.' })
  item!: string;

  @Field()
  checked!: boolean;
}

@InputType({ description: 'Narrows the KYC queue. assignedToMe, unassigned and reviewerId exclude each other.' })
export class KycQueueFilter {
  @Field(() => Boolean, { nullable: true, description: 'Only loans assigned to me.' })
  assignedToMe?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Only loans without a reviewer.' })
  unassigned?: boolean | null;

  @Field(() => ID, { nullable: true })
  reviewerId?: string | null;

  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Submitted at or after.' })
  submittedFrom?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Submitted before.' })
  submittedTo?: Date | null;
}
