// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { k8s } from 'cdk8s-plus-28';
import { WorkloadIdentity, WorkloadIdentityProps } from './identity';
import {
  checkInstance, dnsLabel, ensure, ensureEach, ensureOptional, exitCode, invalid, labelKey, nonNegativeInt, positiveInt, Where,
} from '../kubernetes/validation';
import { buildPodTemplate, PodTemplateProps } from '../pod/template';

/** How a Job's pods restart. Kubernetes rejects `Always` for Jobs: their pods must finish. */
export enum JobRestartPolicy {
  /** A failed pod is replaced by a new pod; the Job counts it against `backoffLimit`. Needed for `podFailurePolicy`. */
  NEVER = 'Never',
  /** The kubelet restarts failed containers in the same pod (on the same node). */
  ON_FAILURE = 'OnFailure',
}

/** How a Job counts completions. */
export enum CompletionMode {
  /** The Job completes after `completions` successful pods, any of them (Kubernetes' default). */
  NON_INDEXED = 'NonIndexed',
  /** Each pod gets an index 0..completions-1 (`JOB_COMPLETION_INDEX`); the Job completes when every index succeeded. */
  INDEXED = 'Indexed',
}

/**
 * What a pod failure policy rule does when it matches. (`FailIndex` is alpha in Kubernetes 1.28,
 * behind the `JobBackoffLimitPerIndex` feature gate, so it is not offered.)
 */
export enum PodFailureAction {
  /** Fail the whole Job at once and terminate its running pods. */
  FAIL_JOB = 'FailJob',
  /** Do not count the failure against `backoffLimit`; a replacement pod is created. */
  IGNORE = 'Ignore',
  /** Count the failure against `backoffLimit` (the default handling). */
  COUNT = 'Count',
}

/** How exit codes are compared with a rule's values. */
export enum ExitCodeOperator {
  /** Matches when a container exited with one of the values (0 is not allowed). */
  IN = 'In',
  /** Matches when a container exited with a code that is not one of the values (successful containers never match). */
  NOT_IN = 'NotIn',
}

/** Status of a pod condition. */
export enum PodConditionStatus {
  /** The condition holds. */
  TRUE = 'True',
  /** The condition does not hold. */
  FALSE = 'False',
  /** The kubelet cannot tell. */
  UNKNOWN = 'Unknown',
}

/** Options of {@link PodFailurePolicyRule.onExitCodes}. */
export interface ExitCodeRuleOptions {
  /** What to do when the rule matches. */
  readonly action: PodFailureAction;
  /** How to compare the exit codes with `values`. */
  readonly operator: ExitCodeOperator;
  /** Exit codes, 1-255, no duplicates, in any order (rendered sorted). */
  readonly values: number[];
  /** Only look at this container (or init container). @default - every container */
  readonly containerName?: string;
}

/** A pod condition a rule matches. */
export interface PodConditionPattern {
  /** Condition type, e.g. `DisruptionTarget` (the pod was evicted, preempted or its node drained). */
  readonly conditionType: string;
  /** Status the condition must have to match. @default PodConditionStatus.TRUE */
  readonly status?: PodConditionStatus;
}

/** Options of {@link PodFailurePolicyRule.onPodConditions}. */
export interface PodConditionRuleOptions {
  /** What to do when the rule matches. */
  readonly action: PodFailureAction;
  /** The rule matches when the pod has any of these conditions (1-20). */
  readonly conditions: PodConditionPattern[];
}

const MAX_RULES = 20;
const MAX_EXIT_CODES = 255;
const MAX_CONDITIONS = 20;
/** Parallelism above this is rejected for Indexed Jobs (it caps the size of `.status.completedIndexes`). */
const MAX_INDEXED_PARALLELISM = 100_000;
/** Labels the Job controller puts on pods; a user value would conflict with the generated selector. */
const JOB_CONTROLLER_LABELS = [
  'controller-uid', 'job-name', 'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'batch.kubernetes.io/job-completion-index',
];

