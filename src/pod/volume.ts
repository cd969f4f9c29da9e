// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { ensureKeyHeld, resourceName } from './resource-ref';
import {
  absolutePath, configMapKey, dnsLabel, dnsSubdomain, ensure, ensureOptional, intInRange, nonNegativeQuantity, oneOf, relativePath,
  renderedQuantity, Where,
} from '../kubernetes/validation';

/** Options of an emptyDir volume. */
export interface EmptyDirOptions {
  /** Back the directory with RAM (`Memory`) instead of node disk. @default - node disk */
  readonly memory?: boolean;
  /** Size limit as a Kubernetes quantity. @default - no limit */
  readonly sizeLimit?: string;
}

/** Options of a ConfigMap volume. */
export interface PodConfigMapVolumeOptions {
  /** Name of the ConfigMap. */
  readonly configMapName: string;
  /** Keys to project, key -> relative path. @default - every key, at a path named after it */
  readonly items?: Record<string, string>;
  /** File mode bits (octal 0644 is 420). @default 420 */
  readonly defaultMode?: number;
}

/** Options of a Secret volume. */
export interface PodSecretVolumeOptions {
  /** Name of the Secret. */
  readonly secretName: string;
  /** Keys to project, key -> relative path. @default - every key */
  readonly items?: Record<string, string>;
  /** File mode bits. @default 420 */
  readonly defaultMode?: number;
}

/** Options of a PersistentVolumeClaim volume. */
export interface ClaimVolumeOptions {
  /** Name of an existing PersistentVolumeClaim in the pod's namespace. */
  readonly claimName: string;
  /** Mount the claim read-only. @default false */
  readonly readOnly?: boolean;
}

/** Options of a hostPath volume. */
export interface HostPathOptions {
  /**
   * Why containers may mount this path writable when it is sensitive (`/`, `/etc`, `/proc`, `/sys`,
   * `/dev`, `/var/lib/kubelet`, the container runtime's socket, ...): such a mount lets the pod change
   * the node. At least 10 characters, not a placeholder; kept as an annotation on the pods.
   * @default - sensitive paths may only be mounted read-only
   */
  readonly reason?: string;
}

/** Which keys of a Secret or ConfigMap a volume shows, and with what file mode. */
export interface KeyProjectionOptions {
  /** Keys to project, key -> relative path. @default - every key, at a path named after it */
  readonly items?: Record<string, string>;
  /** File mode bits (octal 0644 is 420). @default 420 */
  readonly defaultMode?: number;
}

/** Options of a volume over a claim object. */
export interface ClaimObjectVolumeOptions {
  /** Mount the claim read-only. @default false */
  readonly readOnly?: boolean;
}

/** How kubelet checks a host path before mounting it. */
export enum HostPathType {
  /** No check (Kubernetes' default). */
  UNSET = '',
  /** A directory that must exist. */
  DIRECTORY = 'Directory',
  /** A directory, created (0755) if missing. */
  DIRECTORY_OR_CREATE = 'DirectoryOrCreate',
  /** A file that must exist. */
  FILE = 'File',
  /** A file, created (0644) if missing. */
  FILE_OR_CREATE = 'FileOrCreate',
  /** A UNIX socket that must exist. */
  SOCKET = 'Socket',
}

type VolumeSource =
  | { readonly kind: 'emptyDir'; readonly options: EmptyDirOptions }
  | { readonly kind: 'configMap'; readonly options: PodConfigMapVolumeOptions; readonly object?: kplus.IConfigMap }
  | { readonly kind: 'secret'; readonly options: PodSecretVolumeOptions; readonly object?: kplus.ISecret }
  | { readonly kind: 'claim'; readonly options: ClaimVolumeOptions; readonly object?: kplus.IPersistentVolumeClaim }
  | { readonly kind: 'hostPath'; readonly path: string; readonly type: HostPathType; readonly reason?: string };

/** A volume of a pod, mounted into containers by name. */
export class PodVolume {
  /** Scratch space that lives as long as the pod (also how read-only-root images get writable paths). */
  public static emptyDir(name: string, options: EmptyDirOptions = {}): PodVolume {
    return new PodVolume(name, { kind: 'emptyDir', options });
  }

  /** Files from a ConfigMap. */
  public static fromConfigMapName(name: string, options: PodConfigMapVolumeOptions): PodVolume {
    return new PodVolume(name, { kind: 'configMap', options });
  }

  /** Files from a Secret. */
  public static fromSecretName(name: string, options: PodSecretVolumeOptions): PodVolume {
    return new PodVolume(name, { kind: 'secret', options });
  }

  /** An existing PersistentVolumeClaim. */
  public static fromClaimName(name: string, options: ClaimVolumeOptions): PodVolume {
    return new PodVolume(name, { kind: 'claim', options });
  }

