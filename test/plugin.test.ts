import * as fs from 'fs';
import * as path from 'path';
import { ValidationContext } from 'cdk8s-cli/plugins';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { errorOf, Manifest, parseYamlDocuments, synthValid, tempDir, testChart } from './util';
import { ContainerSecurity, PolicyChecker, PolicyPlugin, PolicySeverity, PolicyViolation } from '../src';
import { IPolicyValidationContext } from '../src/gitops/policy';
import { formatViolation } from '../src/gitops/policy/checker';
import { isSensitiveHostPath } from '../src/gitops/policy/rules';
import { buildPodTemplate } from '../src/pod/template';

const FIXTURES = path.join(__dirname, 'fixtures', 'plugin');
const GOOD = path.join(FIXTURES, 'good');
const BAD = path.join(FIXTURES, 'bad');
const DIST = path.join(__dirname, '..', 'dist');
const ALLOW = 'cdk8s-workloads.dev/allow-';

function read(file: string): Manifest[] {
  return parseYamlDocuments(fs.readFileSync(file, 'utf8'));
}

function filesIn(dir: string): Record<string, Manifest[]> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [path.join(dir, f), read(path.join(dir, f))]));
}

function badFixture(rule: string): { file: string; docs: Manifest[] } {
  const file = path.join(BAD, `${rule}.k8s.yaml`);
  return { file, docs: read(file) };
}

function check(byFile: Record<string, Manifest[]>, options = {}): PolicyViolation[] {
  return new PolicyChecker(options).check(byFile);
}

function ruleIds(violations: PolicyViolation[]): string[] {
  return [...new Set(violations.map((v) => v.ruleId))].sort();
}


/** What the bad fixture of each rule must produce. */
interface Expected {
  readonly object: string;
  readonly path: string;
  readonly severity: PolicySeverity;
  readonly message: string;
  readonly fix: string;
  /** Other rules the same defect necessarily breaks. */
  readonly alsoBreaks?: string[];
}

