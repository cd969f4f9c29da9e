import { Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { synthValid } from './util';
import { clusterScoped } from '../src/workload/cluster-scoped';

test.each([['kube-system'], [undefined]])('cluster-scoped objects drop the chart namespace (%s)', (namespace) => {
  const chart = new Chart(Testing.app(), 'c', { namespace });
  clusterScoped(new k8s.KubeClusterRole(chart, 'role', { metadata: { name: 'reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }));
  new k8s.KubeServiceAccount(chart, 'sa', { metadata: { name: 'reader' } });
  const [role, sa] = synthValid(chart);
  expect(role.metadata).toEqual({ name: 'reader' });
  expect(sa.metadata.namespace).toBe(namespace);
});
