// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LINUX_NODE_SELECTOR, NODE_CRITICAL_PRIORITY_CLASS, NodeAgentMetricsOptions, NodeAgentProps, NodeAgentUpdateStrategy } from './node-agent-props';
import { addLogCollectorConfig, LogCollectorOptions, logCollectorPlan, NodeExporterOptions, nodeExporterProps } from './presets';
import { reasonAnnotationKey } from '../../kubernetes/metadata-keys';
import {
  absolutePath, dnsLabel, dnsSubdomain, ensure, ensureEach, ensureList, ensureOptional, invalid, isSensitiveHostPath,
  nonNegativeInt, statedReason, Where,
} from '../../kubernetes/validation';
import { PodContainerProps, PortProtocol, PodVolumeMount } from '../../pod/container';
import { hostAccessReason } from '../../pod/host-access';
import { TolerationOperator } from '../../pod/scheduling';
import { buildPodTemplate, hostPathRisk, PodDnsPolicy, PodTemplateProps, podPorts } from '../../pod/template';
import { HostPathType, PodVolume } from '../../pod/volume';
import { AppIndex, pushTo, recordWorkload } from '../../workload/app-index';
import { objectMeta, WorkloadIdentity } from '../../workload/identity';
import { addClusterRoleForServiceAccount, addServiceAccount, PolicyRule } from '../../workload/rbac';
import { addService } from '../../workload/service';
import { PodWorkloadBase } from '../../workload/workload-base';

const NODE_AGENTS = Symbol('NodeAgent');
const HOST_PORTS = Symbol('NodeAgent.hostPorts');
const FOREIGN_HOST_PORTS = Symbol('NodeAgent.foreignHostPorts');


/** A port a node agent binds on every node it runs on. */
interface HostPortUse {
  readonly key: string;
  readonly field: string;
}

/**
 * A per-node agent: an `apps/v1` DaemonSet with its ServiceAccount, optional cluster-wide RBAC and
 * an optional metrics Service. Host access (host network, PID and IPC namespaces, host paths, host
 * ports) is always an explicit opt-in, host paths are read-only by default, and the selector comes
 * from stable labels, never from the construct path.
 *
 * Presets for the agents every cluster runs: {@link NodeAgent.nodeExporter} and
 * {@link NodeAgent.logCollector}.
 */
export class NodeAgent extends PodWorkloadBase {
  /**
   * A Prometheus node exporter, as the prometheus-community `prometheus-node-exporter` chart runs it:
   * host `/proc`, `/sys` and `/` read-only under `/host`, host network and PID namespace, user 65534,
   * port 9100 with a metrics Service. It carries the PolicyPlugin suppressions for that host access,
   * with their reasons, keeps off Fargate and virtual-kubelet nodes, and renders the ResourceQuota that
   * admits `system-node-critical` outside kube-system (docs/presets.md).
   */
  public static nodeExporter(scope: Construct, id: string, options: NodeExporterOptions = {}): NodeAgent {
    return new NodeAgent(scope, id, nodeExporterProps(scope, id, options));
  }

  /**
   * A Fluent Bit log collector, as the fluent `fluent-bit` chart runs it: `/var/log` read-only,
   * get/list/watch on pods and namespaces, and root, because container logs on the node belong to
   * root; a writable state directory (emptyDir unless told otherwise), Secret-sourced environment,
   * extra volumes, and optionally the kubelet journal and Docker's log directory. Renders its
   * configuration as a ConfigMap (docs/presets.md).
   */
  public static logCollector(scope: Construct, id: string, options: LogCollectorOptions = {}): NodeAgent {
    const plan = logCollectorPlan(scope, id, options);
    const agent = new NodeAgent(scope, id, plan.props);
    // The pods mount the ConfigMap, so it goes first in the manifest.
    agent.daemonSet.node.addDependency(addLogCollectorConfig(agent, agent._identity, plan));
    return agent;
  }

