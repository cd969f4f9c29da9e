import { Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { parseAllDocuments } from 'yaml';
import { ChangeAcknowledgement, ChangeGuard, ChangePlan, FindingType, ManifestFile, ObjectAction, StatefulApp } from '../src';
import { errorOf, Manifest, synthValid, testChart } from './util';

// GIVEN a previous and a next rendering of one object (YAML written here), WHEN planned, THEN the findings say
// what a Kubernetes 1.28 API server would refuse.

function yamlDocs(text: string): Manifest[] {
  return parseAllDocuments(text).map((d) => d.toJSON()).filter((d) => d);
}

function file(fileName: string, text: string): ManifestFile {
  return { fileName, objects: yamlDocs(text) };
}

function plan(before: string, after: string, acknowledgements?: ChangeAcknowledgement[]): ChangePlan {
  return ChangeGuard.planChanges([file('app.k8s.yaml', before)], [file('app.k8s.yaml', after)], { acknowledgements });
}

/** The fields the guard refuses, for one change of one object. */
function refused(before: string, after: string): string[] {
  return plan(before, after).blocking.map((f) => f.field);
}

const sts = (spec: string) => `
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: data }
spec:
  replicas: 2
  serviceName: db
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: "postgres:16" }] }
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 2Gi } } }
${spec}`;

describe('StatefulSet: only replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy, minReadySeconds change', () => {
  const base = sts('');

  test.each([
    ['replicas', base.replace('replicas: 2', 'replicas: 3')],
    ['template', base.replace('postgres:16', 'postgres:16.1')],
    ['updateStrategy', sts('  updateStrategy: { type: OnDelete }')],
    ['minReadySeconds', sts('  minReadySeconds: 10')],
    ['persistentVolumeClaimRetentionPolicy', sts('  persistentVolumeClaimRetentionPolicy: { whenDeleted: Delete, whenScaled: Retain }')],
    ['ordinals', sts('  ordinals: { start: 1 }')],
    ['defaults written out', sts('  podManagementPolicy: OrderedReady\n  revisionHistoryLimit: 10')],
    ['the same size in another form', base.replace('storage: 2Gi', 'storage: 2048Mi')],
  ])('allowed: %s', (_, after) => {
    const p = plan(base, after);
    expect(p.blocking).toEqual([]);
  });

  test.each([
    ['serviceName', base.replace('serviceName: db', 'serviceName: db-headless'), 'spec.serviceName'],
    ['selector', base.replace('matchLabels: { app: db }', 'matchLabels: { app: db2 }'), 'spec.selector.matchLabels.app'],
    ['podManagementPolicy', sts('  podManagementPolicy: Parallel'), 'spec.podManagementPolicy'],
    ['revisionHistoryLimit (immutable in 1.28)', sts('  revisionHistoryLimit: 3'), 'spec.revisionHistoryLimit'],
    ['claim template access modes', base.replace('accessModes: [ReadWriteOnce]', 'accessModes: [ReadWriteMany]'), 'spec.volumeClaimTemplates[0].spec.accessModes[0]'],
  ])('forbidden: %s', (_, after, field) => {
    expect(refused(base, after)).toEqual([field]);
  });

  test('a claim template size change names the object, field, old -> new, and expanding the existing claims', () => {
    const [finding] = plan(base, base.replace('storage: 2Gi', 'storage: 4Gi')).blocking;
    expect(finding).toMatchObject({
      resource: { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'data', name: 'db' },
      findingType: FindingType.IMMUTABLE_FIELD,
      field: 'spec.volumeClaimTemplates[0].spec.resources.requests.storage',
      oldValue: '"2Gi"',
      newValue: '"4Gi"',
    });
    expect(finding.reason).toMatch(/updates to statefulset spec for fields other than 'replicas'/);
    expect(finding.waysOut[0]).toContain('kubectl patch pvc data-db-0 -n data');
    expect(finding.waysOut[0]).toContain('kubectl patch pvc data-db-1 -n data');
    expect(finding.waysOut.join('\n')).toContain('kubectl delete statefulset db -n data --cascade=orphan');
    expect(finding.waysOut.join('\n')).toMatch(/new name/);
  });
});

const workload = (kind: string, app: string, image = 'nginx:1.25') => `
apiVersion: apps/v1
kind: ${kind}
metadata: { name: web }
spec:
  selector: { matchLabels: { app: ${app} } }
  template:
    metadata: { labels: { app: ${app} } }
    spec: { containers: [{ name: web, image: "${image}" }] }
`;

describe.each(['Deployment', 'DaemonSet'])('%s: the selector is immutable', (kind) => {
  test('allowed: template and replicas-like changes', () => {
    expect(refused(workload(kind, 'web'), workload(kind, 'web', 'nginx:1.26'))).toEqual([]);
  });
  test('forbidden: selector', () => {
    const [f] = plan(workload(kind, 'web'), workload(kind, 'web2')).blocking;
    expect(f.field).toBe('spec.selector.matchLabels.app');
    expect(f.waysOut[0]).toContain(`kubectl delete ${kind.toLowerCase()} web --cascade=orphan`);
  });
});

const job = (spec: string, template = 'image: "perl:5.34"') => `
apiVersion: batch/v1
kind: Job
metadata: { name: pi }
spec:
${spec}
  template:
    spec:
      restartPolicy: Never
      containers: [{ name: pi, ${template} }]
`;

describe('Job: the pod template, selector, completions, completionMode and podFailurePolicy are immutable', () => {
  test('allowed: parallelism, backoffLimit, suspend, ttl', () => {
    expect(refused(job('  parallelism: 1'), job('  parallelism: 2\n  backoffLimit: 2\n  suspend: true\n  ttlSecondsAfterFinished: 60'))).toEqual([]);
  });
  test('forbidden: the template of a Job that is not suspended', () => {
    const [f] = plan(job('  parallelism: 1'), job('  parallelism: 1', 'image: "perl:5.36"')).blocking;
    expect(f.field).toBe('spec.template.spec.containers[0].image');
    expect(f.waysOut[0]).toContain('kubectl delete job pi');
  });
  test('allowed: scheduling directives of a suspended Job; its image still not', () => {
    const before = job('  suspend: true');
    expect(refused(before, before.replace('restartPolicy: Never', 'restartPolicy: Never\n      nodeSelector: { disk: ssd }'))).toEqual([]);
    expect(refused(before, job('  suspend: true', 'image: "perl:5.36"'))).toEqual(['spec.template.spec.containers[0].image']);
  });
  test('completions: immutable for NonIndexed Jobs; with Indexed, only in tandem with parallelism', () => {
    expect(refused(job('  completions: 3'), job('  completions: 4'))).toEqual(['spec.completions']);
    const indexed = (c: number, p: number) => job(`  completionMode: Indexed\n  completions: ${c}\n  parallelism: ${p}`);
    expect(refused(indexed(3, 3), indexed(5, 5))).toEqual([]);
    expect(refused(indexed(3, 3), indexed(5, 3))).toEqual(['spec.completions']);
  });
  test('forbidden: completionMode (unset is NonIndexed)', () => {
    expect(refused(job('  completions: 3'), job('  completions: 3\n  completionMode: NonIndexed'))).toEqual([]);
    expect(refused(job('  completions: 3'), job('  completions: 3\n  completionMode: Indexed'))).toEqual(['spec.completionMode']);
  });
});

test('CronJob: the job template may change', () => {
  const cron = (image: string) => `
apiVersion: batch/v1
kind: CronJob
metadata: { name: c }
spec:
  schedule: "*/5 * * * *"
  jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [{ name: c, image: "${image}" }] } } } }
`;
  const p = plan(cron('busybox:1.36'), cron('busybox:1.37'));
  expect(p.changed).toBe(1);
  expect(p.blocking).toEqual([]);
});

const svc = (spec: string) => `
apiVersion: v1
kind: Service
metadata: { name: db, namespace: data }
spec:
  ports: [{ port: 5432 }]
${spec}`;

describe('Service: cluster IPs may not change once set', () => {
  test.each([
    ['ports', svc(''), svc('').replace('5432', '5433')],
    ['type ClusterIP -> NodePort', svc(''), svc('  type: NodePort')],
    ['to ExternalName', svc('  clusterIP: 10.0.0.10'), svc('  type: ExternalName\n  externalName: db.example.com')],
    ['headless stays headless', svc('  clusterIP: None'), svc('  clusterIP: None\n  publishNotReadyAddresses: true')],
    ['an explicit IP left out (the server keeps it)', svc('  clusterIP: 10.0.0.10'), svc('')],
  ])('allowed: %s', (_, before, after) => {
    expect(refused(before, after)).toEqual([]);
  });
  test.each([
    ['explicit IP changed', svc('  clusterIP: 10.0.0.10'), svc('  clusterIP: 10.0.0.11'), 'spec.clusterIPs[0]'],
    ['headless -> ClusterIP address', svc('  clusterIP: None'), svc('  clusterIP: 10.0.0.11'), 'spec.clusterIPs[0]'],
    ['allocated -> headless', svc(''), svc('  clusterIP: None'), 'spec.clusterIP'],
    ['primary IP family', svc('  ipFamilies: [IPv4]'), svc('  ipFamilies: [IPv6]'), 'spec.ipFamilies[0]'],
    ['loadBalancerClass', svc('  type: LoadBalancer\n  loadBalancerClass: a.example/lb'), svc('  type: LoadBalancer\n  loadBalancerClass: b.example/lb'), 'spec.loadBalancerClass'],
  ])('forbidden: %s', (_, before, after, field) => {
    expect(refused(before, after)).toEqual([field]);
  });
});

const pv = (spec: string, server = '10.0.0.5') => `
apiVersion: v1
kind: PersistentVolume
metadata: { name: nfs-1 }
spec:
  capacity: { storage: 2Gi }
  accessModes: [ReadWriteOnce]
  nfs: { server: ${server}, path: /exports/1 }
${spec}`;

describe('PersistentVolume: the volume source and volumeMode are immutable', () => {
  test('allowed: capacity, reclaim policy, mount options, class', () => {
    expect(refused(pv(''), pv('  persistentVolumeReclaimPolicy: Retain\n  mountOptions: [nfsvers=4.1]\n  storageClassName: nfs').replace('2Gi', '4Gi'))).toEqual([]);
  });
  test('forbidden: the NFS server, and volumeMode', () => {
    const [f] = plan(pv(''), pv('', '10.0.0.6')).blocking;
    expect(f).toMatchObject({ field: 'spec.nfs.server', oldValue: '"10.0.0.5"', newValue: '"10.0.0.6"' });
    expect(f.reason).toBe('spec.persistentvolumesource is immutable after creation');
    expect(refused(pv(''), pv('  volumeMode: Block'))).toEqual(['spec.volumeMode']);
    expect(refused(pv(''), pv('  volumeMode: Filesystem'))).toEqual([]);
  });
});

const pvc = (size: string, extra = '', cls = 'storageClassName: fast') => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: data }
spec:
  accessModes: [ReadWriteOnce]
  ${cls}
  resources: { requests: { storage: ${size} } }
