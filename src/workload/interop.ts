// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { namespaceOf } from './rbac';
import { invalid, parseQuantity } from '../kubernetes/validation';
import { PodContainerProps, DEFAULT_RESOURCES } from '../pod/container';

/*
 * The glue between our constructs and cdk8s-plus-28's integration interfaces. Selection goes
 * through the stable selector labels (never cdk8s-plus' construct-path label), so a NetworkPolicy
 * keeps selecting the same pods when a construct moves.
 */

/**
 * What cdk8s-plus' `IPodSelector.toPodSelectorConfig()` returns for a workload: its selector
 * labels, in its namespace (given, the chart's, or "default"). The namespace is always named, so a
 * policy in another namespace peers the right pods instead of same-labelled pods of its own.
 * @internal
 */
export function podSelectorConfig(main: ApiObject, selectorLabels: Record<string, string>): kplus.PodSelectorConfig {
  return {
    labelSelector: kplus.LabelSelector.of({ labels: { ...selectorLabels } }),
    namespaces: { names: [main.metadata.namespace ?? namespaceOf(main)] },
  };
}

/**
 * The autoscaling side of a Deployment or StatefulSet: once an autoscaler manages it,
 * `spec.replicas` is removed so that GitOps does not reset what the autoscaler decided.
 * @internal
 */
export class ScalableWorkload {
  private managed = false;

  constructor(
    private readonly main: ApiObject,
    private readonly containers: readonly PodContainerProps[],
    /** The replicas the user gave, if any: cdk8s-plus' autoscaler refuses a fixed count. */
    private readonly givenReplicas: number | undefined,
  ) {}

  /**
   * Removes `spec.replicas`, once. A fixed count given by the user is an error here, at the workload's path with
   * the fix (cdk8s-plus' own check would report it at the autoscaler, without one).
   */
  public markHasAutoscaler(): void {
    if (this.managed) return;
    this.managed = true;
    if (this.givenReplicas !== undefined && this.main.node.scope) {
      invalid(this.main.node.scope, 'replicas', this.givenReplicas,
        'is a fixed count, but a HorizontalPodAutoscaler now manages this workload (cdk8s-plus refuses a target with fixed replicas)',
        'remove replicas; the autoscaler\'s minReplicas sets the lowest count');
    }
    this.main.addJsonPatch(JsonPatch.remove('/spec/replicas'));
  }

  public toScalingTarget(name: string): kplus.ScalingTarget {
    return {
      kind: this.main.kind,
      apiVersion: this.main.apiVersion,
      name,
      // The autoscaler reads the containers' requests to decide whether resource metrics can work.
      containers: this.containers.map(toKplusContainer),
      // A fixed count under an autoscaler is reported by markHasAutoscaler(), with the fix.
      replicas: this.managed ? undefined : this.givenReplicas,
    };
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
