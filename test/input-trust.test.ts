import * as fs from 'fs';
import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import {
  AccessMode, AppSynthesizer, ChangeGuard, ContainerSecurity, CoreDnsAddon, CoreDnsAddonProps, HostAccess, HostPathType, KubeletApiAccess,
  KubeletApiAccessProps, NfsVolumeSet, NodeAgent, PlanOutput, PodContainerProps, PodEnvValue, PodVolume, PolicyChecker, PolicySeverity, ScheduledJob,
  StatefulApp, StatelessApp, WorkloadsError,
} from '../src';
import { errorOf, Manifest, synthValid, tempDir, testChart } from './util';

// The input-trust rules of issue 25, one describe per class: each with the bad side (refused, with path, field,
// value and fix) and the valid side (accepted).

const WHY = 'the vendor ships only a rolling tag for this debug tool';

function policyErrors(docs: Manifest[]): string[] {
  return new PolicyChecker().check({ 'test.k8s.yaml': docs })
    .filter((v) => v.severity === PolicySeverity.ERROR && !v.suppressedBecause)
    .map((v) => v.ruleId);
}
function suppressed(docs: Manifest[]): Record<string, string> {
  return Object.fromEntries(new PolicyChecker().check({ 'test.k8s.yaml': docs })
    .filter((v) => v.suppressedBecause).map((v) => [v.ruleId, v.suppressedBecause!]));
}

describe('1. a reason stated once satisfies the construct and every policy route', () => {
  const agent = (reasons: boolean) => (chart: Chart) => new NodeAgent(chart, 'agent', {
    containers: [{
      name: 'agent',
      image: reasons ? 'example.com/agent:latest' : 'example.com/agent:1.0.0',
      unpinnedImageReason: reasons ? WHY : undefined,
      volumeMounts: [{ volume: 'sock', mountPath: '/run/containerd/containerd.sock' }],
      resources: { cpuRequest: '50m', cpuLimit: '100m', memoryRequest: '64Mi', memoryLimit: '128Mi' },
    }],
    volumes: [PodVolume.hostPath('sock', '/run/containerd/containerd.sock', HostPathType.SOCKET, reasons ? { reason: 'the agent lists containers through the runtime' } : {})],
    hostPid: HostAccess.granted({ reason: 'the agent reads every process of the node' }),
    hostNetwork: HostAccess.granted({ reason: 'the agent reports the node network counters' }),
  });

  test('with the reasons: PolicyChecker passes, each rule suppressed with the construct\'s own reason text', () => {
    const chart = testChart();
    agent(true)(chart);
    const docs = synthValid(chart);
    expect(policyErrors(docs)).toEqual([]);
    expect(suppressed(docs)).toMatchObject({
      'latest-tag': WHY,
      'sensitive-host-mounts': 'the agent lists containers through the runtime',
      'host-pid': 'the agent reads every process of the node',
      'host-network': 'the agent reports the node network counters',
    });
  });

  test('with the reasons: AppSynthesizer with policy: {} writes', () => {
    const app = new App();
    agent(true)(new Chart(app, 'agents'));
    const outdir = tempDir('trust-1');
    const result = AppSynthesizer.synth(app, { outdir, policy: {}, planOutput: PlanOutput.NONE });
    expect(result.files.map((f) => f.fileName)).toContain('agents.k8s.yaml');
  });

  test('without the reasons: the construct refuses (and the policy would, on the same manifest)', () => {
    expect(errorOf(() => { const c = testChart(); agent(false)(c); Testing.synth(c); }))
      .toMatch(/volumeMounts\[0\]\.readOnly false: mounts the sensitive host path \/run\/containerd\/containerd\.sock writable/);
    const unjustified: Manifest = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'a', namespace: 'x' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { hostPID: true, containers: [{ name: 'c', image: 'x:latest' }] } } },
    };
    expect(policyErrors([unjustified])).toEqual(expect.arrayContaining(['host-pid', 'latest-tag']));
  });

  test('a reason for one container does not suppress the rule for another', () => {
    const chart = testChart();
    new StatelessApp(chart, 'w', {
      containers: [
        { name: 'a', image: 'busybox:latest', unpinnedImageReason: WHY },
        { name: 'b', image: 'busybox:latest', unpinnedImageReason: WHY },
      ],
    });
    const docs = Testing.synth(chart);
    const deployment = docs.find((d: Manifest) => d.kind === 'Deployment');
    delete deployment.spec.template.metadata.annotations['cdk8s-workloads.dev/reason.unpinned-image.b'];
    expect(new PolicyChecker().check({ f: [deployment] }).filter((v) => v.ruleId === 'latest-tag').map((v) => [v.path, v.suppressedBecause]))
      .toEqual([['spec.template.spec.containers[0].image', WHY], ['spec.template.spec.containers[1].image', undefined]]);
  });
});

