// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import * as kplus from 'cdk8s-plus-28';
import { dnsSubdomain, ensure, invalid, Where } from '../kubernetes/validation';

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
