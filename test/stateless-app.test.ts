import * as fs from 'fs';
import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  PodContainerProps, ContainerSecurity, StatelessUpdateStrategy, IntOrPercent, PortProtocol, WorkloadServiceType, Spread, StatelessApp,
  StatelessAppProps,
} from '../src';
import { errorOf, kinds, only, synthValid, tempDir, testChart } from './util';
import { AppSynthesizer } from '../src/gitops/app-synthesizer';

const nginx: PodContainerProps = { name: 'nginx', image: 'nginx:1.15.4', ports: [{ number: 8080, name: 'http' }] };

function render(props: Partial<StatelessAppProps> = {}, chartNamespace?: string) {
  const chart = testChart({ namespace: chartNamespace });
  const app = new StatelessApp(chart, 'web', { containers: [nginx], ...props });
  return { app, docs: synthValid(chart) };
}

function renderError(props: Partial<StatelessAppProps>): string {
  return errorOf(() => render(props));
}

describe('defaults', () => {
  const { app, docs } = render();
  const deployment = only(docs, 'Deployment');

  test('a Deployment and a ClusterIP Service over the container ports, named after the id', () => {
    expect(kinds(docs)).toEqual(['Deployment', 'Service']);
    expect(deployment.apiVersion).toBe('apps/v1');
    expect(deployment.metadata.name).toBe('web');
    const service = only(docs, 'Service', 'web');
    expect(service.spec.type).toBeUndefined();
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'web' });
  });

  test('one replica and Kubernetes\' 25%/25% rolling update, written out', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    expect(deployment.spec.revisionHistoryLimit).toBeUndefined();
    expect(deployment.spec.progressDeadlineSeconds).toBeUndefined();
    expect(deployment.spec.minReadySeconds).toBeUndefined();
  });

  test('a stable selector that the pod template carries', () => {
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'web' } });
    expect(deployment.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' });
    expect(deployment.spec.template.spec.restartPolicy).toBeUndefined();
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('handles', () => {
    expect(app.name).toBe('web');
    expect(app.namespace).toBe('default');
    expect(app.serviceName).toBe('web');
    expect(app.serviceDnsName).toBe('web.default.svc.cluster.local');
    expect(app.podDnsNames).toEqual([]);
    expect(app.deployment.name).toBe('web');
    expect(app.service?.name).toBe('web');
    expect(app.podDisruptionBudget).toBeUndefined();
  });

  test('the selector does not depend on the construct path', () => {
    const chart = testChart();
    new StatelessApp(new Construct(chart, 'nested'), 'moved', { name: 'web', containers: [nginx] });
    expect(only(synthValid(chart), 'Deployment').spec.selector).toEqual(deployment.spec.selector);
  });
});

test('no container ports: no Service', () => {
  const { app, docs } = render({ containers: [{ name: 'worker', image: 'busybox:1.28.4' }] });
  expect(kinds(docs)).toEqual(['Deployment']);
  expect(app.service).toBeUndefined();
  // A plain optional property (a throwing getter breaks jsii callers in other languages).
  expect(app.serviceDnsName).toBeUndefined();
});

test('exposeService false: no Service even with ports; with service options it is an error', () => {
  expect(kinds(render({ exposeService: false }).docs)).toEqual(['Deployment']);
  expect(renderError({ exposeService: false, service: { name: 'front' } }))
    .toBe('[test/web] service "front": exposeService is false; drop service, or set exposeService to true');
});

test('exposeService true without any port fails', () => {
  expect(renderError({ exposeService: true, containers: [{ name: 'worker', image: 'busybox:1.28.4' }] }))
    .toMatch(/^\[test\/web\] service\.ports \[\]: a Service needs at least one port; /);
});