/**
 * A rule of a Job's pod failure policy: what to do when a pod fails with certain exit codes or
 * conditions. Rules are checked in order; the first match wins.
 */
export class PodFailurePolicyRule {
  /** Acts on containers' exit codes, e.g. fail the Job at once on exit code 42 (a bug, not a flake). */
  public static onExitCodes(options: ExitCodeRuleOptions): PodFailurePolicyRule {
    return new PodFailurePolicyRule(options?.action, options ?? {}, undefined);
  }

  /** Acts on pod conditions, e.g. ignore failures caused by disruptions (`DisruptionTarget`). */
  public static onPodConditions(options: PodConditionRuleOptions): PodFailurePolicyRule {
    return new PodFailurePolicyRule(options?.action, undefined, options?.conditions);
  }

  /** Failures of pods that were evicted, preempted or drained do not count against `backoffLimit`. */
  public static ignoreDisruptions(): PodFailurePolicyRule {
    return PodFailurePolicyRule.onPodConditions({ action: PodFailureAction.IGNORE, conditions: [{ conditionType: 'DisruptionTarget' }] });
  }

  private constructor(
    private readonly action: PodFailureAction,
    private readonly exitCodes: ExitCodeRuleOptions | undefined,
    private readonly conditions: PodConditionPattern[] | undefined,
  ) {}

  /** @internal */
  public _render(where: Where, field: string, containerNames: ReadonlySet<string>): k8s.PodFailurePolicyRule {
    const actions = Object.values(PodFailureAction) as string[];
    if (!actions.includes(this.action)) {
      invalid(where, `${field}.action`, this.action, `must be one of ${actions.join(', ')} (FailIndex is alpha in Kubernetes 1.28)`, 'use PodFailureAction.FAIL_JOB, IGNORE or COUNT');
    }
    if (this.exitCodes) {
      const e = this.exitCodes;
      const operators = Object.values(ExitCodeOperator) as string[];
      if (!operators.includes(e.operator)) invalid(where, `${field}.operator`, e.operator, `must be one of ${operators.join(', ')}`, 'use ExitCodeOperator.IN or NOT_IN');
      if (e.containerName !== undefined && !containerNames.has(e.containerName)) {
        invalid(where, `${field}.containerName`, e.containerName, 'names no container or init container of the pod', `use one of ${[...containerNames].map((n) => `"${n}"`).join(', ')}`);
      }
      const values = e.values ?? [];
      if (values.length === 0 || values.length > MAX_EXIT_CODES) {
        invalid(where, `${field}.values`, values, `needs 1 to ${MAX_EXIT_CODES} exit codes (has ${values.length})`, values.length === 0 ? 'list the exit codes' : 'use NOT_IN with the codes that remain');
      }
      ensureEach(`${field}.values`, values, (v, f) => {
        ensure(where, f, v, exitCode);
        if (v === 0 && e.operator === ExitCodeOperator.IN) invalid(where, f, v, 'exit code 0 is success and never matches In', 'remove 0 (or use NOT_IN)');
      });
      const seen = new Set<number>();
      values.forEach((v, i) => {
        if (seen.has(v)) invalid(where, `${field}.values[${i}]`, v, 'is listed twice', 'remove the duplicate');
        seen.add(v);
      });
      return {
        action: this.action,
        onExitCodes: { containerName: e.containerName, operator: e.operator, values: [...values].sort((a, b) => a - b) },
        // The 1.28 schema marks onPodConditions required; the API server treats an empty list as unset.
        onPodConditions: [],
      };
    }
    const conditions = this.conditions ?? [];
    if (conditions.length === 0 || conditions.length > MAX_CONDITIONS) {
      invalid(where, `${field}.conditions`, conditions, `needs 1 to ${MAX_CONDITIONS} conditions (has ${conditions.length})`, 'list the conditions, e.g. { type: "DisruptionTarget" }');
    }
    const statuses = Object.values(PodConditionStatus) as string[];
    return {
      action: this.action,
      onPodConditions: conditions.map((c, i) => {
        ensure(where, `${field}.conditions[${i}].conditionType`, c.conditionType, labelKey);
        const status = c.status ?? PodConditionStatus.TRUE;
        if (!statuses.includes(status)) invalid(where, `${field}.conditions[${i}].status`, status, `must be one of ${statuses.join(', ')}`, 'use PodConditionStatus.TRUE');
        return { type: c.conditionType, status };
      }),
    };
  }
}

