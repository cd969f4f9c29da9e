import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import {
  absolutePath, dnsLabel, ensure, ensureEach, ensureOptional, ensureUnique, imageReference, invalid,
  nonNegativeQuantity, parseQuantity, portName, portNumber, Where,
} from '../validation';
import { Probe } from './probe';
import { resourceName } from './resource-ref';
import { ContainerSecurity } from './security';

/** Network protocol of a port. */
export enum Protocol {
  TCP = 'TCP',
  UDP = 'UDP',
  SCTP = 'SCTP',
}

/** When kubelet pulls the image. */
export enum ImagePullPolicy {
  /** Pull when missing; right for pinned tags (the default here). */
  IF_NOT_PRESENT = 'IfNotPresent',
  /** Pull on every start. */
  ALWAYS = 'Always',
  /** Never pull; the image must be on the node. */
  NEVER = 'Never',
}

/** How a mount sees mounts made later on the host or in the container. */
export enum MountPropagation {
  NONE = 'None',
  /** Host mounts appear in the container (node agents reading host filesystems). */
  HOST_TO_CONTAINER = 'HostToContainer',
  /** Both ways; needs a privileged container, so it is rejected here. */
  BIDIRECTIONAL = 'Bidirectional',
}

/** A port the container listens on. */
export interface ContainerPort {
  /** Port number. */
  readonly number: number;
  /** IANA service name (at most 15 characters) that Services and probes can target. @default - unnamed */
  readonly name?: string;
  /** @default Protocol.TCP */
  readonly protocol?: Protocol;
  /** Expose the port on the node's IP. Host access: only node agents accept it. @default - none */
  readonly hostPort?: number;
}

/** CPU and memory requests and limits, as Kubernetes quantities. */
export interface ContainerResources {
  /** @default "100m" */
  readonly cpuRequest?: string;
  /** @default "500m" */
  readonly cpuLimit?: string;
  /** @default "128Mi" */
  readonly memoryRequest?: string;
  /** @default "256Mi" */
  readonly memoryLimit?: string;
}

/** The resources a container gets when it says nothing: sized for a small service, not 1 CPU each. */
export const DEFAULT_RESOURCES: Required<ContainerResources> = {
  cpuRequest: '100m',
  cpuLimit: '500m',
  memoryRequest: '128Mi',
  memoryLimit: '256Mi',
};

/** Mounts a pod volume (or a StatefulApp claim template) into a container. */
export interface VolumeMount {
  /** Name of the pod volume or claim template. */
  readonly volume: string;
  /** Absolute path in the container. */
  readonly mountPath: string;
  /** @default false */
  readonly readOnly?: boolean;
  /** Mount only this sub-path of the volume. @default - the whole volume */
  readonly subPath?: string;
  /** @default - Kubernetes' default (None) */
  readonly mountPropagation?: MountPropagation;
}

type EnvSource =
  | { readonly value: string }
  | { readonly fieldPath: string }
  | { readonly secret: string | kplus.ISecret; readonly key: string }
  | { readonly configMap: string | kplus.IConfigMap; readonly key: string };

/** The value of an environment variable. */
export class EnvValue {
  /** A literal value. */
  public static fromValue(value: string): EnvValue {
    return new EnvValue({ value });
  }

  /** A field of the pod (`metadata.name`, `metadata.namespace`, `status.podIP`, `spec.nodeName`). */
  public static fromFieldPath(fieldPath: string): EnvValue {
    return new EnvValue({ fieldPath });
  }

  /** A key of a Secret, by name (a Secret outside the app). */
  public static fromSecret(secretName: string, key: string): EnvValue {
    return new EnvValue({ secret: secretName, key });
  }

  /** A key of a ConfigMap, by name (a ConfigMap outside the app). */
  public static fromConfigMap(configMapName: string, key: string): EnvValue {
    return new EnvValue({ configMap: configMapName, key });
  }

  /** A key of a Secret of the app (`kplus.Secret`, or `kplus.Secret.fromSecretName()`). */
  public static fromSecretKey(secret: kplus.ISecret, key: string): EnvValue {
    return new EnvValue({ secret, key });
  }

