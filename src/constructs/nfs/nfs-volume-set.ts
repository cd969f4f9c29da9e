// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { ExportEntry, NfsExportClient, renderExports, resolveExportClients } from './exports';
import { BindableVolume, BindingCheckOptions, BindingResult, checkClaim, claimClass, VolumeBinding, VolumeClaimRef } from './volume-binding';
import { reasonAnnotationKey } from '../../kubernetes/metadata-keys';
import {
  addLibraryValidation, renderedQuantity, check, dnsLabel, dnsSubdomain, ensure, ensureAnnotations, ensureEach,
  ensureLabels, ensureManagedLabelsKept, ensureOptional, fail, intInRange, invalid, ipAddress, nfsPath, nonEmptyMap,
  oneOf, positiveQuantity, recordedProblems, Rule, Where,
} from '../../kubernetes/validation';
import { addAppChecks, AppIndex, pushTo } from '../../workload/app-index';
import { clusterScoped } from '../../workload/cluster-scoped';
import { MANAGED_BY, MANAGED_BY_LABEL, managedByLabel, namespaceOf } from '../../workload/identity';
import { AccessMode, ClaimRequest, ensureAccessModes, recordedClaims, VolumeMode } from '../../workload/storage';

/** What happens to an NFS PersistentVolume when its claim is deleted. */
export enum NfsReclaimPolicy {
  /** Keep the volume and its data; an admin clears `claimRef` to reuse it (Kubernetes' default for static volumes). */
  RETAIN = 'Retain',
  /**
   * Scrub the directory (`rm -rf` by a recycler pod) and make the volume Available again. Deprecated
   * upstream but still supported for NFS.
   */
  RECYCLE = 'Recycle',
}

/** When claims of a StorageClass bind. */
export enum VolumeBindingMode {
  /** Wait until a pod uses the claim, so the scheduler binds with the pod's node in mind. */
  WAIT_FOR_FIRST_CONSUMER = 'WaitForFirstConsumer',
  /** Bind as soon as the claim exists. */
  IMMEDIATE = 'Immediate',
}

/**
 * Settings of NFS volumes: on the set they are defaults for every volume; on a volume (or a numbered
 * volume's override) they replace the set's, except `labels`, which are merged.
 */
export interface NfsSetVolumeOptions {
  /** NFS server: host name or IP address. @default - the set's; one of the two is required */
  readonly server?: string;
  /** Size, any Kubernetes quantity (`500Mi`, `2Gi`). @default - the set's; one of the two is required */
  readonly capacity?: string;
  /** Access modes. @default - the set's, else [AccessMode.READ_WRITE_ONCE] */
  readonly accessModes?: AccessMode[];
  /** What happens to the volume when its claim is deleted. @default - the set's, else NfsReclaimPolicy.RETAIN */
  readonly reclaimPolicy?: NfsReclaimPolicy;
  /**
   * Mount options (`nfsvers=4.1`, `hard`). Kubernetes does not check them: a typo only shows when a
   * pod fails to mount. Nodes need the NFS client tools (`nfs-common` / `nfs-utils`).
   * @default - the set's, else none
   */
  readonly mountOptions?: string[];
  /** Mount read-only (`spec.nfs.readOnly`). @default - the set's, else false */
  readonly readOnly?: boolean;
  /**
   * `spec.storageClassName`: claims bind only volumes of their own class. `""` means no class.
   * @default - the set's, else no class
   */
  readonly storageClassName?: string;
  /**
   * `spec.volumeMode`. NFS is a filesystem: `VolumeMode.BLOCK` is rejected.
   * @default - the set's, else Kubernetes' default (Filesystem, left unset)
   */
  readonly volumeMode?: VolumeMode;
  /** Labels (merged over the set's), for claim selectors. @default - none */
  readonly labels?: Record<string, string>;
  /**
   * Clients of the server's `/etc/exports` line for the volume (see {@link NfsVolumeSet.exportsFile}).
   * @default - the set's; required only for the exports file
   */
  readonly exports?: NfsExportClient[];
}

/** A claim a volume is reserved for (`spec.claimRef` on the PV, `spec.volumeName` on the claim). */
export interface NfsPreboundClaim {
  /** Claim name. */
  readonly name: string;
  /** Namespace of the claim. @default - the chart's namespace, else "default" */
  readonly namespace?: string;
  /**
   * Also render the claim (requesting the whole volume with its modes and class). `false` when the
   * claim comes from elsewhere, e.g. a StatefulApp's `myappdata-myapp-0`.
   * @default true
   */
  readonly render?: boolean;
}

