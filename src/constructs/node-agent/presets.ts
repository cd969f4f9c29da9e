// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CRITICAL_PRIORITY_CLASSES, HostMount, NODE_CRITICAL_PRIORITY_CLASS, NodeAgentProps, NodeAgentUpdateStrategy } from './node-agent-props';
import { CONFIG_CHECKSUM_ANNOTATION, REASON_ANNOTATION_PREFIX, SAFE_TO_EVICT_ANNOTATION, SUPPRESSION_ANNOTATION_PREFIX } from '../../kubernetes/metadata-keys';
// node-agent.ts imports this file: only types and values read at call time come back from it.
import { absolutePath, ensure, ensureEach, invalid, isSensitiveHostPath, statedReason, Where } from '../../kubernetes/validation';
import { PodContainerResources, PodEnvValue, PodMountPropagation, PodVolumeMount } from '../../pod/container';
import { PodEnvFrom } from '../../pod/env-from';
import { HostAccess } from '../../pod/host-access';
import { PodProbe } from '../../pod/probe';
import { Toleration } from '../../pod/scheduling';
import { ContainerSecurity } from '../../pod/security';
import { EmptyDirOptions, HostPathType, PodVolume } from '../../pod/volume';
import { objectMeta, WorkloadIdentity, WorkloadIdentityProps, namespaceOf } from '../../workload/identity';

/** What every node-agent preset lets you change. */
export interface NodeAgentPresetOptions extends WorkloadIdentityProps {
  /** Image; pin a tag or digest. @default - the preset's pinned image */
  readonly image?: string;
  /**
   * The version of `image`, when its tag does not say (a digest-only reference, a mirror's own tag).
   * The preset picks version-dependent settings (health path, flags) from it.
   * @default - read from the image tag
   */
  readonly imageVersion?: string;
  /** Requests and limits of the agent container. @default - the preset's */
  readonly resources?: PodContainerResources;
  /** Tolerate every taint so the agent runs on every node. @default - true unless `tolerations` is given */
  readonly tolerateAllTaints?: boolean;
  /** Explicit tolerations instead of tolerating every taint. @default - none */
  readonly tolerations?: Toleration[];
  /** Labels a node must have to run the agent. @default { "kubernetes.io/os": "linux" } */
  readonly nodeSelector?: Record<string, string>;
  /**
   * Node affinity. Unless `excludeVirtualNodes` is false, the virtual-node exclusions are added to
   * each of its required terms.
   * @default - only the virtual-node exclusions
   */
  readonly nodeAffinity?: k8s.NodeAffinity;
  /**
   * Keep off EKS Fargate nodes (`eks.amazonaws.com/compute-type: fargate`) and virtual-kubelet nodes
   * (`type: virtual-kubelet`, e.g. AKS virtual nodes): they run no host-path or host-network pods, so
   * the agent's pods would stay Pending there forever (tolerating every taint would let them land).
   * @default true
   */
  readonly excludeVirtualNodes?: boolean;
  /** Run at `system-node-critical` priority. @default true */
  readonly nodeCritical?: boolean;
  /** Priority class of the pods. @default - `system-node-critical` (see nodeCritical) */
  readonly priorityClassName?: string;
  /**
   * Render the ResourceQuota that admits the critical priority class in the agent's namespace
   * (see NodeAgentProps.priorityQuota); GKE creates no pods without it outside kube-system.
   * @default - true when the pods run at system-node-critical or system-cluster-critical outside kube-system
   */
  readonly priorityQuota?: boolean;
  /** How pods are replaced on each node when the template changes. @default NodeAgentUpdateStrategy.rollingUpdate() */
  readonly updateStrategy?: NodeAgentUpdateStrategy;
  /** Names of Secrets used to pull the image. @default - none */
  readonly imagePullSecrets?: string[];
  /** Labels added to the pods. @default - none */
  readonly podLabels?: Record<string, string>;
  /** Pod annotations (yours win over the preset's). @default - `cluster-autoscaler.kubernetes.io/safe-to-evict: "true"` */
  readonly podAnnotations?: Record<string, string>;
  /** Render a metrics Service with `prometheus.io/*` annotations. @default true */
  readonly metricsService?: boolean;
}

