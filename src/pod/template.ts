// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { PodContainerProps, renderContainer } from './container';
import { resourceName } from './resource-ref';
import { renderTolerations, Spread, Toleration } from './scheduling';
import { PodVolume } from './volume';
import { MANAGED_BY_LABEL, reasonAnnotationKey, RUNS_AS_ROOT_ANNOTATION_PREFIX } from '../kubernetes/metadata-keys';
import {
  annotationsSize, checkInstance, dnsLabel, dnsNameserver, dnsNameserverList, dnsOptionName, dnsSearchDomain,
  dnsSearchList, dnsSubdomain, ensure, ensureAnnotations, ensureEach, ensureLabels, ensureManagedLabelsKept,
  ensureOptional, ensureUnique, invalid, isSensitiveHostPath, nonEmptyList, nonEmptyMap, nonNegativeInt, oneOf,
  ownInstance, statedReason, Where,
} from '../kubernetes/validation';

/** DNS policy of a pod. */
export enum PodDnsPolicy {
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
  readonly containers: PodContainerProps[];
  /** Containers that run to completion before the others start. @default - none */
  readonly initContainers?: PodContainerProps[];
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
  /** Seconds a pod may take to stop after SIGTERM before it is killed. @default - Kubernetes' default (30) */
  readonly terminationGracePeriodSeconds?: number;
  /** Node labels the pods require. @default - none (NodeAgent: `kubernetes.io/os: linux`) */
  readonly nodeSelector?: Record<string, string>;
  /** Taints the pods tolerate. @default - none */
  readonly tolerations?: Toleration[];
  /** Node affinity (raw Kubernetes shape). @default - none */
  readonly nodeAffinity?: k8s.NodeAffinity;
  /** PriorityClass of the pods. @default - none (NodeAgent: `system-node-critical`) */
  readonly priorityClassName?: string;
  /** Secrets used to pull images, by name. @default - none */
  readonly imagePullSecretNames?: string[];
  /** Secrets of the app used to pull images (`kplus.Secret`); added after `imagePullSecretNames`. @default - none */
  readonly imagePullSecrets?: kplus.ISecret[];
  /** Group that owns mounted volumes, so a non-root user can write them. @default - none */
  readonly fsGroup?: number;
  /** How the pods resolve names. @default PodDnsPolicy.CLUSTER_FIRST */
  readonly dnsPolicy?: PodDnsPolicy;
  /**
   * Resolver settings merged into the pod's resolv.conf; required with `PodDnsPolicy.NONE`, which then
   * needs at least one nameserver.
   * @default - none
   */
  readonly dnsConfig?: PodDnsConfig;
}

/** A resolv.conf option (`ndots:2`, `edns0`). */
export interface PodDnsOption {
  /** Option name, e.g. `ndots`. */
  readonly name: string;
  /** Value of the resolver option. @default - no value (a flag such as `edns0`) */
  readonly value?: string;
}

/** A pod's DNS settings (Kubernetes `dnsConfig`). */
export interface PodDnsConfig {
  /** Nameserver IPs, at most 3. @default - none */
  readonly nameservers?: string[];
  /** Search domains, at most 32 and 2048 characters in all. @default - none */
  readonly searches?: string[];
  /** Resolver options. @default - none */
  readonly options?: PodDnsOption[];
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
  /** Host directories of the workload's own (log and state), writable without a reason unless sensitive. */
  readonly ownHostDirectories?: readonly string[];
  readonly spread?: Spread;
  /**
   * Reasons for risky choices the construct made (host namespaces), already checked: annotation key ->
   * reason. They join the pod layer's own (host ports, writable host paths, unpinned images).
   */
  readonly reasons?: Record<string, string>;
  /** Construct-level pod spec fields (hostNetwork, affinity defaults, ...), applied last. */
  readonly spec?: Partial<k8s.PodSpec>;
}

/**
 * Builds and validates a pod template: the one place pod specs are made.
 * Field names in errors are the construct's prop names (`containers[0].image`).
 * @internal
 */
