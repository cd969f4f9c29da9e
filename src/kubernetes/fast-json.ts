// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { ApiObject, App, Chart, ImplicitTokenResolver, JsonPatch, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';

/*
 * `ApiObject.toJson()` resolves every value through the app's resolvers, and `resolve()` looks the App
 * up again for every single value: for 2000 objects that is most of the synthesis time. Objects of the
 * generated Kubernetes 1.28 classes built from plain data need none of it. `renderApiObject()` produces
 * the same JSON for them directly: the steps of `toJson()` without the resolvers (sanitise, patches,
 * key order, L1 mapping). Anything else falls back to `toJson()`: custom resolvers, Lazy values,
 * implicit tokens, subclasses, foreign ApiObjects, and CDK8S_DISABLE_SORT. Tests compare both for
 * every object they synthesise.
 *
 * The shortcut reads two private fields of ApiObject (`props`, `patches`) and relies on the App adding
 * exactly three built-in resolvers. cdk8s may change either in any release, so before the first object
 * is rendered the process checks, once, that these internals are present and shaped as expected and
 * that a set of probe objects renders byte for byte as `toJson()` renders it. If anything differs,
 * every object of the process renders with `toJson()`: slower, never wrong. `renderPath()` says which.
 */

interface L1Class {
  readonly GVK: { apiVersion: string; kind: string };
  manifest(props: unknown): Record<string, unknown>;
}

/** The generated L1 classes of cdk8s-plus-28's `k8s` module: the only ones whose toJson we know. */
const L1_CLASSES: ReadonlySet<unknown> = new Set(
  Object.values(k8s).filter((v) => typeof v === 'function' && typeof (v as any).manifest === 'function' && (v as any).GVK),
);

/** What `new App()` adds after any custom resolvers, in this order: the only resolvers the shortcut mimics. */
const BUILT_IN_RESOLVERS: readonly Function[] = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];

function isL1Class(value: unknown): value is L1Class {
  return L1_CLASSES.has(value);
}

/** Set `CDK8S_WORKLOADS_RENDER=toJson` to render every object with cdk8s' own `toJson()`. */
export const RENDER_ENV = 'CDK8S_WORKLOADS_RENDER';

/** Which renderer this process uses, and why. @internal */
export interface RenderPath {
  /** True when the shortcut is on (objects it cannot handle still fall back one by one). */
  readonly fast: boolean;
  /** What the check found. */
  readonly reason: string;
}

let checkedPath: RenderPath | undefined;

/**
 * The renderer of this process: checked once, at first use, that the cdk8s internals the shortcut reads
 * are present and behave as expected. @internal
 */
export function renderPath(): RenderPath {
  if (checkedPath === undefined) checkedPath = checkInternals();
  return checkedPath;
}

/** The JSON of one ApiObject, identical to `obj.toJson()`. @internal */
export function renderApiObject(obj: ApiObject): any {
  return renderPath().fast ? renderFast(obj) : obj.toJson();
}

class NeedsFullResolve extends Error {}

/**
 * One object by the shortcut, falling back to `toJson()` on its own when the object is not a plain L1
 * object of a standard App, or its private fields are missing. @internal
 */
export function renderFast(obj: ApiObject): any {
  const cls: unknown = obj.constructor;
  if (!isL1Class(cls) || !hasOnlyBuiltInResolvers(App.of(obj)) || process.env.CDK8S_DISABLE_SORT) return obj.toJson();
  const props = (obj as any).props;
  const patches = (obj as any).patches as JsonPatch[];
  if (props === null || typeof props !== 'object' || !Array.isArray(patches)) return obj.toJson();
  try {
    // What toJson() does, minus the resolvers (plain data needs none): sanitise (sort keys, drop
    // undefined and null), apply the patches, put apiVersion, kind and metadata first, L1 mapping.
    const data = plain({ ...props, metadata: obj.metadata.toJson() }) as Record<string, unknown>;
    if (patches.length === 0) return cls.manifest(data);
    const patched = JsonPatch.apply(data, ...patches);
    const ordered: Record<string, unknown> = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
      if (k in patched) ordered[k] = patched[k];
    }
    return cls.manifest(ordered);
  } catch (e) {
    if (e instanceof NeedsFullResolve) return obj.toJson();
    throw e;
  }
}

/** True when the app has exactly the resolvers `new App()` adds itself (no custom ones, none new). */
function hasOnlyBuiltInResolvers(app: App): boolean {
  const resolvers = app.resolvers;
  if (!Array.isArray(resolvers) || resolvers.length !== BUILT_IN_RESOLVERS.length) return false;
  for (let i = 0; i < resolvers.length; i++) if (resolvers[i]?.constructor !== BUILT_IN_RESOLVERS[i]) return false;
  return true;
}

/**
 * Checks the internals the shortcut relies on, then renders probe objects both ways. The probes use
 * every feature the shortcut handles: chart labels and namespace, unsorted maps (with integer-like keys),
 * IntOrString and Quantity values, false, 0, empty arrays and objects, metadata added after construction,
 * and JSON patches.
 */