/** Options of {@link NodeAgent.nodeExporter}. */
export interface NodeExporterOptions extends NodeAgentPresetOptions {
  /** Port the exporter listens on, on every node (host network). @default 9100 */
  readonly port?: number;
  /**
   * Extra exporter flags, e.g. `--collector.systemd`. Filesystem exclude flags given here replace the
   * preset's (under either their current or their pre-1.3 name).
   * @default - none
   */
  readonly extraArgs?: string[];
}

/** Options of {@link LogCollectorState.hostPath}. */
export interface LogCollectorHostStateOptions {
  /** Why the collector may write to the node (kept as an annotation). */
  readonly reason: string;
}

type StateKind =
  | { readonly kind: 'none' }
  | { readonly kind: 'emptyDir'; readonly options: EmptyDirOptions }
  | { readonly kind: 'hostPath'; readonly path: string; readonly reason: string };

/**
 * Where the log collector keeps its state (tail positions, the journal cursor, buffered chunks):
 * the one writable directory it gets, at {@link LogCollectorState.MOUNT_PATH}.
 */
export class LogCollectorState {
  /** Where the state directory is mounted in the container. */
  public static readonly MOUNT_PATH = '/fluent-bit/state';

  /** Kept while the pod lives: a crashed container resumes where it stopped; a replaced pod starts over. */
  public static emptyDir(options: EmptyDirOptions = {}): LogCollectorState {
    return new LogCollectorState({ kind: 'emptyDir', options });
  }

  /**
   * A directory of the node (created if missing), so positions survive a rollout and nothing is
   * read twice or lost. A writable host path: say why.
   */
  public static hostPath(path: string, options: LogCollectorHostStateOptions): LogCollectorState {
    return new LogCollectorState({ kind: 'hostPath', path, reason: options?.reason });
  }

  /** No state: after any restart the collector reads only new lines. */
  public static none(): LogCollectorState {
    return new LogCollectorState({ kind: 'none' });
  }

  private constructor(private readonly spec: StateKind) {}

  /** @internal */
  public get _enabled(): boolean {
    return this.spec.kind !== 'none';
  }

  /** The state volume, if any; a host path carries the stated reason itself. @internal */
  public _render(where: Where, field: string): { volume?: PodVolume } {
    const s = this.spec;
    if (s.kind === 'none') return {};
    if (s.kind === 'emptyDir') return { volume: PodVolume.emptyDir(STATE_VOLUME, s.options) };
    ensure(where, `${field}.path`, s.path, absolutePath);
    if (isSensitiveHostPath(s.path)) {
      invalid(where, `${field}.path`, s.path, 'is a node system directory; a writable mount of it lets the collector change the node',
        'use a directory of its own, e.g. "/var/lib/fluent-bit"');
    }
    const reason = ensure(where, `${field}.reason`, s.reason, statedReason);
    // The volume carries the reason: the pod layer's one host-path rule accepts it and keeps it on the pods.
    return {
      volume: PodVolume.hostPath(STATE_VOLUME, s.path, HostPathType.DIRECTORY_OR_CREATE, { reason: typeof reason === 'string' ? reason.trim() : reason }),
    };
  }
}