/** Per-volume settings beyond the shared ones. */
export interface NfsVolumeOverride extends NfsSetVolumeOptions {
  /** Reserve the volume for one claim (one-to-one binding). @default - any matching claim may bind */
  readonly claim?: NfsPreboundClaim;
  /**
   * The export path is deliberately shared with other volumes on the same server (all of them must
   * say so); otherwise a repeated path is an error, since two volumes would write into one directory.
   * @default false
   */
  readonly sharedExport?: boolean;
}

/** One NFS PersistentVolume. */
export interface NfsVolumeProps extends NfsVolumeOverride {
  /** PersistentVolume name (DNS-1123 subdomain). */
  readonly name: string;
  /** Absolute export path on the server. */
  readonly path: string;
}

/**
 * Numbered volumes such as the tutorial's `pv001`..`pv005` over `/data/volumes/v1`..`v5`.
 * Formats take one `%d` (optionally zero-padded: `%03d`) for the number.
 */
export interface NumberedNfsVolumes {
  /** How many volumes. */
  readonly count: number;
  /** The first number. @default 1 */
  readonly start?: number;
  /** Volume names. @default "pv%03d" */
  readonly nameFormat?: string;
  /** Export paths, e.g. `/data/volumes/v%d`. */
  readonly pathFormat: string;
  /**
   * Per-volume settings, keyed by volume name (`pv002`) or number (`2`).
   * @default - none
   */
  readonly overrides?: Record<string, NfsVolumeOverride>;
}

/** The StorageClass of a set, so claims can target its volumes by class. */
export interface NfsStorageClassOptions {
  /**
   * Name of the class. The set's volumes get it as their `storageClassName` unless the set names
   * one; the two must agree.
   * @default - the set's `storageClassName`
   */
  readonly name?: string;
  /** When claims of the class bind to a volume. @default VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER */
  readonly volumeBindingMode?: VolumeBindingMode;
  /** Annotations of the StorageClass. @default - none */
  readonly annotations?: Record<string, string>;
}

/** Props of an {@link NfsVolumeSet}. */
export interface NfsVolumeSetProps extends NfsSetVolumeOptions {
  /** Volumes listed one by one. @default - none */
  readonly volumes?: NfsVolumeProps[];
  /** Numbered volumes, rendered before `volumes`. @default - none */
  readonly numbered?: NumberedNfsVolumes;
  /**
   * Also render a StorageClass (`kubernetes.io/no-provisioner`: it never creates volumes, it only
   * names the class) with the set's reclaim policy.
   * @default - none
   */
  readonly storageClass?: NfsStorageClassOptions;
}

/** A volume of a set, as rendered. */
export interface NfsVolume extends BindableVolume {
  /** NFS server. */
  readonly server: string;
  /** Export path. */
  readonly path: string;
  /** `spec.persistentVolumeReclaimPolicy`. */
  readonly reclaimPolicy: NfsReclaimPolicy;
  /** `spec.mountOptions` (empty: none rendered). */
  readonly mountOptions: string[];
  /** `spec.nfs.readOnly`. */
  readonly readOnly: boolean;
  /** Clients of the exports file, options filled in. @default - none configured */
  readonly exports?: NfsExportClient[];
  /** The export path is deliberately shared. */
  readonly sharedExport: boolean;
}

const NFS_VOLUME_SET = Symbol.for('cdk8s-workloads.NfsVolumeSet');
const NFS_SETS = Symbol('NfsVolumeSet.all');
const EXPORTS = Symbol('NfsVolumeSet.exports');
// A host name as exports(5) and mount.nfs take it, or an IP address.
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const MOUNT_OPTION = /^[A-Za-z0-9_.-]+(=[^\s,]+)?$/;

