import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Lazy, ResolutionContext, YamlOutputType } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { AppSynthesizer } from '../src';
import { errorOf, parseYamlDocuments, readTree, tempDir } from './util';
import { StatefulApp } from '../src/constructs/stateful-app/stateful-app';
import { renderApiObject } from '../src/kubernetes/fast-json';

const readDir = (dir: string) => readTree(dir);

/** A multi-chart app with nested charts, cross-chart dependencies, Lazy values, patches and cdk8s-plus objects. */
function buildApp(outdir: string, resolvers: ConstructorParameters<typeof App>[0] = {}): App {
  const app = new App({ outdir, ...resolvers });
  const storage = new Chart(app, 'storage');
  const pv = new k8s.KubePersistentVolume(storage, 'pv', {
    metadata: { name: 'pv001', labels: { b: '2', a: '1' } },
    spec: { capacity: { storage: k8s.Quantity.fromString('2Gi') }, accessModes: ['ReadWriteOnce'], nfs: { server: 'stor01', path: '/data/volumes/v1' } },
  });
  const db = new Chart(app, 'db', { namespace: 'default', labels: { team: 'data' } });
  const sts = new StatefulApp(db, 'myapp', {
    containers: [{ name: 'myapp', image: 'ikubernetes/myapp:v1', ports: [{ number: 8080, name: 'web' }], volumeMounts: [{ volume: 'data', mountPath: '/d' }] }],
    volumeClaimTemplates: [{ name: 'data', storage: '500Mi' }],
  });
  sts.node.addDependency(pv);
  sts.statefulSet.addJsonPatch(JsonPatch.add('/metadata/annotations', { patched: 'yes' }));
  sts.statefulSet.metadata.addLabel('added', 'later');
  new k8s.KubeConfigMap(db, 'lazy', { metadata: { name: 'lazy' }, data: { value: Lazy.any({ produce: () => 'produced' }) } });
  new kplus.Deployment(db, 'plus', { containers: [{ image: 'nginx:1.25.3', portNumber: 80 }] });
  const nested = new Chart(db, 'nested');
  new k8s.KubeService(nested, 'svc', { metadata: { name: 'nested' }, spec: { ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('web') }] } });
  new ApiObject(nested, 'raw', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw' }, data: { z: '1', a: '2' } });
  return app;
}

