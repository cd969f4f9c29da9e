import {
  absolutePath, dnsLabel, dnsSubdomain, duration, ensure, ensureLabels, formatInputError, imageReference,
  isUnpinnedImage, labelKey, labelValue, manifestProblems, nonNegativeQuantity, parseQuantity, portName,
  isServedGroup, positiveQuantity, quantity, schemaTypeViolations, serviceName, strictSchemaViolations, suggestDnsLabel, workloadName,
} from '../src/kubernetes/validation';

describe('names', () => {
  test.each(['web', 'web-1', 'a', '0abc', 'x'.repeat(63)])('DNS-1123 label accepts %s', (v) => {
    expect(dnsLabel(v)).toBeUndefined();
  });

  test.each([
    ['Web_1', 'web-1'],
    ['nginx-daemonSet', 'nginx-daemonset'],
    ['-web', 'web'],
    ['web.', 'web'],
    ['', 'name'],
  ])('DNS-1123 label rejects %s and suggests %s', (value, suggestion) => {
    const problem = dnsLabel(value);
    expect(problem?.reason).toMatch(/DNS-1123 label/);
    expect(problem?.fix).toBe(`try "${suggestion}"`);
  });

  test('a 64-character label is too long, and the hint fits', () => {
    const problem = dnsLabel('a'.repeat(64));
    expect(problem?.reason).toMatch(/at most 63 characters \(it has 64\)/);
    expect(problem?.fix).toBe(`try "${'a'.repeat(63)}"`);
  });

  test('subdomains allow dots, labels do not', () => {
    expect(dnsSubdomain('pv001.example')).toBeUndefined();
    expect(dnsLabel('pv001.example')).toBeDefined();
    expect(dnsSubdomain('a'.repeat(254))?.reason).toMatch(/at most 253/);
  });

  test('service names must start with a letter', () => {
    expect(serviceName('nginx-service')).toBeUndefined();
    expect(serviceName('1web')?.fix).toBe('start with a letter, e.g. "svc-1web"');
  });

  test('StatefulSet and CronJob names stop at 52 characters', () => {
    expect(workloadName('a'.repeat(52))).toBeUndefined();
    expect(workloadName('a'.repeat(53))?.reason).toMatch(/at most 52 characters/);
    expect(workloadName('Bad_Name')?.reason).toMatch(/DNS-1123 label/);
  });

  test('suggestions collapse runs of invalid characters', () => {
    expect(suggestDnsLabel('My__App..Server')).toBe('my-app-server');
  });
});

describe('labels', () => {
  test.each(['app', 'app.kubernetes.io/name', 'example.com/a_b.c'])('key %s is valid', (k) => {
    expect(labelKey(k)).toBeUndefined();
  });

  test.each(['', '/name', 'Bad Prefix/name', 'a/' + 'b'.repeat(64), '-start'])('key %j is invalid', (k) => {
    expect(labelKey(k)).toBeDefined();
  });

  test('values may be empty but not 64 characters', () => {
    expect(labelValue('')).toBeUndefined();
    expect(labelValue('myapp-pod')).toBeUndefined();
    expect(labelValue('x'.repeat(64))?.reason).toMatch(/at most 63 characters \(it has 64\)/);
    expect(labelValue('a b')).toBeDefined();
  });

  test('ensureLabels names the key in the error', () => {
    expect(() => ensureLabels('stateful/db', 'labels', { tier: 'x'.repeat(64) }))
      .toThrow(/^\[stateful\/db\] labels\["tier"\] "x{64}": label values must be at most 63 characters/);
    expect(() => ensureLabels('stateful/db', 'labels', { 'Bad Key': 'v' })).toThrow(/labels key "Bad Key"/);
  });
});

describe('quantities', () => {
  test.each(['500Mi', '2Gi', '100m', '1', '1.5', '0.5Gi', '1e3', '2k', '+1'])('%s is a quantity', (v) => {
    expect(quantity(v)).toBeUndefined();
  });

  test('2Gb is not a quantity and the hint says 2Gi', () => {
    expect(quantity('2Gb')).toEqual({ reason: expect.stringMatching(/Kubernetes quantity/), fix: 'try "2Gi"' });
  });

  test.each(['', 'Gi', '2 Gi', '2gi', 'two'])('%j is not a quantity', (v) => {
    expect(quantity(v)).toBeDefined();
  });

  test('-1Gi is a quantity but not a valid size', () => {
    expect(quantity('-1Gi')).toBeUndefined();
    expect(nonNegativeQuantity('-1Gi')).toEqual({ reason: 'must not be negative', fix: 'try "1Gi"' });
    expect(positiveQuantity('0')?.reason).toBe('must be greater than zero');
  });

  test('parseQuantity knows binary and decimal suffixes', () => {
    expect(parseQuantity('2Gi')).toBe(2 * 1024 ** 3);
    expect(parseQuantity('500Mi')).toBe(500 * 1024 ** 2);
    expect(parseQuantity('100m')).toBeCloseTo(0.1);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('1Gi')).toBeGreaterThan(parseQuantity('1G'));
    expect(() => parseQuantity('2Gb')).toThrow(/not a Kubernetes quantity/);
  });
});