  /** A key of a ConfigMap of the app (`kplus.ConfigMap`, or `kplus.ConfigMap.fromConfigMapName()`). */
  public static fromConfigMapKey(configMap: kplus.IConfigMap, key: string): EnvValue {
    return new EnvValue({ configMap, key });
  }

  private constructor(private readonly source: EnvSource) {}

  /** @internal */
  public _render(name: string, where: Where = 'env', field: string = `env.${name}`): k8s.EnvVar {
    const s = this.source;
    if ('value' in s) return { name, value: s.value };
    if ('fieldPath' in s) return { name, valueFrom: { fieldRef: { fieldPath: s.fieldPath } } };
    if ('secret' in s) {
      const secret = typeof s.secret === 'string' ? s.secret : resourceName(where, `${field}.secret`, s.secret, 'Secret');
      return { name, valueFrom: { secretKeyRef: { name: secret, key: s.key } } };
    }
    const configMap = typeof s.configMap === 'string' ? s.configMap : resourceName(where, `${field}.configMap`, s.configMap, 'ConfigMap');
    return { name, valueFrom: { configMapKeyRef: { name: configMap, key: s.key } } };
  }
}

/** A container of a pod. */
export interface ContainerProps {
  /** Container name (DNS-1123 label, unique in the pod). */
  readonly name: string;
  /** Image reference; pin a tag or digest. */
  readonly image: string;
  /** Entrypoint override. @default - the image's ENTRYPOINT */
  readonly command?: string[];
  /** Arguments. @default - the image's CMD */
  readonly args?: string[];
  /** @default - the image's WORKDIR */
  readonly workingDir?: string;
  /** Environment variables, in the order given. @default - none */
  readonly env?: Record<string, EnvValue>;
  /** Ports the container listens on. @default - none */
  readonly ports?: ContainerPort[];
  /** @default ImagePullPolicy.IF_NOT_PRESENT */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** Requests and limits; unset fields take the defaults of {@link ContainerResources}. @default - 100m/128Mi requested, 500m/256Mi limit */
  readonly resources?: ContainerResources;
  /**
   * Render no CPU limit, so the container is never throttled (latency-critical pods such as the
   * cluster DNS). Exclusive with `resources.cpuLimit`.
   * @default false
   */
  readonly omitCpuLimit?: boolean;
  /** @default - none */
  readonly livenessProbe?: Probe;
  /** @default - none */
  readonly readinessProbe?: Probe;
  /** @default - none */
  readonly startupProbe?: Probe;
  /** Mounts of pod volumes or claim templates. @default - none */
  readonly volumeMounts?: VolumeMount[];
  /** Security context. @default ContainerSecurity.nonRoot() */
  readonly security?: ContainerSecurity;
}