/** Options of {@link NodeAgent.logCollector}. */
export interface LogCollectorOptions extends NodeAgentPresetOptions {
  /**
   * The whole `fluent-bit.conf`. Keep `HTTP_Server On` and `Health_Check On` on the port: the
   * probes and the metrics Service use them. Keep state under LogCollectorState.MOUNT_PATH.
   * @default - tail every container log (and the kubelet journal, if asked), enrich with the Kubernetes filter, print to stdout
   */
  readonly config?: string;
  /** Port of Fluent Bit's HTTP server (health and metrics). @default 2020 */
  readonly port?: number;
  /**
   * The writable state directory: the default configuration keeps its tail and journal positions
   * (`DB`) and `storage.path` there.
   * @default LogCollectorState.emptyDir()
   */
  readonly state?: LogCollectorState;
  /**
   * Also read the kubelet's journal (systemd input, `_SYSTEMD_UNIT=kubelet.service`, tag `host.*`):
   * `/var/log/journal` comes with `/var/log`; `/etc/machine-id` is mounted read-only to find it.
   * @default false
   */
  readonly kubeletJournal?: boolean;
  /**
   * Mount `/var/lib/docker/containers` read-only: only nodes whose runtime is Docker keep container
   * logs there (`/var/log/containers` links into it). containerd and CRI-O nodes need nothing beyond `/var/log`.
   * @default false
   */
  readonly dockerContainerLogs?: boolean;
  /**
   * Environment of the container, e.g. output credentials from a Secret (`PodEnvValue.fromSecret`),
   * referenced in the configuration as `${NAME}`.
   * @default - none
   */
  readonly env?: Record<string, PodEnvValue>;
  /** Every key of these Secrets and ConfigMaps as environment variables. @default - none */
  readonly envFrom?: PodEnvFrom[];
  /**
   * More volumes (certificates, Lua scripts, ...). Host paths among them are mounted read-only and
   * may not be node system directories; the writable one is `state`.
   * @default - none
   */
  readonly extraVolumes?: PodVolume[];
  /** Mounts of `extraVolumes` into the collector. @default - none */
  readonly extraVolumeMounts?: PodVolumeMount[];
}

// Image pins, each the newest release of its project when pinned (Dec 2026): node_exporter 1.12.1, the
// latest 1.x tag and what the prometheus-node-exporter chart 4.56.1 ships; Fluent Bit 5.2.1, its current
// release (25 Nov 2026; the fluent-bit chart 0.58.1 ships 5.1.1). The version rules below were read
// from the projects' sources up to node_exporter 1.12.1 and Fluent Bit 5.1.1. Bump the pins together
// with test/node-agent-presets.test.ts, which states what each version needs, and docs/presets.md.

/** The node exporter image the preset runs: node_exporter's latest 1.x release. */
const NODE_EXPORTER_IMAGE = 'quay.io/prometheus/node-exporter:v1.12.1';
/** The Fluent Bit image the preset runs: Fluent Bit's current release. */
const FLUENT_BIT_IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:5.2.1';
/** The "nobody" user the node exporter chart runs as. */
const NOBODY = 65534;
/** The cluster autoscaler may evict the agent's pods (emptyDir state included) when it removes their node; the node exporter chart says so too. */
const SAFE_TO_EVICT = { [SAFE_TO_EVICT_ANNOTATION]: 'true' };

/** Nodes that run no host-path or host-network pods (the node exporter chart excludes the same). */
const VIRTUAL_NODE_EXCLUSIONS: k8s.NodeSelectorRequirement[] = [
  { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate'] },
  { key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] },
];

/** A release version read from an image tag: `v1.12.1`, `5.1.1-debug`, `5.1`. */
interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const VERSION = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$/;

function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) } : undefined;
}

/** True when `v` is at least `major.minor.patch`. */
function atLeast(v: Version, major: number, minor: number, patch: number): boolean {
  return v.major !== major ? v.major > major : v.minor !== minor ? v.minor > minor : v.patch >= patch;
}

/** The tag of an image reference (`registry:5000/name:tag@sha256:...` gives `tag`). @internal */
function imageTag(image: string): string | undefined {
  const name = image.split('@')[0];
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':') ? last.slice(last.indexOf(':') + 1) : undefined;
}

/** The version the preset configures for: `imageVersion`, else the image tag. */
function versionOf(where: Where, image: string, imageVersion: string | undefined, minimum: Version, product: string): Version {
  const field = imageVersion !== undefined ? 'imageVersion' : 'image';
  const text = imageVersion ?? imageTag(image) ?? '';
  const version = parseVersion(text);
  if (!version) {
    invalid(where, field, imageVersion ?? image, `says no ${product} version, and the preset picks version-dependent settings (health path, flags) from it`,
      imageVersion !== undefined ? 'give a version such as "1.2.3"' : 'tag the image with its release (a digest may follow the tag), or set imageVersion');
    // Recorded for the synthesis; build on the oldest supported release so construction can go on.
    return { major: minimum.major, minor: minimum.minor, patch: minimum.patch } as Version;
  }
  if (!atLeast(version, minimum.major, minimum.minor, minimum.patch)) {
    invalid(where, field, imageVersion ?? image, `${product} ${text} is older than the preset supports (${minimum.major}.${minimum.minor}.${minimum.patch})`,
      `use ${product} ${minimum.major}.${minimum.minor}.${minimum.patch} or later`);
  }
  return version;
}

