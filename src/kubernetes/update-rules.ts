// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
// The update rules of the Kubernetes 1.28 API server for the kinds this library renders, restated from
// kubernetes/kubernetes pkg/apis/{apps,batch,core,storage,rbac,scheduling}/validation (ValidateXxxUpdate) and
// the registry strategies that add to them (workload selectors). A rule compares the previous rendering of an
// object with the next one and returns what the server would refuse. Defaults the server fills in are applied
// to both sides first, so writing a default out (podManagementPolicy: OrderedReady) is not a change.
import { statefulClaimName, statefulOrdinals } from './stateful-set';
import { canonicalQuantity, parseQuantity } from './validation';

/** A manifest object, parsed from YAML. @internal */
export type Doc = Record<string, any>;

/** What the server refuses in one update. @internal */
export interface Refusal {
  readonly field: string;
  readonly oldValue: unknown;
  readonly newValue: unknown;
  /** Why, in the server's words where it has them. */
  readonly reason: string;
  /** How to get the change in anyway. */
  readonly waysOut: string[];
}

/** Context a rule may need: the next synthesis' objects (for StorageClasses) and a `kubectl` object address. @internal */
export interface RuleContext {
  readonly nextObjects: readonly Doc[];
  /** `statefulset db -n data`, for commands. */
  readonly address: string;
}

type Rule = (previous: Doc, next: Doc, ctx: RuleContext) => Refusal[];

/** One differing leaf: its path and both values (`undefined` when absent). @internal */
export interface LeafDiff {
  readonly path: string;
  readonly oldValue: unknown;
  readonly newValue: unknown;
}

/** Every leaf that differs between two JSON values; arrays compare by index. @internal */
export function diffLeaves(a: unknown, b: unknown, at: string = ''): LeafDiff[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => diffLeaves(a[k], b[k], at ? `${at}.${k}` : k));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: LeafDiff[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...diffLeaves(a[i], b[i], `${at}[${i}]`));
    return out;
  }
  return sameJson(a, b) ? [] : [{ path: at, oldValue: a, newValue: b }];
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values, maps compared without regard to key order. @internal */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameJson(a[k], b[k]));
  }
  return false;
}

function clone<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** Drops empty maps/lists and writes quantities canonically, as the server's semantic comparison sees them. */
function canonicalResources(resources: Doc | undefined): Doc | undefined {
  if (!resources) return resources;
  const out: Doc = {};
  for (const key of ['requests', 'limits']) {
    const list = resources[key];
    if (!list || Object.keys(list).length === 0) continue;
    out[key] = Object.fromEntries(Object.entries(list).map(([k, v]) => [k, quantityText(v)]));
  }
  return out;
}

function quantityText(v: unknown): unknown {
  try {
    return canonicalQuantity(String(v));
  } catch {
    return v;
  }
}

function refusals(diffs: LeafDiff[], prefix: string, reason: string, waysOut: string[]): Refusal[] {
  return diffs.map((d) => ({ field: prefix + (d.path.startsWith('[') || !d.path ? d.path : `.${d.path}`), oldValue: d.oldValue, newValue: d.newValue, reason, waysOut }));
}

/** Compares one field of two specs as a whole (ValidateImmutableField) and reports its differing leaves. */
function immutableField(previous: unknown, next: unknown, field: string, reason: string, waysOut: string[]): Refusal[] {
  return refusals(diffLeaves(previous, next), field, reason, waysOut);
}

const IMMUTABLE = 'field is immutable';

// ---- apps/v1 -------------------------------------------------------------------------------------------

const STATEFULSET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];
const STATEFULSET_MESSAGE = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

function statefulSetFrozen(spec: Doc | undefined): Doc {
  const frozen: Doc = { podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10, serviceName: '', ...clone(spec ?? {}) };
  for (const key of STATEFULSET_MUTABLE) delete frozen[key];
  frozen.volumeClaimTemplates = (frozen.volumeClaimTemplates ?? []).map((t: Doc) => {
    // status is the server's (it defaults phase: Pending); apiVersion/kind are compared as written.
    const { status: _s, ...rest } = t;
    const claimSpec: Doc = { volumeMode: 'Filesystem', ...rest.spec };
    claimSpec.resources = canonicalResources(claimSpec.resources);
    return { ...rest, spec: claimSpec };
  });
  if (frozen.volumeClaimTemplates.length === 0) delete frozen.volumeClaimTemplates;
  return frozen;
}

