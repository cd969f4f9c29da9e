import { Chart, Testing } from 'cdk8s';
import { PodContainerProps, CoreDnsAddon, DnsSmokeTest, SmokeTarget, StatefulApp, StatelessApp } from '../src';
import { errorOf, errorsOf, only, synthValid, testChart } from './util';

const web: PodContainerProps = { name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] };

describe('one cluster domain per app: the CoreDnsAddon\'s', () => {
  test('the smoke test checks names under the CoreDNS domain when no domain is given', () => {
    const chart = testChart();
    new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.96.0.10', clusterDomain: 'k8s.internal' });
    const db = new StatefulApp(chart, 'db', { containers: [web], replicas: 2 });
    const front = new StatelessApp(chart, 'front', { containers: [web] });
    const smoke = new DnsSmokeTest(chart, 'smoke', { targets: [SmokeTarget.of(db), SmokeTarget.service(front)] });
    const docs = synthValid(chart);
    expect(smoke.lookups).toEqual([
      'db-0.db.default.svc.k8s.internal', 'db-1.db.default.svc.k8s.internal', 'db.default.svc.k8s.internal', 'front.default.svc.k8s.internal',
    ]);
    const script = only(docs, 'Job').spec.template.spec.containers[0].command[2];
    expect(script).toContain("check nslookup 'front.default.svc.k8s.internal'");
    expect(script).not.toContain('cluster.local');
  });

  test('the domain is app-wide: the addon in one chart, the workloads in another', () => {
    const app = Testing.app();
    new CoreDnsAddon(new Chart(app, 'dns'), 'dns', { dnsServiceIp: '10.96.0.10', clusterDomain: 'k8s.internal' });
    const db = new StatefulApp(new Chart(app, 'data'), 'db', { containers: [web] });
    expect(db.podDnsNames).toEqual(['db-0.db.default.svc.k8s.internal']);
    app.synth();
  });

  test('without a CoreDnsAddon, cluster.local', () => {
    const db = new StatefulApp(testChart(), 'db', { containers: [web] });
    expect(db.serviceDnsName).toBe('db.default.svc.cluster.local');
  });

  test('an explicit domain equal to the addon\'s is fine, and one explicit domain applies app-wide', () => {
    const chart = testChart();
    new StatefulApp(chart, 'db', { containers: [web], clusterDomain: 'corp.example' });
    const front = new StatelessApp(chart, 'front', { containers: [web] });
    new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.96.0.10', clusterDomain: 'corp.example' });
    expect(front.serviceDnsName).toBe('front.default.svc.corp.example');
    synthValid(chart);
  });

  test('two different explicit domains in one app are an error', () => {
    expect(errorOf(() => {
      const chart = testChart();
      new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.96.0.10', clusterDomain: 'k8s.internal' });
      new StatelessApp(chart, 'front', { containers: [web], clusterDomain: 'cluster.local' });
      Testing.synth(chart);
    })).toBe('[test/front] clusterDomain "cluster.local": test/dns already uses the cluster domain "k8s.internal", and an app has one cluster domain; '
      + 'use "k8s.internal" here, or drop clusterDomain so the app\'s domain applies');
    expect(errorOf(() => {
      const chart = testChart();
      new StatefulApp(chart, 'db', { containers: [web], clusterDomain: 'a.example' });
      new StatefulApp(chart, 'db2', { containers: [web], clusterDomain: 'b.example' });
      Testing.synth(chart);
    })).toContain('[test/db2] clusterDomain "b.example": test/db already uses the cluster domain "a.example"');
  });

  test('a CoreDnsAddon added after a construct that took the default fails the synthesis, naming both', () => {
    const message = errorOf(() => {
      const chart = testChart();
      new StatefulApp(chart, 'db', { containers: [web] });
      new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.96.0.10', clusterDomain: 'k8s.internal' });
      Testing.synth(chart);
    });
    expect(message).toContain('[test/db] clusterDomain (default) "cluster.local": the app\'s cluster domain is "k8s.internal" (test/dns), '
      + 'declared after this construct named its DNS; create test/dns before this construct, or set clusterDomain: "k8s.internal"');
  });

  test('a smoke test host under another cluster domain than the app\'s fails the synthesis', () => {
    const errors = errorsOf(() => {
      const chart = testChart();
      new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.96.0.10', clusterDomain: 'k8s.internal' });
      new DnsSmokeTest(chart, 'smoke', { targets: [SmokeTarget.hosts(['kubernetes.default', 'web.shop.svc.cluster.local'])] });
      Testing.synth(chart);
    });
    expect(errors).toContain('[test/smoke] lookups[1] "web.shop.svc.cluster.local": is under the cluster domain "cluster.local", but the app\'s is "k8s.internal", '
      + 'so it never resolves; use "web.shop.svc.k8s.internal", or give the app one cluster domain');
  });
});
