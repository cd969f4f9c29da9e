import * as fs from 'fs';
import * as path from 'path';
import { packedPackage, PlusLine, readmeSetup, UserProject, userProject } from './support/user-project';
import { Manifest, only, parseYamlDocuments, tempDir, validateManifests } from './util';

// The library as a cdk8s user meets it today: built per cdk8s-plus line (projenrc/plus-line.js), installed
// into an app made like `cdk8s init typescript-app` makes it (TypeScript 5.9 through ts-node, @types/node 14,
// the template's own tsconfig) and into one on the newest TypeScript, both strict with skipLibCheck false,
// with cdk8s-plus objects that take the library's workloads. The setup is what README.md says, read from it.

const ROOT = path.join(__dirname, '..');
const TEMPLATE = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
const APP = fs.readFileSync(path.join(__dirname, 'fixtures', 'toolchains', 'main.ts.txt'), 'utf8');

type Line = PlusLine;
/** The app's source for a line: the fixture names the cdk8s-plus-33 line's packages. */
function appFor(line: Line): string {
  return line === '33' ? APP : APP.replace(/'cdk8s-plus-33'/g, '\'cdk8s-plus-28\'').replace(/'cdk8s-workloads-plus-33'/g, '\'cdk8s-workloads\'');
}

const tarballs: Partial<Record<Line, string>> = {};

beforeAll(() => {
  for (const line of ['28', '33'] as const) tarballs[line] = packedPackage(line).tarball; // once per run
}, 300_000);

function synthesised(project: UserProject): Manifest[] {
  return parseYamlDocuments(fs.readFileSync(path.join(project.dir, 'dist', 'interop.k8s.yaml'), 'utf8'));
}

