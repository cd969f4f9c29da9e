// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { ensure, ensureEach, ensureLabels, parseQuantity, positiveQuantity, Where } from '../../kubernetes/validation';
import { AccessMode, ClaimRequest, ensureAccessModes, LEGACY_STORAGE_CLASS_ANNOTATION, VolumeMode } from '../../workload/storage';

/** The claim a PersistentVolume is reserved for (`spec.claimRef`). */
export interface VolumeClaimRef {
  /** Claim name. */
  readonly name: string;
  /** Claim namespace; the PV controller compares it, so it is always explicit. */
  readonly namespace: string;
}

/** A PersistentVolume as the PV controller sees it when binding. */
export interface BindableVolume {
  /** PersistentVolume name. */
  readonly name: string;
  /** `spec.capacity.storage`, a Kubernetes quantity. */
  readonly capacity: string;
  /** `spec.accessModes`. */
  readonly accessModes: AccessMode[];
  /** `spec.storageClassName`; unset and `""` both mean "no class" for a volume. @default - no class */
  readonly storageClassName?: string;
  /** A filesystem or a raw block device. @default VolumeMode.FILESYSTEM */
  readonly volumeMode?: VolumeMode;
  /** Labels a claim's selector is matched against. @default - none */
  readonly labels?: Record<string, string>;
  /** `spec.claimRef`: only this claim may bind the volume. @default - any claim */
  readonly claimRef?: VolumeClaimRef;
}

/** Why a volume cannot take a claim. */
export enum BindingMismatch {
  /** The volume's class differs from the claim's (legacy annotation, spec, or the default StorageClass). */
  STORAGE_CLASS = 'StorageClass',
  /** The volume lacks one of the requested access modes. */
  ACCESS_MODES = 'AccessModes',
  /** The volume is smaller than the request. */
  CAPACITY = 'Capacity',
  /** The claim's selector does not match the volume's labels. */
  SELECTOR = 'Selector',
  /** Filesystem vs Block. */
  VOLUME_MODE = 'VolumeMode',
  /** An earlier claim of the same check already took the volume. */
  ALREADY_BOUND = 'AlreadyBound',
  /** The volume's claimRef names another claim. */
  RESERVED = 'Reserved',
}

/** One volume that could not take a claim, and why. */
export interface VolumeRejection {
  /** PersistentVolume name. */
  readonly volume: string;
  /** The first rule the volume fails, in the PV controller's order. */
  readonly mismatch: BindingMismatch;
  /** A sentence with the values compared, e.g. `capacity 1Gi is less than the requested 2Gi`. */
  readonly detail: string;
}

/** What happened to one claim. */
export interface ClaimBinding {
  /** Claim name. */
  readonly claim: string;
  /** Claim namespace (the check's default namespace when the claim sets none). */
  readonly namespace: string;
  /** The storage class the PV controller matches on ("" for none). */
  readonly storageClass: string;
  /** The volume the claim binds to. @default - unbound */
  readonly volume?: string;
  /** Why the claim stays Pending. @default - bound */
  readonly reason?: string;
  /** Every volume that could not take the claim (empty when bound). */
  readonly rejections: VolumeRejection[];
}

/** The outcome of a binding check. */
export interface BindingResult {
  /** One entry per claim, in the order given. */
  readonly claims: ClaimBinding[];
  /** Claims that bind. */
  readonly bound: ClaimBinding[];
  /** Claims that would stay Pending. */
  readonly unbound: ClaimBinding[];
  /** True when every claim binds. */
  readonly ok: boolean;
  /** Volumes no claim took. */
  readonly freeVolumes: string[];
}

/** Options of a binding check. */
export interface BindingCheckOptions {
  /**
   * The cluster's default StorageClass. A claim with no class at all (no `storageClassName`, no legacy
   * annotation) gets it from the DefaultStorageClass admission plugin (and, since 1.28, retroactively),
   * so it no longer binds class-less volumes. `""` or unset: the cluster has no default class.
   * @default - no default StorageClass
   */
  readonly defaultStorageClass?: string;
  /** Namespace of claims that set none (needed to match `claimRef`). @default "default" */
  readonly defaultNamespace?: string;
}

