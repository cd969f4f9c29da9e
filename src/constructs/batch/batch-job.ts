// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { dnsLabel, DNS_LABEL_MAX, Rule, suggestDnsLabel } from '../../kubernetes/validation';
import { PodTemplateProps } from '../../pod/template';
import { objectMeta, WorkloadIdentityProps } from '../../workload/identity';
import { JobOptions, renderJobSpec } from '../../workload/job-spec';
import { PodWorkloadBase } from '../../workload/workload-base';

/** Length of the spec hash suffix, `-` included. */
const HASH_SUFFIX_LENGTH = 9;

/** Properties of a {@link BatchJob}. */
export interface BatchJobProps extends WorkloadIdentityProps, PodTemplateProps, JobOptions {
  /**
   * Create the Job suspended: no pods start until `spec.suspend` is set to false.
   * @default false
   */
  readonly suspend?: boolean;
  /**
   * Append `-<8 hex characters>` of a SHA-256 over the rendered Job spec (all of it but `suspend`) to the name
   * (`migrate-3f9c2a1b`). A Job's pod template is immutable, so re-applying an edited Job fails;
   * with a hashed name an edit makes a new Job (and GitOps prunes the old one). The name without
   * the suffix must then be at most 54 characters. Read the final name from `BatchJob.name`.
   * @default false
   */
  readonly hashedName?: boolean;
}

/** JSON with sorted keys, so equal specs hash equally whatever order their fields were set in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A run-to-completion workload: a `batch/v1` Job with the shared pod template (secure defaults),
 * Job options checked as the API server checks them, and an optional spec-hash name so edits can
 * be re-applied by GitOps tools.
 *
 * The Job controller generates the Job's selector (and a unique label) itself, so no selector is
 * rendered; the pods still carry `app.kubernetes.io/name` for `kubectl get pods -l`.
 */
export class BatchJob extends PodWorkloadBase {
  /** The rendered Job. */
  public readonly job: k8s.KubeJob;
  /** The Job's name, the hash suffix included when `hashedName` is set. */
  public readonly name: string;
  /** The Job's namespace. @default - the chart's namespace */
  public readonly namespace?: string;
  /** The 8 hex characters of the spec hash, when `hashedName` is set. */
  public readonly specHash?: string;

  constructor(scope: Construct, id: string, props: BatchJobProps) {
    // Job names become pod labels (`job-name`) and pod host names, so they are DNS labels.
    const hashedNameRule: Rule<string> = (value) => dnsLabel(value) ?? (value.length > DNS_LABEL_MAX - HASH_SUFFIX_LENGTH
      ? {
        reason: `must be at most ${DNS_LABEL_MAX - HASH_SUFFIX_LENGTH} characters with hashedName, which appends ${HASH_SUFFIX_LENGTH} (it has ${value.length})`,
        fix: `try "${suggestDnsLabel(value, DNS_LABEL_MAX - HASH_SUFFIX_LENGTH)}"`,
      }
      : undefined);
    super(scope, id, props, { nameRule: props?.hashedName ? hashedNameRule : dnsLabel });
    const identity = this._identity;
    const finalLength = identity.name.length + (props.hashedName ? HASH_SUFFIX_LENGTH : 0);
    const spec = renderJobSpec(this, props, identity, finalLength);

    if (props.hashedName) {
      // suspend stays out of the hash: it is the switch to start the same Job later.
      this.specHash = createHash('sha256').update(canonicalJson(k8s.toJson_JobSpec(spec))).digest('hex').slice(0, 8);
      this.name = `${identity.name}-${this.specHash}`;
    } else {
      this.name = identity.name;
    }
    this.namespace = identity.namespace;
    this.job = new k8s.KubeJob(this, 'Resource', {
      metadata: { ...objectMeta(identity), name: this.name },
      spec: { ...spec, suspend: props.suspend },
    });
  }

}