  /** The DaemonSet. */
  public readonly daemonSet: k8s.KubeDaemonSet;
  /** The ServiceAccount the pods run as. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The ClusterRole, when `rules` were given. */
  public readonly clusterRole?: k8s.KubeClusterRole;
  /** The ClusterRoleBinding, when `rules` were given. */
  public readonly clusterRoleBinding?: k8s.KubeClusterRoleBinding;
  /** The metrics Service, when `metricsService` was given. */
  public readonly metricsService?: k8s.KubeService;
  /** The ResourceQuota that admits the pods' priority class, when `priorityQuota` is set. */
  public readonly priorityQuota?: k8s.KubeResourceQuota;
  /** Name of the DaemonSet. */
  public readonly name: string;
  /** Namespace given in the props. @default - the chart's */
  public readonly namespace?: string;
  /** Name of the ServiceAccount. */
  public readonly serviceAccountName: string;
  /**
   * Ports bound on every node (`9100/TCP`): host ports, and every container port under hostNetwork.
   * Two agents of one app must not share one.
   */
  public readonly hostPorts: string[];
  private readonly hostPortFields: HostPortUse[];

  constructor(scope: Construct, id: string, props: NodeAgentProps) {
    super(scope, id, props);
    const identity = this._identity;
    this.name = identity.name;
    this.namespace = identity.namespace;

    ensureOptional(this, 'minReadySeconds', props.minReadySeconds, nonNegativeInt);
    ensureOptional(this, 'revisionHistoryLimit', props.revisionHistoryLimit, nonNegativeInt);
    if (props.tolerateAllTaints && props.tolerations) {
      invalid(this, 'tolerations', `${props.tolerations.length} toleration(s)`, 'tolerateAllTaints already tolerates every taint', 'drop tolerations, or set tolerateAllTaints to false');
    }

    const { hostReasons, hostNetwork, hostPid, hostIpc } = hostNamespaceGrants(this, props);
    this.hostPortFields = collectHostPorts(this, ensureList(this, 'containers', props.containers), hostNetwork);
    this.hostPorts = this.hostPortFields.map((p) => p.key);
    const strategy = props.updateStrategy ?? NodeAgentUpdateStrategy.rollingUpdate();
    if (strategy._surges && this.hostPortFields.length > 0) {
      invalid(this, 'updateStrategy.maxSurge', this.hostPortFields[0].key,
        'a surge pod would start beside the old one on the same node and could never bind its host port',
        'use maxUnavailable instead of maxSurge for agents with host ports or hostNetwork');
    }

    const rules = props.rules ?? [];
    if (props.serviceAccount) {
      invalid(this, 'serviceAccount', props.serviceAccount.name, 'a NodeAgent renders its own ServiceAccount (and the RBAC for it)', 'name it with serviceAccountName instead');
    }
    this.serviceAccountName = ensure(this, 'serviceAccountName', props.serviceAccountName ?? identity.name, dnsSubdomain);
    ensureWritableHostMountsJustified(this, props, identity.name);
    const pod: PodTemplateProps = {
      ...props,
      ...withHostMounts(this, props, identity.name),
      tolerations: props.tolerateAllTaints ? [{ operator: TolerationOperator.EXISTS }] : props.tolerations,
      serviceAccountName: this.serviceAccountName,
      automountServiceAccountToken: props.automountServiceAccountToken ?? rules.length > 0,
    };

    const template = buildPodTemplate(this, pod, {
      selectorLabels: identity.selectorLabels,
      labels: identity.labels,
      allowHostAccess: true,
      ownHostDirectories: ownHostDirectories(identity.name),
      reasons: hostReasons,
      spec: {
        hostNetwork: hostNetwork || undefined,
        hostPid: hostPid || undefined,
        hostIpc: hostIpc || undefined,
        dnsPolicy: hostNetwork ? PodDnsPolicy.CLUSTER_FIRST_WITH_HOST_NET : undefined,
        nodeSelector: { ...LINUX_NODE_SELECTOR },
        priorityClassName: (props.nodeCritical ?? true) ? NODE_CRITICAL_PRIORITY_CLASS : undefined,
      },
    });

    this.serviceAccount = addServiceAccount(this, 'ServiceAccount', identity, this.serviceAccountName);
    const rbac = this.addRbac(identity, props, rules);
    this.clusterRole = rbac?.role;
    this.clusterRoleBinding = rbac?.binding;
    this.daemonSet = new k8s.KubeDaemonSet(this, 'Resource', {
      metadata: objectMeta(identity),
      spec: {
        selector: { matchLabels: { ...identity.selectorLabels } },
        template,
        updateStrategy: strategy._render(this, 'updateStrategy'),
        minReadySeconds: props.minReadySeconds,
        revisionHistoryLimit: props.revisionHistoryLimit,
      },
    });
    recordWorkload(this.daemonSet, identity.selectorLabels, template);
    if (props.metricsService) this.metricsService = this.addMetricsService(identity, pod, props.metricsService);
    if (props.priorityQuota) {
      this.priorityQuota = this.addPriorityQuota(identity, props.priorityClassName ?? template.spec?.priorityClassName);
      // Admission checks the quota when the DaemonSet's pods are created: it goes first.
      this.daemonSet.node.addDependency(this.priorityQuota);
    }

  }

