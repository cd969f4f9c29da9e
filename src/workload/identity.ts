// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../kubernetes/metadata-keys';
import { dnsLabel, ensure, ensureAnnotations, ensureLabels, ensureManagedLabelsKept, ensureOptional, Rule } from '../kubernetes/validation';

export { MANAGED_BY_LABEL, MANAGED_BY };
/** The default selector label; its value is the workload's name. */
const NAME_LABEL = 'app.kubernetes.io/name';

/** Names, namespace and labels every workload construct accepts. */
export interface WorkloadIdentityProps {
  /**
   * Name of the main object (and the base of its companions' names). Set it explicitly for objects
   * that already exist in a cluster: renaming the construct id then changes nothing.
   * @default - the construct id
   */
  readonly name?: string;
  /** Namespace of every object the construct renders. @default - the chart's namespace */
  readonly namespace?: string;
  /** Labels added to every object this construct renders, pods included. @default - none */
  readonly labels?: Record<string, string>;
  /**
   * Labels that select this workload's pods. They become `spec.selector`, which Kubernetes never lets
   * you change, so they derive from the name, never from the construct path.
   * @default { "app.kubernetes.io/name": name }
   */
  readonly selectorLabels?: Record<string, string>;
  /** Annotations added to the main object. @default - none */
  readonly annotations?: Record<string, string>;
}

/** The resolved identity of a workload: what its objects are named and labelled. @internal */
export interface WorkloadIdentity {
  readonly name: string;
  readonly namespace?: string;
  readonly selectorLabels: Record<string, string>;
  /** Labels for every object: selector labels, the user's labels, managed-by. */
  readonly labels: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/**
 * The namespace cdk8s stamps on the scope's objects: their chart's, if the chart has one. Only the
 * chart counts: a user's own construct with a `namespace` property does not change where cdk8s puts
 * the objects, so it must not change what the handles report.
 */
function chartNamespace(scope: IConstruct): string | undefined {
  for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
    if (Chart.isChart(s)) return s.namespace;
  }
  return undefined; // not inside a chart (unit tests of the layer)
}

/** The namespace objects in this scope land in: their chart's, else "default". @internal */
export function namespaceOf(scope: IConstruct): string {
  return chartNamespace(scope) ?? 'default';
}

/** Resolves and validates a workload's identity. @internal */
export function resolveIdentity(scope: Construct, props: WorkloadIdentityProps, nameRule: Rule<string> = dnsLabel): WorkloadIdentity {
  const name = ensure(scope, props.name === undefined ? 'name (from the construct id)' : 'name', props.name ?? scope.node.id, nameRule);
  if (props.namespace !== undefined) ensure(scope, 'namespace', props.namespace, dnsLabel);
  else ensureOptional(scope, 'namespace (from the chart)', chartNamespace(scope), dnsLabel);
  ensureLabels(scope, 'labels', props.labels);
  ensureLabels(scope, 'selectorLabels', props.selectorLabels);
  ensureAnnotations(scope, 'annotations', props.annotations);
  ensureManagedLabelsKept(scope, 'selectorLabels', props.selectorLabels, managedByLabel());
  const selectorLabels = props.selectorLabels && Object.keys(props.selectorLabels).length > 0
    ? { ...props.selectorLabels }
    : { [NAME_LABEL]: name };
  // Respected unless the library needs the key: app.kubernetes.io/name outside the selector is the user's.
  ensureManagedLabelsKept(scope, 'labels', props.labels, managedLabels(selectorLabels));
  return {
    name,
    namespace: props.namespace,
    selectorLabels,
    labels: { [NAME_LABEL]: name, ...props.labels, ...selectorLabels, [MANAGED_BY_LABEL]: MANAGED_BY },
    annotations: props.annotations,
  };
}

/**
 * Object metadata for one of a workload's objects. The construct's `annotations` go to its main
 * object only (called without `name`); companions (Services, budgets, accounts) pass their name,
 * even when it equals the workload's, and get only the annotations given here.
 * @internal
 */
export function objectMeta(identity: WorkloadIdentity, name?: string, annotations?: Record<string, string>): k8s.ObjectMeta {
  const merged = { ...(name === undefined ? identity.annotations : undefined), ...annotations };
  return {
    name: name ?? identity.name,
    namespace: identity.namespace,
    labels: { ...identity.labels },
    annotations: Object.keys(merged).length > 0 ? merged : undefined,
  };
}

/** The managed-by label, which the library sets on every object it renders. @internal */
export function managedByLabel(): Record<string, { value: string; why: string; fix: string }> {
  return {
    [MANAGED_BY_LABEL]: {
      value: MANAGED_BY,
      why: 'the library sets this label on every object it renders, so tools can tell who manages the object',
      fix: `remove it, or set it to "${MANAGED_BY}"`,
    },
  };
}

/**
 * Labels whose values the library fixes on a workload's objects and pods: the selector labels (the
 * pods must carry them, or the controller never finds its pods) and managed-by. @internal
 */
function managedLabels(selectorLabels: Record<string, string>): Record<string, { value: string; why: string; fix: string }> {
  const managed = managedByLabel();
  for (const [key, value] of Object.entries(selectorLabels)) {
    managed[key] = { value, why: 'conflicts with the selector label', fix: 'remove it or change selectorLabels' };
  }
  return managed;
}
