import { App, Chart } from 'cdk8s';
import { AppSynthesizer, PodContainerProps, NfsVolumeSet, PodVolume, StatefulApp, StatelessApp } from '../src';
import { errorOf, only, synthValid, testChart } from './util';
import { canonicalQuantity, serverRewrites } from '../src/kubernetes/validation';

// Expected values are the API server's (apimachinery resource.Quantity ParseQuantity + String), taken from the
// behaviour its own tests pin down, restated here as input -> stored text.
describe('canonicalQuantity writes what the API server stores', () => {
  test.each([
    // decimal SI: the largest suffix that keeps the mantissa whole
    ['1000m', '1'], ['0.5', '500m'], ['0.1', '100m'], ['1.5', '1500m'], ['100m', '100m'], ['1000M', '1G'],
    ['1000000k', '1G'], ['1000000000', '1G'], ['1', '1'], ['50k', '50k'], ['1080m', '1080m'], ['1.08', '1080m'],
    ['0.001', '1m'], ['.001', '1m'], ['1.', '1'], ['1.G', '1G'], ['.0001k', '100m'], ['100.035k', '100035'],
    ['10.035M', '10035k'], ['2.5P', '2500T'], ['1.01E', '1010P'], ['12E', '12E'], ['8.1k', '8100'],
    ['0.00050k', '500m'], ['0.50000', '500m'], ['+1k', '1k'], ['007', '7'],
    // binary SI: powers of 1024 fold up; values below 1Ki or not whole are written in decimal
    ['1024Mi', '1Gi'], ['1.5Gi', '1536Mi'], ['100Mi', '100Mi'], ['300Mi', '300Mi'], ['307200Ki', '300Mi'],
    ['1025024Mi', '1001Gi'], ['1024Gi', '1Ti'], ['6Ki', '6Ki'], ['0.5Mi', '512Ki'], ['0.5Ki', '512'],
    ['1.5Ki', '1536'], ['2048Ki', '2Mi'], ['1025Ki', '1025Ki'], ['.001Ki', '1024m'], ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    // decimal exponents keep exponent form, in multiples of 3
    ['1e3', '1e3'], ['1E3', '1e3'], ['1e9', '1e9'], ['1.2e3', '1200'], ['1.3E+6', '1300e3'], ['1e-3', '1e-3'],
    ['0.5e0', '500e-3'], ['80e-3', '80e-3'], ['5e0', '5'], ['1e14', '100e12'],
    // rounding: finer than a nano-unit rounds up (away from zero)
    ['3.001n', '4n'], ['1.1E-9', '2e-9'], ['0.0000000001', '1n'], ['0.9n', '1n'], ['0.00000012345', '124n'],
    ['.000000000001Ki', '2n'], ['-0.0005', '-500u'], ['-3.001n', '-4n'],
    // caps and zero
    ['9Ei', '9223372036854775807'], ['9223372036854775807Ki', '9223372036854775807'], ['0', '0'], ['0Mi', '0'], ['0.000m', '0'],
    ['-1.5Gi', '-1536Mi'], ['-1000m', '-1'],
    // past E there is no SI suffix: exponent form
    ['1000E', '1e21'],
  ])('%s -> %s', (input, stored) => {
    expect(canonicalQuantity(input)).toBe(stored);
  });

  test('0.05Gi is not a whole number of bytes, so it is written in decimal milli-units', () => {
    // 0.05 * 2^30 = 53687091.2 -> not whole -> DecimalSI -> 53687091200m
    expect(canonicalQuantity('0.05Gi')).toBe('53687091200m');
  });

  test('idempotent: the stored text is stored unchanged', () => {
    for (const q of ['1000m', '1.5Gi', '0.5', '1e3', '3.001n', '9Ei', '1000E', '-1.5', '2.5P']) {
      const once = canonicalQuantity(q);
      expect(canonicalQuantity(once)).toBe(once);
    }
  });

  test('rejects text that is not a quantity', () => {
    expect(() => canonicalQuantity('1GB')).toThrow(/not a Kubernetes quantity/);
    expect(() => canonicalQuantity('')).toThrow(/not a Kubernetes quantity/);
  });
});

const box = (extra: Partial<PodContainerProps> = {}): PodContainerProps => ({ name: 'app', image: 'busybox:1.36', ...extra });

