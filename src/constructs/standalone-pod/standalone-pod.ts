// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ensureOptional, oneOf } from '../../kubernetes/validation';
import { buildPodTemplate, PodTemplateProps } from '../../pod/template';
import { objectMeta, WorkloadIdentityProps } from '../../workload/identity';
import { PodWorkloadBase } from '../../workload/workload-base';

/** What the kubelet does when a container of a standalone pod exits. */
export enum PodRestartPolicy {
  /** Restart it, whatever the exit code (Kubernetes' default). */
  ALWAYS = 'Always',
  /** Restart it when it failed. */
  ON_FAILURE = 'OnFailure',
  /** Never restart it: the pod ends with its containers. */
  NEVER = 'Never',
}

/** Properties of a {@link StandalonePod}. */
export interface StandalonePodProps extends WorkloadIdentityProps, PodTemplateProps {
  /** What the kubelet does when a container exits. @default PodRestartPolicy.ALWAYS (Kubernetes' default, left unset) */
  readonly restartPolicy?: PodRestartPolicy;
}

/**
 * A `v1` Pod that no controller manages: a debugging or utility pod to `kubectl exec` into (the
 * tutorial's `dns-test`). Nothing replaces it when its node goes away; use a workload construct
 * for anything that must keep running. Same pod template, defaults and checks as every workload.
 */
export class StandalonePod extends PodWorkloadBase {
  /** The Pod. */
  public readonly pod: k8s.KubePod;
  /** Name of the Pod. */
  public readonly name: string;
  /** Namespace of the Pod. @default - the chart's namespace */
  public readonly namespace?: string;

  constructor(scope: Construct, id: string, props: StandalonePodProps) {
    // A lone pod has no controller whose selector could overlap another's: no app-wide checks.
    super(scope, id, props, { appChecks: false });
    const identity = this._identity;
    this.name = identity.name;
    this.namespace = identity.namespace;
    ensureOptional(this, 'restartPolicy', props.restartPolicy, oneOf(PodRestartPolicy));
    const template = buildPodTemplate(this, props, {
      selectorLabels: identity.selectorLabels,
      labels: identity.labels,
      restartPolicy: props.restartPolicy,
    });
    // The Pod is its own template: the template's labels (pod labels included) and annotations
    // (root reasons included) go on it, beside the construct's own annotations.
    const meta = objectMeta(identity);
    const annotations = { ...meta.annotations, ...template.metadata?.annotations };
    this.pod = new k8s.KubePod(this, 'Resource', {
      metadata: { ...meta, labels: template.metadata?.labels, annotations: Object.keys(annotations).length > 0 ? annotations : undefined },
      spec: template.spec,
    });
  }

}
