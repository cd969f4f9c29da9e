import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { DnsSmokeTest, DnsSmokeTestProps, IDnsNamed, WorkloadServiceType, SmokeTarget, StatelessApp } from '../src';
import { errorOf, only, synthValid, tempDir, testChart } from './util';

/** What a StatefulApp `web` with 2 replicas under Service `web` in `default` exposes. */
const stateful: IDnsNamed = {
  serviceDnsName: 'web.default.svc.cluster.local',
  podDnsNames: ['web-0.web.default.svc.cluster.local', 'web-1.web.default.svc.cluster.local'],
};

function render(props: Partial<DnsSmokeTestProps> = {}) {
  const chart = testChart({ namespace: 'tests' });
  const smoke = new DnsSmokeTest(chart, 'web-smoke', { targets: [SmokeTarget.of(stateful, { httpPort: 80 })], ...props });
  return { smoke, job: only(synthValid(chart), 'Job') };
}

function renderError(props: Partial<DnsSmokeTestProps>): string {
  return errorOf(() => render(props));
}

/**
 * Runs a generated script with stand-ins for busybox's nslookup and wget that fail for every
 * argument containing "bad", and records each call.
 */
function runScript(script: string): { status: number | null; stdout: string; calls: string[] } {
  const bin = tempDir('smoke-bin');
  const log = path.join(bin, 'calls.log');
  for (const tool of ['nslookup', 'wget']) {
    fs.writeFileSync(path.join(bin, tool), [
      '#!/bin/sh',
      `echo "${tool} $*" >> '${log}'`,
      'case "$*" in *bad*) echo "can\'t resolve $*"; exit 1;; esac',
      'echo "answer for $*"',
    ].join('\n'), { mode: 0o755 });
  }
  const result = spawnSync('/bin/sh', ['-c', script], { env: { PATH: `${bin}:/usr/bin:/bin` }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, calls: fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [] };
}

describe('a StatefulApp-like target with an HTTP port', () => {
  const { smoke, job } = render();
  const pod = job.spec.template.spec;
  const [container] = pod.containers;

  test('a batch/v1 Job that never restarts in place, retries a few times and is kept', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.metadata.name).toBe('web-smoke');
    expect(job.metadata.namespace).toBe('tests');
    expect(job.spec.backoffLimit).toBe(3);
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.spec.selector).toBeUndefined();
    expect(pod.restartPolicy).toBe('Never');
  });

  test('busybox 1.28.4 with no privileges', () => {
    expect(container.image).toBe('busybox:1.28.4');
    expect(container.command).toEqual(['/bin/sh', '-c', smoke.script]);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
    });
    expect(pod.hostNetwork).toBeUndefined();
    expect(container.resources).toEqual({ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } });
  });

  test('resolves every pod and the service, fetches every pod', () => {
    expect(smoke.lookups).toEqual([
      'web-0.web.default.svc.cluster.local',
      'web-1.web.default.svc.cluster.local',
      'web.default.svc.cluster.local',
    ]);
    expect(smoke.urls).toEqual(['http://web-0.web.default.svc.cluster.local:80/', 'http://web-1.web.default.svc.cluster.local:80/']);
  });

  test('the script runs every check and passes when all succeed', () => {
    const run = runScript(smoke.script);
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      'nslookup web-0.web.default.svc.cluster.local',
      'nslookup web-1.web.default.svc.cluster.local',
      'nslookup web.default.svc.cluster.local',
      'wget -q -O- -T 5 http://web-0.web.default.svc.cluster.local:80/',
      'wget -q -O- -T 5 http://web-1.web.default.svc.cluster.local:80/',
    ]);
    expect(run.stdout).toContain('all 5 checks passed');
  });

  test('the script is deterministic', () => {
    expect(render().smoke.script).toBe(smoke.script);
  });
});

test('the script keeps going after a failure, reports each one and exits non-zero', () => {
  const chart = testChart();
  const smoke = new DnsSmokeTest(chart, 'mixed', {
    targets: [SmokeTarget.hosts(['good.default.svc.cluster.local', 'bad.default.svc.cluster.local'], { httpPort: 8080, httpPath: '/healthz' })],
    httpTimeoutSeconds: 2,
  });
  synthValid(chart);
  const run = runScript(smoke.script);
  expect(run.status).toBe(1);
  expect(run.calls).toEqual([
    'nslookup good.default.svc.cluster.local',
    'nslookup bad.default.svc.cluster.local',
    'wget -q -O- -T 2 http://good.default.svc.cluster.local:8080/healthz',
    'wget -q -O- -T 2 http://bad.default.svc.cluster.local:8080/healthz',
  ]);
  expect(run.stdout).toContain('FAIL: nslookup bad.default.svc.cluster.local\ncan\'t resolve bad.default.svc.cluster.local');
  expect(run.stdout).toContain('ok: nslookup good.default.svc.cluster.local');
  expect(run.stdout).toContain('2 of 4 checks failed');
  expect(run.stdout).not.toContain('answer for');
});

test('a single failing lookup alone fails the Job', () => {
  const chart = testChart();
  const smoke = new DnsSmokeTest(chart, 'one', { targets: [SmokeTarget.hosts(['bad.example'])] });
  synthValid(chart);
  expect(runScript(smoke.script).status).toBe(1);
});

test('a StatelessApp has no pod names: its Service is resolved and fetched', () => {
  const chart = testChart();
  const app = new StatelessApp(chart, 'front', {
    containers: [{ name: 'nginx', image: 'nginx:1.15.4', ports: [{ number: 8080, name: 'http' }] }],
    service: { serviceType: WorkloadServiceType.CLUSTER_IP },
  });
  const smoke = new DnsSmokeTest(chart, 'front-smoke', { targets: [SmokeTarget.service(app, { httpPort: 8080 })] });
  synthValid(chart);
  expect(smoke.lookups).toEqual(['front.default.svc.cluster.local']);
  expect(smoke.urls).toEqual(['http://front.default.svc.cluster.local:8080/']);
});

