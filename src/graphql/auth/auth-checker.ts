import type { AuthChecker } from 'type-graphql';
import { DomainError } from '../../domain/errors';
import type { GraphQLContext } from '../context';

/**
 * `@Authorized()` = any signed-in user; `@Authorized('ADMIN', ...)` = one of those roles. Failures are
 * typed: UNAUTHENTICATED without a valid token, FORBIDDEN with the wrong role. Ownership (a customer
 * acting on their own data) is checked in the services, which know the record.
 */
export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  if (!context.actor.authenticated) throw new DomainError('UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <accessToken>');
  if (roles.length === 0) return true;
  if (!roles.some((r) => context.actor.roles.includes(r))) {
    throw new DomainError('FORBIDDEN', `Requires one of the roles ${roles.join(', ')}`);
  }
  return true;
};