/**
 * Static NFS PersistentVolumes, the server's `/etc/exports` for them, and a binding check.
 *
 * PersistentVolumes are cluster-scoped: they never carry the chart's namespace. Names, paths and
 * settings are validated when a volume is added; duplicate PV names and export paths across the app
 * are reported at synthesis.
 *
 * @example
 * const nfs = new NfsVolumeSet(chart, 'nfs', {
 *   server: 'stor01',
 *   capacity: '2Gi',
 *   accessModes: [AccessMode.READ_WRITE_MANY, AccessMode.READ_WRITE_ONCE],
 *   exports: [{ cidr: '192.168.41.0/24' }],
 *   numbered: { count: 5, pathFormat: '/data/volumes/v%d', overrides: { pv001: { capacity: '1Gi' } } },
 * });
 */
export class NfsVolumeSet extends Construct {
  /** True for an NfsVolumeSet, across copies of this library. */
  public static isNfsVolumeSet(x: any): x is NfsVolumeSet {
    return typeof x === 'object' && x !== null && NFS_VOLUME_SET in x;
  }

  /**
   * The `/etc/exports` text for `server` over several sets (paths shared by volumes merged into one
   * line). See {@link NfsVolumeSet.exportsFile}.
   */
  public static exportsFileFor(server: string, sets: NfsVolumeSet[]): string {
    ensure('NfsVolumeSet.exportsFileFor', 'server', server, hostRule);
    return renderExports(server, sets.flatMap((s) => s._exportEntries(server)));
  }

  /** The StorageClass, when the set has one. */
  public readonly storageClass?: k8s.KubeStorageClass;

  private readonly defaults: NfsSetVolumeOptions;
  private readonly _volumes: NfsVolume[] = [];
  /** Claims checkBinding() was given (`namespace/name`): the automatic check leaves them to it. */
  private readonly checkedClaims = new Set<string>();
  private readonly _persistentVolumes: k8s.KubePersistentVolume[] = [];
  private readonly _claims: k8s.KubePersistentVolumeClaim[] = [];

  constructor(scope: Construct, id: string, props: NfsVolumeSetProps = {}) {
    super(scope, id);
    addAppChecks(this, (index) => this.exportClashes(index), (index) => this.claimsOnOwnClasses(index));
    Object.defineProperty(this, NFS_VOLUME_SET, { value: true });
    const checked = checkOptions(this, '', props);
    const sc = props.storageClass;
    const className = sc && ensure(this, 'storageClass.name', sc.name ?? props.storageClassName ?? '', (v) => v === ''
      ? { reason: 'a StorageClass needs a name', fix: 'set storageClassName on the set or storageClass.name' }
      : dnsSubdomain(v));
    if (sc?.name !== undefined && props.storageClassName !== undefined && props.storageClassName !== sc.name) {
      invalid(this, 'storageClass.name', sc.name, `differs from the set's storageClassName "${props.storageClassName}", so the StorageClass would name none of the set's volumes`,
        'give both the same name, or set only one of them');
    }
    // The set's volumes carry the class of the set's StorageClass, or claims of that class would never bind them.
    this.defaults = { ...checked, storageClassName: props.storageClassName ?? className };

    // The class first, so it is applied before the volumes that name it.
    if (sc && className !== undefined) {
      const name = className;
      ensureAnnotations(this, 'storageClass.annotations', sc.annotations);
      ensureOptional(this, 'storageClass.volumeBindingMode', sc.volumeBindingMode, oneOf(VolumeBindingMode));
      const reclaimPolicy = props.reclaimPolicy ?? NfsReclaimPolicy.RETAIN;
      if (reclaimPolicy !== NfsReclaimPolicy.RETAIN) {
        invalid(this, 'reclaimPolicy', reclaimPolicy, 'a StorageClass takes Retain or Delete, not Recycle', 'set Recycle on the volumes and Retain on the set, or drop storageClass');
      }
      this.storageClass = clusterScoped(new k8s.KubeStorageClass(this, 'StorageClass', {
        metadata: { name, labels: this.labelsFor(undefined), annotations: nonEmptyMap(sc.annotations) },
        provisioner: 'kubernetes.io/no-provisioner',
        reclaimPolicy,
        volumeBindingMode: sc.volumeBindingMode ?? VolumeBindingMode.WAIT_FOR_FIRST_CONSUMER,
      }));
    }

    if (props.numbered) {
      for (const volume of expandNumbered(this, props.numbered)) this.addVolume(volume);
    }
    ensureEach('volumes', props.volumes, (v) => this.addVolume(v));

  }

  /** The volumes, in the order they were added. */
  public get volumes(): NfsVolume[] {
    return [...this._volumes];
  }