export function buildPodTemplate(where: Where, props: PodTemplateProps, ctx: PodTemplateContext): k8s.PodTemplateSpec {
  const givenContainers = listOf(props.containers);
  if (givenContainers.length === 0) {
    invalid(where, 'containers', props.containers ?? [], 'a pod needs at least one container', 'add a container');
  }
  const { volumes, renderedVolumes } = renderPodVolumes(where, props, ctx);
  const volumeNames = new Set([...volumes.map((v) => v.name), ...(ctx.extraVolumeNames ?? [])]);
  const reasons: Record<string, string> = { ...ctx.reasons };
  const all = [...listOf(props.initContainers), ...givenContainers];
  const containerCtx = {
    volumeNames,
    allowHostPorts: ctx.allowHostAccess ?? false,
    hostNetwork: ctx.spec?.hostNetwork === true,
    reasons,
    containerNames: new Set(all.map((c) => c.name)),
  };
  ensureUnique(where, 'containers', all, (c) => c.name, 'container names (init containers included)');
  const initContainers = listOf(props.initContainers).map((c, i) => renderContainer(where, `initContainers[${i}]`, c, containerCtx));
  const containers = givenContainers.map((c, i) => renderContainer(where, `containers[${i}]`, c, containerCtx));
  ensureHostPathsJustified(where, props, volumes, reasons, ctx.ownHostDirectories ?? []);
  const { serviceAccountName, pullSecrets, dnsConfig } = checkPodFields(where, props, ctx);
  const annotations = podAnnotations(where, props, ctx, all, reasons);
  const spec = podSpec(where, props, ctx, { serviceAccountName, pullSecrets, dnsConfig, initContainers, containers, renderedVolumes });
  return {
    metadata: {
      labels: { ...ctx.labels, ...props.podLabels, ...ctx.selectorLabels },
      annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
    },
    spec,
  };
}

/** The pod's volumes; entries that are not PodVolumes are reported and left out, the others keep the user's index in errors. */
function renderPodVolumes(where: Where, props: PodTemplateProps, ctx: PodTemplateContext): { volumes: PodVolume[]; renderedVolumes: k8s.Volume[] } {
  const given = listOf(props.volumes).map((v, i) => ({ v, i }))
    .filter(({ v, i }) => checkInstance(where, `volumes[${i}]`, v, PodVolume, 'PodVolume.emptyDir(), .configMap(), .secret(), ...'));
  const volumes = given.map(({ v }) => v);
  ensureUnique(where, 'volumes', volumes, (v) => v.name, 'volume names');
  const renderedVolumes = given.map(({ v, i }) => {
    if (v.hostDirectory !== undefined && !ctx.allowHostAccess) {
      invalid(where, `volumes[${i}]`, v.name, 'hostPath volumes are host access, which this workload does not allow', 'use a PersistentVolumeClaim, or a NodeAgent for per-node daemons');
    }
    return v._render(where, `volumes[${i}]`);
  });
  return { volumes, renderedVolumes };
}

/** Pod-level fields checked; the names they resolve to (service account, pull secrets) and the DNS config. */
function checkPodFields(where: Where, props: PodTemplateProps, ctx: PodTemplateContext) {
  ensureLabels(where, 'podLabels', props.podLabels);
  ensureAnnotations(where, 'podAnnotations', props.podAnnotations);
  ensureLabels(where, 'nodeSelector', props.nodeSelector);
  ensureOptional(where, 'serviceAccountName', props.serviceAccountName, dnsSubdomain);
  if (props.serviceAccount && props.serviceAccountName !== undefined) {
    invalid(where, 'serviceAccount', props.serviceAccount.name, 'serviceAccount and serviceAccountName are exclusive', 'give one of them');
  }
  const serviceAccountName = props.serviceAccount ? resourceName(where, 'serviceAccount', props.serviceAccount, 'ServiceAccount') : props.serviceAccountName;
  const pullSecrets = [
    ...props.imagePullSecretNames ?? [],
    ...(props.imagePullSecrets ?? []).map((s, i) => resourceName(where, `imagePullSecrets[${i}]`, s, 'Secret')),
  ];
  ensureOptional(where, 'priorityClassName', props.priorityClassName, dnsSubdomain);
  ensureOptional(where, 'terminationGracePeriodSeconds', props.terminationGracePeriodSeconds, nonNegativeInt);
  ensureOptional(where, 'fsGroup', props.fsGroup, nonNegativeInt);
  ensureEach('imagePullSecretNames', props.imagePullSecretNames, (s, f) => ensure(where, f, s, dnsSubdomain));
  ensureOptional(where, 'dnsPolicy', props.dnsPolicy, oneOf(PodDnsPolicy));
  const dnsConfig = renderDnsConfig(where, props.dnsPolicy ?? ctx.spec?.dnsPolicy, props.dnsConfig);
  return { serviceAccountName, pullSecrets, dnsConfig };
}

