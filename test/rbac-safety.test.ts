import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Manifest, parseYamlDocuments } from './util';
import { buildTutorialCluster } from '../examples/tutorial/tutorial';
import { AppSynthesizer } from '../src/gitops/app-synthesizer';

/** Subjects that stand for every client of the API server. */
const ANYONE = ['system:anonymous', 'system:unauthenticated'];

/** Bindings that hand the cluster (or anything) to everyone, or cluster-admin to anyone. */
function unsafeBindings(docs: Manifest[]): string[] {
  const problems: string[] = [];
  for (const d of docs.filter((m) => m.kind === 'ClusterRoleBinding' || m.kind === 'RoleBinding')) {
    const id = `${d.kind} ${d.metadata?.name}`;
    if (d.roleRef?.name === 'cluster-admin') problems.push(`${id} grants cluster-admin`);
    for (const s of d.subjects ?? []) {
      if (ANYONE.includes(s.name)) problems.push(`${id} names ${s.kind} ${s.name}`);
    }
  }
  return problems;
}

function synthesize(app: App): Manifest[] {
  return AppSynthesizer.render(app)
    .filter((f) => f.fileName.endsWith('.k8s.yaml'))
    .flatMap((f) => parseYamlDocuments(f.content));
}

test('no binding of the synth app grants cluster-admin or names anonymous or unauthenticated users', () => {
  const app = Testing.app();
  buildTutorialCluster(app);
  const docs = synthesize(app);
  expect(docs.length).toBeGreaterThan(0);
  expect(unsafeBindings(docs)).toEqual([]);
});

test('the check finds the tutorial\'s "fix" and its variants', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'bad', { namespace: 'default' });
  const roleRef = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
  new k8s.KubeClusterRoleBinding(chart, 'anonymous-admin', {
    metadata: { name: 'anonymous-admin' },
    roleRef: roleRef('ClusterRole', 'cluster-admin'),
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:anonymous' }],
  });
  new k8s.KubeRoleBinding(chart, 'unauthenticated-view', {
    metadata: { name: 'unauthenticated-view' },
    roleRef: roleRef('ClusterRole', 'view'),
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:unauthenticated' }],
  });
  new k8s.KubeClusterRoleBinding(chart, 'ops-admin', {
    metadata: { name: 'ops-admin' },
    roleRef: roleRef('ClusterRole', 'cluster-admin'),
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'ops' }],
  });
  new k8s.KubeClusterRoleBinding(chart, 'fine', {
    metadata: { name: 'fine' },
    roleRef: roleRef('ClusterRole', 'system:kubelet-api-admin'),
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'kubernetes' }],
  });
  // Testing.synth, not AppSynthesizer: the chart's namespace on cluster-scoped bindings is itself an error there.
  expect(unsafeBindings(Testing.synth(chart))).toEqual([
    'ClusterRoleBinding anonymous-admin grants cluster-admin',
    'ClusterRoleBinding anonymous-admin names User system:anonymous',
    'RoleBinding unauthenticated-view names Group system:unauthenticated',
    'ClusterRoleBinding ops-admin grants cluster-admin',
  ]);
});
