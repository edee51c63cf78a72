import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Decimal } from '../../domain/money';
import type { ChargeCalculationType, ChargeTimeType } from '../../domain/schedule';
import { DateTimeScalar, DecimalScalar, LocalDateScalar } from '../scalars';
import { ChargeCalculationTypeEnum, ChargeTimeTypeEnum } from '../schedule/schedule.inputs';

@ObjectType('Charge', { description: "A charge definition (Fineract's charge): attached to products as defaults, or to a loan." })
export class ChargeType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'Always LOAN.' })
  chargeAppliesTo!: string;

  @Field(() => ChargeTimeTypeEnum)
  chargeTimeType!: ChargeTimeType;

  @Field(() => ChargeCalculationTypeEnum)
  chargeCalculationType!: ChargeCalculationType;

  @Field({ description: 'A penalty (penalty income) rather than a fee.' })
  penalty!: boolean;

  @Field(() => DecimalScalar, { description: 'An amount for FLAT, a percent otherwise.' })
  amount!: Decimal;

  @Field()
  currencyCode!: string;

  @Field(() => Int, { description: 'OVERDUE_INSTALLMENT: days after the due date before it is charged.' })
  graceDays!: number;

  @Field(() => Int, { nullable: true, description: 'OVERDUE_INSTALLMENT: charged again every this many days (null: once).' })
  feeInterval?: number | null;

  @Field()
  active!: boolean;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('LoanInstallmentCharge', { description: "One installment's share of a loan charge (Fineract's loan installment charge)." })
export class LoanInstallmentChargeType {
  @Field(() => Int)
  installmentNumber!: number;

  @Field(() => DecimalScalar)
  amount!: string;

  @Field(() => DecimalScalar)
  amountWaived!: string;

  @Field({ description: 'A waiver was applied to this share (what was paid of it stays paid).' })
  waived!: boolean;
}

@ObjectType('LoanCharge', { description: 'A charge on one loan (from its product at activation, or added).' })
export class LoanChargeType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => ChargeTimeTypeEnum)
  chargeTimeType!: ChargeTimeType;

  @Field(() => ChargeCalculationTypeEnum)
  chargeCalculationType!: ChargeCalculationType;

  @Field()
  penalty!: boolean;

  @Field(() => DecimalScalar, { description: "The definition's amount (FLAT) or percent." })
  amountOrPercentage!: Decimal;

  @Field(() => DecimalScalar, { description: 'What the loan is charged in total.' })
  amount!: Decimal;

  @Field(() => DecimalScalar)
  amountWaived!: Decimal;

  @Field()
  waived!: boolean;

  @Field(() => LocalDateScalar, { nullable: true })
  dueDate?: string | null;

  @Field(() => Int, { nullable: true, description: 'The installment a dated charge joined.' })
  installmentNumber?: number | null;

  @Field(() => [LoanInstallmentChargeType], { nullable: true, description: "What the charge comes to on each installment it applies to (one for a dated charge, each for an installment fee); null for a disbursement charge." })
  installmentCharges?: LoanInstallmentChargeType[] | null;
}