test('every Deployment prop', () => {
  const { docs } = render({
    name: 'frontend',
    namespace: 'shop',
    labels: { tier: 'web' },
    annotations: { owner: 'team-a' },
    selectorLabels: { app: 'frontend' },
    replicas: 3,
    updateStrategy: StatelessUpdateStrategy.rollingUpdate({ maxSurge: IntOrPercent.count(1), maxUnavailable: IntOrPercent.count(0) }),
    revisionHistoryLimit: 5,
    progressDeadlineSeconds: 120,
    minReadySeconds: 10,
    spread: Spread.preferDifferentNodes(),
  });
  const d = only(docs, 'Deployment', 'frontend');
  expect(d.metadata).toEqual({
    name: 'frontend',
    namespace: 'shop',
    labels: { 'app.kubernetes.io/name': 'frontend', 'tier': 'web', 'app': 'frontend', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' },
    annotations: { owner: 'team-a' },
  });
  expect(d.spec).toMatchObject({
    replicas: 3,
    selector: { matchLabels: { app: 'frontend' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    revisionHistoryLimit: 5,
    progressDeadlineSeconds: 120,
    minReadySeconds: 10,
  });
  expect(d.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector)
    .toEqual({ matchLabels: { app: 'frontend' } });
  const service = only(docs, 'Service', 'frontend');
  expect(service.metadata.namespace).toBe('shop');
  expect(service.spec.selector).toEqual({ app: 'frontend' });
});

test('Recreate has no rolling parameters', () => {
  const d = only(render({ updateStrategy: StatelessUpdateStrategy.recreate() }).docs, 'Deployment');
  expect(d.spec.strategy).toEqual({ type: 'Recreate' });
});

test('the namespace handle follows the chart', () => {
  const { app } = render({}, 'shop');
  expect(app.namespace).toBe('shop');
  expect(app.serviceDnsName).toBe('web.shop.svc.cluster.local');
  expect(render({ clusterDomain: 'corp.example' }).app.serviceDnsName).toBe('web.default.svc.corp.example');
});

describe('the Service', () => {
  test('every option: name, type, annotations, named target, node port', () => {
    const { app, docs } = render({
      containers: [{ ...nginx, ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] }],
      service: {
        name: 'front',
        serviceType: WorkloadServiceType.NODE_PORT,
        annotations: { 'example.com/team': 'web' },
        ports: [{ port: 80, targetPortName: 'http', nodePort: 30080 }],
      },
    });
    const service = only(docs, 'Service', 'front');
    expect(service.metadata.annotations).toEqual({ 'example.com/team': 'web' });
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 30080 }]);
    expect(app.serviceDnsName).toBe('front.default.svc.cluster.local');
  });

  test('LoadBalancer with several ports', () => {
    const service = only(render({
      containers: [{ ...nginx, ports: [{ number: 8080, name: 'http' }, { number: 5353, name: 'dns', protocol: PortProtocol.UDP }] }],
      service: { serviceType: WorkloadServiceType.LOAD_BALANCER },
    }).docs, 'Service');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' },
      { name: 'dns', port: 5353, targetPort: 5353, protocol: 'UDP' },
    ]);
  });

  test.each<[string, Partial<StatelessAppProps>, string]>([
    ['node port 80', { service: { serviceType: WorkloadServiceType.NODE_PORT, ports: [{ port: 80, targetPort: 8080, nodePort: 80 }] } },
      '[test/web] service.ports[0].nodePort 80: must be a whole number from 30000 to 32767; use a port from 30000 to 32767 (the default --service-node-port-range), or leave it unset'],
    ['a node port on a ClusterIP Service', { service: { ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] } },
      '[test/web] service.ports[0].nodePort 30080: only NodePort and LoadBalancer Services have node ports; set the Service type to NodePort, or drop nodePort'],
    ['a target port name naming no container port', { service: { ports: [{ port: 80, targetPortName: 'web' }] } },
      '[test/web] service.ports[0].targetPortName "web": names no container port of the pods; use one of "http"'],
    ['a Service name starting with a digit', { service: { name: '1web' } },
      '[test/web] service.name "1web": must be a DNS-1035 label (lower case letters, digits and \'-\', starting with a letter); start with a letter, e.g. "svc-1web"'],
    ['unnamed ports on a multi-port Service', { containers: [{ ...nginx, ports: [{ number: 8080 }, { number: 9090 }] }] },
      '[test/web] service.ports[0].name (unset): a Service with several ports must name each one; set name, or name the container port\n'
      + '[test/web] service.ports[1].name (unset): a Service with several ports must name each one; set name, or name the container port'],
  ])('rejects %s', (_, props, message) => {
    expect(renderError(props)).toBe(message);
  });
});

