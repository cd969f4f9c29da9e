import * as fs from 'fs';
import { App, Chart, JsonPatch, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as api from '../src';
import {
  BatchJob, PodContainerProps, ContainerSecurity, CoreDnsAddon, PodDnsPolicy, PodEnvValue, NfsVolumeSet, NodeAgent, PodFailureAction,
  PodFailurePolicyRule, PodTemplateProps, PodVolume, PodProbe, ScheduledJob, Spread, StatefulApp, StatefulUpdateStrategy,
  StatelessApp, ExitCodeOperator,
} from '../src';
import { errorOf, errorsOf, only, synthValid, tempDir, testChart } from './util';
import { AppSynthesizer } from '../src/gitops/app-synthesizer';
import {
  annotationsSize, capabilityName, command, configMapKey, corednsPlugin, dnsSearchDomain, dnsSearchList, envFieldPath, exitCode,
  manifestProblems, nfsPath, oneOf, portName, probeScheme, relativePath, resourceDivisor, resourceFieldName, subPathExpression,
} from '../src/kubernetes/validation';

const web: PodContainerProps = { name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] };

/** GIVEN a StatelessApp "web" with these pod props WHEN synthesised THEN every object is valid; returns its pod spec. */
function pod(props: Partial<PodTemplateProps>) {
  const chart = testChart();
  new StatelessApp(chart, 'web', { containers: [web], ...props });
  return only(synthValid(chart), 'Deployment').spec.template.spec;
}

function podError(props: Partial<PodTemplateProps>): string {
  return errorOf(() => pod(props));
}

function withContainer(c: Partial<PodContainerProps>): Partial<PodTemplateProps> {
  return { containers: [{ ...web, ...c }] };
}

describe('rules: a bad value is rejected with a fix, the nearest valid value accepted', () => {
  test.each([
    ['relativePath', relativePath, '/etc/app', 'etc/app'],
    ['relativePath', relativePath, 'a/../../b', 'a/b'],
    ['subPathExpression', subPathExpression, '$(POD_NAME', '$(POD_NAME)'],
    ['nfsPath', nfsPath, '/srv/a\nb', '/srv/a b'],
    ['nfsPath', nfsPath, 'srv/a', '/srv/a'],
    ['envFieldPath', envFieldPath, 'metadata.labels', "metadata.labels['app']"],
    ['envFieldPath', envFieldPath, 'status.hostIPs', 'status.hostIP'],
    ['envFieldPath', envFieldPath, 'spec.nodename', 'spec.nodeName'],
    ['configMapKey', configMapKey, 'app config', 'app_config'],
    ['configMapKey', configMapKey, '..', '.a'],
    ['resourceFieldName', resourceFieldName, 'limits.gpu', 'limits.memory'],
    ['resourceDivisor(cpu)', resourceDivisor('limits.cpu'), '1Mi', '1m'],
    ['resourceDivisor(memory)', resourceDivisor('limits.memory'), '1m', '1Mi'],
    ['capabilityName', capabilityName, 'CAP_CHOWN', 'CHOWN'],
    ['capabilityName', capabilityName, 'NET_BIND', 'NET_BIND_SERVICE'],
    ['probeScheme', probeScheme, 'http', 'HTTP'],
    ['dnsSearchDomain', dnsSearchDomain, 'Svc_Local', 'svc.local.'],
    ['corednsPlugin', corednsPlugin, 'logs', 'log'],
    ['portName', portName, '1234', 'p-1234'],
  ] as Array<[string, (v: any) => any, string, string]>)('%s: %j rejected, %j accepted', (_name, rule, bad, good) => {
    const problem = rule(bad);
    expect(problem).toBeDefined();
    expect(problem.reason.length).toBeGreaterThan(5);
    expect(problem.fix).not.toContain(`"${bad}"`); // a fix never repeats the rejected value
    expect(rule(good)).toBeUndefined();
  });

  test('numeric and list rules at their edges', () => {
    expect(exitCode(256)).toBeDefined();
    expect(exitCode(-1)).toBeDefined();
    expect(exitCode(255)).toBeUndefined();
    expect(command([])).toBeDefined();
    expect(command([''])).toBeDefined();
    expect(command(['true'])).toBeUndefined();
    expect(dnsSearchList(Array.from({ length: 33 }, (_, i) => `d${i}.local`))).toBeDefined();
    expect(dnsSearchList(Array.from({ length: 32 }, (_, i) => `d${i}.local`))).toBeUndefined();
    expect(dnsSearchList(Array.from({ length: 9 }, (_, i) => `${'a'.repeat(220)}${i}.example`))).toBeDefined(); // > 2048 characters
    const big = { a: 'x'.repeat(256 * 1024) };
    expect(annotationsSize(big)).toBeDefined();
    expect(annotationsSize({ a: 'x'.repeat(256 * 1024 - 1) })).toBeUndefined();
  });

  test('oneOf names the intended value when only the case differs', () => {
    expect(oneOf(api.PortProtocol)('udp')).toEqual({ reason: 'is not one of the allowed values ("TCP", "UDP", "SCTP")', fix: 'use "UDP"' });
    expect(oneOf(api.PortProtocol)('QUIC')?.fix).toBe('use one of "TCP", "UDP", "SCTP"');
    expect(oneOf(api.PortProtocol)('UDP')).toBeUndefined();
  });
});

