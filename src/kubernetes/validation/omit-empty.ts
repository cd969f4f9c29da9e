// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
// The API server drops empty lists and maps (their Go fields are `omitempty`), so a manifest that
// renders `env: []` or `nodeSelector: {}` differs from the live object forever in a GitOps diff.
// Renderers pass optional lists and maps through these to leave them out instead.

/** The list, or `undefined` when it is empty or unset. */
export function nonEmptyList<T>(list: readonly T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? [...list] : undefined;
}

/** The map, or `undefined` when it has no entries or is unset. */
export function nonEmptyMap<T>(map: Readonly<Record<string, T>> | undefined): Record<string, T> | undefined {
  return map && Object.keys(map).length > 0 ? { ...map } : undefined;
}
