import { IsOptional, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import type { RepaymentFrequencyType } from '../../domain/loan-application';
import { RepaymentFrequencyTypeEnum } from '../common/enums';
import { DecimalScalar } from '../scalars';

@InputType()
export class CreateLoanProductInput {
  @Field()
  @Length(1, 100)
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  description?: string | null;

  @Field({ description: 'ISO 4217 code, e.g. "USD".' })
  @Matches(/^[A-Z]{3}$/, { message: 'currencyCode must be an ISO 4217 code like "USD"' })
  currencyCode!: string;

  @Field(() => DecimalScalar)
  minPrincipal!: string;

  @Field(() => DecimalScalar)
  maxPrincipal!: string;

  @Field(() => DecimalScalar, { description: 'Annual nominal rate, percent (e.g. "12.5").' })
  minInterestRate!: string;

  @Field(() => DecimalScalar, { description: 'Annual nominal rate, percent.' })
  maxInterestRate!: string;

  @Field(() => Int)
  @Min(1)
  @Max(1200)
  minNumberOfRepayments!: number;

  @Field(() => Int)
  @Min(1)
  @Max(1200)
  maxNumberOfRepayments!: number;

  @Field(() => Int, { defaultValue: 1 })
  @Min(1)
  @Max(1000)
  repaymentEvery!: number;

  @Field(() => RepaymentFrequencyTypeEnum, { defaultValue: 'MONTHS' })
  repaymentFrequencyType!: RepaymentFrequencyType;
}