${extra}`;
const fastClass = (expand: boolean) => `---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: fast }
provisioner: csi.example.com
allowVolumeExpansion: ${expand}
`;

describe('PersistentVolumeClaim: immutable except a growing storage request', () => {
  test('allowed: growing a claim whose class allows expansion; setting volumeName once', () => {
    expect(refused(pvc('1Gi') + fastClass(true), pvc('2Gi') + fastClass(true))).toEqual([]);
    expect(refused(pvc('1Gi'), pvc('1Gi', '  volumeName: pv-1'))).toEqual([]);
  });
  test('forbidden: shrinking, growing without expansion support, access modes, volumeName once set', () => {
    expect(refused(pvc('2Gi'), pvc('1Gi'))).toEqual(['spec.resources.requests.storage']);
    expect(refused(pvc('1Gi') + fastClass(false), pvc('2Gi') + fastClass(false))).toEqual(['spec.resources.requests.storage']);
    expect(refused(pvc('1Gi', '', 'storageClassName: ""'), pvc('2Gi', '', 'storageClassName: ""'))).toEqual(['spec.resources.requests.storage']);
    expect(refused(pvc('1Gi'), pvc('1Gi').replace('[ReadWriteOnce]', '[ReadWriteMany]'))).toEqual(['spec.accessModes[0]']);
    expect(refused(pvc('1Gi', '  volumeName: pv-1'), pvc('1Gi', '  volumeName: pv-2'))).toEqual(['spec.volumeName']);
  });
  test('a class may be set on a claim without one (1.28 retroactive default class), not changed', () => {
    expect(refused(pvc('1Gi', '', ''), pvc('1Gi'))).toEqual([]);
    expect(refused(pvc('1Gi'), pvc('1Gi', '', 'storageClassName: slow'))).toEqual(['spec.storageClassName']);
  });
});

const sc = (extra: string) => `
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: nfs }
provisioner: kubernetes.io/no-provisioner
${extra}`;

describe('StorageClass: parameters, provisioner, reclaimPolicy and volumeBindingMode are immutable', () => {
  test('allowed: allowVolumeExpansion, mountOptions; defaults written out', () => {
    expect(refused(sc(''), sc('allowVolumeExpansion: true\nmountOptions: [hard]\nreclaimPolicy: Delete\nvolumeBindingMode: Immediate'))).toEqual([]);
  });
  test.each([
    ['parameters', sc('parameters: { a: "1" }'), sc('parameters: { a: "2" }'), 'parameters.a'],
    ['provisioner', sc(''), sc('').replace('kubernetes.io/no-provisioner', 'nfs.csi.k8s.io'), 'provisioner'],
    ['reclaimPolicy', sc(''), sc('reclaimPolicy: Retain'), 'reclaimPolicy'],
    ['volumeBindingMode', sc(''), sc('volumeBindingMode: WaitForFirstConsumer'), 'volumeBindingMode'],
  ])('forbidden: %s', (_, before, after, field) => {
    expect(refused(before, after)).toEqual([field]);
  });
});

describe.each(['RoleBinding', 'ClusterRoleBinding'])('%s: roleRef cannot change', (kind) => {
  const binding = (role: string, user: string) => `
