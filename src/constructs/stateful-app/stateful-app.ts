// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { statefulClaimName, statefulOrdinals } from '../../kubernetes/stateful-set';
import {
  renderedQuantity, dnsLabel, dnsSubdomain, ensure, ensureAnnotations, ensureEach, ensureLabels, ensureList,
  ensureOptional, ensureUnique, invalid, nonNegativeInt, oneOf, ownInstance, positiveQuantity,
  serviceName as serviceNameRule, workloadName,
} from '../../kubernetes/validation';
import { Spread } from '../../pod/scheduling';
import { ContainerSecurity } from '../../pod/security';
import { PodTemplateProps, buildPodTemplate, listOf } from '../../pod/template';
import { recordWorkload } from '../../workload/app-index';
import { addDisruptionBudget, DisruptionBudgetOptions } from '../../workload/disruption';
import { clusterDomainFor, IDnsNamed, serviceFqdn } from '../../workload/dns';
import { namespaceOf, objectMeta, WorkloadIdentity, WorkloadIdentityProps } from '../../workload/identity';
import { IntOrPercent } from '../../workload/int-or-percent';
import { addService, portsFromContainers, ServicePortProps, WorkloadServiceType } from '../../workload/service';
import { AccessMode, ClaimRequest, ensureAccessModes, recordClaims, VolumeMode } from '../../workload/storage';
import { ScalableWorkloadBase } from '../../workload/workload-base';

/** How the StatefulSet controller creates and deletes pods. */
export enum StatefulPodManagement {
  /** One pod at a time, in ordinal order, each waiting for the previous to be Ready (Kubernetes' default). */
  ORDERED_READY = 'OrderedReady',
  /** All pods at once; for apps whose peers do not depend on start order. */
  PARALLEL = 'Parallel',
}

/** What happens to the claims of a StatefulSet's pods. */
export enum ClaimRetentionPolicy {
  /** Keep the claims (and their data) (Kubernetes' default). */
  RETAIN = 'Retain',
  /** Delete the claims; with a Delete reclaim policy the data goes too. */
  DELETE = 'Delete',
}

/** `persistentVolumeClaimRetentionPolicy` of a StatefulSet (beta and on by default since Kubernetes 1.27). */
export interface ClaimRetentionOptions {
  /** When the StatefulSet is deleted. @default ClaimRetentionPolicy.RETAIN */
  readonly whenDeleted?: ClaimRetentionPolicy;
  /** When the StatefulSet scales down (the claims of removed ordinals). @default ClaimRetentionPolicy.RETAIN */
  readonly whenScaled?: ClaimRetentionPolicy;
}

/** Kind of StatefulSet update strategy. */
export enum StatefulUpdateType {
  /** Replace pods from the highest ordinal down when the template changes. */
  ROLLING_UPDATE = 'RollingUpdate',
  /** Replace a pod only when someone deletes it. */
  ON_DELETE = 'OnDelete',
}

/** Options of a StatefulSet rolling update. */
export interface StatefulRollingUpdateOptions {
  /**
   * Only pods with an ordinal >= partition are updated (staged rollouts, canaries). At most `replicas`.
   * @default 0
   */
  readonly partition?: number;
  /**
   * Pods that may be unavailable during the update. Needs the `MaxUnavailableStatefulSet` feature gate
   * (alpha in Kubernetes 1.28); without it the API server drops the field and updates one pod at a time.
   * @default - one pod at a time
   */
  readonly maxUnavailable?: IntOrPercent;
}

/** How a StatefulSet replaces its pods when the pod template changes. */
export class StatefulUpdateStrategy {
  /** Replace pods from the highest ordinal down (Kubernetes' default). */
  public static rollingUpdate(options: StatefulRollingUpdateOptions = {}): StatefulUpdateStrategy {
    return new StatefulUpdateStrategy(StatefulUpdateType.ROLLING_UPDATE, options);
  }

