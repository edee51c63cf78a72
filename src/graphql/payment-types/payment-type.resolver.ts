import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { STAFF_ROLES } from '../../domain/roles';
import type { PaymentType } from '../../entities';
import { createPaymentType, listPaymentTypes, updatePaymentType } from '../../services/payment-type.service';
import type { GraphQLContext } from '../context';
import { TransactionType } from '../origination/origination.type';
import { CreatePaymentTypeInput, UpdatePaymentTypeInput } from './payment-type.inputs';
import { PaymentTypeType } from './payment-type.type';

@Resolver(() => PaymentTypeType)
export class PaymentTypeResolver {
  @Authorized(...STAFF_ROLES)
  @Query(() => [PaymentTypeType], { description: 'Payment types in display order (position, then code): the codes recordRepayment, payOffLoan and recordRecoveryPayment accept. Staff.' })
  paymentTypes(
    @Ctx() ctx: GraphQLContext,
    @Arg('includeInactive', () => Boolean, { defaultValue: false, description: 'Also the deactivated ones.' }) includeInactive: boolean,
  ): Promise<PaymentType[]> {
    return listPaymentTypes(ctx, includeInactive);
  }

  @Authorized('ADMIN')
  @Mutation(() => PaymentTypeType, { description: 'Adds a payment type. BAD_USER_INPUT names the field that breaks a rule; CONFLICT for a code that exists.' })
  createPaymentType(@Arg('input') input: CreatePaymentTypeInput, @Ctx() ctx: GraphQLContext): Promise<PaymentType> {
    return createPaymentType(ctx, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => PaymentTypeType, { description: 'Changes a payment type; `active: false` deactivates it (new payments naming it are refused). NOT_FOUND for an unknown code.' })
  updatePaymentType(@Arg('code') code: string, @Arg('input') input: UpdatePaymentTypeInput, @Ctx() ctx: GraphQLContext): Promise<PaymentType> {
    return updatePaymentType(ctx, code, input);
  }
}

@Resolver(() => TransactionType)
export class TransactionPaymentTypeResolver {
  @FieldResolver(() => PaymentTypeType, { nullable: true, description: 'The payment type `paymentType` names (batched per request); null without one.' })
  async paymentTypeDetails(@Root() tx: { type: string; paymentType?: string | null }, @Ctx() ctx: GraphQLContext): Promise<PaymentType | null> {
    // A REVERSAL row keeps its reason in the payment_type column: it names no payment type.
    if (!tx.paymentType || tx.type === 'REVERSAL') return null;
    return (await ctx.loaders.paymentType.load(tx.paymentType)) ?? null;
  }
}
