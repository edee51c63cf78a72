import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Charge } from '../../entities';
import { createCharge, getCharge, listCharges } from '../../services/charge.service';
import type { GraphQLContext } from '../context';
import { CreateChargeInput } from './charge.inputs';
import { ChargeType } from './charge.type';

@Resolver(() => ChargeType)
export class ChargeResolver {
  @Authorized('ADMIN')
  @Mutation(() => ChargeType, { description: 'Defines a loan charge (fee or penalty). BAD_USER_INPUT names the field that breaks a rule; CONFLICT for a taken name.' })
  createCharge(@Arg('input') input: CreateChargeInput, @Ctx() ctx: GraphQLContext): Promise<Charge> {
    return createCharge(ctx, input);
  }

  @Authorized()
  @Query(() => ChargeType)
  charge(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Charge> {
    return getCharge(ctx, id);
  }

  @Authorized()
  @Query(() => [ChargeType], { description: 'All charge definitions, by name.' })
  charges(@Ctx() ctx: GraphQLContext): Promise<Charge[]> {
    return listCharges(ctx);
  }
}
