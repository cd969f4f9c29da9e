import { App, Chart, Testing } from 'cdk8s';
import { AgentsChart } from '../examples/tutorial/agents';
import { BatchChart } from '../examples/tutorial/batch';
import { CoreDnsChart } from '../examples/tutorial/coredns';
import { LogAccessChart } from '../examples/tutorial/log-access';
import { SmokeTestsChart } from '../examples/tutorial/smoke-tests';
import { StatefulChart } from '../examples/tutorial/stateful';
import { WebChart } from '../examples/tutorial/web';
import { ContainerSecurity, IDnsNamed, StatefulApp } from '../src';
import { only, synthValid, tempDir } from './util';
// App-level tests of the reference example's charts (examples/tutorial/): what the tutorial's cluster
// renders. The library's unit tests build their own fixtures; these may import the example.

describe('BatchChart (batch.ts)', () => {
  describe('the tutorial batch chart', () => {
    const docs = synthValid(new BatchChart(Testing.app(), 'batch'));

    test('pi: perl 5.34.0 computing 2000 digits, Never, backoffLimit 4', () => {
      const pi = only(docs, 'Job', 'pi');
      expect(pi.metadata.namespace).toBe('default');
      expect(pi.spec.backoffLimit).toBe(4);
      expect(pi.spec.template.spec.restartPolicy).toBe('Never');
      expect(pi.spec.template.spec.containers[0]).toMatchObject({ image: 'perl:5.34.0', command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'] });
    });

    test('busybox: fails on purpose, IfNotPresent, Never, backoffLimit 2', () => {
      const busybox = only(docs, 'Job', 'busybox');
      expect(busybox.spec.backoffLimit).toBe(2);
      expect(busybox.spec.template.spec.restartPolicy).toBe('Never');
      expect(busybox.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', args: ['/bin/sh', '-c', 'sleep 10;date;exit 1'] });
    });

    test('hello: a batch/v1 CronJob every minute, OnFailure', () => {
      const hello = only(docs, 'CronJob', 'hello');
      expect(hello.apiVersion).toBe('batch/v1');
      expect(hello.spec.schedule).toBe('*/1 * * * *');
      expect(hello.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('OnFailure');
      expect(hello.spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(['/bin/sh', '-c', 'date; echo Hello from the Kubernetes cluster']);
    });

    test('every pod runs as non-root with small resources', () => {
      const pods = [only(docs, 'Job', 'pi').spec.template, only(docs, 'Job', 'busybox').spec.template, only(docs, 'CronJob', 'hello').spec.jobTemplate.spec.template];
      for (const pod of pods) {
        expect(pod.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true });
        expect(pod.metadata.annotations).toBeUndefined();
      }
      expect(docs.map((d) => d.spec.jobTemplate?.spec ?? d.spec).map((s) => s.template.spec.containers[0].resources.requests.cpu)).toEqual(['100m', '10m', '10m']);
    });

    test('snapshot', () => {
      expect(docs).toMatchSnapshot();
    });
  });
});

describe('CoreDnsChart (coredns.ts)', () => {
  describe('the tutorial chart', () => {
    test('10.0.0.2, cluster.local, 170Mi, as the sed script made them', () => {
      const chart = new CoreDnsChart(Testing.app(), 'coredns');
      const docs = synthValid(chart);
      expect(chart.addon.dnsServiceIp).toBe('10.0.0.2');
      expect(chart.addon.clusterDomain).toBe('cluster.local');
      expect(only(docs, 'Service').spec.clusterIP).toBe('10.0.0.2');
      expect(only(docs, 'Deployment').spec.template.spec.containers[0].resources.limits.memory).toBe('170Mi');
      expect(docs).toMatchSnapshot();
    });
  });
});

describe('LogAccessChart (log-access.ts)', () => {
  test('the log-access chart of the synth app', () => {
    const chart = new LogAccessChart(Testing.app(), 'log-access');
    const docs = synthValid(chart as Chart);
    expect(docs).toEqual([only(docs, 'ClusterRoleBinding', 'kube-apiserver-kubelet-api-admin')]);
    expect(docs[0].subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'kubernetes' }]);
    expect(docs).toMatchSnapshot();
  });
});

describe('AgentsChart (agents.ts)', () => {
  describe('the agents chart', () => {
    const app = Testing.app();
    const chart = new AgentsChart(app, 'agents');
    const docs = synthValid(chart);

    test("the tutorial's nginx: valid name, no host port (the tutorial has none), able to start as root", () => {
      const ds = only(docs, 'DaemonSet', 'nginx-daemonset');
      const pod = ds.spec.template.spec;
      expect(ds.metadata.namespace).toBe('default');
      expect(pod.hostNetwork).toBeUndefined();
      expect(pod.priorityClassName).toBeUndefined();
      expect(pod.containers[0]).toMatchObject({
        image: 'nginx:1.15.4',
        ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
        securityContext: { runAsUser: 0, runAsNonRoot: false, capabilities: { drop: ['ALL'], add: ['CHOWN', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'] } },
      });
      expect(pod.containers[0].ports[0].hostPort).toBeUndefined();
      expect(chart.nginx.hostPorts).toEqual([]);
    });

    test('the node exporter lives in the monitoring namespace, created first', () => {
      const namespaceIndex = docs.findIndex((d) => d.kind === 'Namespace' && d.metadata.name === 'monitoring');
      const exporterIndex = docs.findIndex((d) => d.kind === 'DaemonSet' && d.metadata.name === 'node-exporter');
      expect(namespaceIndex).toBeGreaterThanOrEqual(0);
      expect(namespaceIndex).toBeLessThan(exporterIndex);
      expect(docs[namespaceIndex].metadata.namespace).toBeUndefined();
      for (const d of docs.filter((o) => o.metadata.name === 'node-exporter')) expect(d.metadata.namespace).toBe('monitoring');
    });

    test('snapshot', () => {
      expect(docs).toMatchSnapshot();
    });
  });

  test('an app with the agents chart synthesises through App.synth', () => {
    const app = new App({ outdir: tempDir('agents') });
    new AgentsChart(app, 'agents');
    expect(() => app.synth()).not.toThrow();
  });
});

describe('SmokeTestsChart (smoke-tests.ts)', () => {
  describe('the smoke-tests chart', () => {
    const nginx: IDnsNamed = {
      serviceDnsName: 'nginx.default.svc.cluster.local',
      podDnsNames: ['nginx-statefulset-0.nginx.default.svc.cluster.local', 'nginx-statefulset-1.nginx.default.svc.cluster.local'],
    };
    const chart = new SmokeTestsChart(Testing.app(), 'smoke-tests', [
      { name: 'nginx-statefulset-smoke-test', target: nginx, httpPort: 80 },
      { name: 'myapp-smoke-test', target: { serviceDnsName: 'myapp.default.svc.cluster.local', podDnsNames: ['myapp-0.myapp.default.svc.cluster.local'] } },
    ]);
    const docs = synthValid(chart);

    test('one Job per target, in the default namespace, the tutorial\'s checks included', () => {
      expect(docs.map((d) => `${d.kind}/${d.metadata.namespace}/${d.metadata.name}`))
        .toEqual(['Job/default/nginx-statefulset-smoke-test', 'Job/default/myapp-smoke-test']);
      expect(chart.tests[0].lookups).toContain('nginx-statefulset-0.nginx.default.svc.cluster.local');
      expect(chart.tests[0].urls).toContain('http://nginx-statefulset-0.nginx.default.svc.cluster.local:80/');
      expect(chart.tests[1].urls).toEqual([]);
    });

    test('snapshot', () => {
      expect(docs).toMatchSnapshot();
    });
  });

  test('a real StatefulApp in another chart: the tutorial\'s nginx-statefulset under Service nginx', () => {
    const app = Testing.app();
    const workloads = new Chart(app, 'stateful', { namespace: 'default' });
    const nginx = new StatefulApp(workloads, 'nginx-statefulset', {
      serviceName: 'nginx',
      replicas: 2,
      containers: [{ name: 'nginx', image: 'nginx:1.15.4', ports: [{ number: 80, name: 'web' }], security: ContainerSecurity.runAsRoot({ reason: 'the nginx master process binds port 80 as root' }) }],
    });
    const chart = new SmokeTestsChart(app, 'smoke-tests', [{ name: 'nginx-statefulset-smoke-test', target: nginx, httpPort: 80 }]);
    synthValid(workloads);
    const job = only(synthValid(chart), 'Job', 'nginx-statefulset-smoke-test');
    expect(chart.tests[0].lookups).toEqual([
      'nginx-statefulset-0.nginx.default.svc.cluster.local',
      'nginx-statefulset-1.nginx.default.svc.cluster.local',
      'nginx.default.svc.cluster.local',
    ]);
    expect(job.spec.template.spec.containers[0].command[2]).toContain("check wget -q -O- -T 5 'http://nginx-statefulset-0.nginx.default.svc.cluster.local:80/'");
  });
});

describe('StatefulChart (stateful.ts)', () => {
  describe('the tutorial chart', () => {
    const chart = new StatefulChart(Testing.app(), 'stateful');
    const docs = synthValid(chart);

    test('matches the snapshot', () => {
      expect(docs).toMatchSnapshot();
    });

    test('myapp: 3 pods, headless myapp-svc selecting app=myapp-pod, 2Gi RWO claim with the legacy class annotation', () => {
      const sts = only(docs, 'StatefulSet', 'myapp');
      const svc = only(docs, 'Service', 'myapp-svc');
      expect(sts.apiVersion).toBe('apps/v1');
      expect(sts.metadata.namespace).toBe('default');
      expect(sts.spec).toMatchObject({ replicas: 3, serviceName: 'myapp-svc', selector: { matchLabels: { app: 'myapp-pod' } } });
      const container = sts.spec.template.spec.containers[0];
      expect(container).toMatchObject({
        image: 'ikubernetes/myapp:v1',
        ports: [{ containerPort: 80, name: 'web', protocol: 'TCP' }],
        volumeMounts: [{ name: 'myappdata', mountPath: '/usr/share/nginx/html' }],
      });
      expect(sts.spec.volumeClaimTemplates).toEqual([{
        metadata: { name: 'myappdata', annotations: { 'volume.beta.kubernetes.io/storage-class': 'nfs-client-storageclass' } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
      }]);
      expect(svc.spec).toMatchObject({ clusterIP: 'None', selector: { app: 'myapp-pod' }, ports: [{ name: 'web', port: 80 }] });
    });

    test('nginx-statefulset: 3 pods under headless Service nginx', () => {
      const sts = only(docs, 'StatefulSet', 'nginx-statefulset');
      const svc = only(docs, 'Service', 'nginx');
      expect(sts.spec).toMatchObject({ replicas: 3, serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } } });
      expect(sts.spec.template.spec.containers[0]).toMatchObject({ image: 'nginx:1.15.4', ports: [{ containerPort: 80, name: 'web' }] });
      expect(svc.spec).toMatchObject({ clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }] });
    });

    test('the root images can start: root with only the capabilities nginx needs, and a recorded reason', () => {
      for (const name of ['myapp', 'nginx-statefulset']) {
        const template = only(docs, 'StatefulSet', name).spec.template;
        expect(template.spec.containers[0].securityContext).toMatchObject({
          runAsNonRoot: false,
          runAsUser: 0,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: false,
          capabilities: { drop: ['ALL'], add: ['CHOWN', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'] },
        });
        expect(Object.keys(template.metadata.annotations)[0]).toMatch(/^cdk8s-workloads\.dev\/runs-as-root\./);
      }
    });

    test('handles the lead wires into storage checks and smoke tests', () => {
      expect(chart.myapp.podDnsNames).toEqual([
        'myapp-0.myapp-svc.default.svc.cluster.local',
        'myapp-1.myapp-svc.default.svc.cluster.local',
        'myapp-2.myapp-svc.default.svc.cluster.local',
      ]);
      expect(chart.myapp.claimNames).toEqual(['myappdata-myapp-0', 'myappdata-myapp-1', 'myappdata-myapp-2']);
      expect(chart.myapp.claims[0]).toEqual({
        name: 'myappdata-myapp-0',
        namespace: 'default',
        storage: '2Gi',
        accessModes: ['ReadWriteOnce'],
        annotations: { 'volume.beta.kubernetes.io/storage-class': 'nfs-client-storageclass' },
      });
      expect(chart.nginx.serviceDnsName).toBe('nginx.default.svc.cluster.local');
      expect(chart.nginx.podDnsNames[2]).toBe('nginx-statefulset-2.nginx.default.svc.cluster.local');
      expect(chart.nginx.claims).toEqual([]);
    });
  });
});

describe('WebChart (web.ts)', () => {
  describe('the tutorial\'s web tier', () => {
    const chart = new WebChart(Testing.app(), 'web');
    const docs = synthValid(chart);

    test('nginx-deployment: 3 replicas of nginx:1.15.4 on port 80, rolling update, root by explicit opt-out', () => {
      const d = only(docs, 'Deployment', 'nginx-deployment');
      expect(d.metadata.namespace).toBe('default');
      expect(d.spec.replicas).toBe(3);
      expect(d.spec.strategy.type).toBe('RollingUpdate');
      const [c] = d.spec.template.spec.containers;
      expect(c.image).toBe('nginx:1.15.4');
      expect(c.ports).toEqual([{ containerPort: 80, name: 'http', protocol: 'TCP' }]);
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: false,
        runAsUser: 0,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'], add: ['CHOWN', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'] },
      });
      expect(d.spec.template.metadata.annotations['cdk8s-workloads.dev/runs-as-root.nginx']).toMatch(/root/);
    });

    test('nginx-service: NodePort 80 -> 80 selecting those pods', () => {
      const d = only(docs, 'Deployment', 'nginx-deployment');
      const s = only(docs, 'Service', 'nginx-service');
      expect(s.spec.type).toBe('NodePort');
      expect(s.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP' }]);
      expect(d.spec.template.metadata.labels).toMatchObject(s.spec.selector);
      expect(chart.web.serviceDnsName).toBe('nginx-service.default.svc.cluster.local');
    });

    test('the dns-test pod stays', () => {
      expect(only(docs, 'Pod', 'dns-test').spec.containers[0].image).toBe('busybox:1.28.4');
    });

    test('snapshot', () => {
      expect(docs).toMatchSnapshot();
    });
  });
});
