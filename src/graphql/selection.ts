import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the query selects `name` directly under the field being resolved (through fragments too), so
 * a resolver can skip work nobody asked for (e.g. `loans { totalCount }`'s count statement).
 */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined): boolean => !!set && set.selections.some((s) => {
    if (s.kind === Kind.FIELD) return s.name.value === name;
    if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet);
    const fragment = info.fragments[s.name.value];
    return !!fragment && visit(fragment.selectionSet);
  });
  return info.fieldNodes.some((node) => visit(node.selectionSet));
}