describe('rolling update and timing errors', () => {
  test.each<[string, Partial<StatelessAppProps>, string]>([
    ['maxSurge and maxUnavailable both 0', { updateStrategy: StatelessUpdateStrategy.rollingUpdate({ maxSurge: IntOrPercent.count(0), maxUnavailable: IntOrPercent.percent(0) }) },
      '[test/web] updateStrategy.maxSurge/maxUnavailable "0/0": both zero means a rollout can never replace a pod; set maxUnavailable to at least 1 or maxSurge to at least 1'],
    ['maxUnavailable above 100%', { updateStrategy: StatelessUpdateStrategy.rollingUpdate({ maxUnavailable: IntOrPercent.percent(150) }) },
      '[test/web] updateStrategy.maxUnavailable 150: must be a whole number from 0 to 100; use a percentage from 0 to 100'],
    ['a negative maxSurge', { updateStrategy: StatelessUpdateStrategy.rollingUpdate({ maxSurge: IntOrPercent.count(-1) }) },
      '[test/web] updateStrategy.maxSurge -1: must be a whole number from 0 to 2147483647; use 0 or a positive whole number'],
    ['negative replicas', { replicas: -1 }, '[test/web] replicas -1: must be a whole number from 0 to 2147483647; use 0 or a positive whole number'],
    ['fractional replicas', { replicas: 1.5 }, '[test/web] replicas 1.5: must be a whole number from 0 to 2147483647; use 0 or a positive whole number'],
    ['a negative revisionHistoryLimit', { revisionHistoryLimit: -2 }, '[test/web] revisionHistoryLimit -2: must be a whole number from 0 to 2147483647; use 0 or a positive whole number'],
    ['a negative minReadySeconds', { minReadySeconds: -1 }, '[test/web] minReadySeconds -1: must be a whole number from 0 to 2147483647; use 0 or a positive whole number'],
    ['progressDeadlineSeconds 0', { progressDeadlineSeconds: 0 }, '[test/web] progressDeadlineSeconds 0: must be a whole number from 1 to 2147483647; use a positive whole number'],
    ['progressDeadlineSeconds not above minReadySeconds', { progressDeadlineSeconds: 30, minReadySeconds: 30 },
      '[test/web] progressDeadlineSeconds 30: must be greater than minReadySeconds (30), or every rollout is marked failed; set progressDeadlineSeconds above 30'],
    ['minReadySeconds at the default deadline', { minReadySeconds: 600 },
      '[test/web] progressDeadlineSeconds (default) 600: must be greater than minReadySeconds (600), or every rollout is marked failed; set progressDeadlineSeconds above 600'],
    ['a cluster domain with a trailing dot', { clusterDomain: 'cluster.local.' }, '[test/web] clusterDomain "cluster.local.": must not end with a dot; try "cluster.local"'],
    ['an invalid name', { name: 'Web_1' }, '[test/web] name "Web_1": must be a DNS-1123 label (lower case letters, digits and \'-\', starting and ending with a letter or digit); try "web-1"'],
    ['no containers', { containers: [] }, '[test/web] containers []: a pod needs at least one container; add a container'],
  ])('rejects %s', (_, props, message) => {
    expect(renderError(props)).toBe(message);
  });

  test('maxSurge 0 with maxUnavailable 1 is a valid in-place rollout', () => {
    const d = only(render({ updateStrategy: StatelessUpdateStrategy.rollingUpdate({ maxSurge: IntOrPercent.count(0), maxUnavailable: IntOrPercent.count(1) }) }).docs, 'Deployment');
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
  });
});

describe('disruption budget', () => {
  test('defaults to one pod at a time', () => {
    const { app, docs } = render({ replicas: 3, disruptionBudget: {} });
    const pdb = only(docs, 'PodDisruptionBudget', 'web');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } }, maxUnavailable: 1 });
    expect(app.podDisruptionBudget?.name).toBe('web');
  });

  test('minAvailable below the replicas', () => {
    const pdb = only(render({ replicas: 3, disruptionBudget: { minAvailable: IntOrPercent.count(2) } }).docs, 'PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(2);
    expect(pdb.spec.maxUnavailable).toBeUndefined();
  });

  test('a percentage that rounds up to one pod short of the replicas', () => {
    expect(only(render({ replicas: 3, disruptionBudget: { minAvailable: IntOrPercent.percent(66) } }).docs, 'PodDisruptionBudget').spec.minAvailable).toBe('66%');
  });

  test.each<[Partial<StatelessAppProps>, string]>([
    [{ replicas: 2, disruptionBudget: { minAvailable: IntOrPercent.count(2) } },
      '[test/web] disruptionBudget.minAvailable "2": keeps all 2 replicas up, which blocks every node drain; use a value below 2, or maxUnavailable'],
    [{ replicas: 2, disruptionBudget: { minAvailable: IntOrPercent.percent(100) } },
      '[test/web] disruptionBudget.minAvailable "100%": keeps all 2 replicas up, which blocks every node drain; use a value below 51%, or maxUnavailable'],
    // The disruption controller rounds percentages up: 67% of 3 is 3 pods.
    [{ replicas: 3, disruptionBudget: { minAvailable: IntOrPercent.percent(67) } },
      '[test/web] disruptionBudget.minAvailable "67%": keeps all 3 replicas up (percentages round up), which blocks every node drain; use a value below 67%, or maxUnavailable'],
    [{ disruptionBudget: { minAvailable: IntOrPercent.percent(50) } },
      '[test/web] disruptionBudget.minAvailable "50%": keeps all 1 replicas up (percentages round up), which blocks every node drain; use a value below 1%, or maxUnavailable'],
    [{ disruptionBudget: { maxUnavailable: IntOrPercent.count(0) } },
      '[test/web] disruptionBudget.maxUnavailable "0": zero blocks every node drain; allow at least 1'],
  ])('rejects budgets that block drains (%#)', (props, message) => {
    expect(renderError(props)).toBe(message);
  });
});