  /** The rendered PersistentVolumes, in the order of `volumes`. */
  public get persistentVolumes(): k8s.KubePersistentVolume[] {
    return [...this._persistentVolumes];
  }

  /** The rendered pre-bound claims. */
  public get claims(): k8s.KubePersistentVolumeClaim[] {
    return [...this._claims];
  }

  /** The servers the volumes live on, in order of first use. */
  public get servers(): string[] {
    return [...new Set(this._volumes.map((v) => v.server))];
  }

  /** Adds a volume; throws on invalid or duplicate input. */
  public addVolume(props: NfsVolumeProps): NfsVolume {
    const f = `volumes["${props.name}"]`;
    const name = props.name;
    const nameOk = check(this, 'volumes[].name', name, dnsSubdomain);
    ensure(this, `${f}.path`, props.path, nfsPath, normalPath);
    const own = checkOptions(this, `${f}.`, props);
    const merged: NfsSetVolumeOptions = { ...this.defaults, ...stripUndefined(own) };
    const server = ensure(this, `${f}.server`, merged.server ?? '', (v) => v === ''
      ? { reason: 'every volume needs an NFS server', fix: 'set server on the set or the volume, e.g. "stor01"' }
      : undefined);
    const capacity = ensure(this, `${f}.capacity`, merged.capacity ?? '', (v) => v === ''
      ? { reason: 'every volume needs a capacity', fix: 'set capacity on the set or the volume, e.g. "2Gi"' }
      : undefined);

    const clash = this._volumes.find((v) => v.name === name);
    if (clash) {
      invalid(this, `${f}.name`, name, 'is already a volume of this set (PersistentVolume names are cluster-wide)', 'give each volume its own name');
      return clash;
    }
    const sharedExport = props.sharedExport ?? false;
    const samePath = this._volumes.find((v) => exportsClash(v, { server, path: props.path, sharedExport }));
    if (samePath) {
      invalid(this, `${f}.path`, props.path, `is already exported for ${samePath.name} on ${server}, so both volumes would write into one directory`, 'give each volume its own directory, or set sharedExport on both if they are meant to share it');
    }

    const claimRef = props.claim ? this.claimRefFor(`${f}.claim`, props.claim) : undefined;
    const storageClassName = merged.storageClassName === '' ? undefined : merged.storageClassName;
    const labels = { ...this.defaults.labels, ...own.labels };
    const volume: NfsVolume = {
      name,
      server,
      path: props.path,
      capacity,
      accessModes: [...(merged.accessModes ?? [AccessMode.READ_WRITE_ONCE])],
      reclaimPolicy: merged.reclaimPolicy ?? NfsReclaimPolicy.RETAIN,
      mountOptions: [...(merged.mountOptions ?? [])],
      readOnly: merged.readOnly ?? false,
      storageClassName,
      volumeMode: merged.volumeMode,
      labels: this.labelsFor(labels),
      claimRef,
      exports: merged.exports,
      sharedExport,
    };

    // Without a valid name there is no PersistentVolume to build (its name is also its construct id).
    if (!nameOk) return volume;
    this.renderVolume(volume, props.claim?.render ?? true);
    return volume;
  }

  /** The volume's PersistentVolume and, when it is pre-bound and wanted, its claim. */
  private renderVolume(volume: NfsVolume, renderClaim: boolean): void {
    const { name, server, capacity, storageClassName, claimRef } = volume;
    // Why a risky export (open to everyone, root kept for a wide range) is there travels with the volume.
    const reasons = Object.fromEntries((volume.exports ?? []).flatMap((c, i) => c.reason === undefined ? [] : [[
      reasonAnnotationKey(`nfs-export.${i}`), `${c.cidr}(${(c.options ?? []).join(',')}): ${c.reason}`,
    ]]));
    const pv = clusterScoped(new k8s.KubePersistentVolume(this, name, {
      metadata: { name, labels: volume.labels, annotations: Object.keys(reasons).length > 0 ? reasons : undefined },
      spec: {
        capacity: { storage: k8s.Quantity.fromString(renderedQuantity(capacity)) },
        accessModes: volume.accessModes,
        persistentVolumeReclaimPolicy: volume.reclaimPolicy,
        storageClassName,
        volumeMode: volume.volumeMode,
        mountOptions: volume.mountOptions.length > 0 ? volume.mountOptions : undefined,
        nfs: { server, path: volume.path, readOnly: volume.readOnly ? true : undefined },
        claimRef: claimRef ? { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: claimRef.name, namespace: claimRef.namespace } : undefined,
      },
    }));
    this._volumes.push(volume);
    this._persistentVolumes.push(pv);

    if (claimRef && renderClaim) {
      this._claims.push(new k8s.KubePersistentVolumeClaim(this, `${name}-claim`, {
        metadata: { name: claimRef.name, namespace: claimRef.namespace, labels: this.labelsFor(undefined) },
        spec: {
          volumeName: name,
          accessModes: volume.accessModes,
          resources: { requests: { storage: k8s.Quantity.fromString(renderedQuantity(capacity)) } },
          // "" rather than unset: the default StorageClass would otherwise take the claim, and the
          // controller then refuses the class-less volume it names.
          storageClassName: storageClassName ?? '',
          volumeMode: volume.volumeMode,
        },
      }));
    }
  }

