import { ApiObject, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, Node } from 'constructs';
import {
  AppSynthesizer, PodContainerProps, CoreDnsAddon, KubeletApiAccess, NfsVolumeSet, NodeAgent, WorkloadServiceType, StatefulApp, StatelessApp,
} from '../src';
import { errorOf, only, synthValid, testChart } from './util';
import * as fastJson from '../src/kubernetes/fast-json';
import { nodePortApp } from './bench/fixtures/nodeports';

const web: PodContainerProps = { name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] };
const db: PodContainerProps = {
  name: 'db',
  image: 'postgres:16.1',
  ports: [{ number: 5432, name: 'postgres' }],
  volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql/data' }],
};
const DATA = { name: 'data', storage: '1Gi' };
const RULES = [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }];

describe('duplicate objects anywhere in the app', () => {
  test('the same app name in two charts of one namespace is an error naming both construct paths', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'shop' });
    const b = new Chart(app, 'b', { namespace: 'shop' });
    const message = errorOf(() => {
      new StatelessApp(a, 'web', { containers: [web] });
      new StatelessApp(b, 'web', { containers: [web] });
      Testing.synth(a);
    });
    expect(message).toContain('[a/web] metadata.name "web": the Deployment a/web/Resource in namespace shop is also defined by b/web/Resource (');
    expect(message).toContain('[b/web] metadata.name "web": the Deployment b/web/Resource in namespace shop is also defined by a/web/Resource (');
    expect(message).toContain('[a/web] metadata.name "web": the Service a/web/Service in namespace shop is also defined by b/web/Service');
    expect(message).toContain('rename one of them or give it another namespace, or remove the duplicate');
  });

  test('accepted: the same app name in two namespaces', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'shop' });
    const b = new Chart(app, 'b', { namespace: 'staging' });
    new StatelessApp(a, 'web', { containers: [web] });
    new StatelessApp(b, 'web', { containers: [web] });
    expect(only(synthValid(a), 'Deployment').metadata.namespace).toBe('shop');
    expect(only(synthValid(b), 'Deployment').metadata.namespace).toBe('staging');
  });

  test('a StatefulApp and a StatelessApp both named web clash on their Service', () => {
    const chart = testChart();
    const message = errorOf(() => {
      new StatefulApp(chart, 'db', { name: 'web', containers: [db], volumeClaimTemplates: [DATA], serviceName: 'web' });
      new StatelessApp(chart, 'web', { containers: [web] });
      Testing.synth(chart);
    });
    expect(message).toMatch(/\[test\/web\] metadata\.name "web": the Service test\/web\/Service is also defined by test\/db\/\w+/);
    expect(message).toMatch(/\[test\/db\] metadata\.name "web": the Service test\/db\/\w+ is also defined by test\/web\/Service/);
  });

  test('two CoreDnsAddons render the same kube-system objects', () => {
    const chart = testChart();
    const message = errorOf(() => {
      new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.96.0.10' });
      new CoreDnsAddon(chart, 'dns2', { dnsServiceIp: '10.96.0.10' });
      Testing.synth(chart);
    });
    expect(message).toMatch(/\[test\/dns2\] metadata\.name "coredns": the Deployment test\/dns2\/\S+ in namespace kube-system is also defined by test\/dns\//);
    expect(message).toMatch(/\[test\/dns2\] metadata\.name "system:coredns": the ClusterRole test\/dns2\/\S+ is also defined by test\/dns\//);
  });

  test('two agents sharing a ClusterRole name clash, even from charts of different namespaces (cluster-scoped)', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'one' });
    const b = new Chart(app, 'b', { namespace: 'two' });
    const message = errorOf(() => {
      new NodeAgent(a, 'x', { containers: [{ name: 'x', image: 'busybox:1.36' }], rules: RULES, clusterRoleName: 'reader' });
      new NodeAgent(b, 'y', { containers: [{ name: 'y', image: 'busybox:1.36' }], rules: RULES, clusterRoleName: 'reader' });
      Testing.synth(a);
    });
    expect(message).toContain('[a/x] metadata.name "reader": the ClusterRole a/x/ClusterRole is also defined by b/y/ClusterRole (');
    expect(message).toContain('[b/y] metadata.name "reader": the ClusterRoleBinding b/y/ClusterRoleBinding is also defined by a/x/ClusterRoleBinding (');
    expect(message).not.toContain('in namespace');
  });

  test('accepted: two agents with their own ClusterRole names', () => {
    const chart = testChart();
    new NodeAgent(chart, 'x', { containers: [{ name: 'x', image: 'busybox:1.36' }], rules: RULES });
    new NodeAgent(chart, 'y', { containers: [{ name: 'y', image: 'busybox:1.36' }], rules: RULES });
    expect(synthValid(chart).filter((d) => d.kind === 'ClusterRole').map((d) => d.metadata.name)).toEqual(['x', 'y']);
  });

  test('the API group is compared, not the version; a raw object is reported under its own path', () => {
    const chart = testChart();
    const message = errorOf(() => {
      new KubeletApiAccess(chart, 'kubelet', { name: 'kubelet-api' });
      new ApiObject(chart, 'raw', { apiVersion: 'rbac.authorization.k8s.io/v1beta1', kind: 'ClusterRoleBinding', metadata: { name: 'kubelet-api' } });
      Testing.synth(chart);
    });
    expect(message).toContain('[test/kubelet] metadata.name "kubelet-api": the ClusterRoleBinding test/kubelet/Resource is also defined by test/raw');
    expect(message).toContain('[test/raw] metadata.name "kubelet-api": the ClusterRoleBinding test/raw is also defined by test/kubelet/Resource');
  });

  test('accepted: same name, different kind or group', () => {
    const chart = testChart();
    new KubeletApiAccess(chart, 'kubelet', { name: 'kubelet-api' });
    new ApiObject(chart, 'raw', { apiVersion: 'example.com/v1', kind: 'ClusterRoleBinding', metadata: { name: 'kubelet-api' } });
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});