/** The node exporter flags that changed between releases. @internal */
function nodeExporterVersionArgs(v: Version): { paths: string[]; filesystem: string[] } {
  // 1.3.0 renamed the filesystem flags (ignored-* -> *-exclude).
  const renamed = atLeast(v, 1, 3, 0);
  return {
    // 1.4.0 added the udev database path (the chart passes it from 1.4.0 on too).
    paths: atLeast(v, 1, 4, 0) ? ['--path.udev.data=/host/root/run/udev/data'] : [],
    // Kubelet pod volumes, container runtime mounts and pseudo filesystems: one series per pod
    // otherwise. kube-prometheus-stack's exclusions plus node_exporter's own defaults.
    filesystem: [
      `--collector.filesystem.${renamed ? 'mount-points-exclude' : 'ignored-mount-points'}=${MOUNT_POINTS_EXCLUDE}`,
      `--collector.filesystem.${renamed ? 'fs-types-exclude' : 'ignored-fs-types'}=${FS_TYPES_EXCLUDE}`,
    ],
  };
}

/** The same setting under its old and new flag names. */
const FILESYSTEM_FLAG_ALIASES = [
  ['--collector.filesystem.mount-points-exclude', '--collector.filesystem.ignored-mount-points'],
  ['--collector.filesystem.fs-types-exclude', '--collector.filesystem.ignored-fs-types'],
];

/** The preset's flags minus those the user gives too: node_exporter refuses a repeated (or renamed and repeated) flag. */
function withoutFlagsIn(preset: readonly string[], user: readonly string[]): string[] {
  const nameOf = (arg: string) => arg.split('=')[0];
  const given = new Set(user.map(nameOf));
  return preset.filter((arg) => {
    const aliases = FILESYSTEM_FLAG_ALIASES.find((names) => names.includes(nameOf(arg))) ?? [nameOf(arg)];
    return !aliases.some((name) => given.has(name));
  });
}

const MOUNT_POINTS_EXCLUDE = '^/(dev|proc|sys|run/credentials/.+|run/containerd/.+|var/lib/containers/storage/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)';
const FS_TYPES_EXCLUDE = '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|erofs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';

/** Fluent Bit's HTTP paths, by release. @internal */
function fluentBitPaths(v: Version): { health: string; metrics: string } {
  return {
    // 5.0.0 added the JSON /api/v2/health (the chart switched to it with 5.0.0); 1.x-4.x serve /api/v1/health.
    health: atLeast(v, 5, 0, 0) ? '/api/v2/health' : '/api/v1/health',
    // 2.0.9 added /api/v2/metrics.
    metrics: atLeast(v, 2, 0, 9) ? '/api/v2/metrics/prometheus' : '/api/v1/metrics/prometheus',
  };
}

/** Where errors about a preset's options point: the agent the preset is about to create. */
function agentPath(scope: Construct, id: string): string {
  return scope.node.path ? `${scope.node.path}/${id}` : id;
}

/**
 * The annotations of the DaemonSet: the preset's justified PolicyPlugin suppressions, then the user's
 * (which win). Every suppression reason must be a stated reason.
 */
function annotationsWith(where: Where, user: Record<string, string> | undefined, suppressions: Record<string, string>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const [rule, reason] of Object.entries(suppressions)) merged[SUPPRESSION_ANNOTATION_PREFIX + rule] = reason;
  Object.assign(merged, user);
  for (const [key, value] of Object.entries(merged)) {
    if (key.startsWith(SUPPRESSION_ANNOTATION_PREFIX) || key.startsWith(REASON_ANNOTATION_PREFIX)) ensure(where, `annotations["${key}"]`, value, statedReason);
  }
  return merged;
}