/**
 * How a Job runs its pods: the options BatchJob and ScheduledJob share (one code path, one set of
 * checks). Unset numbers take Kubernetes' defaults.
 */
export interface JobOptions {
  /**
   * What happens to a failed pod. `Always` is not a choice: Kubernetes rejects it for Jobs.
   * @default JobRestartPolicy.NEVER
   */
  readonly restartPolicy?: JobRestartPolicy;
  /** Retries before the Job is marked failed. @default - Kubernetes' default (6) */
  readonly backoffLimit?: number;
  /**
   * Successful pods needed to complete the Job. Immutable once the Job exists.
   * @default - unset: the Job completes when any pod succeeds (Kubernetes sets 1 when parallelism is unset too)
   */
  readonly completions?: number;
  /** Pods running at once; at most `completions`. 0 pauses the Job. @default - Kubernetes' default (1) */
  readonly parallelism?: number;
  /** Whether the pods of the Job are told apart by an index. @default CompletionMode.NON_INDEXED (Kubernetes' default; left unset) */
  readonly completionMode?: CompletionMode;
  /** Seconds the Job may run (retries included) before it is failed. @default - no deadline */
  readonly activeDeadlineSeconds?: number;
  /**
   * Delete the Job (and its pods) this many seconds after it finished. With Argo CD or Flux managing
   * the Job, a deleted Job is out of sync and gets re-created (it runs again): see the README.
   * @default - finished Jobs are kept
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * Rules for failed pods (by exit code or pod condition), checked in order. Requires
   * `restartPolicy` NEVER. Immutable once the Job exists.
   * @default - every failure counts against backoffLimit
   */
  readonly podFailurePolicy?: PodFailurePolicyRule[];
}

/** Everything the shared Job spec renderer needs. @internal */
export type JobSpecProps = WorkloadIdentityProps & PodTemplateProps & JobOptions;

/**
 * Validates job options and renders a Job spec (pod template included). The one place Job specs
 * are made, for BatchJob and ScheduledJob.
 * @param maxJobNameLength length of the longest Job name the spec will run under (Indexed Jobs
 *   append `-<index>` to pod host names, which must stay DNS labels).
 * @internal
 */