function ordinalsOf(sts: Doc): number[] {
  return statefulOrdinals(sts.spec?.ordinals?.start ?? 0, sts.spec?.replicas ?? 1);
}

const statefulSet: Rule = (previous, next, ctx) => {
  const diffs = diffLeaves(statefulSetFrozen(previous.spec), statefulSetFrozen(next.spec));
  if (diffs.length === 0) return [];
  const name = next.metadata?.name;
  const ns = next.metadata?.namespace ? ` -n ${next.metadata.namespace}` : '';
  const orphan = `replace it keeping its pods and claims: \`kubectl delete ${ctx.address} --cascade=orphan\`, then sync; the new StatefulSet adopts the pods (if its selector still matches them) and the claims named ${statefulClaimName('<template>', name, '<ordinal>')}, and rolls the pods`;
  const rename = 'give it a new name (new pods and new, empty claims; the old ones stay until removed)';
  return diffs.map((d) => {
    const waysOut = [orphan, rename];
    const size = /^volumeClaimTemplates\[(\d+)\]\.spec\.resources\.requests\.storage$/.exec(d.path);
    if (size) {
      const template = previous.spec.volumeClaimTemplates[Number(size[1])]?.metadata?.name ?? '<template>';
      const claims = ordinalsOf(previous).map((o) => statefulClaimName(template, name, o));
      waysOut.unshift(`expand the existing claims to ${String(d.newValue)} first (their StorageClass needs allowVolumeExpansion: true): ${claims.map((c) => `\`kubectl patch pvc ${c}${ns} -p '{"spec":{"resources":{"requests":{"storage":"${String(d.newValue)}"}}}}'\``).join(', ')}; then replace the StatefulSet keeping them (\`kubectl delete ${ctx.address} --cascade=orphan\`, then sync)`);
    }
    return { field: `spec.${d.path}`, oldValue: d.oldValue, newValue: d.newValue, reason: STATEFULSET_MESSAGE, waysOut };
  });
};

/** apps/v1 Deployment, DaemonSet, ReplicaSet: the selector is immutable (the registry strategies, apps/v1 only). */
const workloadSelector: Rule = (previous, next, ctx) => immutableField(previous.spec?.selector, next.spec?.selector, 'spec.selector', IMMUTABLE, [
  `replace it keeping the running pods: \`kubectl delete ${ctx.address} --cascade=orphan\`, then sync; the old pods keep the old labels, so delete them once the new ones are ready`,
  'give it a new name (the old one stays until removed)',
]);

// ---- batch/v1 ------------------------------------------------------------------------------------------

const JOB_RERUN = (ctx: RuleContext) => [
  `delete the Job so the sync creates it anew, which runs it again: \`kubectl delete ${ctx.address}\``,
  'give it a new name, e.g. with a version suffix (the old Job stays until removed or its TTL expires)',
];

const job: Rule = (previous, next, ctx) => {
  const p = previous.spec ?? {};
  const n = next.spec ?? {};
  const out: Refusal[] = [];
  const ways = JOB_RERUN(ctx);
  out.push(...immutableField(p.selector, n.selector, 'spec.selector', IMMUTABLE, ways));
  out.push(...immutableField(p.completionMode ?? 'NonIndexed', n.completionMode ?? 'NonIndexed', 'spec.completionMode', IMMUTABLE, ways));
  out.push(...immutableField(p.podFailurePolicy, n.podFailurePolicy, 'spec.podFailurePolicy', IMMUTABLE, ways));
  out.push(...immutableField(p.backoffLimitPerIndex, n.backoffLimitPerIndex, 'spec.backoffLimitPerIndex', IMMUTABLE, ways));
  // Elastic Indexed Jobs (beta, on in 1.28): completions may change together with parallelism.
  const indexed = (n.completionMode ?? 'NonIndexed') === 'Indexed';
  if (!sameJson(p.completions, n.completions)) {
    if (!indexed || n.completions === undefined) {
      out.push(...immutableField(p.completions, n.completions, 'spec.completions', IMMUTABLE, ways));
    } else if (n.completions !== n.parallelism) {
      out.push({ field: 'spec.completions', oldValue: p.completions, newValue: n.completions, reason: 'can only be modified in tandem with spec.parallelism', waysOut: ['set spec.parallelism to the same value', ...ways] });
    }
  }
  // The pod template is immutable, except scheduling directives and pod labels/annotations of a Job that is
  // suspended and has not started (JobMutableNodeSchedulingDirectives, GA in 1.27).
  const before = clone(p.template ?? {});
  const after = clone(n.template ?? {});
  if (p.suspend === true) {
    for (const key of ['affinity', 'tolerations', 'nodeSelector', 'schedulingGates']) {
      if (before.spec) delete before.spec[key];
      if (after.spec) delete after.spec[key];
    }
    for (const key of ['labels', 'annotations']) {
      if (before.metadata) delete before.metadata[key];
      if (after.metadata) delete after.metadata[key];
    }
  }
  normalizePodResources(before);
  normalizePodResources(after);
  out.push(...immutableField(before, after, 'spec.template', IMMUTABLE, ways));
  return out;
};

