import { Testing } from 'cdk8s';
import {
  AccessMode, BatchJob, PodContainerProps, KubeletApiAccess, KubeletApiAccessProps, NfsExportClient, NfsVolumeSet, NodeAgent, PolicyRule,
  ScheduledJob, StatelessApp,
} from '../src';
import { errorOf, only, synthValid, testChart } from './util';
import { reasonAnnotationKey } from '../src/kubernetes/metadata-keys';

// GIVEN a risky choice WHEN it comes without a reason THEN synthesis fails naming path, field, value and fix;
// WHEN it comes with a real reason THEN it is rendered and the reason is kept as an annotation.

const WHY = 'the legacy backup host mounts every volume over NFS';

describe('NFS exports open to everyone, or keeping root for wide ranges', () => {
  function nfs(client: NfsExportClient) {
    const chart = testChart();
    const set = new NfsVolumeSet(chart, 'nfs', {
      server: 'stor01', capacity: '1Gi', accessModes: [AccessMode.READ_WRITE_MANY], exports: [client], volumes: [{ name: 'pv1', path: '/srv/one' }],
    });
    return { set, pv: only(synthValid(chart), 'PersistentVolume') };
  }

  test.each([
    [{ cidr: '*', options: ['rw', 'root_squash'] }, '"*": is writable by every host that reaches the server (with options rw,root_squash)'],
    [{ cidr: '0.0.0.0/0', options: ['rw', 'root_squash'] }, '"0.0.0.0/0": is writable by every host'],
    [{ cidr: '::/0', options: ['rw', 'root_squash'] }, '"::/0": is writable by every host'],
    [{ cidr: '10.0.0.0/8' }, '"10.0.0.0/8": keeps root (no_root_squash) for a wide range (wider than /16), so root on any of those hosts owns the files (with options rw,no_root_squash)'],
    [{ cidr: 'fd00::/32', options: ['ro', 'no_root_squash'] }, '"fd00::/32": keeps root (no_root_squash) for a wide range (wider than /48)'],
  ])('rejected without a reason: %j', (client, message) => {
    const error = errorOf(() => nfs(client));
    expect(error).toContain(`[test/nfs] exports[0].cidr ${message}`);
    expect(error).toMatch(/, a risky choice that needs a stated reason; narrow the range, use "ro" or "root_squash", or give reason$/);
  });

  test('the nearest accepted cases need no reason: everyone read-only with root squashed, a /16 with no_root_squash', () => {
    expect(nfs({ cidr: '*', options: ['ro', 'root_squash'] }).pv.metadata.annotations).toBeUndefined();
    expect(nfs({ cidr: '10.1.0.0/16' }).pv.metadata.annotations).toBeUndefined();
    expect(errorOf(() => nfs({ cidr: '10.1.0.0/16', reason: WHY }))).toMatch(/^\[test\/nfs\] exports\[0\]\.reason .*: the export is neither open to everyone/);
  });

  test('accepted with a reason: kept on the PersistentVolume and in the exports file', () => {
    const { set, pv } = nfs({ cidr: '10.0.0.0/8', reason: WHY });
    expect(pv.metadata.annotations).toEqual({ 'cdk8s-workloads.dev/reason.nfs-export.0': `10.0.0.0/8(rw,no_root_squash): ${WHY}` });
    expect(set.exportsFile().split('\n').slice(2, 4)).toEqual([`# 10.0.0.0/8: ${WHY}`, '/srv/one 10.0.0.0/8(rw,no_root_squash)']);
    expect(errorOf(() => nfs({ cidr: '*', reason: 'tbd' }))).toMatch(/^\[test\/nfs\] exports\[0\]\.reason "tbd": is a placeholder/);
  });
});

describe('granting the kubelet API beyond the API server', () => {
  function binding(props: KubeletApiAccessProps) {
    const chart = testChart();
    new KubeletApiAccess(chart, 'kubelet', props);
    return only(synthValid(chart), 'ClusterRoleBinding');
  }

  test('groups or ServiceAccounts without a reason are rejected', () => {
    expect(errorOf(() => binding({ groups: ['ops'] }))).toBe('[test/kubelet] groups ["ops"]: grants the kubelet API (exec into and read logs of every pod on every node) '
      + 'beyond the API server, a risky choice that needs a stated reason; grant it only to the API server (the default), or give reason');
    expect(errorOf(() => binding({ serviceAccounts: [{ name: 'debugger', namespace: 'ops' }] }))).toMatch(/^\[test\/kubelet\] serviceAccounts \["ops\/debugger"\]: grants the kubelet API/);
    expect(errorOf(() => binding({ groups: ['system:authenticated'], reason: WHY }))).toMatch(/^\[test\/kubelet\] groups\[0\] "system:authenticated": stands for every client/);
    expect(errorOf(() => binding({ groups: ['ops'], reason: 'because' }))).toMatch(/^\[test\/kubelet\] reason "because": is a placeholder/);
    expect(errorOf(() => binding({ reason: WHY }))).toMatch(/^\[test\/kubelet\] reason .*: only the API server is granted, so there is nothing to justify/);
  });

  test('accepted with a reason: the subjects are bound and the reason annotated', () => {
    const why = 'the on-call group reads node logs during incidents';
    const b = binding({ groups: ['oncall'], serviceAccounts: [{ name: 'log-shipper', namespace: 'ops' }], reason: why });
    expect(b.subjects).toEqual([
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'kubernetes' },
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oncall' },
      { kind: 'ServiceAccount', name: 'log-shipper', namespace: 'ops' },
    ]);
    expect(b.metadata.annotations).toEqual({ 'cdk8s-workloads.dev/reason.kubelet-api-subjects': why });
  });
});