describe('AppSynthesizer', () => {
  test('writes exactly what App.synth() writes, for a multi-chart app with dependencies', () => {
    const expected = tempDir('appsynth');
    buildApp(expected).synth();
    const actual = tempDir('ours');
    AppSynthesizer.synth(buildApp(actual), { kustomization: false });
    const want = readDir(expected);
    // Nested charts and cross-chart dependencies make cdk8s prefix file names with the apply order.
    expect(Object.keys(want)).toEqual(['0000-db-nested-c8ac957a.k8s.yaml', '0001-storage.k8s.yaml', '0002-db.k8s.yaml']);
    expect(readDir(actual)).toEqual(want);
  });

  test('renders every object as toJson() would, including patches, Lazy values and foreign objects', () => {
    const app = buildApp(tempDir('render'));
    const objects = app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    expect(objects.length).toBeGreaterThan(6);
    for (const o of objects) expect(JSON.stringify(renderApiObject(o))).toBe(JSON.stringify(o.toJson()));
  });

  test('writes what App.synth() writes for charts without dependencies, in tree order', () => {
    const build = (outdir: string) => {
      const app = new App({ outdir });
      for (const id of ['b', 'a', 'c']) {
        new StatefulApp(new Chart(app, id, { namespace: id }), 'db', {
          containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }] }],
          labels: { zeta: '1', alpha: '2' },
        });
      }
      return app;
    };
    const expected = tempDir('plain-appsynth');
    build(expected).synth();
    const actual = tempDir('plain-ours');
    AppSynthesizer.synth(build(actual), { kustomization: false });
    expect(Object.keys(readDir(expected))).toEqual(['a.k8s.yaml', 'b.k8s.yaml', 'c.k8s.yaml']);
    expect(readDir(actual)).toEqual(readDir(expected));
  });

  test('honours custom resolvers by falling back to toJson()', () => {
    const upper = { resolve: (ctx: ResolutionContext) => { if (ctx.value === 'pv001') ctx.replaceValue('PV001'); } };
    const app = buildApp(tempDir('resolvers'), { resolvers: [upper] });
    const pv = app.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === 'PersistentVolume')!;
    expect(renderApiObject(pv).metadata.name).toBe('PV001');
  });

  test('adds a kustomization listing the chart files in apply order', () => {
    const files = AppSynthesizer.render(buildApp(tempDir('k')));
    expect(files.map((f) => f.fileName)).toEqual(['0000-db-nested-c8ac957a.k8s.yaml', '0001-storage.k8s.yaml', '0002-db.k8s.yaml', 'kustomization.yaml']);
    expect(files[3].content).toBe('apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - 0000-db-nested-c8ac957a.k8s.yaml\n  - 0001-storage.k8s.yaml\n  - 0002-db.k8s.yaml\n');
  });

  test('writes nothing when validation fails; removes only chart files an earlier synthesis wrote', () => {
    const out = tempDir('fail');
    fs.writeFileSync(path.join(out, 'hand-written.k8s.yaml'), 'kind: ConfigMap');
    fs.writeFileSync(path.join(out, 'notes.txt'), 'keep');
    const app = buildApp(out);
    app.node.addValidation({ validate: () => ['broken on purpose'] });
    expect(() => AppSynthesizer.synth(app)).toThrow(/\[\] broken on purpose/);
    expect(readDir(out)).toEqual({ 'hand-written.k8s.yaml': 'kind: ConfigMap', 'notes.txt': 'keep' });

    // A first synthesis with an extra chart, then one without it: the extra chart's file goes, the user's stay.
    const withExtra = buildApp(out);
    new Chart(withExtra, 'extra').node.addDependency(withExtra.node.findChild('db'));
    new k8s.KubeConfigMap(withExtra.node.findChild('extra') as Chart, 'cm', { metadata: { name: 'extra' } });
    AppSynthesizer.synth(withExtra);
    expect(Object.keys(readDir(out))).toEqual(expect.arrayContaining(['0003-extra.k8s.yaml', 'hand-written.k8s.yaml', 'notes.txt']));
    const result = AppSynthesizer.synth(buildApp(out));
    expect(result.change.removed).toEqual(['0003-extra.k8s.yaml']);
    expect(Object.keys(readDir(out))).toEqual([
      '0000-db-nested-c8ac957a.k8s.yaml', '0001-storage.k8s.yaml', '0002-db.k8s.yaml', 'hand-written.k8s.yaml', 'kustomization.yaml', 'notes.txt',
    ]);
  });
});

