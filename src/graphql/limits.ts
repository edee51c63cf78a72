import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  BREAK,
  GraphQLError,
  Kind,
  visit,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { AppConfig } from '../config';
import type { GraphQLContext } from './context';

/** Rejects operations nested deeper than `max` fields (stops cyclic loan → customer → loans → ... queries). */
export function depthLimitRule(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (set: SelectionSetNode | undefined, depth: number, seen: Set<string>): number => {
      if (!set) return depth;
      let deepest = depth;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, depthOf(sel.selectionSet, depth + 1, seen));
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(sel.selectionSet, depth, seen));
        } else {
          const name = sel.name.value;
          if (seen.has(name)) continue;
          deepest = Math.max(deepest, depthOf(fragments.get(name)?.selectionSet, depth, new Set([...seen, name])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node: OperationDefinitionNode) {
        const depth = depthOf(node.selectionSet, 0, new Set());
        if (depth > max) {
          context.reportError(
            new GraphQLError(`Query depth ${depth} exceeds the maximum of ${max}`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          );
        }
      },
    };
  };
}

/** The complexity of an operation, or the client's input error (getComplexity coerces the variables first). */
export function operationComplexity(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string, installmentCost = 4): number {
  try {
    return getComplexity({
      schema,
      query: document,
      operationName,
      variables,
      estimators: [scheduleEstimator(installmentCost), fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (err) {
    throw clientError((err as Error).message, 'BAD_USER_INPUT');
  }
}

/** Fields that compute a repayment schedule: their work grows with the installments asked for. */
const SCHEDULE_FIELDS = new Set(['loanSchedulePreview', 'loanProductSchedulePreview']);

/** A schedule preview costs `installmentCost` per requested installment, on top of its selection. */
export function scheduleEstimator(installmentCost: number): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    if (!SCHEDULE_FIELDS.has(field.name)) return undefined;
    const n = Number((args.terms as { numberOfRepayments?: unknown } | undefined)?.numberOfRepayments);
    return 1 + childComplexity + (Number.isFinite(n) && n > 0 ? Math.ceil(n) : 1) * installmentCost;
  };
}

/** A request error that is the client's fault: HTTP 400 (not Apollo's 500 for a plugin's throw). */
function clientError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/** Throws QUERY_TOO_COMPLEX (400) when the operation's estimated cost is over `max`. */
export function assertComplexity(complexity: number, max: number): void {
  if (complexity > max) throw clientError(`Query complexity ${complexity} exceeds the maximum of ${max}`, 'QUERY_TOO_COMPLEX');
}

function usesIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Anonymous introspection is off unless GRAPHQL_ANONYMOUS_INTROSPECTION=true (`__typename` is always fine). */
export function assertIntrospectionAllowed(document: DocumentNode, authenticated: boolean, anonymousAllowed: boolean): void {
  if (!authenticated && !anonymousAllowed && usesIntrospection(document)) {
    throw clientError('Introspection is disabled for anonymous requests; sign in first', 'INTROSPECTION_DISABLED');
  }
}

/**
 * graphql-armor's alias and directive limits as validation rules (the token limit is a parse option,
 * depth is depthLimitRule, cost is the complexity plugin): the same list on HTTP and WebSocket.
 */
export function armorValidationRules(config: AppConfig): ValidationRule[] {
  const armor = new ApolloArmor({
    maxAliases: { n: config.graphql.maxAliases },
    maxDirectives: { n: config.graphql.maxDirectives },
    maxTokens: { enabled: false },
    maxDepth: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  return armor.protect().validationRules as ValidationRule[];
}

/**
 * The variables as far as an estimate can depend on them: strings (ids, dates, names) are blanked, numbers
 * (`first`, `numberOfRepayments`) and booleans (`@include(if:)`) kept. No estimator reads a string.
 */
function costKey(operationName: string | undefined, variables: Record<string, unknown>): string {
  return `${operationName ?? ''}\u0000${JSON.stringify(variables, (_k, v: unknown) => (typeof v === 'string' ? '' : v))}`;
}

/** Results kept per document: enough for the few `first` values a client uses, bounded against one that varies it. */
const COSTS_PER_DOCUMENT = 64;

/**
 * Estimates the cost of each operation before it runs; list fields declare their cost by `first`.
 * Apollo hands the same parsed document to every request with the same query text, so the estimate (a
 * walk of the whole document with TypeInfo, ~5 % of a `loan(id)` read) is computed once per document and
 * variable shape; a failed estimate (bad variables) is never kept.
 */
export function complexityLimitPlugin(max: number, anonymousIntrospection = false, installmentCost = 4): ApolloServerPlugin<GraphQLContext> {
  const introspects = new WeakMap<DocumentNode, boolean>();
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, contextValue }) {
          let introspection = introspects.get(document);
          if (introspection === undefined) introspects.set(document, (introspection = usesIntrospection(document)));
          if (introspection) assertIntrospectionAllowed(document, contextValue.actor.authenticated, anonymousIntrospection);
          const variables = request.variables ?? {};
          const operationName = request.operationName ?? undefined;
          let known = costs.get(document);
          if (!known) costs.set(document, (known = new Map()));
          const key = costKey(operationName, variables);
          let cost = known.get(key);
          if (cost === undefined) {
            cost = operationComplexity(schema, document, variables, operationName, installmentCost);
            if (known.size >= COSTS_PER_DOCUMENT) known.clear();
            known.set(key, cost);
          }
          assertComplexity(cost, max);
        },
      };
    },
  };
}
