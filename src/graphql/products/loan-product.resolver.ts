import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { LoanProduct } from '../../entities';
import { createLoanProduct, getLoanProduct, listLoanProducts } from '../../services/loan-product.service';
import type { GraphQLContext } from '../context';
import { CreateLoanProductInput } from './loan-product.inputs';
import { LoanProductType } from './loan-product.type';

@Resolver(() => LoanProductType)
export class LoanProductResolver {
  @Authorized('ADMIN')
  @Mutation(() => LoanProductType, { description: 'Defines a loan product. BAD_USER_INPUT names the field that breaks a rule.' })
  createLoanProduct(@Arg('input') input: CreateLoanProductInput, @Ctx() ctx: GraphQLContext): Promise<LoanProduct> {
    return createLoanProduct(ctx, input);
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
}
