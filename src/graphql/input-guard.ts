import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
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

/**
 * Installs the same check on every field of the schema that takes arguments (queries, mutations,
 * subscriptions, and arguments of nested fields such as `payoffQuote(date)`), in front of its resolver.
 * Used instead of `globalMiddlewares: [inputGuard]`: type-graphql wraps EVERY field of every object in
 * a global middleware, an async chain of promises per leaf value; on a loan read with its schedule and
 * transactions that was most of the GraphQL execution time. Fields without arguments have nothing to
 * check and keep graphql-js's synchronous default resolver. The check now runs before @Authorized.
 */
export function guardArguments(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const guarded = (inner: GraphQLFieldResolver<unknown, unknown>): GraphQLFieldResolver<unknown, unknown> => (root, args: Record<string, unknown>, ctx, info) => {
        for (const key in args) assertStorableInput(key, args[key]);
        return inner(root, args, ctx, info);
      };
      field.resolve = guarded(field.resolve ?? defaultFieldResolver);
      if (field.subscribe) field.subscribe = guarded(field.subscribe);
    }
  }
  return schema;
}
