import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { nonRootSkipReason, nonRootUser } from './support/non-root';
import { CliRun, packedPackage, UserProject, userProject } from './support/user-project';
import { LEDGER, parseYamlDocuments, readTree, tempDir } from './util';

// docs/gitops.md's promises in a user's own project, made the way `cdk8s init typescript-app` makes it, with the
// packed tarball installed and driven through the real cdk8s CLI, offline: cdk8s init's layout (no `output:`, so
// the CLI deletes dist/ before the app runs), the README's layout (`output: cdk8s.out`), a symlinked dist/, a
// writable dist/ under a read-only parent (as a non-root user), and two synths at once.

/** The README's synth line; the APP_* variables stand for a user's edits between two synths. */
const MAIN = `import { App, Chart } from 'cdk8s';
import { AppSynthesizer, StatefulApp } from 'cdk8s-workloads';

const app = new App();
if (process.env.APP_THROWS) throw new Error('a bug in the app');
const chart = new Chart(app, 'data', { namespace: 'default' });
new StatefulApp(chart, 'db', {
  replicas: Number(process.env.APP_REPLICAS ?? '1'),
  containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }] }],
  volumeClaimTemplates: [{ name: 'data', storage: process.env.APP_CLAIM_SIZE ?? '1Gi' }],
});
AppSynthesizer.synth(app, { outdir: process.env.APP_OUTDIR ?? 'dist', cliOutdir: process.env.CDK8S_OUTDIR, policy: {} });
`;

// The package, packed once per run (the projects below install it).
beforeAll(() => packedPackage(), 300_000);

/** The projects (by directory) this file made. */
const projects = new Map<string, UserProject>();

/**
 * A fresh project (readable by every user, for the non-root case) with the app above. ts-node transpiles only:
 * type-checking the app is test/toolchains.test.ts's subject, and costs seconds per synthesis.
 */
function project(layout: 'init' | 'readme' = 'init'): string {
  const parent = tempDir('user-project');
  fs.chmodSync(parent, 0o755);
  const made = userProject(path.join(parent, 'my-app'), { layout, mainTs: MAIN, packages: ['kubernetes-models'], typeCheck: false });
  projects.set(made.dir, made);
  return made.dir;
}

const cdk8s = (dir: string, args: string[], options?: Parameters<UserProject['cdk8s']>[1]) => projects.get(dir)!.cdk8s(args, options);
const synth = (dir: string, env: Record<string, string> = {}, ...args: string[]) => cdk8s(dir, ['synth', ...args], { env });
const tree = (dir: string) => readTree(dir, { ledger: true });
const git = (dir: string, ...args: string[]) => {
  const result = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, encoding: 'utf8' });
  expect(result.status === 0 ? '' : `git ${args.join(' ')}: ${result.stderr}`).toBe('');
  return result.stdout;
};

function expectSucceeded(run: CliRun): void {
  expect(run.status === 0 ? '' : run.stderr).toBe('');
}

/** The synthesis failed, saying `message` on stderr, and `dir` holds exactly `expected` (nothing was written). */
function expectRefused(run: CliRun, message: string | RegExp, dir: string, expected: Record<string, string>): void {
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(message);
  expect(tree(dir)).toEqual(expected);
}

/** The ledger lists exactly the synthesised files and their hashes. */
function expectValidLedger(dist: string): void {
  const files = tree(dist);
  const listed = files[LEDGER].trimEnd().split('\n').map((l) => l.split('  '));
  for (const [hash, name] of listed) expect(createHash('sha256').update(files[name] ?? '(missing)').digest('hex')).toBe(hash);
  expect(listed.map(([, name]) => name).sort()).toEqual(['data.k8s.yaml', 'kustomization.yaml']);
}

const IMMUTABLE = /spec\.volumeClaimTemplates\[0\]\.spec\.resources\.requests\.storage: "1Gi" -> "2Gi"/;

