import { createHash } from 'crypto';
import {
  BatchJob, BatchJobProps, CompletionMode, PodContainerProps, ExitCodeOperator, PodImagePullPolicy, JobRestartPolicy, PodConditionStatus,
  PodFailureAction, PodFailurePolicyRule,
} from '../src';
import { errorOf, Manifest, only, synthValid, testChart } from './util';

const perl: PodContainerProps = { name: 'pi', image: 'perl:5.34.0', command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'] };

function render(props: Partial<BatchJobProps> = {}, id = 'job'): { job: BatchJob; doc: Manifest } {
  const chart = testChart({ namespace: 'batch' });
  const job = new BatchJob(chart, id, { containers: [perl], ...props });
  return { job, doc: only(synthValid(chart), 'Job') };
}

function renderError(props: Partial<BatchJobProps>, id = 'job'): string {
  return errorOf(() => render(props, id));
}

/** The test's own canonical JSON (sorted keys), to check the hash independently of the construct. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${sortedJson((value as Manifest)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('defaults', () => {
  const { job, doc } = render();

  test('a batch/v1 Job named after the construct id, in the chart namespace', () => {
    expect(doc.apiVersion).toBe('batch/v1');
    expect(doc.metadata).toEqual({
      name: 'job',
      namespace: 'batch',
      labels: { 'app.kubernetes.io/name': 'job', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' },
    });
    expect(job.name).toBe('job');
    expect(job.namespace).toBeUndefined();
    expect(job.specHash).toBeUndefined();
    expect(job.job.kind).toBe('Job');
  });

  test('no selector and no manualSelector: the Job controller generates them', () => {
    expect(doc.spec.selector).toBeUndefined();
    expect(doc.spec.manualSelector).toBeUndefined();
    expect(doc.spec.template.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'job', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' });
  });

  test('restartPolicy Never, Kubernetes defaults for everything else', () => {
    expect(doc.spec.template.spec.restartPolicy).toBe('Never');
    expect(Object.keys(doc.spec)).toEqual(['template']);
  });

  test('the shared pod template: secure container defaults', () => {
    const container = doc.spec.template.spec.containers[0];
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false,
    });
    expect(doc.spec.template.spec.automountServiceAccountToken).toBe(false);
  });
});

describe('job options', () => {
  test('every option is rendered', () => {
    const { doc } = render({
      backoffLimit: 4,
      completions: 5,
      parallelism: 2,
      completionMode: CompletionMode.INDEXED,
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 3600,
      suspend: true,
      restartPolicy: JobRestartPolicy.ON_FAILURE,
    });
    expect(doc.spec).toMatchObject({
      backoffLimit: 4,
      completions: 5,
      parallelism: 2,
      completionMode: 'Indexed',
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 3600,
      suspend: true,
    });
    expect(doc.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  test('NonIndexed, zero values and parallelism equal to completions are accepted', () => {
    const { doc } = render({
      completionMode: CompletionMode.NON_INDEXED, backoffLimit: 0, completions: 3, parallelism: 3, ttlSecondsAfterFinished: 0, suspend: false,
    });
    expect(doc.spec).toMatchObject({ completionMode: 'NonIndexed', backoffLimit: 0, completions: 3, parallelism: 3, ttlSecondsAfterFinished: 0, suspend: false });
  });

  test('parallelism 0 pauses a Job without completions', () => {
    expect(render({ parallelism: 0 }).doc.spec.parallelism).toBe(0);
  });

  test('names, labels and annotations (e.g. Argo CD hook annotations)', () => {
    const { job, doc } = render({
      name: 'db-migrate',
      namespace: 'tools',
      labels: { team: 'data' },
      podLabels: { tier: 'batch' },
      annotations: { 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' },
    });
    expect(job.name).toBe('db-migrate');
    expect(job.namespace).toBe('tools');
    expect(doc.metadata.namespace).toBe('tools');
    expect(doc.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'db-migrate', 'team': 'data', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' });
    expect(doc.metadata.annotations).toEqual({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' });
    expect(doc.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'db-migrate', 'team': 'data', 'tier': 'batch' });
    expect(doc.spec.template.metadata.annotations).toBeUndefined();
  });

  test('the tutorial busybox Job: args and imagePullPolicy pass through the pod template', () => {
    const { doc } = render({
      containers: [{ name: 'busybox', image: 'busybox:1.28.4', imagePullPolicy: PodImagePullPolicy.IF_NOT_PRESENT, args: ['/bin/sh', '-c', 'sleep 10;date;exit 1'] }],
      backoffLimit: 2,
    }, 'busybox');
    expect(doc.spec.backoffLimit).toBe(2);
    expect(doc.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', args: ['/bin/sh', '-c', 'sleep 10;date;exit 1'] });
  });
});

describe('pod failure policy', () => {
  test('exit-code and pod-condition rules, in order', () => {
    const { doc } = render({
      initContainers: [{ name: 'setup', image: 'busybox:1.28.4' }],
      podFailurePolicy: [
        PodFailurePolicyRule.ignoreDisruptions(),
        PodFailurePolicyRule.onExitCodes({ action: PodFailureAction.FAIL_JOB, operator: ExitCodeOperator.IN, values: [42, 3, 7], containerName: 'pi' }),
        PodFailurePolicyRule.onExitCodes({ action: PodFailureAction.COUNT, operator: ExitCodeOperator.NOT_IN, values: [0, 1], containerName: 'setup' }),
        PodFailurePolicyRule.onPodConditions({
          action: PodFailureAction.IGNORE,
          conditions: [{ conditionType: 'DisruptionTarget', status: PodConditionStatus.UNKNOWN }, { conditionType: 'example.com/Preempted', status: PodConditionStatus.FALSE }],
        }),
      ],
    });
    expect(doc.spec.podFailurePolicy.rules).toEqual([
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: 'FailJob', onExitCodes: { containerName: 'pi', operator: 'In', values: [3, 7, 42] }, onPodConditions: [] },
      { action: 'Count', onExitCodes: { containerName: 'setup', operator: 'NotIn', values: [0, 1] }, onPodConditions: [] },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'Unknown' }, { type: 'example.com/Preempted', status: 'False' }] },
    ]);
  });

  test('255 exit codes are allowed, a rule without containerName covers every container', () => {
    const values = Array.from({ length: 255 }, (_, i) => i + 1);
    const rule = PodFailurePolicyRule.onExitCodes({ action: PodFailureAction.IGNORE, operator: ExitCodeOperator.IN, values });
    const { doc } = render({ podFailurePolicy: [rule] });
    expect(doc.spec.podFailurePolicy.rules[0].onExitCodes).toEqual({ operator: 'In', values });
  });
});

describe('hashed names', () => {
  const props: Partial<BatchJobProps> = { name: 'migrate', hashedName: true, backoffLimit: 1 };

  test('the name carries 8 hex characters of a SHA-256 over the spec', () => {
    const { job, doc } = render(props);
    expect(job.specHash).toMatch(/^[0-9a-f]{8}$/);
    expect(job.name).toBe(`migrate-${job.specHash}`);
    expect(doc.metadata.name).toBe(job.name);
    const expected = createHash('sha256').update(sortedJson(doc.spec)).digest('hex').slice(0, 8);
    expect(job.specHash).toBe(expected);
  });

  test('labels keep the unhashed name, so kubectl -l finds every generation', () => {
    const { doc } = render(props);
    expect(doc.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('migrate');
  });

  test('the same spec gives the same name; an edit gives a new one', () => {
    const a = render(props).job.name;
    expect(render(props).job.name).toBe(a);
    expect(render({ ...props, labels: { b: '2', a: '1' } }).job.name).toBe(render({ ...props, labels: { a: '1', b: '2' } }).job.name);
    expect(render({ ...props, containers: [{ ...perl, image: 'perl:5.36.0' }] }).job.name).not.toBe(a);
    expect(render({ ...props, backoffLimit: 2 }).job.name).not.toBe(a);
  });

  test('suspend does not change the name: resuming must patch the same Job', () => {
    const { job, doc } = render({ ...props, suspend: true });
    expect(job.name).toBe(render(props).job.name);
    expect(doc.spec.suspend).toBe(true);
  });

  test('annotations stay on the hashed Job', () => {
    expect(render({ ...props, annotations: { 'argocd.argoproj.io/sync-options': 'Replace=true' } }).doc.metadata.annotations)
      .toEqual({ 'argocd.argoproj.io/sync-options': 'Replace=true' });
  });

  test('a 54-character base fits in 63 with the suffix; 55 does not', () => {
    const base = 'a'.repeat(54);
    expect(render({ ...props, name: base }).job.name).toHaveLength(63);
    expect(renderError({ ...props, name: `${base}b` }))
      .toBe(`[test/job] name "${base}b": must be at most 54 characters with hashedName, which appends 9 (it has 55); try "${base}"`);
  });
});

describe('bad input', () => {
  test.each<[string, Partial<BatchJobProps>, string]>([
    ['restartPolicy Always', { restartPolicy: 'Always' as JobRestartPolicy },
      '[test/job] restartPolicy "Always": Jobs need pods that finish, so Kubernetes rejects restartPolicy Always for Jobs; use JobRestartPolicy.NEVER (failed pods are replaced, up to backoffLimit) or JobRestartPolicy.ON_FAILURE, or a StatelessApp for a long-running process'],
    ['an unknown restartPolicy', { restartPolicy: 'Sometimes' as JobRestartPolicy },
      '[test/job] restartPolicy "Sometimes": must be Never or OnFailure; use JobRestartPolicy.NEVER or JobRestartPolicy.ON_FAILURE'],
    ['negative backoffLimit', { backoffLimit: -1 }, '[test/job] backoffLimit -1: must be a whole number from 0 to 2147483647; use 0 or a positive whole number'],
    ['fractional completions', { completions: 1.5 }, '[test/job] completions 1.5: must be a whole number from 0 to 2147483647'],
    ['negative parallelism', { parallelism: -2 }, '[test/job] parallelism -2: must be a whole number from 0 to 2147483647'],
    ['activeDeadlineSeconds 0', { activeDeadlineSeconds: 0 }, '[test/job] activeDeadlineSeconds 0: must be a whole number from 1 to 2147483647; use a positive whole number'],
    ['negative ttlSecondsAfterFinished', { ttlSecondsAfterFinished: -1 }, '[test/job] ttlSecondsAfterFinished -1: must be a whole number from 0'],
    ['an unknown completionMode', { completionMode: 'Batched' as CompletionMode },
      '[test/job] completionMode "Batched": must be NonIndexed or Indexed; use CompletionMode.NON_INDEXED or CompletionMode.INDEXED'],
    ['Indexed without completions', { completionMode: CompletionMode.INDEXED },
      '[test/job] completions (unset): Indexed Jobs need completions (the number of indexes); set completions, e.g. 5 for indexes 0-4'],
    ['Indexed parallelism above 100000', { completionMode: CompletionMode.INDEXED, completions: 200_000, parallelism: 100_001 },
      '[test/job] parallelism 100001: must be at most 100000 for Indexed Jobs; use 100000 or less'],
    ['an upper-case name', { name: 'Pi' }, '[test/job] name "Pi": must be a DNS-1123 label'],
    ['a name longer than 63', { name: 'a'.repeat(64) }, `[test/job] name "${'a'.repeat(64)}": DNS-1123 label must be at most 63 characters (it has 64)`],
    ['a label the Job controller sets', { labels: { 'job-name': 'x' } },
      '[test/job] labels key "job-name": is set by the Job controller on every pod it creates; use another label key'],
    ['a pod label the Job controller sets', { podLabels: { 'batch.kubernetes.io/job-completion-index': '0' } },
      '[test/job] podLabels key "batch.kubernetes.io/job-completion-index": is set by the Job controller'],
    ['a selector label the Job controller sets', { selectorLabels: { 'controller-uid': 'x' } }, '[test/job] selectorLabels key "controller-uid": is set by the Job controller'],
    ['no containers', { containers: [] }, '[test/job] containers []: a pod needs at least one container; add a container'],
  ])('%s', (_, props, message) => {
    expect(renderError(props)).toContain(message);
  });

  test('parallelism above completions is valid (the API server accepts it; the controller runs no more pods than it needs)', () => {
    expect(render({ completions: 2, parallelism: 5 }).doc.spec).toMatchObject({ completions: 2, parallelism: 5 });
  });

  test('Indexed host names: 63 characters pass, 64 fail', () => {
    expect(render({ name: 'a'.repeat(60), completionMode: CompletionMode.INDEXED, completions: 100 }).doc.spec.completions).toBe(100);
    expect(renderError({ name: 'a'.repeat(61), completionMode: CompletionMode.INDEXED, completions: 100 }))
      .toBe(`[test/job] name "${'a'.repeat(61)}": pod host names of this Indexed Job ("<job name>-99") would have 64 characters, more than the 63 of a DNS label; shorten the name by 1 characters`);
  });

  const exitCodes = (values: number[], operator = ExitCodeOperator.IN, containerName?: string) =>
    [PodFailurePolicyRule.onExitCodes({ action: PodFailureAction.FAIL_JOB, operator, values, containerName })];

  test.each<[string, Partial<BatchJobProps>, string]>([
    ['with OnFailure', { restartPolicy: JobRestartPolicy.ON_FAILURE, podFailurePolicy: exitCodes([1]) },
      '[test/job] restartPolicy "OnFailure": podFailurePolicy only works with restartPolicy Never (with OnFailure the kubelet restarts containers in place, so pods never fail); use JobRestartPolicy.NEVER or drop podFailurePolicy'],
    ['without rules', { podFailurePolicy: [] }, '[test/job] podFailurePolicy "0 rules": needs 1 to 20 rules; leave podFailurePolicy unset'],
    ['with 21 rules', { podFailurePolicy: Array.from({ length: 21 }, () => PodFailurePolicyRule.ignoreDisruptions()) },
      '[test/job] podFailurePolicy "21 rules": needs 1 to 20 rules; merge rules'],
    ['exit code 0 with In', { podFailurePolicy: exitCodes([1, 0]) },
      '[test/job] podFailurePolicy[0].values[1] 0: exit code 0 is success and never matches In; remove 0 (or use NOT_IN)'],
    ['a duplicate exit code', { podFailurePolicy: exitCodes([3, 4, 3]) }, '[test/job] podFailurePolicy[0].values[2] 3: is listed twice; remove the duplicate'],
    ['a fractional exit code', { podFailurePolicy: exitCodes([1.5]) }, '[test/job] podFailurePolicy[0].values[0] 1.5: exit codes are whole numbers from 0 to 255'],
    ['no exit codes', { podFailurePolicy: exitCodes([]) }, '[test/job] podFailurePolicy[0].values []: needs 1 to 255 exit codes (has 0); list the exit codes'],
    ['256 exit codes', { podFailurePolicy: exitCodes(Array.from({ length: 256 }, (_, i) => i + 1)) },
      'needs 1 to 255 exit codes (has 256); use NOT_IN with the codes that remain'],
    ['an unknown container', { podFailurePolicy: exitCodes([1], ExitCodeOperator.IN, 'perl') },
      '[test/job] podFailurePolicy[0].containerName "perl": names no container or init container of the pod; use one of "pi"'],
    ['an unknown operator', { podFailurePolicy: exitCodes([1], 'Exists' as ExitCodeOperator) },
      '[test/job] podFailurePolicy[0].operator "Exists": must be one of In, NotIn; use ExitCodeOperator.IN or NOT_IN'],
    ['the alpha FailIndex action', { podFailurePolicy: [PodFailurePolicyRule.onExitCodes({ action: 'FailIndex' as PodFailureAction, operator: ExitCodeOperator.IN, values: [1] })] },
      '[test/job] podFailurePolicy[0].action "FailIndex": must be one of FailJob, Ignore, Count (FailIndex is alpha in Kubernetes 1.28); use PodFailureAction.FAIL_JOB, IGNORE or COUNT'],
    ['no conditions', { podFailurePolicy: [PodFailurePolicyRule.onPodConditions({ action: PodFailureAction.IGNORE, conditions: [] })] },
      '[test/job] podFailurePolicy[0].conditions []: needs 1 to 20 conditions (has 0)'],
    ['21 conditions', { podFailurePolicy: [PodFailurePolicyRule.onPodConditions({ action: PodFailureAction.IGNORE, conditions: Array.from({ length: 21 }, () => ({ conditionType: 'DisruptionTarget' })) })] },
      'needs 1 to 20 conditions (has 21)'],
    ['a condition type that is not a qualified name', { podFailurePolicy: [PodFailurePolicyRule.onPodConditions({ action: PodFailureAction.IGNORE, conditions: [{ conditionType: 'Disruption Target' }] })] },
      '[test/job] podFailurePolicy[0].conditions[0].conditionType "Disruption Target": the name part must be'],
    ['an unknown condition status', { podFailurePolicy: [PodFailurePolicyRule.onPodConditions({ action: PodFailureAction.IGNORE, conditions: [{ conditionType: 'Ready', status: 'Yes' as PodConditionStatus }] })] },
      '[test/job] podFailurePolicy[0].conditions[0].status "Yes": must be one of True, False, Unknown; use PodConditionStatus.TRUE'],
  ])('podFailurePolicy %s', (_, props, message) => {
    expect(renderError(props)).toContain(message);
  });
});