apiVersion: rbac.authorization.k8s.io/v1
kind: ${kind}
metadata: { name: b${kind === 'RoleBinding' ? ', namespace: ns' : ''} }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role} }
subjects: [{ kind: User, name: ${user}, apiGroup: rbac.authorization.k8s.io }]
`;
  test('allowed: subjects', () => expect(refused(binding('view', 'a'), binding('view', 'b'))).toEqual([]));
  test('forbidden: roleRef', () => {
    const [f] = plan(binding('view', 'a'), binding('edit', 'a')).blocking;
    expect(f).toMatchObject({ field: 'roleRef.name', reason: 'cannot change roleRef' });
  });
});

describe('immutable ConfigMaps and Secrets', () => {
  const cm = (immutable: string, value: string) => `
apiVersion: v1
kind: ConfigMap
metadata: { name: conf }
${immutable}
data: { key: "${value}" }
`;
  test('allowed: data of a mutable ConfigMap; making it immutable', () => {
    expect(refused(cm('', 'a'), cm('', 'b'))).toEqual([]);
    expect(refused(cm('', 'a'), cm('immutable: true', 'a'))).toEqual([]);
  });
  test('forbidden: data of an immutable ConfigMap, or making it mutable again', () => {
    expect(refused(cm('immutable: true', 'a'), cm('immutable: true', 'b'))).toEqual(['data.key']);
    expect(refused(cm('immutable: true', 'a'), cm('', 'a'))).toEqual(['immutable']);
  });
  test('Secret: type is always immutable (unset is Opaque); stringData counts as data', () => {
    const secret = (extra: string) => `
