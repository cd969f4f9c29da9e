import { KubeletApiAccess, KubeletApiAccessProps } from '../src';
import { only, synthValid, testChart } from './util';

function render(props?: KubeletApiAccessProps, namespace?: string) {
  const chart = testChart({ namespace });
  const access = new KubeletApiAccess(chart, 'kubelet-api', props);
  return { access, binding: only(synthValid(chart), 'ClusterRoleBinding') };
}

test('binds system:kubelet-api-admin to the API server\'s kubelet-client user "kubernetes"', () => {
  const { access, binding } = render();
  expect(binding.apiVersion).toBe('rbac.authorization.k8s.io/v1');
  expect(binding.metadata).toEqual({ name: 'kubelet-api', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-workloads' } });
  expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:kubelet-api-admin' });
  expect(binding.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'kubernetes' }]);
  expect(access.name).toBe('kubelet-api');
  expect(access.userName).toBe('kubernetes');
  expect(access.clusterRoleBinding.name).toBe('kubelet-api');
});

test('every prop; a cluster-scoped binding drops the chart namespace', () => {
  const { binding } = render({ name: 'apiserver:kubelet-api', userName: 'kube-apiserver-kubelet-client', labels: { team: 'platform' } }, 'kube-system');
  expect(binding.metadata).toEqual({ name: 'apiserver:kubelet-api', labels: { 'team': 'platform', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' } });
  expect(binding.subjects[0].name).toBe('kube-apiserver-kubelet-client');
});

test.each([['system:anonymous'], ['system:unauthenticated'], ['system:authenticated']])('rejects the user %s', (userName) => {
  expect(() => render({ userName })).toThrow(
    `[test/kubelet-api] userName "${userName}": stands for every client, so the kubelet API (exec into any pod) would be open to anyone who reaches the API server; `
    + 'use the CN of the kube-apiserver\'s --kubelet-client-certificate, e.g. "kubernetes"');
});

test.each<[KubeletApiAccessProps, string]>([
  [{ userName: ' ' }, '[test/kubelet-api] userName " ": must not be empty; give a value'],
  [{ name: 'a/b' }, '[test/kubelet-api] name "a/b": must be a path segment name (no \'/\' or \'%\', 1-253 characters); use a name like "system:my-role"'],
  [{ labels: { 'bad key!': 'x' } }, '[test/kubelet-api] labels key "bad key!": the name part must be 1-63 characters'],
])('rejects bad input (%#)', (props, message) => {
  expect(() => render(props)).toThrow(message);
});
