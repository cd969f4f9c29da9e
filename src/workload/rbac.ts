// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { clusterScoped } from './cluster-scoped';
import { namespaceOf, objectMeta, WorkloadIdentity } from './identity';
import { reasonAnnotationKey } from '../kubernetes/metadata-keys';
import { ensure, ensureEach, invalid, nonEmpty, rbacName, statedReason, Where } from '../kubernetes/validation';

/** One least-privilege RBAC rule. Wildcards (`*`) need a stated reason: name what the workload needs. */
export interface PolicyRule {
  /** API groups, `""` for the core group (pods, services). */
  readonly apiGroups: string[];
  /** Resources, e.g. `pods`, `endpointslices`. */
  readonly resources: string[];
  /** Verbs, e.g. `get`, `list`, `watch`. */
  readonly verbs: string[];
  /** Restrict to these object names. @default - every object of the resources */
  readonly resourceNames?: string[];
  /**
   * Why the workload needs a risky grant: required for wildcards, for `bind`, `escalate` and `impersonate` (each
   * lets the holder gain permissions it was not given) and for reading Secrets cluster-wide. At
   * least 10 characters, not a placeholder; kept as an annotation on the role.
   * @default - no risky grant
   */
  readonly reason?: string;
}

/** Verbs that let the holder gain permissions beyond the rule itself. */
const ESCALATING_VERBS = ['bind', 'escalate', 'impersonate'];
const READ_VERBS = ['get', 'list', 'watch'];

/** The fields of a rule that hold the wildcard `*`. */
function wildcardsOf(rule: PolicyRule): Array<'apiGroups' | 'resources' | 'verbs'> {
  return (['apiGroups', 'resources', 'verbs'] as const).filter((k) => rule[k].includes('*'));
}

/** What makes a rule risky, or undefined. */
function riskOf(rule: PolicyRule, clusterWide: boolean, wildcards: readonly string[]): string | undefined {
  if (wildcards.length > 0) return `grants every one of its ${wildcards.join(' and ')} ("*")`;
  const escalating = rule.verbs.filter((v) => ESCALATING_VERBS.includes(v));
  if (escalating.length > 0) return `grants ${escalating.map((v) => `"${v}"`).join(', ')}, which lets the holder gain permissions it was not given`;
  const secrets = rule.apiGroups.includes('') && rule.resources.includes('secrets') && rule.verbs.some((v) => READ_VERBS.includes(v));
  if (secrets && clusterWide && !rule.resourceNames?.length) return 'reads every Secret of every namespace (cluster-wide), tokens and keys included';
  return undefined;
}

/** Annotations keeping the reasons of a role's risky rules (validated by {@link renderPolicyRules}). @internal */
function policyRuleReasons(rules: readonly PolicyRule[]): Record<string, string> {
  return Object.fromEntries(rules.flatMap((r, i) => r.reason === undefined ? [] : [[reasonAnnotationKey(`rules.${i}`), r.reason]]));
}

const VERBS = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'proxy', 'impersonate', 'bind', 'escalate', 'use']);

/** Validates and renders policy rules. @internal */
export function renderPolicyRules(where: Where, field: string, rules: readonly PolicyRule[], clusterWide: boolean = false): k8s.PolicyRule[] {
  return rules.map((r, i) => {
    const f = `${field}[${i}]`;
    if (r.resources.length === 0) invalid(where, `${f}.resources`, [], 'a rule needs at least one resource', 'name the resources, e.g. ["pods"]');
    if (r.verbs.length === 0) invalid(where, `${f}.verbs`, [], 'a rule needs at least one verb', 'name the verbs, e.g. ["get", "list", "watch"]');
    // A wildcard is a risky choice like the others: refused without a reason (at its own field), kept with one.
    const wildcards = wildcardsOf(r);
    for (const key of r.reason === undefined ? wildcards : []) {
      invalid(where, `${f}.${key}`, r[key], 'wildcards grant more than the workload needs, a risky choice that needs a stated reason', `list the ${key} explicitly, or give reason`);
    }
    ensureEach(`${f}.resources`, r.resources, (res, rf) => ensure(where, rf, res, nonEmpty));
    ensureEach(`${f}.verbs`, r.verbs, (verb, vf) => {
      if (!VERBS.has(verb)) invalid(where, vf, verb, 'is not a Kubernetes API verb', `use one of ${[...VERBS].join(', ')}`);
    });
    const risk = riskOf(r, clusterWide, wildcards);
    if (risk && r.reason === undefined && wildcards.length === 0) {
      invalid(where, `${f}.verbs`, r.verbs, `${risk}: a risky choice that needs a stated reason`, 'narrow the rule (resourceNames, a namespaced Role), or give reason');
    }
    if (!risk && r.reason !== undefined) invalid(where, `${f}.reason`, r.reason, 'the rule grants nothing risky, so there is nothing to justify', 'remove reason');
    if (r.reason !== undefined) ensure(where, `${f}.reason`, r.reason, statedReason);
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
  const rules = renderPolicyRules(scope, options.field, options.rules, true);
  const { namespace: _ns, ...clusterMeta } = objectMeta(identity, options.roleName);
  const reasons = policyRuleReasons(options.rules);
  const roleMeta = Object.keys(reasons).length > 0 ? { ...clusterMeta, annotations: { ...clusterMeta.annotations, ...reasons } } : clusterMeta;
  const role = clusterScoped(new k8s.KubeClusterRole(scope, 'ClusterRole', { metadata: roleMeta, rules }));
  const binding = clusterScoped(new k8s.KubeClusterRoleBinding(scope, 'ClusterRoleBinding', {
    metadata: clusterMeta,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: options.roleName },
    subjects: [{ kind: 'ServiceAccount', name: options.serviceAccountName, namespace: identity.namespace ?? namespaceOf(scope) }],
  }));
  return { role, binding };
}
