// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { reasonAnnotationKey } from '../../kubernetes/metadata-keys';
import {
  dnsLabel, dnsSubdomain, ensure, ensureEach, ensureLabels, ensureManagedLabelsKept, invalid, nonEmpty, rbacName, statedReason,
} from '../../kubernetes/validation';
import { addAppChecks } from '../../workload/app-index';
import { clusterScoped } from '../../workload/cluster-scoped';
import { MANAGED_BY, MANAGED_BY_LABEL, managedByLabel } from '../../workload/identity';

/** Properties of a {@link KubeletApiAccess}. */
export interface KubeletApiAccessProps {
  /** Name of the ClusterRoleBinding. @default - the construct id */
  readonly name?: string;
  /**
   * The user the kube-apiserver authenticates as when it calls kubelets: the common name (CN) of
   * its `--kubelet-client-certificate`. `kubernetes` in the tutorial's binary install.
   * @default "kubernetes"
   */
  readonly userName?: string;
  /** Labels of the binding. @default - none */
  readonly labels?: Record<string, string>;
  /**
   * Groups also granted the kubelet API (exec into and read logs of every pod on every node). A risky
   * choice: needs `reason`. Groups that stand for anyone (`system:authenticated`, ...) are rejected.
   * @default - none
   */
  readonly groups?: string[];
  /** ServiceAccounts also granted the kubelet API. A risky choice: needs `reason`. @default - none */
  readonly serviceAccounts?: KubeletApiServiceAccount[];
  /**
   * Why groups or ServiceAccounts need the kubelet API (at least 10 characters, not a placeholder);
   * kept as an annotation on the binding. Required with `groups` or `serviceAccounts`.
   * @default - only the API server's own user is granted
   */
  readonly reason?: string;
}

/** A ServiceAccount granted the kubelet API. */
export interface KubeletApiServiceAccount {
  /** Name of the ServiceAccount. */
  readonly name: string;
  /** Its namespace. */
  readonly namespace: string;
}

/** The built-in ClusterRole with exactly the kubelet API (nodes/proxy, nodes/log, nodes/metrics, ...). */
export const KUBELET_API_ADMIN_ROLE = 'system:kubelet-api-admin';

/** Identities that stand for "anyone": binding them to anything hands it to whoever reaches the API. */
const ANYONE = new Set(['system:anonymous', 'system:unauthenticated', 'system:authenticated']);

/**
 * Lets the kube-apiserver reach the kubelet API, so `kubectl logs`, `exec`, `attach` and
 * `port-forward` work on clusters installed by hand.
 *
 * Why: for those commands the kube-apiserver calls the kubelet, authenticating with its client
 * certificate (`--kubelet-client-certificate`, CN=`kubernetes` in the tutorial). A kubelet in webhook
 * authorization mode asks the API server whether that user may `get nodes/proxy`; with no binding
 * the answer is no, and kubectl reports
 * `Forbidden (user=kubernetes, verb=get, resource=nodes, subresource=proxy)`.
 *
 * The tutorial "fixes" this by binding `system:anonymous` to `cluster-admin`, which hands the whole
 * cluster to anyone who can reach the API server. This binds the built-in
 * `system:kubelet-api-admin` ClusterRole, which covers the kubelet API and nothing else, to the API
 * server's own identity. Identities that mean "anyone" are rejected.
 */
export class KubeletApiAccess extends Construct {
  /** The ClusterRoleBinding. */
  public readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  /** Name of the ClusterRoleBinding. */
  public readonly name: string;
  /** The user granted the kubelet API. */
  public readonly userName: string;

  constructor(scope: Construct, id: string, props: KubeletApiAccessProps = {}) {
    super(scope, id);
    addAppChecks(this);
    this.name = ensure(this, props.name === undefined ? 'name (from the construct id)' : 'name', props.name ?? id, rbacName);
    this.userName = ensure(this, 'userName', props.userName ?? 'kubernetes', nonEmpty);
    if (ANYONE.has(this.userName)) {
      invalid(this, 'userName', this.userName, 'stands for every client, so the kubelet API (exec into any pod) would be open to anyone who reaches the API server',
        'use the CN of the kube-apiserver\'s --kubelet-client-certificate, e.g. "kubernetes"');
    }
    // Kubernetes authenticates a ServiceAccount token as the user `system:serviceaccount:<ns>:<name>`: granting that
    // user is granting the ServiceAccount, and needs the same reason as serviceAccounts.
    const userIsServiceAccount = typeof this.userName === 'string' && this.userName.startsWith('system:serviceaccount:');
    if (typeof this.userName === 'string' && /^system:(serviceaccounts(:|$)|nodes$|masters$)/.test(this.userName)) {
      invalid(this, 'userName', this.userName, 'is a group name (it would bind a user of that name, not the group)',
        'name the group in groups, with reason, or give the CN of the kube-apiserver\'s --kubelet-client-certificate');
    }
    const groups = props.groups ?? [];
    const accounts = props.serviceAccounts ?? [];
    ensureEach('groups', groups, (g, f) => {
      ensure(this, f, g, nonEmpty);
      if (ANYONE.has(g)) invalid(this, f, g, 'stands for every client, so the kubelet API would be open to anyone who reaches the API server', 'name the group that needs it');
    });
    ensureEach('serviceAccounts', accounts, (a, f) => {
      ensure(this, `${f}.name`, a.name, dnsSubdomain);
      ensure(this, `${f}.namespace`, a.namespace, dnsLabel);
    });
    const widened = groups.length + accounts.length > 0 || userIsServiceAccount;
    if (widened && props.reason === undefined) {
      const [field, value] = groups.length > 0 ? ['groups', groups]
        : accounts.length > 0 ? ['serviceAccounts', accounts.map((a) => `${a.namespace}/${a.name}`)] : ['userName', this.userName];
      invalid(this, field, value,
        'grants the kubelet API (exec into and read logs of every pod on every node) beyond the API server, a risky choice that needs a stated reason',
        'grant it only to the API server (the default), or give reason');
    }
    if (!widened && props.reason !== undefined) invalid(this, 'reason', props.reason, 'only the API server is granted, so there is nothing to justify', 'remove reason');
    if (props.reason !== undefined) ensure(this, 'reason', props.reason, statedReason);
    ensureLabels(this, 'labels', props.labels);
    ensureManagedLabelsKept(this, 'labels', props.labels, managedByLabel());
    this.clusterRoleBinding = clusterScoped(new k8s.KubeClusterRoleBinding(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: { ...props.labels, [MANAGED_BY_LABEL]: MANAGED_BY },
        annotations: props.reason !== undefined ? { [reasonAnnotationKey('kubelet-api-subjects')]: props.reason } : undefined,
      },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: KUBELET_API_ADMIN_ROLE },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: this.userName },
        ...groups.map((name) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name })),
        ...accounts.map((a) => ({ kind: 'ServiceAccount', name: a.name, namespace: a.namespace })),
      ],
    }));
  }
}