  /**
   * The server's `/etc/exports` text for this set: one line per export path, in the order the volumes
   * were added, e.g. `/data/volumes/v1 192.168.41.0/24(rw,no_root_squash)`. Deterministic, so it can
   * be committed and diffed. Write it to the server and run `exportfs -ra`.
   *
   * Keep `no_root_squash` (the default) for volumes pods write as root: with `root_squash` the server
   * maps root to `nobody`, and `chown` in the pod fails.
   *
   * @param server the server to render for
   * @default - the set's only server; required when the set uses several
   */
  public exportsFile(server?: string): string {
    const servers = this.servers;
    if (server === undefined && servers.length !== 1) {
      fail(this, 'exportsFile(server)', server, `the set uses ${servers.length === 0 ? 'no servers' : `several servers (${servers.join(', ')})`}`, 'name the server to render for');
    }
    return NfsVolumeSet.exportsFileFor(server ?? servers[0], [this]);
  }

  /** Which volume of this set each claim binds to (see {@link VolumeBinding.simulate}). */
  public simulateBinding(claims: ClaimRequest[], options: BindingCheckOptions = {}): BindingResult {
    // Bad claims are the caller's input: reported at this set's path, not inside VolumeBinding.
    ensureEach('claims', claims, (c, f) => checkClaim(this.node.path, f, c));
    return VolumeBinding.simulate(claims, this._volumes, { defaultNamespace: namespaceOf(this), ...options });
  }

  /**
   * Fails synthesis when one of `claims` would stay Pending against this set's volumes, naming each
   * claim and why every volume refuses it.
   */
  public checkBinding(claims: ClaimRequest[], options: BindingCheckOptions = {}): void {
    const before = recordedProblems(this).length;
    ensureEach('checkBinding(claims)', claims, (c, f) => checkClaim(this, f, c));
    for (const c of Array.isArray(claims) ? claims : []) this.checkedClaims.add(`${c?.namespace ?? namespaceOf(this)}/${c?.name}`);
    if (recordedProblems(this).length > before) return; // reported at synthesis, with this set's path
    addLibraryValidation(this, 'APP_CONFLICT', () => VolumeBinding.describeUnbound(this.simulateBinding(claims, options)));
  }

  /** @internal */
  public _exportEntries(server: string): ExportEntry[] {
    return this._volumes
      .filter((v) => sameServer(v.server, server))
      .map((v) => ({ path: v.path, clients: v.exports, owner: `${this.node.path} volume ${v.name}` }));
  }

  private claimRefFor(field: string, claim: NfsPreboundClaim): VolumeClaimRef {
    ensure(this, `${field}.name`, claim.name, dnsSubdomain);
    // The namespace the claim lands in, given or the chart's, is checked either way.
    const namespace = claim.namespace ?? namespaceOf(this);
    ensure(this, claim.namespace !== undefined ? `${field}.namespace` : `${field}.namespace (from the chart)`, namespace, dnsLabel);
    return { name: claim.name, namespace };
  }

  private labelsFor(labels: Record<string, string> | undefined): Record<string, string> {
    return { ...this.defaults.labels, ...labels, [MANAGED_BY_LABEL]: MANAGED_BY };
  }

