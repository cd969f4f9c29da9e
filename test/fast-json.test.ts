/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './util';

// The fast renderer reads private fields of cdk8s' ApiObject and assumes the App's built-in resolvers.
// These tests load the library against a cdk8s whose internals were changed the way a future release
// might change them, and check that the process notices, renders everything with toJson(), and writes
// exactly what App.synth() writes.

type Cdk8s = typeof import('cdk8s');
interface Loaded {
  readonly cdk8s: Cdk8s;
  readonly fast: typeof import('../src/kubernetes/fast-json');
  readonly synth: typeof import('../src/gitops/app-synthesizer');
  readonly build: (outdir: string) => import('cdk8s').App;
}

/** The library, cdk8s-plus-28 and cdk8s loaded afresh; `changeCdk8s` returns the changed cdk8s module. */
function load(changeCdk8s?: (real: Cdk8s) => Cdk8s): Loaded {
  let loaded: Loaded | undefined;
  jest.isolateModules(() => {
    if (changeCdk8s) jest.doMock('cdk8s', () => changeCdk8s(jest.requireActual('cdk8s')));
    const cdk8s = require('cdk8s') as Cdk8s;
    const { k8s } = require('cdk8s-plus-28') as typeof import('cdk8s-plus-28');
    const { StatefulApp } = require('../src/constructs/stateful-app/stateful-app') as typeof import('../src/constructs/stateful-app/stateful-app');
    const build = (outdir: string) => {
      const app = new cdk8s.App({ outdir });
      const chart = new cdk8s.Chart(app, 'db', { namespace: 'data', labels: { team: 'data' } });
      const db = new StatefulApp(chart, 'pg', {
        replicas: 2,
        containers: [{ name: 'pg', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }], volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql/data' }] }],
        volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }],
        clientService: {},
      });
      db.statefulSet.addJsonPatch(cdk8s.JsonPatch.add('/metadata/annotations', { patched: 'yes' }));
      new k8s.KubeConfigMap(chart, 'cfg', { metadata: { name: 'cfg' }, data: { z: '1', a: '2' } });
      return app;
    };
    loaded = {
      cdk8s,
      fast: require('../src/kubernetes/fast-json'),
      synth: require('../src/gitops/app-synthesizer'),
      build,
    };
  });
  jest.dontMock('cdk8s');
  return loaded!;
}

/** The files App.synth() writes for the test app, and the ones AppSynthesizer renders. */
function bothWays(lib: Loaded): { expected: Record<string, string>; actual: Record<string, string> } {
  const dir = tempDir('fast-json');
  lib.build(dir).synth();
  const expected = Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
  const actual = Object.fromEntries(lib.synth.AppSynthesizer.render(lib.build(tempDir('fast-json')), { kustomization: false }).map((f) => [f.fileName, f.content]));
  return { expected, actual };
}

/** Objects of the test app that the unguarded shortcut renders differently from toJson(). */
function unguardedDifferences(lib: Loaded): string[] {
  const app = lib.build(tempDir('fast-json'));
  return app.node.findAll()
    .filter((c): c is import('cdk8s').ApiObject => c instanceof lib.cdk8s.ApiObject)
    .filter((o) => JSON.stringify(lib.fast.renderFast(o)) !== JSON.stringify(o.toJson()))
    .map((o) => o.kind);
}