describe('AppSynthesizer output layouts match App.synth()', () => {
  /** Two independent charts and one with a dependency, so the indexed names appear too. */
  function layoutApp(outdir: string, props: { yamlOutputType: YamlOutputType; outputFileExtension?: string; dependant?: boolean }): App {
    const app = new App({ outdir, yamlOutputType: props.yamlOutputType, outputFileExtension: props.outputFileExtension });
    const a = new Chart(app, 'alpha', { namespace: 'alpha' });
    new k8s.KubeConfigMap(a, 'one', { metadata: { name: 'one' }, data: { k: 'v' } });
    new k8s.KubeService(a, 'svc', { metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } });
    const b = new Chart(app, 'beta', { namespace: 'beta' });
    new k8s.KubeConfigMap(b, 'two', { metadata: { name: 'two' } });
    if (props.dependant) a.addDependency(b);
    return app;
  }

  const cases: Array<[string, YamlOutputType, string | undefined, boolean]> = [
    ['FILE_PER_APP', YamlOutputType.FILE_PER_APP, undefined, false],
    ['FILE_PER_CHART', YamlOutputType.FILE_PER_CHART, '.yaml', false],
    ['FILE_PER_CHART with dependencies', YamlOutputType.FILE_PER_CHART, undefined, true],
    ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE, undefined, true],
    ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, '.yml', false],
    ['FOLDER_PER_CHART_FILE_PER_RESOURCE with dependencies', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE, undefined, true],
  ];
  test.each(cases)('%s: same file names and bytes, kustomization lists them in order', (_, yamlOutputType, outputFileExtension, dependant) => {
    const expected = tempDir('layout-cdk8s');
    layoutApp(expected, { yamlOutputType, outputFileExtension, dependant }).synth();
    const actual = tempDir('layout-ours');
    const result = AppSynthesizer.synth(layoutApp(actual, { yamlOutputType, outputFileExtension, dependant }));
    const { ['kustomization.yaml']: kustomization, ...manifests } = readDir(actual);
    expect(manifests).toEqual(readDir(expected));
    expect(Object.keys(manifests).length).toBeGreaterThan(0);
    expect(parseYamlDocuments(kustomization)[0].resources).toEqual(result.files.map((f) => f.fileName).filter((f) => f !== 'kustomization.yaml'));
  });

  test('FILE_PER_RESOURCE refuses two objects that cdk8s would write to one file (the first would be lost)', () => {
    const app = new App({ outdir: tempDir('collide'), yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    new k8s.KubeConfigMap(new Chart(app, 'a', { namespace: 'a' }), 'cm', { metadata: { name: 'settings' } });
    new k8s.KubeConfigMap(new Chart(app, 'b', { namespace: 'b' }), 'cm', { metadata: { name: 'settings' } });
    expect(() => AppSynthesizer.render(app)).toThrow(/two objects would be written to "ConfigMap\.settings\.k8s\.yaml" \(same kind and name\); cdk8s would keep only the last one/);
  });
});

describe('AppSynthesizer keeps what it did not write', () => {
  function webApp(outdir: string, charts: string[] = ['web', 'db']): App {
    const app = new App({ outdir });
    for (const id of charts) new k8s.KubeConfigMap(new Chart(app, id, { namespace: 'default' }), 'cm', { metadata: { name: id } });
    return app;
  }

  test('merges a user-edited kustomization: fields, comments and added resources stay, removed charts leave the list', () => {
    const out = tempDir('kust');
    AppSynthesizer.synth(webApp(out));
    fs.writeFileSync(path.join(out, 'sealed-secret.yaml'), 'kind: SealedSecret\n');
    fs.writeFileSync(path.join(out, 'kustomization.yaml'), [
      '# team overlay: keep this comment',
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'commonAnnotations:',
      '  team: platform',
      'resources:',
      '  - web.k8s.yaml',
      '  - sealed-secret.yaml',
      '  - db.k8s.yaml',
      'patches:',
      '  - path: replicas.yaml',
      '',
    ].join('\n'));
    const result = AppSynthesizer.synth(webApp(out, ['web', 'cache']));
    const text = fs.readFileSync(path.join(out, 'kustomization.yaml'), 'utf8');
    expect(text).toContain('# team overlay: keep this comment');
    // The result gives the kustomization as written (merged), not as generated.
    expect(result.files.find((f) => f.fileName === 'kustomization.yaml')?.content).toBe(text);
    const k = parseYamlDocuments(text)[0];
    expect(k).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      commonAnnotations: { team: 'platform' },
      resources: ['web.k8s.yaml', 'cache.k8s.yaml', 'sealed-secret.yaml'],
      patches: [{ path: 'replicas.yaml' }],
    });
    expect(readDir(out)['sealed-secret.yaml']).toBe('kind: SealedSecret\n');
    expect(Object.keys(readDir(out))).not.toContain('db.k8s.yaml');
  });

  test('an existing kustomization that no synthesis wrote is merged into too', () => {
    const out = tempDir('kust-first');
    fs.writeFileSync(path.join(out, 'kustomization.yaml'), 'resources:\n  - argocd-app.yaml\nnamePrefix: prod-\n');
    AppSynthesizer.synth(webApp(out));
    expect(parseYamlDocuments(fs.readFileSync(path.join(out, 'kustomization.yaml'), 'utf8'))[0]).toEqual({
      resources: ['web.k8s.yaml', 'db.k8s.yaml', 'argocd-app.yaml'],
      namePrefix: 'prod-',
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
    });
  });

  test('with outputFileExtension .yaml, the user\'s own .yaml files are kept', () => {
    const out = tempDir('ext');
    fs.writeFileSync(path.join(out, 'argocd-app.yaml'), 'kind: Application\n');
    fs.writeFileSync(path.join(out, 'flux-kustomization.yaml'), 'kind: Kustomization\n');
    const build = () => {
      const app = new App({ outdir: out, outputFileExtension: '.yaml' });
      new k8s.KubeConfigMap(new Chart(app, 'web'), 'cm', { metadata: { name: 'web' } });
      return app;
    };
    AppSynthesizer.synth(build());
    AppSynthesizer.synth(build());
    expect(Object.keys(readDir(out))).toEqual(['argocd-app.yaml', 'flux-kustomization.yaml', 'kustomization.yaml', 'web.yaml']);
  });

  test('a kustomization that is not a YAML mapping fails the synthesis and nothing changes', () => {
    const out = tempDir('kust-bad');
    fs.writeFileSync(path.join(out, 'kustomization.yaml'), '- just\n- a list\n');
    expect(() => AppSynthesizer.synth(webApp(out))).toThrow(/kustomization\.yaml is not a YAML mapping/);
    expect(readTree(out, { ledger: true })).toEqual({ 'kustomization.yaml': '- just\n- a list\n' });
  });

  test('cliOutdir receives the manifests without kustomization or ledger', () => {
    const out = tempDir('git');
    const cli = path.join(tempDir('cli'), 'cdk8s.out');
    AppSynthesizer.synth(webApp(out), { cliOutdir: cli });
    expect(readTree(cli, { ledger: true })).toEqual({ 'web.k8s.yaml': readDir(out)['web.k8s.yaml'], 'db.k8s.yaml': readDir(out)['db.k8s.yaml'] });
  });
});

