// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { App, ApiObject, Chart, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { addAppChecks, AppIndex } from './app-index';
import { namespaceOf, resolveIdentity, WorkloadIdentity, WorkloadIdentityProps } from './identity';
import { ensureProps, invalid, parseQuantity, Rule, workloadsError, WorkloadsError } from '../kubernetes/validation';
import { PodContainerProps, DEFAULT_RESOURCES } from '../pod/container';

/*
 * The one place where our constructs meet cdk8s-plus-28's integration interfaces (IPodSelector,
 * INetworkPolicyPeer, IScalable, IngressBackend). Selection goes through the stable selector
 * labels, never cdk8s-plus' construct-path label, so a NetworkPolicy keeps selecting the same pods
 * when a construct moves. The base classes are not exported from the package and `@jsii ignore`d:
 * jsii folds their members into each construct, so the public API reads as before.
 */

/** How a workload construct starts. @internal */
export interface WorkloadBaseOptions {
  /** The rule for the workload's name. @default dnsLabel */
  readonly nameRule?: Rule<string>;
  /**
   * Whether the construct takes part in the app-wide checks (selector overlaps, duplicate names, and
   * its own `_appWideProblems`). @default true
   */
  readonly appChecks?: boolean;
}

/**
 * The base of every construct that renders pods under a stable selector: it resolves the identity
 * (name, namespace, labels, selector) and answers cdk8s-plus' selector questions, so a construct
 * states only what is its own.
 * Ignored by jsii, which folds its members into each construct.
 * @jsii ignore
 */
export abstract class PodWorkloadBase extends Construct implements kplus.IPodSelector, kplus.INetworkPolicyPeer {
  /** Labels that select the pods (`spec.selector.matchLabels`, `app.kubernetes.io/name` unless given). */
  public readonly selectorLabels: Record<string, string>;
  /** @internal */
  public readonly _identity: WorkloadIdentity;

  protected constructor(scope: Construct, id: string, props: WorkloadIdentityProps, options: WorkloadBaseOptions = {}) {
    super(scope, id);
    // Called from JavaScript without props: a library error naming the fix, not a TypeError.
    ensureProps(this, props);
    if (options.appChecks !== false) addAppChecks(this, (index) => this._appWideProblems(index));
    this._identity = resolveIdentity(this, props, options.nameRule);
    this.selectorLabels = { ...this._identity.selectorLabels };
  }

  /**
   * Problems this construct finds across the whole app (two agents on one host port), beside the
   * shared ones. Runs at validation, once the app is complete.
   * @internal
   */
  protected _appWideProblems(_index: AppIndex): string[] {
    return [];
  }

  /**
   * The pods, by their stable selector labels, for `kplus.NetworkPolicy` and affinity rules.
   *
   * The namespace is always named, so a policy in another namespace peers these pods, not
   * same-labelled pods of its own.
   */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return {
      labelSelector: kplus.LabelSelector.of({ labels: { ...this.selectorLabels } }),
      namespaces: { names: [this._identity.namespace ?? namespaceOf(this)] },
    };
  }

  /** The pods as a `kplus.NetworkPolicy` peer. */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  /** The pods as a `kplus.IPodSelector`. */
  public toPodSelector(): kplus.IPodSelector | undefined {
    return this;
  }
}

/**
 * A workload whose replica count an autoscaler may own (Deployment, StatefulSet): once a
 * `kplus.HorizontalPodAutoscaler` targets it, `spec.replicas` is removed so that GitOps does not
 * reset what the autoscaler decided.
 * Ignored by jsii, which folds its members into each construct.
 * @jsii ignore
 */
export abstract class ScalableWorkloadBase extends PodWorkloadBase implements kplus.IScalable {
  /** True once a `kplus.HorizontalPodAutoscaler` targets this app; `spec.replicas` is then left unset. */
  public hasAutoscaler = false;
  private scaled?: { main: ApiObject; containers: readonly PodContainerProps[]; givenReplicas?: number };