/** The pod's annotations: the user's, plus the reasons for every risky choice (root, host access, unpinned images). */
function podAnnotations(
  where: Where, props: PodTemplateProps, ctx: PodTemplateContext, all: readonly PodContainerProps[], reasons: Record<string, string>,
): Record<string, string> {
  // Why a container runs as root travels with the pod, so a reviewer of the manifest sees it.
  const rootReasons: Record<string, string> = {};
  for (const c of all) {
    if (c.security?.runsAsRoot) rootReasons[RUNS_AS_ROOT_ANNOTATION_PREFIX + ensure(where, 'containers.name', c.name, dnsLabel)] = c.security.rootReason ?? '';
  }
  const annotations = { ...props.podAnnotations, ...rootReasons, ...reasons };
  ensure(where, 'podAnnotations', annotations, annotationsSize);
  // The same rule as the workload's own labels: selector labels and managed-by are the library's.
  ensureManagedLabelsKept(where, 'podLabels', props.podLabels, {
    ...(ctx.labels[MANAGED_BY_LABEL] !== undefined ? {
      [MANAGED_BY_LABEL]: { value: ctx.labels[MANAGED_BY_LABEL], why: 'the library sets this label on every object it renders', fix: 'remove it from podLabels' },
    } : {}),
    ...Object.fromEntries(Object.entries(ctx.selectorLabels).map(([key, value]) => [key, {
      value, why: 'conflicts with the selector label', fix: 'remove it from podLabels or change selectorLabels',
    }])),
  });
  return annotations;
}

/** What buildPodTemplate has rendered and resolved before the spec is put together. */
interface PodSpecParts {
  readonly serviceAccountName?: string;
  readonly pullSecrets: readonly string[];
  readonly dnsConfig?: k8s.PodDnsConfig;
  readonly initContainers: readonly k8s.Container[];
  readonly containers: k8s.Container[];
  readonly renderedVolumes: readonly k8s.Volume[];
}

/** The pod spec: the user's props first, then the construct's spec fields, then the library's defaults. */
function podSpec(where: Where, props: PodTemplateProps, ctx: PodTemplateContext, parts: PodSpecParts): k8s.PodSpec {
  const { serviceAccountName, pullSecrets, dnsConfig, initContainers, containers, renderedVolumes } = parts;
  const spread = ownInstance(where, 'spread', ctx.spread, Spread, 'Spread.preferDifferentNodes()')?._apply(where, 'spread', ctx.selectorLabels);
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
    nodeSelector: nonEmptyMap(props.nodeSelector ?? ctx.spec?.nodeSelector),
    tolerations: nonEmptyList(props.tolerations ? renderTolerations(where, 'tolerations', props.tolerations) : ctx.spec?.tolerations),
    affinity,
    topologySpreadConstraints: spread?.topologySpreadConstraints ?? ctx.spec?.topologySpreadConstraints,
    dnsPolicy: props.dnsPolicy ?? ctx.spec?.dnsPolicy,
    dnsConfig: dnsConfig ?? ctx.spec?.dnsConfig,
    imagePullSecrets: nonEmptyList(props.imagePullSecretNames || props.imagePullSecrets
      ? pullSecrets.map((name) => ({ name }))
      : ctx.spec?.imagePullSecrets),
    securityContext: {
      ...ctx.spec?.securityContext,
      fsGroup: props.fsGroup ?? ctx.spec?.securityContext?.fsGroup,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    initContainers: initContainers.length > 0 ? [...initContainers] : undefined,
    containers,
    volumes: renderedVolumes.length > 0 ? [...renderedVolumes] : ctx.spec?.volumes,
  };
  return spec;
}

/** A list prop as given, or empty when a JavaScript caller passed something else (reported where it matters). @internal */
export function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

/** Validates a dnsConfig as the 1.28 API server does (validatePodDNSConfig). */
function renderDnsConfig(where: Where, policy: string | undefined, config: PodDnsConfig | undefined): k8s.PodDnsConfig | undefined {
  if (policy === PodDnsPolicy.NONE) {
    if (!config) {
      invalid(where, 'dnsConfig', undefined, 'dnsPolicy None takes every resolver setting from dnsConfig', 'give dnsConfig with at least one nameserver, or use another dnsPolicy');
      return undefined;
    }
    if ((config.nameservers ?? []).length === 0) {
      invalid(where, 'dnsConfig.nameservers', config.nameservers ?? [], 'dnsPolicy None needs at least one nameserver', 'give a nameserver IP, e.g. ["10.96.0.10"]');
    }
  }
  if (!config) return undefined;
  const nameservers = config.nameservers ?? [];
  const searches = config.searches ?? [];
  ensure(where, 'dnsConfig.nameservers', nameservers, dnsNameserverList);
  ensureEach('dnsConfig.nameservers', nameservers, (n, f) => ensure(where, f, n, dnsNameserver));
  ensure(where, 'dnsConfig.searches', searches, dnsSearchList);
  ensureEach('dnsConfig.searches', searches, (s, f) => ensure(where, f, s, dnsSearchDomain));
  ensureEach('dnsConfig.options', config.options, (o, f) => ensure(where, `${f}.name`, o.name, dnsOptionName));
  return {
    nameservers: config.nameservers ? [...config.nameservers] : undefined,
    searches: config.searches ? [...config.searches] : undefined,
    options: config.options?.map((o) => ({ name: o.name, value: o.value })),
  };
}