apiVersion: v1
kind: Secret
metadata: { name: s }
${extra}`;
    expect(refused(secret(''), secret('type: Opaque'))).toEqual([]);
    expect(refused(secret(''), secret('type: kubernetes.io/tls'))).toEqual(['type']);
    expect(refused(secret('immutable: true\ndata: { a: YQ== }'), secret('immutable: true\nstringData: { a: a }'))).toEqual([]);
    expect(refused(secret('immutable: true\ndata: { a: YQ== }'), secret('immutable: true\nstringData: { a: b }'))).toEqual(['data.a']);
  });
});

test('PodDisruptionBudget: the selector is mutable (since 1.15)', () => {
  const pdb = (app: string) => `
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: p }
spec: { maxUnavailable: 1, selector: { matchLabels: { app: ${app} } } }
`;
  const p = plan(pdb('a'), pdb('b'));
  expect(p.changed).toBe(1);
  expect(p.blocking).toEqual([]);
});

test('PriorityClass: value is immutable, description is not', () => {
  const pc = (value: number, description: string) => `
apiVersion: scheduling.k8s.io/v1
kind: PriorityClass
metadata: { name: high }
value: ${value}
description: ${description}
`;
  expect(refused(pc(1000, 'a'), pc(1000, 'b'))).toEqual([]);
  expect(refused(pc(1000, 'a'), pc(2000, 'a'))).toEqual(['value']);
});

describe('removals', () => {
  const retained = sts('  persistentVolumeClaimRetentionPolicy: { whenDeleted: Retain }');
  const deleting = sts('  persistentVolumeClaimRetentionPolicy: { whenDeleted: Delete }');

  test('plain removals are listed, not blocked', () => {
    const p = ChangeGuard.planChanges([file('a.k8s.yaml', `${retained}\n---\n${svc('')}`)], [file('a.k8s.yaml', '')]);
    expect(p.removed).toBe(2);
    expect(p.files[0].changes.map((c) => c.action)).toEqual([ObjectAction.REMOVE, ObjectAction.REMOVE]);
    expect(p.blocking).toEqual([]);
  });

  test('a StatefulSet whose retention policy deletes its claims', () => {
    const [f] = ChangeGuard.planChanges([file('a.k8s.yaml', deleting)], []).blocking;
    expect(f).toMatchObject({ findingType: FindingType.DATA_LOSS, field: 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted' });
    expect(f.reason).toContain('data-db-0, data-db-1');
  });

  test('a Namespace, with what it holds', () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: { name: data }\n---';
    const [f] = ChangeGuard.planChanges([file('a.k8s.yaml', ns + retained)], [file('a.k8s.yaml', retained)]).blocking;
    expect(f).toMatchObject({ findingType: FindingType.DATA_LOSS, resource: { kind: 'Namespace', name: 'data' } });
    expect(f.reason).toContain('StatefulSet db');
  });

  test('a PersistentVolume with reclaim policy Delete; not one with Retain', () => {
    expect(ChangeGuard.planChanges([file('a', pv('  persistentVolumeReclaimPolicy: Delete'))], []).blocking.map((f) => f.field))
      .toEqual(['spec.persistentVolumeReclaimPolicy']);
    expect(ChangeGuard.planChanges([file('a', pv('  persistentVolumeReclaimPolicy: Retain'))], []).blocking).toEqual([]);
  });

  test('a dynamically provisioned claim (its class deletes the volume); not one bound to a retained static volume', () => {
    expect(ChangeGuard.planChanges([file('a', pvc('1Gi'))], []).blocking).toHaveLength(1);
    const bound = pvc('1Gi', '  volumeName: nfs-1', 'storageClassName: ""') + '---' + pv('  persistentVolumeReclaimPolicy: Retain');
    expect(ChangeGuard.planChanges([file('a', bound)], [file('a', pv('  persistentVolumeReclaimPolicy: Retain'))]).blocking).toEqual([]);
  });
});

describe('acknowledgements', () => {
  const base = sts('');
  const bigger = base.replace('storage: 2Gi', 'storage: 4Gi');
  const ack = { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'data', name: 'db', reason: 'claims expanded by hand, STS orphan-deleted in change 42' };

  test('an acknowledged replacement goes through, and the plan says why', () => {
    const p = plan(base, bigger, [ack]);
    expect(p.blocking).toEqual([]);
    expect(p.findings[0].acknowledgedReason).toBe(ack.reason);
    expect(ChangeGuard.blockingError(p)).toBeUndefined();
    expect(ChangeGuard.formatPlan(p)).toContain(`acknowledged: ${ack.reason}`);
  });

  test('matching ignores the API version (apps/v1beta2 is the same object) but not the namespace', () => {
    expect(plan(base, bigger, [{ ...ack, apiVersion: 'apps/v1beta2' }]).blocking).toEqual([]);
    expect(plan(base, bigger, [{ ...ack, namespace: 'other' }]).blocking).toHaveLength(1);
  });

  test('an acknowledgement that matches nothing is reported, so it can be removed', () => {
    const p = plan(base, base, [ack]);
    expect(p.unusedAcknowledgements).toEqual([ack]);
    expect(ChangeGuard.formatPlan(p)).toContain('Acknowledgements that matched nothing');
  });

  test('a placeholder reason is refused', () => {
    expect(errorOf(() => plan(base, bigger, [{ ...ack, reason: 'todo' }]))).toMatch(/\[change guard\] acknowledgements\[0\]\.reason "todo": is a placeholder/);
  });

  test('recorded in the construct tree, collected for the plan, rendered nowhere', () => {
    const chart = testChart({ namespace: 'data' });
    const app = new StatefulApp(chart, 'db', {
      containers: [{ name: 'db', image: 'postgres:16', volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql' }] }],
      volumeClaimTemplates: [{ name: 'data', storage: '2Gi' }],
    });
    const before = JSON.stringify(Testing.synth(chart));
    ChangeGuard.acknowledgeReplacement(app.statefulSet, { reason: 'claims expanded by hand before the resize' });
    expect(JSON.stringify(synthValid(chart))).toBe(before);
    expect(ChangeGuard.acknowledgementsIn(chart.node.root)).toEqual([
      { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'data', name: 'db', reason: 'claims expanded by hand before the resize' },
    ]);
  });

  test('acknowledgeReplacement refuses an empty reason, naming the object', () => {
    const chart = testChart();
    const cm = new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'c' } });
    expect(errorOf(() => {
      ChangeGuard.acknowledgeReplacement(cm, { reason: ' ' });
      Testing.synth(chart);
    })).toMatch(/\[test\/cm\] acknowledgeReplacement\.reason " ": a risky choice needs a stated reason/);
  });
});

describe('through the constructs: a StatefulApp synthesised twice', () => {
  const render = (storage: string) => {
    const chart = testChart({ namespace: 'data' });
    new StatefulApp(chart, 'db', {
      replicas: 2,
      containers: [{ name: 'db', image: 'postgres:16', volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql' }] }],
      volumeClaimTemplates: [{ name: 'data', storage }],
    });
    return [{ fileName: 'stateful.k8s.yaml', objects: synthValid(chart) }];
  };

  test('a new claim size is refused with the claims to expand; the same size typed differently is no change', () => {
    const p = ChangeGuard.planChanges(render('2Gi'), render('4Gi'));
    expect(p.blocking.map((f) => f.field)).toEqual(['spec.volumeClaimTemplates[0].spec.resources.requests.storage']);
    expect(ChangeGuard.blockingError(p)).toMatch(/StatefulSet data\/db .*"2Gi" -> "4Gi"[\s\S]*kubectl patch pvc data-db-1 -n data/);
    expect(ChangeGuard.blockingError(p)).toContain('{"apiVersion":"apps/v1","kind":"StatefulSet","name":"db","namespace":"data","reason":');
    const same = ChangeGuard.planChanges(render('2Gi'), render('2048Mi'));
    expect(same.changed).toBe(0);
  });
});

describe('the plan', () => {
  const web = `
