// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { PodEnvFrom } from './env-from';
import { PodProbe } from './probe';
import { ensureKeyHeld, resourceName } from './resource-ref';
import { ContainerSecurity } from './security';
import { reasonAnnotationKey } from '../kubernetes/metadata-keys';
import {
  absolutePath, renderedQuantity, check, configMapKey, dnsLabel, ensure, ensureEach, ensureList, ensureOptional,
  ensureUnique, envFieldPath, imageReference, invalid, isUnpinnedImage, nonEmptyList, nonNegativeQuantity,
  objectReferenceName, oneOf, ownInstance, parseQuantity, pinnedImage, portName, portNumber, quantity, relativePath,
  resourceDivisor, resourceFieldName, statedReason, subPathExpression, Where,
} from '../kubernetes/validation';

/** Network protocol of a port. */
export enum PortProtocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
}

/** When kubelet pulls the image. */
export enum PodImagePullPolicy {
  /** Pull when missing; right for pinned tags (the default here). */
  IF_NOT_PRESENT = 'IfNotPresent',
  /** Pull on every start. */
  ALWAYS = 'Always',
  /** Never pull; the image must be on the node. */
  NEVER = 'Never',
}

/** How a mount sees mounts made later on the host or in the container. */
export enum PodMountPropagation {
  NONE = 'None',
  /** Host mounts appear in the container (node agents reading host filesystems). */
  HOST_TO_CONTAINER = 'HostToContainer',
  /** Both ways; needs a privileged container, so it is rejected here. */
  BIDIRECTIONAL = 'Bidirectional',
}

/** A port the container listens on. */
export interface PodContainerPort {
  /** Port number. */
  readonly number: number;
  /** IANA service name (at most 15 characters) that Services and probes can target. @default - unnamed */
  readonly name?: string;
  /** Protocol of the port. @default PortProtocol.TCP */
  readonly protocol?: PortProtocol;
  /**
   * Expose the port on the node's IP. Host access: only node agents accept it, and only with
   * `hostPortReason`. @default - none
   */
  readonly hostPort?: number;
  /**
   * Why the port is bound on every node (at least 10 characters, not a placeholder); required with
   * `hostPort` and kept as an annotation on the pods. @default - no host port
   */
  readonly hostPortReason?: string;
}

/** CPU and memory requests and limits, as Kubernetes quantities. */
export interface PodContainerResources {
  /** CPU the scheduler reserves for the container. @default "100m" */
  readonly cpuRequest?: string;
  /** CPU above which the container is throttled. @default "500m" */
  readonly cpuLimit?: string;
  /** Memory the scheduler reserves for the container. @default "128Mi" */
  readonly memoryRequest?: string;
  /** Memory above which the container is killed. @default "256Mi" */
  readonly memoryLimit?: string;
}

/** The resources a container gets when it says nothing: sized for a small service, not 1 CPU each. */
export const DEFAULT_RESOURCES: Required<PodContainerResources> = {
  cpuRequest: '100m',
  cpuLimit: '500m',
  memoryRequest: '128Mi',
  memoryLimit: '256Mi',
};

/** Mounts a pod volume (or a StatefulApp claim template) into a container. */
export interface PodVolumeMount {
  /** Name of the pod volume or claim template. */
  readonly volume: string;
  /** Absolute path in the container. */
  readonly mountPath: string;
  /** Mount the volume read-only. @default false */
  readonly readOnly?: boolean;
  /** Mount only this sub-path of the volume (relative, no `..`). @default - the whole volume */
  readonly subPath?: string;
  /**
   * Like `subPath`, with `$(VAR)` references to the container's environment expanded by kubelet
   * (e.g. `$(POD_NAME)`). Exclusive with `subPath`.
   * @default - none
   */
  readonly subPathExpr?: string;
  /** Whether mounts made later on the host reach the container. @default - Kubernetes' default (None) */
  readonly mountPropagation?: PodMountPropagation;
}

type EnvSource =
  | { readonly value: string }
  | { readonly fieldPath: string }
  | { readonly secret: string | kplus.ISecret; readonly key: string }
  | { readonly configMap: string | kplus.IConfigMap; readonly key: string }
  | { readonly resource: string; readonly containerName?: string; readonly divisor?: string };

/** Options of {@link PodEnvValue.fromResource}. */
export interface ResourceFieldOptions {
  /** The container whose resources are read. @default - the container the variable is set on */
  readonly containerName?: string;
  /** Unit the value is divided by: `1m` or `1` for CPU, `1`, `1Mi`, `1Gi`, ... for memory and storage. @default "1" */
  readonly divisor?: string;
}