  /**
   * Export paths must be unique across the whole app, not only this set (duplicate PersistentVolume
   * names are found by the app-wide duplicate check). One view of every set per synthesis.
   */
  /**
   * Claims of the app's StatefulApps on a storage class this set's volumes carry are checked whether or not
   * checkBinding() was called: a claim that no volume of the class can take stays Pending, and that should not be
   * found on the cluster. Volumes of every set with the class count; the first such set reports.
   */
  private claimsOnOwnClasses(index: AppIndex): string[] {
    const classes = new Set(this._volumes.map((v) => v.storageClassName).filter((c): c is string => typeof c === 'string' && c !== ''));
    if (classes.size === 0) return [];
    const sets = index.constructsOf(NFS_SETS, (c: IConstruct): c is NfsVolumeSet => NfsVolumeSet.isNfsVolumeSet(c));
    const problems: string[] = [];
    for (const cls of classes) {
      const serving = sets.filter((s) => s._volumes.some((v) => v.storageClassName === cls));
      if (serving[0] !== this) continue;
      const claims = index.constructs.flatMap((c) => recordedClaims(c))
        .filter((c) => claimClass(c) === cls && !serving.some((s) => s.checkedClaims.has(`${c.namespace ?? namespaceOf(s)}/${c.name}`)));
      if (claims.length === 0) continue;
      const volumes = serving.flatMap((s) => s._volumes.filter((v) => v.storageClassName === cls));
      const result = VolumeBinding.simulate(claims, volumes, { defaultNamespace: namespaceOf(this) });
      problems.push(...VolumeBinding.describeUnbound(result).map((m) => `${m} (a claim on storage class "${cls}", which this set serves; checked automatically)`));
    }
    return problems;
  }

  private exportClashes(index: AppIndex): string[] {
    const problems: string[] = [];
    const byExport = index.view(EXPORTS, (i) => {
      const map = new Map<string, Array<{ set: NfsVolumeSet; volume: NfsVolume }>>();
      for (const set of i.constructsOf(NFS_SETS, (c: IConstruct): c is NfsVolumeSet => NfsVolumeSet.isNfsVolumeSet(c))) {
        for (const volume of set._volumes) pushTo(map, `${String(volume.server).toLowerCase()}:${volume.path}`, { set, volume });
      }
      return map;
    });
    for (const volume of this._volumes) {
      const clash = (byExport.get(`${String(volume.server).toLowerCase()}:${volume.path}`) ?? [])
        .find((u) => u.set !== this && exportsClash(u.volume, volume));
      if (clash) {
        problems.push(`volume ${volume.name}: export ${volume.server}:${volume.path} is also used by ${clash.set.node.path} volume ${clash.volume.name}; give each its own directory, or set sharedExport on both`);
      }
    }
    return problems;
  }
}

function hostRule(value: string) {
  if (value.trim() === '') return { reason: 'an NFS server is required', fix: 'use a host name or IP address, e.g. "stor01"' };
  if (HOST_NAME.test(value) || !ipAddress(value)) return undefined;
  return { reason: 'is neither a host name nor an IP address', fix: 'use a host name like "stor01" or an address like "192.168.41.10"' };
}

function normalPath(value: string) {
  const normal = value.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return normal === value ? undefined : { reason: 'is not a normalised path (repeated or trailing "/")', fix: `try "${normal}"` };
}

function sameServer(a: string, b: string): boolean {
  return String(a).toLowerCase() === String(b).toLowerCase();
}

