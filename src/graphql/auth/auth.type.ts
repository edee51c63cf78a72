import { Field, ID, ObjectType } from 'type-graphql';
import type { Role } from '../../domain/roles';
import { RoleEnum } from '../common/enums';
import { DateTimeScalar } from '../scalars';

@ObjectType('User', { description: 'A login: staff with roles, or a customer.' })
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field(() => [RoleEnum])
  roles!: Role[];

  @Field()
  active!: boolean;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType('AuthPayload', { description: 'Tokens after register, login or refresh.' })
export class AuthPayloadType {
  @Field({ description: 'Send as `Authorization: Bearer <accessToken>`; valid for 15 minutes.' })
  accessToken!: string;

  @Field(() => DateTimeScalar)
  accessTokenExpiresAt!: Date;

  @Field({ description: 'Exchange once for new tokens with `refreshToken`; reusing it revokes the login.' })
  refreshToken!: string;

  @Field(() => UserType)
  user!: UserType;
}