/** The value of an environment variable. */
export class PodEnvValue {
  /** A literal value. */
  public static fromValue(value: string): PodEnvValue {
    return new PodEnvValue({ value });
  }

  /** A field of the pod (`metadata.name`, `metadata.namespace`, `status.podIP`, `spec.nodeName`). */
  public static fromFieldPath(fieldPath: string): PodEnvValue {
    return new PodEnvValue({ fieldPath });
  }

  /** A key of a Secret, by name (a Secret outside the app). */
  public static fromSecretName(secretName: string, key: string): PodEnvValue {
    return new PodEnvValue({ secret: secretName, key });
  }

  /** A key of a ConfigMap, by name (a ConfigMap outside the app). */
  public static fromConfigMapName(configMapName: string, key: string): PodEnvValue {
    return new PodEnvValue({ configMap: configMapName, key });
  }

  /** A resource limit or request of a container (`limits.memory`, `requests.cpu`, `limits.hugepages-2Mi`, ...). */
  public static fromResource(resource: string, options: ResourceFieldOptions = {}): PodEnvValue {
    return new PodEnvValue({ resource, containerName: options.containerName, divisor: options.divisor });
  }

  /** A key of a Secret of the app (`kplus.Secret`, or `kplus.Secret.fromSecretName()`). */
  public static fromSecret(secret: kplus.ISecret, key: string): PodEnvValue {
    return new PodEnvValue({ secret, key });
  }

  /** A key of a ConfigMap of the app (`kplus.ConfigMap`, or `kplus.ConfigMap.fromConfigMapName()`). */
  public static fromConfigMap(configMap: kplus.IConfigMap, key: string): PodEnvValue {
    return new PodEnvValue({ configMap, key });
  }

  private constructor(private readonly source: EnvSource) {}

  /**
   * Validates the reference against the rules of the API server and renders it.
   * @internal
   */
  public _render(where: Where, field: string, name: string, containers: ReadonlySet<string>): k8s.EnvVar {
    const s = this.source;
    if ('value' in s) {
      if (typeof s.value !== 'string') invalid(where, field, s.value, 'environment values must be strings', `quote it: "${String(s.value)}"`);
      return { name, value: String(s.value) };
    }
    if ('fieldPath' in s) {
      ensure(where, `${field}.fieldPath`, s.fieldPath, envFieldPath);
      return { name, valueFrom: { fieldRef: { fieldPath: s.fieldPath } } };
    }
    if ('resource' in s) {
      const resourceOk = check(where, `${field}.resource`, s.resource, resourceFieldName);
      if (resourceOk) ensureOptional(where, `${field}.divisor`, s.divisor, resourceDivisor(s.resource));
      if (s.containerName !== undefined && !containers.has(s.containerName)) {
        invalid(where, `${field}.containerName`, s.containerName, 'names no container of this pod', `use one of ${[...containers].map((c) => `"${c}"`).join(', ')}`);
      }
      return {
        name,
        valueFrom: {
          resourceFieldRef: {
            resource: s.resource,
            containerName: s.containerName,
            divisor: s.divisor !== undefined && resourceOk && !quantity(s.divisor) ? k8s.Quantity.fromString(s.divisor) : undefined,
          },
        },
      };
    }
    const [kind, ref] = 'secret' in s ? ['secret', s.secret] as const : ['configMap', s.configMap] as const;
    // An object of the app (kplus.ISecret / IConfigMap) gives its own name; a name string is checked here.
    const refName = typeof ref === 'string'
      ? ensure(where, `${field}.${kind}Name`, ref, objectReferenceName)
      : resourceName(where, `${field}.${kind}`, ref, kind === 'secret' ? 'Secret' : 'ConfigMap');
    ensure(where, `${field}.key`, s.key, configMapKey);
    ensureKeyHeld(where, `${field}.key`, ref, s.key, kind === 'secret' ? 'Secret' : 'ConfigMap');
    return kind === 'secret'
      ? { name, valueFrom: { secretKeyRef: { name: refName, key: s.key } } }
      : { name, valueFrom: { configMapKeyRef: { name: refName, key: s.key } } };
  }
}

