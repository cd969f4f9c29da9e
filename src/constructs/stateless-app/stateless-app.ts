// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkInstance, ensureOptional, fail, invalid, nonNegativeInt, ownInstance, positiveInt, Where } from '../../kubernetes/validation';
import { Spread } from '../../pod/scheduling';
import { buildPodTemplate, PodTemplateProps } from '../../pod/template';
import { AppIndex, recordWorkload } from '../../workload/app-index';
import { addDisruptionBudget, DisruptionBudgetOptions } from '../../workload/disruption';
import { clusterDomainFor, IServiceDnsNamed, serviceFqdn } from '../../workload/dns';
import { namespaceOf, objectMeta, WorkloadIdentity, WorkloadIdentityProps } from '../../workload/identity';
import { ensureRollingProgress, IntOrPercent } from '../../workload/int-or-percent';
import { addService, portsFromContainers, ServicePortProps, WorkloadServiceType } from '../../workload/service';
import { ScalableWorkloadBase, serviceIngressBackend } from '../../workload/workload-base';

/** How far a rolling update may go above and below the desired replicas. */
export interface StatelessRollingUpdateOptions {
  /** Extra pods a rollout may start above the desired replicas. @default IntOrPercent.percent(25) */
  readonly maxSurge?: IntOrPercent;
  /** Pods that may be unavailable during a rollout. @default IntOrPercent.percent(25) */
  readonly maxUnavailable?: IntOrPercent;
}

/** How a Deployment replaces its pods when the pod template changes. */
export class StatelessUpdateStrategy {
  /**
   * Replace pods a few at a time (Kubernetes' default). The 25% / 25% defaults are Kubernetes'
   * own, rendered explicitly so the manifest says what a rollout does.
   */
  public static rollingUpdate(options: StatelessRollingUpdateOptions = {}): StatelessUpdateStrategy {
    return new StatelessUpdateStrategy('RollingUpdate', options.maxSurge ?? IntOrPercent.percent(25), options.maxUnavailable ?? IntOrPercent.percent(25));
  }

  /** Stop every old pod before starting new ones: downtime, but never two versions at once. */
  public static recreate(): StatelessUpdateStrategy {
    return new StatelessUpdateStrategy('Recreate');
  }

  private constructor(
    /** `RollingUpdate` or `Recreate`. */
    public readonly strategyType: string,
    private readonly maxSurge?: IntOrPercent,
    private readonly maxUnavailable?: IntOrPercent,
  ) {}

  /** @internal */
  public _render(where: Where): k8s.DeploymentStrategy {
    if (!this.maxSurge || !this.maxUnavailable) return { type: this.strategyType };
    if (!checkInstance(where, 'updateStrategy.maxSurge', this.maxSurge, IntOrPercent, 'IntOrPercent.percent(25)')
      || !checkInstance(where, 'updateStrategy.maxUnavailable', this.maxUnavailable, IntOrPercent, 'IntOrPercent.percent(25)')) return { type: this.strategyType };
    ensureRollingProgress(where, this.maxSurge, this.maxUnavailable, 'updateStrategy.');
    return {
      type: this.strategyType,
      rollingUpdate: {
        maxSurge: this.maxSurge._render(where, 'updateStrategy.maxSurge'),
        maxUnavailable: this.maxUnavailable._render(where, 'updateStrategy.maxUnavailable'),
      },
    };
  }
}

/** The Service in front of a StatelessApp. */
export interface StatelessServiceOptions {
  /** Service name (a DNS-1035 label: clients use it as a host name). @default - the app's name */
  readonly name?: string;
  /** Type of the Service. @default WorkloadServiceType.CLUSTER_IP */
  readonly serviceType?: WorkloadServiceType;
  /**
   * Ports of the Service. A `targetPortName` must name a container port; a fixed `nodePort` must
   * lie in 30000-32767 and be unused by any other Service of the app.
   * @default - one port per container port, with the container port's number, name and protocol
   */
  readonly ports?: ServicePortProps[];
  /** Annotations of the Service (load balancer settings, ...). @default - none */
  readonly annotations?: Record<string, string>;
}