describe('selector overlap between workloads of one namespace', () => {
  test('two workloads with the same selector labels are rejected, each naming the other', () => {
    const chart = testChart();
    const selectorLabels = { app: 'shop' };
    const message = errorOf(() => {
      new StatelessApp(chart, 'front', { containers: [web], selectorLabels });
      new StatelessApp(chart, 'back', { containers: [web], selectorLabels });
      Testing.synth(chart);
    });
    expect(message).toContain('[test/front] spec.selector {"app":"shop"}: its selector matches the pods of Deployment back (test/back/Resource) in the same namespace');
    expect(message).toContain('[test/back] spec.selector {"app":"shop"}: its selector matches the pods of Deployment front (test/front/Resource)');
    expect(message).toContain('give each workload its own selectorLabels');
  });

  test('a broad selector that matches another kind of workload\'s pods is rejected on both sides', () => {
    const chart = testChart();
    const message = errorOf(() => {
      new StatelessApp(chart, 'front', { containers: [web], selectorLabels: { tier: 'web' } });
      new StatefulApp(chart, 'db', {
        containers: [db], volumeClaimTemplates: [DATA], podLabels: { tier: 'web' },
      });
      Testing.synth(chart);
    });
    expect(message).toContain('[test/front] spec.selector {"tier":"web"}: its selector matches the pods of StatefulSet db');
    expect(message).toContain('[test/db] spec.selector {"app.kubernetes.io/name":"db"}: its pods match the selector of Deployment front');
  });

  test('workloads the library did not render are rendered and compared too (cdk8s-plus, raw L1)', () => {
    const chart = testChart();
    const message = errorOf(() => {
      new StatelessApp(chart, 'web', { containers: [web] });
      new k8s.KubeDeployment(chart, 'raw', {
        metadata: { name: 'raw' },
        spec: {
          selector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['web', 'api'] }] },
          template: { metadata: { labels: { 'app.kubernetes.io/name': 'api' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25.3' }] } },
        },
      });
      Testing.synth(chart);
    });
    expect(message).toContain('[test/web] spec.selector {"app.kubernetes.io/name":"web"}: its pods match the selector of Deployment raw (test/raw)');
    expect(message).toContain('[test/raw] spec.selector {"matchExpressions":[{"key":"app.kubernetes.io/name","operator":"In","values":["web","api"]}]}: '
      + 'its selector matches the pods of Deployment web (test/web/Resource)');
  });

  test('accepted: the same selector in two namespaces, and distinct selectors in one', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a', { namespace: 'one' });
    const b = new Chart(app, 'b', { namespace: 'two' });
    new StatelessApp(a, 'front', { containers: [web], selectorLabels: { app: 'shop' } });
    new StatelessApp(b, 'front', { containers: [web], selectorLabels: { app: 'shop' } });
    new StatelessApp(a, 'back', { containers: [web], podLabels: { tier: 'web' } });
    expect(synthValid(a).filter((d) => d.kind === 'Deployment')).toHaveLength(2);
  });
});

