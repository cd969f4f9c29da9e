// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { renderApiObject } from '../kubernetes/fast-json';
import { addLibraryValidation, groupOf, isClusterScoped, podTemplateOf, selectorMatches } from '../kubernetes/validation';

/*
 * Checks that look across the whole app (duplicate objects, node ports, selector overlap, host ports,
 * NFS exports, the cluster domain) share one index per synthesis instead of each construct scanning
 * the app. The index is built on first use during validation, when the construct tree is complete,
 * and dropped when the next validation pass starts: the root gets a validation of its own, which
 * cdk8s and AppSynthesizer run before any other (they validate in `findAll()` order, root first).
 */

type Manifest = Record<string, any>;

/** A construct's app-wide check: the index in, error messages (for the construct's own path) out. @internal */
export type AppCheck = (index: AppIndex) => string[];

const INDEXES = new WeakMap<IConstruct, AppIndex>();
const HOOKED_ROOTS = new WeakSet<IConstruct>();
/** Constructs of this library that own the ApiObjects below them, for reporting under their path. */
const OWNERS = new WeakSet<IConstruct>();
/** The prop that produced an ApiObject's ports (e.g. `service.ports`), for node-port errors. */
const PORT_FIELDS = new WeakMap<ApiObject, string>();
/** Services this library rendered without a node port: nothing to compare. */
const WITHOUT_NODE_PORTS = new WeakSet<ApiObject>();
/** Selector and pod labels of the workloads this library rendered. */
const WORKLOAD_FACTS = new WeakMap<ApiObject, { selector: Manifest; podLabels: Record<string, string> }>();

/** The pod-controller kinds of `apps/v1` whose selectors pick up pods by label. */
const SELECTING_WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/**
 * One index of the app: every construct and ApiObject found once, each object rendered at most once,
 * and derived views (by kind, duplicates, node ports, ...) computed once on first use.
 * @internal
 */
export class AppIndex {
  /** Every construct of the app, root first (`findAll()` order). */
  public readonly constructs: readonly IConstruct[];
  /** Every ApiObject of the app, in construct-tree order. */
  public readonly apiObjects: readonly ApiObject[];
  private readonly owners = new Map<IConstruct, IConstruct | undefined>();
  private readonly rendered = new Map<ApiObject, Manifest | undefined>();
  private readonly views = new Map<unknown, unknown>();

  /** @internal */
  constructor(root: IConstruct) {
    this.constructs = root.node.findAll();
    const objects: ApiObject[] = [];
    for (const c of this.constructs) {
      // Pre-order: a parent's owner is known before its children's.
      const parent = c.node.scope;
      this.owners.set(c, OWNERS.has(c) ? c : (parent ? this.owners.get(parent) : undefined));
      if (ApiObject.isApiObject(c)) objects.push(c);
    }
    this.apiObjects = objects;
  }

  /** The library construct an object belongs to (its nearest registered ancestor), if any. */
  public ownerOf(c: IConstruct): IConstruct | undefined {
    return this.owners.get(c);
  }

  /**
   * The object's JSON as synthesis renders it (JSON patches included), rendered once per index.
   * `undefined` when it cannot render: its own validation reports why.
   */
  public render(obj: ApiObject): Manifest | undefined {
    if (!this.rendered.has(obj)) {
      let json: Manifest | undefined;
      try {
        json = renderApiObject(obj);
      } catch {
        json = undefined;
      }
      this.rendered.set(obj, json);
    }
    return this.rendered.get(obj);
  }

  /**
   * A view of the app computed once per index, e.g. every NodeAgent or every node port. `key` must
   * be a module-level constant (a symbol) so that every caller shares the view.
   */
  public view<T>(key: symbol, build: (index: AppIndex) => T): T {
    if (!this.views.has(key)) this.views.set(key, build(this));
    return this.views.get(key) as T;
  }

  /** Every construct of the app for which `guard` holds, in tree order (one view per guard key). */
  public constructsOf<T extends IConstruct>(key: symbol, guard: (c: IConstruct) => c is T): readonly T[] {
    return this.view(key, (i) => i.constructs.filter(guard));
  }
}

/** The index of the app `scope` belongs to, built on first use in this validation pass. @internal */
export function appIndex(scope: IConstruct): AppIndex {
  const root = scope.node.root;
  let index = INDEXES.get(root);
  if (!index) {
    index = new AppIndex(root);
    INDEXES.set(root, index);
  }
  return index;
}

function hookRoot(root: IConstruct): void {
  if (HOOKED_ROOTS.has(root)) return;
  HOOKED_ROOTS.add(root);
  // Runs first in every validation pass: later constructs see a fresh index of the complete tree.
  root.node.addValidation({
    validate: () => {
      INDEXES.delete(root);
      // Objects no construct of this library owns (raw L1 objects) report under their own path: the
      // validation pass reaches them after the root.
      for (const f of problemsByOwner(appIndex(root)).get(undefined) ?? []) hookUnowned(f.object);
      return [];
    },
  });
}