describe('AppSynthesizer checks the final manifests before writing', () => {
  test('an escape hatch that breaks an API-server rule fails the synthesis, naming the construct, and writes nothing', () => {
    const out = tempDir('hatch');
    fs.writeFileSync(path.join(out, 'notes.txt'), 'keep');
    const app = new App({ outdir: out });
    const chart = new Chart(app, 'web');
    const cm = new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'web' } });
    cm.addJsonPatch(JsonPatch.add('/metadata/name', 'Web_1'), JsonPatch.add('/data', { replicas: 3 }));
    const message = errorOf(() => AppSynthesizer.synth(app));
    expect(message).toMatch(/nothing was written/);
    expect(message).toMatch(/\[web\/cm\] ConfigMap Web_1: metadata\.name/);
    expect(message).toMatch(/\[web\/cm\] ConfigMap Web_1: data\.replicas must be string, got integer/);
    expect(readTree(out, { ledger: true })).toEqual({ 'notes.txt': 'keep' });
  });

  test('the policy option fails the synthesis on a policy error before anything is written', () => {
    const out = tempDir('policy');
    const build = (hostPID: boolean) => {
      const app = new App({ outdir: out });
      new k8s.KubePod(new Chart(app, 'raw', { namespace: 'default' }), 'pod', {
        metadata: { name: 'debug' },
        spec: {
          hostPid: hostPID,
          automountServiceAccountToken: false,
          containers: [{
            name: 'sh',
            image: 'busybox:1.36.1',
            resources: { requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') }, limits: { memory: k8s.Quantity.fromString('16Mi') } },
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 65532,
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
              seccompProfile: { type: 'RuntimeDefault' },
            },
          }],
        },
      });
      return app;
    };
    expect(errorOf(() => AppSynthesizer.synth(build(true), { policy: {} }))).toMatch(/^The policy found 1 error\(s\) \(nothing was written\):\n {2}error host-pid Pod default\/debug/);
    expect(readTree(out, { ledger: true })).toEqual({});
    const result = AppSynthesizer.synth(build(false), { policy: {} });
    expect(Object.keys(readTree(out))).toEqual(['kustomization.yaml', 'raw.k8s.yaml']);
    expect(result.policyFindings.length).toBeGreaterThan(0); // warnings (no probes, no limits) are reported, not fatal
  });
});