const DEPLOYMENT = 'Deployment shop/web';
const CONTAINER = 'spec.template.spec.containers[0]';
const EXPECTED: Record<string, Expected> = {
  'schema': { object: DEPLOYMENT, path: 'spec.replicas', severity: PolicySeverity.ERROR, message: 'must be integer', fix: 'Kubernetes API reference', alsoBreaks: ['strict-fields'] },
  'strict-fields': { object: DEPLOYMENT, path: `${CONTAINER}.imagePullPolicyy`, severity: PolicySeverity.ERROR, message: 'unknown field', fix: 'remove or correct the field' },
  'server-side': { object: 'DaemonSet kube-system/nginx-daemonSet', path: 'metadata.name', severity: PolicySeverity.ERROR, message: 'DNS-1123 subdomain', fix: 'try "nginx-daemonset"' },
  'cron-schedule': { object: 'CronJob shop/report', path: 'spec.schedule', severity: PolicySeverity.ERROR, message: 'CRON_TZ= prefixes are rejected', fix: 'set timeZone: "Europe/Berlin" and schedule: "0 3 * * *"' },
  'duplicate-object': { object: 'ConfigMap shop/settings', path: 'metadata.name', severity: PolicySeverity.ERROR, message: 'defined earlier in', fix: 'rename one of them' },
  'run-as-non-root': { object: DEPLOYMENT, path: `${CONTAINER}.securityContext`, severity: PolicySeverity.ERROR, message: 'container "web" may run as root', fix: 'runAsNonRoot: true' },
  'no-read-only-root-fs': { object: DEPLOYMENT, path: `${CONTAINER}.securityContext.readOnlyRootFilesystem`, severity: PolicySeverity.WARNING, message: 'writable root filesystem', fix: 'readOnlyRootFilesystem: true' },
  'privilege-escalation-container': { object: DEPLOYMENT, path: `${CONTAINER}.securityContext.allowPrivilegeEscalation`, severity: PolicySeverity.ERROR, message: 'allows privilege escalation', fix: 'allowPrivilegeEscalation: false' },
  'privileged-container': { object: DEPLOYMENT, path: `${CONTAINER}.securityContext.privileged`, severity: PolicySeverity.ERROR, message: 'is privileged', fix: 'remove privileged: true', alsoBreaks: ['privilege-escalation-container'] },
  'host-network': { object: 'DaemonSet kube-system/node-exporter', path: 'spec.template.spec.hostNetwork', severity: PolicySeverity.ERROR, message: 'hostNetwork: true', fix: 'remove hostNetwork' },
  'host-pid': { object: 'DaemonSet kube-system/node-exporter', path: 'spec.template.spec.hostPID', severity: PolicySeverity.ERROR, message: 'hostPID: true', fix: 'remove hostPID' },
  'host-ipc': { object: 'DaemonSet kube-system/node-exporter', path: 'spec.template.spec.hostIPC', severity: PolicySeverity.ERROR, message: 'hostIPC: true', fix: 'remove hostIPC' },
  'sensitive-host-mounts': { object: 'DaemonSet kube-system/log-agent', path: 'spec.template.spec.volumes[0].hostPath.path', severity: PolicySeverity.ERROR, message: '/var/run/docker.sock', fix: 'narrower host directory' },
  'latest-tag': { object: DEPLOYMENT, path: `${CONTAINER}.image`, severity: PolicySeverity.ERROR, message: '"nginx:latest"', fix: 'pin a version tag' },
  'unset-cpu-requirements': { object: DEPLOYMENT, path: `${CONTAINER}.resources`, severity: PolicySeverity.WARNING, message: 'no resources.requests.cpu and no resources.limits.cpu', fix: 'resources.requests.cpu (e.g. "100m") and resources.limits.cpu (e.g. "500m")' },
  'unset-memory-requirements': { object: DEPLOYMENT, path: `${CONTAINER}.resources`, severity: PolicySeverity.ERROR, message: 'no resources.limits.memory', fix: 'set resources.limits.memory (e.g. "256Mi")' },
  'no-liveness-probe': { object: DEPLOYMENT, path: `${CONTAINER}.livenessProbe`, severity: PolicySeverity.WARNING, message: 'no livenessProbe', fix: 'add a livenessProbe' },
  'no-readiness-probe': { object: DEPLOYMENT, path: `${CONTAINER}.readinessProbe`, severity: PolicySeverity.WARNING, message: 'no readinessProbe', fix: 'add a readinessProbe' },
  'dangling-service': { object: 'Service shop/web', path: 'spec.selector', severity: PolicySeverity.ERROR, message: 'app.kubernetes.io/name=wbe', fix: 'make the selector match' },
  'cluster-admin-binding': { object: 'ClusterRoleBinding ci-deployer', path: 'roleRef.name', severity: PolicySeverity.ERROR, message: 'grants cluster-admin', fix: 'only the verbs and resources' },
  'anonymous-binding': { object: 'RoleBinding shop/logs', path: 'subjects[0]', severity: PolicySeverity.ERROR, message: 'User system:anonymous', fix: 'bind a ServiceAccount' },
  'invalid-suppression': { object: DEPLOYMENT, path: `metadata.annotations.${ALLOW}latest-tag`, severity: PolicySeverity.ERROR, message: 'without a reason', fix: 'give the reason as the annotation value', alsoBreaks: ['latest-tag'] },
};

describe('the good fixture set', () => {
  test('passes every rule without a warning (custom resources and kustomization.yaml included)', () => {
    expect(check(filesIn(GOOD))).toEqual([]);
  });
});

describe('one bad fixture per rule', () => {
  test('every rule has a bad fixture and an expectation', () => {
    const ids = PolicyChecker.rules().map((r) => r.id).sort();
    expect(fs.readdirSync(BAD).map((f) => f.replace('.k8s.yaml', '')).sort()).toEqual(ids);
    expect(Object.keys(EXPECTED).sort()).toEqual(ids);
  });

  test.each(Object.entries(EXPECTED))('%s: names the rule, the object, the file, the field and the fix', (rule, expected) => {
    const { file, docs } = badFixture(rule);
    const violations = check({ [file]: docs });
    expect(ruleIds(violations)).toEqual([rule, ...(expected.alsoBreaks ?? [])].sort());
    const v = violations.find((x) => x.ruleId === rule)!;
    expect(v).toMatchObject({ object: expected.object, file, path: expected.path, severity: expected.severity });
    expect(v.message).toContain(expected.message);
    expect(v.fix).toContain(expected.fix);
    expect(v.suppressedBecause).toBeUndefined();
    expect(formatViolation(v)).toBe(`${expected.severity} ${rule} ${expected.object} (${file}) ${expected.path}: ${v.message}; fix: ${v.fix}`);
  });
});