  /** Replace a pod only when it is deleted (manual, pod-by-pod upgrades). */
  public static onDelete(): StatefulUpdateStrategy {
    return new StatefulUpdateStrategy(StatefulUpdateType.ON_DELETE, {});
  }

  /**
   * A strategy from plain configuration (values read from a file). Rolling-update options with
   * `OnDelete` are rejected at construction of the StatefulApp, as the API server would.
   */
  public static of(strategyType: StatefulUpdateType, options: StatefulRollingUpdateOptions = {}): StatefulUpdateStrategy {
    return new StatefulUpdateStrategy(strategyType, options);
  }

  private constructor(
    /** The kind of strategy. */
    public readonly strategyType: StatefulUpdateType,
    private readonly options: StatefulRollingUpdateOptions,
  ) {}

  /** @internal */
  public _render(where: Construct, field: string, replicas: number): k8s.StatefulSetUpdateStrategy {
    const partition = this.options.partition;
    const maxUnavailable = ownInstance(where, `${field}.maxUnavailable`, this.options.maxUnavailable, IntOrPercent, 'IntOrPercent.count(1)');
    if (!Object.values(StatefulUpdateType).includes(this.strategyType)) {
      invalid(where, `${field}.type`, this.strategyType, 'is not a StatefulSet update strategy', 'use RollingUpdate or OnDelete');
    }
    if (this.strategyType === StatefulUpdateType.ON_DELETE) {
      if (partition !== undefined) invalid(where, `${field}.partition`, partition, 'only applies to RollingUpdate', 'drop partition, or use StatefulUpdateStrategy.rollingUpdate()');
      if (maxUnavailable !== undefined) invalid(where, `${field}.maxUnavailable`, maxUnavailable.toString(), 'only applies to RollingUpdate', 'drop maxUnavailable, or use StatefulUpdateStrategy.rollingUpdate()');
      return { type: this.strategyType };
    }
    ensureOptional(where, `${field}.partition`, partition, nonNegativeInt);
    if (partition !== undefined && partition > replicas) {
      invalid(where, `${field}.partition`, partition, `is above replicas (${replicas}), so no pod would ever be updated`, `use a partition from 0 to ${replicas}`);
    }
    if (maxUnavailable?.isZero) {
      invalid(where, `${field}.maxUnavailable`, maxUnavailable.toString(), 'zero means no pod can ever be replaced', 'allow at least 1');
    }
    const rollingUpdate = partition !== undefined || maxUnavailable !== undefined
      ? { partition, maxUnavailable: maxUnavailable?._render(where, `${field}.maxUnavailable`) }
      : undefined;
    return { type: this.strategyType, rollingUpdate };
  }
}

/**
 * A per-pod PersistentVolumeClaim template. Each pod gets its own claim named
 * `<name>-<statefulset>-<ordinal>`, which outlives the pod (unless the retention policy says otherwise).
 */
export interface VolumeClaimTemplate {
  /** Template name; containers mount it by this name (`volumeMounts: [{ volume: name, ... }]`). */
  readonly name: string;
  /** Requested size, any Kubernetes quantity (`500Mi`, `2Gi`). */
  readonly storage: string;
  /** How the volume may be mounted. @default [AccessMode.READ_WRITE_ONCE] */
  readonly accessModes?: AccessMode[];
  /**
   * StorageClass of the claims. `""` asks for a PersistentVolume without a class (static binding,
   * e.g. NfsVolumeSet); unset lets the cluster's default StorageClass provision one.
   * @default - unset
   */
  readonly storageClassName?: string;
  /** Only PersistentVolumes with these labels bind (static binding). @default - any volume */
  readonly selector?: Record<string, string>;
  /**
   * Claim annotations, e.g. the legacy `volume.beta.kubernetes.io/storage-class`.
   * @default - none
   */
  readonly annotations?: Record<string, string>;
  /** A filesystem or a raw block device. @default - Kubernetes' default (Filesystem) */
  readonly volumeMode?: VolumeMode;
}