describe('path-like fields', () => {
  test('subPath: absolute and ".." rejected, relative accepted', () => {
    const mount = (subPath: string) => withContainer({ volumeMounts: [{ volume: 'cfg', mountPath: '/etc/app', subPath }] });
    const volumes = [PodVolume.emptyDir('cfg')];
    expect(podError({ ...mount('/etc'), volumes })).toBe('[test/web] containers[0].volumeMounts[0].subPath "/etc": must be a relative path, not absolute; try "etc"');
    expect(podError({ ...mount('../x'), volumes })).toMatch(/^\[test\/web\] containers\[0\]\.volumeMounts\[0\]\.subPath "\.\.\/x": must not contain a '\.\.' segment/);
    expect(pod({ ...mount('conf/app'), volumes }).containers[0].volumeMounts[0].subPath).toBe('conf/app');
  });

  test('subPathExpr: validated, exclusive with subPath, rendered', () => {
    const volumes = [PodVolume.emptyDir('logs')];
    expect(podError({ ...withContainer({ volumeMounts: [{ volume: 'logs', mountPath: '/logs', subPath: 'a', subPathExpr: '$(POD_NAME)' }] }), volumes }))
      .toBe('[test/web] containers[0].volumeMounts[0].subPathExpr "$(POD_NAME)": subPath and subPathExpr are exclusive; give one of them');
    expect(podError({ ...withContainer({ volumeMounts: [{ volume: 'logs', mountPath: '/logs', subPathExpr: '/$(POD_NAME)' }] }), volumes }))
      .toMatch(/subPathExpr "\/\$\(POD_NAME\)": must be a relative path, not absolute; try "\$\(POD_NAME\)"/);
    const spec = pod({ ...withContainer({ volumeMounts: [{ volume: 'logs', mountPath: '/logs', subPathExpr: '$(POD_NAME)' }] }), volumes });
    expect(spec.containers[0].volumeMounts[0]).toEqual({ name: 'logs', mountPath: '/logs', subPathExpr: '$(POD_NAME)' });
  });

  test('ConfigMap and Secret items: key rules and relative paths', () => {
    const cm = (items: Record<string, string>) => ({ volumes: [PodVolume.fromConfigMapName('cfg', { configMapName: 'app', items })] });
    expect(podError(cm({ 'app.yaml': '/etc/app.yaml' }))).toBe('[test/web] volumes[0].items["app.yaml"] "/etc/app.yaml": must be a relative path, not absolute; try "etc/app.yaml"');
    expect(podError(cm({ 'app.yaml': '../app.yaml' }))).toMatch(/volumes\[0\]\.items\["app\.yaml"\] "\.\.\/app\.yaml": must not contain a '\.\.' segment/);
    expect(podError({ volumes: [PodVolume.fromSecretName('tls', { secretName: 'tls', items: { 'tls crt': 'tls.crt' } })] }))
      .toBe('[test/web] volumes[0].items key "tls crt": may hold only letters, digits, "-", "_" and "."; try "tls_crt"');
    expect(pod(cm({ 'app.yaml': 'conf/app.yaml' })).volumes[0].configMap.items).toEqual([{ key: 'app.yaml', path: 'conf/app.yaml' }]);
  });

  test('NFS paths: newline and tab rejected (they would corrupt /etc/exports), a quoted space accepted', () => {
    const set = (path: string) => {
      const chart = testChart();
      new NfsVolumeSet(chart, 'nfs', { server: 'stor01', capacity: '1Gi', exports: [{ cidr: '10.0.0.0/24' }], volumes: [{ name: 'a', path }] });
      return synthValid(chart);
    };
    expect(errorOf(() => set('/srv/a\n/ *(rw)'))).toMatch(/^\[test\/nfs\] volumes\["a"\]\.path "\/srv\/a\\n\/ \*\(rw\)": must not hold newlines, tabs.*\(they corrupt \/etc\/exports\); try "\/srv\/a-\/-\*\(rw\)"$/);
    expect(errorOf(() => set('/srv/a\tb'))).toMatch(/volumes\["a"\]\.path "\/srv\/a\\tb": must not hold newlines/);
    expect(only(set('/srv/a b'), 'PersistentVolume').spec.nfs.path).toBe('/srv/a b');
  });
});

