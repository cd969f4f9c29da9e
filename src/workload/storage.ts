// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { IConstruct } from 'constructs';
import { invalid, Where } from '../kubernetes/validation';

/** How a volume can be mounted (PersistentVolume and claim access modes). */
export enum AccessMode {
  /** Read-write by one node. */
  READ_WRITE_ONCE = 'ReadWriteOnce',
  /** Read-only by many nodes. */
  READ_ONLY_MANY = 'ReadOnlyMany',
  /** Read-write by many nodes. */
  READ_WRITE_MANY = 'ReadWriteMany',
  /** Read-write by one pod (Kubernetes 1.27+ GA for CSI volumes). */
  READ_WRITE_ONCE_POD = 'ReadWriteOncePod',
}

/** Whether a volume is a filesystem or a raw block device. */
export enum VolumeMode {
  FILESYSTEM = 'Filesystem',
  BLOCK = 'Block',
}

/**
 * The legacy annotation that still acts as a claim's storage class (the tutorial uses it). The PV
 * controller reads it before `spec.storageClassName`.
 */
export const LEGACY_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/**
 * A PersistentVolumeClaim as the PV controller sees it when binding. StatefulApp exposes one per
 * claim template and replica (`myappdata-myapp-0`, ...); NfsVolumeSet checks them against its volumes.
 */
export interface ClaimRequest {
  /** Claim name, e.g. `myappdata-myapp-0`. */
  readonly name: string;
  /** Namespace of the claim. @default - the chart's namespace */
  readonly namespace?: string;
  /** Requested size, a Kubernetes quantity (`2Gi`). */
  readonly storage: string;
  /** Requested access modes. */
  readonly accessModes: AccessMode[];
  /**
   * `spec.storageClassName`. Unset (`undefined`) lets a default StorageClass take the claim;
   * the empty string asks for a volume without a class.
   * @default - unset
   */
  readonly storageClassName?: string;
  /** Claim annotations (the legacy storage-class annotation counts as the class). @default - none */
  readonly annotations?: Record<string, string>;
  /** `spec.selector.matchLabels`: only volumes with these labels bind. @default - any volume */
  readonly selector?: Record<string, string>;
  /** A filesystem or a raw block device. @default VolumeMode.FILESYSTEM */
  readonly volumeMode?: VolumeMode;
}

const KNOWN_MODES = new Set<string>(Object.values(AccessMode));

/**
 * Access modes as the API server accepts them on claims, claim templates and volumes: at least one,
 * each known, none twice, and ReadWriteOncePod alone.
 * @internal
 */
export function ensureAccessModes(where: Where, field: string, modes: AccessMode[] | undefined): void {
  if (!modes || modes.length === 0) {
    invalid(where, field, modes, 'needs at least one access mode', 'use e.g. [AccessMode.READ_WRITE_ONCE]');
    return;
  }
  modes.forEach((m, i) => {
    if (!KNOWN_MODES.has(m)) {
      invalid(where, `${field}[${i}]`, m, `is not an access mode (${[...KNOWN_MODES].join(', ')})`, 'use an AccessMode value');
    }
    if (modes.indexOf(m) !== i) invalid(where, `${field}[${i}]`, m, 'is listed twice', 'remove the duplicate');
  });
  if (modes.includes(AccessMode.READ_WRITE_ONCE_POD) && modes.length > 1) {
    invalid(where, field, modes, 'ReadWriteOncePod may not be combined with other access modes', 'use [AccessMode.READ_WRITE_ONCE_POD] alone');
  }
}

const CLAIMS = new WeakMap<IConstruct, readonly ClaimRequest[]>();

/** Remembers the claims a construct makes (a StatefulApp's templates), for the volume sets that serve them. @internal */
export function recordClaims(owner: IConstruct, claims: readonly ClaimRequest[]): void {
  CLAIMS.set(owner, claims);
}

/** The claims a construct recorded with {@link recordClaims}. @internal */
export function recordedClaims(owner: IConstruct): readonly ClaimRequest[] {
  return CLAIMS.get(owner) ?? [];
}