describe('rule details', () => {
  const goodWeb = () => filesIn(GOOD)[path.join(GOOD, 'web.k8s.yaml')];
  const deploymentWith = (change: (d: Manifest) => void): Manifest => {
    const d = structuredClone(goodWeb().find((x) => x.kind === 'Deployment')!);
    change(d);
    return d;
  };

  test('run-as-non-root: a container-level runAsUser 0 overrides a non-root pod and is named as root', () => {
    const d = deploymentWith((x) => {
      x.spec.template.spec.securityContext.runAsNonRoot = true;
      x.spec.template.spec.containers[0].securityContext.runAsUser = 0;
      delete x.spec.template.spec.containers[0].securityContext.runAsNonRoot;
    });
    const [v] = check({ 'web.yaml': [d] });
    expect(v).toMatchObject({ ruleId: 'run-as-non-root', message: 'container "web" runs as user 0 (root)' });
  });

  test('run-as-non-root: the pod-level runAsNonRoot covers containers that set nothing', () => {
    const d = deploymentWith((x) => {
      x.spec.template.spec.securityContext.runAsNonRoot = true;
      delete x.spec.template.spec.containers[0].securityContext.runAsNonRoot;
      delete x.spec.template.spec.containers[0].securityContext.runAsUser;
    });
    expect(check({ 'web.yaml': [d] })).toEqual([]);
  });

  test('init containers are checked too, probes only on app containers', () => {
    const d = deploymentWith((x) => {
      x.spec.template.spec.initContainers = [{ name: 'init', image: 'busybox', command: ['true'] }];
    });
    const found = check({ 'web.yaml': [d] }).filter((v) => v.path.includes('initContainers'));
    expect(ruleIds(found)).toEqual(['latest-tag', 'no-read-only-root-fs', 'privilege-escalation-container', 'run-as-non-root',
      'unset-cpu-requirements', 'unset-memory-requirements']);
  });

  test('probes are not required of Jobs, CronJobs and bare Pods', () => {
    const { docs } = badFixture('cron-schedule');
    docs[0].spec.schedule = '0 3 * * *';
    expect(check({ 'batch.yaml': docs })).toEqual([]);
  });

  test('cron-schedule also checks timeZone', () => {
    const { docs } = badFixture('cron-schedule');
    docs[0].spec.schedule = '0 3 * * *';
    docs[0].spec.timeZone = 'Berlin';
    expect(check({ 'batch.yaml': docs })).toEqual([expect.objectContaining({ ruleId: 'cron-schedule', path: 'spec.timeZone', fix: 'try "Europe/Berlin"' })]);
  });

  test('dangling-service: a selector matching pods in another namespace dangles; Services without selector do not', () => {
    const web = goodWeb();
    const service = structuredClone(web.find((x) => x.kind === 'Service' && x.metadata.name === 'web')!);
    service.metadata.namespace = 'other';
    const headless = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external', namespace: 'other' }, spec: { ports: [{ port: 80 }] } };
    const found = check({ 'web.yaml': [...web, service, headless] }).filter((v) => v.ruleId === 'dangling-service');
    expect(found).toEqual([expect.objectContaining({ object: 'Service other/web' })]);
  });

  test('sensitive host paths: node system trees and runtime sockets, not ordinary data directories', () => {
    for (const p of ['/', '/etc', '/etc/kubernetes/pki', '/proc', '/sys/fs/cgroup', '/dev', '/var/lib/kubelet/pods', '/var/run/docker.sock', '/run/containerd/containerd.sock', '/root/', '/var/lib/docker']) {
      expect([p, isSensitiveHostPath(p)]).toEqual([p, true]);
    }
    for (const p of ['/var/log', '/var/lib/node-exporter', '/data', '/mnt/nfs', '/opt/agent', '/srv/www']) {
      expect([p, isSensitiveHostPath(p)]).toEqual([p, false]);
    }
  });

  test('custom resources skip the schema rules but not the others', () => {
    const cr = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'Web_TLS', namespace: 'shop' }, spec: { unknown: true } };
    expect(ruleIds(check({ 'cr.yaml': [cr] }))).toEqual(['server-side']);
  });

  test('removed built-in APIs fail (the tutorial\'s apps/v1beta1 StatefulSet)', () => {
    const sts = { apiVersion: 'apps/v1beta1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'shop' }, spec: {} };
    const found = check({ 'sts.yaml': [sts] }).filter((v) => v.ruleId === 'strict-fields');
    expect(found).toEqual([expect.objectContaining({ path: 'apiVersion', message: 'apps/v1beta1 StatefulSet is not served by Kubernetes 1.28' })]);
  });

  test('a document that is not an object is reported with its file and position', () => {
    expect(errorOf(() => check({ 'x.yaml': ['just text' as unknown as Manifest] }))).toBe('x.yaml: document 0 is not an object');
  });
});