describe('2. the API server\'s ranges hold on the final manifest, whatever produced it', () => {
  function appWith(patch: (w: StatelessApp) => void): App {
    const app = new App();
    const chart = new Chart(app, 'web');
    const w = new StatelessApp(chart, 'web', { containers: [{ name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] }], replicas: 2 });
    patch(w);
    return app;
  }

  test.each([
    ['negative replicas', JsonPatch.replace('/spec/replicas', -1), 'spec.replicas must be from 0 to 2147483647, got -1'],
    ['negative revisionHistoryLimit', JsonPatch.add('/spec/revisionHistoryLimit', -5), 'spec.revisionHistoryLimit must be from 0'],
    ['a file mode beyond 0777', JsonPatch.add('/spec/template/spec/volumes', [{ name: 'v', secret: { secretName: 's', defaultMode: 1000 } }]), 'defaultMode must be from 0 to 0777 (511), got 1000'],
    ['a negative fsGroup', JsonPatch.add('/spec/template/spec/securityContext/fsGroup', -3), 'securityContext.fsGroup must be from 0'],
    ['a liveness successThreshold of 2', JsonPatch.add('/spec/template/spec/containers/0/livenessProbe', { tcpSocket: { port: 8080 }, successThreshold: 2 }), 'must be 1 for a livenessProbe'],
  ])('%s via addJsonPatch: AppSynthesizer and PolicyChecker refuse', (_, patch, message) => {
    const app = appWith((w) => w.deployment.addJsonPatch(patch));
    expect(errorOf(() => AppSynthesizer.render(app))).toContain(message);
    const rendered = AppSynthesizer.render(appWith(() => undefined));
    expect(rendered.length).toBeGreaterThan(0);
    const docs = Testing.synth(app.node.children[0] as Chart);
    const found = new PolicyChecker().check({ f: docs }).filter((v) => v.severity === PolicySeverity.ERROR && ['schema', 'server-side'].includes(v.ruleId));
    expect(found.map((v) => `${v.path} ${v.message}`).join('\n')).toContain(message.replace(/^spec\.\S+ /, ''));
  });

  test('resource amounts: negative, or a request above its limit, are refused by the policy route on any manifest', () => {
    const deployment = (resources: Manifest): Manifest => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'w', namespace: 'x' },
      spec: { selector: { matchLabels: { a: 'w' } }, template: { metadata: { labels: { a: 'w' } }, spec: { containers: [{ name: 'c', image: 'x:1', resources }] } } },
    });
    const apiErrors = (m: Manifest) => new PolicyChecker().check({ f: [m] }).filter((v) => ['schema', 'server-side'].includes(v.ruleId)).map((v) => `${v.path} ${v.message}`);
    expect(apiErrors(deployment({ limits: { memory: '-1Gi' } }))).toEqual(['spec.template.spec.containers[0].resources.limits.memory must be greater than or equal to 0']);
    expect(apiErrors(deployment({ requests: { memory: '2Gi' }, limits: { memory: '1Gi' } })))
      .toEqual(['spec.template.spec.containers[0].resources.requests.memory "2Gi": must be less than or equal to the memory limit ("1Gi")']);
    expect(apiErrors(deployment({ requests: { memory: '1Gi' }, limits: { memory: '1Gi' } }))).toEqual([]);
  });

  test('a raw object rendered without the library is checked too; zero replicas and 0777 are valid', () => {
    const bad = appWith((w) => new k8s.KubeStatefulSet(w, 'raw', {
      metadata: { name: 'raw' },
      spec: { replicas: -2, serviceName: 'raw', selector: { matchLabels: { a: 'raw' } }, template: { metadata: { labels: { a: 'raw' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
    }));
    expect(errorOf(() => AppSynthesizer.render(bad))).toContain('StatefulSet raw: spec.replicas must be from 0 to 2147483647, got -2');
    const ok = appWith((w) => w.deployment.addJsonPatch(JsonPatch.replace('/spec/replicas', 0),
      JsonPatch.add('/spec/template/spec/volumes', [{ name: 'v', secret: { secretName: 's', defaultMode: 0o777 } }])));
    expect(() => AppSynthesizer.render(ok)).not.toThrow();
  });
});

describe('4. schedules that never fire are errors on every route', () => {
  const cronJob = (schedule: string, annotations?: Record<string, string>): Manifest => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'report', namespace: 'x', annotations },
    spec: { schedule, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x:1' }] } } } } },
  });
  const errors = (m: Manifest) => new PolicyChecker({ severities: { 'cron-schedule': PolicySeverity.WARNING } }).check({ f: [m] })
    .filter((v) => v.severity === PolicySeverity.ERROR && !v.suppressedBecause && v.path === 'spec.schedule').map((v) => `${v.ruleId}: ${v.message}`);

  test.each(['0 0 0 * *', '0 0 30 2 *', '0 0 31 4 *', '0 0 31 4,6,9,11 *'])('%s: refused by the construct, the API-rule check and the policy (not downgradable, not suppressible)', (schedule) => {
    expect(errorOf(() => { const c = testChart(); new ScheduledJob(c, 'r', { schedule, containers: [{ name: 'c', image: 'x:1.0' }] }); Testing.synth(c); }))
      .toContain(`[test/r] schedule "${schedule}": `);
    expect(errors(cronJob(schedule, { 'cdk8s-workloads.dev/allow-cron-schedule': 'we really mean this schedule' }))).toEqual([expect.stringMatching(/^server-side: /)]);
    const app = new App();
    new k8s.KubeCronJob(new Chart(app, 'c'), 'raw', { metadata: { name: 'raw' }, spec: cronJob(schedule).spec });
    expect(errorOf(() => AppSynthesizer.render(app))).toContain('CronJob raw: spec.schedule');
  });

  test.each(['0 0 29 2 *', '0 0 30 2 1', '0 0 31 * *'])('%s fires (29 February, Mondays, months with 31 days): accepted', (schedule) => {
    expect(errors(cronJob(schedule))).toEqual([]);
    const c = testChart();
    new ScheduledJob(c, 'r', { schedule, containers: [{ name: 'c', image: 'x:1.0' }] });
    expect(() => synthValid(c)).not.toThrow();
  });
});

