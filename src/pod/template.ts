import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { RUNS_AS_ROOT_ANNOTATION_PREFIX } from '../metadata-keys';
import {
  dnsLabel, dnsSubdomain, ensure, ensureAnnotations, ensureEach, ensureLabels, ensureOptional,
  ensureUnique, invalid, nonNegativeInt, Where,
} from '../validation';
import { ContainerProps, renderContainer } from './container';
import { resourceName } from './resource-ref';
import { renderTolerations, Spread, Toleration } from './scheduling';
import { PodVolume } from './volume';

/** DNS policy of a pod. */
export enum DnsPolicy {
  /** Cluster DNS first, then the node's resolvers (Kubernetes' default). */
  CLUSTER_FIRST = 'ClusterFirst',
  /** Cluster DNS even with hostNetwork. */
  CLUSTER_FIRST_WITH_HOST_NET = 'ClusterFirstWithHostNet',
  /** The node's resolv.conf (what the cluster DNS itself uses). */
  DEFAULT = 'Default',
  NONE = 'None',
}

/**
 * The pod template every workload construct accepts. One shape for StatefulApp, StatelessApp,
 * NodeAgent, BatchJob and ScheduledJob.
 */
export interface PodTemplateProps {
  /** The pod's containers (at least one). */
  readonly containers: ContainerProps[];
  /** Containers that run to completion before the others start. @default - none */
  readonly initContainers?: ContainerProps[];
  /** Volumes containers can mount. @default - none */
  readonly volumes?: PodVolume[];
  /** Extra labels on the pods (not part of the selector). @default - none */
  readonly podLabels?: Record<string, string>;
  /** Annotations on the pods. @default - none */
  readonly podAnnotations?: Record<string, string>;
  /** ServiceAccount the pods run as, by name (an account outside the app). @default - the namespace's "default" account */
  readonly serviceAccountName?: string;
  /**
   * ServiceAccount the pods run as, an account of the app (`kplus.ServiceAccount`). Exclusive with
   * `serviceAccountName`.
   * @default - the namespace's "default" account
   */
  readonly serviceAccount?: kplus.IServiceAccount;
  /**
   * Mount an API token into the pods. Off unless the workload talks to the Kubernetes API.
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /** @default - Kubernetes' default (30) */
  readonly terminationGracePeriodSeconds?: number;
  /** Node labels the pods require. @default - none (NodeAgent: `kubernetes.io/os: linux`) */
  readonly nodeSelector?: Record<string, string>;
  /** @default - none */
  readonly tolerations?: Toleration[];
  /** Node affinity (raw Kubernetes shape). @default - none */
  readonly nodeAffinity?: k8s.NodeAffinity;
  /** PriorityClass of the pods. @default - none (NodeAgent: `system-node-critical`) */
  readonly priorityClassName?: string;
  /** Secrets used to pull images, by name. @default - none */
  readonly imagePullSecrets?: string[];
  /** Secrets of the app used to pull images (`kplus.Secret`); added after `imagePullSecrets`. @default - none */
  readonly imagePullSecretObjects?: kplus.ISecret[];
  /** Group that owns mounted volumes, so a non-root user can write them. @default - none */
  readonly fsGroup?: number;
  /** @default DnsPolicy.CLUSTER_FIRST */
  readonly dnsPolicy?: DnsPolicy;
}

/** What a construct adds to the user's pod template. @internal */
export interface PodTemplateContext {
  /** Selector labels; always on the pods, so the selector matches its template. */
  readonly selectorLabels: Record<string, string>;
  /** Labels from the construct (on every object it renders, pods included). */
  readonly labels: Record<string, string>;
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  /** Names mountable besides the pod volumes (StatefulApp claim templates). */
  readonly extraVolumeNames?: readonly string[];
  /** Host access: hostPath volumes and host ports; only NodeAgent sets this. */
  readonly allowHostAccess?: boolean;
  readonly spread?: Spread;
  /** Construct-level pod spec fields (hostNetwork, affinity defaults, ...), applied last. */
  readonly spec?: Partial<k8s.PodSpec>;
}

/**
 * Builds and validates a pod template: the one place pod specs are made.
 * Field names in errors are the construct's prop names (`containers[0].image`).
 * @internal
 */
