import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Decimal } from '../../domain/money';
import { DateTimeScalar, DecimalScalar, LocalDateScalar } from '../scalars';

@ObjectType('Customer', { description: 'A borrower.' })
export class CustomerType {
  @Field(() => ID)
  id!: string;

  @Field()
  firstName!: string;

  @Field()
  lastName!: string;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => LocalDateScalar, { nullable: true })
  dateOfBirth?: string | null;

  @Field(() => String, { nullable: true, description: "The customer's id in another system (e.g. a core banking system)." })
  externalId?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => String, { nullable: true })
  nationalId?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  monthlyIncome?: Decimal | null;

  @Field(() => DecimalScalar, { nullable: true })
  monthlyObligations?: Decimal | null;

  @Field(() => String, { nullable: true })
  employmentStatus?: string | null;

  @Field(() => Int, { nullable: true })
  employmentYears?: number | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}
