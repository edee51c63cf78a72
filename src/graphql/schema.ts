import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth/auth-checker';
import { AuthResolver } from './auth/auth.resolver';
import { CustomerResolver } from './customers/customer.resolver';
import { LoanResolver } from './loans/loan.resolver';
import { OriginationResolver } from './origination/origination.resolver';
import { LoanProductResolver } from './products/loan-product.resolver';
import { ScheduleResolver } from './schedule/schedule.resolver';
import { DateTimeScalar } from './scalars';

export const RESOLVERS = [AuthResolver, CustomerResolver, LoanProductResolver, LoanResolver, OriginationResolver, ScheduleResolver] as const;

export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    // class-validator runs on every input; failures become BAD_USER_INPUT naming the field.
    validate: { forbidUnknownValues: false },
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    emitSchemaFile: false,
    authChecker,
  });
}
