import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the query selects `name` directly under the field being resolved (through fragments too), so
 * a resolver can skip work nobody asked for (e.g. `loans { totalCount }`'s count statement).
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  return selectsPath(info, [name]);
}

/** As selectsField, for a field further down: e.g. `['edges', 'node', 'origination']` under a connection. */
export function selectsPath(info: GraphQLResolveInfo, path: string[]): boolean {
  const visit = (set: SelectionSetNode | undefined, [name, ...rest]: string[]): boolean => !!set && set.selections.some((s) => {
    if (s.kind === Kind.FIELD) return s.name.value === name && (rest.length === 0 || visit(s.selectionSet, rest));
    if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet, [name, ...rest]);
    const fragment = info.fragments[s.name.value];
    return !!fragment && visit(fragment.selectionSet, [name, ...rest]);
  });
  return info.fieldNodes.some((node) => visit(node.selectionSet, path));
}