  /**
   * Called by `kplus.HorizontalPodAutoscaler`: the autoscaler owns the replica count from now on.
   *
   * `spec.replicas` is removed (GitOps would otherwise reset it on every sync). Handles derived from
   * the replica count (pod DNS names, claim names) still list the replicas the app was given.
   */
  public markHasAutoscaler(): void {
    if (this.hasAutoscaler) return;
    this.hasAutoscaler = true;
    const { main, givenReplicas } = this.scaledObject();
    main.addJsonPatch(JsonPatch.remove('/spec/replicas'));
    if (givenReplicas !== undefined) {
      // cdk8s-plus refuses this too, in its own words and under the autoscaler's path; the error belongs
      // to the prop the user set, so it is reported here and cdk8s-plus is not asked (toScalingTarget).
      invalid(this, 'replicas', givenReplicas, 'a kplus.HorizontalPodAutoscaler targets this app and owns the replica count '
        + `(cdk8s-plus: "HorizontalPodAutoscaler target cannot have a fixed number of replicas (${givenReplicas})")`, 'drop replicas, or the autoscaler');
    }
  }

  /** The workload as a `kplus.HorizontalPodAutoscaler` target. */
  public toScalingTarget(): kplus.ScalingTarget {
    const { main, containers, givenReplicas } = this.scaledObject();
    return {
      kind: main.kind,
      apiVersion: main.apiVersion,
      name: this._identity.name,
      // The autoscaler reads the containers' requests to decide whether resource metrics can work.
      containers: fromCdk8sPlus(this, 'containers', containers.length, () => containers.map(toKplusContainer)),
      // A fixed count with an autoscaler is reported by markHasAutoscaler(), under this app's replicas.
      replicas: this.hasAutoscaler ? undefined : givenReplicas,
    };
  }

  /** Names the object an autoscaler scales; called once, right after the object is made. @internal */
  protected _scales(main: ApiObject, containers: readonly PodContainerProps[], givenReplicas: number | undefined): void {
    this.scaled = { main, containers, givenReplicas };
  }

  private scaledObject(): NonNullable<ScalableWorkloadBase['scaled']> {
    // Constructors call _scales() before they return, so no caller can get here earlier.
    if (!this.scaled) throw workloadsError('INTERNAL', this.node.path, `[${this.node.path}] the scaled object is not made yet`);
    return this.scaled;
  }
}

/**
 * A `kplus.IngressBackend` for one of our Services. `IngressBackend.fromService` wants a
 * `kplus.Service`; it reads only the name and ports, so it gets a real one made in a detached app
 * (rendering it into the user's app would add a second Service object).
 * @internal
 */
export function serviceIngressBackend(where: Construct, name: string, ports: readonly number[], port: number): kplus.IngressBackend {
  return fromCdk8sPlus(where, 'ingressBackend(port)', port, () => {
    const view = new kplus.Service(new Chart(new App(), 'view'), 'Service', { metadata: { name }, ports: ports.map((p) => ({ port: p })) });
    return kplus.IngressBackend.fromService(view, { port });
  });
}

/** Runs a cdk8s-plus call; what it throws becomes a WorkloadsError (`CDK8S_PLUS`) naming our construct and field. */
function fromCdk8sPlus<T>(where: Construct, field: string, value: unknown, call: () => T): T {
  try {
    return call();
  } catch (e) {
    if (e instanceof WorkloadsError) throw e;
    const reason = `cdk8s-plus refused it: ${(e as Error).message}`;
    throw new WorkloadsError({ code: 'CDK8S_PLUS', path: where.node.path, field, value, reason, fix: 'give a value cdk8s-plus accepts' });
  }
}

/** A cdk8s-plus view of one of our containers, with the requests and limits it renders. */
function toKplusContainer(c: PodContainerProps): kplus.Container {
  const r = { ...DEFAULT_RESOURCES, ...c.resources };
  const cpu = (q: string) => kplus.Cpu.millis(parseQuantity(q) * 1000);
  const memory = (q: string) => Size.kibibytes(parseQuantity(q) / 1024);
  return new kplus.Container({
    name: c.name,
    image: c.image,
    resources: {
      cpu: { request: cpu(r.cpuRequest), limit: c.omitCpuLimit ? undefined : cpu(r.cpuLimit) },
      memory: { request: memory(r.memoryRequest), limit: memory(r.memoryLimit) },
    },
  });
}