describe('references', () => {
  test('env fieldPath: only what the 1.28 downward API gives env', () => {
    const env = (fieldPath: string) => withContainer({ env: { X: PodEnvValue.fromFieldPath(fieldPath) } });
    expect(podError(env('status.hostIPs'))).toBe('[test/web] containers[0].env["X"].fieldPath "status.hostIPs": needs the PodHostIPs feature gate, off by default in Kubernetes 1.28; use "status.hostIP"');
    expect(podError(env('metadata.labels'))).toBe('[test/web] containers[0].env["X"].fieldPath "metadata.labels": is not a pod field the downward API gives environment variables; name one key, e.g. "metadata.labels[\'app\']"');
    expect(podError(env("metadata.annotations['Bad Key']"))).toMatch(/fieldPath "metadata\.annotations\['Bad Key'\]": names an invalid annotation key/);
    for (const ok of ['metadata.name', 'status.podIPs', 'spec.serviceAccountName', "metadata.labels['app.kubernetes.io/name']"]) {
      expect(pod(env(ok)).containers[0].env[0].valueFrom.fieldRef.fieldPath).toBe(ok);
    }
  });

  test('Secret and ConfigMap references: DNS-1123 names and config-map keys', () => {
    expect(podError(withContainer({ env: { P: PodEnvValue.fromSecretName('DB_Secret', 'password') } })))
      .toBe('[test/web] containers[0].env["P"].secretName "DB_Secret": must be a DNS-1123 subdomain (lower case letters, digits, \'-\' and \'.\'); try "db-secret"');
    expect(podError(withContainer({ env: { P: PodEnvValue.fromConfigMapName('app', 'a/b') } })))
      .toBe('[test/web] containers[0].env["P"].key "a/b": may hold only letters, digits, "-", "_" and "."; try "a_b"');
    expect(pod(withContainer({ env: { P: PodEnvValue.fromConfigMapName('app.config', 'log.level') } })).containers[0].env[0].valueFrom)
      .toEqual({ configMapKeyRef: { name: 'app.config', key: 'log.level' } });
  });

  test('resource field refs: known resources, per-resource divisors, existing containers', () => {
    const env = (resource: string, options: api.ResourceFieldOptions = {}) =>
      withContainer({ env: { R: PodEnvValue.fromResource(resource, options) } });
    expect(podError(env('limits.gpu'))).toMatch(/^\[test\/web\] containers\[0\]\.env\["R"\]\.resource "limits\.gpu": is not a container resource the downward API exposes; use one of limits\.cpu/);
    expect(podError(env('limits.cpu', { divisor: '1Mi' }))).toBe('[test/web] containers[0].env["R"].divisor "1Mi": is not a divisor the API server accepts for limits.cpu; use one of 1m, 1');
    expect(podError(env('limits.memory', { containerName: 'sidecar' }))).toBe('[test/web] containers[0].env["R"].containerName "sidecar": names no container of this pod; use one of "web"');
    expect(pod(env('limits.memory', { divisor: '1Mi', containerName: 'web' })).containers[0].env[0].valueFrom)
      .toEqual({ resourceFieldRef: { resource: 'limits.memory', containerName: 'web', divisor: '1Mi' } });
    expect(pod(env('requests.hugepages-2Mi')).containers[0].env[0].valueFrom.resourceFieldRef.resource).toBe('requests.hugepages-2Mi');
  });
});