  /** The ClusterRole and its binding when the agent has rules. */
  private addRbac(identity: WorkloadIdentity, props: NodeAgentProps, rules: readonly PolicyRule[]) {
    if (rules.length === 0) {
      if (props.clusterRoleName !== undefined) {
        invalid(this, 'clusterRoleName', props.clusterRoleName, 'there is no ClusterRole without rules', 'give rules, or drop clusterRoleName');
      }
      return undefined;
    }
    return addClusterRoleForServiceAccount(this, identity, {
      roleName: props.clusterRoleName ?? identity.name,
      serviceAccountName: this.serviceAccountName,
      rules: [...rules],
      field: 'rules',
      nameField: props.clusterRoleName !== undefined ? 'clusterRoleName' : 'clusterRoleName (from name)',
    });
  }

  private addPriorityQuota(identity: WorkloadIdentity, priorityClass: string | undefined): k8s.KubeResourceQuota {
    if (priorityClass === undefined) {
      invalid(this, 'priorityQuota', true, 'the pods run at no priority class, so there is no scope to cover', 'drop priorityQuota, or set nodeCritical or priorityClassName');
    }
    const name = ensure(this, 'priorityQuota (its name)', `${identity.name}-priority`, dnsSubdomain);
    return new k8s.KubeResourceQuota(this, 'PriorityQuota', {
      metadata: objectMeta(identity, name),
      spec: {
        // Only the scope matters (admission asks for a covering quota); the limit is GKE's own, none in practice.
        hard: { pods: k8s.Quantity.fromString('1G') },
        scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [priorityClass!] }] },
      },
    });
  }


  private addMetricsService(identity: WorkloadIdentity, pod: PodTemplateProps, options: NodeAgentMetricsOptions): k8s.KubeService {
    const path = ensure(this, 'metricsService.path', options.path ?? '/metrics', absolutePath);
    if (!podPorts(pod).some((p) => p.number === options.port)) {
      const known = podPorts(pod).map((p) => p.number);
      invalid(this, 'metricsService.port', options.port, 'is not a container port of the agent',
        known.length ? `use one of ${known.join(', ')}` : 'add the port to a container first');
    }
    return addService(this, 'MetricsService', identity, pod, {
      name: options.name ?? identity.name,
      ports: [{ port: options.port, targetPort: options.port }],
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': String(options.port),
        'prometheus.io/path': path,
      },
      field: 'metricsService.ports',
    });
  }

  /**
   * Two agents binding one host port collide on every node: the second pod never starts. Reported
   * once, by the agent that comes first in the app.
   * @internal
   */
  protected _appWideProblems(index: AppIndex): string[] {
    if (this.hostPortFields.length === 0) return [];
    // One view per synthesis: host port -> the agents binding it, in app order.
    const byPort = index.view(HOST_PORTS, (i) => {
      const map = new Map<string, Array<{ agent: NodeAgent; use: HostPortUse }>>();
      for (const agent of i.constructsOf(NODE_AGENTS, (c): c is NodeAgent => c instanceof NodeAgent)) {
        for (const use of agent.hostPortFields) pushTo(map, use.key, { agent, use });
      }
      return map;
    });
    const foreign = index.view(FOREIGN_HOST_PORTS, foreignDaemonSetHostPorts);
    const errors: string[] = [];
    for (const mine of this.hostPortFields) {
      for (const other of foreign.get(mine.key) ?? []) {
        errors.push(`${mine.field} "${mine.key}": the DaemonSet [${other}] (rendered without this library) binds the same port on every node, `
          + 'so one of the two pods can never start; give the agent another port');
      }
      const users = byPort.get(mine.key) ?? [];
      const self = users.findIndex((u) => u.agent === this);
      // Clashes inside one agent are the agent's own error (collectHostPorts); here only other agents count.
      for (const { agent: other, use: theirs } of users.slice(self + 1).filter((u) => u.agent !== this)) {
        errors.push(`${mine.field} "${mine.key}": the NodeAgent [${other.node.path}] binds the same port on every node (its ${theirs.field}), `
          + 'so one of the two pods can never start; give one agent another port, or run the two containers in one agent');
      }
    }
    return errors;
  }
}