describe('labels the library manages are respected or rejected, never silently overwritten', () => {
  test.each([
    ['a workload label with another managed-by', { labels: { 'app.kubernetes.io/managed-by': 'helm' } },
      '[test/web] labels["app.kubernetes.io/managed-by"] "helm": the library sets this label on every object it renders, so tools can tell who manages the object (app.kubernetes.io/managed-by=cdk8s-workloads); remove it, or set it to "cdk8s-workloads"'],
    ['a pod label with another managed-by', { podLabels: { 'app.kubernetes.io/managed-by': 'helm' } },
      '[test/web] podLabels["app.kubernetes.io/managed-by"] "helm": the library sets this label on every object it renders'],
    ['a workload label that contradicts the selector', { labels: { 'app.kubernetes.io/name': 'other' } },
      '[test/web] labels["app.kubernetes.io/name"] "other": conflicts with the selector label (app.kubernetes.io/name=web); remove it or change selectorLabels'],
    ['a pod label that contradicts the selector', { podLabels: { 'app.kubernetes.io/name': 'other' } },
      '[test/web] podLabels["app.kubernetes.io/name"] "other": conflicts with the selector label (app.kubernetes.io/name=web)'],
    ['a selector label with another managed-by', { selectorLabels: { 'app.kubernetes.io/managed-by': 'helm' } },
      '[test/web] selectorLabels["app.kubernetes.io/managed-by"] "helm"'],
  ])('rejected: %s', (_, props, message) => {
    const chart = testChart();
    expect(errorOf(() => {
      new StatelessApp(chart, 'web', { containers: [web], ...props });
      Testing.synth(chart);
    })).toContain(message);
  });

  test('respected: app.kubernetes.io/name outside a custom selector, and the same managed-by value', () => {
    const chart = testChart();
    new StatelessApp(chart, 'web', {
      containers: [web],
      selectorLabels: { app: 'web' },
      labels: { 'app.kubernetes.io/name': 'storefront', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' },
      podLabels: { 'app.kubernetes.io/name': 'storefront-pod' },
    });
    const deployment = only(synthValid(chart), 'Deployment');
    expect(deployment.metadata.labels['app.kubernetes.io/name']).toBe('storefront');
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('storefront-pod');
    expect(deployment.spec.template.metadata.labels.app).toBe('web');
  });

  test('the same rule for constructs without pods (KubeletApiAccess, NfsVolumeSet)', () => {
    const chart = testChart();
    expect(errorOf(() => {
      new KubeletApiAccess(chart, 'kubelet', { labels: { 'app.kubernetes.io/managed-by': 'kubectl' } });
      Testing.synth(chart);
    })).toContain('[test/kubelet] labels["app.kubernetes.io/managed-by"] "kubectl": the library sets this label');
    expect(errorOf(() => {
      const other = testChart();
      new NfsVolumeSet(other, 'nfs', { server: 's', capacity: '1Gi', labels: { 'app.kubernetes.io/managed-by': 'x' } });
      Testing.synth(other);
    })).toContain('[test/nfs] labels["app.kubernetes.io/managed-by"] "x"');
  });
});

describe('node ports across the app', () => {
  test('a custom resource with spec.ports[].nodePort is not a Service and does not clash', () => {
    const chart = testChart();
    new StatelessApp(chart, 'web', { containers: [web], service: { serviceType: WorkloadServiceType.NODE_PORT, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] } });
    new ApiObject(chart, 'gateway', { apiVersion: 'example.com/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { ports: [{ nodePort: 30080 }] } } as any);
    const docs = Testing.synth(chart);
    expect(docs.find((d) => d.kind === 'Service').spec.ports[0].nodePort).toBe(30080);
  });

  test('rejected: a raw v1 Service with the same node port, reported on both sides', () => {
    const chart = testChart();
    const message = errorOf(() => {
      new StatelessApp(chart, 'web', { containers: [web], service: { serviceType: WorkloadServiceType.NODE_PORT, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] } });
      new k8s.KubeService(chart, 'raw', { metadata: { name: 'raw' }, spec: { type: 'NodePort', ports: [{ port: 1, nodePort: 30080 }] } });
      Testing.synth(chart);
    });
    expect(message).toContain('[test/web] service.ports[0].nodePort 30080: also used by test/raw ports[0]');
    expect(message).toContain('[test/raw] spec.ports[0].nodePort 30080: also used by [test/web] service.ports[0]');
  });
});

describe('namespaces in handles come from the chart, as cdk8s places the objects', () => {
  class Team extends Construct {
    public readonly namespace = 'team-a';
  }

  test('a user construct with a namespace property does not move the StatefulApp\'s handles', () => {
    const chart = testChart({ namespace: 'prod' });
    const app = new StatefulApp(new Team(chart, 'team'), 'db', { containers: [db], volumeClaimTemplates: [DATA], replicas: 1 });
    const sts = only(synthValid(chart), 'StatefulSet');
    expect(sts.metadata.namespace).toBe('prod');
    expect(app.namespace).toBe('prod');
    expect(app.podDnsNames[0]).toBe('db-0.db.prod.svc.cluster.local');
    expect(app.claims[0].namespace).toBe('prod');
  });

  test('no chart namespace: "default"', () => {
    const chart = testChart();
    const app = new StatefulApp(new Team(chart, 'team'), 'db', { containers: [db], volumeClaimTemplates: [DATA], replicas: 1 });
    expect(app.podDnsNames[0]).toBe('db-0.db.default.svc.cluster.local');
  });
});

describe('one index per synthesis', () => {
  /**
   * Whole-app scans (`findAll()` on the root: building the index is one) and object renders by the
   * library's renderer (the index's, and AppSynthesizer's for the files it writes) during `fn`.
   */
  function countDuring<T>(root: Construct, fn: () => T): { result: T; rootScans: number; renders: number } {
    const original = Node.prototype.findAll;
    let rootScans = 0;
    const spy = jest.spyOn(Node.prototype, 'findAll').mockImplementation(function (this: Node, ...args) {
      if (this === root.node) rootScans++;
      return original.apply(this, args);
    });
    const renderSpy = jest.spyOn(fastJson, 'renderApiObject');
    try {
      const result = fn();
      return { result, rootScans, renders: renderSpy.mock.calls.length };
    } finally {
      spy.mockRestore();
      renderSpy.mockRestore();
    }
  }

  const objectCount = (root: Construct) => root.node.findAll().filter((c) => ApiObject.isApiObject(c)).length;

  test.each([50, 200])('%d NodePort Services: one index, a constant number of whole-app scans, one render per object checked', (n) => {
    const app = nodePortApp(n);
    const objects = objectCount(app);
    const { result: files, rootScans, renders } = countDuring(app, () => AppSynthesizer.render(app));
    expect(files).toHaveLength(n + 1); // a file per chart and the kustomization
    // AppSynthesizer's own walk and the one index build: before, every NodePort Service scanned the app again.
    expect(rootScans).toBe(2);
    // Every object once for its file, and each NodePort Service once more for the index; the library's own
    // Deployments need no rendering by the index (their selector and pod labels were recorded when built).
    expect(renders).toBe(objects + n);
  });

  test('Testing.synth of one chart also builds the index once', () => {
    const scansFor = (n: number) => {
      const app = nodePortApp(n);
      const chart = app.node.children.find((c): c is Chart => c instanceof Chart)!;
      return countDuring(app, () => Testing.synth(chart));
    };
    const small = scansFor(3);
    const large = scansFor(30);
    // Testing.synth renders with toJson(), so the library's renderer runs only for the index: each NodePort Service once.
    expect(large.renders).toBe(30);
    expect(small.renders).toBe(3);
    // Whole-app scans do not grow with the number of Services: the index is built once, not per check.
    expect(large.rootScans).toBe(small.rootScans);
    expect(large.rootScans).toBeLessThanOrEqual(3);
  });

  test('the index is rebuilt for the next synthesis, so constructs added in between are seen', () => {
    const app = nodePortApp(2);
    AppSynthesizer.render(app);
    const chart = app.node.children.find((c): c is Chart => c instanceof Chart)!;
    new k8s.KubeService(chart, 'late', { metadata: { name: 'late' }, spec: { type: 'NodePort', ports: [{ port: 1, nodePort: 30000 }] } });
    expect(() => AppSynthesizer.render(app)).toThrow(/nodePort 30000: also used by/);
  });
});