describe('node ports are unique in the app', () => {
  function nodePortApp(chart: Chart, id: string, nodePort: number): StatelessApp {
    return new StatelessApp(chart, id, {
      containers: [nginx],
      service: { serviceType: WorkloadServiceType.NODE_PORT, ports: [{ port: 80, targetPort: 8080, nodePort }] },
    });
  }

  test('two apps in different charts with the same node port: synthesis throws and writes nothing', () => {
    const outdir = tempDir('nodeport');
    const app = new App({ outdir });
    nodePortApp(new Chart(app, 'one'), 'web', 30080);
    nodePortApp(new Chart(app, 'two'), 'api', 30080);
    expect(() => AppSynthesizer.synth(app)).toThrow(
      '[two/api] service.ports[0].nodePort 30080: also used by [one/web] service.ports[0] (node ports are allocated cluster-wide, so the API server rejects the second Service); '
      + 'pick another port from 30000 to 32767, or leave nodePort unset');
    expect(() => AppSynthesizer.render(app)).toThrow(/\[one\/web\] service\.ports\[0\]\.nodePort 30080: also used by \[two\/api\] service\.ports\[0\]/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('a clash with a Service rendered by any construct is found', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    nodePortApp(chart, 'web', 30080);
    new k8s.KubeService(chart, 'raw', { metadata: { name: 'raw' }, spec: { type: 'NodePort', ports: [{ port: 81, nodePort: 30080 }] } });
    expect(() => AppSynthesizer.render(app)).toThrow(/\[c\/web\] service\.ports\[0\]\.nodePort 30080: also used by c\/raw ports\[0\]/);
  });

  test('one Service may not repeat a node port for the same protocol, but may for another', () => {
    const chart = testChart();
    new StatelessApp(chart, 'web', {
      containers: [{ ...nginx, ports: [{ number: 8080, name: 'http' }, { number: 8081, name: 'alt' }] }],
      service: { serviceType: WorkloadServiceType.NODE_PORT, ports: [{ port: 80, targetPort: 8080, nodePort: 30080, name: 'a' }, { port: 81, targetPort: 8081, nodePort: 30080, name: 'b' }] },
    });
    expect(() => synthValid(chart)).toThrow(/\[test\/web\] service\.ports\[1\]\.nodePort 30080: also used by \[test\/web\] service\.ports\[0\]/);

    const ok = testChart();
    new StatelessApp(ok, 'dns', {
      containers: [{ name: 'dns', image: 'coredns/coredns:1.11.1', ports: [{ number: 1053, name: 'dns', protocol: PortProtocol.UDP }, { number: 1053, name: 'dns-tcp' }] }],
      service: {
        serviceType: WorkloadServiceType.NODE_PORT,
        ports: [{ port: 53, targetPortName: 'dns', protocol: PortProtocol.UDP, nodePort: 30053 }, { port: 53, targetPortName: 'dns-tcp', nodePort: 30053 }],
      },
    });
    expect(only(synthValid(ok), 'Service').spec.ports.map((p: any) => `${p.nodePort}/${p.protocol}`)).toEqual(['30053/UDP', '30053/TCP']);
  });

  test('distinct node ports synthesise', () => {
    const app = Testing.app();
    nodePortApp(new Chart(app, 'one'), 'web', 30080);
    nodePortApp(new Chart(app, 'two'), 'api', 30081);
    expect(AppSynthesizer.render(app).map((f) => f.fileName)).toEqual(['one.k8s.yaml', 'two.k8s.yaml', 'kustomization.yaml']);
  });
});

test('a root container keeps its reason annotation and the rest stays secure', () => {
  const d = only(render({ containers: [{ ...nginx, security: ContainerSecurity.runAsRoot({ reason: 'needs root' }) }] }).docs, 'Deployment');
  expect(d.spec.template.spec.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
});
