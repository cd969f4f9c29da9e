// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import { k8s } from 'cdk8s-plus-28';
import { capabilityName, ensure, ensureEach, intInRange, invalid, statedReason, Where } from '../kubernetes/validation';

/** The user id non-root containers run as unless told otherwise ("nonroot" in distroless images). */
const DEFAULT_NON_ROOT_USER = 65532;

/** Options for a container that runs as a non-root user (the default). */
export interface NonRootOptions {
  /** User id; must not be 0. @default 65532 */
  readonly user?: number;
  /** Group id. @default - same as `user` */
  readonly group?: number;
  /** Mount the image's root filesystem read-only; give writable paths as emptyDir volumes. @default true */
  readonly readOnlyRootFilesystem?: boolean;
  /** Linux capabilities to add back after dropping ALL, e.g. `NET_BIND_SERVICE`. @default - none */
  readonly addCapabilities?: string[];
}

/** Options for the explicit opt-out for images that must run as root. */
export interface RunAsRootOptions {
  /** Why this image needs root (kept in an annotation on the pod so reviewers see it). */
  readonly reason: string;
  /** Mount the root filesystem read-only. Images like nginx write to it, hence the default. @default false */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * Capabilities to add back after dropping ALL. nginx needs `CHOWN`, `SETGID`, `SETUID` and
   * `NET_BIND_SERVICE` to prepare its cache, drop to its worker user and bind port 80.
   * @default - none
   */
  readonly addCapabilities?: string[];
}

/**
 * The container security context. Secure by default: non-root user 65532, no privilege escalation,
 * all capabilities dropped, read-only root filesystem. `runAsRoot()` is the one documented opt-out
 * for images that must run as root (nginx, for one): it still forbids privilege escalation and
 * drops every capability it is not told to keep.
 */
export class ContainerSecurity {
  /** Run as a non-root user (the default). */
  public static nonRoot(options: NonRootOptions = {}): ContainerSecurity {
    return new ContainerSecurity(false, options.user ?? DEFAULT_NON_ROOT_USER, options.group ?? options.user ?? DEFAULT_NON_ROOT_USER,
      options.readOnlyRootFilesystem ?? true, options.addCapabilities ?? [], undefined);
  }

  /** The explicit opt-out for images that run as root. A reason is required. */
  public static runAsRoot(options: RunAsRootOptions): ContainerSecurity {
    return new ContainerSecurity(true, 0, 0, options?.readOnlyRootFilesystem ?? false, options?.addCapabilities ?? [], options?.reason);
  }

  private constructor(
    /** True for the root opt-out. */
    public readonly runsAsRoot: boolean,
    /** The user id the container runs as. */
    public readonly user: number,
    /** The group id the container runs as. */
    public readonly group: number,
    /** Whether the root filesystem is read-only. */
    public readonly readOnlyRootFilesystem: boolean,
    private readonly addCapabilities: string[],
    /** Why the image runs as root (only for `runAsRoot`). */
    public readonly rootReason?: string,
  ) {}

  /** True when the capability is added back. @internal */
  public _adds(capability: string): boolean {
    return Array.isArray(this.addCapabilities) && this.addCapabilities.includes(capability);
  }

  /** @internal */
  public _render(where: Where, field: string): k8s.SecurityContext {
    if (this.runsAsRoot) {
      ensure(where, `${field}.reason`, this.rootReason ?? '', statedReason);
    } else if (this.user === 0) {
      invalid(where, `${field}.user`, this.user, 'user 0 is root', 'use ContainerSecurity.runAsRoot({ reason }) for images that need root');
    } else {
      ensure(where, `${field}.user`, this.user, intInRange(1, 2 ** 31 - 1));
      ensure(where, `${field}.group`, this.group, intInRange(0, 2 ** 31 - 1));
    }
    ensureEach(`${field}.addCapabilities`, this.addCapabilities, (cap, f) => {
      if (cap === 'ALL' || cap === 'SYS_ADMIN') {
        invalid(where, f, cap, 'must be one capability name, not ALL or SYS_ADMIN', 'name the capability the image needs, e.g. "NET_BIND_SERVICE"');
      } else {
        ensure(where, f, cap, capabilityName);
      }
    });
    return {
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: {
        drop: ['ALL'],
        add: this.addCapabilities.length > 0 ? [...this.addCapabilities] : undefined,
      },
      readOnlyRootFilesystem: this.readOnlyRootFilesystem,
      runAsNonRoot: !this.runsAsRoot,
      runAsUser: this.user,
      runAsGroup: this.group,
    };
  }
}
