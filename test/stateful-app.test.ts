import { ChartProps, Testing } from 'cdk8s';
import {
  AccessMode, PodContainerProps, IDnsNamed, IntOrPercent, PodVolume, PortProtocol, WorkloadServiceType, Spread, VolumeMode,
} from '../src';
import { errorOf, kinds, Manifest, only, synthValid, testChart } from './util';
import {
  ClaimRetentionPolicy, StatefulPodManagement, StatefulApp, StatefulAppProps, StatefulUpdateStrategy, StatefulUpdateType,
} from '../src/constructs/stateful-app/stateful-app';

const db: PodContainerProps = {
  name: 'db',
  image: 'postgres:16.1',
  ports: [{ number: 5432, name: 'postgres' }],
  volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql/data' }],
};
const DATA = { name: 'data', storage: '1Gi' };

/** GIVEN a chart WHEN a StatefulApp "db" is added THEN the synthesis is valid. */
function build(props: Partial<StatefulAppProps> = {}, chartProps: ChartProps = {}) {
  const chart = testChart(chartProps);
  const app = new StatefulApp(chart, 'db', { containers: [db], volumeClaimTemplates: [DATA], ...props });
  const docs = synthValid(chart);
  return { app, docs, sts: only(docs, 'StatefulSet'), headless: only(docs, 'Service', app.serviceName) };
}

function buildError(props: Partial<StatefulAppProps>): string {
  return errorOf(() => build(props));
}

