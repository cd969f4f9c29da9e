import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { HostMount, NodeAgentProps, NodeAgentUpdateStrategy } from './node-agent';
import { ContainerResources, MountPropagation } from './pod/container';
import { Probe } from './pod/probe';
import { Toleration } from './pod/scheduling';
import { ContainerSecurity } from './pod/security';
import { HostPathType, PodVolume } from './pod/volume';
import { objectMeta, WorkloadIdentity, WorkloadProps } from './workload/identity';
import { namespaceOf } from './workload/rbac';

/** What every node-agent preset lets you change. */
export interface NodeAgentPresetOptions extends WorkloadProps {
  /** Image; pin a tag or digest. @default - the preset's pinned image */
  readonly image?: string;
  /** Requests and limits of the agent container. @default - the preset's */
  readonly resources?: ContainerResources;
  /** Tolerate every taint so the agent runs on every node. @default - true unless `tolerations` is given */
  readonly tolerateAllTaints?: boolean;
  /** Explicit tolerations instead of tolerating every taint. @default - none */
  readonly tolerations?: Toleration[];
  /** @default { "kubernetes.io/os": "linux" } */
  readonly nodeSelector?: Record<string, string>;
  /** @default - none */
  readonly nodeAffinity?: k8s.NodeAffinity;
  /** Run at `system-node-critical` priority. @default true */
  readonly nodeCritical?: boolean;
  /** @default - `system-node-critical` (see nodeCritical) */
  readonly priorityClassName?: string;
  /** @default NodeAgentUpdateStrategy.rollingUpdate() */
  readonly updateStrategy?: NodeAgentUpdateStrategy;
  /** @default - none */
  readonly imagePullSecrets?: string[];
  /** @default - none */
  readonly podLabels?: Record<string, string>;
  /** @default - none */
  readonly podAnnotations?: Record<string, string>;
  /** Render a metrics Service with `prometheus.io/*` annotations. @default true */
  readonly metricsService?: boolean;
}

/** Options of {@link NodeAgent.nodeExporter}. */
export interface NodeExporterOptions extends NodeAgentPresetOptions {
  /** Port the exporter listens on, on every node (host network). @default 9100 */
  readonly port?: number;
  /** Extra exporter flags, e.g. `--collector.systemd`. @default - none */
  readonly extraArgs?: string[];
}

/** Options of {@link NodeAgent.logCollector}. */
export interface LogCollectorOptions extends NodeAgentPresetOptions {
  /**
   * The whole `fluent-bit.conf`. Keep `HTTP_Server On` and `Health_Check On` on the port: the
   * probes and the metrics Service use them.
   * @default - tail every container log, enrich with the Kubernetes filter, print to stdout
   */
  readonly config?: string;
  /** Port of Fluent Bit's HTTP server (health and metrics). @default 2020 */
  readonly port?: number;
}

/** The node exporter image the preset runs, pinned. */
export const NODE_EXPORTER_IMAGE = 'quay.io/prometheus/node-exporter:v1.8.2';
/** The Fluent Bit image the preset runs, pinned. */
export const FLUENT_BIT_IMAGE = 'cr.fluentbit.io/fluent/fluent-bit:3.1.9';
/** The "nobody" user the node exporter chart runs as. */
const NOBODY = 65534;

/** The scheduling and identity options every preset passes through unchanged. */
function common(options: NodeAgentPresetOptions): Omit<NodeAgentProps, 'containers'> {
  return {
    name: options.name,
    namespace: options.namespace,
    labels: options.labels,
    selectorLabels: options.selectorLabels,
    annotations: options.annotations,
    tolerateAllTaints: options.tolerateAllTaints ?? options.tolerations === undefined,
    tolerations: options.tolerations,
    nodeSelector: options.nodeSelector,
    nodeAffinity: options.nodeAffinity,
    nodeCritical: options.nodeCritical,
    priorityClassName: options.priorityClassName,
    updateStrategy: options.updateStrategy,
    imagePullSecrets: options.imagePullSecrets,
    podLabels: options.podLabels,
    podAnnotations: options.podAnnotations,
  };
}

/**
 * The node exporter of the prometheus-community `prometheus-node-exporter` chart: host `/proc`,
 * `/sys` and `/` read-only under `/host` (HostToContainer, so later host mounts show up), the
 * matching `--path.*` flags, host network and PID namespace, user 65534 with a read-only root.
 * @internal
 */