describe('12. warnings are printed once each, with the construct path, and can be made errors', () => {
  function appWithWarnings(): App {
    const app = new App();
    // No probes: the policy's no-liveness-probe / no-readiness-probe warnings. A ScheduledJob with a one-minute
    // schedule and no startingDeadlineSeconds: a construct warning.
    new StatelessApp(new Chart(app, 'web'), 'web', { containers: [{ name: 'web', image: 'nginx:1.25.3', resources: { cpuRequest: '50m', cpuLimit: '100m', memoryRequest: '64Mi', memoryLimit: '64Mi' } }] });
    new ScheduledJob(new Chart(app, 'jobs'), 'tick', { schedule: '* * * * *', containers: [{ name: 'c', image: 'busybox:1.36' }] });
    return app;
  }

  test('printed to stderr once each and returned in result.warnings, with the construct path', () => {
    const outdir = tempDir('trust-12');
    const printed: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { printed.push(String(chunk)); return true; });
    let result;
    try {
      result = AppSynthesizer.synth(appWithWarnings(), { outdir, policy: {}, planOutput: PlanOutput.QUIET });
    } finally {
      spy.mockRestore();
    }
    const warningLines = printed.join('').split('\n').filter((l) => l.startsWith('warning: '));
    expect(warningLines).toEqual(result.warnings.map((w) => `warning: ${w}`));
    expect(new Set(warningLines).size).toBe(warningLines.length);
    expect(result.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\[jobs\/tick\] startingDeadlineSeconds /),
      expect.stringMatching(/^\[web\/web\] spec\.template\.spec\.containers\[0\]\.livenessProbe: container "web" has no livenessProbe .*\(policy rule no-liveness-probe, Deployment web\); add a livenessProbe/),
    ]));
  });

  test('warningsAsErrors: the synthesis fails listing them and writes nothing; without warnings it writes', () => {
    const outdir = tempDir('trust-12b');
    expect(errorOf(() => AppSynthesizer.synth(appWithWarnings(), { outdir, policy: {}, planOutput: PlanOutput.NONE, warningsAsErrors: true })))
      .toMatch(/^\d+ warning\(s\), which warningsAsErrors makes errors \(nothing was written\):\n {2}\[/);
    expect(fs.readdirSync(outdir)).toEqual([]);
    expect(() => AppSynthesizer.synth(appWithWarnings(), { outdir, policy: {}, planOutput: PlanOutput.NONE, warningsAsErrors: true }))
      .toThrow(expect.objectContaining({ name: 'WorkloadsError', code: 'SYNTHESIS', path: 'AppSynthesizer' }));
    const clean = new App();
    new Chart(clean, 'empty');
    expect(AppSynthesizer.synth(clean, { outdir, planOutput: PlanOutput.NONE, warningsAsErrors: true }).warnings).toEqual([]);
  });
});