/** What the fixture asks of cdk8s-plus and the library, checked in the manifests the app wrote. */
function expectInterop(docs: Manifest[]): void {
  validateManifests(docs);
  const policy = only(docs, 'NetworkPolicy');
  const statefulSet = only(docs, 'StatefulSet', 'db');
  const deployment = only(docs, 'Deployment', 'web');
  expect(policy.spec.podSelector).toEqual({ matchLabels: statefulSet.spec.selector.matchLabels });
  expect(policy.spec.ingress[0].from[0].podSelector).toEqual({ matchLabels: deployment.spec.selector.matchLabels });
  expect(policy.spec.ingress[0].ports).toEqual([{ port: 5432, protocol: 'TCP' }]);
  expect(only(docs, 'HorizontalPodAutoscaler').spec).toMatchObject({
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 5,
  });
  expect(deployment.spec).not.toHaveProperty('replicas'); // the autoscaler owns it
  expect(statefulSet.spec.template.spec.containers[0].env).toEqual([
    { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
  ]);
  expect(only(docs, 'Secret', 'db-credentials').metadata.namespace).toBe('shop');
}

describe('an app made like cdk8s init makes it: TypeScript 5.9 through ts-node, @types/node 14, the template tsconfig', () => {
  const setup = readmeSetup('init');

  test('the README\'s setup pins what the cdk8s init template pins', () => {
    const template = JSON.parse(fs.readFileSync(path.join(TEMPLATE, 'package.json'), 'utf8'));
    const wanted: Record<string, string> = { ...template.devDependencies, ...template.dependencies };
    const pinned = Object.fromEntries(setup.packages.map((p) => [p.name, p.version]));
    expect(Object.keys(pinned).sort()).toEqual(['@types/node', 'cdk8s-plus-33', 'ts-node', 'typescript']);
    // The template says `5.9.x`, `^10`, `^14`, `^{{ cdk8s_plus_version }}`: the README's versions are in those ranges.
    expect(wanted.typescript).toBe('5.9.x');
    expect(pinned.typescript).toMatch(/^5\.9\.\d+$/);
    expect(wanted['ts-node']).toBe('^10');
    expect(pinned['ts-node']).toMatch(/^10\./);
    expect(wanted['@types/node']).toBe('^14');
    expect(pinned['@types/node']).toMatch(/^14\./);
    expect(Object.keys(wanted)).toContain('cdk8s-plus-33');
  });

  test('the README installs the tarball that `npx projen line:plus-33` writes', () => {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    const task = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks['line:plus-33'].steps[0].exec;
    expect(task).toBe('node projenrc/plus-line.js 33 --pack lines/cdk8s-plus-33');
    const written = `lines/cdk8s-plus-33/${path.basename(tarballs['33']!)}`.replace(version, '<version>');
    expect(setup.tarball).toBe(`../cdk8s-workloads/${written}`);
    expect(readmeSetup('newest').tarball).toBe(setup.tarball);
  });

  test('with the cdk8s-plus-33 line, `cdk8s synth` type-checks (ts-node) and runs the app; interop works', async () => {
    const project = userProject(tempDir('toolchain-init'), { toolchain: 'init', line: '33', mainTs: appFor('33') });
    const tsconfig = JSON.parse(fs.readFileSync(path.join(project.dir, 'tsconfig.json'), 'utf8'));
    expect(tsconfig).toEqual(JSON.parse(fs.readFileSync(path.join(TEMPLATE, 'tsconfig.json'), 'utf8')));
    expect(tsconfig.compilerOptions).toMatchObject({ lib: ['es2016'], strict: true });
    expect(tsconfig.compilerOptions).not.toHaveProperty('skipLibCheck');
    expect(fs.readFileSync(path.join(project.dir, 'cdk8s.yaml'), 'utf8')).toMatch(/^app: npx ts-node main\.ts$/m);
    expect((await project.run('ts-node', ['-vv'])).output).toMatch(/ts-node v10\.9\.2[\s\S]*compiler v5\.9\.3/);
    const synth = await project.cdk8s(['synth', '--no-check-upgrade']);
    expect({ status: synth.status, output: synth.output }).toEqual({ status: 0, output: expect.stringContaining('interop.k8s.yaml') });
    expectInterop(synthesised(project));
  }, 180_000);

  test('ts-node really type-checks here: a misspelt prop stops the synthesis', async () => {
    const project = userProject(tempDir('toolchain-init-typo'), { toolchain: 'init', line: '33', mainTs: appFor('33').replace('minReplicas: 2', 'minReplica: 2') });
    const synth = await project.cdk8s(['synth', '--no-check-upgrade']);
    expect(synth.status).not.toBe(0);
    expect(synth.output).toContain('minReplica');
  }, 180_000);
});

describe('an app on the newest TypeScript and @types/node, compiled with tsc, then run', () => {
  const setup = readmeSetup('newest');
  const rendered: Partial<Record<Line, Manifest[]>> = {};

  test('the README states @types/node and "types": ["node"], strict, skipLibCheck false', () => {
    expect(setup.packages.map((p) => p.name).sort()).toEqual(['@types/node', 'cdk8s-plus-33', 'typescript']);
    expect(setup.packages.find((p) => p.name === 'typescript')!.version).toMatch(/^7\./);
    expect(setup.tsconfig?.compilerOptions).toMatchObject({ strict: true, skipLibCheck: false, types: ['node'] });
  });

  type Built = { project: UserProject; compile: { status: number | null; output: string } };
  /** The cdk8s-plus-28 line: the same setup with cdk8s-plus-28 in place of cdk8s-plus-33 (which the template keeps). */
  async function newest(line: Line, mainTs = appFor(line)): Promise<Built> {
    const project = userProject(tempDir(`toolchain-newest-${line}`), { toolchain: 'newest', line, mainTs });
    expect(JSON.parse(fs.readFileSync(path.join(project.dir, 'tsconfig.json'), 'utf8'))).toEqual(setup.tsconfig);
    expect(fs.readFileSync(path.join(project.dir, 'cdk8s.yaml'), 'utf8')).toMatch(/^app: npx tsc && node main\.js$/m);
    expect((await project.run('tsc', ['--version'])).output).toContain('Version 7.');
    const { status, output } = await project.run('tsc', ['-p', '.']);
    return { project, compile: { status, output } };
  }

  test.each(['33', '28'] as const)('with the cdk8s-plus-%s line it compiles, synthesises, and interop works', async (line) => {
    const { project, compile } = await newest(line);
    expect(compile).toEqual({ status: 0, output: '' });
    const synth = await project.cdk8s(['synth', '--no-check-upgrade']);
    expect(synth.status).toBe(0);
    rendered[line] = synthesised(project);
    expectInterop(rendered[line]!);
  }, 180_000);

  test('both lines render the same manifests, field for field', () => {
    expect(rendered['28']).toBeDefined();
    expect(rendered['33']).toEqual(rendered['28']);
  });

  test('why the lines exist: the cdk8s-plus-28 line does not type-check with cdk8s-plus-33 objects', async () => {
    const mixed = appFor('28').replace(/'cdk8s-plus-28'/, '\'cdk8s-plus-33\'');
    const { compile } = await newest('28', mixed);
    expect(compile.status).not.toBe(0);
    expect(compile.output).toMatch(/private property|types have separate declarations of a private property/);
  }, 180_000);
});
