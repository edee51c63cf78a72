import { IsOptional, Length, Matches, Max, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import type { ChargeCalculationType, ChargeTimeType } from '../../domain/schedule';
import { DecimalScalar } from '../scalars';
import { ChargeCalculationTypeEnum, ChargeTimeTypeEnum } from '../schedule/schedule.inputs';

@InputType({ description: "Fineract's createCharge for loans." })
export class CreateChargeInput {
  @Field()
  @Length(1, 100)
  name!: string;

  @Field({ defaultValue: 'LOAN', description: 'Only LOAN.' })
  chargeAppliesTo!: string;

  @Field(() => ChargeTimeTypeEnum)
  chargeTimeType!: ChargeTimeType;

  @Field(() => ChargeCalculationTypeEnum)
  chargeCalculationType!: ChargeCalculationType;

  @Field(() => Boolean, { nullable: true, description: 'Default false (true for OVERDUE_INSTALLMENT; false there makes an overdue fee: fee income, feeChargesDue).' })
  penalty?: boolean | null;

  @Field(() => DecimalScalar, { description: 'An amount for FLAT, a percent (at most 100) otherwise.' })
  amount!: string;

  @Field()
  @Matches(/^[A-Z]{3}$/, { message: 'currencyCode must be an ISO 4217 code like "USD"' })
  currencyCode!: string;

  @Field(() => Int, { nullable: true, description: 'OVERDUE_INSTALLMENT: days after the due date before it is charged.' })
  @IsOptional()
  @Min(0)
  @Max(365)
  graceDays?: number | null;

  @Field(() => Int, { nullable: true, description: 'OVERDUE_INSTALLMENT: charge again every N days while overdue (null: once).' })
  @IsOptional()
  @Min(1)
  @Max(365)
  feeInterval?: number | null;
}