describe('6. the kubelet API for a ServiceAccount, however it is named, needs the reason serviceAccounts needs', () => {
  const binding = (props: KubeletApiAccessProps) => {
    const chart = testChart();
    new KubeletApiAccess(chart, 'kubelet', props);
    return synthValid(chart).find((d) => d.kind === 'ClusterRoleBinding')!;
  };

  test('a userName that is a ServiceAccount: refused without a reason, accepted with one (kept on the binding)', () => {
    expect(errorOf(() => binding({ userName: 'system:serviceaccount:ops:debugger' }))).toBe('[test/kubelet] userName "system:serviceaccount:ops:debugger": '
      + 'grants the kubelet API (exec into and read logs of every pod on every node) beyond the API server, a risky choice that needs a stated reason; '
      + 'grant it only to the API server (the default), or give reason');
    const b = binding({ userName: 'system:serviceaccount:ops:debugger', reason: 'the debugger reads node logs during incidents' });
    expect(b.metadata.annotations).toEqual({ 'cdk8s-workloads.dev/reason.kubelet-api-subjects': 'the debugger reads node logs during incidents' });
  });

  test('broad groups need the reason; group names given as userName are refused with the fix', () => {
    expect(errorOf(() => binding({ groups: ['system:serviceaccounts'] }))).toMatch(/^\[test\/kubelet\] groups \["system:serviceaccounts"\]: grants the kubelet API/);
    expect(errorOf(() => binding({ userName: 'system:serviceaccounts:ops' }))).toMatch(/^\[test\/kubelet\] userName "system:serviceaccounts:ops": is a group name .*; name the group in groups, with reason/);
    expect(binding({ userName: 'kube-apiserver-kubelet-client' }).metadata.annotations).toBeUndefined();
  });
});

