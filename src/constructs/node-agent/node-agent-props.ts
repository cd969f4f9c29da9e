// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
// The node agent's props, update strategy and defaults: shared by the construct and its presets
// (node-agent.ts and presets.ts both import this file; it imports neither).
import { k8s } from 'cdk8s-plus-28';
import { invalid, ownInstance, Where } from '../../kubernetes/validation';
import { PodMountPropagation } from '../../pod/container';
import { HostAccess } from '../../pod/host-access';
import { PodTemplateProps } from '../../pod/template';
import { HostPathType } from '../../pod/volume';
import { WorkloadIdentityProps } from '../../workload/identity';
import { ensureRollingProgress, IntOrPercent } from '../../workload/int-or-percent';
import { PolicyRule } from '../../workload/rbac';
/** The PriorityClass node agents get unless told otherwise (built into every cluster). */
export const NODE_CRITICAL_PRIORITY_CLASS = 'system-node-critical';
/**
 * The priority classes a cluster may limit to namespaces with a ResourceQuota scoped to them (GKE does,
 * by default, outside kube-system): see {@link NodeAgentProps.priorityQuota}.
 */
export const CRITICAL_PRIORITY_CLASSES: readonly string[] = ['system-node-critical', 'system-cluster-critical'];
/** The node selector node agents get unless told otherwise: Linux images do not start on Windows nodes. */
export const LINUX_NODE_SELECTOR: Record<string, string> = { 'kubernetes.io/os': 'linux' };

/** Options of a rolling update of a node agent. */
export interface NodeAgentRollingUpdateOptions {
  /**
   * Nodes whose agent may be down at once during a rollout. A DaemonSet takes either this or
   * `maxSurge`, never both non-zero (the API server rejects that).
   * @default - IntOrPercent.count(1), or IntOrPercent.count(0) when maxSurge is non-zero
   */
  readonly maxUnavailable?: IntOrPercent;
  /**
   * Nodes that may briefly run the old and the new agent side by side. Exclusive with a non-zero
   * `maxUnavailable`. Not possible with host ports (the new pod could not bind them), so it is
   * rejected for such agents.
   * @default IntOrPercent.count(0)
   */
  readonly maxSurge?: IntOrPercent;
}

type StrategyKind =
  | { readonly kind: 'RollingUpdate'; readonly options: NodeAgentRollingUpdateOptions }
  | { readonly kind: 'OnDelete' };

/** How a node agent's pods are replaced when its template changes. */
export class NodeAgentUpdateStrategy {
  /** Replace pods node by node (Kubernetes' default: one node at a time, no surge). */
  public static rollingUpdate(options: NodeAgentRollingUpdateOptions = {}): NodeAgentUpdateStrategy {
    return new NodeAgentUpdateStrategy({ kind: 'RollingUpdate', options });
  }

  /** Replace a pod only when someone deletes it (for agents whose restart must be scheduled by hand). */
  public static onDelete(): NodeAgentUpdateStrategy {
    return new NodeAgentUpdateStrategy({ kind: 'OnDelete' });
  }

  private constructor(private readonly spec: StrategyKind) {}

  /** The strategy type, `RollingUpdate` or `OnDelete`. */
  public get strategyType(): string {
    return this.spec.kind;
  }

  /** Surge allowed by this strategy (zero for OnDelete). @internal */
  public get _surges(): boolean {
    return this.spec.kind === 'RollingUpdate' && !(this.spec.options.maxSurge?.isZero ?? true);
  }

  /** @internal */
  public _render(where: Where, field: string): k8s.DaemonSetUpdateStrategy {
    if (this.spec.kind === 'OnDelete') return { type: 'OnDelete' };
    const maxSurge = ownInstance(where, `${field}.maxSurge`, this.spec.options.maxSurge, IntOrPercent, 'IntOrPercent.count(1)') ?? IntOrPercent.count(0);
    // A DaemonSet surges or takes nodes down, not both: the API server rejects two non-zero values.
    const maxUnavailable = ownInstance(where, `${field}.maxUnavailable`, this.spec.options.maxUnavailable, IntOrPercent, 'IntOrPercent.count(1)')
      ?? IntOrPercent.count(maxSurge.isZero ? 1 : 0);
    const rollingUpdate = {
      maxUnavailable: maxUnavailable._render(where, `${field}.maxUnavailable`),
      maxSurge: maxSurge._render(where, `${field}.maxSurge`),
    };
    if (!maxSurge.isZero && !maxUnavailable.isZero) {
      invalid(where, `${field}.maxSurge`, maxSurge.toString(), `a DaemonSet may not surge while maxUnavailable is non-zero ("${maxUnavailable}")`,
        'set maxUnavailable to IntOrPercent.count(0) (or leave it unset) to surge, or drop maxSurge');
    }
    ensureRollingProgress(where, maxSurge, maxUnavailable, `${field}.`);
    return { type: 'RollingUpdate', rollingUpdate };
  }
}

