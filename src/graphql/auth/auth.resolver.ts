import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Role } from '../../domain/roles';
import type { User } from '../../entities';
import {
  createStaffUser, getUser, listUsers, login, logout, refresh, register, setUserRoles, type AuthTokens,
} from '../../services/auth.service';
import { RoleEnum } from '../common/enums';
import type { GraphQLContext } from '../context';
import { CreateStaffUserInput, RegisterInput } from './auth.inputs';
import { AuthPayloadType, UserType } from './auth.type';

@Resolver(() => UserType)
export class AuthResolver {
  @Mutation(() => AuthPayloadType, { description: 'Borrower sign-up: creates the customer and its login. Public.' })
  register(@Arg('input') input: RegisterInput, @Ctx() ctx: GraphQLContext): Promise<AuthTokens> {
    return register(ctx, input);
  }

  @Mutation(() => AuthPayloadType, { description: 'Public. UNAUTHENTICATED for a wrong email or password.' })
  login(@Arg('email') email: string, @Arg('password') password: string, @Ctx() ctx: GraphQLContext): Promise<AuthTokens> {
    return login(ctx, email, password);
  }

  @Mutation(() => AuthPayloadType, { description: 'Rotates a refresh token. Public; the token is the credential.' })
  refreshToken(@Arg('refreshToken') token: string, @Ctx() ctx: GraphQLContext): Promise<AuthTokens> {
    return refresh(ctx, token);
  }

  @Mutation(() => Boolean, { description: "Revokes this login's refresh tokens. Public; idempotent." })
  logout(@Arg('refreshToken') token: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    return logout(ctx, token);
  }

  @Authorized()
  @Query(() => UserType, { description: 'The signed-in user.' })
  me(@Ctx() ctx: GraphQLContext): Promise<User> {
    return getUser(ctx, ctx.actor.id);
  }

  @Authorized('ADMIN')
  @Mutation(() => UserType)
  createStaffUser(@Arg('input') input: CreateStaffUserInput, @Ctx() ctx: GraphQLContext): Promise<User> {
    return createStaffUser(ctx, input);
  }

  @Authorized('ADMIN')
  @Mutation(() => UserType, { description: "Replaces a staff user's roles; `active: false` disables the login." })
  setUserRoles(
    @Arg('userId', () => ID) userId: string,
    @Arg('roles', () => [RoleEnum], { description: 'Staff roles only (CUSTOMER or SYSTEM: BAD_USER_INPUT).' }) roles: Role[],
    @Arg('active', () => Boolean, { nullable: true }) active: boolean | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<User> {
    return setUserRoles(ctx, userId, roles, active);
  }

  @Authorized('ADMIN')
  @Query(() => [UserType])
  users(@Ctx() ctx: GraphQLContext): Promise<User[]> {
    return listUsers(ctx);
  }

  @FieldResolver(() => ID, { nullable: true, description: 'For a CUSTOMER login: their Customer record (for applyForLoan, documents and filters).' })
  customerId(@Root() user: User): string | null {
    return user.customer?.id ?? null;
  }
}
