import {
  BatchJob, CompletionMode, JobConcurrencyPolicy, PodContainerProps, ExitCodeOperator, JobOptions, JobRestartPolicy, PodFailureAction,
  PodFailurePolicyRule, ScheduledJob, ScheduledJobProps, SynthWarnings,
} from '../src';
import { errorOf, Manifest, only, synthValid, testChart } from './util';

const hello: PodContainerProps = { name: 'hello', image: 'busybox:1.28.4', args: ['/bin/sh', '-c', 'date; echo Hello from the Kubernetes cluster'] };

function render(props: Partial<ScheduledJobProps> = {}, id = 'hello'): { cron: ScheduledJob; doc: Manifest } {
  const chart = testChart();
  const cron = new ScheduledJob(chart, id, { schedule: '0 3 * * *', containers: [hello], ...props });
  return { cron, doc: only(synthValid(chart), 'CronJob') };
}

function renderError(props: Partial<ScheduledJobProps>, id = 'hello'): string {
  return errorOf(() => render(props, id));
}

describe('defaults', () => {
  const { cron, doc } = render();

  test('a batch/v1 CronJob with Kubernetes\' own defaults (no Forbid, no 10 s deadline)', () => {
    expect(doc.apiVersion).toBe('batch/v1');
    expect(doc.metadata.name).toBe('hello');
    expect(Object.keys(doc.spec).sort()).toEqual(['jobTemplate', 'schedule']);
    expect(doc.spec.schedule).toBe('0 3 * * *');
  });

  test('the job template: labels, restartPolicy Never, no selector', () => {
    const job = doc.spec.jobTemplate;
    expect(job.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'hello', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' });
    expect(job.spec.selector).toBeUndefined();
    expect(job.spec.manualSelector).toBeUndefined();
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    expect(job.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('hello');
  });

  test('handles', () => {
    expect(cron.name).toBe('hello');
    expect(cron.namespace).toBeUndefined();
    expect(cron.timeZone).toBeUndefined();
    expect(cron.schedule.expression).toBe('0 3 * * *');
    expect(cron.cronJob.kind).toBe('CronJob');
    expect(cron.warnings).toEqual([]);
  });
});

describe('props', () => {
  test('every CronJob prop is rendered', () => {
    const { cron, doc } = render({
      name: 'nightly-backup',
      namespace: 'ops',
      schedule: '@daily',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: JobConcurrencyPolicy.FORBID,
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 5,
      failedJobsHistoryLimit: 0,
      suspend: true,
      annotations: { 'example.com/owner': 'ops' },
    });
    expect(doc.metadata).toMatchObject({ name: 'nightly-backup', namespace: 'ops', annotations: { 'example.com/owner': 'ops' } });
    expect(doc.spec).toMatchObject({
      schedule: '@daily',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      successfulJobsHistoryLimit: 5,
      failedJobsHistoryLimit: 0,
      suspend: true,
    });
    // suspend is the CronJob's: the Jobs it creates start at once.
    expect(doc.spec.jobTemplate.spec.suspend).toBeUndefined();
    expect(cron.timeZone).toBe('Europe/Berlin');
  });

  test.each([JobConcurrencyPolicy.ALLOW, JobConcurrencyPolicy.REPLACE])('concurrencyPolicy %s', (policy) => {
    expect(render({ concurrencyPolicy: policy }).doc.spec.concurrencyPolicy).toBe(policy);
  });

  test('job options land in the job template', () => {
    const { doc } = render({
      restartPolicy: JobRestartPolicy.ON_FAILURE,
      backoffLimit: 3,
      completions: 4,
      parallelism: 2,
      completionMode: CompletionMode.INDEXED,
      activeDeadlineSeconds: 120,
    });
    expect(doc.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 3, completions: 4, parallelism: 2, completionMode: 'Indexed', activeDeadlineSeconds: 120 });
    expect(doc.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  test('BatchJob and ScheduledJob render the same Job spec from the same options', () => {
    const options: JobOptions = {
      backoffLimit: 2,
      completions: 3,
      parallelism: 3,
      activeDeadlineSeconds: 60,
      podFailurePolicy: [PodFailurePolicyRule.onExitCodes({ action: PodFailureAction.FAIL_JOB, operator: ExitCodeOperator.IN, values: [2] })],
    };
    const chart = testChart();
    new BatchJob(chart, 'once', { name: 'same', containers: [hello], ...options });
    new ScheduledJob(chart, 'often', { name: 'same', schedule: '@hourly', containers: [hello], ...options });
    const docs = synthValid(chart);
    expect(only(docs, 'CronJob').spec.jobTemplate.spec).toEqual(only(docs, 'Job').spec);
  });

  test('the schedule is kept as written, macros and names included', () => {
    expect(render({ schedule: ' 0 9 * * MON-FRI ' }).doc.spec.schedule).toBe('0 9 * * MON-FRI');
  });

  test('a 52-character name is accepted', () => {
    expect(render({ name: 'a'.repeat(52) }).cron.name).toHaveLength(52);
  });
});

describe('next runs', () => {
  test('in the CronJob time zone (03:00 Berlin = 01:00 UTC in summer)', () => {
    const { cron } = render({ timeZone: 'Europe/Berlin' });
    expect(cron.nextRuns(2, new Date('2024-07-01T12:00:00Z')).map((d) => d.toISOString())).toEqual(['2024-07-02T01:00:00.000Z', '2024-07-03T01:00:00.000Z']);
  });

  test('in UTC when timeZone is unset', () => {
    expect(render().cron.nextRuns(1, new Date('2024-07-01T12:00:00Z')).map((d) => d.toISOString())).toEqual(['2024-07-02T03:00:00.000Z']);
  });
});

describe('missed runs', () => {
  test('no warning for the tutorial setup: every minute with a 30 s deadline', () => {
    const { cron } = render({ schedule: '*/1 * * * *', startingDeadlineSeconds: 30 });
    expect(cron.warnings).toEqual([]);
  });

  test('no warning for an hourly schedule without a deadline (100 runs take 4 days)', () => {
    expect(render({ schedule: '@hourly' }).cron.warnings).toEqual([]);
  });

  test('a warning when a frequent schedule has no deadline', () => {
    const chart = testChart();
    const cron = new ScheduledJob(chart, 'hello', { schedule: '*/5 * * * *', containers: [hello] });
    const warning = '[test/hello] startingDeadlineSeconds (unset): "*/5 * * * *" can miss 100 runs in 500 min; after an outage or a long suspend the controller reports TooManyMissedTimes and starts the most recent missed run however late; set startingDeadlineSeconds below the interval, e.g. 150';
    expect(cron.warnings).toEqual([warning]);
    expect(SynthWarnings.of(chart.node.root)).toEqual([warning]);
    expect(chart.node.findChild('hello').node.metadata.map((m) => m.type)).toEqual([SynthWarnings.METADATA_TYPE]);
    // A warning, not an error: the chart still synthesises.
    expect(only(synthValid(chart), 'CronJob').spec.startingDeadlineSeconds).toBeUndefined();
  });

  test('the shortest gap counts: "0,1 * * * *" can run a minute apart', () => {
    expect(render({ schedule: '0,1 * * * *' }).cron.warnings[0]).toContain('can miss 100 runs in 100 min');
  });

  test('a deadline under 10 s is a warning', () => {
    expect(render({ schedule: '*/1 * * * *', startingDeadlineSeconds: 5 }).cron.warnings)
      .toEqual(['[test/hello] startingDeadlineSeconds 5: is under 10 s, so a busy controller can miss runs entirely (the Kubernetes docs warn about this); use 10 or more']);
  });

  test('a deadline spanning 100 runs is an error; just under is fine', () => {
    expect(render({ schedule: '*/1 * * * *', startingDeadlineSeconds: 5999 }).doc.spec.startingDeadlineSeconds).toBe(5999);
    expect(renderError({ schedule: '*/1 * * * *', startingDeadlineSeconds: 6000 })).toBe(
      '[test/hello] startingDeadlineSeconds 6000: spans 100 runs of "*/1 * * * *" (runs can be 1 min apart), so the controller still counts more than 100 missed runs and the deadline bounds nothing; use less than 6000; a deadline below the interval, e.g. 30, starts a missed run only while it is timely');
  });

  test('ttlSecondsAfterFinished on a CronJob is a warning (history limits keep finished Jobs)', () => {
    expect(render({ schedule: '@daily', ttlSecondsAfterFinished: 60 }).cron.warnings).toEqual([
      '[test/hello] ttlSecondsAfterFinished 60: deletes finished Jobs of a CronJob behind successfulJobsHistoryLimit/failedJobsHistoryLimit (kube-linter: job-ttl-seconds-after-finished); keep finished Jobs with the history limits instead',
    ]);
  });
});

describe('bad input', () => {
  test.each<[string, Partial<ScheduledJobProps>, string]>([
    ['a schedule with day 7', { schedule: '0 0 * * 7' },
      '[test/hello] schedule "0 0 * * 7": day-of-week (5th field) "7": 7 is not a day: Kubernetes\' cron parser (robfig/cron) accepts 0-6 only; use 0 or SUN for Sunday'],
    ['a TZ= prefix', { schedule: 'TZ=Europe/Berlin 0 3 * * *' },
      '[test/hello] schedule "TZ=Europe/Berlin 0 3 * * *": TZ= prefixes are rejected by the Kubernetes API server (the zone has its own field); set timeZone: "Europe/Berlin" and schedule: "0 3 * * *"'],
    ['an empty schedule', { schedule: '' }, '[test/hello] schedule "": must not be empty'],
    ['an unknown time zone', { timeZone: 'Europe/Berln' }, '[test/hello] timeZone "Europe/Berln": is not in the IANA time zone database; use a name'],
    ['Local', { timeZone: 'Local' }, '[test/hello] timeZone "Local": "Local" means the controller\'s own zone, which the API server rejects; name the zone, e.g. "Etc/UTC"'],
    ['a lower-case time zone', { timeZone: 'europe/berlin' }, '[test/hello] timeZone "europe/berlin": time zone names are case-sensitive on the cluster; try "Europe/Berlin"'],
    ['an unknown concurrencyPolicy', { concurrencyPolicy: 'Queue' as JobConcurrencyPolicy },
      '[test/hello] concurrencyPolicy "Queue": must be Allow, Forbid or Replace; use ConcurrencyPolicy.ALLOW, FORBID or REPLACE'],
    ['a negative deadline', { startingDeadlineSeconds: -1 }, '[test/hello] startingDeadlineSeconds -1: must be a whole number from 0'],
    ['a negative successfulJobsHistoryLimit', { successfulJobsHistoryLimit: -1 }, '[test/hello] successfulJobsHistoryLimit -1: must be a whole number from 0'],
    ['a fractional failedJobsHistoryLimit', { failedJobsHistoryLimit: 0.5 }, '[test/hello] failedJobsHistoryLimit 0.5: must be a whole number from 0'],
    ['a 53-character name', { name: 'a'.repeat(53) },
      `[test/hello] name "${'a'.repeat(53)}": must be at most 52 characters so the controller's suffixes fit in 63 (it has 53)`],
    ['an upper-case name', { name: 'Hello' }, '[test/hello] name "Hello": must be a DNS-1123 label'],
    ['restartPolicy Always (shared job options)', { restartPolicy: 'Always' as JobRestartPolicy },
      '[test/hello] restartPolicy "Always": Jobs need pods that finish, so Kubernetes rejects restartPolicy Always for Jobs'],
  ])('%s', (_, props, message) => {
    expect(renderError(props)).toContain(message);
  });

  test('Indexed host names: the 11-character Job suffix is budgeted', () => {
    // 50 + 11 + "-9" = 63: fits; 51 does not.
    expect(render({ name: 'a'.repeat(50), completionMode: CompletionMode.INDEXED, completions: 10 }).doc.spec.jobTemplate.spec.completions).toBe(10);
    expect(renderError({ name: 'a'.repeat(51), completionMode: CompletionMode.INDEXED, completions: 10 }))
      .toContain('would have 64 characters, more than the 63 of a DNS label; shorten the name by 1 characters');
  });
});
