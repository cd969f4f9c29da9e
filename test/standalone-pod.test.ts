import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ContainerSecurity, MetadataKeys, PodRestartPolicy, StandalonePod } from '../src';
import { errorOf, only, synthValid, testChart } from './util';

const busybox = { name: 'dns-test', image: 'busybox:1.28.4', args: ['/bin/sh', '-c', 'sleep 36000'] };

test('a v1 Pod with the shared pod template: secure defaults, stable labels, restart policy left to Kubernetes', () => {
  const chart = testChart();
  const pod = new StandalonePod(chart, 'dns-test', { containers: [busybox] });
  const doc = only(synthValid(chart), 'Pod');
  expect(doc.apiVersion).toBe('v1');
  expect(doc.metadata).toEqual({ name: 'dns-test', labels: { 'app.kubernetes.io/name': 'dns-test', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' } });
  expect(doc.spec.restartPolicy).toBeUndefined();
  expect(doc.spec.automountServiceAccountToken).toBe(false);
  expect(doc.spec.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  expect(pod.name).toBe('dns-test');
});

test('restartPolicy, namespace, annotations and the root reason end up on the Pod', () => {
  const chart = testChart();
  new StandalonePod(chart, 'debug', {
    namespace: 'tools',
    restartPolicy: PodRestartPolicy.NEVER,
    annotations: { note: 'kubectl exec into me' },
    containers: [{ ...busybox, security: ContainerSecurity.runAsRoot({ reason: 'busybox ping needs raw sockets as root' }) }],
  });
  const doc = only(synthValid(chart), 'Pod');
  expect(doc.metadata.namespace).toBe('tools');
  expect(doc.spec.restartPolicy).toBe('Never');
  expect(doc.metadata.annotations).toEqual({ note: 'kubectl exec into me', [MetadataKeys.runsAsRoot('dns-test')]: 'busybox ping needs raw sockets as root' });
});

test('a kplus.NetworkPolicy selects the Pod by its labels', () => {
  const chart = testChart();
  const pod = new StandalonePod(chart, 'debug', { containers: [busybox] });
  new kplus.NetworkPolicy(chart, 'p', { selector: pod, egress: { default: kplus.NetworkPolicyTrafficDefault.DENY } });
  const docs = synthValid(chart);
  expect(only(docs, 'NetworkPolicy').spec.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'debug' } });
});

test('bad input names the construct, field and fix', () => {
  expect(errorOf(() => {
    const chart = testChart();
    new StandalonePod(chart, 'debug', { containers: [busybox], restartPolicy: 'Sometimes' as PodRestartPolicy });
    Testing.synth(chart);
  })).toMatch(/^\[test\/debug\] restartPolicy "Sometimes": /);
  expect(errorOf(() => {
    const chart = testChart();
    new StandalonePod(chart, 'Debug_Pod', { containers: [busybox] });
    Testing.synth(chart);
  })).toMatch(/^\[test\/Debug_Pod\] name \(from the construct id\) "Debug_Pod": /);
});

test('MetadataKeys builds the keys under the library domain', () => {
  expect(MetadataKeys.DOMAIN).toBe('cdk8s-workloads.dev');
  expect(MetadataKeys.suppression('host-network')).toBe('cdk8s-workloads.dev/allow-host-network');
  expect(MetadataKeys.reason('host-pid')).toBe('cdk8s-workloads.dev/reason.host-pid');
  expect([MetadataKeys.MANAGED_BY_LABEL, MetadataKeys.MANAGED_BY]).toEqual(['app.kubernetes.io/managed-by', 'cdk8s-workloads']);
});