/** The `sensitive-host-mounts` suppression for the host paths a preset mounts itself (none: no suppression). */
function sensitiveMountsSuppression(agent: string, mounts: readonly HostMount[], why: (m: HostMount) => string): Record<string, string> {
  const sensitive = mounts.filter((m) => isSensitiveHostPath(m.hostPath));
  if (sensitive.length === 0) return {};
  return { 'sensitive-host-mounts': `${agent} reads ${sensitive.map((m) => `${m.hostPath} (${why(m)})`).join(', ')} read-only, never writes the node` };
}

/** The node affinity with the virtual-node exclusions added to every required term. */
function nodeAffinityOf(options: NodeAgentPresetOptions): k8s.NodeAffinity | undefined {
  if (options.excludeVirtualNodes === false) return options.nodeAffinity;
  const user = options.nodeAffinity;
  const terms = user?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [{}];
  return {
    ...user,
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: terms.map((t) => {
        const own = t.matchExpressions ?? [];
        // A term that already speaks about a key (e.g. targets virtual nodes on purpose) keeps its say.
        const added = VIRTUAL_NODE_EXCLUSIONS.filter((e) => !own.some((o) => o.key === e.key));
        return { ...t, matchExpressions: [...own, ...added] };
      }),
    },
  };
}

/** The scheduling and identity options every preset passes through. */
function common(scope: Construct, options: NodeAgentPresetOptions): Omit<NodeAgentProps, 'containers'> {
  const nodeCritical = options.nodeCritical ?? true;
  const priorityClass = options.priorityClassName ?? (nodeCritical ? NODE_CRITICAL_PRIORITY_CLASS : undefined);
  const namespace = options.namespace ?? namespaceOf(scope);
  return {
    name: options.name,
    namespace: options.namespace,
    labels: options.labels,
    selectorLabels: options.selectorLabels,
    tolerateAllTaints: options.tolerateAllTaints ?? options.tolerations === undefined,
    tolerations: options.tolerations,
    nodeSelector: options.nodeSelector,
    nodeAffinity: nodeAffinityOf(options),
    nodeCritical: options.nodeCritical,
    priorityClassName: options.priorityClassName,
    // kube-system already has a quota for the critical classes where a cluster limits them (GKE's gcp-critical-pods).
    priorityQuota: options.priorityQuota
      ?? (priorityClass !== undefined && CRITICAL_PRIORITY_CLASSES.includes(priorityClass) && namespace !== 'kube-system'),
    updateStrategy: options.updateStrategy,
    imagePullSecretNames: options.imagePullSecrets,
    podLabels: options.podLabels,
    podAnnotations: { ...SAFE_TO_EVICT, ...options.podAnnotations },
  };
}

/**
 * The node exporter of the prometheus-community `prometheus-node-exporter` chart: host `/proc`,
 * `/sys` and `/` read-only under `/host` (HostToContainer, so later host mounts show up), the
 * matching `--path.*` flags, host network and PID namespace, user 65534 with a read-only root.
 * @internal
 */