/** Every named or numbered port of a pod template's containers, for Services and probes. @internal */
export function podPorts(props: PodTemplateProps): Array<{ container: string; number: number; name?: string; protocol: string }> {
  return listOf(props.containers).flatMap((c) => listOf(c.ports).map((p) => ({ container: c.name, number: p.number, name: p.name, protocol: p.protocol ?? 'TCP' })));
}

/** True when `path` is `dir` or below it, however it is spelled (`//`, `/./`, a trailing `/`). */
function isUnder(path: string, dir: string): boolean {
  const clean = (p: string) => (p.replace(/\/+/g, '/').replace(/\/\.(?=\/|$)/g, '').replace(/(.)\/$/, '$1')) || '/';
  const p = clean(path);
  const d = clean(dir);
  return p === d || p.startsWith(d === '/' ? '/' : `${d}/`);
}

/**
 * The one rule for host paths. A writable mount needs a stated reason unless it is a directory of the workload's
 * own (`ownDirectories`, e.g. a node agent's `/var/lib/<name>`) that is not a node system path; a reason is welcome
 * whenever the mount is writable or the path sensitive (the policy's sensitive-host-mounts reports even read-only
 * ones), and refused only when nothing about the mount is risky.
 * @internal
 */
export function hostPathRisk(
  path: string, writable: boolean, ownDirectories: readonly string[] = [],
): { needsReason: boolean; reasonWelcome: boolean } {
  if (typeof path !== 'string') return { needsReason: false, reasonWelcome: true }; // a wrong type is its own input error
  const sensitive = isSensitiveHostPath(path);
  const own = ownDirectories.some((d) => isUnder(path, d));
  return { needsReason: writable && (sensitive || !own), reasonWelcome: writable || sensitive };
}

/**
 * Host path volumes (see {@link hostPathRisk}): a writable mount beyond the workload's own directories needs the
 * volume's reason, and any reason given is kept as an annotation on the pods, which the policy reads too.
 */
function ensureHostPathsJustified(
  where: Where, props: PodTemplateProps, volumes: readonly PodVolume[], reasons: Record<string, string>, ownDirectories: readonly string[],
): void {
  const hostVolumes = new Map(volumes.filter((v) => v.hostDirectory !== undefined).map((v) => [v.name, v]));
  if (hostVolumes.size === 0) return;
  const writable = new Set<string>();
  for (const [field, containers] of [['initContainers', props.initContainers], ['containers', props.containers]] as const) {
    ensureEach(field, containers, (c, cf) => ensureEach(`${cf}.volumeMounts`, c.volumeMounts, (m, mf) => {
      const volume = hostVolumes.get(m.volume);
      if (!volume || m.readOnly) return;
      writable.add(volume.name);
      if (volume.hostPathReason === undefined && hostPathRisk(volume.hostDirectory!, true, ownDirectories).needsReason) {
        const what = isSensitiveHostPath(volume.hostDirectory!) ? 'the sensitive host path' : 'the host path';
        invalid(where, `${mf}.readOnly`, m.readOnly ?? false, `mounts ${what} ${volume.hostDirectory} writable, which lets the pod change the node`,
          `mount it read-only, or state why: PodVolume.hostPath("${volume.name}", "${volume.hostDirectory}", type, { reason })`);
      }
    }));
  }
  volumes.forEach((volume, i) => {
    if (volume.hostPathReason === undefined) return;
    if (!hostPathRisk(volume.hostDirectory!, writable.has(volume.name), ownDirectories).reasonWelcome) {
      invalid(where, `volumes[${i}].reason`, volume.hostPathReason, `${volume.hostDirectory} is not a sensitive host path and is mounted read-only, so there is nothing to justify`, 'remove reason');
      return;
    }
    reasons[reasonAnnotationKey(`host-path.${volume.name}`)] = ensure(where, `volumes[${i}].reason`, volume.hostPathReason, statedReason);
  });
}