describe('configuration', () => {
  test('the rule list documents every rule with its default severity', () => {
    const rules = PolicyChecker.rules();
    expect(rules.find((r) => r.id === 'host-pid')).toEqual({
      id: 'host-pid', defaultSeverity: PolicySeverity.ERROR, suppressible: true, description: expect.stringContaining('process namespace'),
    });
    expect(rules.filter((r) => !r.suppressible).map((r) => r.id)).toEqual(['schema', 'strict-fields', 'server-side', 'duplicate-object', 'invalid-suppression']);
  });

  test('disabled rules do not run', () => {
    const { file, docs } = badFixture('privileged-container');
    expect(check({ [file]: docs }, { disabledRules: ['privileged-container', 'privilege-escalation-container'] })).toEqual([]);
  });

  test('severities can be raised and lowered', () => {
    const probe = badFixture('no-liveness-probe');
    const latest = badFixture('latest-tag');
    const options = { severities: { 'no-liveness-probe': PolicySeverity.ERROR, 'latest-tag': PolicySeverity.WARNING } };
    const checker = new PolicyChecker(options);
    expect(checker.severityOf('no-liveness-probe')).toBe(PolicySeverity.ERROR);
    expect(checker.severityOf('host-pid')).toBe(PolicySeverity.ERROR);
    expect(() => checker.severityOf('host-pdi')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'ruleId', value: 'host-pdi' }));
    expect(() => checker.severityOf('host-pdi')).toThrow(/^\[PolicyChecker\.severityOf\] ruleId "host-pdi": is not a rule of the policy; use one of .*\bhost-pid\b/);
    expect(check({ [probe.file]: probe.docs }, options)).toEqual([expect.objectContaining({ ruleId: 'no-liveness-probe', severity: PolicySeverity.ERROR })]);
    expect(check({ [latest.file]: latest.docs }, options)).toEqual([expect.objectContaining({ ruleId: 'latest-tag', severity: PolicySeverity.WARNING })]);
  });

  test('unknown rule ids and severities are rejected with the field, the value and the fix', () => {
    expect(errorOf(() => new PolicyChecker({ disabledRules: ['latest'] })))
      .toMatch(/^\[cdk8s.yaml validations\[\].properties\] disabledRules\[0\] "latest": is not a rule; use one of: schema, .*latest-tag/);
    expect(errorOf(() => new PolicyChecker({ severities: { 'host-pid': 'fatal' as PolicySeverity } })))
      .toBe('[cdk8s.yaml validations[].properties] severities.host-pid "fatal": is not a severity; use "error" or "warning"');
    expect(errorOf(() => new PolicyChecker({ severities: { hostpid: PolicySeverity.ERROR } }))).toContain('severities "hostpid": is not a rule');
    expect(errorOf(() => new PolicyChecker({ disabledRules: 'latest-tag' as unknown as string[] }))).toContain('disabledRules "latest-tag": must be a list of rule ids');
  });
});

describe('the rules the API server enforces stay on', () => {
  test.each(['schema', 'strict-fields', 'server-side'])('%s cannot be disabled or downgraded app-wide, through the checker or the plugin', (id) => {
    expect(errorOf(() => new PolicyChecker({ disabledRules: ['no-liveness-probe', id] }))).toBe(
      `[cdk8s.yaml validations[].properties] disabledRules[1] "${id}": is a rule the Kubernetes API server enforces itself (it rejects such objects on apply), `
      + 'so it cannot be disabled; remove it from disabledRules and fix the objects it reports');
    expect(errorOf(() => new PolicyPlugin({ severities: { [id]: PolicySeverity.WARNING } }))).toBe(
      `[cdk8s.yaml validations[].properties] severities.${id} "warning": is a rule the Kubernetes API server enforces itself (it rejects such objects on apply), `
      + `so it cannot be downgraded to a warning; remove ${id} from severities and fix the objects it reports`);
    // The nearest accepted configuration: the same rule named as an error, which it is anyway.
    expect(new PolicyChecker({ severities: { [id]: PolicySeverity.ERROR } }).severityOf(id)).toBe(PolicySeverity.ERROR);
  });

  test('a removed API still fails with a configuration that tries to hide it', () => {
    const { file, docs } = badFixture('schema');
    expect(errorOf(() => check({ [file]: docs }, { disabledRules: ['schema'] }))).toContain('cannot be disabled');
    expect(check({ [file]: docs }, { disabledRules: ['no-liveness-probe'] }).map((v) => v.ruleId)).toContain('schema');
  });
});