/** Properties of a {@link StatelessApp}. */
export interface StatelessAppProps extends WorkloadIdentityProps, PodTemplateProps {
  /** Desired pods. @default 1 */
  readonly replicas?: number;
  /** How pods are replaced on change. @default StatelessUpdateStrategy.rollingUpdate() (maxSurge 25%, maxUnavailable 25%, rendered) */
  readonly updateStrategy?: StatelessUpdateStrategy;
  /** Old ReplicaSets kept for `kubectl rollout undo`. @default - Kubernetes' default (10) */
  readonly revisionHistoryLimit?: number;
  /**
   * Seconds a rollout may make no progress before Kubernetes marks it failed. Must be greater than
   * minReadySeconds. @default - Kubernetes' default (600)
   */
  readonly progressDeadlineSeconds?: number;
  /** Seconds a new pod must be ready before it counts as available. @default - Kubernetes' default (0) */
  readonly minReadySeconds?: number;
  /**
   * Whether to render a Service. Off: no Service even when containers have ports.
   * @default - true when `service` is given or a container has ports
   */
  readonly exposeService?: boolean;
  /** The Service. @default - a ClusterIP Service named like the app over every container port */
  readonly service?: StatelessServiceOptions;
  /** A PodDisruptionBudget over the pods. @default - none */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /** How replicas spread across nodes. @default - no constraint */
  readonly spread?: Spread;
  /**
   * Cluster domain used in {@link StatelessApp.serviceDnsName}. An app has one: giving a domain that
   * differs from another construct's (a CoreDnsAddon's) is an error.
   * @default - the app's CoreDnsAddon's domain, else "cluster.local"
   */
  readonly clusterDomain?: string;
}

/** Kubernetes' default `progressDeadlineSeconds`, which the API server checks against minReadySeconds. */
const DEFAULT_PROGRESS_DEADLINE = 600;

/**
 * Interchangeable pods behind a Service: an `apps/v1` Deployment, an optional `v1` Service and
 * an optional PodDisruptionBudget, all selecting the pods by stable labels.
 */
export class StatelessApp extends ScalableWorkloadBase implements IServiceDnsNamed {
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The Service, when one is rendered. */
  public readonly service?: k8s.KubeService;
  /** The PodDisruptionBudget, when one is rendered. */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** Name of the Deployment. */
  public readonly name: string;
  /** Namespace the objects land in (given, or the chart's, or "default"). */
  public readonly namespace: string;
  /** Name of the Service, when one is rendered. */
  public readonly serviceName?: string;
  /** Deployment pods have no stable DNS names, so this is always empty. */
  public readonly podDnsNames: string[] = [];
  /** Whether ingressBackend() handed out this app's Service (the Ingress check runs only then). */
  private routedByIngress = false;
  private readonly servicePorts: readonly number[];
  /**
   * Fully qualified name of the Service (`web.default.svc.cluster.local`), when one is rendered. A
   * plain property, unset without a Service (a throwing property breaks jsii callers); smoke-test
   * it with `SmokeTarget.service(app)`.
   */
  public readonly serviceDnsName?: string;

