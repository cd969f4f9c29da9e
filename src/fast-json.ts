import { ApiObject, App, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';

/*
 * `ApiObject.toJson()` resolves every value through the app's resolvers, and `resolve()` looks the App
 * up again for every single value: for 2000 objects that is most of the synthesis time. Objects of the
 * generated Kubernetes 1.28 classes built from plain data need none of it. `renderApiObject()` produces
 * the same JSON for them in one pass (the built-in resolvers' effect on plain data, cdk8s' sanitising,
 * JSON patches, key order, the L1 mapping) and falls back to `toJson()` for anything else: custom
 * resolvers, Lazy values, implicit tokens, subclasses and foreign ApiObjects.
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

function plain(value: unknown, sortKeys: boolean): unknown {
  if (value == null) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((x) => plain(x, sortKeys));
  if (value instanceof Lazy || typeof (value as any).resolve === 'function') throw new NeedsFullResolve();
  if (value.constructor !== Object) {
    // IntOrString, Quantity and other number/string unions render as { value }.
    const inner = (value as any).value;
    if (typeof inner === 'number' || typeof inner === 'string') return { value: inner };
    throw new NeedsFullResolve();
  }
  const keys = Object.keys(value);
  if (sortKeys && !isSorted(keys)) keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = plain((value as Record<string, unknown>)[key], sortKeys);
    if (v != null) out[key] = v;
  }
  return out;
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}

/** The JSON of one ApiObject, identical to `obj.toJson()`. @internal */
export function renderApiObject(obj: ApiObject): any {
  const cls = obj.constructor as unknown as L1Class;
  if (!L1_CLASSES.has(cls) || App.of(obj).resolvers.length !== BUILT_IN_RESOLVERS) return obj.toJson();
  try {
    const sortKeys = !process.env.CDK8S_DISABLE_SORT;
    const data = { ...(obj as any).props, metadata: obj.metadata.toJson() };
    const patched = JsonPatch.apply(plain(data, sortKeys), ...((obj as any).patches as JsonPatch[]));
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
