// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import { ensure, invalid, statedReason, Where } from '../kubernetes/validation';

/** Options of {@link HostAccess.granted}. */
export interface HostAccessOptions {
  /**
   * Why the pods need this host access, e.g. "node metrics come from the host network namespace".
   * At least 10 characters, not a placeholder; kept as an annotation on the pods.
   */
  readonly reason: string;
}

/**
 * An explicit, justified grant of a host namespace (network, PID or IPC) to a pod: a pod in a host
 * namespace sees and can disturb everything of that kind on the node, so the grant states why,
 * the way `ContainerSecurity.runAsRoot({ reason })` does for root.
 */
export class HostAccess {
  /** Grants the host namespace, for the reason given. */
  public static granted(options: HostAccessOptions): HostAccess {
    return new HostAccess(options?.reason);
  }

  private constructor(
    /** Why the access is granted. */
    public readonly reason: string,
  ) {}
}

/**
 * The checked reason of a host-namespace prop, or `undefined` when not granted. Plain JavaScript and
 * configuration can pass `true`, which has no reason: it is rejected with the way to grant it.
 * @internal
 */
export function hostAccessReason(where: Where, field: string, value: unknown): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (!(value instanceof HostAccess)) {
    invalid(where, field, value, 'host namespaces are a risky choice and need a stated reason',
      `use ${field}: HostAccess.granted({ reason: "why the pods need it" })`);
    return undefined;
  }
  return ensure(where, `${field}.reason`, value.reason, statedReason);
}
