import { Field, InputType } from 'type-graphql';

@InputType()
export class KycChecklistItemInput {
  @Field({ description: 'IDENTITY_VERIFIED, ADDRESS_VERIFIED, INCOME_VERIFIED or SANCTIONS_SCREENED.' })
  item!: string;

  @Field()
  checked!: boolean;
}