describe('3. node agents that cannot work or are riskier than stated', () => {
  test('a non-root container on a port below 1024 needs NET_BIND_SERVICE (every workload: the pod layer\'s rule)', () => {
    const build = (security?: ContainerSecurity, port = 80) => {
      const chart = testChart();
      new StatelessApp(chart, 'web', { containers: [{ name: 'web', image: 'nginx:1.25.3', ports: [{ number: port, name: 'http' }], security }] });
      return synthValid(chart);
    };
    expect(errorOf(() => build())).toBe('[test/web] containers[0].ports[0].number 80: is below 1024, which a non-root container (user 65532) cannot bind without NET_BIND_SERVICE; '
      + 'listen on 1024 or above (a Service can still offer the low port), or add the capability: ContainerSecurity.nonRoot({ addCapabilities: ["NET_BIND_SERVICE"] })');
    expect(() => build(ContainerSecurity.nonRoot({ addCapabilities: ['NET_BIND_SERVICE'] }))).not.toThrow();
    expect(() => build(undefined, 1024)).not.toThrow();
    expect(() => build(ContainerSecurity.runAsRoot({ reason: 'the image binds port 80 as root and drops privileges' }))).not.toThrow();
  });

  test('a log collector whose configuration turns off the HTTP server its probes call is refused', () => {
    const collector = (config: string, port?: number) => {
      const chart = testChart();
      NodeAgent.logCollector(chart, 'logs', { config, port });
      return synthValid(chart);
    };
    const good = '[SERVICE]\n    HTTP_Server On\n    Health_Check On\n\n[OUTPUT]\n    Name stdout\n    Match *\n';
    expect(() => collector(good)).not.toThrow();
    expect(() => collector(good.replace('Health_Check On', 'Health_Check On\n    HTTP_Port 2021'), 2021)).not.toThrow();
    expect(errorOf(() => collector(good.replace('HTTP_Server On', 'HTTP_Server Off'))))
      .toBe('[test/logs] config "HTTP_Server Off": turns Fluent Bit\'s HTTP server off, but the probes and the metrics Service call it on port 2020; '
        + 'keep "HTTP_Server On", "HTTP_Port 2020" and "Health_Check On" in the [SERVICE] section');
    expect(errorOf(() => collector('[OUTPUT]\n    Name stdout\n    Match *\n'))).toContain('config "HTTP_Server (unset: Off)": turns Fluent Bit\'s HTTP server off');
    expect(errorOf(() => collector(good.replace('Health_Check On', 'Health_Check On\n    HTTP_Port 9999')))).toContain('config "HTTP_Port 9999": serves HTTP on another port');
    expect(errorOf(() => collector(good.replace('Health_Check On', 'Health_Check Off')))).toContain('config "Health_Check Off": turns off the health endpoint');
  });

  test('a host port shared with a DaemonSet rendered without the library is refused; another port is fine', () => {
    const build = (rawHostPort: number) => {
      const chart = testChart();
      new NodeAgent(chart, 'agent', { containers: [{ name: 'agent', image: 'example.com/agent:1.0.0', ports: [{ number: 9100, hostPort: 9100, hostPortReason: 'node metrics are scraped on the node address' }] }] });
      new k8s.KubeDaemonSet(chart, 'raw', {
        metadata: { name: 'raw' },
        spec: {
          selector: { matchLabels: { app: 'raw' } },
          template: { metadata: { labels: { app: 'raw' } }, spec: { containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 9100, hostPort: rawHostPort }] }] } },
        },
      });
      return Testing.synth(chart);
    };
    expect(errorOf(() => build(9100))).toBe('[test/agent] containers[0].ports[0].hostPort "9100/TCP": the DaemonSet [test/raw] (rendered without this library) binds the same port on every node, '
      + 'so one of the two pods can never start; give the agent another port');
    expect(() => build(9101)).not.toThrow();
  });
});

describe('8. a non-root pod with claim templates gets the fsGroup that lets it write them', () => {
  const statefulSet = (container: Partial<PodContainerProps>, fsGroup?: number): Manifest => {
    const chart = testChart();
    new StatefulApp(chart, 'db', {
      fsGroup,
      containers: [{ name: 'db', image: 'postgres:16.1', volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql/data' }], ...container }],
      volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }],
    });
    return synthValid(chart).find((d) => d.kind === 'StatefulSet')!;
  };

  test('defaults to the group of the container that mounts the claim; an explicit fsGroup wins', () => {
    expect(statefulSet({}).spec.template.spec.securityContext.fsGroup).toBe(65532);
    expect(statefulSet({ security: ContainerSecurity.nonRoot({ user: 999, group: 1001 }) }).spec.template.spec.securityContext.fsGroup).toBe(1001);
    expect(statefulSet({}, 2000).spec.template.spec.securityContext.fsGroup).toBe(2000);
  });

  test('no default for root containers or pods without a claim mount', () => {
    expect(statefulSet({ security: ContainerSecurity.runAsRoot({ reason: 'the image chowns its data directory at start' }) }).spec.template.spec.securityContext?.fsGroup).toBeUndefined();
    expect(statefulSet({ volumeMounts: [] }).spec.template.spec.securityContext?.fsGroup).toBeUndefined();
  });

  test('adding fsGroup later is an in-place change of the pod template, not a replacement', () => {
    const before = statefulSet({ security: ContainerSecurity.runAsRoot({ reason: 'the image chowns its data directory at start' }) });
    const after = JSON.parse(JSON.stringify(before));
    after.spec.template.spec.securityContext = { fsGroup: 65532 };
    const plan = ChangeGuard.planChanges([{ fileName: 'db.k8s.yaml', objects: [before] }], [{ fileName: 'db.k8s.yaml', objects: [after] }]);
    expect(plan.changed).toBe(1);
    expect(plan.blocking).toEqual([]);
  });
});