/** A container of a pod. */
export interface PodContainerProps {
  /** Container name (DNS-1123 label, unique in the pod). */
  readonly name: string;
  /** Image reference; pin a tag or digest (an untagged or `:latest` image needs `unpinnedImageReason`). */
  readonly image: string;
  /**
   * Why the image is not pinned to a tag or digest (at least 10 characters, not a placeholder). An
   * unpinned image may differ between two syncs; the reason is kept as an annotation on the pods.
   * @default - the image must be pinned
   */
  readonly unpinnedImageReason?: string;
  /** Entrypoint override. @default - the image's ENTRYPOINT */
  readonly command?: string[];
  /** Arguments. @default - the image's CMD */
  readonly args?: string[];
  /** Directory the command runs in. @default - the image's WORKDIR */
  readonly workingDir?: string;
  /** Environment variables, in the order given. @default - none */
  readonly env?: Record<string, PodEnvValue>;
  /** Every key of these Secrets and ConfigMaps as environment variables (`env` wins on a clash). @default - none */
  readonly envFrom?: PodEnvFrom[];
  /** Ports the container listens on. @default - none */
  readonly ports?: PodContainerPort[];
  /** When the kubelet pulls the image. @default PodImagePullPolicy.IF_NOT_PRESENT */
  readonly imagePullPolicy?: PodImagePullPolicy;
  /** Requests and limits; unset fields take the defaults of {@link PodContainerResources}. @default - 100m/128Mi requested, 500m/256Mi limit */
  readonly resources?: PodContainerResources;
  /**
   * Render no CPU limit, so the container is never throttled (latency-critical pods such as the
   * cluster DNS). Exclusive with `resources.cpuLimit`.
   * @default false
   */
  readonly omitCpuLimit?: boolean;
  /** Check that restarts the container when it fails. @default - none */
  readonly livenessProbe?: PodProbe;
  /** Check that takes the pod out of Services while it fails. @default - none */
  readonly readinessProbe?: PodProbe;
  /** Check that holds the other probes back until the container has started. @default - none */
  readonly startupProbe?: PodProbe;
  /** Mounts of pod volumes or claim templates. @default - none */
  readonly volumeMounts?: PodVolumeMount[];
  /** Security context. @default ContainerSecurity.nonRoot() */
  readonly security?: ContainerSecurity;
}

/** What the pod offers a container: volume names it may mount, and whether host access is allowed. */
export interface ContainerContext {
  readonly volumeNames: ReadonlySet<string>;
  readonly allowHostPorts: boolean;
  /** Under hostNetwork every port binds on the node: the host-network reason covers host ports. */
  readonly hostNetwork?: boolean;
  /** Collects the reasons of the container's risky choices: annotation key -> reason. */
  readonly reasons?: Record<string, string>;
  /** Every container name of the pod (resource field refs may name another container). */
  readonly containerNames: ReadonlySet<string>;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Renders and validates one container. @internal */
export function renderContainer(where: Where, field: string, c: PodContainerProps, ctx: ContainerContext): k8s.Container {
  ensure(where, `${field}.name`, c.name, dnsLabel);
  ensure(where, `${field}.image`, c.image, imageReference);
  const reasons = ctx.reasons ?? {};
  checkImagePinned(where, field, c, reasons);
  const ports = checkPorts(where, field, c, ctx, reasons);
  ensureOptional(where, `${field}.imagePullPolicy`, c.imagePullPolicy, oneOf(PodImagePullPolicy));
  const env = renderEnv(where, field, c, ctx);
  const mounts = checkMounts(where, field, c, ctx);
  const { r, omitCpuLimit } = checkResources(where, field, c);

  // Canonical text, as the API server stores it, so GitOps diffs see no change that is not one.
  const toQuantity = (value: string) => k8s.Quantity.fromString(renderedQuantity(value));
  const firstPort = ports[0]?.name ?? ports[0]?.number;
  const security = ownInstance(where, `${field}.security`, c.security, ContainerSecurity, 'ContainerSecurity.nonRoot()') ?? ContainerSecurity.nonRoot();
  // Linux lets only root or NET_BIND_SERVICE bind ports below 1024 (ip_unprivileged_port_start): a non-root process
  // without it fails at start with "permission denied", on the pod network and the host network alike.
  if (!security.runsAsRoot && security.user > 0 && !security._adds('NET_BIND_SERVICE')) {
    ports.forEach((p, j) => {
      if (Number.isInteger(p.number) && p.number >= 1 && p.number < 1024) {
        invalid(where, `${field}.ports[${j}].number`, p.number, `is below 1024, which a non-root container (user ${security.user}) cannot bind without NET_BIND_SERVICE`,
          'listen on 1024 or above (a Service can still offer the low port), or add the capability: ContainerSecurity.nonRoot({ addCapabilities: ["NET_BIND_SERVICE"] })');
      }
    });
  }
  const probe = (kind: 'livenessProbe' | 'readinessProbe' | 'startupProbe', liveness: boolean) =>
    ownInstance(where, `${field}.${kind}`, c[kind], PodProbe, 'Probe.httpGet(), Probe.tcpSocket() or Probe.exec()')?._render(where, `${field}.${kind}`, firstPort, liveness, ports);
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: c.imagePullPolicy ?? PodImagePullPolicy.IF_NOT_PRESENT,
    command: nonEmptyList(c.command),
    args: nonEmptyList(c.args),
    workingDir: c.workingDir,
    env: c.env ? nonEmptyList(env) : undefined,
    envFrom: c.envFrom?.length ? c.envFrom.map((e, i) => e._render(where, `${field}.envFrom[${i}]`)) : undefined,
    ports: ports.length > 0
      ? ports.map((p) => ({ containerPort: p.number, name: p.name, protocol: p.protocol ?? PortProtocol.TCP, hostPort: p.hostPort }))
      : undefined,
    resources: {
      requests: { cpu: toQuantity(r.cpuRequest), memory: toQuantity(r.memoryRequest) },
      limits: omitCpuLimit ? { memory: toQuantity(r.memoryLimit) } : { cpu: toQuantity(r.cpuLimit), memory: toQuantity(r.memoryLimit) },
    },
    livenessProbe: probe('livenessProbe', true),
    readinessProbe: probe('readinessProbe', false),
    startupProbe: probe('startupProbe', true),
    volumeMounts: mounts.length > 0
      ? mounts.map((m) => ({
        name: m.volume,
        mountPath: m.mountPath,
        readOnly: m.readOnly,
        subPath: m.subPath,
        subPathExpr: m.subPathExpr,
        mountPropagation: m.mountPropagation,
      }))
      : undefined,
    securityContext: security._render(where, `${field}.security`),
  };
}

