import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { synthValid } from './util';
import { ChangeGuard } from '../src';
import { isClusterScoped, manifestProblems } from '../src/kubernetes/validation';
import { clusterScoped } from '../src/workload/cluster-scoped';

test.each([['kube-system'], [undefined]])('cluster-scoped objects drop the chart namespace (%s)', (namespace) => {
  const chart = new Chart(Testing.app(), 'c', { namespace });
  clusterScoped(new k8s.KubeClusterRole(chart, 'role', { metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }));
  new k8s.KubeServiceAccount(chart, 'sa', { metadata: { name: 'reader' } });
  const [role, sa] = synthValid(chart);
  expect(role.metadata).toEqual({ name: 'reader' });
  expect(sa.metadata.namespace).toBe(namespace);
});

describe('one list of cluster-scoped kinds, keyed by group', () => {
  test.each([
    ['v1', 'Namespace', true], ['storage.k8s.io/v1', 'VolumeAttachment', true], ['flowcontrol.apiserver.k8s.io/v1beta3', 'FlowSchema', true],
    ['certificates.k8s.io/v1', 'CertificateSigningRequest', true], ['apps/v1', 'Deployment', false],
    // A custom resource that shares a built-in kind's name is namespaced like any other.
    ['example.com/v1', 'Namespace', false], ['example.com/v1', 'ClusterRole', false],
  ])('%s %s: cluster-scoped %s', (apiVersion, kind, expected) => {
    expect(isClusterScoped(apiVersion, kind)).toBe(expected);
    const problems = manifestProblems({ apiVersion, kind, metadata: { name: 'x', namespace: 'team' } }).filter((p) => p.path === 'metadata.namespace');
    expect(problems.length).toBe(expected ? 1 : 0);
  });

  test('the change guard identifies a FlowSchema without the namespace a chart gave it (the app index and the API server do too)', () => {
    const flowSchema = (namespace?: string) => ({
      fileName: 'a.k8s.yaml',
      objects: [{ apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3', kind: 'FlowSchema', metadata: { name: 'fs', ...(namespace ? { namespace } : {}) }, spec: {} }],
    });
    const plan = ChangeGuard.planChanges([flowSchema('team')], [flowSchema()]);
    // One object, not one removed and one added (which a GitOps tool with pruning would delete and create).
    expect({ added: plan.added, removed: plan.removed }).toEqual({ added: 0, removed: 0 });
  });
});