export function nodeExporterProps(scope: Construct, id: string, options: NodeExporterOptions): NodeAgentProps {
  const where = agentPath(scope, id);
  const port = options.port ?? 9100;
  const image = options.image ?? NODE_EXPORTER_IMAGE;
  const versioned = nodeExporterVersionArgs(versionOf(where, image, options.imageVersion, { major: 1, minor: 0, patch: 0 }, 'node_exporter'));
  // Typed, so renames of HostMount's fields reach this literal.
  const hostDir = (name: string, hostPath: string): HostMount => ({
    name, hostPath, mountPath: `/host/${name}`, readOnly: true, pathType: HostPathType.DIRECTORY, propagation: PodMountPropagation.HOST_TO_CONTAINER,
  });
  const hostMounts = [hostDir('proc', '/proc'), hostDir('sys', '/sys'), hostDir('root', '/')];
  return {
    ...common(scope, options),
    annotations: annotationsWith(where, options.annotations, {
      'host-network': "node exporter reports the node's own network interfaces and serves metrics on the node's address",
      'host-pid': "node exporter reads the node's processes for its process and pressure metrics",
      ...sensitiveMountsSuppression('node exporter', hostMounts, (m) => NODE_EXPORTER_MOUNT_USES[m.name]),
    }),
    hostNetwork: HostAccess.granted({ reason: "node exporter reports the node's own network interfaces and serves metrics on the node's address" }),
    hostPid: HostAccess.granted({ reason: "node exporter reads the node's processes for its process and pressure metrics" }),
    hostMounts,
    containers: [{
      name: 'node-exporter',
      image,
      args: [
        '--path.procfs=/host/proc',
        '--path.sysfs=/host/sys',
        '--path.rootfs=/host/root',
        ...versioned.paths,
        `--web.listen-address=:${port}`,
        ...withoutFlagsIn(versioned.filesystem, options.extraArgs ?? []),
        ...(options.extraArgs ?? []),
      ],
      ports: [{ number: port, name: 'metrics' }],
      resources: { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '32Mi', memoryLimit: '128Mi', ...options.resources },
      livenessProbe: PodProbe.httpGet({ path: '/', portName: 'metrics' }),
      readinessProbe: PodProbe.httpGet({ path: '/', portName: 'metrics' }),
      security: ContainerSecurity.nonRoot({ user: NOBODY }),
    }],
    metricsService: (options.metricsService ?? true) ? { port, path: '/metrics' } : undefined,
  };
}

/** What the node exporter reads through each host mount (the reason of its suppression). */
const NODE_EXPORTER_MOUNT_USES: Record<string, string> = {
  proc: 'process, memory and network statistics',
  sys: 'hardware and kernel metrics',
  root: 'filesystem usage',
};

/** Where the preset mounts the configuration. */
const FLUENT_BIT_CONFIG_DIR = '/fluent-bit/etc/conf';
const STATE_VOLUME = 'state';
/** Names of the volumes the log collector brings itself. */
const LOG_COLLECTOR_VOLUMES = ['config', STATE_VOLUME, 'varlog', 'varlibdockercontainers', 'etcmachineid'];

/** What {@link logCollectorPlan} gives the construct. @internal */
export interface LogCollectorPlan {
  readonly props: NodeAgentProps;
  readonly configMapName: string;
  readonly config: string;
}

/**
 * The log collector of the fluent `fluent-bit` chart: `/var/log` (which holds `/var/log/pods`,
 * `/var/log/containers` and the journal) read-only, get/list/watch on pods and namespaces for the
 * Kubernetes filter, root (the runtime writes container logs as root), and one writable state directory.
 * @internal
 */