export function buildPodTemplate(where: Where, props: PodTemplateProps, ctx: PodTemplateContext): k8s.PodTemplateSpec {
  if (!props.containers || props.containers.length === 0) {
    invalid(where, 'containers', props.containers ?? [], 'a pod needs at least one container', 'add a container');
  }
  const volumes = props.volumes ?? [];
  ensureUnique(where, 'volumes', volumes, (v) => v.name, 'volume names');
  const renderedVolumes = volumes.map((v, i) => {
    if (v.hostDirectory !== undefined && !ctx.allowHostAccess) {
      invalid(where, `volumes[${i}]`, v.name, 'hostPath volumes are host access, which this workload does not allow', 'use a PersistentVolumeClaim, or a NodeAgent for per-node daemons');
    }
    return v._render(where, `volumes[${i}]`);
  });
  const volumeNames = new Set([...volumes.map((v) => v.name), ...(ctx.extraVolumeNames ?? [])]);
  const containerCtx = { volumeNames, allowHostPorts: ctx.allowHostAccess ?? false };

  const all = [...(props.initContainers ?? []), ...props.containers];
  ensureUnique(where, 'containers', all, (c) => c.name, 'container names (init containers included)');
  const initContainers = (props.initContainers ?? []).map((c, i) => renderContainer(where, `initContainers[${i}]`, c, containerCtx));
  const containers = props.containers.map((c, i) => renderContainer(where, `containers[${i}]`, c, containerCtx));

  ensureLabels(where, 'podLabels', props.podLabels);
  ensureAnnotations(where, 'podAnnotations', props.podAnnotations);
  ensureLabels(where, 'nodeSelector', props.nodeSelector);
  ensureOptional(where, 'serviceAccountName', props.serviceAccountName, dnsSubdomain);
  if (props.serviceAccount && props.serviceAccountName !== undefined) {
    invalid(where, 'serviceAccount', props.serviceAccount.name, 'serviceAccount and serviceAccountName are exclusive', 'give one of them');
  }
  const serviceAccountName = props.serviceAccount ? resourceName(where, 'serviceAccount', props.serviceAccount, 'ServiceAccount') : props.serviceAccountName;
  const pullSecrets = [
    ...props.imagePullSecrets ?? [],
    ...(props.imagePullSecretObjects ?? []).map((s, i) => resourceName(where, `imagePullSecretObjects[${i}]`, s, 'Secret')),
  ];
  ensureOptional(where, 'priorityClassName', props.priorityClassName, dnsSubdomain);
  ensureOptional(where, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds, nonNegativeInt);
  ensureOptional(where, 'fsGroup', props.fsGroup, nonNegativeInt);
  ensureEach('imagePullSecrets', props.imagePullSecrets, (s, f) => ensure(where, f, s, dnsSubdomain));

  // Why a container runs as root travels with the pod, so a reviewer of the manifest sees it.
  const rootReasons: Record<string, string> = {};
  for (const c of all) {
    if (c.security?.runsAsRoot) rootReasons[RUNS_AS_ROOT_ANNOTATION_PREFIX + ensure(where, 'containers.name', c.name, dnsLabel)] = c.security.rootReason ?? '';
  }
  const annotations = { ...props.podAnnotations, ...rootReasons };
  for (const [key, value] of Object.entries(ctx.selectorLabels)) {
    if (props.podLabels?.[key] !== undefined && props.podLabels[key] !== value) {
      invalid(where, `podLabels["${key}"]`, props.podLabels[key], `conflicts with the selector label ${key}=${value}`, 'remove it from podLabels or change selectorLabels');
    }
  }

  const spread = ctx.spread?._apply(where, 'spread', ctx.selectorLabels);
  const affinity: k8s.Affinity | undefined = (props.nodeAffinity || spread?.affinity || ctx.spec?.affinity)
    ? { ...ctx.spec?.affinity, ...spread?.affinity, nodeAffinity: props.nodeAffinity ?? ctx.spec?.affinity?.nodeAffinity }
    : undefined;

  const spec: k8s.PodSpec = {
    ...ctx.spec,
    restartPolicy: ctx.restartPolicy,
    serviceAccountName: serviceAccountName ?? ctx.spec?.serviceAccountName,
    automountServiceAccountToken: props.automountServiceAccountToken ?? ctx.spec?.automountServiceAccountToken ?? false,
    terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? ctx.spec?.terminationGracePeriodSeconds,
    priorityClassName: props.priorityClassName ?? ctx.spec?.priorityClassName,
    nodeSelector: props.nodeSelector ?? ctx.spec?.nodeSelector,
    tolerations: props.tolerations ? renderTolerations(where, 'tolerations', props.tolerations) : ctx.spec?.tolerations,
    affinity,
    topologySpreadConstraints: spread?.topologySpreadConstraints ?? ctx.spec?.topologySpreadConstraints,
    dnsPolicy: props.dnsPolicy ?? ctx.spec?.dnsPolicy,
    imagePullSecrets: props.imagePullSecrets || props.imagePullSecretObjects ? pullSecrets.map((name) => ({ name })) : ctx.spec?.imagePullSecrets,
    securityContext: {
      ...ctx.spec?.securityContext,
      fsGroup: props.fsGroup ?? ctx.spec?.securityContext?.fsGroup,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    initContainers: initContainers.length > 0 ? initContainers : undefined,
    containers,
    volumes: renderedVolumes.length > 0 ? renderedVolumes : ctx.spec?.volumes,
  };

  return {
    metadata: {
      labels: { ...ctx.labels, ...props.podLabels, ...ctx.selectorLabels },
      annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    },
    spec,
  };
}

/** Every named or numbered port of a pod template's containers, for Services and probes. @internal */
export function podPorts(props: PodTemplateProps): Array<{ container: string; number: number; name?: string; protocol: string }> {
  return props.containers.flatMap((c) => (c.ports ?? []).map((p) => ({ container: c.name, number: p.number, name: p.name, protocol: p.protocol ?? 'TCP' })));
}