/** The one rule for unpinned images, in every construct: refused unless a reason is stated. */
function checkImagePinned(where: Where, field: string, c: PodContainerProps, reasons: Record<string, string>): void {
  if (typeof c.image === 'string' && isUnpinnedImage(c.image)) {
    if (c.unpinnedImageReason === undefined) {
      ensure(where, `${field}.image`, c.image, pinnedImage(`${c.image.replace(/:latest$/, '')}:1.2.3`));
    } else {
      reasons[reasonAnnotationKey(`unpinned-image.${c.name}`)] = ensure(where, `${field}.unpinnedImageReason`, c.unpinnedImageReason, statedReason);
    }
  } else if (c.unpinnedImageReason !== undefined) {
    invalid(where, `${field}.unpinnedImageReason`, c.unpinnedImageReason, 'the image is pinned, so there is nothing to justify', 'remove unpinnedImageReason');
  }
}

/** The container's ports, checked; host ports only where the pod allows host access, with a reason. */
function checkPorts(
  where: Where, field: string, c: PodContainerProps, ctx: ContainerContext, reasons: Record<string, string>,
): readonly PodContainerPort[] {
  const ports = ensureList(where, `${field}.ports`, c.ports);
  ensureEach(`${field}.ports`, ports, (p, f) => {
    ensure(where, `${f}.number`, p.number, portNumber);
    ensureOptional(where, `${f}.name`, p.name, portName);
    ensureOptional(where, `${f}.protocol`, p.protocol, oneOf(PortProtocol));
    if (p.hostPort !== undefined) {
      if (!ctx.allowHostPorts) invalid(where, `${f}.hostPort`, p.hostPort, 'host ports are host access, which this workload does not allow', 'use a Service, or a NodeAgent for per-node daemons');
      ensure(where, `${f}.hostPort`, p.hostPort, portNumber);
      if (p.hostPortReason === undefined) {
        // Under hostNetwork the host-network grant already states why ports bind on the node.
        if (!ctx.hostNetwork) {
          invalid(where, `${f}.hostPort`, p.hostPort, 'a host port exposes the pod on every node\'s IP, a risky choice that needs a stated reason',
            'reach the pods through a Service instead, or give hostPortReason');
        }
        return;
      }
      // A reason for a host port that is there is never refused, even where the host-network grant covers it.
      reasons[reasonAnnotationKey(`host-port.${c.name}.${p.hostPort}-${p.protocol ?? PortProtocol.TCP}`)] = ensure(where, `${f}.hostPortReason`, p.hostPortReason, statedReason);
    } else if (p.hostPortReason !== undefined) {
      invalid(where, `${f}.hostPortReason`, p.hostPortReason, 'there is no hostPort to justify', 'remove hostPortReason, or set hostPort');
    }
  });
  ensureUnique(where, `${field}.ports`, ports, (p) => p.name, 'port names');
  ensureUnique(where, `${field}.ports`, ports, (p) => `${p.number}/${p.protocol ?? PortProtocol.TCP}`, 'port number and protocol pairs');
  return ports;
}