describe('RBAC rules that escalate or read Secrets cluster-wide', () => {
  const agent: PodContainerProps = { name: 'agent', image: 'example.com/agent:1.0.0' };
  function role(rules: PolicyRule[]) {
    const chart = testChart();
    new NodeAgent(chart, 'agent', { containers: [agent], rules });
    return only(synthValid(chart), 'ClusterRole');
  }

  test.each([
    [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'] }, '["bind"]: grants "bind"'],
    [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['get', 'escalate'] }, '["get","escalate"]: grants "escalate"'],
    [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }, '["impersonate"]: grants "impersonate"'],
    [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }, '["list"]: reads every Secret of every namespace (cluster-wide), tokens and keys included'],
  ])('rejected without a reason: %j', (rule, message) => {
    expect(errorOf(() => role([rule]))).toContain(`[test/agent] rules[0].verbs ${message}`);
    expect(errorOf(() => role([rule]))).toContain('a risky choice that needs a stated reason; narrow the rule (resourceNames, a namespaced Role), or give reason');
  });

  test('the nearest accepted cases: one named Secret, and reading pods', () => {
    expect(role([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['agent-token'] }]).metadata.annotations).toBeUndefined();
    expect(role([{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]).metadata.annotations).toBeUndefined();
    expect(errorOf(() => role([{ apiGroups: [''], resources: ['pods'], verbs: ['list'], reason: WHY }])))
      .toMatch(/^\[test\/agent\] rules\[0\]\.reason .*: the rule grants nothing risky/);
  });

  test('accepted with a reason, kept on the ClusterRole', () => {
    const why = 'the agent syncs TLS Secrets into every namespace';
    const r = role([{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'], reason: why }]);
    expect(r.metadata.annotations).toEqual({ 'cdk8s-workloads.dev/reason.rules.1': why });
    expect(r.rules[1]).toEqual({ apiGroups: [''], resources: ['secrets'], verbs: ['list', 'watch'] });
  });
});

describe('unpinned images, one rule in every construct', () => {
  test.each([
    ['StatelessApp', (chart: any, c: PodContainerProps) => new StatelessApp(chart, 'w', { containers: [c] })],
    ['BatchJob', (chart: any, c: PodContainerProps) => new BatchJob(chart, 'w', { containers: [c] })],
    ['ScheduledJob', (chart: any, c: PodContainerProps) => new ScheduledJob(chart, 'w', { schedule: '0 * * * *', containers: [c] })],
    ['NodeAgent', (chart: any, c: PodContainerProps) => new NodeAgent(chart, 'w', { containers: [c] })],
  ])('%s: untagged and :latest are rejected; pinned or with a reason accepted', (_, build) => {
    for (const image of ['busybox', 'busybox:latest', 'registry.example.com:5000/tools/busybox']) {
      const chart = testChart();
      expect(errorOf(() => {
        build(chart, { name: 'c', image });
        Testing.synth(chart);
      })).toBe(`[test/w] containers[0].image "${image}": is not pinned to a tag or digest (no tag, or ":latest"), so two syncs may run different images; `
        + `pin it, e.g. "${image.replace(/:latest$/, '')}:1.2.3"`);
    }
    const pinned = testChart();
    build(pinned, { name: 'c', image: 'busybox:1.36' });
    expect(() => synthValid(pinned)).not.toThrow();
    const justified = testChart();
    build(justified, { name: 'c', image: 'busybox:latest', unpinnedImageReason: 'a throwaway debugging tool, always the newest' });
    const docs = synthValid(justified);
    const annotations = JSON.stringify(docs);
    expect(annotations).toContain('"cdk8s-workloads.dev/reason.unpinned-image.c":"a throwaway debugging tool, always the newest"');
  });

  test('placeholder reasons, and a reason for a pinned image, are refused', () => {
    const chart = testChart();
    expect(errorOf(() => {
      new StatelessApp(chart, 'w', { containers: [{ name: 'c', image: 'busybox', unpinnedImageReason: 'TODO later' }] });
      Testing.synth(chart);
    })).toMatch(/^\[test\/w\] containers\[0\]\.unpinnedImageReason "TODO later": is a placeholder/);
    expect(errorOf(() => {
      const other = testChart();
      new StatelessApp(other, 'w', { containers: [{ name: 'c', image: 'busybox:1.36', unpinnedImageReason: WHY }] });
      Testing.synth(other);
    })).toMatch(/^\[test\/w\] containers\[0\]\.unpinnedImageReason .*: the image is pinned, so there is nothing to justify; remove unpinnedImageReason$/);
  });
});

test('long choices still make valid annotation keys (at most 63 characters after the domain), distinct per choice', () => {
  const a = reasonAnnotationKey(`host-port.${'c'.repeat(63)}.8080-TCP`);
  const b = reasonAnnotationKey(`host-port.${'c'.repeat(63)}.8081-TCP`);
  expect(a.split('/')[1].length).toBeLessThanOrEqual(63);
  expect(a).not.toBe(b);
  expect(a).toMatch(/^cdk8s-workloads\.dev\/reason\.host-port\.c+-[0-9a-f]{8}$/);
});
