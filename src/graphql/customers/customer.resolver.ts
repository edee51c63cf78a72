import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Customer } from '../../entities';
import { getCustomer, registerCustomer, updateCustomerProfile } from '../../services/customer.service';
import type { GraphQLContext } from '../context';
import { CustomerProfileInput, RegisterCustomerInput } from './customer.inputs';
import { CustomerType } from './customer.type';

@Resolver(() => CustomerType)
export class CustomerResolver {
  @Authorized('LOAN_OFFICER', 'ADMIN')
  @Mutation(() => CustomerType, { description: 'Staff onboarding of a borrower (borrowers sign up with `register`). CONFLICT if the e-mail or external id is taken.' })
  registerCustomer(@Arg('input') input: RegisterCustomerInput, @Ctx() ctx: GraphQLContext): Promise<Customer> {
    return registerCustomer(ctx, input);
  }

  @Authorized('CUSTOMER', 'LOAN_OFFICER')
  @Mutation(() => CustomerType, { description: 'Updates KYC and affordability data (a customer only their own).' })
  updateCustomerProfile(@Arg('customerId', () => ID) customerId: string, @Arg('input') input: CustomerProfileInput, @Ctx() ctx: GraphQLContext): Promise<Customer> {
    return updateCustomerProfile(ctx, customerId, input);
  }

  @Authorized()
  @Query(() => CustomerType, { description: 'A customer by id (a customer may read only themself); NOT_FOUND if there is none.' })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Customer> {
    return getCustomer(ctx, id);
  }
}