describe('suppressions', () => {
  function latestTagWith(annotations: Record<string, string>): { file: string; docs: Manifest[] } {
    const { file, docs } = badFixture('latest-tag');
    docs[0].metadata.annotations = annotations;
    return { file, docs };
  }

  test('an annotation with a reason suppresses the rule on that object, and says why', () => {
    const { file, docs } = latestTagWith({ [`${ALLOW}latest-tag`]: 'mirror tags are immutable in our registry' });
    const violations = check({ [file]: docs });
    expect(violations).toEqual([expect.objectContaining({ ruleId: 'latest-tag', suppressedBecause: 'mirror tags are immutable in our registry' })]);
    expect(formatViolation(violations[0])).toMatch(/ \[suppressed: mirror tags are immutable in our registry\]$/);
  });

  test('it suppresses only the named rule', () => {
    const { file, docs } = latestTagWith({ [`${ALLOW}host-pid`]: 'not this one' });
    expect(check({ [file]: docs })).toEqual([expect.objectContaining({ ruleId: 'latest-tag', suppressedBecause: undefined })]);
  });

  test.each([
    ['an empty reason', `${ALLOW}latest-tag`, '', 'suppresses "latest-tag" without a reason'],
    ['a blank reason', `${ALLOW}latest-tag`, '   ', 'suppresses "latest-tag" without a reason'],
    ['an unknown rule', `${ALLOW}latest`, 'typo', 'names no rule "latest"'],
    ['a rule the API server enforces', `${ALLOW}schema`, 'please', 'rule "schema" cannot be suppressed per object (the API server rejects the object anyway)'],
  ])('%s is itself a violation and suppresses nothing', (_case, key, value, message) => {
    const { file, docs } = latestTagWith({ [key]: value });
    const violations = check({ [file]: docs });
    expect(violations).toEqual([
      expect.objectContaining({ ruleId: 'latest-tag', suppressedBecause: undefined }),
      expect.objectContaining({ ruleId: 'invalid-suppression', severity: PolicySeverity.ERROR, path: `metadata.annotations.${key}`, message }),
    ]);
  });

  test('the pod layer\'s runs-as-root annotation (ContainerSecurity.runAsRoot) justifies run-as-non-root for that container', () => {
    const chart = testChart();
    const scope = new Construct(chart, 'web');
    const template = buildPodTemplate(scope, {
      containers: [
        { name: 'nginx', image: 'nginx:1.15.4', security: ContainerSecurity.runAsRoot({ reason: 'nginx 1.15 master process runs as root' }) },
        { name: 'sidecar', image: 'busybox:1.28.4' },
      ],
    }, { selectorLabels: { 'app.kubernetes.io/name': 'web' }, labels: { 'app.kubernetes.io/name': 'web' }, restartPolicy: 'Always' });
    new k8s.KubePod(scope, 'Resource', { metadata: { name: 'web', ...template.metadata }, spec: template.spec });
    const docs = synthValid(chart);
    const violations = check({ 'web.yaml': docs });
    expect(violations.map((v) => [v.ruleId, v.path, v.suppressedBecause])).toEqual([
      ['run-as-non-root', 'spec.containers[0].securityContext', 'nginx 1.15 master process runs as root'],
      ['no-read-only-root-fs', 'spec.containers[0].securityContext.readOnlyRootFilesystem', undefined],
    ]);
  });
});

/** cdk8s-cli's own ValidationContext, as `cdk8s synth` builds it for a plugin. */
function cliContext(files: string[]): ValidationContext {
  return new ValidationContext(files, 'cdk8s-workloads', '0.0.0', {}, false);
}