export function logCollectorPlan(scope: Construct, id: string, options: LogCollectorOptions): LogCollectorPlan {
  const where = agentPath(scope, id);
  const name = options.name ?? id;
  const port = options.port ?? 2020;
  const image = options.image ?? FLUENT_BIT_IMAGE;
  const paths = fluentBitPaths(versionOf(where, image, options.imageVersion, { major: 1, minor: 8, patch: 0 }, 'Fluent Bit'));
  const state = options.state ?? LogCollectorState.emptyDir();
  const rendered = state._render(where, 'state');
  const journal = options.kubeletJournal ?? false;
  const hostMounts: HostMount[] = [
    { name: 'varlog', hostPath: '/var/log', mountPath: '/var/log' },
    ...(options.dockerContainerLogs ? [{ name: 'varlibdockercontainers', hostPath: '/var/lib/docker/containers', mountPath: '/var/lib/docker/containers' }] : []),
    ...(journal ? [{ name: 'etcmachineid', hostPath: '/etc/machine-id', mountPath: '/etc/machine-id', pathType: HostPathType.FILE }] : []),
  ];
  const extraVolumes = checkExtraVolumes(where, options.extraVolumes ?? [], options.extraVolumeMounts ?? []);

  const configMapName = `${name}-config`;
  const config = options.config ?? defaultFluentBitConfig({
    name, namespace: options.namespace ?? namespaceOf(scope), port, journal, stateDir: state._enabled ? LogCollectorState.MOUNT_PATH : undefined,
  });
  if (options.config !== undefined) checkFluentBitServer(where, options.config, port);
  const checksum = createHash('sha256').update(config).digest('hex');
  const base = common(scope, options);
  return {
    configMapName,
    config,
    props: {
      ...base,
      annotations: annotationsWith(where, options.annotations, sensitiveMountsSuppression('Fluent Bit', hostMounts, (m) => m.name === 'etcmachineid'
        ? 'names the node\'s journal for the kubelet journal input'
        : 'container logs of Docker nodes')),
      // Restart the pods when the configuration changes (Fluent Bit reads it once, at start).
      podAnnotations: { ...base.podAnnotations, [CONFIG_CHECKSUM_ANNOTATION]: checksum },
      hostMounts,
      volumes: [PodVolume.fromConfigMapName('config', { configMapName }), ...(rendered.volume ? [rendered.volume] : []), ...extraVolumes],
      rules: [{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }],
      containers: [{
        name: 'fluent-bit',
        image,
        command: ['/fluent-bit/bin/fluent-bit'],
        args: ['--workdir=/fluent-bit/etc', `--config=${FLUENT_BIT_CONFIG_DIR}/fluent-bit.conf`],
        env: options.env,
        envFrom: options.envFrom,
        ports: [{ number: port, name: 'http' }],
        resources: { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '64Mi', memoryLimit: '256Mi', ...options.resources },
        livenessProbe: PodProbe.httpGet({ path: '/', portName: 'http' }),
        readinessProbe: PodProbe.httpGet({ path: paths.health, portName: 'http' }),
        volumeMounts: [
          { volume: 'config', mountPath: FLUENT_BIT_CONFIG_DIR, readOnly: true },
          ...(rendered.volume ? [{ volume: STATE_VOLUME, mountPath: LogCollectorState.MOUNT_PATH }] : []),
          ...(options.extraVolumeMounts ?? []),
        ],
        security: ContainerSecurity.runAsRoot({
          reason: 'reads the container logs on the node, which the container runtime writes as root',
          readOnlyRootFilesystem: true,
        }),
      }],
      metricsService: (options.metricsService ?? true) ? { port, path: paths.metrics } : undefined,
    },
  };
}

/**
 * The probes and the metrics Service call Fluent Bit's HTTP server: a custom configuration must keep it on, on the
 * preset's port, with the health check the readiness probe reads. Fluent Bit's defaults are HTTP_Server Off and
 * Health_Check Off, so leaving a key out turns it off too.
 */