/**
 * Decides which PersistentVolume each claim binds to, the way the Kubernetes PV controller does
 * (`FindMatchingVolume` in k8s.io/component-helpers/storage/volume):
 *
 * - a volume reserved for the claim (`claimRef`) is a candidate if it is large enough, has the requested
 *   modes and the same volumeMode; the controller does not compare class or selector for it, and it wins
 *   over the other candidates with the same access modes (not over ones with fewer, see below);
 * - otherwise a candidate has every requested access mode, capacity >= request, the same volumeMode,
 *   no claimRef to another claim, labels matching the claim's selector, and the claim's class (the
 *   legacy annotation `volume.beta.kubernetes.io/storage-class` wins over `spec.storageClassName`; a
 *   claim with neither takes the default StorageClass if the cluster has one, else "", which only
 *   matches class-less volumes);
 * - among candidates it prefers the fewest access modes (the controller searches its access-mode index
 *   from the smallest mode set up, one exact set at a time), then within that set the reserved volume,
 *   then the smallest capacity; ties go to the volume listed first.
 *
 * Claims are bound in the order given (a StatefulSet creates them ordinal by ordinal) and a volume binds
 * at most one claim. With a WaitForFirstConsumer class the scheduler binds instead of the controller; it
 * applies the same rules and also picks the smallest volume, without the access-mode preference.
 */
export class VolumeBinding {
  /** Simulates binding `claims` against `volumes`; validates both and throws on bad input. */
  public static simulate(claims: ClaimRequest[], volumes: BindableVolume[], options: BindingCheckOptions = {}): BindingResult {
    const where = 'VolumeBinding.simulate';
    ensureEach('claims', claims, (c, f) => checkClaim(where, f, c));
    ensureEach('volumes', volumes, (v, f) => checkVolume(where, f, v));
    const taken = new Map<string, string>();
    const results = claims.map((claim) => bindOne(claim, volumes, taken, options));
    const bound = results.filter((r) => r.volume !== undefined);
    return {
      claims: results,
      bound,
      unbound: results.filter((r) => r.volume === undefined),
      ok: bound.length === results.length,
      freeVolumes: volumes.filter((v) => !taken.has(v.name)).map((v) => v.name),
    };
  }

  /** One line per unbound claim, e.g. for a synth-time validation error. */
  public static describeUnbound(result: BindingResult): string[] {
    return result.unbound.map((c) => `claim ${c.namespace}/${c.claim} stays Pending: ${c.reason}`);
  }

  private constructor() {}
}

/** The class the PV controller reads from a claim, before any default StorageClass applies. @internal */
export function claimClass(claim: ClaimRequest): string | undefined {
  return claim.annotations?.[LEGACY_STORAGE_CLASS_ANNOTATION] ?? claim.storageClassName;
}

/** @internal */
export function checkClaim(where: Where, field: string, claim: ClaimRequest): void {
  ensure(where, `${field}.storage`, claim.storage, positiveQuantity);
  ensureAccessModes(where, `${field}.accessModes`, claim.accessModes);
  ensureLabels(where, `${field}.selector`, claim.selector);
}

function checkVolume(where: Where, field: string, volume: BindableVolume): void {
  ensure(where, `${field}.capacity`, volume.capacity, positiveQuantity);
  ensureAccessModes(where, `${field}.accessModes`, volume.accessModes);
}