describe('5. checks that used to be silently skipped', () => {
  const appWithClaims = (storage: string, checkExplicitly = false, byAnnotation = false) => {
    const chart = testChart({ namespace: 'default' });
    const nfs = new NfsVolumeSet(chart, 'nfs', {
      server: 'stor01',
      capacity: '1Gi',
      storageClassName: 'nfs',
      accessModes: [AccessMode.READ_WRITE_ONCE],
      exports: [{ cidr: '10.0.0.0/24' }],
      volumes: [{ name: 'pv1', path: '/srv/one' }],
    });
    const db = new StatefulApp(chart, 'db', {
      containers: [{ name: 'db', image: 'postgres:16.1', volumeMounts: [{ volume: 'data', mountPath: '/data' }] }],
      // The legacy annotation names the class as well as the field does (the tutorial's claims use it); it wins.
      volumeClaimTemplates: [byAnnotation
        ? { name: 'data', storage, annotations: { 'volume.beta.kubernetes.io/storage-class': 'nfs' } }
        : { name: 'data', storage, storageClassName: 'nfs' }],
    });
    if (checkExplicitly) nfs.checkBinding(db.claims);
    return synthValid(chart);
  };

  test('claims on an NfsVolumeSet\'s class are checked against its volumes without checkBinding()', () => {
    expect(errorOf(() => appWithClaims('5Gi'))).toMatch(/^\[test\/nfs\] claim default\/data-db-0 stays Pending: .*\(a claim on storage class "nfs", which this set serves; checked automatically\)$/m);
    expect(() => appWithClaims('1Gi')).not.toThrow();
    expect(errorOf(() => appWithClaims('5Gi', false, true))).toMatch(/^\[test\/nfs\] claim default\/data-db-0 stays Pending: .*checked automatically\)$/m);
    expect(() => appWithClaims('1Gi', false, true)).not.toThrow();
    // Given to checkBinding(), a claim is reported once, by that check.
    expect(errorOf(() => appWithClaims('5Gi', true)).match(/stays Pending/g)).toHaveLength(1);
  });

  test('a CoreDNS service IP that is a public address is refused when no serviceCidr can check it', () => {
    const addon = (dnsServiceIp: string, serviceCidr?: string) => {
      const chart = testChart();
      new CoreDnsAddon(chart, 'dns', { dnsServiceIp, serviceCidr });
      return synthValid(chart);
    };
    expect(errorOf(() => addon('8.8.8.8'))).toBe('[test/dns] dnsServiceIp "8.8.8.8": is a public address, and Service IPs come from the cluster\'s private service CIDR (none was given to check it against); '
      + 'use the address kube-apiserver\'s --service-cluster-ip-range reserves for DNS (e.g. "10.96.0.10"), and give serviceCidr so it is checked');
    expect(() => addon('10.96.0.10')).not.toThrow();
    expect(() => addon('fd00:10:96::a')).not.toThrow();
    // With the range given, the range decides (a cluster may use a public block it owns).
    expect(() => addon('203.0.113.10', '203.0.113.0/24')).not.toThrow();
  });
});

