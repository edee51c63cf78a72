import { IsOptional, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';
import type { LoanStage, LoanStatus } from '../../domain/loan-lifecycle';
import { LoanStageEnum, LoanStatusEnum } from '../common/enums';
import { DecimalScalar, LocalDateScalar } from '../scalars';
import { LoanSettingOverridesInput } from '../products/loan-product.inputs';

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

  @Field(() => LocalDateScalar, { nullable: true, description: 'First repayment date, after the business date (a broken first period, as Fineract computes it).' })
  repaymentsStartingFromDate?: string | null;

  @Field(() => LoanSettingOverridesInput, { nullable: true, description: "Settings this loan sets differently from its product (only those the product's allowAttributeOverrides allow)." })
  @IsOptional()
  @ValidateNested()
  overrides?: LoanSettingOverridesInput | null;
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
