// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { createHash } from 'crypto';

// Every label and annotation key this library writes, in one place (docs: "Labels and annotations").
// The library writes only under its own domain, plus the standard `app.kubernetes.io/*` labels.

/** The one domain of every annotation key the library writes. */
const METADATA_DOMAIN = 'cdk8s-workloads.dev';

/** Builds a key under the library's domain: `cdk8s-workloads.dev/<name>`. */
function libraryKey(name: string): string {
  return `${METADATA_DOMAIN}/${name}`;
}

/** Why a container runs as root (`ContainerSecurity.runAsRoot`): `<prefix><container>`. */
export const RUNS_AS_ROOT_ANNOTATION_PREFIX = libraryKey('runs-as-root.');

/** A justified PolicyPlugin suppression on one object: `<prefix><rule-id>: "<reason>"`. */
export const SUPPRESSION_ANNOTATION_PREFIX = libraryKey('allow-');

/** Why a risky choice was made (host access, wide NFS exports, RBAC escalation, ...): `<prefix><choice>`. */
export const REASON_ANNOTATION_PREFIX = libraryKey('reason.');

/**
 * The policy rule that each kind of risky choice answers, so a reason stated once on a construct (kept as
 * `reason.<kind>` or `reason.<kind>.<subject>`) satisfies the construct's check and the policy alike.
 * Kinds without a policy rule (host ports, RBAC rules, NFS exports, kubelet API subjects) are checked by the constructs only.
 */
export const REASON_POLICY_RULES: { readonly [choiceKind: string]: string } = {
  'unpinned-image': 'latest-tag',
  'host-path': 'sensitive-host-mounts',
  'host-network': 'host-network',
  'host-pid': 'host-pid',
  'host-ipc': 'host-ipc',
};

/** The cluster autoscaler's pod annotation: `"true"` lets it evict the pod when it removes the node. */
export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';

/** Pod annotation holding a hash of the configuration the pods read at start, so a change rolls them (as Helm charts do). */
export const CONFIG_CHECKSUM_ANNOTATION = 'checksum/config';

/** Standard Kubernetes label naming the tool that manages an object. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';

/** Value of {@link MANAGED_BY_LABEL} on every object the library renders. */
export const MANAGED_BY = 'cdk8s-workloads';

/**
 * The annotation key that keeps the reason for one risky choice: `cdk8s-workloads.dev/reason.<choice>`.
 * Choices that name containers or ports can be long; the name part of a key may hold at most 63
 * characters, so a long choice is shortened and made unique with a hash of the whole.
 */
export function reasonAnnotationKey(choice: string): string {
  const name = `reason.${choice}`;
  if (name.length <= 63) return libraryKey(name);
  const hash = createHash('sha256').update(choice).digest('hex').slice(0, 8);
  return libraryKey(`${name.slice(0, 63 - 9).replace(/[^A-Za-z0-9]+$/, '')}-${hash}`);
}

/**
 * The label and annotation keys the library writes, for apps that set or read them (a justified
 * policy suppression, the managed-by label on objects an app renders itself).
 */
export class MetadataKeys {
  /** The domain of every annotation key the library writes (`cdk8s-workloads.dev`). */
  public static readonly DOMAIN = METADATA_DOMAIN;
  /** `app.kubernetes.io/managed-by`, on every object the library renders. */
  public static readonly MANAGED_BY_LABEL = MANAGED_BY_LABEL;
  /** The value of {@link MetadataKeys.MANAGED_BY_LABEL}: `cdk8s-workloads`. */
  public static readonly MANAGED_BY = MANAGED_BY;

  /**
   * The annotation that suppresses one PolicyPlugin rule on one object, with the reason as its
   * value: `cdk8s-workloads.dev/allow-<ruleId>`.
   */
  public static suppression(ruleId: string): string {
    return SUPPRESSION_ANNOTATION_PREFIX + ruleId;
  }

  /** The pod annotation saying why a container runs as root: `cdk8s-workloads.dev/runs-as-root.<container>`. */
  public static runsAsRoot(containerName: string): string {
    return RUNS_AS_ROOT_ANNOTATION_PREFIX + containerName;
  }

  /** The annotation carrying the reason for a risky choice: `cdk8s-workloads.dev/reason.<choice>`. */
  public static reason(choice: string): string {
    return reasonAnnotationKey(choice);
  }

  private constructor() {}
}
