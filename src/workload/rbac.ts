import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ensure, ensureEach, invalid, nonEmpty, rbacName, Where } from '../validation';
import { clusterScoped } from './cluster-scoped';
import { objectMeta, WorkloadIdentity } from './identity';

/** One least-privilege RBAC rule. Wildcards (`*`) are rejected: name what the workload needs. */
export interface PolicyRule {
  /** API groups, `""` for the core group (pods, services). */
  readonly apiGroups: string[];
  /** Resources, e.g. `pods`, `endpointslices`. */
  readonly resources: string[];
  /** Verbs, e.g. `get`, `list`, `watch`. */
  readonly verbs: string[];
  /** Restrict to these object names. @default - every object of the resources */
  readonly resourceNames?: string[];
}

const VERBS = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'proxy', 'impersonate', 'bind', 'escalate', 'use']);

/** Validates and renders policy rules. @internal */
export function renderPolicyRules(where: Where, field: string, rules: readonly PolicyRule[]): k8s.PolicyRule[] {
  return rules.map((r, i) => {
    const f = `${field}[${i}]`;
    if (r.resources.length === 0) invalid(where, `${f}.resources`, [], 'a rule needs at least one resource', 'name the resources, e.g. ["pods"]');
    if (r.verbs.length === 0) invalid(where, `${f}.verbs`, [], 'a rule needs at least one verb', 'name the verbs, e.g. ["get", "list", "watch"]');
    for (const [key, values] of [['apiGroups', r.apiGroups], ['resources', r.resources], ['verbs', r.verbs]] as const) {
      if (values.includes('*')) invalid(where, `${f}.${key}`, values, 'wildcards grant more than the workload needs', `list the ${key} explicitly`);
    }
    ensureEach(`${f}.resources`, r.resources, (res, rf) => ensure(where, rf, res, nonEmpty));
    ensureEach(`${f}.verbs`, r.verbs, (verb, vf) => {
      if (!VERBS.has(verb)) invalid(where, vf, verb, 'is not a Kubernetes API verb', `use one of ${[...VERBS].join(', ')}`);
    });
    return {
      apiGroups: [...r.apiGroups],
      resources: [...r.resources],
      verbs: [...r.verbs],
      resourceNames: r.resourceNames ? [...r.resourceNames] : undefined,
    };
  });
}

/** A ServiceAccount for a workload. @internal */
export function addServiceAccount(scope: Construct, id: string, identity: WorkloadIdentity, name: string = identity.name): k8s.KubeServiceAccount {
  return new k8s.KubeServiceAccount(scope, id, { metadata: objectMeta(identity, name) });
}

/**
 * A ClusterRole with the given rules and a ClusterRoleBinding granting it to a ServiceAccount.
 * @internal
 */
export function addClusterRoleForServiceAccount(scope: Construct, identity: WorkloadIdentity, options: {
  readonly roleName: string;
  readonly serviceAccountName: string;
  readonly rules: readonly PolicyRule[];
  /** Prop name of the rules in error messages. */
  readonly field: string;
  /** Prop name of the role name in error messages (the user's prop, or the one it derives from). */
  readonly nameField: string;
}): { role: k8s.KubeClusterRole; binding: k8s.KubeClusterRoleBinding } {
  ensure(scope, options.nameField, options.roleName, rbacName);
  const rules = renderPolicyRules(scope, options.field, options.rules);
  const { namespace: _ns, ...clusterMeta } = objectMeta(identity, options.roleName);
  const role = clusterScoped(new k8s.KubeClusterRole(scope, 'ClusterRole', { metadata: clusterMeta, rules }));
  const binding = clusterScoped(new k8s.KubeClusterRoleBinding(scope, 'ClusterRoleBinding', {
    metadata: clusterMeta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: options.roleName },
    subjects: [{ kind: 'ServiceAccount', name: options.serviceAccountName, namespace: identity.namespace ?? namespaceOf(scope) }],
  }));
  return { role, binding };
}

/** The namespace objects in this scope land in: the chart's, or "default". @internal */
export function namespaceOf(scope: Construct): string {
  // Chart.of() would import cdk8s here; the chart's namespace is what ApiObjects inherit.
  let s: Construct | undefined = scope;
  while (s) {
    const ns = (s as unknown as { namespace?: string }).namespace;
    if (typeof ns === 'string') return ns;
    s = s.node.scope as Construct | undefined;
  }
  return 'default';
}