/** A directory or file of the node mounted into the agent's containers. */
export interface HostMount {
  /** Name of the pod volume (DNS-1123 label, unique among the pod's volumes). */
  readonly name: string;
  /** Absolute path on the node. */
  readonly hostPath: string;
  /** Absolute path in the container(s). */
  readonly mountPath: string;
  /** Mount read-only. Writable host mounts let a compromised agent change the node. @default true */
  readonly readOnly?: boolean;
  /**
   * Why the agent writes this host path, required when a sensitive path (`/`, `/etc`, `/proc`, `/sys`,
   * `/dev`, `/var/lib/kubelet`, the container runtime's socket, ...) is mounted with `readOnly: false`.
   * At least 10 characters, not a placeholder; kept as an annotation on the pods.
   * @default - sensitive paths are mounted read-only
   */
  readonly reason?: string;
  /** What kubelet checks before mounting. @default HostPathType.UNSET (no check) */
  readonly pathType?: HostPathType;
  /** Whether mounts made on the host later show up in the container. @default - Kubernetes' default (None) */
  readonly propagation?: PodMountPropagation;
  /** Names of the containers that get the mount (init containers may be named too). @default - every container (not init containers) */
  readonly containers?: string[];
}

/** The metrics Service of a node agent, annotated for Prometheus' annotation-based discovery. */
export interface NodeAgentMetricsOptions {
  /** Container port that serves metrics (also the Service port). */
  readonly port: number;
  /** HTTP path of the metrics. @default "/metrics" */
  readonly path?: string;
  /** Name of the Service. @default - the agent's name */
  readonly name?: string;
}

/** Properties of a {@link NodeAgent}. */
export interface NodeAgentProps extends WorkloadIdentityProps, PodTemplateProps {
  /**
   * Tolerate every taint (`operator: Exists`), control-plane and NoExecute taints included, so the
   * agent runs on every node. Exclusive with `tolerations`.
   * @default false
   */
  readonly tolerateAllTaints?: boolean;
  /**
   * Run at `system-node-critical` priority (unless `priorityClassName` names another class), so the
   * agent is scheduled and kept even on full nodes. `false` leaves the cluster's default priority.
   * @default true
   */
  readonly nodeCritical?: boolean;
  /**
   * Render a ResourceQuota in the agent's namespace, scoped to the pods' PriorityClass, that limits
   * nothing in practice (1G pods). Clusters that limit the critical priority classes (GKE, by default,
   * everywhere but kube-system) admit such pods only in namespaces with a quota covering that scope;
   * without one the DaemonSet creates no pods. Needs a priority class (nodeCritical or priorityClassName).
   * @default false (the presets: true when they run at a critical class outside kube-system)
   */
  readonly priorityQuota?: boolean;
  /** How pods are replaced on each node when the template changes. @default NodeAgentUpdateStrategy.rollingUpdate() (maxUnavailable 1, maxSurge 0) */
  readonly updateStrategy?: NodeAgentUpdateStrategy;
  /** Seconds a new pod must be ready before the rollout moves on. @default - Kubernetes' default (0) */
  readonly minReadySeconds?: number;
  /** Old ControllerRevisions kept for rollback. @default - Kubernetes' default (10) */
  readonly revisionHistoryLimit?: number;
  /**
   * Use the node's network namespace: container ports bind on the node. Sets dnsPolicy
   * ClusterFirstWithHostNet unless `dnsPolicy` is given. A risky choice:
   * `HostAccess.granted({ reason })`, the reason kept as an annotation on the pods.
   * @default - the pod's own network namespace
   */
  readonly hostNetwork?: HostAccess;
  /**
   * Share the node's process namespace (see and signal every process on the node):
   * `HostAccess.granted({ reason })`.
   * @default - the pod's own process namespace
   */
  readonly hostPid?: HostAccess;
  /** Share the node's IPC namespace: `HostAccess.granted({ reason })`. @default - the pod's own IPC namespace */
  readonly hostIpc?: HostAccess;
  /** Node directories and files mounted into the containers (read-only unless said otherwise). @default - none */
  readonly hostMounts?: HostMount[];
  /**
   * API permissions of the agent, granted cluster-wide through a ClusterRole and a
   * ClusterRoleBinding to its ServiceAccount; also mounts the API token.
   * @default - no API access, no token
   */
  readonly rules?: PolicyRule[];
  /** Name of the ClusterRole and ClusterRoleBinding (cluster-wide names). @default - the agent's name */
  readonly clusterRoleName?: string;
  /** A Service that Prometheus discovers through `prometheus.io/*` annotations. @default - none */
  readonly metricsService?: NodeAgentMetricsOptions;
}