function checkInternals(): RenderPath {
  if (process.env[RENDER_ENV] === 'toJson') return { fast: false, reason: `${RENDER_ENV}=toJson` };
  try {
    if (typeof ApiObject.prototype.toJson !== 'function' || typeof JsonPatch.apply !== 'function') {
      return { fast: false, reason: 'cdk8s no longer has ApiObject.toJson or JsonPatch.apply' };
    }
    const app = new App({ outdir: 'cdk8s-workloads-render-probe' }); // App writes nothing until synth()
    if (!hasOnlyBuiltInResolvers(app)) {
      const names = (app.resolvers ?? []).map((r) => r?.constructor?.name).join(', ');
      return { fast: false, reason: `new App() has the resolvers [${names}], not [${BUILT_IN_RESOLVERS.map((r) => r.name).join(', ')}]` };
    }
    const probes = probeObjects(new Chart(app, 'probe', { namespace: 'probe-ns', labels: { 'z.example/team': 'a', 'a.example/tier': 'b' } }));
    for (const { obj, props, patched } of probes) {
      const internal = obj as any;
      const kept = internal.props;
      if (kept === null || typeof kept !== 'object' || Object.keys(props).some((k) => kept[k] !== props[k])) {
        return { fast: false, reason: `ApiObject no longer keeps its props in the private field "props" (probe ${obj.kind})` };
      }
      if (!Array.isArray(internal.patches) || internal.patches.length !== (patched ? 1 : 0)) {
        return { fast: false, reason: `ApiObject no longer keeps its JSON patches in the private field "patches" (probe ${obj.kind})` };
      }
      const fast = JSON.stringify(renderFast(obj));
      const full = JSON.stringify(obj.toJson());
      if (fast !== full) return { fast: false, reason: `probe ${obj.kind} renders differently from toJson(): ${firstDifference(fast, full)}` };
    }
    return { fast: true, reason: `cdk8s internals as expected (props, patches, 3 built-in resolvers; ${probes.length} probe objects render as toJson())` };
  } catch (e) {
    return { fast: false, reason: `probing cdk8s internals failed: ${(e as Error).message}` };
  }
}

interface Probe { readonly obj: ApiObject; readonly props: Record<string, unknown>; readonly patched: boolean }

function probeObjects(chart: Chart): Probe[] {
  const probes: Probe[] = [];
  const add = <P extends object>(make: (props: P) => ApiObject, props: P, patch?: JsonPatch) => {
    const obj = make(props);
    if (patch) obj.addJsonPatch(patch);
    probes.push({ obj, props: props as Record<string, unknown>, patched: patch !== undefined });
    return obj;
  };
  const sts = add((p: k8s.KubeStatefulSetProps) => new k8s.KubeStatefulSet(chart, 'sts', p), {
    metadata: { name: 'probe', labels: { 'b.example/x': '1', 'a.example/y': '2' }, annotations: { z: 'last', a: 'first' } },
    spec: {
      serviceName: 'probe',
      replicas: 0,
      selector: { matchLabels: { zeta: 'z', alpha: 'a' } },
      template: {
        metadata: { labels: { zeta: 'z', alpha: 'a' } },
        spec: {
          automountServiceAccountToken: false,
          containers: [{
            name: 'c',
            image: 'registry.example/c:1',
            args: [],
            env: [{ name: 'B', value: '' }, { name: 'A', value: 'x' }],
            ports: [{ containerPort: 80, name: 'web' }],
            resources: { limits: { memory: k8s.Quantity.fromString('64Mi'), cpu: k8s.Quantity.fromNumber(1) } },
            securityContext: { runAsUser: 0, capabilities: { drop: ['ALL'] } },
            readinessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromString('web') } },
          }],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } } }],
    },
  });
  sts.metadata.addLabel('added.example/later', 'yes');
  sts.metadata.addAnnotation('m', 'middle');
  add((p: k8s.KubeServiceProps) => new k8s.KubeService(chart, 'svc', p), {
    spec: { clusterIp: 'None', ports: [{ port: 80, targetPort: k8s.IntOrString.fromNumber(8080) }, { port: 81, targetPort: k8s.IntOrString.fromString('b') }] },
  });
  add((p: k8s.KubeConfigMapProps) => new k8s.KubeConfigMap(chart, 'cm', p), {
    metadata: { name: 'probe-data' },
    data: { b: '2', 10: 'ten', 9: 'nine', a: '' },
  });
  add((p: k8s.KubeDeploymentProps) => new k8s.KubeDeployment(chart, 'deploy', p), {
    spec: {
      selector: { matchLabels: { app: 'probe' } },
      template: { metadata: { labels: { app: 'probe' } }, spec: { containers: [{ name: 'c', image: 'c:1' }] } },
    },
  }, JsonPatch.add('/spec/template/spec/containers/0/args', ['--z', '--a']));
  return probes;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `at ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 20), i + 40))} vs ${JSON.stringify(b.slice(Math.max(0, i - 20), i + 40))}`;
}

function plain(value: unknown): unknown {
  if (value == null) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Lazy || typeof (value as any).resolve === 'function') throw new NeedsFullResolve();
  if (value.constructor !== Object) {
    // IntOrString, Quantity and other number/string unions render as { value }.
    const inner = (value as any).value;
    if (typeof inner === 'number' || typeof inner === 'string') return { value: inner };
    throw new NeedsFullResolve();
  }
  const keys = Object.keys(value);
  if (!isSorted(keys)) keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = plain((value as Record<string, unknown>)[key]);
    if (v != null) out[key] = v;
  }
  return out;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}