describe('probes', () => {
  test.each([
    ['a port above 65535', PodProbe.tcpSocket({ port: 70000 }), '[test/web] containers[0].livenessProbe.port 70000: must be a whole number from 1 to 65535; use a port between 1 and 65535'],
    ['a port name the container lacks', PodProbe.httpGet({ path: '/', portName: 'metrics' }), '[test/web] containers[0].livenessProbe.portName "metrics": names no port of the container (kubelet resolves probe port names on the container itself); use one of "http"'],
    ['port and portName together', PodProbe.tcpSocket({ port: 8080, portName: 'http' }), '[test/web] containers[0].livenessProbe.portName "http": port and portName are exclusive; give one of them'],
    ['an empty exec command', PodProbe.exec({ command: [] }), '[test/web] containers[0].livenessProbe.command []: needs a command to run; give the program and its arguments, e.g. ["pg_isready", "-q"]'],
    ['a lower-case scheme', PodProbe.httpGet({ path: '/', scheme: 'https' }), '[test/web] containers[0].livenessProbe.scheme "https": must be HTTP or HTTPS; use "HTTPS"'],
    ['an empty path (the API server would rewrite it to "/")', PodProbe.httpGet({ path: '' }), '[test/web] containers[0].livenessProbe.path "": must be a URL path without spaces; try "/"'],
    ['a path with spaces', PodProbe.httpGet({ path: '/health check' }), '[test/web] containers[0].livenessProbe.path "/health check": must be a URL path without spaces; try "/health%20check"'],
  ])('rejects %s', (_what, livenessProbe, message) => {
    expect(podError(withContainer({ livenessProbe }))).toBe(message);
  });

  test('accepts the nearest valid probes', () => {
    const c = pod(withContainer({
      livenessProbe: PodProbe.httpGet({ path: '/healthz', portName: 'http', scheme: 'HTTPS' }),
      readinessProbe: PodProbe.tcpSocket({ port: 65535 }),
      startupProbe: PodProbe.exec({ command: ['true'] }),
    })).containers[0];
    // The API server stores "healthz" as given, and the kubelet requests /healthz (issue 25, class 11).
    expect(pod(withContainer({ livenessProbe: PodProbe.httpGet({ path: 'healthz', portName: 'http' }) })).containers[0].livenessProbe.httpGet.path).toBe('healthz');
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http', scheme: 'HTTPS' });
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 65535 });
    expect(c.startupProbe.exec).toEqual({ command: ['true'] });
  });
});