function renderEnv(where: Where, field: string, c: PodContainerProps, ctx: ContainerContext): k8s.EnvVar[] {
  const env: k8s.EnvVar[] = [];
  for (const [name, value] of Object.entries(c.env ?? {})) {
    if (!ENV_NAME.test(name)) invalid(where, `${field}.env`, name, 'environment variable names must be letters, digits, "_", "-", "." and not start with a digit', `try "${name.replace(/[^-._a-zA-Z0-9]/g, '_').replace(/^[0-9]/, '_$&')}"`);
    if (!(value instanceof PodEnvValue)) {
      invalid(where, `${field}.env["${name}"]`, value, 'must be an EnvValue', `use EnvValue.fromValue(${JSON.stringify(String(value))})`);
      continue;
    }
    env.push(value._render(where, `${field}.env["${name}"]`, name, ctx.containerNames));
  }
  return env;
}

function checkMounts(where: Where, field: string, c: PodContainerProps, ctx: ContainerContext): readonly PodVolumeMount[] {
  const mounts = ensureList(where, `${field}.volumeMounts`, c.volumeMounts);
  ensureEach(`${field}.volumeMounts`, mounts, (m, f) => {
    if (!ctx.volumeNames.has(m.volume)) {
      const known = [...ctx.volumeNames];
      invalid(where, `${f}.volume`, m.volume, 'names no volume or claim template of this pod',
        known.length ? `use one of ${known.map((n) => `"${n}"`).join(', ')}, or add the volume` : 'add the volume (or claim template) first');
    }
    ensure(where, `${f}.mountPath`, m.mountPath, absolutePath);
    ensureOptional(where, `${f}.subPath`, m.subPath, relativePath);
    ensureOptional(where, `${f}.subPathExpr`, m.subPathExpr, subPathExpression);
    if (m.subPath !== undefined && m.subPathExpr !== undefined) {
      invalid(where, `${f}.subPathExpr`, m.subPathExpr, 'subPath and subPathExpr are exclusive', 'give one of them');
    }
    ensureOptional(where, `${f}.mountPropagation`, m.mountPropagation, oneOf(PodMountPropagation));
    if (m.mountPropagation === PodMountPropagation.BIDIRECTIONAL) {
      invalid(where, `${f}.mountPropagation`, m.mountPropagation, 'Bidirectional propagation requires a privileged container', 'use HostToContainer');
    }
  });
  ensureUnique(where, `${field}.volumeMounts`, mounts, (m) => m.mountPath, 'mount paths');
  return mounts;
}

/** Requests and limits with the defaults filled in, checked (a request above its limit is refused). */
function checkResources(where: Where, field: string, c: PodContainerProps): { r: Required<PodContainerResources>; omitCpuLimit: boolean } {
  const omitCpuLimit = c.omitCpuLimit ?? false;
  if (omitCpuLimit && c.resources?.cpuLimit !== undefined) {
    invalid(where, `${field}.resources.cpuLimit`, c.resources.cpuLimit, 'cpuLimit and omitCpuLimit are exclusive', 'drop one of them');
  }
  const r = { ...DEFAULT_RESOURCES, ...c.resources };
  const validQuantities = new Set<string>();
  for (const key of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
    if (key === 'cpuLimit' && omitCpuLimit) continue;
    if (check(where, `${field}.resources.${key}`, r[key], nonNegativeQuantity)) validQuantities.add(key);
  }
  for (const [request, limit] of [['cpuRequest', 'cpuLimit'], ['memoryRequest', 'memoryLimit']] as const) {
    if (limit === 'cpuLimit' && omitCpuLimit) continue;
    if (!validQuantities.has(request) || !validQuantities.has(limit)) continue;
    if (parseQuantity(r[request]) > parseQuantity(r[limit])) {
      invalid(where, `${field}.resources.${request}`, r[request], `is above ${limit} "${r[limit]}"; Kubernetes rejects requests above limits`, `raise ${limit} or lower ${request}`);
    }
  }
  return { r, omitCpuLimit };
}