/** Two volumes on one directory of one server, not both marked as sharing it. */
function exportsClash(a: Pick<NfsVolume, 'server' | 'path' | 'sharedExport'>, b: Pick<NfsVolume, 'server' | 'path' | 'sharedExport'>): boolean {
  return sameServer(a.server, b.server) && a.path === b.path && !(a.sharedExport && b.sharedExport);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Validates the shared settings wherever they appear; `prefix` is "" on the set, `volumes["x"].` on a volume. */
function checkOptions(where: Where, prefix: string, o: NfsSetVolumeOptions): NfsSetVolumeOptions {
  ensureOptional(where, `${prefix}server`, o.server, hostRule);
  ensureOptional(where, `${prefix}capacity`, o.capacity, positiveQuantity);
  if (o.accessModes !== undefined) ensureAccessModes(where, `${prefix}accessModes`, o.accessModes);
  if (o.reclaimPolicy !== undefined && !Object.values(NfsReclaimPolicy).includes(o.reclaimPolicy)) {
    invalid(where, `${prefix}reclaimPolicy`, o.reclaimPolicy, 'NFS volumes are Retain or Recycle (Kubernetes has no deleter for NFS: a Delete volume goes Failed)', 'use NfsReclaimPolicy.RETAIN');
  }
  ensureEach(`${prefix}mountOptions`, o.mountOptions, (m, f) => ensure(where, f, m, (v) => MOUNT_OPTION.test(v)
    ? undefined
    : { reason: 'must be one mount option (no spaces or commas)', fix: 'give each option as its own entry, e.g. ["nfsvers=4.1", "hard"]' }));
  if (o.storageClassName) ensure(where, `${prefix}storageClassName`, o.storageClassName, dnsSubdomain);
  if (o.volumeMode !== undefined && o.volumeMode !== VolumeMode.FILESYSTEM) {
    invalid(where, `${prefix}volumeMode`, o.volumeMode, 'NFS volumes are filesystems; Kubernetes has no block mode for NFS', 'use VolumeMode.FILESYSTEM or leave it unset');
  }
  ensureLabels(where, `${prefix}labels`, o.labels);
  ensureManagedLabelsKept(where, `${prefix}labels`, o.labels, managedByLabel());
  return { ...o, exports: resolveExportClients(where, `${prefix}exports`, o.exports) };
}

/** Most numbered volumes one set expands to: a typo such as 1e9 should not build a billion objects. */
const MAX_NUMBERED = 10000;

/** `%d` / `%03d` in a format, replaced by `n`. */
function formatNumber(where: Where, field: string, format: string, n: number): string {
  const matches = format.match(/%(0?\d*)d/g) ?? [];
  if (matches.length !== 1 || format.replace(/%(0?\d*)d/, '').includes('%')) {
    invalid(where, field, format, 'needs exactly one number placeholder (%d, or %03d for zero padding) and no other "%"', 'try e.g. "pv%03d" or "/data/volumes/v%d"');
  }
  return format.replace(/%(0?)(\d*)d/, (_, zero: string, width: string) => String(n).padStart(Number(width || 0), zero ? '0' : ' '));
}

function expandNumbered(where: NfsVolumeSet, numbered: NumberedNfsVolumes): NfsVolumeProps[] {
  // Without a valid count and start there are no volumes to build; the error is recorded.
  if (!check(where, 'numbered.count', numbered.count, intInRange(1, MAX_NUMBERED, `use 1 to ${MAX_NUMBERED} volumes`))) return [];
  const start = numbered.start ?? 1;
  if (!check(where, 'numbered.start', start, (v) => Number.isInteger(v) && v >= 0 ? undefined : { reason: 'must be a whole number, 0 or more', fix: 'use e.g. 1' })) return [];
  const nameFormat = numbered.nameFormat ?? 'pv%03d';
  const formatRule: Rule<string> = (v) => typeof v === 'string' ? undefined : { reason: 'must be a format string', fix: 'try e.g. "pv%03d" or "/data/volumes/v%d"' };
  if (!check(where, 'numbered.nameFormat', nameFormat, formatRule) || !check(where, 'numbered.pathFormat', numbered.pathFormat, formatRule)) return [];
  const volumes = Array.from({ length: numbered.count }, (_, i) => start + i).map((n) => ({
    n,
    name: formatNumber(where, 'numbered.nameFormat', nameFormat, n),
    path: formatNumber(where, 'numbered.pathFormat', numbered.pathFormat, n),
  }));
  const overrides = numbered.overrides ?? {};
  for (const key of Object.keys(overrides)) {
    const hits = volumes.filter((v) => v.name === key || String(v.n) === key);
    if (hits.length === 0) {
      invalid(where, 'numbered.overrides', key, `matches no numbered volume (${volumes[0].name}..${volumes[volumes.length - 1].name})`, 'key overrides by volume name or number');
    }
  }
  return volumes.map(({ n, name, path }) => {
    const byNumber = overrides[String(n)];
    const byName = overrides[name];
    if (byNumber && byName && String(n) !== name) {
      invalid(where, 'numbered.overrides', name, `is overridden twice (as "${name}" and "${n}")`, 'keep one of the two keys');
    }
    return { ...(byNumber ?? byName), name, path };
  });
}