describe('dnsPolicy and dnsConfig', () => {
  test('dnsPolicy None needs a dnsConfig with a nameserver', () => {
    expect(podError({ dnsPolicy: PodDnsPolicy.NONE })).toBe('[test/web] dnsConfig (unset): dnsPolicy None takes every resolver setting from dnsConfig; give dnsConfig with at least one nameserver, or use another dnsPolicy');
    expect(podError({ dnsPolicy: PodDnsPolicy.NONE, dnsConfig: { searches: ['svc.local'] } })).toBe('[test/web] dnsConfig.nameservers []: dnsPolicy None needs at least one nameserver; give a nameserver IP, e.g. ["10.96.0.10"]');
    const spec = pod({ dnsPolicy: PodDnsPolicy.NONE, dnsConfig: { nameservers: ['10.96.0.10'], searches: ['svc.cluster.local'], options: [{ name: 'ndots', value: '2' }] } });
    expect(spec.dnsPolicy).toBe('None');
    expect(spec.dnsConfig).toEqual({ nameservers: ['10.96.0.10'], searches: ['svc.cluster.local'], options: [{ name: 'ndots', value: '2' }] });
  });

  test('at most 3 nameservers, each an IP; searches are DNS names; options are named', () => {
    expect(podError({ dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9', '1.0.0.1'] } })).toMatch(/^\[test\/web\] dnsConfig\.nameservers \["1\.1\.1\.1",.*\]: at most 3 nameservers are allowed \(it has 4\); keep 3$/);
    expect(podError({ dnsConfig: { nameservers: ['dns.google'] } })).toMatch(/^\[test\/web\] dnsConfig\.nameservers\[0\] "dns\.google": /);
    expect(podError({ dnsConfig: { searches: ['Bad_Domain'] } })).toMatch(/^\[test\/web\] dnsConfig\.searches\[0\] "Bad_Domain": must be a DNS name/);
    expect(podError({ dnsConfig: { options: [{ name: '' }] } })).toBe('[test/web] dnsConfig.options[0].name "": must be a resolver option name; use e.g. "ndots", "timeout" or "edns0"');
    expect(pod({ dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8', '2606:4700:4700::1111'], searches: ['a.local.'] } }).dnsConfig.nameservers).toHaveLength(3);
  });
});

describe('namespaces, labels and annotations', () => {
  test("a Chart's own namespace is checked where the workload lands in it", () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'Team_A' });
    new StatelessApp(chart, 'web', { containers: [web] });
    expect(errorOf(() => Testing.synth(chart))).toBe('[test/web] namespace (from the chart) "Team_A": must be a DNS-1123 label (lower case letters, digits and \'-\', starting and ending with a letter or digit); try "team-a"');
    const ok = new Chart(Testing.app(), 'test', { namespace: 'team-a' });
    new StatelessApp(ok, 'web', { containers: [web] });
    expect(only(synthValid(ok), 'Deployment').metadata.namespace).toBe('team-a');
  });

  test('Service annotations are validated like every other annotation', () => {
    const chart = testChart();
    new StatelessApp(chart, 'web', { containers: [web], service: { annotations: { 'bad key': 'x' } } });
    expect(errorOf(() => Testing.synth(chart))).toMatch(/^\[test\/web\] service\.annotations key "bad key": the name part must be/);
  });

  test('the 256 KiB total of annotations per object', () => {
    expect(podError({ podAnnotations: { big: 'x'.repeat(256 * 1024) } })).toMatch(/^\[test\/web\] podAnnotations "1 annotations": annotations may total at most 262144 bytes \(256 KiB\); these have 262147; move large data into a ConfigMap$/);
    expect(pod({ podAnnotations: { big: 'x'.repeat(1024) } })).toBeDefined();
  });
});

describe('capabilities, CoreDNS, exit codes', () => {
  test('capability names: the known set, upper case, without CAP_', () => {
    const caps = (addCapabilities: string[]) => withContainer({ security: ContainerSecurity.nonRoot({ addCapabilities }) });
    expect(podError(caps(['CAP_NET_BIND_SERVICE']))).toBe('[test/web] containers[0].security.addCapabilities[0] "CAP_NET_BIND_SERVICE": capabilities are given upper case and without the CAP_ prefix (the runtime adds it); use "NET_BIND_SERVICE"');
    expect(podError(caps(['NET_BIND']))).toBe('[test/web] containers[0].security.addCapabilities[0] "NET_BIND": is not a Linux capability (capabilities(7)); name one, e.g. "NET_BIND_SERVICE" or "CHOWN"');
    expect(pod(caps(['NET_BIND_SERVICE', 'CHECKPOINT_RESTORE'])).containers[0].securityContext.capabilities.add).toEqual(['NET_BIND_SERVICE', 'CHECKPOINT_RESTORE']);
  });

  const dns = (props: Partial<api.CoreDnsAddonProps>) => {
    const chart = testChart();
    new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.96.0.10', ...props });
    return synthValid(chart);
  };

  test('CoreDNS: plugins the pinned image ships, at least one replica, security errors under the addon prop', () => {
    expect(errorOf(() => dns({ extraPlugins: [{ name: 'logs' }] }))).toBe('[test/dns] extraPlugins[0].name "logs": is not a plugin of the pinned CoreDNS image (v1.14.2), so CoreDNS would exit at start; use one of the image\'s plugins, e.g. "log", "rewrite" or "hosts"');
    expect(errorOf(() => dns({ replicas: 0 }))).toBe('[test/dns] replicas 0: must be a whole number from 1 to 2147483647; use at least 1 (upstream runs 2), or the autoscaler');
    expect(errorOf(() => dns({ security: ContainerSecurity.nonRoot({ user: 0 }) }))).toBe('[test/dns] security.user 0: user 0 is root; use ContainerSecurity.runAsRoot({ reason }) for images that need root');
    const docs = dns({ extraPlugins: [{ name: 'log' }], replicas: 1 });
    expect(only(docs, 'ConfigMap', 'coredns').data.Corefile).toContain('    log\n');
    expect(only(docs, 'Deployment', 'coredns').spec.replicas).toBe(1);
  });

  test('CoreDNS: a custom image may carry other plugins', () => {
    const docs = dns({ image: 'registry.example.com/coredns-custom:1.0.0', extraPlugins: [{ name: 'alternate' }] });
    expect(only(docs, 'ConfigMap', 'coredns').data.Corefile).toContain('alternate');
  });

  test('pod failure rules: exit codes 0-255', () => {
    const jobWith = (values: number[]) => {
      const chart = testChart();
      new BatchJob(chart, 'job', {
        containers: [{ name: 'pi', image: 'perl:5.34' }],
        podFailurePolicy: [PodFailurePolicyRule.onExitCodes({ action: PodFailureAction.FAIL_JOB, operator: ExitCodeOperator.IN, values })],
      });
      return synthValid(chart);
    };
    expect(errorOf(() => jobWith([256]))).toBe('[test/job] podFailurePolicy[0].values[0] 256: exit codes are whole numbers from 0 to 255; use the code the container exits with, e.g. 42');
    expect(only(jobWith([255]), 'Job').spec.podFailurePolicy.rules[0].onExitCodes.values).toEqual([255]);
  });
});

/**
 * Every exported enum, with a way to pass a value the enum does not hold where the enum is accepted. A new
 * exported enum fails the first test until it is listed here, so no enum-typed prop goes unchecked at run time.
 */
const BOGUS = 'Bogus';
const enumProbes: Record<string, (bad: any) => unknown> = {
  PortProtocol: (bad) => pod(withContainer({ ports: [{ number: 8080, protocol: bad }] })),
  PodImagePullPolicy: (bad) => pod(withContainer({ imagePullPolicy: bad })),
  PodMountPropagation: (bad) => pod({ ...withContainer({ volumeMounts: [{ volume: 'v', mountPath: '/v', mountPropagation: bad }] }), volumes: [PodVolume.emptyDir('v')] }),
  HostPathType: (bad) => {
    const chart = testChart();
    new NodeAgent(chart, 'agent', { containers: [web], volumes: [PodVolume.hostPath('logs', '/var/log', bad)] });
    return synthValid(chart);
  },
  PodTaintEffect: (bad) => pod({ tolerations: [{ key: 'k', operator: api.TolerationOperator.EXISTS, effect: bad }] }),
  TolerationOperator: (bad) => pod({ tolerations: [{ key: 'k', operator: bad }] }),
  WhenUnsatisfiable: (bad) => {
    const chart = testChart();
    new StatelessApp(chart, 'web', { containers: [web], spread: Spread.topology({ whenUnsatisfiable: bad }) });
    return synthValid(chart);
  },
  PodDnsPolicy: (bad) => pod({ dnsPolicy: bad }),
  WorkloadServiceType: (bad) => {
    const chart = testChart();
    new StatelessApp(chart, 'web', { containers: [web], service: { serviceType: bad } });
    return synthValid(chart);
  },
  AccessMode: (bad) => stateful({ volumeClaimTemplates: [{ name: 'data', storage: '1Gi', accessModes: [bad] }] }),
  VolumeMode: (bad) => stateful({ volumeClaimTemplates: [{ name: 'data', storage: '1Gi', volumeMode: bad }] }),
  StatefulPodManagement: (bad) => stateful({ podManagementPolicy: bad }),
  ClaimRetentionPolicy: (bad) => stateful({ claimRetention: { whenDeleted: bad } }),
  StatefulUpdateType: (bad) => stateful({ updateStrategy: StatefulUpdateStrategy.of(bad) }),
  NfsReclaimPolicy: (bad) => nfs({ reclaimPolicy: bad }),
  VolumeBindingMode: (bad) => nfs({ storageClass: { name: 'nfs', volumeBindingMode: bad } }),
  JobConcurrencyPolicy: (bad) => {
    const chart = testChart();
    new ScheduledJob(chart, 'cron', { schedule: '0 3 * * *', containers: [{ name: 'c', image: 'busybox:1.36' }], concurrencyPolicy: bad });
    return synthValid(chart);
  },
  JobRestartPolicy: (bad) => job({ restartPolicy: bad }),
  CompletionMode: (bad) => job({ completionMode: bad }),
  PodFailureAction: (bad) => job({ podFailurePolicy: [exitRule(bad, ExitCodeOperator.IN)] }),
  ExitCodeOperator: (bad) => job({ podFailurePolicy: [exitRule(PodFailureAction.FAIL_JOB, bad)] }),
  PodConditionStatus: (bad) => job({ podFailurePolicy: [PodFailurePolicyRule.onPodConditions({ action: PodFailureAction.IGNORE, conditions: [{ conditionType: 'DisruptionTarget', status: bad }] })] }),
  PolicySeverity: (bad) => new api.PolicyChecker({ severities: { [api.PolicyChecker.rules()[0].id]: bad } }),
  PodRestartPolicy: (bad) => {
    const chart = testChart();
    new api.StandalonePod(chart, 'pod', { containers: [web], restartPolicy: bad });
    return synthValid(chart);
  },
  PlanOutput: (bad) => api.AppSynthesizer.synth(Testing.app(), { outdir: tempDir('plan-output'), planOutput: bad }),
};
function exitRule(action: PodFailureAction, operator: ExitCodeOperator) {
  return PodFailurePolicyRule.onExitCodes({ action, operator, values: [1] });
}

/** Enums the library only produces (results), never accepts. */
const OUTPUT_ENUMS = new Set(['BindingMismatch', 'FindingType', 'ObjectAction']);

function stateful(props: Partial<api.StatefulAppProps>) {
  const chart = testChart();
  new StatefulApp(chart, 'db', { containers: [{ ...web, volumeMounts: [{ volume: 'data', mountPath: '/data' }] }], volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }], ...props });
  return synthValid(chart);
}
function nfs(props: Partial<api.NfsVolumeSetProps>) {
  const chart = testChart();
  new NfsVolumeSet(chart, 'nfs', { server: 'stor01', capacity: '1Gi', exports: [{ cidr: '10.0.0.0/24' }], volumes: [{ name: 'a', path: '/a' }], ...props });
  return synthValid(chart);
}
function job(props: Partial<api.BatchJobProps>) {
  const chart = testChart();
  new BatchJob(chart, 'job', { containers: [{ name: 'pi', image: 'perl:5.34' }], ...props });
  return synthValid(chart);
}

/** Exported TypeScript string enums: plain objects whose values are all strings, not classes or functions. */
function exportedEnums(): string[] {
  return Object.entries(api).filter(([, v]) => typeof v === 'object' && v !== null && !Array.isArray(v)
    && Object.values(v).length > 0 && Object.values(v).every((x) => typeof x === 'string')
    && Object.keys(v).every((k) => /^[A-Z][A-Z0-9_]*$/.test(k))).map(([k]) => k).sort();
}

describe('every enum-typed prop is checked at run time', () => {
  test('every exported enum has a probe', () => {
    const enums = exportedEnums();
    expect(enums.length).toBeGreaterThan(20);
    expect(enums.filter((e) => !OUTPUT_ENUMS.has(e) && !enumProbes[e])).toEqual([]);
  });

  test.each(Object.keys(enumProbes))('%s: a value outside the enum is rejected, naming it', (name) => {
    const message = errorOf(() => enumProbes[name](BOGUS));
    expect(message).toContain(`"${BOGUS}"`);
    expect(message).not.toMatch(/TypeError|Cannot read|undefined is not/);
  });

  test('a case slip names the intended value', () => {
    expect(errorOf(() => enumProbes.PortProtocol('udp'))).toBe('[test/web] containers[0].ports[0].protocol "udp": is not one of the allowed values ("TCP", "UDP", "SCTP"); use "UDP"');
  });
});

describe('all errors at once', () => {
  /** Five mistakes in four constructs of two charts. */
  function brokenApp(): App {
    const app = Testing.app();
    const one = new Chart(app, 'one');
    const two = new Chart(app, 'two');
    new StatelessApp(one, 'web', { containers: [{ ...web, image: 'nginx:latest ' }], replicas: -1 });
    new StatefulApp(one, 'db', { containers: [{ ...web, volumeMounts: [{ volume: 'data', mountPath: '/data' }] }], volumeClaimTemplates: [{ name: 'data', storage: '2Gb' }] });
    new CoreDnsAddon(two, 'dns', { dnsServiceIp: '10.96.0.300' });
    new BatchJob(two, 'job', { containers: [{ name: 'pi', image: 'perl:5.34', ports: [{ number: 8080, protocol: 'udp' as any }] }] });
    return app;
  }
  const expected = [
    /^\[one\/web\] containers\[0\]\.image "nginx:latest ": is not a valid image reference; use /,
    /^\[one\/web\] replicas -1: must be a whole number from 0 to \d+; use 0 or a positive whole number$/,
    /^\[one\/db\] volumeClaimTemplates\[0\]\.storage "2Gb": must be a Kubernetes quantity .*; try "2Gi"$/,
    /^\[two\/dns\] dnsServiceIp "10\.96\.0\.300": .*; /,
    /^\[two\/job\] containers\[0\]\.ports\[0\]\.protocol "udp": is not one of the allowed values .*; use "UDP"$/,
  ];

  function expectFive(errors: string[]) {
    expect(errors).toHaveLength(5);
    // Order follows the construct tree, not the order of the list above.
    for (const pattern of expected) expect(errors.filter((e) => pattern.test(e))).toHaveLength(1);
  }

  test('construction goes on after a mistake: nothing throws until synthesis', () => {
    expect(() => brokenApp()).not.toThrow();
  });

  test('App.synth() reports the five mistakes in one error and writes nothing', () => {
    const app = brokenApp();
    expectFive(errorsOf(() => app.synth()));
    expect(fs.existsSync(app.outdir) ? fs.readdirSync(app.outdir) : []).toEqual([]);
  });

  test('Testing.synth() of one chart reports the whole app', () => {
    const app = brokenApp();
    expectFive(errorsOf(() => Testing.synth(app.node.findChild('one') as Chart)));
  });

  test('AppSynthesizer reports the same five in one error', () => {
    expectFive(errorsOf(() => AppSynthesizer.render(brokenApp())));
  });

  test('a value that fails several rules, or flows into derived fields, is one error', () => {
    const chart = testChart();
    new StatefulApp(chart, 'My_DB', { containers: [{ ...web, ports: [{ number: 5432, name: 'postgres-primary' }] }] });
    expect(errorsOf(() => Testing.synth(chart))).toEqual([
      '[test/My_DB] name (from the construct id) "My_DB": must be a DNS-1123 label (lower case letters, digits and \'-\', starting and ending with a letter or digit); try "my-db"',
      '[test/My_DB] containers[0].ports[0].name "postgres-primary": port names must be at most 15 characters (it has 16); try "postgres-primar"',
    ]);
  });

  test('NaN is shown as NaN, not null', () => {
    expect(podError({ terminationGracePeriodSeconds: NaN })).toBe('[test/web] terminationGracePeriodSeconds NaN: must be a whole number from 0 to 2147483647; use 0 or a positive whole number');
  });
});

describe('server-side rules on rendered manifests hold escape hatches to the same fields', () => {
  test('a JSON patch that breaks a sub-path, a fieldPath and a probe scheme is reported', () => {
    const chart = testChart();
    const app = new StatelessApp(chart, 'web', { containers: [{ ...web, volumeMounts: [{ volume: 'v', mountPath: '/v' }] }], volumes: [PodVolume.emptyDir('v')] });
    app.deployment.addJsonPatch(
      JsonPatch.add('/spec/template/spec/containers/0/volumeMounts/0/subPath', '../etc'),
      JsonPatch.add('/spec/template/spec/containers/0/env', [{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } }]),
      JsonPatch.add('/spec/template/spec/containers/0/readinessProbe', { httpGet: { port: 8080, scheme: 'http' } }),
      JsonPatch.add('/spec/template/spec/dnsPolicy', 'None'),
    );
    const paths = manifestProblems(only(Testing.synth(chart), 'Deployment')).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining([
      'spec.template.spec.containers[0].volumeMounts[0].subPath',
      'spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath',
      'spec.template.spec.containers[0].readinessProbe.httpGet.scheme',
      'spec.template.spec.dnsConfig',
    ]));
  });

  test('a raw L1 pod with a projected item path and a bad divisor is reported; a valid one is not', () => {
    const rawPod = (path: string, divisor: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [{ name: 'c', image: 'busybox:1.36', env: [{ name: 'M', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor } } }] }],
        volumes: [{ name: 'v', projected: { sources: [{ configMap: { name: 'cm', items: [{ key: 'k', path }] } }] } }],
      },
    });
    expect(manifestProblems(rawPod('/abs', '1Mi')).map((p) => p.path)).toEqual([
      'spec.volumes[0].projected.sources[0].configMap.items[0].path',
      'spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor',
    ]);
    expect(manifestProblems(rawPod('rel/k', '1m'))).toEqual([]);
  });

  test('the tutorial-style objects of every construct pass the new rules', () => {
    const chart = testChart();
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm' }, data: { a: 'b' } });
    new StatelessApp(chart, 'web', { containers: [{ ...web, env: { NODE: PodEnvValue.fromFieldPath('spec.nodeName') }, livenessProbe: PodProbe.httpGet({ path: '/' }) }] });
    for (const doc of Testing.synth(chart)) expect(manifestProblems(doc)).toEqual([]);
  });
});