describe('defaults', () => {
  const { app, docs, sts, headless } = build();

  test('renders an apps/v1 StatefulSet governed by a headless Service named after the app', () => {
    expect(kinds(docs)).toEqual(['Service', 'StatefulSet']);
    expect(sts.apiVersion).toBe('apps/v1');
    expect(sts.metadata.name).toBe('db');
    expect(sts.spec.serviceName).toBe('db');
    expect(sts.spec.replicas).toBe(1);
    expect(headless.apiVersion).toBe('v1');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBeUndefined();
  });

  test('selects pods by app.kubernetes.io/name, never the construct path', () => {
    expect(sts.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'db' } });
    expect(headless.spec.selector).toEqual({ 'app.kubernetes.io/name': 'db' });
    expect(sts.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'db' });
    expect(JSON.stringify(docs)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('the headless Service publishes the named container ports', () => {
    expect(headless.spec.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
  });

  test('leaves Kubernetes defaults unset', () => {
    for (const field of ['podManagementPolicy', 'updateStrategy', 'revisionHistoryLimit', 'minReadySeconds', 'persistentVolumeClaimRetentionPolicy', 'ordinals']) {
      expect(sts.spec[field]).toBeUndefined();
    }
  });

  test('a claim template defaults to ReadWriteOnce and no storage class', () => {
    expect(sts.spec.volumeClaimTemplates).toEqual([{
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    }]);
  });

  test('handles: names, namespace, DNS names, claims', () => {
    expect(app.name).toBe('db');
    expect(app.namespace).toBe('default');
    expect(app.serviceName).toBe('db');
    expect(app.serviceDnsName).toBe('db.default.svc.cluster.local');
    expect(app.podDnsNames).toEqual(['db-0.db.default.svc.cluster.local']);
    expect(app.claimNames).toEqual(['data-db-0']);
    expect(app.claims).toEqual([{ name: 'data-db-0', namespace: 'default', storage: '1Gi', accessModes: ['ReadWriteOnce'] }]);
    expect(app.selectorLabels).toEqual({ 'app.kubernetes.io/name': 'db' });
    expect(app.statefulSet.name).toBe('db');
    expect(app.headlessService.name).toBe('db');
    expect(app.clientService).toBeUndefined();
    expect(app.podDisruptionBudget).toBeUndefined();
  });

  test('is an IDnsNamed', () => {
    const named: IDnsNamed = app;
    expect(named.serviceDnsName).toBe(app.serviceDnsName);
  });
});

describe('identity', () => {
  test('explicit names reproduce the tutorial exactly', () => {
    const { sts, headless, app } = build({ name: 'myapp', serviceName: 'myapp-svc', selectorLabels: { app: 'myapp-pod' } });
    expect(sts.metadata.name).toBe('myapp');
    expect(sts.spec.serviceName).toBe('myapp-svc');
    expect(headless.metadata.name).toBe('myapp-svc');
    expect(sts.spec.selector).toEqual({ matchLabels: { app: 'myapp-pod' } });
    expect(headless.spec.selector).toEqual({ app: 'myapp-pod' });
    expect(app.claimNames).toEqual(['data-myapp-0']);
  });

  test('namespace: the chart\'s, or the one given', () => {
    expect(build({}, { namespace: 'shop' }).app.namespace).toBe('shop');
    const { app, sts, headless } = build({ namespace: 'data' }, { namespace: 'shop' });
    expect(app.namespace).toBe('data');
    expect(sts.metadata.namespace).toBe('data');
    expect(headless.metadata.namespace).toBe('data');
    expect(app.podDnsNames[0]).toBe('db-0.db.data.svc.cluster.local');
    expect(app.claims[0].namespace).toBe('data');
  });

  test('labels go on every object and the pods; annotations on the StatefulSet only', () => {
    const { sts, headless, docs } = build({ labels: { team: 'data' }, annotations: { 'example.com/owner': 'ops' }, disruptionBudget: {} });
    const pdb = only(docs, 'PodDisruptionBudget');
    for (const meta of [sts.metadata, headless.metadata, pdb.metadata, sts.spec.template.metadata]) {
      expect(meta.labels).toMatchObject({ 'team': 'data', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' });
    }
    expect(sts.metadata.annotations).toEqual({ 'example.com/owner': 'ops' });
    expect(headless.metadata.annotations).toBeUndefined();
    expect(pdb.metadata.annotations).toBeUndefined();
  });

  test('claim templates carry no construct labels, so changing labels never touches the immutable templates', () => {
    const { sts } = build({ labels: { team: 'data' } });
    expect(sts.spec.volumeClaimTemplates[0].metadata.labels).toBeUndefined();
  });
});

describe('StatefulSet props', () => {
  test('replicas, pod management, history, readiness, grace period', () => {
    const { sts, app } = build({
      replicas: 3,
      podManagementPolicy: StatefulPodManagement.PARALLEL,
      revisionHistoryLimit: 5,
      minReadySeconds: 10,
      terminationGracePeriodSeconds: 60,
    });
    expect(sts.spec).toMatchObject({ replicas: 3, podManagementPolicy: 'Parallel', revisionHistoryLimit: 5, minReadySeconds: 10 });
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBe(60);
    expect(app.podDnsNames).toEqual([
      'db-0.db.default.svc.cluster.local',
      'db-1.db.default.svc.cluster.local',
      'db-2.db.default.svc.cluster.local',
    ]);
  });

  test('zero replicas: no pods, no DNS names, no claims', () => {
    const { sts, app } = build({ replicas: 0 });
    expect(sts.spec.replicas).toBe(0);
    expect(app.podDnsNames).toEqual([]);
    expect(app.claims).toEqual([]);
  });

  test('rolling update with partition and maxUnavailable', () => {
    const updateStrategy = StatefulUpdateStrategy.rollingUpdate({ partition: 2, maxUnavailable: IntOrPercent.percent(50) });
    const { sts } = build({ replicas: 4, updateStrategy });
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: '50%' } });
  });

  test('partition equal to replicas is a paused rollout and allowed', () => {
    const { sts } = build({ replicas: 3, updateStrategy: StatefulUpdateStrategy.rollingUpdate({ partition: 3 }) });
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 3 } });
  });

  test('a rolling update without options renders only its type', () => {
    expect(build({ updateStrategy: StatefulUpdateStrategy.rollingUpdate() }).sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
  });

  test('OnDelete', () => {
    const strategy = StatefulUpdateStrategy.onDelete();
    expect(strategy.strategyType).toBe(StatefulUpdateType.ON_DELETE);
    expect(build({ updateStrategy: strategy }).sts.spec.updateStrategy).toEqual({ type: 'OnDelete' });
  });

  test('a strategy from configuration', () => {
    const { sts } = build({ replicas: 2, updateStrategy: StatefulUpdateStrategy.of(StatefulUpdateType.ROLLING_UPDATE, { partition: 1 }) });
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 1 } });
  });

  test('claim retention on delete and scale-down', () => {
    const { sts } = build({ claimRetention: { whenDeleted: ClaimRetentionPolicy.DELETE, whenScaled: ClaimRetentionPolicy.RETAIN } });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
    expect(build({ claimRetention: {} }).sts.spec.persistentVolumeClaimRetentionPolicy).toBeUndefined();
  });

  test('ordinalsStart shifts pod names, DNS names and claim names', () => {
    const { sts, app } = build({ replicas: 2, ordinalsStart: 5 });
    expect(sts.spec.ordinals).toEqual({ start: 5 });
    expect(app.podDnsNames).toEqual(['db-5.db.default.svc.cluster.local', 'db-6.db.default.svc.cluster.local']);
    expect(app.claimNames).toEqual(['data-db-5', 'data-db-6']);
  });

  test('an explicit ordinalsStart of 0 is rendered', () => {
    expect(build({ ordinalsStart: 0 }).sts.spec.ordinals).toEqual({ start: 0 });
  });

  test('clusterDomain', () => {
    const { app } = build({ clusterDomain: 'corp.internal' });
    expect(app.serviceDnsName).toBe('db.default.svc.corp.internal');
    expect(app.podDnsNames).toEqual(['db-0.db.default.svc.corp.internal']);
  });

  test('spread: soft anti-affinity over the pods\' selector', () => {
    const { sts } = build({ spread: Spread.preferDifferentNodes() });
    expect(sts.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([{
      weight: 100,
      podAffinityTerm: { labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'db' } }, topologyKey: 'kubernetes.io/hostname' },
    }]);
  });

  test('spread: topology spread', () => {
    const { sts } = build({ spread: Spread.topology({ topologyKey: 'topology.kubernetes.io/zone' }) });
    expect(sts.spec.template.spec.topologySpreadConstraints).toEqual([{
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'db' } },
    }]);
  });

  test('pod volumes and claims are mountable side by side', () => {
    const { sts } = build({
      volumes: [PodVolume.emptyDir('tmp')],
      containers: [{ ...db, volumeMounts: [...db.volumeMounts!, { volume: 'tmp', mountPath: '/tmp' }] }],
    });
    expect(sts.spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
    expect(sts.spec.template.spec.containers[0].volumeMounts.map((m: Manifest) => m.name)).toEqual(['data', 'tmp']);
  });

  test('without claim templates there are no claims', () => {
    const { sts, app } = build({ containers: [{ ...db, volumeMounts: undefined }], volumeClaimTemplates: undefined });
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    expect(app.claimNames).toEqual([]);
  });
});

