import { App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import {
  AccessMode, BindingMismatch, ClaimRequest, NfsExportClient, NfsReclaimPolicy, NfsVolumeSet, NfsVolumeSetProps, StatefulApp, VolumeBindingMode,
  VolumeMode,
} from '../src';
import { errorOf, Manifest, only, synthValid, testChart } from './util';
import { warningsOf } from '../src/kubernetes/validation';
import { LEGACY_STORAGE_CLASS_ANNOTATION } from '../src/workload/storage';

const RWO = AccessMode.READ_WRITE_ONCE;
const RWX = AccessMode.READ_WRITE_MANY;
const ROX = AccessMode.READ_ONLY_MANY;
const TUTORIAL_EXPORTS = [1, 2, 3, 4, 5].map((n) => `/data/volumes/v${n} 192.168.41.0/24(rw,no_root_squash)`);

/**
 * The tutorial's `myapp` StatefulApp (as in examples/tutorial/stateful.ts) at a replica count, in its own
 * `default`-namespaced chart; its `claims` handle is what the binding check consumes.
 */
function myapp(replicas: number, chart: Chart = testChart({ namespace: 'default' })): StatefulApp {
  return new StatefulApp(chart, 'myapp', {
    serviceName: 'myapp-svc',
    selectorLabels: { app: 'myapp-pod' },
    replicas,
    containers: [{
      name: 'myapp',
      image: 'ikubernetes/myapp:v1',
      ports: [{ number: 8080, name: 'web' }],
      volumeMounts: [{ volume: 'myappdata', mountPath: '/usr/share/nginx/html' }],
    }],
    volumeClaimTemplates: [{
      name: 'myappdata',
      storage: '2Gi',
      accessModes: [RWO],
      annotations: { [LEGACY_STORAGE_CLASS_ANNOTATION]: 'nfs-client-storageclass' },
    }],
  });
}

function myappClaims(replicas: number): ClaimRequest[] {
  return myapp(replicas).claims;
}

/** One set in a fresh chart; returns the set and the validated synthesis. */
function render(props: NfsVolumeSetProps, chart: Chart = testChart()) {
  const set = new NfsVolumeSet(chart, 'nfs', props);
  return { set, docs: synthValid(chart) };
}

function renderError(props: NfsVolumeSetProps): string {
  return errorOf(() => render(props));
}

function synthError(chart: Chart): string {
  return errorOf(() => Testing.synth(chart));
}

/**
 * The tutorial's static volumes pv001..pv005 on stor01 (the shape of the example's storage chart):
 * 2Gi RWX+RWO, pv001 1Gi, pv002 RWO only, under the class the `myapp` claims ask for.
 */
class StorageChart extends Chart {
  public readonly volumes: NfsVolumeSet;
  constructor(scope: App, id: string, props: { claims?: ClaimRequest[] } = {}) {
    super(scope, id);
    this.volumes = new NfsVolumeSet(this, 'nfs', {
      server: 'stor01',
      capacity: '2Gi',
      accessModes: [RWX, RWO],
      storageClassName: 'nfs-client-storageclass',
      storageClass: {},
      exports: [{ cidr: '192.168.41.0/24' }],
      numbered: { count: 5, pathFormat: '/data/volumes/v%d', overrides: { pv001: { capacity: '1Gi' }, pv002: { accessModes: [RWO] } } },
    });
    if (props.claims) this.volumes.checkBinding(props.claims);
  }

  public exportsFile(): string {
    return this.volumes.exportsFile('stor01');
  }
}

const pvs = (docs: Manifest[]) => docs.filter((d) => d.kind === 'PersistentVolume');
const BASE: NfsVolumeSetProps = { server: 'stor01', capacity: '1Gi', exports: [{ cidr: '192.168.41.0/24' }] };

describe('the tutorial\'s storage chart', () => {
  const chart = new StorageChart(Testing.app(), 'storage');
  const docs = synthValid(chart);

  test('matches the snapshot', () => {
    expect(docs).toMatchSnapshot();
  });

  test('pv001..pv005 on stor01 over /data/volumes/v1..v5 with the tutorial\'s sizes and modes', () => {
    expect(pvs(docs).map((pv) => [pv.metadata.name, pv.spec.nfs, pv.spec.capacity.storage, pv.spec.accessModes])).toEqual([
      ['pv001', { server: 'stor01', path: '/data/volumes/v1' }, '1Gi', ['ReadWriteMany', 'ReadWriteOnce']],
      ['pv002', { server: 'stor01', path: '/data/volumes/v2' }, '2Gi', ['ReadWriteOnce']],
      ['pv003', { server: 'stor01', path: '/data/volumes/v3' }, '2Gi', ['ReadWriteMany', 'ReadWriteOnce']],
      ['pv004', { server: 'stor01', path: '/data/volumes/v4' }, '2Gi', ['ReadWriteMany', 'ReadWriteOnce']],
      ['pv005', { server: 'stor01', path: '/data/volumes/v5' }, '2Gi', ['ReadWriteMany', 'ReadWriteOnce']],
    ]);
  });

  test('the volumes and a provisioner-less StorageClass carry the class myapp\'s claims ask for', () => {
    expect(pvs(docs).every((pv) => pv.spec.storageClassName === 'nfs-client-storageclass' && pv.spec.persistentVolumeReclaimPolicy === 'Retain')).toBe(true);
    expect(only(docs, 'StorageClass')).toMatchObject({
      apiVersion: 'storage.k8s.io/v1',
      metadata: { name: 'nfs-client-storageclass' },
      provisioner: 'kubernetes.io/no-provisioner',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  });

  test('the exports file holds the tutorial\'s five lines after a two-line header', () => {
    const lines = chart.exportsFile().split('\n');
    expect(lines.slice(2)).toEqual([...TUTORIAL_EXPORTS, '']);
    expect(lines.slice(0, 2).every((l) => l.startsWith('# '))).toBe(true);
    expect(chart.exportsFile()).toBe(chart.exportsFile());
  });

  test.each([3, 4])('myapp at %d replicas binds (pv002 first: it has only the requested mode)', (replicas) => {
    const result = chart.volumes.simulateBinding(myappClaims(replicas));
    expect(result.ok).toBe(true);
    expect(result.claims.map((c) => c.volume)).toEqual(['pv002', 'pv003', 'pv004', 'pv005'].slice(0, replicas));
    expect(result.claims.every((c) => c.storageClass === 'nfs-client-storageclass')).toBe(true);
  });

  test('myapp at 5 replicas does not: the last claim finds only pv001, which is 1Gi', () => {
    const result = chart.volumes.simulateBinding(myappClaims(5));
    expect(result.bound).toHaveLength(4);
    expect(result.unbound.map((c) => c.claim)).toEqual(['myappdata-myapp-4']);
    expect(result.unbound[0].rejections.find((r) => r.volume === 'pv001')).toEqual({
      volume: 'pv001', mismatch: BindingMismatch.CAPACITY, detail: 'capacity 1Gi is less than the requested 2Gi',
    });
    expect(result.freeVolumes).toEqual(['pv001']);
  });

  test('the claims are the StatefulApp\'s: <template>-<statefulset>-<ordinal>, 2Gi RWO, class by the legacy annotation', () => {
    expect(myappClaims(2)).toEqual([0, 1].map((o) => expect.objectContaining({
      name: `myappdata-myapp-${o}`,
      namespace: 'default',
      storage: '2Gi',
      accessModes: [RWO],
      annotations: { [LEGACY_STORAGE_CLASS_ANNOTATION]: 'nfs-client-storageclass' },
    })));
  });

  test.each([[4, true], [5, false]])('as a synth-time check in one app with the StatefulApp: %d replicas synthesise: %s', (replicas, ok) => {
    const app = Testing.app();
    const stateful = myapp(replicas, new Chart(app, 'stateful', { namespace: 'default' }));
    const storage = new StorageChart(app, 'storage', { claims: stateful.claims });
    if (ok) {
      synthValid(storage);
    } else {
      expect(synthError(storage)).toContain('[storage/nfs] claim default/myappdata-myapp-4 stays Pending: no PersistentVolume fits: pv001 capacity 1Gi is less than the requested 2Gi');
    }
  });

  test('without the class on the volumes the tutorial\'s claims would never bind', () => {
    const set = new NfsVolumeSet(testChart(), 'nfs', { ...BASE, capacity: '2Gi', numbered: { count: 3, pathFormat: '/v%d' } });
    const result = set.simulateBinding(myappClaims(1));
    expect(result.unbound[0].rejections[0]).toMatchObject({ mismatch: BindingMismatch.STORAGE_CLASS });
  });
});

describe('volumes', () => {
  test('every per-volume prop is rendered', () => {
    const { docs } = render({
      volumes: [{
        name: 'data',
        server: '10.0.0.5',
        path: '/exports/data',
        capacity: '500Mi',
        accessModes: [ROX],
        reclaimPolicy: NfsReclaimPolicy.RECYCLE,
        mountOptions: ['nfsvers=4.1', 'hard'],
        readOnly: true,
        storageClassName: 'nfs-static',
        volumeMode: VolumeMode.FILESYSTEM,
        labels: { tier: 'db' },
      }],
    });
    expect(only(docs, 'PersistentVolume', 'data')).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: 'data', labels: { 'tier': 'db', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' } },
      spec: {
        capacity: { storage: '500Mi' },
        accessModes: ['ReadOnlyMany'],
        persistentVolumeReclaimPolicy: 'Recycle',
        mountOptions: ['nfsvers=4.1', 'hard'],
        storageClassName: 'nfs-static',
        volumeMode: 'Filesystem',
        nfs: { server: '10.0.0.5', path: '/exports/data', readOnly: true },
      },
    });
  });

  test('defaults: ReadWriteOnce, Retain, no class, no mount options, not read-only', () => {
    const { docs } = render({ server: 'stor01', volumes: [{ name: 'a', path: '/a', capacity: '1Gi' }] });
    expect(only(docs, 'PersistentVolume').spec).toEqual({
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      nfs: { server: 'stor01', path: '/a' },
    });
  });

  test('set-wide settings are defaults; a volume replaces them, except labels, which merge', () => {
    const { set, docs } = render({
      server: 'stor01',
      capacity: '1Gi',
      accessModes: [RWX],
      mountOptions: ['nfsvers=4.1'],
      readOnly: true,
      storageClassName: 'nfs',
      labels: { site: 'lab' },
      volumes: [
        { name: 'a', path: '/a' },
        { name: 'b', path: '/b', server: 'stor02', capacity: '3Gi', accessModes: [RWO], mountOptions: ['nfsvers=3'], readOnly: false, storageClassName: '', labels: { tier: 'db' } },
      ],
    });
    const [a, b] = pvs(docs);
    expect(a.spec).toMatchObject({ capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany'], mountOptions: ['nfsvers=4.1'], storageClassName: 'nfs', nfs: { server: 'stor01', readOnly: true } });
    expect(a.metadata.labels).toEqual({ 'site': 'lab', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' });
    expect(b.spec).toMatchObject({ capacity: { storage: '3Gi' }, accessModes: ['ReadWriteOnce'], mountOptions: ['nfsvers=3'], nfs: { server: 'stor02', path: '/b' } });
    expect(b.spec.storageClassName).toBeUndefined(); // "" is "no class", rendered by leaving it out
    expect(b.spec.nfs.readOnly).toBeUndefined();
    expect(b.metadata.labels).toEqual({ 'site': 'lab', 'tier': 'db', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' });
    expect(set.servers).toEqual(['stor01', 'stor02']);
    expect(set.volumes.map((v) => [v.name, v.server, v.capacity])).toEqual([['a', 'stor01', '1Gi'], ['b', 'stor02', '3Gi']]);
    expect(set.persistentVolumes.map((pv) => pv.name)).toEqual(['a', 'b']);
  });

  test('addVolume adds after construction', () => {
    const chart = testChart();
    const set = new NfsVolumeSet(chart, 'nfs', { server: 'stor01', capacity: '1Gi' });
    const added = set.addVolume({ name: 'late', path: '/late' });
    expect(added).toMatchObject({ name: 'late', server: 'stor01', path: '/late', capacity: '1Gi', accessModes: [RWO], reclaimPolicy: 'Retain' });
    expect(only(synthValid(chart), 'PersistentVolume', 'late').spec.nfs).toEqual({ server: 'stor01', path: '/late' });
  });

  test('PersistentVolumes and the StorageClass are cluster-scoped: no namespace even in a namespaced chart; claims keep theirs', () => {
    const chart = testChart({ namespace: 'apps' });
    const { docs } = render({ ...BASE, storageClassName: 'nfs', storageClass: {}, volumes: [{ name: 'a', path: '/a', claim: { name: 'a-claim' } }] }, chart);
    expect(only(docs, 'PersistentVolume').metadata.namespace).toBeUndefined();
    expect(only(docs, 'StorageClass').metadata.namespace).toBeUndefined();
    expect(only(docs, 'PersistentVolumeClaim').metadata.namespace).toBe('apps');
  });
});

describe('numbered volumes', () => {
  test('names, paths, start and zero padding', () => {
    const { docs } = render({ ...BASE, numbered: { count: 3, start: 9, nameFormat: 'nfs-%02d', pathFormat: '/srv/v%d' } });
    expect(pvs(docs).map((pv) => [pv.metadata.name, pv.spec.nfs.path])).toEqual([['nfs-09', '/srv/v9'], ['nfs-10', '/srv/v10'], ['nfs-11', '/srv/v11']]);
  });

  test('defaults: pv%03d from 1', () => {
    const { docs } = render({ ...BASE, numbered: { count: 2, pathFormat: '/v%d' } });
    expect(pvs(docs).map((pv) => pv.metadata.name)).toEqual(['pv001', 'pv002']);
  });

  test('overrides by name or number, including pre-bound claims and shared exports', () => {
    const { set } = render({
      ...BASE,
      numbered: {
        count: 3,
        pathFormat: '/v%d',
        overrides: { pv001: { capacity: '5Gi' }, 2: { accessModes: [RWX], claim: { name: 'two', render: false } } },
      },
    });
    expect(set.volumes.map((v) => [v.name, v.capacity, v.accessModes, v.claimRef?.name])).toEqual([
      ['pv001', '5Gi', [RWO], undefined],
      ['pv002', '1Gi', [RWX], 'two'],
      ['pv003', '1Gi', [RWO], undefined],
    ]);
  });

  test('numbered volumes come before listed ones', () => {
    const { set } = render({ ...BASE, numbered: { count: 1, pathFormat: '/v%d' }, volumes: [{ name: 'extra', path: '/extra' }] });
    expect(set.volumes.map((v) => v.name)).toEqual(['pv001', 'extra']);
  });

  test.each([
    [{ count: 0, pathFormat: '/v%d' }, 'numbered.count 0: must be a whole number from 1'],
    [{ count: 2, start: -1, pathFormat: '/v%d' }, 'numbered.start -1: must be a whole number, 0 or more'],
    [{ count: 2, pathFormat: '/v' }, 'numbered.pathFormat "/v": needs exactly one number placeholder'],
    [{ count: 2, nameFormat: 'pv%d-%d', pathFormat: '/v%d' }, 'numbered.nameFormat "pv%d-%d": needs exactly one number placeholder'],
    [{ count: 2, pathFormat: '/v%d', overrides: { pv009: {} } }, 'numbered.overrides "pv009": matches no numbered volume (pv001..pv002)'],
    [{ count: 2, pathFormat: '/v%d', overrides: { pv001: {}, 1: {} } }, 'numbered.overrides "pv001": is overridden twice'],
  ])('fails on %j', (numbered, message) => {
    expect(renderError({ ...BASE, numbered })).toContain(`[test/nfs] ${message}`);
  });
});

describe('StorageClass', () => {
  test('named after the set\'s class, or given a name, binding mode and annotations', () => {
    const named = render({ ...BASE, storageClassName: 'nfs', storageClass: {} }).docs;
    expect(only(named, 'StorageClass').metadata.name).toBe('nfs');
    const { set, docs } = render({
      ...BASE,
      storageClass: { name: 'static-nfs', volumeBindingMode: VolumeBindingMode.IMMEDIATE, annotations: { 'example.com/owner': 'storage' } },
    });
    expect(only(docs, 'StorageClass')).toMatchObject({
      metadata: { name: 'static-nfs', annotations: { 'example.com/owner': 'storage' }, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-workloads' } },
      volumeBindingMode: 'Immediate',
      reclaimPolicy: 'Retain',
    });
    expect(set.storageClass?.name).toBe('static-nfs');
  });

  test('a StorageClass named on its own gives the set\'s volumes its class, so claims of that class bind them', () => {
    const { set, docs } = render({ ...BASE, storageClass: { name: 'static-nfs' }, volumes: [{ name: 'a', path: '/a' }, { name: 'b', path: '/b', storageClassName: 'other' }] });
    expect(pvs(docs).map((pv) => pv.spec.storageClassName)).toEqual(['static-nfs', 'other']);
    expect(set.simulateBinding([{ name: 'c', storage: '1Gi', accessModes: [RWO], storageClassName: 'static-nfs' }]).claims[0].volume).toBe('a');
  });

  test('fails when the StorageClass and the set name different classes', () => {
    expect(renderError({ ...BASE, storageClassName: 'nfs', storageClass: { name: 'static-nfs' } })).toContain(
      '[test/nfs] storageClass.name "static-nfs": differs from the set\'s storageClassName "nfs", so the StorageClass would name none of the set\'s volumes; give both the same name, or set only one of them');
    expect(renderError({ ...BASE, storageClassName: '', storageClass: { name: 'static-nfs' } })).toContain('[test/nfs] storageClass.name "static-nfs": differs from the set\'s storageClassName ""');
  });

  test('none unless asked', () => {
    const { set, docs } = render({ ...BASE, storageClassName: 'nfs', volumes: [{ name: 'a', path: '/a' }] });
    expect(docs.filter((d) => d.kind === 'StorageClass')).toEqual([]);
    expect(set.storageClass).toBeUndefined();
  });

  test('fails without a name, with a bad name, or with Recycle (a StorageClass takes Retain or Delete)', () => {
    expect(renderError({ ...BASE, storageClass: {} })).toContain('[test/nfs] storageClass.name "": a StorageClass needs a name; set storageClassName');
    expect(renderError({ ...BASE, storageClass: { name: 'NFS' } })).toContain('[test/nfs] storageClass.name "NFS": must be a DNS-1123 subdomain');
    expect(renderError({ ...BASE, storageClassName: 'nfs', reclaimPolicy: NfsReclaimPolicy.RECYCLE, storageClass: {} }))
      .toContain('[test/nfs] reclaimPolicy "Recycle": a StorageClass takes Retain or Delete, not Recycle; set Recycle on the volumes');
  });
});

describe('pre-bound claims', () => {
  test('the PV names the claim (with namespace), the claim names the PV and asks for exactly it', () => {
    const { set, docs } = render({ ...BASE, storageClassName: 'nfs', volumes: [{ name: 'pv-db', path: '/db', capacity: '5Gi', accessModes: [RWX, RWO], claim: { name: 'db-data', namespace: 'db' } }] });
    expect(only(docs, 'PersistentVolume').spec.claimRef).toEqual({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'db-data', namespace: 'db' });
    expect(only(docs, 'PersistentVolumeClaim')).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'db-data', namespace: 'db', labels: { 'app.kubernetes.io/managed-by': 'cdk8s-workloads' } },
      spec: { volumeName: 'pv-db', accessModes: ['ReadWriteMany', 'ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'nfs' },
    });
    expect(set.claims.map((c) => c.name)).toEqual(['db-data']);
  });

  test('a class-less volume\'s claim says "" so the default StorageClass cannot take it; namespace defaults to the chart\'s', () => {
    const { docs } = render({ ...BASE, volumes: [{ name: 'a', path: '/a', claim: { name: 'a' } }] }, testChart({ namespace: 'apps' }));
    expect(only(docs, 'PersistentVolumeClaim').spec.storageClassName).toBe('');
    expect(only(docs, 'PersistentVolume').spec.claimRef.namespace).toBe('apps');
  });

  test('without a chart namespace the claimRef says "default"; render: false reserves without a claim', () => {
    const { set, docs } = render({ ...BASE, volumes: [{ name: 'a', path: '/a', claim: { name: 'myappdata-myapp-0', render: false } }] });
    expect(only(docs, 'PersistentVolume').spec.claimRef).toMatchObject({ name: 'myappdata-myapp-0', namespace: 'default' });
    expect(docs.filter((d) => d.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(set.claims).toEqual([]);
  });

  test('the binding check respects the reservation', () => {
    const set = new NfsVolumeSet(testChart(), 'nfs', {
      ...BASE,
      capacity: '2Gi',
      storageClassName: 'nfs-client-storageclass',
      volumes: [{ name: 'a', path: '/a', claim: { name: 'myappdata-myapp-1', render: false } }, { name: 'b', path: '/b' }],
    });
    const result = set.simulateBinding(myappClaims(2));
    expect(result.claims.map((c) => c.volume)).toEqual(['b', 'a']);
    expect(set.simulateBinding(myappClaims(1)).freeVolumes).toEqual(['a']);
  });

  test.each([
    [{ name: 'Bad_Claim' }, 'volumes["a"].claim.name "Bad_Claim": must be a DNS-1123 subdomain'],
    [{ name: 'ok', namespace: 'No' }, 'volumes["a"].claim.namespace "No": must be a DNS-1123 label'],
  ])('fails on claim %j', (claim, message) => {
    expect(renderError({ ...BASE, volumes: [{ name: 'a', path: '/a', claim }] })).toContain(`[test/nfs] ${message}`);
  });
});

describe('exports file', () => {
  test('per-volume clients and options replace the set\'s; several clients share a line', () => {
    const { set } = render({
      server: 'stor01',
      capacity: '1Gi',
      exports: [{ cidr: '192.168.41.0/24' }],
      volumes: [
        { name: 'a', path: '/a' },
        { name: 'b', path: '/b', exports: [{ cidr: '10.0.0.0/8', options: ['ro', 'sync', 'no_subtree_check', 'root_squash', 'anonuid=65534', 'sec=krb5p'] }, { cidr: 'fd00::/64' }] },
      ],
    });
    expect(set.exportsFile().split('\n').slice(2)).toEqual([
      '/a 192.168.41.0/24(rw,no_root_squash)',
      '/b 10.0.0.0/8(ro,sync,no_subtree_check,root_squash,anonuid=65534,sec=krb5p) fd00::/64(rw,no_root_squash)',
      '',
    ]);
    expect(set.volumes[1].exports).toEqual([
      { cidr: '10.0.0.0/8', options: ['ro', 'sync', 'no_subtree_check', 'root_squash', 'anonuid=65534', 'sec=krb5p'] },
      { cidr: 'fd00::/64', options: ['rw', 'no_root_squash'] },
    ]);
  });

  test('filtered by server; several sets merge into one file, shared paths into one line', () => {
    const chart = testChart();
    const one = new NfsVolumeSet(chart, 'one', {
      capacity: '1Gi',
      exports: [{ cidr: '192.168.41.0/24' }],
      volumes: [
        { name: 'a', path: '/a', server: 'stor01' },
        { name: 'b', path: '/b', server: 'stor02' },
        { name: 'shared-1', path: '/shared', server: 'stor01', sharedExport: true },
      ],
    });
    const two = new NfsVolumeSet(chart, 'two', {
      server: 'STOR01',
      capacity: '1Gi',
      volumes: [{ name: 'shared-2', path: '/shared', sharedExport: true, exports: [{ cidr: '192.168.41.0/24' }, { cidr: '192.168.42.7' }] }],
    });
    synthValid(chart);
    expect(one.exportsFile('stor02').split('\n').slice(2)).toEqual(['/b 192.168.41.0/24(rw,no_root_squash)', '']);
    expect(NfsVolumeSet.exportsFileFor('stor01', [one, two]).split('\n')).toEqual([
      '# /etc/exports on stor01, generated by cdk8s-workloads (NfsVolumeSet): change the app, not this file.',
      '# Apply with: exportfs -ra',
      '/a 192.168.41.0/24(rw,no_root_squash)',
      '/shared 192.168.41.0/24(rw,no_root_squash) 192.168.42.7(rw,no_root_squash)',
      '',
    ]);
  });

  test('squashing root is allowed but warned about: it breaks chown by root in pods', () => {
    expect(warningsOf(render({ ...BASE, volumes: [{ name: 'a', path: '/a' }] }).set)).toEqual([]);
    const { set } = render({
      ...BASE,
      exports: [{ cidr: '10.0.0.0/8', options: ['rw', 'sync'] }],
      volumes: [{ name: 'a', path: '/a', exports: [{ cidr: '10.0.0.0/16', options: ['rw', 'no_root_squash', 'all_squash'] }] }],
    });
    expect(warningsOf(set)).toEqual([
      '[test/nfs] exports[0].options ["rw","sync"]: squashes root to nobody on the server, so chown by root in a pod (common in database and web images) fails with "Operation not permitted"; add "no_root_squash" if pods write the volume as root, or make sure they run as a user that owns the directory',
      expect.stringContaining('[test/nfs] volumes["a"].exports[0].options ["rw","no_root_squash","all_squash"]: squashes root to nobody'),
    ]);
  });

  test('paths with spaces are quoted', () => {
    const { set } = render({ ...BASE, volumes: [{ name: 'a', path: '/srv/my data' }] });
    expect(set.exportsFile().split('\n')[2]).toBe('"/srv/my data" 192.168.41.0/24(rw,no_root_squash)');
  });

  test('fails when a volume has no clients, when the server is ambiguous, or when a shared path gets two option sets', () => {
    const { set } = render({ server: 'stor01', capacity: '1Gi', volumes: [{ name: 'a', path: '/a' }] });
    expect(() => set.exportsFile()).toThrow('[test/nfs volume a] exports (unset): the exports file needs the clients allowed to mount /a; set "exports" on the volume or the set');
    const two = render({ ...BASE, volumes: [{ name: 'a', path: '/a' }, { name: 'b', path: '/b', server: 'stor02' }] }).set;
    expect(() => two.exportsFile()).toThrow('[test/nfs] exportsFile(server) (unset): the set uses several servers (stor01, stor02); name the server to render for');
    const empty = render(BASE).set;
    expect(() => empty.exportsFile()).toThrow('the set uses no servers');
    expect(() => NfsVolumeSet.exportsFileFor('', [empty])).toThrow('[NfsVolumeSet.exportsFileFor] server "": an NFS server is required');
    const clash = render({
      ...BASE,
      volumes: [
        { name: 'a', path: '/s', sharedExport: true },
        { name: 'b', path: '/s', sharedExport: true, exports: [{ cidr: '192.168.41.0/24', options: ['ro'] }] },
      ],
    }).set;
    expect(() => clash.exportsFile()).toThrow('[test/nfs volume b] exports "192.168.41.0/24": /s is also exported to this client with "rw,no_root_squash" by test/nfs volume a; give both the same options');
    // Errors like every other: the field, the value and the fix apart (docs/errors.md).
    expect(() => set.exportsFile()).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', path: 'test/nfs volume a', field: 'exports', value: undefined }));
    expect(() => clash.exportsFile()).toThrow(expect.objectContaining({ code: 'APP_CONFLICT', field: 'exports', value: '192.168.41.0/24', fix: 'give both the same options' }));
  });

  test.each([
    [{ cidr: '192.168.41.0/33' }, 'exports[0].cidr "192.168.41.0/33": the prefix length must be a number from 0 to 32'],
    [{ cidr: '192.168.041.0/24' }, 'exports[0].cidr "192.168.041.0/24": "041" has a leading zero'],
    [{ cidr: 'fd00:::/64' }, 'exports[0].cidr "fd00:::/64":'],
    [{ cidr: '*.example.com' }, 'exports[0].cidr "*.example.com": keeps root (no_root_squash) for every host the pattern or netgroup matches'],
    [{ cidr: 'node_1.example.com' }, 'exports[0].cidr "node_1.example.com": is not an address, a CIDR range, a host name or a netgroup'],
    [{ cidr: '10.0.0.0/8', options: ['rw', 'no_root_sqash'] }, 'exports[0].options[1] "no_root_sqash": is not an NFS export option (see exports(5))'],
    [{ cidr: '10.0.0.0/8', options: ['no-root-squash'] }, 'exports[0].options[0] "no-root-squash": is not an NFS export option (see exports(5)); try "no_root_squash"'],
    [{ cidr: '10.0.0.0/8', options: ['anonuid=nobody'] }, 'exports[0].options[0] "anonuid=nobody": has an invalid value for anonuid'],
    [{ cidr: '10.0.0.0/8', options: ['colour=blue'] }, 'exports[0].options[0] "colour=blue": "colour" is not an NFS export option that takes a value'],
    [{ cidr: '10.0.0.0/8', options: ['rw', 'ro'] }, 'exports[0].options ["rw","ro"]: "rw" and "ro" contradict each other'],
    [{ cidr: '10.0.0.0/8', options: ['sync', 'sync'] }, 'exports[0].options ["sync","sync"]: "sync" is given twice'],
    [{ cidr: '10.0.0.0/8', options: [] }, 'exports[0].options []: needs at least one option'],
  ])('fails on export client %j', (client, message) => {
    expect(renderError({ ...BASE, exports: [client] })).toContain(`[test/nfs] ${message}`);
  });

  test('host names, wildcards and netgroups are export clients (exports(5)); patterns keeping root need a reason', () => {
    const file = (exports: NfsExportClient[]) => new NfsVolumeSet(testChart(), 'nfs', { ...BASE, exports, volumes: [{ name: 'a', path: '/a' }] }).exportsFile();
    expect(file([{ cidr: 'node1.example.com' }, { cidr: '*.nodes.example.com', options: ['rw', 'root_squash'] }, { cidr: '@k8s', options: ['ro'] }]))
      .toContain('node1.example.com(rw,no_root_squash) *.nodes.example.com(rw,root_squash) @k8s(ro)');
    expect(file([{ cidr: '@k8s', reason: 'every node of the netgroup runs pods that chown' }])).toContain('# @k8s: every node of the netgroup runs pods that chown');
  });

  test('per-volume export clients are validated too', () => {
    expect(renderError({ ...BASE, volumes: [{ name: 'a', path: '/a', exports: [{ cidr: '300.0.0.0/8' }] }] }))
      .toContain('[test/nfs] volumes["a"].exports[0].cidr "300.0.0.0/8": 300 is above 255');
  });
});

describe('binding check as a synth-time validation', () => {
  test('passes when every claim binds; default StorageClass and namespace options reach the check', () => {
    const chart = testChart({ namespace: 'apps' });
    const set = new NfsVolumeSet(chart, 'nfs', { ...BASE, volumes: [{ name: 'a', path: '/a' }, { name: 'b', path: '/b', claim: { name: 'reserved', render: false } }] });
    set.checkBinding([{ name: 'c', storage: '1Gi', accessModes: [RWO], storageClassName: '' }]);
    set.checkBinding([{ name: 'reserved', storage: '1Gi', accessModes: [RWO] }], { defaultStorageClass: 'standard' });
    synthValid(chart);
    // The claim without a namespace sits in the set's chart namespace, so it matches the claimRef.
    expect(set.simulateBinding([{ name: 'reserved', storage: '1Gi', accessModes: [RWO] }]).claims[0].volume).toBe('b');
  });

  test('an unset class with a default StorageClass fails synthesis with the reason', () => {
    const chart = testChart();
    const set = new NfsVolumeSet(chart, 'nfs', { ...BASE, volumes: [{ name: 'a', path: '/a' }] });
    set.checkBinding([{ name: 'c', namespace: 'default', storage: '1Gi', accessModes: [RWO] }], { defaultStorageClass: 'standard' });
    expect(synthError(chart)).toContain('[test/nfs] claim default/c stays Pending: no PersistentVolume fits: a has class "" (none), the claim asks for "standard" (the default StorageClass it gets for setting no class)');
  });
});

describe('bad input', () => {
  test.each<[string, NfsVolumeSetProps, string]>([
    ['relative path', { ...BASE, volumes: [{ name: 'a', path: 'data/a' }] }, 'volumes["a"].path "data/a": must be an absolute path; try "/data/a"'],
    ['path with ..', { ...BASE, volumes: [{ name: 'a', path: '/data/../a' }] }, 'volumes["a"].path "/data/../a": must not contain \'..\''],
    ['trailing slash', { ...BASE, volumes: [{ name: 'a', path: '/data/a/' }] }, 'volumes["a"].path "/data/a/": is not a normalised path (repeated or trailing "/"); try "/data/a"'],
    ['duplicate path on one server', { ...BASE, volumes: [{ name: 'a', path: '/a' }, { name: 'b', path: '/a', server: 'STOR01' }] },
      'volumes["b"].path "/a": is already exported for a on STOR01, so both volumes would write into one directory; give each volume its own directory, or set sharedExport on both'],
    ['path shared by only one side', { ...BASE, volumes: [{ name: 'a', path: '/a', sharedExport: true }, { name: 'b', path: '/a' }] }, 'volumes["b"].path "/a": is already exported for a'],
    ['duplicate PV name', { ...BASE, volumes: [{ name: 'a', path: '/a' }, { name: 'a', path: '/b' }] }, 'volumes["a"].name "a": is already a volume of this set'],
    ['bad PV name', { ...BASE, volumes: [{ name: 'PV_1', path: '/a' }] }, 'volumes[].name "PV_1": must be a DNS-1123 subdomain'],
    ['invalid quantity', { ...BASE, volumes: [{ name: 'a', path: '/a', capacity: '2GB' }] }, 'volumes["a"].capacity "2GB": must be a Kubernetes quantity (a number with an optional suffix Ki, Mi, Gi, Ti, m, k, M, G, ...); try "2Gi"'],
    ['zero capacity', { ...BASE, capacity: '0' }, 'capacity "0": must be greater than zero'],
    ['no capacity', { server: 'stor01', volumes: [{ name: 'a', path: '/a' }] }, 'volumes["a"].capacity "": every volume needs a capacity; set capacity on the set or the volume'],
    ['empty access modes', { ...BASE, accessModes: [] }, 'accessModes []: needs at least one access mode'],
    ['unknown access mode', { ...BASE, volumes: [{ name: 'a', path: '/a', accessModes: ['RWO' as AccessMode] }] }, 'volumes["a"].accessModes[0] "RWO": is not an access mode'],
    ['ReadWriteOncePod with others', { ...BASE, accessModes: [AccessMode.READ_WRITE_ONCE_POD, RWX] }, 'accessModes ["ReadWriteOncePod","ReadWriteMany"]: ReadWriteOncePod may not be combined'],
    ['empty server', { ...BASE, server: '' }, 'server "": an NFS server is required'],
    ['no server', { capacity: '1Gi', volumes: [{ name: 'a', path: '/a' }] }, 'volumes["a"].server "": every volume needs an NFS server; set server on the set or the volume'],
    ['bad server', { ...BASE, server: 'stor 01' }, 'server "stor 01": is neither a host name nor an IP address'],
    ['bad mount option', { ...BASE, mountOptions: ['nfsvers=4.1,hard'] }, 'mountOptions[0] "nfsvers=4.1,hard": must be one mount option (no spaces or commas)'],
    ['block mode', { ...BASE, volumeMode: VolumeMode.BLOCK }, 'volumeMode "Block": NFS volumes are filesystems'],
    ['Delete reclaim policy', { ...BASE, reclaimPolicy: 'Delete' as NfsReclaimPolicy }, 'reclaimPolicy "Delete": NFS volumes are Retain or Recycle (Kubernetes has no deleter for NFS'],
    ['bad class', { ...BASE, storageClassName: 'Fast' }, 'storageClassName "Fast": must be a DNS-1123 subdomain'],
    ['bad label', { ...BASE, labels: { tier: 'a b' } }, 'labels["tier"] "a b": label values may hold'],
  ])('fails on %s', (_, props, message) => {
    expect(renderError(props)).toContain(`[test/nfs] ${message}`);
  });

  test('duplicate PV names across the app fail synthesis, including hand-written PersistentVolumes', () => {
    const app = Testing.app();
    const a = new Chart(app, 'a');
    const b = new Chart(app, 'b');
    new NfsVolumeSet(a, 'one', { ...BASE, volumes: [{ name: 'pv001', path: '/one' }] });
    new NfsVolumeSet(b, 'two', { ...BASE, server: 'stor02', volumes: [{ name: 'pv001', path: '/two' }] });
    new k8s.KubePersistentVolume(b, 'manual', { metadata: { name: 'pv001' }, spec: {} });
    const message = synthError(a);
    // PersistentVolumes are cluster-scoped: the charts' namespaces do not separate them.
    expect(message).toContain('[a/one] metadata.name "pv001": the PersistentVolume a/one/pv001 is also defined by b/two/pv001, b/manual (');
    expect(message).toContain('[b/two] metadata.name "pv001": the PersistentVolume b/two/pv001 is also defined by a/one/pv001, b/manual (');
    expect(message).toContain('[b/manual] metadata.name "pv001": the PersistentVolume b/manual is also defined by a/one/pv001, b/two/pv001 (');
    expect(message).toContain('rename one of them or give it another namespace, or remove the duplicate');
  });

  test('duplicate export paths on one server across sets fail synthesis unless both share deliberately', () => {
    const app = new App();
    const chart = new Chart(app, 'c');
    new NfsVolumeSet(chart, 'one', { ...BASE, volumes: [{ name: 'a', path: '/x' }, { name: 's1', path: '/s', sharedExport: true }] });
    new NfsVolumeSet(chart, 'two', { ...BASE, server: 'stor01', volumes: [{ name: 'b', path: '/x' }, { name: 's2', path: '/s', sharedExport: true }] });
    const message = synthError(chart);
    expect(message).toContain('[c/one] volume a: export stor01:/x is also used by c/two volume b; give each its own directory, or set sharedExport on both');
    expect(message).not.toContain('/s ');
    expect(message).not.toContain('volume s1');
  });
});
