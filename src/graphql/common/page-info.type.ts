import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Relay cursor pagination state.' })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to fetch the next page.' })
  endCursor!: string | null;
}