describe('ports and durations', () => {
  test.each(['web', 'dns-tcp', 'metrics', 'h2c', 'a'.repeat(15)])('port name %s is valid', (v) => {
    expect(portName(v)).toBeUndefined();
  });

  test('my-very-long-port-name is too long', () => {
    expect(portName('my-very-long-port-name')).toEqual({
      reason: 'port names must be at most 15 characters (it has 22)',
      fix: 'try "my-very-long-po"',
    });
  });

  test.each(['80', 'Web', 'a--b', '-web', 'web_1'])('port name %s is invalid', (v) => {
    expect(portName(v)).toBeDefined();
  });

  test.each(['5s', '1m30s', '250ms', '1h'])('%s is a duration', (v) => expect(duration(v)).toBeUndefined());
  test.each(['5', 's', '5 s', '-5s', '5d'])('%s is not a duration', (v) => expect(duration(v)).toBeDefined());
});

describe('paths and images', () => {
  test('absolute paths', () => {
    expect(absolutePath('/data/volumes/v1')).toBeUndefined();
    expect(absolutePath('data/v1')?.fix).toBe('try "/data/v1"');
    expect(absolutePath('/data/../etc')).toBeDefined();
  });

  test.each(['nginx:1.15.4', 'perl', 'registry.k8s.io/coredns/coredns:v1.11.1', 'localhost:5000/app:1', `a@sha256:${'0'.repeat(64)}`])('%s is an image reference', (v) => {
    expect(imageReference(v)).toBeUndefined();
  });

  test.each(['Nginx:1', 'nginx:', ' nginx', 'nginx:1 2'])('%j is not an image reference', (v) => {
    expect(imageReference(v)).toBeDefined();
  });

  test('unpinned images', () => {
    expect(isUnpinnedImage('perl')).toBe(true);
    expect(isUnpinnedImage('nginx:latest')).toBe(true);
    expect(isUnpinnedImage('localhost:5000/app')).toBe(true);
    expect(isUnpinnedImage('nginx:1.15.4')).toBe(false);
  });
});

describe('error messages', () => {
  test('name the path, the field, the value and the fix', () => {
    expect(() => ensure('stateful/db', 'name', 'Web_1', dnsLabel)).toThrow(
      '[stateful/db] name "Web_1": must be a DNS-1123 label (lower case letters, digits and \'-\', starting and ending with a letter or digit); try "web-1"');
  });

  test('format unset values readably', () => {
    expect(formatInputError('a', 'b', undefined, { reason: 'r', fix: 'f' })).toBe('[a] b (unset): r; f');
  });
});

describe('strict schema validation', () => {
  const pod = () => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'c', image: 'busybox:1.28.4' }] },
  });

  test('accepts a valid object', () => {
    expect(strictSchemaViolations(pod())).toEqual([]);
  });

  test('rejects unknown fields like the API server', () => {
    const p: any = pod();
    p.spec.containers[0].imagePolicy = 'Always';
    expect(strictSchemaViolations(p)).toEqual([{ path: 'spec.containers[0].imagePolicy', message: expect.stringMatching(/unknown field/) }]);
  });

  // The compiled walk looks fields up as own properties: a key named like an Object.prototype member is no field.
  test('rejects unknown fields named like JavaScript object members', () => {
    const p: any = pod();
    p.spec.containers[0].constructor = 'x';
    p.metadata.toString = 'y';
    expect(strictSchemaViolations(p).map((v) => v.path)).toEqual(['metadata.toString', 'spec.containers[0].constructor']);
  });

  test('rejects wrong types and missing required fields', () => {
    const p: any = pod();
    p.spec.containers[0].ports = [{ containerPort: '80' }];
    delete p.spec.containers[0].name;
    const paths = strictSchemaViolations(p).map((v) => v.path);
    expect(paths).toEqual(expect.arrayContaining(['spec.containers[0].name', 'spec.containers[0].ports[0].containerPort']));
  });

  test('rejects APIs removed before 1.28', () => {
    expect(strictSchemaViolations({ apiVersion: 'apps/v1beta1', kind: 'StatefulSet' })[0].message).toMatch(/not served by Kubernetes 1.28/);
    expect(strictSchemaViolations({ apiVersion: 'batch/v1beta1', kind: 'CronJob' })[0].message).toMatch(/not served/);
  });

  // The formats the API server's decoder enforces (and kubernetes-models checked before the plugin stopped needing it).
  test('rejects values of the right JSON type in the wrong format: int32 range, quantities, base64, date-times', () => {
    const p: any = pod();
    p.spec.containers[0].ports = [{ containerPort: 2 ** 31 }];
    p.spec.containers[0].resources = { requests: { memory: '512MB', cpu: '250m' }, limits: { memory: 1024 } };
    p.spec.activeDeadlineSeconds = 2 ** 40; // fits the schema's int64, but ValidatePodSpec caps it at MaxInt32
    expect(strictSchemaViolations(p)).toEqual([
      { path: 'spec.containers[0].ports[0].containerPort', message: 'must fit int32 (-2147483648 to 2147483647), got 2147483648' },
      { path: 'spec.containers[0].resources.requests.memory', message: expect.stringMatching(/must be a Kubernetes quantity/) },
      { path: 'spec.activeDeadlineSeconds', message: 'must be from 1 to 2147483647, got 1099511627776' },
    ]);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { ok: 'aGk=', bad: 'not base64!' } };
    expect(strictSchemaViolations(secret)).toEqual([{ path: 'data.bad', message: 'must be base64-encoded bytes' }]);
    const event = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, eventTime: 'yesterday', reportingController: 'x', reportingInstance: 'y', action: 'a', reason: 'r', type: 'Normal' };
    expect(strictSchemaViolations(event)).toEqual([{ path: 'eventTime', message: expect.stringMatching(/RFC 3339/) }]);
    expect(strictSchemaViolations({ ...event, eventTime: '2026-01-31T12:00:00.000000Z' })).toEqual([]);
  });

  test('schemaTypeViolations is the same check without unknown fields (the plugin\'s schema rule; strict-fields has those)', () => {
    const p: any = pod();
    p.spec.containers[0].imagePolicy = 'Always';
    p.spec.containers[0].ports = [{ containerPort: '80' }];
    expect(schemaTypeViolations(p)).toEqual([{ path: 'spec.containers[0].ports[0].containerPort', message: 'must be integer, got string' }]);
    expect(strictSchemaViolations(p).map((v) => v.path).sort()).toEqual(['spec.containers[0].imagePolicy', 'spec.containers[0].ports[0].containerPort']);
    expect(schemaTypeViolations({ apiVersion: 'apps/v1beta1', kind: 'StatefulSet' })).toEqual([{ path: 'apiVersion', message: 'apps/v1beta1 StatefulSet is not served by Kubernetes 1.28' }]);
  });

  test('knows which API groups Kubernetes 1.28 serves (built-in) and which belong to custom resources', () => {
    for (const g of ['', 'apps', 'batch', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io']) expect([g, isServedGroup(g)]).toEqual([g, true]);
    for (const g of ['cert-manager.io', 'gateway.networking.k8s.io', 'extensions', 'monitoring.coreos.com']) expect([g, isServedGroup(g)]).toEqual([g, false]);
  });
});