export function renderJobSpec(where: Where, props: JobSpecProps, identity: WorkloadIdentity, maxJobNameLength: number): k8s.JobSpec {
  const restartPolicy = props.restartPolicy ?? JobRestartPolicy.NEVER;
  if ((restartPolicy as string) === 'Always') {
    invalid(where, 'restartPolicy', restartPolicy, 'Jobs need pods that finish, so Kubernetes rejects restartPolicy Always for Jobs',
      'use JobRestartPolicy.NEVER (failed pods are replaced, up to backoffLimit) or JobRestartPolicy.ON_FAILURE, or a StatelessApp for a long-running process');
  }
  if (!(Object.values(JobRestartPolicy) as string[]).includes(restartPolicy)) {
    invalid(where, 'restartPolicy', restartPolicy, 'must be Never or OnFailure', 'use JobRestartPolicy.NEVER or JobRestartPolicy.ON_FAILURE');
  }
  ensureOptional(where, 'backoffLimit', props.backoffLimit, nonNegativeInt);
  ensureOptional(where, 'completions', props.completions, nonNegativeInt);
  ensureOptional(where, 'parallelism', props.parallelism, nonNegativeInt);
  ensureOptional(where, 'activeDeadlineSeconds', props.activeDeadlineSeconds, positiveInt);
  ensureOptional(where, 'ttlSecondsAfterFinished', props.ttlSecondsAfterFinished, nonNegativeInt);
  // parallelism above completions is valid (ValidateJobSpec does not compare them): the controller runs no more pods than it needs.

  const mode = props.completionMode;
  if (mode !== undefined && !(Object.values(CompletionMode) as string[]).includes(mode)) {
    invalid(where, 'completionMode', mode, 'must be NonIndexed or Indexed', 'use CompletionMode.NON_INDEXED or CompletionMode.INDEXED');
  }
  if (mode === CompletionMode.INDEXED) {
    if (props.completions === undefined) {
      invalid(where, 'completions', props.completions, 'Indexed Jobs need completions (the number of indexes)', 'set completions, e.g. 5 for indexes 0-4');
    }
    if (props.parallelism !== undefined && props.parallelism > MAX_INDEXED_PARALLELISM) {
      invalid(where, 'parallelism', props.parallelism, `must be at most ${MAX_INDEXED_PARALLELISM} for Indexed Jobs`, `use ${MAX_INDEXED_PARALLELISM} or less`);
    }
    if (props.completions !== undefined && props.completions > 0) {
      // Pod host names are `<job name>-<index>` and must stay DNS labels.
      const hostnameLength = maxJobNameLength + 1 + String(props.completions - 1).length;
      if (hostnameLength > 63) {
        invalid(where, 'name', identity.name, `pod host names of this Indexed Job ("<job name>-${props.completions - 1}") would have ${hostnameLength} characters, more than the 63 of a DNS label`,
          `shorten the name by ${hostnameLength - 63} characters`);
      }
    }
  }

  for (const [field, labels] of [['labels', props.labels], ['selectorLabels', props.selectorLabels], ['podLabels', props.podLabels]] as const) {
    for (const key of Object.keys(labels ?? {})) {
      if (JOB_CONTROLLER_LABELS.includes(key)) {
        invalid(where, `${field} key`, key, 'is set by the Job controller on every pod it creates', 'use another label key');
      }
    }
  }

  const template = buildPodTemplate(where, props, { selectorLabels: identity.selectorLabels, labels: identity.labels, restartPolicy: restartPolicy as 'Never' | 'OnFailure' });

  let podFailurePolicy: k8s.PodFailurePolicy | undefined;
  if (props.podFailurePolicy !== undefined) {
    const rules = props.podFailurePolicy;
    if (rules.length === 0 || rules.length > MAX_RULES) {
      invalid(where, 'podFailurePolicy', `${rules.length} rules`, `needs 1 to ${MAX_RULES} rules`, rules.length === 0 ? 'leave podFailurePolicy unset' : 'merge rules');
    }
    if (restartPolicy !== JobRestartPolicy.NEVER) {
      invalid(where, 'restartPolicy', restartPolicy, 'podFailurePolicy only works with restartPolicy Never (with OnFailure the kubelet restarts containers in place, so pods never fail)',
        'use JobRestartPolicy.NEVER or drop podFailurePolicy');
    }
    const containerNames = new Set([...(Array.isArray(props.initContainers) ? props.initContainers : []), ...(Array.isArray(props.containers) ? props.containers : [])].map((c) => ensure(where, 'containers.name', c.name, dnsLabel)));
    podFailurePolicy = {
      rules: rules.flatMap((r, i) => checkInstance(where, `podFailurePolicy[${i}]`, r, PodFailurePolicyRule, 'PodFailurePolicyRule.onExitCodes()')
        ? [r._render(where, `podFailurePolicy[${i}]`, containerNames)] : []),
    };
  }

  return {
    backoffLimit: props.backoffLimit,
    completions: props.completions,
    parallelism: props.parallelism,
    completionMode: mode,
    activeDeadlineSeconds: props.activeDeadlineSeconds,
    ttlSecondsAfterFinished: props.ttlSecondsAfterFinished,
    podFailurePolicy,
    template,
  };
}
