// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ensureProps, ensureOptional, oneOf } from '../../kubernetes/validation';
import { buildPodTemplate, PodTemplateProps } from '../../pod/template';
import { objectMeta, resolveIdentity, WorkloadIdentityProps } from '../../workload/identity';
import { podSelectorConfig } from '../../workload/interop';

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
  /** @default PodRestartPolicy.ALWAYS (Kubernetes' default, left unset) */
  readonly restartPolicy?: PodRestartPolicy;
}

/**
 * A `v1` Pod that no controller manages: a debugging or utility pod to `kubectl exec` into (the
 * tutorial's `dns-test`). Nothing replaces it when its node goes away; use a workload construct
 * for anything that must keep running. Same pod template, defaults and checks as every workload.
 */
export class StandalonePod extends Construct implements kplus.IPodSelector, kplus.INetworkPolicyPeer {
  /** The Pod. */
  public readonly pod: k8s.KubePod;
  /** Name of the Pod. */
  public readonly name: string;
  /** Namespace of the Pod. @default - the chart's namespace */
  public readonly namespace?: string;
  /** Labels that select the Pod (`app.kubernetes.io/name` unless given). */
  public readonly selectorLabels: Record<string, string>;

  constructor(scope: Construct, id: string, props: StandalonePodProps) {
    super(scope, id);
    ensureProps(this, props);
    const identity = resolveIdentity(this, props);
    this.name = identity.name;
    this.namespace = identity.namespace;
    this.selectorLabels = { ...identity.selectorLabels };
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

  /** The Pod, by its stable labels, for `kplus.NetworkPolicy`. */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return podSelectorConfig(this.pod, this.selectorLabels);
  }

  /** The Pod as a `kplus.NetworkPolicy` peer. */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  /** The Pod as a `kplus.IPodSelector`. */
  public toPodSelector(): kplus.IPodSelector | undefined {
    return this;
  }
}
