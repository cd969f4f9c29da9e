// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  addWarning, check, CronSchedule, cronSchedule, ensureOptional, ianaTimeZone, intInRange, invalid, nonNegativeInt, workloadName,
} from '../../kubernetes/validation';
import { PodTemplateProps } from '../../pod/template';
import { objectMeta, WorkloadIdentityProps } from '../../workload/identity';
import { JobOptions, renderJobSpec } from '../../workload/job-spec';
import { PodWorkloadBase } from '../../workload/workload-base';

/** What the CronJob controller does when a run is due while the previous Job still runs. */
export enum JobConcurrencyPolicy {
  /** Start the new Job alongside (Kubernetes' default). */
  ALLOW = 'Allow',
  /** Skip the new run. */
  FORBID = 'Forbid',
  /** Delete the running Job and start the new one. */
  REPLACE = 'Replace',
}

/** The CronJob controller appends `-<minutes since 1970>` to Job names; Kubernetes budgets 11 characters. */
const JOB_NAME_SUFFIX = 11;
/** More missed runs than this and the controller reports TooManyMissedTimes (and counts no further). */
const MISSED_RUN_LIMIT = 100;
/** Missing startingDeadlineSeconds is worth a warning when 100 runs fit into less than a day. */
const WARN_WINDOW_SECONDS = 86_400;
/** The Kubernetes docs warn that deadlines under 10 s may miss runs (the controller's sync period). */
const MIN_SENSIBLE_DEADLINE = 10;

/** Properties of a {@link ScheduledJob}. */
export interface ScheduledJobProps extends WorkloadIdentityProps, PodTemplateProps, JobOptions {
  /**
   * When to run, in cron format: `minute hour day-of-month month day-of-week`, or a macro such as `@daily`.
   * Fields take `*`, ranges, lists, steps, JAN-DEC and SUN-SAT (day-of-week 0-6); the macros are `@hourly`,
   * `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly` and `@annually`. Checked at synth time.
   */
  readonly schedule: string;
  /**
   * IANA time zone the schedule runs in, e.g. `Europe/Berlin` (GA since Kubernetes 1.27).
   * @default - the kube-controller-manager's time zone (UTC on most clusters)
   */
  readonly timeZone?: string;
  /** What to do when a run is due while the previous one still runs. @default JobConcurrencyPolicy.ALLOW (Kubernetes' default; left unset) */
  readonly concurrencyPolicy?: JobConcurrencyPolicy;
  /**
   * Seconds after its scheduled time within which a missed run may still start; later runs are
   * skipped. Keep it below the interval between runs (see the README on missed runs).
   * @default - no deadline: after an outage the most recent missed run starts, however late
   */
  readonly startingDeadlineSeconds?: number;
  /** Finished successful Jobs to keep. @default - Kubernetes' default (3) */
  readonly successfulJobsHistoryLimit?: number;
  /** Finished failed Jobs to keep. @default - Kubernetes' default (1) */
  readonly failedJobsHistoryLimit?: number;
  /** Stop starting new Jobs (running ones continue). @default false */
  readonly suspend?: boolean;
}