function normalizePodResources(template: Doc): void {
  for (const c of [...(template.spec?.containers ?? []), ...(template.spec?.initContainers ?? [])]) {
    if (c.resources) c.resources = canonicalResources(c.resources);
  }
}

// ---- core/v1 -------------------------------------------------------------------------------------------

function clusterIPsOf(spec: Doc): string[] | undefined {
  if (spec.clusterIPs?.length) return spec.clusterIPs;
  if (spec.clusterIP) return [spec.clusterIP];
  return undefined; // allocated by the server, and kept by it when an update leaves the field out
}

const service: Rule = (previous, next, ctx) => {
  const p = previous.spec ?? {};
  const n = next.spec ?? {};
  const out: Refusal[] = [];
  const ways = [
    `delete and recreate it: \`kubectl delete ${ctx.address}\`, then sync (clients see a new address and a short outage)`,
    'give it a new name and move clients over',
  ];
  if (p.type !== 'ExternalName' && n.type !== 'ExternalName') {
    const oldIPs = clusterIPsOf(p);
    const newIPs = clusterIPsOf(n);
    const headless = (ips?: string[]) => ips?.[0] === 'None';
    if (newIPs && !(headless(oldIPs) && headless(newIPs))) {
      if (!oldIPs) {
        // The server allocated an address at creation; naming one now (or None) changes it.
        out.push({ field: 'spec.clusterIP', oldValue: '(allocated by the cluster)', newValue: newIPs[0], reason: 'may not change once set (the cluster allocated an address when the Service was created)', waysOut: ways });
      } else if (newIPs[0] !== oldIPs[0]) {
        out.push({ field: 'spec.clusterIPs[0]', oldValue: oldIPs[0], newValue: newIPs[0], reason: 'may not change once set', waysOut: ways });
      } else if (newIPs.length === oldIPs.length && newIPs.some((ip, i) => ip !== oldIPs[i])) {
        out.push({ field: 'spec.clusterIPs', oldValue: oldIPs, newValue: newIPs, reason: 'may not change once set', waysOut: ways });
      } else if (newIPs.length < oldIPs.length && n.ipFamilyPolicy !== 'SingleStack') {
        out.push({ field: 'spec.ipFamilyPolicy', oldValue: p.ipFamilyPolicy, newValue: n.ipFamilyPolicy, reason: "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP", waysOut: ["set ipFamilyPolicy: 'SingleStack'"] });
      }
    }
    // IP families of a non-headless Service: the primary may not change; unset keeps the allocated ones.
    if (!headless(oldIPs) && !headless(newIPs) && p.ipFamilies?.length && n.ipFamilies?.length && p.ipFamilies[0] !== n.ipFamilies[0]) {
      out.push({ field: 'spec.ipFamilies[0]', oldValue: p.ipFamilies[0], newValue: n.ipFamilies[0], reason: 'may not change once set', waysOut: ways });
    }
  }
  if (p.type === 'LoadBalancer' && n.type === 'LoadBalancer' && !sameJson(p.loadBalancerClass, n.loadBalancerClass)) {
    out.push({ field: 'spec.loadBalancerClass', oldValue: p.loadBalancerClass, newValue: n.loadBalancerClass, reason: 'may not change once set', waysOut: ways });
  }
  return out;
};

