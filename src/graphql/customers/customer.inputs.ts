import { IsEmail, IsOptional, Length, MaxLength } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { DecimalScalar, LocalDateScalar } from '../scalars';

@InputType()
export class RegisterCustomerInput {
  @Field()
  @Length(1, 100)
  firstName!: string;

  @Field()
  @Length(1, 100)
  lastName!: string;

  @Field({ description: 'Unique per customer; stored lower-cased.' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(32)
  phone?: string | null;

  @Field(() => LocalDateScalar, { nullable: true })
  dateOfBirth?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(100)
  externalId?: string | null;
}

@InputType({ description: 'KYC and affordability data; omitted fields stay as they are.' })
export class CustomerProfileInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(32)
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(300)
  address?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(64)
  nationalId?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  monthlyIncome?: string | null;

  @Field(() => DecimalScalar, { nullable: true })
  monthlyObligations?: string | null;

  @Field(() => String, { nullable: true, description: 'EMPLOYED, SELF_EMPLOYED, UNEMPLOYED, RETIRED or STUDENT.' })
  employmentStatus?: string | null;

  @Field(() => Int, { nullable: true })
  employmentYears?: number | null;
}