describe('volume claim templates', () => {
  test('every field reaches the template and the claim requests', () => {
    const { sts, app } = build({
      replicas: 2,
      containers: [{ ...db, volumeMounts: [{ volume: 'data', mountPath: '/data' }, { volume: 'logs', mountPath: '/logs' }] }],
      volumeClaimTemplates: [
        {
          name: 'data',
          storage: '500Mi',
          accessModes: [AccessMode.READ_WRITE_ONCE, AccessMode.READ_ONLY_MANY],
          storageClassName: '',
          selector: { tier: 'fast' },
          annotations: { 'example.com/backup': 'daily' },
          volumeMode: VolumeMode.FILESYSTEM,
        },
        { name: 'logs', storage: '1.5Gi', storageClassName: 'nfs' },
      ],
    });
    expect(sts.spec.volumeClaimTemplates).toEqual([
      {
        metadata: { name: 'data', annotations: { 'example.com/backup': 'daily' } },
        spec: {
          accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
          storageClassName: '',
          selector: { matchLabels: { tier: 'fast' } },
          volumeMode: 'Filesystem',
          resources: { requests: { storage: '500Mi' } },
        },
      },
      {
        metadata: { name: 'logs' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'nfs', resources: { requests: { storage: '1536Mi' } } }, // canonical: the server stores 1.5Gi as 1536Mi
      },
    ]);
    expect(app.claimNames).toEqual(['data-db-0', 'data-db-1', 'logs-db-0', 'logs-db-1']);
    expect(app.claims[1]).toEqual({
      name: 'data-db-1',
      namespace: 'default',
      storage: '500Mi',
      accessModes: ['ReadWriteOnce', 'ReadOnlyMany'],
      storageClassName: '',
      selector: { tier: 'fast' },
      annotations: { 'example.com/backup': 'daily' },
      volumeMode: 'Filesystem',
    });
    expect(app.claims[3]).toMatchObject({ name: 'logs-db-1', storage: '1.5Gi', storageClassName: 'nfs' });
  });

  test('an empty storageClassName survives synthesis; an unset one stays unset', () => {
    const empty = build({ volumeClaimTemplates: [{ ...DATA, storageClassName: '' }] });
    expect(empty.sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('');
    expect(empty.app.claims[0].storageClassName).toBe('');
    const unset = build();
    expect('storageClassName' in unset.sts.spec.volumeClaimTemplates[0].spec).toBe(false);
    expect('storageClassName' in unset.app.claims[0]).toBe(true); // the key exists, its value is undefined
    expect(unset.app.claims[0].storageClassName).toBeUndefined();
  });

  test('handles are copies: changing a claim request cannot change the rendered template', () => {
    const templates = [{ ...DATA, accessModes: [AccessMode.READ_WRITE_ONCE] }];
    const { app } = build({ volumeClaimTemplates: templates });
    app.claims[0].accessModes.push(AccessMode.READ_WRITE_MANY);
    expect(templates[0].accessModes).toEqual(['ReadWriteOnce']);
  });
});

describe('Services', () => {
  test('publishNotReadyAddresses', () => {
    expect(build({ publishNotReadyAddresses: true }).headless.spec.publishNotReadyAddresses).toBe(true);
  });

  test('servicePorts override the container ports', () => {
    const { headless } = build({ servicePorts: [{ port: 15432, targetPortName: 'postgres' }] });
    expect(headless.spec.ports).toEqual([{ name: 'postgres', port: 15432, targetPort: 'postgres', protocol: 'TCP' }]);
  });

  test('default ports: only the named ones, from every container', () => {
    const { headless } = build({
      containers: [
        { ...db, ports: [{ number: 5432, name: 'postgres' }, { number: 9999 }] },
        { name: 'exporter', image: 'prom/postgres-exporter:v0.15.0', ports: [{ number: 9187, name: 'metrics' }] },
      ],
    });
    expect(headless.spec.ports.map((p: Manifest) => p.name)).toEqual(['postgres', 'metrics']);
  });

  test('default ports: every port when none is named', () => {
    const { headless } = build({ containers: [{ ...db, ports: [{ number: 6379, protocol: PortProtocol.TCP }] }] });
    expect(headless.spec.ports).toEqual([{ port: 6379, targetPort: 6379, protocol: 'TCP' }]);
  });

  test('a client Service, load-balanced, with the headless ports by default', () => {
    const { app, docs } = build({ clientService: {} });
    const client = only(docs, 'Service', 'db-client');
    expect(client.spec.clusterIP).toBeUndefined();
    expect(client.spec.type).toBeUndefined();
    expect(client.spec.selector).toEqual({ 'app.kubernetes.io/name': 'db' });
    expect(client.spec.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 5432, protocol: 'TCP' }]);
    expect(app.clientService?.name).toBe('db-client');
  });

  test('a client Service with its own name, type, ports and annotations', () => {
    const { docs } = build({
      clientService: {
        name: 'postgres',
        serviceType: WorkloadServiceType.LOAD_BALANCER,
        annotations: { 'example.com/lb': 'internal' },
        ports: [{ port: 5432, targetPortName: 'postgres', nodePort: 30432 }],
      },
    });
    const client = only(docs, 'Service', 'postgres');
    expect(client.spec.type).toBe('LoadBalancer');
    expect(client.metadata.annotations).toEqual({ 'example.com/lb': 'internal' });
    expect(client.spec.ports).toEqual([{ name: 'postgres', port: 5432, targetPort: 'postgres', protocol: 'TCP', nodePort: 30432 }]);
  });

  test('a PodDisruptionBudget allows one pod down by default', () => {
    const { docs, app } = build({ replicas: 3, disruptionBudget: {} });
    const pdb = only(docs, 'PodDisruptionBudget', 'db');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'db' } } });
    expect(app.podDisruptionBudget?.name).toBe('db');
  });

  test('a PodDisruptionBudget with minAvailable', () => {
    const { docs } = build({ replicas: 3, disruptionBudget: { minAvailable: IntOrPercent.count(2) } });
    expect(only(docs, 'PodDisruptionBudget').spec).toMatchObject({ minAvailable: 2 });
  });
});