/** The optional load-balanced ClusterIP Service beside the headless one. */
export interface ClientServiceOptions {
  /** Service name. @default "<name>-client" */
  readonly name?: string;
  /** Type of the client Service. @default WorkloadServiceType.CLUSTER_IP */
  readonly serviceType?: WorkloadServiceType;
  /** Ports of the client Service. @default - the headless Service's ports */
  readonly ports?: ServicePortProps[];
  /** Annotations of the client Service. @default - none */
  readonly annotations?: Record<string, string>;
}

/**
 * Props of a {@link StatefulApp}.
 *
 * Kubernetes never lets you change a StatefulSet's `volumeClaimTemplates`, `serviceName` or
 * `selector` (`selectorLabels`) after it is created: changing them means deleting the StatefulSet
 * (`kubectl delete sts --cascade=orphan`) and applying it again.
 */
export interface StatefulAppProps extends WorkloadIdentityProps, PodTemplateProps {
  /** Number of pods. @default 1 */
  readonly replicas?: number;
  /**
   * Name of the governing headless Service; pods are `<name>-<ordinal>.<serviceName>`.
   * Cannot change after the StatefulSet is created.
   * @default - the StatefulApp's name
   */
  readonly serviceName?: string;
  /**
   * Ports of the headless Service (DNS SRV records) and, unless it has its own, the client Service.
   * @default - every named container port (every container port when none is named)
   */
  readonly servicePorts?: ServicePortProps[];
  /**
   * Publish pods in DNS before they are Ready, so peers can find each other while they bootstrap
   * (clustered databases).
   * @default false
   */
  readonly publishNotReadyAddresses?: boolean;
  /** Also render a load-balanced ClusterIP Service for clients. @default - none */
  readonly clientService?: ClientServiceOptions;
  /**
   * Per-pod storage. Cannot change after the StatefulSet is created (the API server rejects the
   * update): plan sizes and classes up front.
   * @default - none
   */
  readonly volumeClaimTemplates?: VolumeClaimTemplate[];
  /** How the controller starts and stops pods. @default StatefulPodManagement.ORDERED_READY (Kubernetes' default, left unset) */
  readonly podManagementPolicy?: StatefulPodManagement;
  /** How pods are replaced when the template changes. @default StatefulUpdateStrategy.rollingUpdate() (Kubernetes' default, left unset) */
  readonly updateStrategy?: StatefulUpdateStrategy;
  /** Old ControllerRevisions kept for rollback. @default - Kubernetes' default (10) */
  readonly revisionHistoryLimit?: number;
  /** Seconds a new pod must be Ready before it counts as available. @default - Kubernetes' default (0) */
  readonly minReadySeconds?: number;
  /** What happens to the claims on delete and scale-down. @default - retain on both */
  readonly claimRetention?: ClaimRetentionOptions;
  /** First ordinal (`spec.ordinals.start`, beta since 1.27): pods are `<name>-<start>`, ... @default 0 */
  readonly ordinalsStart?: number;
  /** A PodDisruptionBudget over the pods. @default - none */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /** Spread replicas across nodes (anti-affinity or topology spread). @default - no preference */
  readonly spread?: Spread;
  /**
   * Cluster DNS domain, for `podDnsNames` and `serviceDnsName`. An app has one: giving a domain that
   * differs from another construct's (a CoreDnsAddon's) is an error.
   * @default - the app's CoreDnsAddon's domain, else "cluster.local"
   */
  readonly clusterDomain?: string;
}

/**
 * The group that should own freshly provisioned claim volumes: a new filesystem is root-owned, so a non-root
 * container cannot write it unless the kubelet chowns it to the pod's fsGroup. As community charts do, default
 * fsGroup to the group of the first non-root container that mounts a claim template.
 */