describe('cdk8s init\'s layout (no output: in cdk8s.yaml; the CLI deletes dist/ before the app runs)', () => {
  let dir: string;
  let dist: string;
  let first: Record<string, string>;
  let firstRun: CliRun;

  beforeAll(async () => {
    dir = project();
    dist = path.join(dir, 'dist');
    // A GitOps repository commits dist/, which the template's .gitignore leaves out.
    const ignored = fs.readFileSync(path.join(dir, '.gitignore'), 'utf8');
    expect(ignored).toContain('dist/\n');
    fs.writeFileSync(path.join(dir, '.gitignore'), ignored.replace('dist/\n', ''));
    git(dir, 'init', '-q');
    firstRun = await synth(dir);
    first = tree(dist);
  }, 120_000);

  test('the synthesis writes dist/ with a valid ledger and says what the layout cannot keep, with the one-line fix', () => {
    expectSucceeded(firstRun);
    expect(Object.keys(first).sort()).toEqual([LEDGER, 'data.k8s.yaml', 'kustomization.yaml']);
    expectValidLedger(dist);
    expect(firstRun.stderr).toContain('To keep every file, add `output: cdk8s.out` to cdk8s.yaml');
  });

  test('an immutable edit (claim template 1Gi -> 2Gi) is refused against the previous output; dist/ stays as it was', async () => {
    const run = await synth(dir, { APP_CLAIM_SIZE: '2Gi' });
    expectRefused(run, IMMUTABLE, dist, first);
  }, 120_000);

  test('an app that throws leaves dist/ as it was', async () => {
    const run = await synth(dir, { APP_THROWS: '1' });
    expectRefused(run, 'a bug in the app', dist, first);
  }, 120_000);

  test('committed files the synthesis did not write survive the CLI\'s deletion', async () => {
    fs.writeFileSync(path.join(dist, 'notes.txt'), 'runbook\n');
    git(dir, 'add', 'dist', 'main.ts', '.gitignore');
    git(dir, 'commit', '-q', '-m', 'dist');
    const run = await synth(dir, { APP_REPLICAS: '2' });
    expectSucceeded(run);
    expect(tree(dist)['notes.txt']).toBe('runbook\n');
    expect(parseYamlDocuments(tree(dist)['data.k8s.yaml']).find((d) => d.kind === 'StatefulSet')!.spec.replicas).toBe(2);
    expectValidLedger(dist);
  }, 120_000);

  test('a fresh clone (no state copy on this machine): an app that throws leaves the committed dist/; the guard compares with it', async () => {
    fs.rmSync(path.join(dir, 'node_modules', '.cache'), { recursive: true, force: true });
    git(dir, 'checkout', '-q', '--', 'dist');
    const committed = tree(dist);
    const throws = await synth(dir, { APP_THROWS: '1' });
    expect(throws.status).not.toBe(0);
    expect(tree(dist)).toEqual(committed);
    fs.rmSync(path.join(dir, 'node_modules', '.cache'), { recursive: true, force: true });
    const run = await synth(dir, { APP_CLAIM_SIZE: '2Gi' });
    expectRefused(run, IMMUTABLE, dist, committed);
  }, 120_000);

  test('--stdout prints the new manifests and leaves dist/ untouched', async () => {
    const before = tree(dist);
    const run = await synth(dir, { APP_REPLICAS: '5' }, '--stdout');
    expectSucceeded(run);
    expect(parseYamlDocuments(run.stdout).find((d) => d.kind === 'StatefulSet')!.spec.replicas).toBe(5);
    expect(tree(dist)).toEqual(before);
  }, 120_000);

  test('--format helm into dist/ itself fails with the fix; dist/ keeps its content (beside the CLI\'s Chart.yaml and README.md)', async () => {
    const before = tree(dist);
    const run = await synth(dir, {}, '--format', 'helm', '--chart-version', '1.0.0');
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('Give the chart a directory of its own: `cdk8s synth --format helm --chart-version <v> --output chart`');
    const after = tree(dist);
    expect(Object.keys(after).filter((f) => !(f in before))).toEqual(['Chart.yaml', 'README.md']);
    for (const [f, content] of Object.entries(before)) expect(after[f]).toBe(content);
  }, 120_000);
});