function describeSeconds(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * A `batch/v1` CronJob: the same Job options and pod template as {@link BatchJob}, a schedule and
 * time zone validated at synth time, Kubernetes' own defaults (no hidden Forbid or 10 s deadline),
 * and warnings for deadlines that cannot work.
 */
export class ScheduledJob extends PodWorkloadBase {
  /** The rendered CronJob. */
  public readonly cronJob: k8s.KubeCronJob;
  /** The CronJob's name (at most 52 characters). */
  public readonly name: string;
  /** The CronJob's namespace. @default - the chart's namespace */
  public readonly namespace?: string;
  /** The validated schedule. */
  public readonly schedule: CronSchedule;
  /** The schedule's time zone. @default - the kube-controller-manager's */
  public readonly timeZone?: string;
  /** Synth-time warnings of this CronJob (also recorded as construct metadata, see `warningsOf`). */
  public readonly warnings: string[] = [];

  constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id, props, { nameRule: workloadName });
    const identity = this._identity;
    // A schedule that does not parse is reported; a stand-in keeps construction going to find the other mistakes.
    this.schedule = CronSchedule.parse(check(this, 'schedule', props.schedule, cronSchedule) ? props.schedule : '0 0 1 1 *');
    this.timeZone = ensureOptional(this, 'timeZone', props.timeZone, ianaTimeZone);
    const concurrency = props.concurrencyPolicy;
    if (concurrency !== undefined && !(Object.values(JobConcurrencyPolicy) as string[]).includes(concurrency)) {
      invalid(this, 'concurrencyPolicy', concurrency, 'must be Allow, Forbid or Replace', 'use ConcurrencyPolicy.ALLOW, FORBID or REPLACE');
    }
    ensureOptional(this, 'startingDeadlineSeconds', props.startingDeadlineSeconds, intInRange(0, Number.MAX_SAFE_INTEGER, 'use 0 or a positive whole number'));
    ensureOptional(this, 'successfulJobsHistoryLimit', props.successfulJobsHistoryLimit, nonNegativeInt);
    ensureOptional(this, 'failedJobsHistoryLimit', props.failedJobsHistoryLimit, nonNegativeInt);
    this.checkMissedRuns(props);
    if (props.ttlSecondsAfterFinished !== undefined) {
      this.warn('ttlSecondsAfterFinished', props.ttlSecondsAfterFinished,
        'deletes finished Jobs of a CronJob behind successfulJobsHistoryLimit/failedJobsHistoryLimit (kube-linter: job-ttl-seconds-after-finished)',
        'keep finished Jobs with the history limits instead');
    }

    const jobSpec = renderJobSpec(this, props, identity, identity.name.length + JOB_NAME_SUFFIX);
    this.name = identity.name;
    this.namespace = identity.namespace;
    this.cronJob = new k8s.KubeCronJob(this, 'Resource', {
      metadata: objectMeta(identity),
      spec: {
        schedule: this.schedule.expression,
        timeZone: this.timeZone,
        concurrencyPolicy: concurrency,
        startingDeadlineSeconds: props.startingDeadlineSeconds,
        successfulJobsHistoryLimit: props.successfulJobsHistoryLimit,
        failedJobsHistoryLimit: props.failedJobsHistoryLimit,
        suspend: props.suspend,
        jobTemplate: { metadata: { labels: { ...identity.labels } }, spec: jobSpec },
      },
    });
  }


  /**
   * The next `count` times this CronJob fires after `from` (default now), in its time zone
   * (UTC when `timeZone` is unset, as on most clusters).
   */
  public nextRuns(count: number, after?: Date): Date[] {
    return this.schedule.nextRuns(count, { after: after, timeZone: this.timeZone });
  }

  /**
   * The CronJob controller counts the runs it missed since the last one (or since
   * now - startingDeadlineSeconds, whichever is later). Past 100 it reports TooManyMissedTimes
   * and starts only the most recent missed run, however late. A deadline below the interval makes
   * late runs skip instead; a deadline spanning 100 runs bounds nothing.
   */
  private checkMissedRuns(props: ScheduledJobProps): void {
    const interval = this.schedule.shortestIntervalSeconds;
    const window = MISSED_RUN_LIMIT * interval;
    const suggestion = Math.max(MIN_SENSIBLE_DEADLINE, Math.floor(interval / 2));
    const deadline = props.startingDeadlineSeconds;
    if (deadline === undefined) {
      if (window < WARN_WINDOW_SECONDS) {
        this.warn('startingDeadlineSeconds', deadline,
          `"${this.schedule.expression}" can miss ${MISSED_RUN_LIMIT} runs in ${describeSeconds(window)}; after an outage or a long suspend the controller reports TooManyMissedTimes and starts the most recent missed run however late`,
          `set startingDeadlineSeconds below the interval, e.g. ${suggestion}`);
      }
      return;
    }
    if (deadline >= window) {
      invalid(this, 'startingDeadlineSeconds', deadline,
        `spans ${Math.floor(deadline / interval)} runs of "${this.schedule.expression}" (runs can be ${describeSeconds(interval)} apart), so the controller still counts more than ${MISSED_RUN_LIMIT} missed runs and the deadline bounds nothing`,
        `use less than ${window}; a deadline below the interval, e.g. ${suggestion}, starts a missed run only while it is timely`);
    }
    if (deadline < MIN_SENSIBLE_DEADLINE) {
      this.warn('startingDeadlineSeconds', deadline,
        `is under ${MIN_SENSIBLE_DEADLINE} s, so a busy controller can miss runs entirely (the Kubernetes docs warn about this)`,
        `use ${MIN_SENSIBLE_DEADLINE} or more`);
    }
  }

  private warn(field: string, value: unknown, reason: string, fix: string): void {
    this.warnings.push(addWarning(this, field, value, { reason, fix }));
  }
}