/**
 * Host ports of the app's DaemonSets that no NodeAgent rendered (raw L1 objects, other libraries), read from
 * their rendered manifests: `port/protocol` -> the construct paths binding it.
 */
function foreignDaemonSetHostPorts(index: AppIndex): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const obj of index.apiObjects) {
    if (obj.kind !== 'DaemonSet' || index.ownerOf(obj) instanceof NodeAgent) continue;
    const spec = index.render(obj)?.spec?.template?.spec;
    if (!spec) continue;
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const p of c.ports ?? []) {
        const port = spec.hostNetwork === true ? p.containerPort : p.hostPort;
        if (Number.isInteger(port) && port > 0) pushTo(map, `${port}/${p.protocol ?? 'TCP'}`, obj.node.path);
      }
    }
  }
  return map;
}

/** Host namespaces are explicit, justified grants; the reasons travel with the pods. */
function hostNamespaceGrants(where: Where, props: NodeAgentProps) {
  const hostReasons: Record<string, string> = {};
  const granted = (field: 'hostNetwork' | 'hostPid' | 'hostIpc', choice: string): boolean => {
    const reason = hostAccessReason(where, field, props[field]);
    if (reason !== undefined) hostReasons[reasonAnnotationKey(choice)] = reason;
    return reason !== undefined;
  };
  return { hostReasons, hostNetwork: granted('hostNetwork', 'host-network'), hostPid: granted('hostPid', 'host-pid'), hostIpc: granted('hostIpc', 'host-ipc') };
}

/** The ports an agent binds on the node, checked for conflicts within the agent. */
function collectHostPorts(where: Where, containers: readonly PodContainerProps[], hostNetwork: boolean): HostPortUse[] {
  const uses: HostPortUse[] = [];
  containers.forEach((c, i) => ensureEach(`containers[${i}].ports`, c.ports, (p, f) => {
    if (hostNetwork && p.hostPort !== undefined && p.hostPort !== p.number) {
      invalid(where, `${f}.hostPort`, p.hostPort, `under hostNetwork the container binds port ${p.number} on the node itself, so hostPort must equal it`, `drop hostPort or set it to ${p.number}`);
    }
    const port = hostNetwork ? p.number : p.hostPort;
    if (port === undefined) return;
    const use = { key: `${port}/${p.protocol ?? PortProtocol.TCP}`, field: `${f}.${p.hostPort !== undefined ? 'hostPort' : 'number'}` };
    const earlier = uses.find((u) => u.key === use.key);
    if (earlier) invalid(where, use.field, use.key, `${earlier.field} binds the same port on the node`, 'give each port its own number');
    uses.push(use);
  }));
  return uses;
}