describe('the README\'s layout (output: cdk8s.out)', () => {
  let dir: string;
  let dist: string;

  beforeAll(() => {
    dir = project('readme');
    dist = path.join(dir, 'dist');
    fs.mkdirSync(dist);
    fs.writeFileSync(path.join(dist, 'notes.txt'), 'runbook\n');
  });

  test('foreign files survive, a failing app changes nothing, --stdout and --format helm leave dist/ untouched', async () => {
    expectSucceeded(await synth(dir));
    const written = tree(dist);
    expect(written['notes.txt']).toBe('runbook\n');
    expectValidLedger(dist);

    const throws = await synth(dir, { APP_THROWS: '1' });
    expect(throws.status).not.toBe(0);
    expect(tree(dist)).toEqual(written);

    const [stdout, helm] = await Promise.all([
      synth(dir, { APP_REPLICAS: '5' }, '--stdout'),
      synth(dir, { APP_REPLICAS: '5' }, '--format', 'helm', '--chart-version', '1.0.0', '--output', 'chart'),
    ]);
    expectSucceeded(stdout);
    expectSucceeded(helm);
    expect(parseYamlDocuments(stdout.stdout).find((d) => d.kind === 'StatefulSet')!.spec.replicas).toBe(5);
    expect(parseYamlDocuments(readTree(path.join(dir, 'chart'))['templates/data.k8s.yaml']).find((d) => d.kind === 'StatefulSet')!.spec.replicas).toBe(5);
    expect(tree(dist)).toEqual(written);
  }, 180_000);

  test('two synths at once (the 60-round test is in output-directory.test.ts): each completes or fails at once naming the other; dist/ is never corrupt', async () => {
    const runs = await Promise.all([4, 5].map((replicas) => synth(dir, { APP_REPLICAS: String(replicas) })));
    for (const run of runs) {
      if (run.status !== 0) expect(run.stderr).toMatch(/another synthesis is writing it \(process \d+ on [^,]+, since [^;]+; lock \S+\)\. Nothing was written;/);
    }
    expect(runs.some((r) => r.status === 0)).toBe(true);
    expect(tree(dist)['notes.txt']).toBe('runbook\n');
    expectValidLedger(dist);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.dist.'))).toEqual([]);
  }, 180_000);
});

test('dist being a file (ENOTDIR) fails naming the path, the attempt and the fix, without a stack trace of the library', async () => {
  const dir = project('readme');
  fs.writeFileSync(path.join(dir, 'dist'), 'not a folder\n');
  const run = await synth(dir);
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain(`${path.join(dir, 'dist')}: the output directory is a file, not a folder; move or delete the file, `
    + 'or synthesise into another directory (outdir)');
  expect(run.stderr).not.toMatch(/^\s+at .*cdk8s-workloads/m);
  expect(fs.readFileSync(path.join(dir, 'dist'), 'utf8')).toBe('not a folder\n');
}, 120_000);

test('a symlinked dist/ stays a link; its target gets the new output', async () => {
  const dir = project('readme');
  const target = path.join(path.dirname(dir), 'shared', 'manifests');
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(path.join(target, 'notes.txt'), 'runbook\n');
  fs.symlinkSync('../shared/manifests', path.join(dir, 'dist'));
  expectSucceeded(await synth(dir));
  expect(fs.lstatSync(path.join(dir, 'dist')).isSymbolicLink()).toBe(true);
  expect(Object.keys(tree(target)).sort()).toEqual([LEDGER, 'data.k8s.yaml', 'kustomization.yaml', 'notes.txt']);
  expectValidLedger(target);
  expect(fs.readdirSync(path.dirname(target))).toEqual(['manifests']);
}, 120_000);

(nonRootUser ? test : test.skip)(`a writable dist/ under a read-only parent is written in place, as a non-root user${nonRootUser ? '' : ` (skipped: ${nonRootSkipReason})`}`, async () => {
  const user = nonRootUser!;
  const dir = project('readme');
  // The user owns the project; the GitOps checkout is mounted read-only, with its dist/ writable.
  for (const file of [dir, ...fs.readdirSync(dir).filter((f) => f !== 'node_modules').map((f) => path.join(dir, f))]) user.own(file);
  user.own(path.join(dir, 'node_modules'));
  const mount = path.join(dir, 'gitops');
  const dist = path.join(mount, 'dist');
  fs.mkdirSync(dist, { recursive: true });
  fs.writeFileSync(path.join(dist, 'notes.txt'), 'runbook\n');
  user.own(dist);
  fs.chmodSync(mount, 0o555);
  const env = { APP_OUTDIR: 'gitops/dist' };
  const run = await cdk8s(dir, ['synth'], { user, env });
  expectSucceeded(run);
  expect(Object.keys(tree(dist)).sort()).toEqual([LEDGER, 'data.k8s.yaml', 'kustomization.yaml', 'notes.txt']);
  expectValidLedger(dist);
  expect(fs.readdirSync(mount)).toEqual(['dist']);
  const again = await cdk8s(dir, ['synth'], { user, env: { ...env, APP_REPLICAS: '3' } });
  expectSucceeded(again);
  expect(parseYamlDocuments(tree(dist)['data.k8s.yaml']).find((d) => d.kind === 'StatefulSet')!.spec.replicas).toBe(3);
  expect(tree(dist)['notes.txt']).toBe('runbook\n');
}, 180_000);