  constructor(scope: Construct, id: string, props: StatelessAppProps) {
    super(scope, id, props);
    const identity = this._identity;
    this.name = identity.name;
    this.namespace = identity.namespace ?? namespaceOf(this);
    const clusterDomain = clusterDomainFor(this, 'clusterDomain', props.clusterDomain);

    const replicas = ensureOptional(this, 'replicas', props.replicas, nonNegativeInt) ?? 1;
    ensureOptional(this, 'revisionHistoryLimit', props.revisionHistoryLimit, nonNegativeInt);
    const minReady = ensureOptional(this, 'minReadySeconds', props.minReadySeconds, nonNegativeInt) ?? 0;
    ensureOptional(this, 'progressDeadlineSeconds', props.progressDeadlineSeconds, positiveInt);
    const deadline = props.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE;
    if (deadline <= minReady) {
      invalid(this, props.progressDeadlineSeconds === undefined ? 'progressDeadlineSeconds (default)' : 'progressDeadlineSeconds', deadline,
        `must be greater than minReadySeconds (${minReady}), or every rollout is marked failed`, `set progressDeadlineSeconds above ${minReady}`);
    }
    const strategy = (ownInstance(this, 'updateStrategy', props.updateStrategy, StatelessUpdateStrategy, 'StatelessUpdateStrategy.rollingUpdate()') ?? StatelessUpdateStrategy.rollingUpdate())._render(this);

    const template = buildPodTemplate(this, props, { selectorLabels: identity.selectorLabels, labels: identity.labels, spread: props.spread });
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: objectMeta(identity),
      spec: {
        replicas,
        selector: { matchLabels: { ...identity.selectorLabels } },
        strategy,
        revisionHistoryLimit: props.revisionHistoryLimit,
        progressDeadlineSeconds: props.progressDeadlineSeconds,
        minReadySeconds: props.minReadySeconds,
        template,
      },
    });
    recordWorkload(this.deployment, identity.selectorLabels, template);

    this._scales(this.deployment, props.containers, props.replicas);

    this.service = this.renderService(identity, props);
    this.servicePorts = this.service ? (this.service.toJson().spec?.ports ?? []).map((p: { port: number }) => p.port) : [];
    this.serviceName = this.service ? this.service.name : undefined;
    this.serviceDnsName = this.serviceName ? serviceFqdn(this.serviceName, this.namespace, clusterDomain) : undefined;

    if (props.disruptionBudget) {
      this.podDisruptionBudget = addDisruptionBudget(this, 'DisruptionBudget', identity, props.disruptionBudget, replicas);
    }
  }


  /**
   * The Service as a `kplus.Ingress` backend (`IngressBackend.fromService`). The Ingress must be
   * in the app's namespace.
   * @param port the Service port; required when the Service has several. @default - the only port
   */
  public ingressBackend(port?: number): kplus.IngressBackend {
    if (!this.serviceName) {
      fail(this, 'ingressBackend', undefined, 'this app renders no Service, so an Ingress cannot route to it', 'give the app container ports or a service');
    }
    if (port !== undefined && !this.servicePorts.includes(port)) {
      fail(this, 'ingressBackend(port)', port, `is not a port of Service "${this.serviceName}"`, `use one of ${this.servicePorts.join(', ')}`);
    }
    if (port === undefined && this.servicePorts.length > 1) {
      fail(this, 'ingressBackend(port)', undefined, `Service "${this.serviceName}" has several ports (${this.servicePorts.join(', ')})`, 'pass the port to route to');
    }
    this.routedByIngress = true;
    return serviceIngressBackend(this, this.serviceName, this.servicePorts, port ?? this.servicePorts[0]);
  }
  /**
   * An Ingress routes only to Services of its own namespace: one that names this app's Service from another
   * namespace, where the app holds no Service of that name, would answer 503 for every request.
   */
  /** @internal */
  protected _appWideProblems(index: AppIndex): string[] {
    if (!this.routedByIngress || !this.serviceName) return [];
    const mine = this.service?.metadata.namespace;
    if (mine === undefined) return [];
    const services = new Set(index.apiObjects.filter((o) => o.kind === 'Service').map((o) => `${o.metadata.namespace}/${o.name}`));
    const problems: string[] = [];
    for (const obj of index.apiObjects) {
      if (obj.kind !== 'Ingress' || obj.metadata.namespace === undefined || obj.metadata.namespace === mine) continue;
      const spec = index.render(obj)?.spec ?? {};
      const backends = [spec.defaultBackend, ...(spec.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => p.backend))];
      if (!backends.some((b) => b?.service?.name === this.serviceName) || services.has(`${obj.metadata.namespace}/${this.serviceName}`)) continue;
      problems.push(`ingressBackend "${this.serviceName}": the Ingress [${obj.node.path}] is in namespace "${obj.metadata.namespace}", but the Service is in "${mine}" `
        + `(an Ingress routes only to Services of its own namespace); create the Ingress in "${mine}", e.g. in this app's chart`);
    }
    return problems;
  }


  private renderService(identity: WorkloadIdentity, props: StatelessAppProps): k8s.KubeService | undefined {
    if (props.exposeService === false) {
      if (props.service) invalid(this, 'service', props.service.name ?? identity.name, 'exposeService is false', 'drop service, or set exposeService to true');
      return undefined;
    }
    const ports = props.service?.ports ?? portsFromContainers(props);
    if (props.exposeService === undefined && !props.service && ports.length === 0) return undefined;
    return addService(this, 'Service', identity, props, {
      name: props.service?.name ?? identity.name,
      type: props.service?.serviceType,
      ports,
      annotations: props.service?.annotations,
      field: 'service.ports',
    });
  }
}