/** What the pod offers a container: volume names it may mount, and whether host access is allowed. */
export interface ContainerContext {
  readonly volumeNames: ReadonlySet<string>;
  readonly allowHostPorts: boolean;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/** Renders and validates one container. @internal */
export function renderContainer(where: Where, field: string, c: ContainerProps, ctx: ContainerContext): k8s.Container {
  ensure(where, `${field}.name`, c.name, dnsLabel);
  ensure(where, `${field}.image`, c.image, imageReference);

  const ports = c.ports ?? [];
  ensureEach(`${field}.ports`, ports, (p, f) => {
    ensure(where, `${f}.number`, p.number, portNumber);
    ensureOptional(where, `${f}.name`, p.name, portName);
    if (p.hostPort !== undefined) {
      if (!ctx.allowHostPorts) invalid(where, `${f}.hostPort`, p.hostPort, 'host ports are host access, which this workload does not allow', 'use a Service, or a NodeAgent for per-node daemons');
      ensure(where, `${f}.hostPort`, p.hostPort, portNumber);
    }
  });
  ensureUnique(where, `${field}.ports`, ports, (p) => p.name, 'port names');
  ensureUnique(where, `${field}.ports`, ports, (p) => `${p.number}/${p.protocol ?? Protocol.TCP}`, 'port number and protocol pairs');

  for (const name of Object.keys(c.env ?? {})) {
    if (!ENV_NAME.test(name)) invalid(where, `${field}.env`, name, 'environment variable names must be letters, digits, "_", "-", "." and not start with a digit', `try "${name.replace(/[^-._a-zA-Z0-9]/g, '_').replace(/^[0-9]/, '_$&')}"`);
  }

  const mounts = c.volumeMounts ?? [];
  ensureEach(`${field}.volumeMounts`, mounts, (m, f) => {
    if (!ctx.volumeNames.has(m.volume)) {
      const known = [...ctx.volumeNames];
      invalid(where, `${f}.volume`, m.volume, 'names no volume or claim template of this pod',
        known.length ? `use one of ${known.map((n) => `"${n}"`).join(', ')}, or add the volume` : 'add the volume (or claim template) first');
    }
    ensure(where, `${f}.mountPath`, m.mountPath, absolutePath);
    if (m.mountPropagation === MountPropagation.BIDIRECTIONAL) {
      invalid(where, `${f}.mountPropagation`, m.mountPropagation, 'Bidirectional propagation requires a privileged container', 'use HostToContainer');
    }
  });
  ensureUnique(where, `${field}.volumeMounts`, mounts, (m) => m.mountPath, 'mount paths');

  const omitCpuLimit = c.omitCpuLimit ?? false;
  if (omitCpuLimit && c.resources?.cpuLimit !== undefined) {
    invalid(where, `${field}.resources.cpuLimit`, c.resources.cpuLimit, 'cpuLimit and omitCpuLimit are exclusive', 'drop one of them');
  }
  const r = { ...DEFAULT_RESOURCES, ...c.resources };
  for (const key of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
    if (key === 'cpuLimit' && omitCpuLimit) continue;
    ensure(where, `${field}.resources.${key}`, r[key], nonNegativeQuantity);
  }
  for (const [request, limit] of [['cpuRequest', 'cpuLimit'], ['memoryRequest', 'memoryLimit']] as const) {
    if (limit === 'cpuLimit' && omitCpuLimit) continue;
    if (parseQuantity(r[request]) > parseQuantity(r[limit])) {
      invalid(where, `${field}.resources.${request}`, r[request], `is above ${limit} "${r[limit]}"; Kubernetes rejects requests above limits`, `raise ${limit} or lower ${request}`);
    }
  }

  const firstPort = ports[0]?.name ?? ports[0]?.number;
  const security = c.security ?? ContainerSecurity.nonRoot();
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: c.imagePullPolicy ?? ImagePullPolicy.IF_NOT_PRESENT,
    command: c.command ? [...c.command] : undefined,
    args: c.args ? [...c.args] : undefined,
    workingDir: c.workingDir,
    env: c.env ? Object.entries(c.env).map(([name, value]) => value._render(name, where, `${field}.env.${name}`)) : undefined,
    ports: ports.length > 0
      ? ports.map((p) => ({ containerPort: p.number, name: p.name, protocol: p.protocol ?? Protocol.TCP, hostPort: p.hostPort }))
      : undefined,
    resources: {
      requests: { cpu: k8s.Quantity.fromString(r.cpuRequest), memory: k8s.Quantity.fromString(r.memoryRequest) },
      limits: omitCpuLimit
        ? { memory: k8s.Quantity.fromString(r.memoryLimit) }
        : { cpu: k8s.Quantity.fromString(r.cpuLimit), memory: k8s.Quantity.fromString(r.memoryLimit) },
    },
    livenessProbe: c.livenessProbe?._render(where, `${field}.livenessProbe`, firstPort, true),
    readinessProbe: c.readinessProbe?._render(where, `${field}.readinessProbe`, firstPort, false),
    startupProbe: c.startupProbe?._render(where, `${field}.startupProbe`, firstPort, true),
    volumeMounts: mounts.length > 0
      ? mounts.map((m) => ({
        name: m.volume, mountPath: m.mountPath, readOnly: m.readOnly, subPath: m.subPath, mountPropagation: m.mountPropagation,
      }))
      : undefined,
    securityContext: security._render(where, `${field}.security`),
  };
}
