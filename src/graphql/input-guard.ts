import type { MiddlewareFn } from 'type-graphql';
import { assertStorableInput } from '../domain/text';

/**
 * Validate at the edge, once: every argument of every field (queries, mutations, subscriptions) is
 * checked for strings that could never be stored — NUL, unpaired surrogates, absurd lengths — before
 * any resolver, service, write or workflow call sees it. BAD_USER_INPUT names the argument path.
 */
export const inputGuard: MiddlewareFn = ({ args }, next) => {
  for (const key in args) assertStorableInput(key, args[key]);
  return next();
};
