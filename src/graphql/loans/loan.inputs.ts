import { IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import type { LoanStage, LoanStatus } from '../../domain/loan-lifecycle';
import { LoanStageEnum, LoanStatusEnum } from '../common/enums';
import { DecimalScalar } from '../scalars';

@InputType()
export class ApplyForLoanInput {
  @Field(() => ID)
  customerId!: string;

  @Field(() => ID)
  productId!: string;

  @Field(() => DecimalScalar, { description: "Within the product's principal range, at most the currency's decimal places." })
  principal!: string;

  @Field({ description: "Must be the product's currency." })
  @Matches(/^[A-Z]{3}$/, { message: 'currencyCode must be an ISO 4217 code like "USD"' })
  currencyCode!: string;

  @Field(() => DecimalScalar, { description: "Annual nominal rate, percent, within the product's range." })
  annualInterestRate!: string;

  @Field(() => Int, { description: "Within the product's range." })
  @Min(1)
  @Max(1200)
  numberOfRepayments!: number;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(500)
  purpose?: string | null;
}

@InputType()
export class LoanFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string | null;

  @Field(() => ID, { nullable: true })
  productId?: string | null;

  @Field(() => LoanStatusEnum, { nullable: true })
  status?: LoanStatus | null;

  @Field(() => LoanStageEnum, { nullable: true })
  stage?: LoanStage | null;
}