function claimWriterGroup(props: StatefulAppProps, claimNames: ReadonlySet<string>): number | undefined {
  if (claimNames.size === 0) return undefined;
  const containers = [...listOf(props.initContainers), ...listOf(props.containers)];
  for (const c of containers) {
    const mountsClaim = Array.isArray(c?.volumeMounts) && c.volumeMounts.some((m) => claimNames.has(m?.volume));
    const security = c?.security instanceof ContainerSecurity ? c.security : c?.security === undefined ? ContainerSecurity.nonRoot() : undefined;
    if (mountsClaim && security && !security.runsAsRoot && Number.isInteger(security.group)) return security.group;
  }
  return undefined;
}

/**
 * A stateful app: an `apps/v1` StatefulSet, the headless Service that governs it (stable pod DNS
 * names) and per-pod storage from volume claim templates; optionally a client Service and a
 * PodDisruptionBudget. Names, DNS names and claim names are exposed as handles for other constructs.
 */
export class StatefulApp extends ScalableWorkloadBase implements IDnsNamed {
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The governing headless Service (`clusterIP: None`). */
  public readonly headlessService: k8s.KubeService;
  /** The load-balanced client Service, when requested. */
  public readonly clientService?: k8s.KubeService;
  /** The PodDisruptionBudget, when requested. */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Name of the StatefulSet. */
  public readonly name: string;
  /** Namespace of every object (the chart's unless given). */
  public readonly namespace: string;
  /** Name of the governing headless Service. */
  public readonly serviceName: string;
  /** `<serviceName>.<namespace>.svc.<clusterDomain>`. */
  public readonly serviceDnsName: string;
  /** `<name>-<ordinal>.<serviceName>.<namespace>.svc.<clusterDomain>` for every replica. */
  public readonly podDnsNames: string[];
  /** The PersistentVolumeClaims Kubernetes creates: `<template>-<name>-<ordinal>`, per template and replica. */
  public readonly claimNames: string[];
  /** The claims as the PV controller sees them, in the order of `claimNames` (for static binding checks). */
  public readonly claims: ClaimRequest[];

