// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import * as kplus from 'cdk8s-plus-28';
import { addLibraryValidation, dnsSubdomain, ensure, invalid, Where, WorkloadsError } from '../kubernetes/validation';

/**
 * The name of an object passed where a name is accepted too: a cdk8s-plus resource (created in
 * the app or imported by name). Its kind is checked, since jsii callers in other languages are
 * not held to the static type.
 * @internal
 */
export function resourceName(where: Where, field: string, resource: kplus.IResource, kind: string): string {
  if (resource.kind !== kind) {
    invalid(where, field, `${resource.kind}/${resource.name}`, `must be a ${kind}`, `pass a ${kind}`);
  }
  return ensure(where, field, resource.name, dnsSubdomain);
}

/**
 * A key read from a ConfigMap or Secret created in this app (`kplus.ConfigMap`, `kplus.Secret`) must be one it holds,
 * or the pod fails to start (CreateContainerConfigError). Checked at synthesis, when the object is complete (data can be
 * added after the workload was built); objects imported by name are not ours to know.
 * @internal
 */
export function ensureKeyHeld(where: Where, field: string, resource: unknown, key: unknown, kind: 'ConfigMap' | 'Secret'): void {
  if (typeof where === 'string' || typeof key !== 'string') return;
  const keysOf = (): string[] | undefined => {
    // An object of the wrong kind is resourceName()'s error.
    if (kind === 'ConfigMap' && resource instanceof kplus.ConfigMap) return [...Object.keys(resource.data), ...Object.keys(resource.binaryData)];
    // A Secret tells only whether it holds a key, not which keys it holds.
    if (kind === 'Secret' && resource instanceof kplus.Secret) return resource.getStringData(key) !== undefined ? [key] : [];
    return undefined;
  };
  addLibraryValidation(where, 'INVALID_INPUT', () => {
    const keys = keysOf();
    if (keys === undefined || keys.includes(key)) return [];
    const name = (resource as kplus.IResource).name;
    const held = kind === 'ConfigMap' ? ` (it has ${keys.length > 0 ? keys.map((k) => JSON.stringify(k)).join(', ') : 'none'})` : '';
    return [WorkloadsError.input(where, field, key, {
      reason: `the ${kind} "${name}" of this app has no such key${held}, so the pod would fail to start`,
      fix: `use one of its keys, or add "${key}" to the ${kind}`,
    })];
  });
}