const PV_MUTABLE = ['capacity', 'accessModes', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions', 'nodeAffinity', 'volumeMode'];

const persistentVolume: Rule = (previous, next, ctx) => {
  const source = (spec: Doc | undefined) => Object.fromEntries(Object.entries(spec ?? {}).filter(([k]) => !PV_MUTABLE.includes(k)));
  const ways = [
    `with persistentVolumeReclaimPolicy Retain, delete the PersistentVolume object (the data stays where it is): \`kubectl delete ${ctx.address}\`, then sync; claims bound to it must be recreated to bind again`,
    'give it a new name and point the claims at it',
  ];
  const out = immutableField(source(previous.spec), source(next.spec), 'spec', 'spec.persistentvolumesource is immutable after creation', ways);
  out.push(...immutableField(previous.spec?.volumeMode ?? 'Filesystem', next.spec?.volumeMode ?? 'Filesystem', 'spec.volumeMode', IMMUTABLE, ways));
  if (previous.spec?.nodeAffinity !== undefined) {
    out.push(...immutableField(previous.spec.nodeAffinity, next.spec?.nodeAffinity, 'spec.nodeAffinity', IMMUTABLE, ways));
  }
  return out;
};

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

const persistentVolumeClaim: Rule = (previous, next, ctx) => {
  const p = clone(previous.spec ?? {});
  const n = clone(next.spec ?? {});
  const ways = [
    `delete and recreate the claim (\`kubectl delete ${ctx.address}\`, then sync): with a Delete reclaim policy that deletes the volume's data`,
    'give it a new name',
  ];
  const out: Refusal[] = [];
  const oldSize = p.resources?.requests?.storage;
  const newSize = n.resources?.requests?.storage;
  if (oldSize !== undefined && newSize !== undefined && !sameJson(quantityText(oldSize), quantityText(newSize))) {
    const cmp = compareQuantities(String(newSize), String(oldSize));
    if (cmp < 0) {
      out.push({ field: 'spec.resources.requests.storage', oldValue: oldSize, newValue: newSize, reason: 'field can not be less than previous value', waysOut: ['keep the size; a claim can only grow', ...ways] });
    } else {
      const className = n.storageClassName ?? next.metadata?.annotations?.[BETA_STORAGE_CLASS];
      const cls = ctx.nextObjects.find((o) => o.kind === 'StorageClass' && o.metadata?.name === className);
      if (className === '' || (cls && cls.allowVolumeExpansion !== true)) {
        out.push({
          field: 'spec.resources.requests.storage',
          oldValue: oldSize,
          newValue: newSize,
          reason: 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize (admission plugin PersistentVolumeClaimResize)',
          waysOut: [className === '' ? 'grow the volume behind the static PersistentVolume and its capacity instead' : `set allowVolumeExpansion: true on StorageClass ${className}`, ...ways],
        });
      }
    }
  }
  // Bound claims may change their storage request (checked above); the rest of the spec is immutable.
  for (const spec of [p, n]) {
    if (spec.resources?.requests) delete spec.resources.requests.storage;
    spec.resources = canonicalResources(spec.resources);
    if (spec.resources && Object.keys(spec.resources).length === 0) delete spec.resources;
    spec.volumeMode ??= 'Filesystem';
  }
  if (!p.volumeName) delete n.volumeName; // set once, by the binder or the user
  if (p.storageClassName === undefined && n.storageClassName) {
    // 1.28 allows setting a class on a claim without one (retroactive default StorageClass), and moving the
    // beta annotation's value into the field.
    const annotation = previous.metadata?.annotations?.[BETA_STORAGE_CLASS];
    if (annotation === undefined || annotation === n.storageClassName) delete n.storageClassName;
  }
  out.push(...immutableField(p, n, 'spec', 'spec is immutable after creation except resources.requests for bound claims', ways));
  const oldAnnotation = previous.metadata?.annotations?.[BETA_STORAGE_CLASS];
  const newAnnotation = next.metadata?.annotations?.[BETA_STORAGE_CLASS];
  if (oldAnnotation !== undefined && oldAnnotation !== newAnnotation && !(newAnnotation === undefined && n.storageClassName === oldAnnotation)) {
    out.push({ field: `metadata.annotations["${BETA_STORAGE_CLASS}"]`, oldValue: oldAnnotation, newValue: newAnnotation, reason: IMMUTABLE, waysOut: ways });
  }
  return out;
};

function compareQuantities(a: string, b: string): number {
  // Equal values were ruled out by their canonical texts; floating point orders real sizes correctly.
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x === y ? 0 : x < y ? -1 : 1;
}

function immutableData(kind: string): Rule {
  return (previous, next, ctx) => {
    const out: Refusal[] = [];
    const ways = [
      `give the ${kind} a new name and point its users at it (pods that reference it roll to the new content)`,
      `delete and recreate it: \`kubectl delete ${ctx.address}\`, then sync; running pods keep the old content until restarted`,
    ];
    if (kind === 'Secret') out.push(...immutableField(previous.type ?? 'Opaque', next.type ?? 'Opaque', 'type', IMMUTABLE, ways));
    if (previous.immutable !== true) return out;
    const reason = 'field is immutable when `immutable` is set';
    const data = (o: Doc) => kind === 'Secret'
      ? { ...o.data, ...Object.fromEntries(Object.entries(o.stringData ?? {}).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')])) }
      : o.data;
    out.push(...immutableField(data(previous), data(next), 'data', reason, ways));
    if (kind === 'ConfigMap') out.push(...immutableField(previous.binaryData, next.binaryData, 'binaryData', reason, ways));
    if (next.immutable !== true) out.push({ field: 'immutable', oldValue: true, newValue: next.immutable, reason, waysOut: ways });
    return out;
  };
}

// ---- storage.k8s.io/v1, rbac.authorization.k8s.io/v1, scheduling.k8s.io/v1 ----------------------------

const storageClass: Rule = (previous, next, ctx) => {
  const ways = [
    `delete and recreate it: \`kubectl delete ${ctx.address}\`, then sync; volumes it already provisioned keep their settings`,
    'give it a new name and move the claims that should use it',
  ];
  const emptyAsUnset = (m: unknown) => (isObject(m) && Object.keys(m).length === 0 ? undefined : m);
  return [
    ...immutableField(emptyAsUnset(previous.parameters), emptyAsUnset(next.parameters), 'parameters', 'updates to parameters are forbidden.', ways),
    ...immutableField(previous.provisioner, next.provisioner, 'provisioner', 'updates to provisioner are forbidden.', ways),
    ...immutableField(previous.reclaimPolicy ?? 'Delete', next.reclaimPolicy ?? 'Delete', 'reclaimPolicy', 'updates to reclaimPolicy are forbidden.', ways),
    ...immutableField(previous.volumeBindingMode ?? 'Immediate', next.volumeBindingMode ?? 'Immediate', 'volumeBindingMode', IMMUTABLE, ways),
  ];
};

const roleBinding: Rule = (previous, next, ctx) => immutableField(previous.roleRef, next.roleRef, 'roleRef', 'cannot change roleRef', [
  `delete and recreate it: \`kubectl delete ${ctx.address}\`, then sync (the subjects lose the old role's permissions at once)`,
  'give it a new name (both bindings apply until the old one is removed)',
]);

const priorityClass: Rule = (previous, next, ctx) => {
  const ways = [`delete and recreate it: \`kubectl delete ${ctx.address}\`, then sync (running pods keep their priority)`, 'give it a new name and move the pods to it'];
  return [
    ...immutableField(previous.value, next.value, 'value', 'may not be changed in an update.', ways),
    ...immutableField(previous.preemptionPolicy ?? 'PreemptLowerPriority', next.preemptionPolicy ?? 'PreemptLowerPriority', 'preemptionPolicy', IMMUTABLE, ways),
  ];
};

/**
 * The rules by `<group>/<kind>` (core group empty). Kinds without a rule have no immutable fields that the
 * library renders: Namespace, ServiceAccount, Role/ClusterRole, CronJob (its jobTemplate may change),
 * PodDisruptionBudget (selector mutable since 1.15), NetworkPolicy, HorizontalPodAutoscaler.
 * @internal
 */
export const UPDATE_RULES: Record<string, Rule> = {
  'apps/StatefulSet': statefulSet,
  'apps/Deployment': workloadSelector,
  'apps/DaemonSet': workloadSelector,
  'apps/ReplicaSet': workloadSelector,
  'batch/Job': job,
  '/Service': service,
  '/PersistentVolume': persistentVolume,
  '/PersistentVolumeClaim': persistentVolumeClaim,
  '/ConfigMap': immutableData('ConfigMap'),
  '/Secret': immutableData('Secret'),
  'storage.k8s.io/StorageClass': storageClass,
  'rbac.authorization.k8s.io/RoleBinding': roleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': roleBinding,
  'scheduling.k8s.io/PriorityClass': priorityClass,
};