describe('errors name the prop the user set, not the field a shared layer derived from it', () => {
  test("a smoke test's resources are reported as resources, not containers[0].resources", () => {
    const chart = testChart();
    new api.DnsSmokeTest(chart, 'smoke', { targets: [api.SmokeTarget.hosts(['kubernetes.default'])], resources: { memoryLimit: '64MB' } });
    expect(errorOf(() => Testing.synth(chart))).toMatch(/^\[test\/smoke\] resources\.memoryLimit "64MB": must be a Kubernetes quantity .*; try "64Mi"$/);
  });

  test('a role name is reported under clusterRoleName, not rules.name', () => {
    const chart = testChart();
    new NodeAgent(chart, 'agent', {
      containers: [web], clusterRoleName: 'bad/role', rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }],
    });
    expect(errorOf(() => Testing.synth(chart))).toBe('[test/agent] clusterRoleName "bad/role": must be a path segment name (no \'/\' or \'%\', 1-253 characters); use a name like "system:my-role"');
  });
});

test("a prebound NFS claim in a chart whose namespace is invalid names the chart's namespace", () => {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'Data_Team' });
  new NfsVolumeSet(chart, 'nfs', { server: 'stor01', capacity: '1Gi', exports: [{ cidr: '10.0.0.0/24' }], volumes: [{ name: 'a', path: '/a', claim: { name: 'data' } }] });
  expect(errorOf(() => Testing.synth(chart))).toBe('[test/nfs] volumes["a"].claim.namespace (from the chart) "Data_Team": must be a DNS-1123 label (lower case letters, digits and \'-\', starting and ending with a letter or digit); try "data-team"');
});