apiVersion: v1
kind: Service
metadata: { name: web }
spec: { ports: [{ port: 80 }] }
`;
  const extra = `---
apiVersion: v1
kind: ServiceAccount
metadata: { name: bot }
`;

  test('added, changed, removed and moved objects per file, findings highlighted', () => {
    const previous = [file('0000-web.k8s.yaml', web + extra), file('0001-db.k8s.yaml', sts(''))];
    const next = [
      file('0000-web.k8s.yaml', web.replace('port: 80', 'port: 8080')),
      file('0001-data.k8s.yaml', sts('').replace('storage: 2Gi', 'storage: 4Gi') + '---' + svc('')),
    ];
    const p = ChangeGuard.planChanges(previous, next);
    expect([p.added, p.changed, p.removed, p.unchanged]).toEqual([1, 2, 1, 0]);
    expect(p.files.map((f) => f.fileName)).toEqual(['0000-web.k8s.yaml', '0001-data.k8s.yaml']);
    expect(p.files[1].changes[0]).toMatchObject({ action: ObjectAction.CHANGE, previousFileName: '0001-db.k8s.yaml', fields: ['spec.volumeClaimTemplates'] });
    const text = ChangeGuard.formatPlan(p);
    expect(text.split('\n').slice(0, 8)).toEqual([
      'Plan: 1 to add, 2 to change, 1 to remove (0 unchanged).',
      '',
      '0000-web.k8s.yaml',
      '    ~ v1 Service web (spec.ports)',
      '    - v1 ServiceAccount bot',
      '',
      '0001-data.k8s.yaml',
      '  ! ~ apps/v1 StatefulSet data/db (moved from 0001-db.k8s.yaml) (spec.volumeClaimTemplates)',
    ]);
    expect(text).toContain('    + v1 Service data/db');
    expect(text).toContain('1 change(s) the API server refuses');
    expect(text).toContain('  ! apps/v1 StatefulSet data/db (0001-data.k8s.yaml) spec.volumeClaimTemplates[0].spec.resources.requests.storage: "2Gi" -> "4Gi"');
  });

  test('documents that are not Kubernetes objects (kustomization.yaml, empty documents) are not planned', () => {
    const kustomization = (r: string) => file('kustomization.yaml', `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [${r}]\n`);
    const p = ChangeGuard.planChanges([kustomization('a.yaml'), { fileName: 'x', objects: [null, {}] }], [kustomization('b.yaml')]);
    expect([p.added, p.changed, p.removed, p.unchanged, p.files.length]).toEqual([0, 0, 0, 0, 0]);
  });

  test('quiet: the summary and the findings only', () => {
    const p = plan(sts(''), sts('').replace('replicas: 2', 'replicas: 3'));
    expect(ChangeGuard.formatPlan(p, { quiet: true })).toBe('Plan: 0 to add, 1 to change, 0 to remove (0 unchanged).\n');
    expect(ChangeGuard.formatPlan(plan(sts(''), sts('')), { quiet: true })).toBe('No changes (1 objects unchanged).\n');
  });
});
