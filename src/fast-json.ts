import { ApiObject, App, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';

/*
 * `ApiObject.toJson()` resolves every value through the app's resolvers, and `resolve()` looks the App
 * up again for every single value: for 2000 objects that is most of the synthesis time. Objects of the
 * generated Kubernetes 1.28 classes built from plain data need none of it. `renderApiObject()` produces
 * the same JSON for them directly: plain props go straight through the L1 mapping and get their maps
 * sorted; objects with JSON patches get cdk8s' sanitising, the patches and key order first. Anything
 * else falls back to `toJson()`: custom resolvers, Lazy values, implicit tokens, nulls, subclasses,
 * foreign ApiObjects, and CDK8S_DISABLE_SORT. Tests compare both for every object they synthesise.
 */

interface L1Class {
  readonly GVK: { apiVersion: string; kind: string };
  manifest(props: unknown): Record<string, unknown>;
}

/** The generated L1 classes of cdk8s-plus-28's `k8s` module: the only ones whose toJson we know. */
const L1_CLASSES: ReadonlySet<unknown> = new Set(
  Object.values(k8s).filter((v) => typeof v === 'function' && typeof (v as any).manifest === 'function' && (v as any).GVK),
);
const BUILT_IN_RESOLVERS = 3; // Lazy, implicit token, number/string union: what App adds itself

class NeedsFullResolve extends Error {}

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

/**
 * True when `value` holds only plain data the L1 mapping reads directly: no null, no Lazy or other
 * token, no class instance other than a number/string union (IntOrString, Quantity).
 */
function isPlainData(value: unknown): boolean {
  if (value === undefined) return true;
  if (value === null) return false;
  if (typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every((x) => x !== undefined && isPlainData(x));
  if (value instanceof Lazy || typeof (value as any).resolve === 'function') return false;
  if (value.constructor !== Object) {
    const inner = (value as any).value;
    return typeof inner === 'number' || typeof inner === 'string';
  }
  for (const key in value) if (!isPlainData((value as Record<string, unknown>)[key])) return false;
  return true;
}

/**
 * Sorts the keys of every object below the top level, in place, as cdk8s' sanitising does. The L1
 * mapping already emits schema fields in alphabetical order (checked for every nested type of the
 * 1.28 bindings), so in practice only maps (labels, annotations, selectors, data) are rebuilt.
 * Returns false on anything that is not plain JSON.
 */
function sortNested(value: unknown): boolean {
  if (value === null) return false;
  if (typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(sortNested);
  if (value.constructor !== Object) return false;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  for (const key of keys) if (!sortNested(obj[key])) return false;
  if (!isSorted(keys)) {
    const entries = keys.sort().map((k) => [k, obj[k]] as const);
    for (const key of keys) delete obj[key];
    for (const [k, v] of entries) obj[k] = v;
  }
  return true;
}

/** The JSON of one ApiObject, identical to `obj.toJson()`. @internal */
export function renderApiObject(obj: ApiObject): any {
  const cls = obj.constructor as unknown as L1Class;
  if (!L1_CLASSES.has(cls) || App.of(obj).resolvers.length !== BUILT_IN_RESOLVERS || process.env.CDK8S_DISABLE_SORT) return obj.toJson();
  const props = (obj as any).props;
  const patches = (obj as any).patches as JsonPatch[];
  try {
    if (patches.length === 0 && isPlainData(props)) {
      // Straight through the L1 mapping (it reads IntOrString/Quantity values itself), then sort maps.
      const json = cls.manifest({ ...props, metadata: obj.metadata.toJson() });
      for (const key of Object.keys(json)) if (key !== 'apiVersion' && key !== 'kind' && !sortNested(json[key])) return obj.toJson();
      return json;
    }
    const data = { ...props, metadata: obj.metadata.toJson() };
    const patched = JsonPatch.apply(plain(data), ...patches);
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