  constructor(scope: Construct, id: string, props: StatefulAppProps) {
    super(scope, id, props, { nameRule: workloadName });
    const identity = this._identity;
    this.name = identity.name;
    this.namespace = props.namespace ?? namespaceOf(this);

    const replicas = ensure(this, 'replicas', props.replicas ?? 1, nonNegativeInt);
    const ordinalsStart = ensure(this, 'ordinalsStart', props.ordinalsStart ?? 0, nonNegativeInt);
    ensureOptional(this, 'revisionHistoryLimit', props.revisionHistoryLimit, nonNegativeInt);
    ensureOptional(this, 'minReadySeconds', props.minReadySeconds, nonNegativeInt);
    ensureOptional(this, 'podManagementPolicy', props.podManagementPolicy, oneOf(StatefulPodManagement));
    ensureOptional(this, 'claimRetention.whenDeleted', props.claimRetention?.whenDeleted, oneOf(ClaimRetentionPolicy));
    ensureOptional(this, 'claimRetention.whenScaled', props.claimRetention?.whenScaled, oneOf(ClaimRetentionPolicy));
    const clusterDomain = clusterDomainFor(this, 'clusterDomain', props.clusterDomain);
    this.serviceName = ensure(this, props.serviceName === undefined ? 'serviceName (from name)' : 'serviceName',
      props.serviceName ?? this.name, serviceNameRule);

    const { templates, claimTemplates } = checkClaimTemplates(this, props);

    const fsGroup = props.fsGroup ?? claimWriterGroup(props, new Set(templates.map((t) => t.name)));
    const template = buildPodTemplate(this, { ...props, fsGroup }, {
      selectorLabels: identity.selectorLabels,
      labels: identity.labels,
      extraVolumeNames: templates.map((t) => t.name),
      spread: props.spread,
    });

    // An invalid count is reported above; no handles are derived from it.
    const count = Number.isInteger(replicas) && replicas >= 0 && replicas < 2 ** 31 ? replicas : 0;
    const ordinals = statefulOrdinals(ordinalsStart, count);
    this.serviceDnsName = serviceFqdn(this.serviceName, this.namespace, clusterDomain);
    this.podDnsNames = ordinals.map((o) => `${this.name}-${o}.${this.serviceDnsName}`);
    this.claims = templates.flatMap((t) => ordinals.map((o) => claimRequest(t, this.name, this.namespace, o)));
    this.claimNames = this.claims.map((c) => c.name);
    recordClaims(this, this.claims);

    // `annotations` belong to the StatefulSet only; objectMeta() would also give them to any
    // companion that shares its name (the default headless Service, the PodDisruptionBudget).
    const companions: WorkloadIdentity = { ...identity, annotations: undefined };
    const servicePorts = props.servicePorts ?? defaultServicePorts(props);
    this.headlessService = addService(this, 'HeadlessService', companions, props, {
      name: this.serviceName,
      headless: true,
      ports: servicePorts,
      publishNotReadyAddresses: props.publishNotReadyAddresses,
      field: 'servicePorts',
    });
    if (props.clientService) {
      this.clientService = this.addClientService(companions, props, props.clientService, servicePorts);
    }

    const retention = props.claimRetention;
    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: objectMeta(identity),
      spec: {
        serviceName: this.serviceName,
        replicas,
        selector: { matchLabels: { ...identity.selectorLabels } },
        podManagementPolicy: props.podManagementPolicy,
        updateStrategy: ownInstance(this, 'updateStrategy', props.updateStrategy, StatefulUpdateStrategy, 'StatefulUpdateStrategy.rollingUpdate()')?._render(this, 'updateStrategy', replicas),
        revisionHistoryLimit: props.revisionHistoryLimit,
        minReadySeconds: props.minReadySeconds,
        persistentVolumeClaimRetentionPolicy: retention && (retention.whenDeleted || retention.whenScaled)
          ? { whenDeleted: retention.whenDeleted, whenScaled: retention.whenScaled }
          : undefined,
        ordinals: props.ordinalsStart !== undefined ? { start: ordinalsStart } : undefined,
        template,
        volumeClaimTemplates: claimTemplates.length > 0 ? claimTemplates : undefined,
      },
    });
    recordWorkload(this.statefulSet, identity.selectorLabels, template);

    this._scales(this.statefulSet, props.containers, props.replicas);

    if (props.disruptionBudget) {
      this.podDisruptionBudget = addDisruptionBudget(this, 'DisruptionBudget', companions, props.disruptionBudget, replicas);
    }
  }


  private addClientService(
    identity: WorkloadIdentity, pod: PodTemplateProps, options: ClientServiceOptions, defaultPorts: ServicePortProps[],
  ): k8s.KubeService {
    const name = ensure(this, options.name === undefined ? 'clientService.name (from name)' : 'clientService.name',
      options.name ?? `${this.name}-client`, serviceNameRule);
    if (name === this.serviceName) {
      invalid(this, 'clientService.name', name, 'is the headless Service\'s name', `use another name, e.g. "${this.serviceName}-client"`);
    }
    ensureAnnotations(this, 'clientService.annotations', options.annotations);
    return addService(this, 'ClientService', identity, pod, {
      name,
      type: options.serviceType,
      ports: options.ports ?? defaultPorts,
      annotations: options.annotations,
      field: options.ports ? 'clientService.ports' : 'servicePorts',
    });
  }
}

/**
 * The claim templates, checked and rendered: unique names that no pod volume shares, and no Block
 * claim mounted as a directory.
 */