test('DNS only without a port; names shared by two targets are checked once', () => {
  const { smoke } = render({ targets: [SmokeTarget.of(stateful), SmokeTarget.hosts(['web.default.svc.cluster.local', 'kubernetes.default'])] });
  expect(smoke.urls).toEqual([]);
  expect(smoke.lookups).toEqual([
    'web-0.web.default.svc.cluster.local',
    'web-1.web.default.svc.cluster.local',
    'web.default.svc.cluster.local',
    'kubernetes.default',
  ]);
  expect(smoke.script).not.toContain('wget');
});

test('every prop', () => {
  const { smoke, job } = render({
    name: 'check-web',
    namespace: 'qa',
    labels: { suite: 'smoke' },
    annotations: { 'example.com/owner': 'sre' },
    image: 'registry.example.com/busybox:1.28.4',
    backoffLimit: 0,
    ttlSecondsAfterFinished: 600,
    httpTimeoutSeconds: 10,
    resources: { memoryLimit: '64Mi' },
  });
  expect(smoke.name).toBe('check-web');
  expect(job.metadata).toMatchObject({ name: 'check-web', namespace: 'qa', labels: { suite: 'smoke' }, annotations: { 'example.com/owner': 'sre' } });
  expect(job.spec.backoffLimit).toBe(0);
  expect(job.spec.ttlSecondsAfterFinished).toBe(600);
  expect(job.spec.template.metadata.labels).toMatchObject({ 'suite': 'smoke', 'app.kubernetes.io/name': 'check-web' });
  const [container] = job.spec.template.spec.containers;
  expect(container.image).toBe('registry.example.com/busybox:1.28.4');
  expect(container.resources.limits.memory).toBe('64Mi');
  expect(smoke.script).toContain("check wget -q -O- -T 10 'http://web-0.web.default.svc.cluster.local:80/'");
});

test.each<[string, Partial<DnsSmokeTestProps>, string]>([
  ['no targets', { targets: [] }, '[test/web-smoke] targets []: a smoke test needs at least one target; add SmokeTarget.of(app) or SmokeTarget.hosts([...])'],
  ['a target without names', { targets: [SmokeTarget.hosts([])] },
    '[test/web-smoke] targets[0] []: a target needs at least one host name; give host names, or a workload with a Service'],
  ['a host name with a quote', { targets: [SmokeTarget.hosts(["web'; reboot"])] },
    '[test/web-smoke] targets[0].hostNames[0] "web\'; reboot": must be a DNS-1123 subdomain (lower case letters, digits, \'-\' and \'.\'); try "web-reboot"'],
  ['an HTTP port of 0', { targets: [SmokeTarget.of(stateful, { httpPort: 0 })] },
    '[test/web-smoke] targets[0].httpPort 0: must be a whole number from 1 to 65535; use a port between 1 and 65535'],
  ['a path without a port', { targets: [SmokeTarget.of(stateful, { httpPath: '/healthz' })] },
    '[test/web-smoke] targets[0].httpPath "/healthz": only applies with an httpPort; set httpPort, or drop httpPath'],
  ['a path with a space', { targets: [SmokeTarget.of(stateful, { httpPort: 80, httpPath: '/a b' })] },
    '[test/web-smoke] targets[0].httpPath "/a b": must start with "/" and hold no spaces, quotes or backslashes; percent-encode them, e.g. "/health%20check"'],
  ['a relative path', { targets: [SmokeTarget.of(stateful, { httpPort: 80, httpPath: 'healthz' })] },
    '[test/web-smoke] targets[0].httpPath "healthz": must start with "/" and hold no spaces, quotes or backslashes; percent-encode them, e.g. "/health%20check"'],
  ['a negative backoffLimit', { backoffLimit: -1 }, '[test/web-smoke] backoffLimit -1: must be a whole number from 0 to 2147483647; use 0 or a positive whole number'],
  ['a negative ttl', { ttlSecondsAfterFinished: -1 }, '[test/web-smoke] ttlSecondsAfterFinished -1: must be a whole number from 0 to 2147483647; use 0 or a positive whole number'],
  ['an HTTP timeout of 0', { httpTimeoutSeconds: 0 }, '[test/web-smoke] httpTimeoutSeconds 0: must be a whole number from 1 to 300; use a value between 1 and 300'],
  ['an invalid image', { image: 'BusyBox' }, '[test/web-smoke] image "BusyBox": is not a valid image reference; use "registry/name:tag", e.g. "nginx:1.25.3"'],
  ['an invalid name', { name: 'Smoke_Test' },
    '[test/web-smoke] name "Smoke_Test": must be a DNS-1123 label (lower case letters, digits and \'-\', starting and ending with a letter or digit); try "smoke-test"'],
])('rejects %s', (_, props, message) => {
  expect(renderError(props)).toBe(message);
});

test('a StatelessApp without a Service cannot be a target', () => {
  const chart = testChart();
  const app = new StatelessApp(chart, 'worker', { containers: [{ name: 'w', image: 'busybox:1.28.4' }] });
  expect(errorOf(() => {
    new DnsSmokeTest(chart, 'smoke', { targets: [SmokeTarget.service(app)] });
    Testing.synth(chart);
  })).toBe('[test/smoke] targets[0] []: a target needs at least one host name; give host names, or a workload with a Service');
});