describe('bad input', () => {
  test.each<[string, Partial<StatefulAppProps>, RegExp]>([
    ['invalid name', { name: 'My_DB' }, /^\[test\/db\] name "My_DB": must be a DNS-1123 label .*; try "my-db"$/],
    ['name over 52 characters', { name: 'a'.repeat(53) }, /^\[test\/db\] name "a{53}": must be at most 52 characters so the controller's suffixes fit in 63 \(it has 53\); try "a{52}"$/],
    ['invalid serviceName', { serviceName: '1db' }, /^\[test\/db\] serviceName "1db": must be a DNS-1035 label .*; start with a letter, e.g. "svc-1db"$/],
    ['serviceName from a name starting with a digit', { name: '1db' }, /^\[test\/db\] serviceName \(from name\) "1db": must be a DNS-1035 label/],
    ['negative replicas', { replicas: -1 }, /^\[test\/db\] replicas -1: must be a whole number from 0 to \d+; use 0 or a positive whole number$/],
    ['negative ordinalsStart', { ordinalsStart: -1 }, /^\[test\/db\] ordinalsStart -1: must be a whole number from 0/],
    ['negative minReadySeconds', { minReadySeconds: -5 }, /^\[test\/db\] minReadySeconds -5: must be a whole number/],
    ['negative revisionHistoryLimit', { revisionHistoryLimit: -1 }, /^\[test\/db\] revisionHistoryLimit -1: must be a whole number/],
    ['partition above replicas', { replicas: 2, updateStrategy: StatefulUpdateStrategy.rollingUpdate({ partition: 3 }) },
      /^\[test\/db\] updateStrategy\.partition 3: is above replicas \(2\), so no pod would ever be updated; use a partition from 0 to 2$/],
    ['negative partition', { updateStrategy: StatefulUpdateStrategy.rollingUpdate({ partition: -1 }) }, /^\[test\/db\] updateStrategy\.partition -1: must be a whole number/],
    ['partition with OnDelete', { updateStrategy: StatefulUpdateStrategy.of(StatefulUpdateType.ON_DELETE, { partition: 1 }) },
      /^\[test\/db\] updateStrategy\.partition 1: only applies to RollingUpdate; drop partition, or use StatefulUpdateStrategy\.rollingUpdate\(\)$/],
    ['maxUnavailable with OnDelete', { updateStrategy: StatefulUpdateStrategy.of(StatefulUpdateType.ON_DELETE, { maxUnavailable: IntOrPercent.count(2) }) },
      /^\[test\/db\] updateStrategy\.maxUnavailable "2": only applies to RollingUpdate; drop maxUnavailable/],
    ['zero maxUnavailable', { updateStrategy: StatefulUpdateStrategy.rollingUpdate({ maxUnavailable: IntOrPercent.count(0) }) },
      /^\[test\/db\] updateStrategy\.maxUnavailable "0": zero means no pod can ever be replaced; allow at least 1$/],
    ['maxUnavailable over 100%', { updateStrategy: StatefulUpdateStrategy.rollingUpdate({ maxUnavailable: IntOrPercent.percent(150) }) },
      /^\[test\/db\] updateStrategy\.maxUnavailable 150: must be a whole number from 0 to 100/],
    ['unknown update strategy type', { updateStrategy: StatefulUpdateStrategy.of('Recreate' as StatefulUpdateType) },
      /^\[test\/db\] updateStrategy\.type "Recreate": is not a StatefulSet update strategy; use RollingUpdate or OnDelete$/],
    ['unknown podManagementPolicy', { podManagementPolicy: 'Ordered' as StatefulPodManagement },
      /^\[test\/db\] podManagementPolicy "Ordered": is not one of the allowed values \(.*\); use one of "OrderedReady", "Parallel"$/],
    ['unknown claim retention', { claimRetention: { whenScaled: 'Keep' as ClaimRetentionPolicy } },
      /^\[test\/db\] claimRetention\.whenScaled "Keep": is not one of the allowed values \(.*\); use one of "Retain", "Delete"$/],
    ['a mount naming no claim or volume', { containers: [{ ...db, volumeMounts: [{ volume: 'dta', mountPath: '/data' }] }] },
      /^\[test\/db\] containers\[0\]\.volumeMounts\[0\]\.volume "dta": names no volume or claim template of this pod; use one of "data", or add the volume$/],
    ['duplicate claim names', { volumeClaimTemplates: [DATA, { name: 'data', storage: '2Gi' }] },
      /^\[test\/db\] volumeClaimTemplates\[1\] "data": duplicates volumeClaimTemplates\[0\] \(claim template names must be unique\); rename or remove one of them$/],
    ['a claim named like a pod volume', { volumes: [PodVolume.emptyDir('data')] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.name "data": is also the name of a pod volume, so a mount would be ambiguous; rename the claim template or the volume$/],
    ['an invalid claim name', { volumeClaimTemplates: [{ name: 'Data', storage: '1Gi' }], containers: [{ ...db, volumeMounts: [{ volume: 'Data', mountPath: '/data' }] }] }, /^\[test\/db\] volumeClaimTemplates\[0\]\.name "Data": must be a DNS-1123 label .*; try "data"$/],
    ['a claim without size', { volumeClaimTemplates: [{ name: 'data' } as any] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.storage \(unset\): a claim needs a size; give a quantity like "2Gi" or "500Mi"$/],
    ['a claim with an empty size', { volumeClaimTemplates: [{ name: 'data', storage: '' }] }, /^\[test\/db\] volumeClaimTemplates\[0\]\.storage "": a claim needs a size/],
    ['a claim size in 2Gb', { volumeClaimTemplates: [{ name: 'data', storage: '2Gb' }] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.storage "2Gb": must be a Kubernetes quantity .*; try "2Gi"$/],
    ['a zero claim size', { volumeClaimTemplates: [{ name: 'data', storage: '0' }] }, /^\[test\/db\] volumeClaimTemplates\[0\]\.storage "0": must be greater than zero/],
    ['a negative claim size', { volumeClaimTemplates: [{ name: 'data', storage: '-1Gi' }] }, /^\[test\/db\] volumeClaimTemplates\[0\]\.storage "-1Gi": must not be negative; try "1Gi"$/],
    ['an unknown access mode', { volumeClaimTemplates: [{ ...DATA, accessModes: ['ReadWrite' as AccessMode] }] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.accessModes\[0\] "ReadWrite": is not an access mode \(ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod\); use an AccessMode value$/],
    ['no access modes', { volumeClaimTemplates: [{ ...DATA, accessModes: [] }] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.accessModes \[\]: needs at least one access mode; use e\.g\. \[AccessMode\.READ_WRITE_ONCE\]$/],
    ['a repeated access mode', { volumeClaimTemplates: [{ ...DATA, accessModes: [AccessMode.READ_WRITE_ONCE, AccessMode.READ_WRITE_ONCE] }] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.accessModes\[1\] "ReadWriteOnce": is listed twice; remove the duplicate$/],
    ['ReadWriteOncePod with another mode', { volumeClaimTemplates: [{ ...DATA, accessModes: [AccessMode.READ_WRITE_ONCE_POD, AccessMode.READ_WRITE_ONCE] }] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.accessModes \["ReadWriteOncePod","ReadWriteOnce"\]: ReadWriteOncePod may not be combined with other access modes; use \[AccessMode\.READ_WRITE_ONCE_POD\] alone$/],
    ['an invalid storage class', { volumeClaimTemplates: [{ ...DATA, storageClassName: 'NFS_Client' }] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.storageClassName "NFS_Client": must be a DNS-1123 subdomain/],
    ['an invalid claim selector', { volumeClaimTemplates: [{ ...DATA, selector: { tier: 'not valid' } }] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.selector\["tier"\] "not valid": label values/],
    ['an invalid claim annotation key', { volumeClaimTemplates: [{ ...DATA, annotations: { 'bad key': 'x' } }] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.annotations key "bad key"/],
    ['an unknown volume mode', { volumeClaimTemplates: [{ ...DATA, volumeMode: 'Raw' as VolumeMode }] },
      /^\[test\/db\] volumeClaimTemplates\[0\]\.volumeMode "Raw": is not one of the allowed values \(.*\); use one of "Filesystem", "Block"$/],
    ['a Block claim mounted as a directory', { volumeClaimTemplates: [{ ...DATA, volumeMode: VolumeMode.BLOCK }] },
      /^\[test\/db\] containers\[0\]\.volumeMounts\[0\]\.volume "data": is a Block claim, a raw device that cannot be mounted as a directory; use VolumeMode\.FILESYSTEM/],
    ['a port name over 15 characters', { containers: [{ ...db, ports: [{ number: 5432, name: 'postgres-primary' }] }] },
      /^\[test\/db\] containers\[0\]\.ports\[0\]\.name "postgres-primary": port names must be at most 15 characters \(it has 16\); try "postgres-primar"$/],
    ['duplicate ports in a container', { containers: [{ ...db, ports: [{ number: 5432, name: 'a' }, { number: 5432, name: 'b' }] }] },
      /^\[test\/db\] containers\[0\]\.ports\[1\] "5432\/TCP": duplicates containers\[0\]\.ports\[0\]/],
    ['duplicate port names across containers', { containers: [db, { name: 'sidecar', image: 'busybox:1.36', ports: [{ number: 8080, name: 'postgres' }] }] },
      /^\[test\/db\] servicePorts\[1\] "postgres": duplicates servicePorts\[0\] \(port names must be unique\)/],
    ['duplicate service ports', { servicePorts: [{ port: 5432, name: 'a' }, { port: 5432, name: 'b' }] },
      /^\[test\/db\] servicePorts\[1\] "5432\/TCP": duplicates servicePorts\[0\]/],
    ['a clusterDomain with a trailing dot', { clusterDomain: 'cluster.local.' }, /^\[test\/db\] clusterDomain "cluster.local.": must not end with a dot; try "cluster.local"$/],
    ['an invalid clusterDomain', { clusterDomain: 'Cluster_Local' }, /^\[test\/db\] clusterDomain "Cluster_Local": must be a DNS-1123 subdomain/],
    ['a client Service named like the headless one', { clientService: { name: 'db' } },
      /^\[test\/db\] clientService\.name "db": is the headless Service's name; use another name, e.g. "db-client"$/m],
    ['an invalid client Service name', { clientService: { name: 'DB' } }, /^\[test\/db\] clientService\.name "DB": must be a DNS-1035 label/],
    ['a node port on a ClusterIP client Service', { clientService: { ports: [{ port: 5432, nodePort: 30000 }] } },
      /^\[test\/db\] clientService\.ports\[0\]\.nodePort 30000: only NodePort and LoadBalancer Services have node ports/],
    ['a zero disruption budget', { disruptionBudget: { maxUnavailable: IntOrPercent.count(0) } },
      /^\[test\/db\] disruptionBudget\.maxUnavailable "0": zero blocks every node drain; allow at least 1$/],
    ['hostPath volumes', { volumes: [PodVolume.hostPath('host', '/var/lib')] }, /^\[test\/db\] volumes\[0\] "host": hostPath volumes are host access/],
    ['a budget that keeps every replica', { replicas: 3, disruptionBudget: { minAvailable: IntOrPercent.percent(67) } },
      /^\[test\/db\] disruptionBudget\.minAvailable "67%": keeps all 3 replicas up \(percentages round up\), which blocks every node drain; use a value below 67%, or maxUnavailable$/],
  ])('fails on %s', (_what, props, message) => {
    expect(buildError(props)).toMatch(message);
  });
});

describe('shared Service rules', () => {
  test('a stateful worker without ports still gets its governing headless Service', () => {
    const { headless, app } = build({ containers: [{ name: 'worker', image: 'busybox:1.28.4', volumeMounts: [{ volume: 'data', mountPath: '/data' }] }] });
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.ports).toBeUndefined();
    expect(app.podDnsNames).toEqual(['db-0.db.default.svc.cluster.local']);
  });

  test('a fixed node port of a client Service must be unique in the app', () => {
    const chart = testChart();
    const nodePort: Partial<StatefulAppProps> = {
      clientService: { serviceType: WorkloadServiceType.NODE_PORT, ports: [{ port: 5432, nodePort: 30432 }] },
    };
    new StatefulApp(chart, 'a', { containers: [db], volumeClaimTemplates: [DATA], ...nodePort });
    new StatefulApp(chart, 'b', { containers: [db], volumeClaimTemplates: [DATA], ...nodePort });
    expect(() => Testing.synth(chart)).toThrow(/\[test\/a\] clientService\.ports\[0\]\.nodePort 30432: also used by \[test\/b\] clientService\.ports\[0\]/);
  });
});