function checkClaimTemplates(where: Construct, props: StatefulAppProps) {
  const templates = ensureList(where, 'volumeClaimTemplates', props.volumeClaimTemplates);
  const claimTemplates = templates.map((t, i) => renderClaimTemplate(where, `volumeClaimTemplates[${i}]`, t));
  ensureUnique(where, 'volumeClaimTemplates', templates, (t) => t.name, 'claim template names');
  const podVolumeNames = new Set((props.volumes ?? []).map((v) => v.name));
  ensureEach('volumeClaimTemplates', templates, (t, f) => {
    if (podVolumeNames.has(t.name)) {
      invalid(where, `${f}.name`, t.name, 'is also the name of a pod volume, so a mount would be ambiguous', 'rename the claim template or the volume');
    }
  });

  const blockClaims = new Set(templates.filter((t) => t.volumeMode === VolumeMode.BLOCK).map((t) => t.name));
  for (const [key, list] of [['initContainers', props.initContainers], ['containers', props.containers]] as const) {
    ensureList(where, key, list).forEach((c, ci) => ensureEach(`${key}[${ci}].volumeMounts`, c.volumeMounts, (m, f) => {
      if (blockClaims.has(m.volume)) {
        invalid(where, `${f}.volume`, m.volume, 'is a Block claim, a raw device that cannot be mounted as a directory', 'use VolumeMode.FILESYSTEM for mounted claims');
      }
    }));
  }
  return { templates, claimTemplates };
}

/** The claim the StatefulSet controller makes for one pod from one template, as the PV controller sees it. */
function claimRequest(t: VolumeClaimTemplate, statefulSet: string, namespace: string, ordinal: number): ClaimRequest {
  return {
    name: statefulClaimName(t.name, statefulSet, ordinal),
    namespace,
    storage: t.storage,
    accessModes: [...(t.accessModes ?? [AccessMode.READ_WRITE_ONCE])],
    storageClassName: t.storageClassName,
    annotations: t.annotations ? { ...t.annotations } : undefined,
    selector: t.selector ? { ...t.selector } : undefined,
    volumeMode: t.volumeMode,
  };
}

/** Named container ports (they become SRV records); every port when none is named. */
function defaultServicePorts(pod: PodTemplateProps): ServicePortProps[] {
  const all = portsFromContainers(pod);
  const named = all.filter((p) => p.name !== undefined);
  return named.length > 0 ? named : all;
}

function renderClaimTemplate(where: Construct, field: string, t: VolumeClaimTemplate): k8s.KubePersistentVolumeClaimProps {
  // Claim names are pod volume names, and the claim's name is `<template>-<statefulset>-<ordinal>`.
  ensure(where, `${field}.name`, t.name, dnsLabel);
  if (t.storage === undefined || t.storage === '') {
    invalid(where, `${field}.storage`, t.storage, 'a claim needs a size', 'give a quantity like "2Gi" or "500Mi"');
  }
  ensure(where, `${field}.storage`, t.storage, positiveQuantity);
  const accessModes = t.accessModes ?? [AccessMode.READ_WRITE_ONCE];
  ensureAccessModes(where, `${field}.accessModes`, accessModes);
  // "" is meaningful (no class: static binding), so only a non-empty class is checked as a name.
  if (t.storageClassName !== '') ensureOptional(where, `${field}.storageClassName`, t.storageClassName, dnsSubdomain);
  ensureLabels(where, `${field}.selector`, t.selector);
  ensureAnnotations(where, `${field}.annotations`, t.annotations);
  ensureOptional(where, `${field}.volumeMode`, t.volumeMode, oneOf(VolumeMode));
  // No construct labels here: templates are immutable, so adding a label later would make every
  // update of the StatefulSet fail. The controller labels claims with the selector labels itself.
  return {
    metadata: {
      name: t.name,
      annotations: t.annotations && Object.keys(t.annotations).length > 0 ? { ...t.annotations } : undefined,
    },
    spec: {
      accessModes: [...accessModes],
      storageClassName: t.storageClassName,
      selector: t.selector && Object.keys(t.selector).length > 0 ? { matchLabels: { ...t.selector } } : undefined,
      volumeMode: t.volumeMode,
      resources: { requests: { storage: k8s.Quantity.fromString(renderedQuantity(t.storage)) } },
    },
  };
}