describe('server-side manifest rules', () => {
  const deployment = (selector: Record<string, string>, labels: Record<string, string>) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: selector }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
  });

  test('a selector must match its template', () => {
    expect(manifestProblems(deployment({ app: 'web' }, { app: 'web' }))).toEqual([]);
    expect(manifestProblems(deployment({ app: 'web' }, { app: 'other' }))[0].path).toBe('spec.selector');
  });

  test('the tutorial\'s DaemonSet name is rejected', () => {
    const ds = { ...deployment({ a: 'b' }, { a: 'b' }), kind: 'DaemonSet', metadata: { name: 'nginx-daemonSet' } };
    expect(manifestProblems(ds)[0]).toEqual({ path: 'metadata.name', message: expect.stringMatching(/try "nginx-daemonset"/) });
  });

  test('Job pods cannot restart Always', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'c', image: 'x:1' }] } } } };
    expect(manifestProblems(job).map((p) => p.path)).toEqual(['spec.template.spec.restartPolicy']);
  });

  test('mounts must name a volume or claim template', () => {
    const sts: any = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        volumeClaimTemplates: [{ metadata: { name: 'data' } }],
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x:1', volumeMounts: [{ name: 'data', mountPath: '/d' }, { name: 'nope', mountPath: '/n' }] }] } },
      },
    };
    expect(manifestProblems(sts).map((p) => p.message)).toEqual(['nope: no volume of that name in the pod']);
  });

  test('multi-port Services name every port', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 1 }, { port: 2, name: 'b' }] } };
    expect(manifestProblems(svc).map((p) => p.path)).toEqual(['spec.ports[0].name']);
  });
});

describe('cluster-scoped objects', () => {
  test('must not carry a namespace', () => {
    const pv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv001', namespace: 'default' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], nfs: { server: 's', path: '/p' } } };
    expect(manifestProblems(pv).map((p) => p.path)).toEqual(['metadata.namespace']);
    expect(manifestProblems({ ...pv, metadata: { name: 'pv001' } })).toEqual([]);
  });
});

describe('DaemonSet rolling updates', () => {
  const ds = (rollingUpdate: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
    },
  });

  test('allow a surge or unavailability, not both and not neither', () => {
    expect(manifestProblems(ds({ maxUnavailable: 1 }))).toEqual([]);
    expect(manifestProblems(ds({ maxSurge: 1, maxUnavailable: 0 }))).toEqual([]);
    expect(manifestProblems(ds({ maxSurge: '10%', maxUnavailable: 1 }))[0].message).toMatch(/only one of them non-zero/);
    expect(manifestProblems(ds({ maxSurge: 1 }))[0].message).toMatch(/only one of them non-zero/); // maxUnavailable defaults to 1
    expect(manifestProblems(ds({ maxSurge: 0, maxUnavailable: '0%' }))[0].message).toMatch(/both zero/);
  });
});