/** Turns hostMounts into hostPath volumes and read-only (by default) mounts. */
function withHostMounts(where: Where, props: NodeAgentProps, agentName: string): Pick<PodTemplateProps, 'volumes' | 'containers' | 'initContainers'> {
  const mounts = ensureList(where, 'hostMounts', props.hostMounts);
  const volumeNames = new Set(ensureList(where, 'volumes', props.volumes).map((v) => v.name));
  const containerNames = new Set([...ensureList(where, 'containers', props.containers), ...ensureList(where, 'initContainers', props.initContainers)].map((c) => c.name));
  const extra = new Map<string, PodVolumeMount[]>();
  const volumes = mounts.map((m, i) => {
    const f = `hostMounts[${i}]`;
    ensure(where, `${f}.name`, m.name, dnsLabel);
    if (volumeNames.has(m.name)) invalid(where, `${f}.name`, m.name, 'another volume of the pod has this name', 'give the host mount its own name');
    volumeNames.add(m.name);
    ensure(where, `${f}.hostPath`, m.hostPath, absolutePath);
    ensure(where, `${f}.mountPath`, m.mountPath, absolutePath);
    const targets = m.containers ?? (Array.isArray(props.containers) ? props.containers : []).map((c) => c.name);
    ensureEach(`${f}.containers`, targets, (name, cf) => {
      if (!containerNames.has(name)) invalid(where, cf, name, 'names no container of the agent', `use one of ${[...containerNames].map((n) => `"${n}"`).join(', ')}`);
    });
    for (const name of targets) {
      // An unjustified writable mount of a sensitive path is already an error of hostMounts[i]: render it
      // read-only so the pod layer does not report the same mistake again under the generated volume.
      const unjustified = m.readOnly === false && m.reason === undefined && hostPathRisk(m.hostPath, true, ownHostDirectories(agentName)).needsReason;
      extra.set(name, [...(extra.get(name) ?? []), {
        volume: m.name, mountPath: m.mountPath, readOnly: unjustified ? true : (m.readOnly ?? true), mountPropagation: m.propagation,
      }]);
    }
    return PodVolume.hostPath(m.name, m.hostPath, m.pathType ?? HostPathType.UNSET, { reason: m.reason });
  });
  const mount = (c: PodContainerProps): PodContainerProps => extra.has(c.name)
    ? { ...c, volumeMounts: [...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []), ...extra.get(c.name)!] }
    : c;
  return {
    volumes: [...(props.volumes ?? []), ...volumes],
    containers: Array.isArray(props.containers) ? props.containers.map(mount) : props.containers,
    initContainers: props.initContainers?.map(mount),
  };
}

/** The agent's own log and state directories on the node: writable without a reason (unless sensitive). */
function ownHostDirectories(name: string): string[] {
  return [`/var/log/${name}`, `/var/lib/${name}`];
}

/**
 * Host mounts follow the pod layer's one host-path rule (hostPathRisk); checked here so the error names the
 * hostMounts entry.
 */
function ensureWritableHostMountsJustified(where: Where, props: NodeAgentProps, name: string): void {
  ensureEach('hostMounts', props.hostMounts, (m, f) => {
    const risk = hostPathRisk(m.hostPath, m.readOnly === false, ownHostDirectories(name));
    if (m.reason !== undefined) {
      if (!risk.reasonWelcome) {
        invalid(where, `${f}.reason`, m.reason, `${m.hostPath} is not a sensitive host path and the mount is read-only, so there is nothing to justify`, 'remove reason, or set readOnly: false');
      }
      ensure(where, `${f}.reason`, m.reason, statedReason);
    } else if (risk.needsReason) {
      const what = isSensitiveHostPath(m.hostPath) ? 'the sensitive host path' : 'the host path';
      invalid(where, `${f}.readOnly`, false, `mounts ${what} ${m.hostPath} writable, which lets the agent change the node`
        + (isSensitiveHostPath(m.hostPath) ? '' : ` (beyond its own ${ownHostDirectories(name).join(' and ')})`),
      `mount it read-only, or state why the agent must write it in ${f}.reason`);
    }
  });
}