describe('10. messages keep their path, field and fix', () => {
  test('CoreDNS domain and stub-zone errors name the field, and nothing else fails without a path', () => {
    const addon = (props: Partial<CoreDnsAddonProps>) => errorOf(() => {
      const chart = testChart();
      new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.96.0.10', ...props });
      Testing.synth(chart);
    });
    expect(addon({ stubDomains: { 'bad zone': ['10.0.0.1'] } })).toBe('[test/dns] stubDomains["bad zone"] zone "bad zone": must be a DNS-1123 subdomain (lower case letters, digits, \'-\' and \'.\'); try "bad-zone"');
    expect(addon({ clusterDomain: '' })).toMatch(/^\[test\/dns\] clusterDomain "": must be a DNS-1123 subdomain/);
  });

  test('a bad claim size is reported at the NfsVolumeSet\'s path', () => {
    const chart = testChart();
    const set = new NfsVolumeSet(chart, 'nfs', { server: 'stor01', capacity: '1Gi', exports: [{ cidr: '10.0.0.0/24' }], volumes: [{ name: 'a', path: '/a' }] });
    expect(errorOf(() => set.simulateBinding([{ name: 'c', storage: '500MB', accessModes: [AccessMode.READ_WRITE_ONCE] }])))
      .toBe('[test/nfs] claims[0].storage "500MB": must be a Kubernetes quantity (a number with an optional suffix Ki, Mi, Gi, Ti, m, k, M, G, ...); try "500Mi"');
    set.checkBinding([{ name: 'c', storage: '-1Gi', accessModes: [AccessMode.READ_WRITE_ONCE] }]);
    expect(errorOf(() => Testing.synth(chart))).toBe('[test/nfs] checkBinding(claims)[0].storage "-1Gi": must not be negative; try "1Gi"');
  });
});

describe('7. cdk8s-plus interop', () => {
  const web: PodContainerProps = { name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] };

  test('an Ingress in another namespace than the workload\'s Service is refused; in the same namespace it is fine', () => {
    const build = (ingressNamespace: string) => {
      const app = Testing.app();
      const shop = new StatelessApp(new Chart(app, 'shop', { namespace: 'shop' }), 'web', { containers: [web], service: { ports: [{ port: 80, targetPortName: 'http' }] } });
      new kplus.Ingress(new Chart(app, 'edge', { namespace: ingressNamespace }), 'ingress', { defaultBackend: shop.ingressBackend() });
      return AppSynthesizer.render(app);
    };
    expect(errorOf(() => build('edge'))).toContain('[shop/web] ingressBackend "web": the Ingress [edge/ingress/Resource] is in namespace "edge", but the Service is in "shop" '
      + '(an Ingress routes only to Services of its own namespace); create the Ingress in "shop", e.g. in this app\'s chart');
    expect(() => build('shop')).not.toThrow();
  });

  test('a key read from a ConfigMap or Secret of the app must be one it holds (checked when the object is complete)', () => {
    const chartWith = (key: string) => {
      const chart = testChart();
      const config = new kplus.ConfigMap(chart, 'config', { data: { LEVEL: 'info' } });
      const secret = new kplus.Secret(chart, 'secret', { stringData: { TOKEN: 'x' } });
      new StatelessApp(chart, 'web', {
        containers: [{ ...web, env: { LEVEL: PodEnvValue.fromConfigMap(config, key), TOKEN: PodEnvValue.fromSecret(secret, key === 'LEVEL' ? 'TOKEN' : key) } }],
      });
      config.addData('ADDED_LATER', 'yes');
      return chart;
    };
    const build = (key: string) => synthValid(chartWith(key));
    expect(() => build('LEVEL')).not.toThrow();
    expect(() => build('ADDED_LATER')).toThrow(/containers\[0\]\.env\["TOKEN"\]\.key "ADDED_LATER": the Secret "[^"]+" of this app has no such key, so the pod would fail to start/);
    const message = errorOf(() => build('LEVL'));
    expect(message).toContain('[test/web] containers[0].env["LEVEL"].key "LEVL": the ConfigMap "');
    expect(message).toContain('of this app has no such key (it has "LEVEL", "ADDED_LATER"), so the pod would fail to start; use one of its keys, or add "LEVL" to the ConfigMap');
    // Through the one channel: an input error with its field, value and fix, not a foreign validation message.
    const thrown = (() => {
      try {
        AppSynthesizer.render(chartWith('LEVL').node.root as App);
      } catch (e) {
        return e as WorkloadsError;
      }
      return undefined;
    })();
    expect(thrown?.problems.map((p) => [p.code, p.path, p.field, p.value, p.fix])).toEqual([
      ['INVALID_INPUT', 'test/web', 'containers[0].env["LEVEL"].key', 'LEVL', 'use one of its keys, or add "LEVL" to the ConfigMap'],
      ['INVALID_INPUT', 'test/web', 'containers[0].env["TOKEN"].key', 'LEVL', 'use one of its keys, or add "LEVL" to the Secret'],
    ]);
  });
});