describe('PolicyPlugin in cdk8s-cli\'s ValidationContext', () => {
  async function run(files: string[], props = {}) {
    const context = cliContext(files);
    const logs: string[] = [];
    jest.spyOn(context.logger, 'log').mockImplementation((m) => { logs.push(m); });
    await new PolicyPlugin(props).validate(context as unknown as IPolicyValidationContext);
    return { report: context.report.toJson(), success: context.report.success, logs, text: context.report.toString() };
  }

  test('errors fail the report; each violation names rule and severity, object, file, field and fix', async () => {
    const { file } = badFixture('host-pid');
    const { report, success, text } = await run([file]);
    expect(success).toBe(false);
    expect(report.summary.metadata).toEqual({ errors: '1', warnings: '0', suppressed: '0' });
    expect(report.violations).toEqual([{
      ruleName: 'host-pid (error)',
      recommendation: 'DaemonSet kube-system/node-exporter: the pod sets hostPID: true (it sees and can signal every process on the node)',
      fix: 'remove hostPID, or suppress with a reason if the workload is a node agent that needs it',
      violatingConstructs: [{ resourceName: 'node-exporter', locations: ['spec.template.spec.hostPID'], manifestPath: file, constructPath: undefined }],
    }]);
    expect(text).toContain(`Manifest Path: ${file}`);
  });

  test('warnings are reported but pass', async () => {
    const { file } = badFixture('no-readiness-probe');
    const { report, success } = await run([file]);
    expect(success).toBe(true);
    expect(report.violations.map((v) => v.ruleName)).toEqual(['no-readiness-probe (warning)']);
  });

  test('the good set passes; kustomization.yaml is not a cluster object', async () => {
    const files = fs.readdirSync(GOOD).map((f) => path.join(GOOD, f));
    const { report, success, logs } = await run(files);
    expect(success).toBe(true);
    expect(report.violations).toEqual([]);
    expect(logs).toEqual(['cdk8s-workloads policy: 0 error(s), 0 warning(s), 0 suppressed']);
  });

  test('suppressed violations pass and are logged with their reason', async () => {
    const dir = tempDir('policy');
    const docs = read(path.join(BAD, 'host-pid.k8s.yaml'));
    docs[0].metadata.annotations = { [`${ALLOW}host-pid`]: 'node exporter reads host processes' };
    const file = path.join(dir, 'agent.k8s.yaml');
    fs.writeFileSync(file, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
    const { success, logs, report } = await run([file]);
    expect(success).toBe(true);
    expect(report.violations).toEqual([]);
    expect(logs[0]).toBe(`suppressed: error host-pid DaemonSet kube-system/node-exporter (${file}) spec.template.spec.hostPID: `
      + 'the pod sets hostPID: true (it sees and can signal every process on the node); '
      + 'fix: remove hostPID, or suppress with a reason if the workload is a node agent that needs it [suppressed: node exporter reads host processes]');
  });

  test('says when construct-metadata.json sits next to the manifests', async () => {
    const dir = tempDir('policy');
    fs.copyFileSync(path.join(GOOD, 'batch.k8s.yaml'), path.join(dir, 'batch.k8s.yaml'));
    fs.writeFileSync(path.join(dir, 'construct-metadata.json'), '{"version":"1.0.0","resources":{}}');
    const { logs } = await run([path.join(dir, 'batch.k8s.yaml')]);
    expect(logs).toContainEqual(expect.stringContaining('CDK8S_RECORD_CONSTRUCT_METADATA=false'));
  });

  test('a manifest that cannot be checked fails the report instead of crashing the CLI', async () => {
    const dir = tempDir('policy');
    const file = path.join(dir, 'broken.k8s.yaml');
    fs.writeFileSync(file, '- a list\n- not an object\n');
    const { success, report } = await run([file]);
    expect(success).toBe(false);
    expect(report.summary.metadata).toEqual({ error: `${file}: document 0 is not an object` });
  });

  test('properties are validated when cdk8s-cli constructs the plugin', () => {
    expect(errorOf(() => new PolicyPlugin({ disabledRules: ['no-such-rule'] }))).toContain('disabledRules[0] "no-such-rule": is not a rule');
  });
});

describe('the synth app\'s dist/', () => {
  const files = fs.readdirSync(DIST).filter((f) => f.endsWith('.yaml')).sort();
  const violations = check(Object.fromEntries(files.map((f) => [`dist/${f}`, read(path.join(DIST, f))])));

  test('has no unsuppressed error', () => {
    expect(files.length).toBeGreaterThan(0);
    const errors = violations.filter((v) => v.severity === PolicySeverity.ERROR && !v.suppressedBecause).map(formatViolation);
    expect(errors).toEqual([]);
  });
});