describe('constructs render canonical quantities whatever form the user typed', () => {
  test('container requests and limits: 1000m -> "1", 1024Mi -> 1Gi, 0.5 -> 500m, 1000M -> 1G', () => {
    const chart = testChart();
    new StatelessApp(chart, 'web', {
      containers: [box({ resources: { cpuRequest: '1000m', memoryRequest: '1024Mi', cpuLimit: '1.5', memoryLimit: '2000M' } })],
      exposeService: false,
    });
    const docs = synthValid(chart);
    const resources = only(docs, 'Deployment').spec.template.spec.containers[0].resources;
    expect(resources).toEqual({ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1500m', memory: '2G' } });
  });

  test('the YAML says cpu: "1" and memory: 1Gi', () => {
    const app = new App();
    new StatelessApp(new Chart(app, 'web'), 'web', {
      containers: [box({ resources: { cpuRequest: '1000m', memoryRequest: '1024Mi', cpuLimit: '2', memoryLimit: '2Gi' } })],
      exposeService: false,
    });
    const [{ content }] = AppSynthesizer.render(app, { kustomization: false });
    expect(content).toMatch(/requests:\n\s+cpu: "1"\n\s+memory: 1Gi\n/);
  });

  test('NFS volume, claim and StorageClass: canonical capacity, no empty annotations', () => {
    const chart = testChart();
    new NfsVolumeSet(chart, 'nfs', {
      server: '10.0.0.5',
      capacity: '1024Mi',
      volumes: [{ name: 'pv001', path: '/exports/1' }],
      storageClassName: 'nfs',
      storageClass: { annotations: {} },
    });
    const docs = synthValid(chart);
    expect(only(docs, 'PersistentVolume').spec.capacity).toEqual({ storage: '1Gi' });
    expect(only(docs, 'StorageClass').metadata.annotations).toBeUndefined();
  });

  test('claim template sizes and emptyDir limits', () => {
    const chart = testChart();
    new StatefulApp(chart, 'db', {
      containers: [box({ volumeMounts: [{ volume: 'data', mountPath: '/data' }, { volume: 'scratch', mountPath: '/tmp' }] })],
      volumeClaimTemplates: [{ name: 'data', storage: '2048Mi' }],
      volumes: [PodVolume.emptyDir('scratch', { sizeLimit: '0.5Gi' })],
    });
    const docs = synthValid(chart);
    const sts = only(docs, 'StatefulSet');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('2Gi');
    expect(sts.spec.template.spec.volumes.find((v: any) => v.name === 'scratch').emptyDir).toEqual({ sizeLimit: '512Mi' });
  });

  test('empty user maps and lists are left out, not rendered as {} or []', () => {
    const chart = testChart();
    new StatelessApp(chart, 'web', {
      containers: [box({ env: {}, command: [], args: [], ports: [], volumeMounts: [] })],
      labels: {},
      annotations: {},
      podLabels: {},
      podAnnotations: {},
      nodeSelector: {},
      tolerations: [],
      imagePullSecretNames: [],
      exposeService: false,
    });
    // synthValid fails on any empty list/map or non-canonical quantity the server would rewrite
    const docs = synthValid(chart);
    for (const doc of docs) expect(serverRewrites(doc)).toEqual([]);
  });
});

describe('serverRewrites finds what the server would rewrite', () => {
  const pod = (container: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ...extra }, spec: { containers: [{ name: 'c', image: 'x', ...container }] },
  });

  test('non-canonical and numeric quantities', () => {
    const found = serverRewrites(pod({ resources: { requests: { cpu: '1000m', memory: 1 } } }));
    expect(found.map((f) => f.path)).toEqual(['spec.containers[0].resources.requests.cpu', 'spec.containers[0].resources.requests.memory']);
    expect(found[0].message).toContain('"1"');
  });

  test('empty maps and lists, but not empty structs such as emptyDir: {}', () => {
    const found = serverRewrites({
      ...pod({ resources: { requests: {}, limits: {} }, env: [] }, { annotations: {} }),
      spec: {
        containers: [{ name: 'c', image: 'x', resources: { requests: {}, limits: {} }, env: [] }],
        volumes: [{ name: 'v', emptyDir: {} }],
        securityContext: {},
      },
    });
    expect(found.map((f) => f.path).sort()).toEqual([
      'metadata.annotations', 'spec.containers[0].env', 'spec.containers[0].resources.limits', 'spec.containers[0].resources.requests',
    ]);
  });

  test('a required list is written by the server even when empty (Job onPodConditions)', () => {
    expect(serverRewrites({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }], volumes: [], restartPolicy: 'Never' } }, podFailurePolicy: { rules: [{ action: 'FailJob', onPodConditions: [] }] } },
    }).map((f) => f.path)).toEqual(['spec.template.spec.volumes']);
  });
});

test('an invalid quantity is still an input error, before any canonical form', () => {
  const chart = testChart();
  expect(errorOf(() => {
    new StatelessApp(chart, 'web', { containers: [box({ resources: { memoryRequest: '1GB' } })], exposeService: false });
    synthValid(chart);
  })).toMatch(/memoryRequest "1GB".*try "1Gi"/);
});