function checkFluentBitServer(where: Where, config: unknown, port: number): void {
  if (typeof config !== 'string') return; // a wrong type is reported where the ConfigMap is built
  const service = /^\s*\[service\]\s*$([\s\S]*?)(?=^\s*\[|(?![\s\S]))/im.exec(config)?.[1] ?? '';
  const value = (key: string) => new RegExp(`^\\s*${key}\\s+(\\S+)`, 'im').exec(service)?.[1];
  const on = (v: string | undefined) => v !== undefined && /^(on|true|yes|1)$/i.test(v);
  const fix = `keep "HTTP_Server On", "HTTP_Port ${port}" and "Health_Check On" in the [SERVICE] section`;
  if (!on(value('HTTP_Server'))) {
    invalid(where, 'config', `HTTP_Server ${value('HTTP_Server') ?? '(unset: Off)'}`, `turns Fluent Bit's HTTP server off, but the probes and the metrics Service call it on port ${port}`, fix);
  } else if (Number(value('HTTP_Port') ?? 2020) !== port) {
    invalid(where, 'config', `HTTP_Port ${value('HTTP_Port') ?? '(unset: 2020)'}`, `serves HTTP on another port than the probes and the metrics Service call (${port})`, `${fix}, or set port`);
  } else if (!on(value('Health_Check'))) {
    invalid(where, 'config', `Health_Check ${value('Health_Check') ?? '(unset: Off)'}`, 'turns off the health endpoint the readiness probe reads', fix);
  }
}

/**
 * Extra volumes may not shadow the preset's own, and host paths among them stay read-only and away
 * from node system directories: the preset's suppressions cover only what it mounts itself.
 */
function checkExtraVolumes(where: Where, volumes: readonly PodVolume[], mounts: readonly PodVolumeMount[]): PodVolume[] {
  const hostVolumes = new Set<string>();
  ensureEach('extraVolumes', volumes, (v, f) => {
    if (LOG_COLLECTOR_VOLUMES.includes(v.name)) {
      invalid(where, `${f}.name`, v.name, 'is a volume the log collector brings itself', `give the volume another name (the preset uses ${LOG_COLLECTOR_VOLUMES.map((n) => `"${n}"`).join(', ')})`);
    }
    const hostPath = v.hostDirectory;
    if (hostPath === undefined) return;
    if (isSensitiveHostPath(hostPath)) {
      invalid(where, `${f}`, hostPath, 'mounts a node system directory, which the preset has no reason for',
        'mount a narrower directory, or build the agent with new NodeAgent() and suppress sensitive-host-mounts with your reason');
    }
    hostVolumes.add(v.name);
  });
  ensureEach('extraVolumeMounts', mounts, (m, f) => {
    if (hostVolumes.has(m.volume) && m.readOnly !== true) {
      invalid(where, `${f}.readOnly`, m.readOnly ?? false, 'a writable mount of a node directory lets the collector change the node',
        'set readOnly: true; for the collector\'s own writable directory use state: LogCollectorState.hostPath(path, { reason })');
    }
  });
  return [...volumes];
}

/** Renders the log collector's ConfigMap. @internal */
export function addLogCollectorConfig(scope: Construct, identity: WorkloadIdentity, plan: LogCollectorPlan): k8s.KubeConfigMap {
  return new k8s.KubeConfigMap(scope, 'Config', {
    metadata: objectMeta(identity, plan.configMapName),
    data: { 'fluent-bit.conf': plan.config },
  });
}

interface DefaultConfigOptions {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
  readonly journal: boolean;
  readonly stateDir?: string;
}

/**
 * A starting configuration: tail every container log (and the kubelet journal), add pod metadata,
 * print to stdout. The collector's own log is excluded, or it would read what it prints, forever.
 * Positions go to the state directory, so a restarted container resumes. Replace the output.
 */
function defaultFluentBitConfig(o: DefaultConfigOptions): string {
  const db = (file: string) => (o.stateDir ? [`    DB ${o.stateDir}/${file}`] : []);
  return [
    '[SERVICE]',
    '    Daemon Off',
    '    Flush 1',
    '    Log_Level info',
    '    Parsers_File /fluent-bit/etc/parsers.conf',
    '    HTTP_Server On',
    '    HTTP_Listen 0.0.0.0',
    `    HTTP_Port ${o.port}`,
    '    Health_Check On',
    ...(o.stateDir ? [`    storage.path ${o.stateDir}/storage`] : []),
    '',
    '[INPUT]',
    '    Name tail',
    '    Path /var/log/containers/*.log',
    `    Exclude_Path /var/log/containers/${o.name}-*_${o.namespace}_fluent-bit-*.log`,
    '    multiline.parser docker, cri',
    '    Tag kube.*',
    '    Mem_Buf_Limit 5MB',
    '    Skip_Long_Lines On',
    ...db('tail-containers.db'),
    '',
    ...(o.journal ? [
      '[INPUT]',
      '    Name systemd',
      '    Tag host.*',
      '    Systemd_Filter _SYSTEMD_UNIT=kubelet.service',
      '    Read_From_Tail On',
      ...db('systemd.db'),
      '',
    ] : []),
    '[FILTER]',
    '    Name kubernetes',
    '    Match kube.*',
    '    Merge_Log On',
    '    Keep_Log Off',
    '    K8S-Logging.Parser On',
    '    K8S-Logging.Exclude On',
    '',
    '[OUTPUT]',
    '    Name stdout',
    `    Match ${o.journal ? '*' : 'kube.*'}`,
    '',
  ].join('\n');
}