const HOOKED_OBJECTS = new WeakSet<IConstruct>();

function hookUnowned(obj: ApiObject): void {
  if (HOOKED_OBJECTS.has(obj)) return;
  HOOKED_OBJECTS.add(obj);
  addLibraryValidation(obj, 'APP_CONFLICT', () => (problemsByOwner(appIndex(obj)).get(undefined) ?? []).filter((f) => f.object === obj).map((f) => f.message));
}

/**
 * Registers a construct of this library for the app-wide checks: duplicate objects, selector overlap
 * and node ports among the objects it renders are reported under its path; `extra` adds its own
 * checks against the same index.
 * @internal
 */
export function addAppChecks(scope: Construct, ...extra: AppCheck[]): void {
  OWNERS.add(scope);
  hookRoot(scope.node.root);
  addLibraryValidation(scope, 'APP_CONFLICT', () => {
    const index = appIndex(scope);
    return [...ownedProblems(index, scope), ...extra.flatMap((check) => check(index))];
  });
}

/**
 * Remembers a Service this library rendered: which prop its ports came from (for errors) and whether
 * it has node ports at all, so the node-port view renders only Services that can clash.
 * @internal
 */
export function recordPortField(obj: ApiObject, field: string, hasNodePorts: boolean = true): void {
  PORT_FIELDS.set(obj, field);
  if (!hasNodePorts) WITHOUT_NODE_PORTS.add(obj);
}

/**
 * Remembers the selector and pod labels of a workload this library rendered, exactly as it passes them
 * to the L1 object, so the selector-overlap view needs no rendering for it (foreign workloads are
 * rendered).
 * @internal
 */
export function recordWorkload(obj: ApiObject, selectorLabels: Record<string, string>, template: k8s.PodTemplateSpec): void {
  WORKLOAD_FACTS.set(obj, { selector: { matchLabels: { ...selectorLabels } }, podLabels: { ...template.metadata?.labels } });
}

// ---- the shared checks ------------------------------------------------------------------------

/** An app-wide problem of one object, reported by the library construct that owns it. */
interface ObjectProblem {
  readonly object: ApiObject;
  readonly message: string;
}

const OBJECT_PROBLEMS = Symbol('app-index.problems');

/** Every app-wide problem, grouped by the library construct that owns the object (undefined: none). */
function problemsByOwner(index: AppIndex): Map<IConstruct | undefined, ObjectProblem[]> {
  return index.view(OBJECT_PROBLEMS, (i) => {
    const byOwner = new Map<IConstruct | undefined, ObjectProblem[]>();
    for (const f of [...duplicateProblems(i), ...nodePortProblems(i), ...selectorProblems(i)]) {
      pushTo(byOwner, i.ownerOf(f.object), f);
    }
    return byOwner;
  });
}

function ownedProblems(index: AppIndex, owner: IConstruct): string[] {
  return (problemsByOwner(index).get(owner) ?? []).map((f) => f.message);
}

/** Appends to a list in a map (no copying: groups can hold thousands of objects). */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Where an object lands: cluster-scoped kinds have no namespace, whatever the chart says. */
function namespaceOfObject(obj: ApiObject): string | undefined {
  return isClusterScoped(obj.apiVersion, obj.kind) ? undefined : obj.metadata.namespace;
}

function describe(obj: ApiObject): string {
  const ns = namespaceOfObject(obj);
  return `${obj.kind} ${ns ? `${ns}/` : ''}${obj.name}`;
}

/**
 * Two objects with one identity (API group, kind, namespace, name): the second apply overwrites the
 * first. Versions of one group are the same object to the API server, so the group is compared.
 */
function duplicateProblems(index: AppIndex): ObjectProblem[] {
  const groups = new Map<string, ApiObject[]>();
  for (const obj of index.apiObjects) {
    const key = `${groupOf(obj.apiVersion)}|${obj.kind}|${namespaceOfObject(obj) ?? ''}|${obj.name}`;
    pushTo(groups, key, obj);
  }
  const out: ObjectProblem[] = [];
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    for (const obj of list) {
      const others = list.filter((o) => o !== obj).map((o) => o.node.path);
      out.push({
        object: obj,
        message: `metadata.name ${JSON.stringify(obj.name)}: the ${obj.kind} ${obj.node.path}${namespaceOfObject(obj) ? ` in namespace ${namespaceOfObject(obj)}` : ''} `
          + `is also defined by ${others.join(', ')} (the API server keeps one object per API group, kind, namespace and name, so one apply `
          + 'would overwrite the other); rename one of them or give it another namespace, or remove the duplicate',
      });

    }
  }
  return out;
}