describe('fast rendering', () => {
  test('is on with the pinned cdk8s, and writes exactly what App.synth() writes', () => {
    const lib = load();
    expect(lib.fast.renderPath()).toEqual({ fast: true, reason: expect.stringContaining('internals as expected') });
    const { expected, actual } = bothWays(lib);
    expect(Object.keys(expected)).toEqual(['db.k8s.yaml']);
    expect(actual).toEqual(expected);
    expect(actual['db.k8s.yaml']).toContain('storage: 1Gi');
    expect(unguardedDifferences(lib)).toEqual([]);
  });

  test.each(['props', 'patches'])('falls back to toJson() when ApiObject renames its private "%s" field', (field) => {
    const lib = load((real) => {
      // A cdk8s that keeps the field under another name; its own methods still work.
      class ApiObject extends real.ApiObject {
        constructor(scope: import('constructs').Construct, id: string, props: import('cdk8s').ApiObjectProps) {
          super(scope, id, props);
          const self = this as any;
          Object.defineProperty(this, 'renamed', { value: self[field] });
          delete self[field];
        }

        public addJsonPatch(...ops: import('cdk8s').JsonPatch[]): void {
          this.withField(() => super.addJsonPatch(...ops));
        }

        public toJson(): any {
          return this.withField(() => super.toJson());
        }

        private withField<T>(fn: () => T): T {
          const self = this as any;
          self[field] = self.renamed;
          try {
            return fn();
          } finally {
            delete self[field];
          }
        }
      }
      return { ...real, ApiObject };
    });
    expect(lib.fast.renderPath()).toEqual({ fast: false, reason: expect.stringContaining(`private field "${field}"`) });
    const { expected, actual } = bothWays(lib);
    expect(actual).toEqual(expected);
    expect(actual['db.k8s.yaml']).toContain('serviceName: pg');
    expect(actual['db.k8s.yaml']).toContain('patched: "yes"');
    // Each object also falls back on its own when the field is missing (belt and braces).
    expect(unguardedDifferences(lib)).toEqual([]);
  });

  test('falls back to toJson() when the App gains a fourth built-in resolver', () => {
    const lib = load((real) => {
      // A cdk8s whose App adds a resolver of its own (here: one that mirrors images).
      class MirrorResolver {
        public resolve(context: import('cdk8s').ResolutionContext): void {
          if (context.key[context.key.length - 1] === 'image' && !String(context.value).startsWith('mirror.example/')) {
            context.replaceValue(`mirror.example/${context.value}`);
          }
        }
      }
      class App extends real.App {
        constructor(props?: import('cdk8s').AppProps) {
          super(props);
          this.resolvers.push(new MirrorResolver());
        }
      }
      return { ...real, App };
    });
    expect(lib.fast.renderPath()).toEqual({ fast: false, reason: expect.stringMatching(/resolvers \[LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver, MirrorResolver\]/) });
    const { expected, actual } = bothWays(lib);
    expect(actual).toEqual(expected);
    expect(actual['db.k8s.yaml']).toContain('image: mirror.example/postgres:16.4');
  });

  test('falls back to toJson() when toJson() renders differently but every field is where it was', () => {
    const lib = load((real) => {
      // A cdk8s that labels every object it renders: only rendering the probes both ways notices.
      class ApiObject extends real.ApiObject {
        public toJson(): any {
          const json = super.toJson();
          return { ...json, metadata: { ...json.metadata, labels: { ...json.metadata.labels, 'cdk8s.io/rendered': 'true' } } };
        }
      }
      return { ...real, ApiObject };
    });
    expect(unguardedDifferences(lib).length).toBeGreaterThan(0);
    expect(lib.fast.renderPath()).toEqual({ fast: false, reason: expect.stringMatching(/^probe \w+ renders differently from toJson\(\)/) });
    const { expected, actual } = bothWays(lib);
    expect(actual).toEqual(expected);
    expect(actual['db.k8s.yaml']).toContain('cdk8s.io/rendered: "true"');
  });

  test('is checked once per process, and can be turned off', () => {
    const previous = process.env.CDK8S_WORKLOADS_RENDER;
    try {
      process.env.CDK8S_WORKLOADS_RENDER = 'toJson';
      const off = load();
      expect(off.fast.renderPath()).toEqual({ fast: false, reason: 'CDK8S_WORKLOADS_RENDER=toJson' });
      const { expected, actual } = bothWays(off);
      expect(actual).toEqual(expected);

      delete process.env.CDK8S_WORKLOADS_RENDER;
      const on = load();
      const first = on.fast.renderPath();
      process.env.CDK8S_WORKLOADS_RENDER = 'toJson';
      expect(on.fast.renderPath()).toBe(first); // not checked again
      expect(first.fast).toBe(true);
    } finally {
      if (previous === undefined) delete process.env.CDK8S_WORKLOADS_RENDER; else process.env.CDK8S_WORKLOADS_RENDER = previous;
    }
  });
});
