import { JSONObjectResolver } from 'graphql-scalars';
import { Ctx, Field, FieldResolver, Int, ObjectType, Resolver, Root } from 'type-graphql';
import type { LoanScheduleSettings } from '../../domain/product-settings';
import { LoanCharge } from '../../entities';
import type { GraphQLContext } from '../context';
import { LoanChargeType } from '../charges/charge.type';
import { LoanType } from '../loans/loan.type';
import { LocalDateScalar } from '../scalars';
import { ScheduleSettingsFields } from './schedule-settings.fields';
import type { LoanRoot } from '../../services/loan-read.service';

@ObjectType('LoanScheduleSettings', { description: "The schedule settings a loan is drawn with: its product's (at settingsVersion) with the loan's overrides, and its charges." })
export class LoanScheduleSettingsType extends ScheduleSettingsFields {
  @Field(() => Int, { nullable: true, description: 'The product settings version (null: a loan from before versioning).' })
  productSettingsVersion!: number | null;

  @Field(() => Int)
  repaymentEvery!: number;

  @Field()
  repaymentFrequencyType!: string;

  @Field(() => Int)
  digitsAfterDecimal!: number;

  @Field(() => [JSONObjectResolver], { description: 'The charges the schedule takes (from the product at the version above).' })
  charges!: Record<string, unknown>[];
}

/** A loan's terms beyond amount, rate and term: its resolved settings, first repayment date and charges. */
@Resolver(() => LoanType)
export class LoanTermsResolver {
  @FieldResolver(() => LoanScheduleSettingsType, { nullable: true, description: 'The schedule settings this loan keeps (taken at application and again at each offer).' })
  scheduleSettings(@Root() loan: LoanRoot): LoanScheduleSettings | null {
    return loan.scheduleSettings ?? null;
  }

  @FieldResolver(() => LocalDateScalar, { nullable: true, description: 'The first repayment date asked for in the application (an offer may set another).' })
  repaymentsStartingFromDate(@Root() loan: LoanRoot): string | null {
    return loan.repaymentsStartingFromDate ?? null;
  }

  @FieldResolver(() => [LoanChargeType], { description: 'Charges on the loan (from its product at activation, or added).' })
  charges(@Root() loan: LoanRoot, @Ctx() ctx: GraphQLContext): Promise<LoanCharge[]> {
    return ctx.em.find(LoanCharge, { loan: loan.id }, { orderBy: { id: 'asc' } });
  }
}
