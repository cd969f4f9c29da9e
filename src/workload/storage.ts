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
  /** @default - the chart's namespace */
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
  /** @default VolumeMode.FILESYSTEM */
  readonly volumeMode?: VolumeMode;
}
