import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Names } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { tempDir } from './util';
import { AppSynthesizer } from '../src';
import { StatefulApp } from '../src/constructs/stateful-app/stateful-app';

// AppSynthesizer skips cdk8s' dependency graph when the tree order is the graph's order anyway.
// Each case here is one where a shortcut could get the order wrong; App.synth() is the reference.

function appSynthFiles(build: (app: App) => void): Record<string, string> {
  const dir = tempDir('order-appsynth');
  const app = new App({ outdir: dir });
  build(app);
  app.synth();
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** Our files, checked to come in the order of cdk8s' `app.charts` (topologically sorted). */
function ourFiles(build: (app: App) => void): Record<string, string> {
  const app = new App({ outdir: tempDir('order-ours') });
  build(app);
  const files = AppSynthesizer.render(app, { kustomization: false });
  const bare = (f: string) => f.replace(/^\d{4}-/, '');
  expect(files.map((f) => bare(f.fileName))).toEqual(app.charts.map((c) => `${Names.toDnsLabel(c)}.k8s.yaml`));
  return Object.fromEntries(files.map((f) => [f.fileName, f.content]));
}

const configMap = (scope: Chart, id: string, extra: Record<string, string> = {}) =>
  new k8s.KubeConfigMap(scope, id, { metadata: { name: id }, data: { id, ...extra } });

describe('AppSynthesizer render order', () => {
  test('integer-like chart ids come first, as in cdk8s\' graph', () => {
    const build = (app: App) => {
      for (const id of ['web', '10', 'db', '9']) configMap(new Chart(app, id), `cm-${id}`);
    };
    const expected = appSynthFiles(build);
    expect(Object.keys(expected)).toEqual(['10.k8s.yaml', '9.k8s.yaml', 'db.k8s.yaml', 'web.k8s.yaml']);
    expect(ourFiles(build)).toEqual(expected);
  });

  test('objects of a chart are ordered by their dependencies', () => {
    const build = (app: App) => {
      const chart = new Chart(app, 'deps');
      const late = configMap(chart, 'late');
      const early = configMap(chart, 'early');
      const middle = configMap(chart, 'middle');
      late.addDependency(middle);
      middle.addDependency(early);
      configMap(new Chart(app, 'plain'), 'alone');
    };
    const expected = appSynthFiles(build);
    const names = [...expected['deps.k8s.yaml'].matchAll(/^ {2}name: (\S+)$/gm)].map((m) => m[1]);
    expect(names).toEqual(['early', 'middle', 'late']);
    expect(ourFiles(build)).toEqual(expected);
  });

  test('many charts without dependencies keep tree order, and nested charts keep their own objects', () => {
    const build = (app: App) => {
      for (let i = 0; i < 30; i++) {
        const chart = new Chart(app, `tenant-${(i * 7) % 30}`, { namespace: `ns${i}` });
        new StatefulApp(chart, 'db', { containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }] }] });
      }
      const outer = new Chart(app, 'outer');
      configMap(outer, 'outer-cm');
      const inner = new Chart(outer, 'inner');
      new ApiObject(inner, 'raw', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'inner-cm' } });
    };
    const expected = appSynthFiles(build);
    const actual = ourFiles(build);
    expect(Object.keys(actual)).toHaveLength(32);
    expect(actual).toEqual(expected);
    const outer = Object.entries(actual).find(([f]) => f.endsWith('-outer.k8s.yaml'))![1];
    expect(outer).toContain('name: outer-cm');
    expect(outer).not.toContain('inner-cm');
  });
});