/** The NodePort range of a default kube-apiserver (`--service-node-port-range`). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

interface NodePortUse {
  readonly service: ApiObject;
  readonly index: number;
  readonly nodePort: number;
  readonly protocol: string;
}

/**
 * Node ports are allocated cluster-wide, so a fixed node port must be unique across every Service of
 * the app, whoever rendered it; one Service may use a node port once per protocol. Services are
 * found by apiVersion and kind (`instanceof k8s.KubeService` is true for every ApiObject in cdk8s).
 */
/** The user's construct and prop behind a Service this library rendered, else the Service itself. */
function describePort(use: NodePortUse): string {
  const field = PORT_FIELDS.get(use.service);
  const owner = use.service.node.scope;
  return field !== undefined && owner ? `[${owner.node.path}] ${field}[${use.index}]` : `${use.service.node.path} ports[${use.index}]`;
}

function nodePortProblems(index: AppIndex): ObjectProblem[] {
  const byPort = new Map<number, NodePortUse[]>();
  for (const obj of index.apiObjects) {
    if (obj.apiVersion !== 'v1' || obj.kind !== 'Service' || WITHOUT_NODE_PORTS.has(obj)) continue;
    const ports: Array<{ nodePort?: number; protocol?: string }> = index.render(obj)?.spec?.ports ?? [];
    ports.forEach((p, i) => {
      if (typeof p.nodePort !== 'number') return;
      const use = { service: obj, index: i, nodePort: p.nodePort, protocol: p.protocol ?? 'TCP' };
      pushTo(byPort, p.nodePort, use);
    });
  }
  const out: ObjectProblem[] = [];
  for (const uses of byPort.values()) {
    if (uses.length < 2) continue;
    for (const use of uses) {
      const clash = uses.find((o) => o.service === use.service && o.index < use.index && o.protocol === use.protocol)
        ?? uses.find((o) => o.service !== use.service);
      if (!clash) continue;
      out.push({
        object: use.service,
        message: `${PORT_FIELDS.get(use.service) ?? 'spec.ports'}[${use.index}].nodePort ${use.nodePort}: also used by ${describePort(clash)} `
          + '(node ports are allocated cluster-wide, so the API server rejects the second Service); '
          + `pick another port from ${NODE_PORT_RANGE.min} to ${NODE_PORT_RANGE.max}, or leave nodePort unset`,
      });
    }
  }
  return out;
}

interface Workload {
  readonly object: ApiObject;
  readonly selector: Manifest;
  readonly podLabels: Record<string, string>;
}

/**
 * Two workloads of one namespace where one's selector matches the other's pods: each controller
 * adopts or fights over the other's pods. Pod labels are indexed by `key=value`, so a selector is
 * compared only with workloads whose pods carry its first label.
 */
function selectorProblems(index: AppIndex): ObjectProblem[] {
  const byNamespace = new Map<string, ApiObject[]>();
  for (const obj of index.apiObjects) {
    if (obj.apiVersion !== 'apps/v1' || !SELECTING_WORKLOADS.has(obj.kind)) continue;
    pushTo(byNamespace, obj.metadata.namespace ?? '', obj);
  }
  const out: ObjectProblem[] = [];
  for (const objects of byNamespace.values()) {
    if (objects.length < 2) continue;
    const workloads: Workload[] = [];
    for (const object of objects) {
      const facts = WORKLOAD_FACTS.get(object);
      if (facts) {
        workloads.push({ object, ...facts });
        continue;
      }
      const json = index.render(object);
      const template = json && podTemplateOf(json);
      if (!json?.spec?.selector || !template) continue;
      workloads.push({ object, selector: json.spec.selector, podLabels: template.template.metadata?.labels ?? {} });
    }
    const byLabel = new Map<string, Workload[]>();
    for (const w of workloads) {
      for (const [k, v] of Object.entries(w.podLabels)) pushTo(byLabel, `${k}=${v}`, w);
    }
    const pairs = new Map<Workload, Set<Workload>>();
    const relate = (a: Workload, b: Workload) => {
      pairs.set(a, (pairs.get(a) ?? new Set()).add(b));
      pairs.set(b, (pairs.get(b) ?? new Set()).add(a));
    };
    for (const w of workloads) {
      const first = Object.entries(w.selector.matchLabels ?? {})[0];
      const candidates = first ? byLabel.get(`${first[0]}=${first[1]}`) ?? [] : workloads;
      for (const other of candidates) {
        if (other !== w && selectorMatches(w.selector, other.podLabels)) relate(w, other);
      }
    }
    for (const w of workloads) {
      for (const other of pairs.get(w) ?? []) {
        const direction = selectorMatches(w.selector, other.podLabels) ? 'its selector matches the pods of' : 'its pods match the selector of';
        out.push({
          object: w.object,
          message: `spec.selector ${JSON.stringify(w.selector.matchLabels ?? w.selector)}: ${direction} ${describe(other.object)} (${other.object.node.path}) `
            + 'in the same namespace, so both controllers claim the same pods; give each workload its own selectorLabels (or name)',
        });
      }
    }
  }
  return out;
}