export function nodeExporterProps(options: NodeExporterOptions): NodeAgentProps {
  const port = options.port ?? 9100;
  // Typed, so renames of HostMount's fields reach this literal.
  const hostDir = (name: string, hostPath: string): HostMount => ({
    name, hostPath, mountPath: `/host/${name}`, readOnly: true, type: HostPathType.DIRECTORY, propagation: MountPropagation.HOST_TO_CONTAINER,
  });
  return {
    ...common(options),
    hostNetwork: true,
    hostPid: true,
    hostMounts: [hostDir('proc', '/proc'), hostDir('sys', '/sys'), hostDir('root', '/')],
    containers: [{
      name: 'node-exporter',
      image: options.image ?? NODE_EXPORTER_IMAGE,
      args: [
        '--path.procfs=/host/proc',
        '--path.sysfs=/host/sys',
        '--path.rootfs=/host/root',
        '--path.udev.data=/host/root/run/udev/data',
        `--web.listen-address=:${port}`,
        ...(options.extraArgs ?? []),
      ],
      ports: [{ number: port, name: 'metrics' }],
      resources: { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '32Mi', memoryLimit: '128Mi', ...options.resources },
      livenessProbe: Probe.httpGet({ path: '/', portName: 'metrics' }),
      readinessProbe: Probe.httpGet({ path: '/', portName: 'metrics' }),
      security: ContainerSecurity.nonRoot({ user: NOBODY }),
    }],
    metricsService: (options.metricsService ?? true) ? { port, path: '/metrics' } : undefined,
  };
}

/** Where the preset mounts the configuration. */
const FLUENT_BIT_CONFIG_DIR = '/fluent-bit/etc/conf';

/** What {@link logCollectorProps} gives the construct. @internal */
export interface LogCollectorPlan {
  readonly props: NodeAgentProps;
  readonly configMapName: string;
  readonly config: string;
}

/**
 * The log collector of the fluent `fluent-bit` chart: `/var/log` (which holds `/var/log/pods` and
 * `/var/log/containers`) and `/var/lib/docker/containers` read-only, get/list/watch on pods and
 * namespaces for the Kubernetes filter, and root, because the runtime writes container logs as root.
 * @internal
 */
export function logCollectorPlan(scope: Construct, id: string, options: LogCollectorOptions): LogCollectorPlan {
  const name = options.name ?? id;
  const port = options.port ?? 2020;
  const configMapName = `${name}-config`;
  const config = options.config ?? defaultFluentBitConfig(name, options.namespace ?? namespaceOf(scope), port);
  const checksum = createHash('sha256').update(config).digest('hex');
  return {
    configMapName,
    config,
    props: {
      ...common(options),
      // Restart the pods when the configuration changes (Fluent Bit reads it once, at start).
      podAnnotations: { ...options.podAnnotations, 'checksum/config': checksum },
      hostMounts: [
        { name: 'varlog', hostPath: '/var/log', mountPath: '/var/log' },
        { name: 'varlibdockercontainers', hostPath: '/var/lib/docker/containers', mountPath: '/var/lib/docker/containers' },
      ],
      volumes: [PodVolume.configMap('config', { configMapName })],
      rules: [{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }],
      containers: [{
        name: 'fluent-bit',
        image: options.image ?? FLUENT_BIT_IMAGE,
        command: ['/fluent-bit/bin/fluent-bit'],
        args: ['--workdir=/fluent-bit/etc', `--config=${FLUENT_BIT_CONFIG_DIR}/fluent-bit.conf`],
        ports: [{ number: port, name: 'http' }],
        resources: { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '64Mi', memoryLimit: '256Mi', ...options.resources },
        livenessProbe: Probe.httpGet({ path: '/', portName: 'http' }),
        readinessProbe: Probe.httpGet({ path: '/api/v1/health', portName: 'http' }),
        volumeMounts: [{ volume: 'config', mountPath: FLUENT_BIT_CONFIG_DIR, readOnly: true }],
        security: ContainerSecurity.runAsRoot({
          reason: 'reads root-owned container logs under /var/log and /var/lib/docker/containers',
          readOnlyRootFilesystem: true,
        }),
      }],
      metricsService: (options.metricsService ?? true) ? { port, path: '/api/v2/metrics/prometheus' } : undefined,
    },
  };
}

/** Renders the log collector's ConfigMap. @internal */
export function addLogCollectorConfig(scope: Construct, identity: WorkloadIdentity, plan: LogCollectorPlan): k8s.KubeConfigMap {
  return new k8s.KubeConfigMap(scope, 'Config', {
    metadata: objectMeta(identity, plan.configMapName),
    data: { 'fluent-bit.conf': plan.config },
  });
}

/**
 * A starting configuration: tail every container log, add pod metadata, print to stdout. The
 * collector's own log is excluded, or it would read what it prints, forever. Replace the output.
 */
function defaultFluentBitConfig(name: string, namespace: string, port: number): string {
  return [
    '[SERVICE]',
    '    Daemon Off',
    '    Flush 1',
    '    Log_Level info',
    '    Parsers_File /fluent-bit/etc/parsers.conf',
    '    HTTP_Server On',
    '    HTTP_Listen 0.0.0.0',
    `    HTTP_Port ${port}`,
    '    Health_Check On',
    '',
    '[INPUT]',
    '    Name tail',
    '    Path /var/log/containers/*.log',
    `    Exclude_Path /var/log/containers/${name}-*_${namespace}_fluent-bit-*.log`,
    '    multiline.parser docker, cri',
    '    Tag kube.*',
    '    Mem_Buf_Limit 5MB',
    '    Skip_Long_Lines On',
    '',
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
    '    Match kube.*',
    '',
  ].join('\n');
}