function bindOne(claim: ClaimRequest, volumes: BindableVolume[], taken: Map<string, string>, options: BindingCheckOptions): ClaimBinding {
  const namespace = claim.namespace ?? options.defaultNamespace ?? 'default';
  const explicit = claimClass(claim);
  const storageClass = explicit ?? options.defaultStorageClass ?? '';
  const request = parseQuantity(claim.storage);
  const claimMode = claim.volumeMode ?? VolumeMode.FILESYSTEM;
  const rejections: VolumeRejection[] = [];
  // Volumes that can take the claim; `reserved` ones skipped the class and selector checks.
  const candidates: Array<{ volume: BindableVolume; reserved: boolean }> = [];
  const reject = (volume: BindableVolume, mismatch: BindingMismatch, detail: string) => rejections.push({ volume: volume.name, mismatch, detail });

  for (const volume of volumes) {
    const reservedForClaim = volume.claimRef !== undefined && volume.claimRef.name === claim.name && volume.claimRef.namespace === namespace;
    if (volume.claimRef && !reservedForClaim) {
      reject(volume, BindingMismatch.RESERVED, `is reserved for claim ${volume.claimRef.namespace}/${volume.claimRef.name} (claimRef)`);
      continue;
    }
    const holder = taken.get(volume.name);
    if (holder !== undefined) {
      reject(volume, BindingMismatch.ALREADY_BOUND, `is already bound to claim ${holder}`);
      continue;
    }
    const missing = claim.accessModes.filter((m) => !volume.accessModes.includes(m));
    if (missing.length > 0) {
      reject(volume, BindingMismatch.ACCESS_MODES, `has access modes [${volume.accessModes.join(', ')}], not ${missing.join(', ')}`);
      continue;
    }
    if (parseQuantity(volume.capacity) < request) {
      reject(volume, BindingMismatch.CAPACITY, `capacity ${volume.capacity} is less than the requested ${claim.storage}`);
      continue;
    }
    const volumeMode = volume.volumeMode ?? VolumeMode.FILESYSTEM;
    if (volumeMode !== claimMode) {
      reject(volume, BindingMismatch.VOLUME_MODE, `is a ${volumeMode} volume, the claim asks for ${claimMode}`);
      continue;
    }
    if (reservedForClaim) {
      // The controller takes a pre-bound volume without comparing class or selector.
      candidates.push({ volume, reserved: true });
      continue;
    }
    const unmatched = Object.entries(claim.selector ?? {}).filter(([k, v]) => volume.labels?.[k] !== v);
    if (unmatched.length > 0) {
      reject(volume, BindingMismatch.SELECTOR, `labels do not match the selector (${unmatched.map(([k, v]) => `${k}=${v}`).join(', ')})`);
      continue;
    }
    const volumeClass = volume.storageClassName ?? '';
    if (volumeClass !== storageClass) {
      reject(volume, BindingMismatch.STORAGE_CLASS, `has class ${show(volumeClass)}, the claim asks for ${show(storageClass)}${explicit === undefined && storageClass !== '' ? ' (the default StorageClass it gets for setting no class)' : ''}`);
      continue;
    }
    candidates.push({ volume, reserved: false });
  }

  const best = pick(candidates);
  if (best) {
    taken.set(best.name, `${namespace}/${claim.name}`);
    return { claim: claim.name, namespace, storageClass, volume: best.name, rejections: [] };
  }
  const reason = volumes.length === 0
    ? 'there are no PersistentVolumes to bind'
    : `no PersistentVolume fits: ${rejections.map((r) => `${r.volume} ${r.detail}`).join('; ')}`;
  return { claim: claim.name, namespace, storageClass, reason, rejections };
}

/**
 * The controller's choice (`findByClaim`): it searches its access-mode index one exact mode set at a
 * time, fewest modes first, and takes from the first set with a fit the volume pre-bound to the claim,
 * else the smallest. So a pre-bound volume with more modes loses to a fitting volume with fewer.
 */
function pick(candidates: Array<{ volume: BindableVolume; reserved: boolean }>): BindableVolume | undefined {
  const groups = new Map<string, Array<{ volume: BindableVolume; reserved: boolean }>>();
  for (const c of candidates) {
    const key = [...c.volume.accessModes].sort().join(',');
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  // Stable sort: sets of equal size keep the order of their first volume (the controller's order is arbitrary there).
  const first = [...groups.values()].sort((a, b) => a[0].volume.accessModes.length - b[0].volume.accessModes.length)[0];
  if (!first) return undefined;
  const reserved = first.find((c) => c.reserved);
  if (reserved) return reserved.volume;
  return first.reduce((min, c) => (parseQuantity(c.volume.capacity) < parseQuantity(min.volume.capacity) ? c : min)).volume;
}

function show(storageClass: string): string {
  return storageClass === '' ? '"" (none)' : JSON.stringify(storageClass);
}
