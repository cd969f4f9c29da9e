import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { AppSynthesizer } from '../src';
import { readTree, tempDir } from './util';
import { renderApiObject } from '../src/fast-json';
import { StatefulApp } from '../src/stateful-app';

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
    containers: [{ name: 'myapp', image: 'ikubernetes/myapp:v1', ports: [{ number: 80, name: 'web' }], volumeMounts: [{ volume: 'data', mountPath: '/d' }] }],
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