  /** Files from a ConfigMap of the app (`kplus.ConfigMap`, or `kplus.ConfigMap.fromConfigMapName()`). */
  public static fromConfigMap(name: string, configMap: kplus.IConfigMap, options: KeyProjectionOptions = {}): PodVolume {
    return new PodVolume(name, { kind: 'configMap', options: { ...options, configMapName: configMap.name }, object: configMap });
  }

  /** Files from a Secret of the app (`kplus.Secret`, or `kplus.Secret.fromSecretName()`). */
  public static fromSecret(name: string, secret: kplus.ISecret, options: KeyProjectionOptions = {}): PodVolume {
    return new PodVolume(name, { kind: 'secret', options: { ...options, secretName: secret.name }, object: secret });
  }

  /** A PersistentVolumeClaim of the app (`kplus.PersistentVolumeClaim`, or `fromClaimName()`). */
  public static fromClaim(name: string, claim: kplus.IPersistentVolumeClaim, options: ClaimObjectVolumeOptions = {}): PodVolume {
    return new PodVolume(name, { kind: 'claim', options: { ...options, claimName: claim.name }, object: claim });
  }

  /**
   * A directory or file of the node. Only constructs that opt in to host access accept it
   * (`NodeAgent`); elsewhere it is rejected.
   */
  public static hostPath(name: string, path: string, pathType: HostPathType = HostPathType.UNSET, options: HostPathOptions = {}): PodVolume {
    return new PodVolume(name, { kind: 'hostPath', path, type: pathType, reason: options.reason });
  }

  private constructor(
    /** The volume name containers mount. */
    public readonly name: string,
    private readonly source: VolumeSource,
  ) {}

  /** The host path, for hostPath volumes. */
  public get hostDirectory(): string | undefined {
    return this.source.kind === 'hostPath' ? this.source.path : undefined;
  }

  /** Why containers may write this host path, for hostPath volumes given one. */
  public get hostPathReason(): string | undefined {
    return this.source.kind === 'hostPath' ? this.source.reason : undefined;
  }

  /** @internal */
  public _render(where: Where, field: string): k8s.Volume {
    ensure(where, `${field}.name`, this.name, dnsLabel);
    const s = this.source;
    switch (s.kind) {
      case 'emptyDir':
        ensureOptional(where, `${field}.sizeLimit`, s.options.sizeLimit, nonNegativeQuantity);
        return {
          name: this.name,
          emptyDir: {
            medium: s.options.memory ? 'Memory' : undefined,
            sizeLimit: s.options.sizeLimit ? k8s.Quantity.fromString(renderedQuantity(s.options.sizeLimit)) : undefined,
          },
        };
      case 'configMap':
        if (s.object) resourceName(where, `${field}.configMap`, s.object, 'ConfigMap');
        Object.keys(s.options.items ?? {}).forEach((key) => ensureKeyHeld(where, `${field}.items`, s.object, key, 'ConfigMap'));
        return { name: this.name, configMap: { name: s.options.configMapName, ...projection(where, field, 'configMapName', s.options.configMapName, s.options) } };
      case 'secret':
        if (s.object) resourceName(where, `${field}.secret`, s.object, 'Secret');
        Object.keys(s.options.items ?? {}).forEach((key) => ensureKeyHeld(where, `${field}.items`, s.object, key, 'Secret'));
        return { name: this.name, secret: { secretName: s.options.secretName, ...projection(where, field, 'secretName', s.options.secretName, s.options) } };
      case 'claim':
        if (s.object) resourceName(where, `${field}.claim`, s.object, 'PersistentVolumeClaim');
        ensure(where, `${field}.claimName`, s.options.claimName, dnsSubdomain);
        return { name: this.name, persistentVolumeClaim: { claimName: s.options.claimName, readOnly: s.options.readOnly } };
      case 'hostPath':
        ensure(where, `${field}.path`, s.path, absolutePath);
        ensure(where, `${field}.type`, s.type, oneOf(HostPathType));
        return { name: this.name, hostPath: { path: s.path, type: s.type || undefined } };
    }
  }
}

/** The checked object name, file mode and projected keys of a ConfigMap or Secret volume. */
function projection(where: Where, field: string, nameField: string, name: string, options: KeyProjectionOptions & { readonly defaultMode?: number }) {
  ensure(where, `${field}.${nameField}`, name, dnsSubdomain);
  ensureOptional(where, `${field}.defaultMode`, options.defaultMode, intInRange(0, 0o777));
  return { items: keyPaths(where, `${field}.items`, options.items), defaultMode: options.defaultMode };
}

function keyPaths(where: Where, field: string, items: Record<string, string> | undefined): k8s.KeyToPath[] | undefined {
  if (!items) return undefined;
  return Object.entries(items).map(([key, path]) => {
    ensure(where, `${field} key`, key, configMapKey);
    ensure(where, `${field}["${key}"]`, path, relativePath);
    return { key, path };
  });
}
