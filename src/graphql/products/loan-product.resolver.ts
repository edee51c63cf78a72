import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Charge, LoanProduct, LoanProductSettingsVersion } from '../../entities';
import { createLoanProduct, getLoanProduct, listLoanProducts, productCharges, productSettingsHistory, updateLoanProduct } from '../../services/loan-product.service';
import { ChargeType } from '../charges/charge.type';
import type { GraphQLContext } from '../context';
import { CreateLoanProductInput, UpdateLoanProductInput } from './loan-product.inputs';
import { AllowAttributeOverridesType, LoanProductSettingsVersionType, LoanProductType } from './loan-product.type';

@Resolver(() => LoanProductType)
export class LoanProductResolver {
  @Authorized('ADMIN')
  @Mutation(() => LoanProductType, { description: 'Defines a loan product: limits, schedule settings (Fineract names; defaults as documented per field), overrides a loan may make, default charges. BAD_USER_INPUT names the field that breaks a rule.' })
  createLoanProduct(@Arg('input') input: CreateLoanProductInput, @Ctx() ctx: GraphQLContext): Promise<LoanProduct> {
    return createLoanProduct(ctx, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => LoanProductType, {
    description: 'Changes a product. Without loans anything may change in place; with loans the currency stays and changed settings or charges make a new settingsVersion (loans already offered keep theirs). CONFLICT when expectedVersion is stale.',
  })
  updateLoanProduct(@Arg('id', () => ID) id: string, @Arg('input') input: UpdateLoanProductInput, @Ctx() ctx: GraphQLContext): Promise<LoanProduct> {
    return updateLoanProduct(ctx, id, input);
  }

  @Authorized()
  @Query(() => LoanProductType, { description: 'A loan product by id; NOT_FOUND if there is none.' })
  loanProduct(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<LoanProduct> {
    return getLoanProduct(ctx, id);
  }

  @Authorized()
  @Query(() => [LoanProductType], { description: 'All loan products, by name.' })
  loanProducts(@Ctx() ctx: GraphQLContext): Promise<LoanProduct[]> {
    return listLoanProducts(ctx);
  }

  @FieldResolver(() => AllowAttributeOverridesType)
  allowAttributeOverrides(@Root() p: LoanProduct): AllowAttributeOverridesType {
    const a = p.allowAttributeOverrides ?? {};
    return {
      amortizationType: !!a.amortizationType, interestType: !!a.interestType, interestCalculationPeriodType: !!a.interestCalculationPeriodType,
      repaymentEvery: !!a.repaymentEvery, graceOnPrincipalAndInterestPayment: !!a.graceOnPrincipalAndInterestPayment,
    };
  }

  @FieldResolver(() => [ChargeType], { description: 'Default charges every loan under the product carries.' })
  async charges(@Root() p: LoanProduct, @Ctx() ctx: GraphQLContext): Promise<Charge[]> {
    return (await productCharges(ctx, p.id)).map((x) => x.charge);
  }

  @FieldResolver(() => [LoanProductSettingsVersionType], { description: 'Every settings version, oldest first.' })
  settingsHistory(@Root() p: LoanProduct, @Ctx() ctx: GraphQLContext): Promise<LoanProductSettingsVersion[]> {
    return productSettingsHistory(ctx, p.id);
  }
}
