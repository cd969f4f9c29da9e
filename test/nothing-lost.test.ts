import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoCopy as copyOfRepository } from './support/repo-copy';
import { cdk8sAppCommand, LEDGER, parseYamlDocuments, readTree, tempDir } from './util';

// "Nothing lost", through the documented routes on a temporary copy of the repository: `npx cdk8s synth` with
// the project's cdk8s.yaml and `npm run synth`. dist/ (the GitOps directory) must stay byte for byte as it was
// when anything fails, and keep every file it did not write when the synthesis succeeds.

const ROOT = path.join(__dirname, '..');

/** A copy of the repository (node_modules linked), as a fresh clone would have it. */
function repoCopy(): string {
  return copyOfRepository(tempDir('repo'));
}

/** Puts the committed library and synth app back into the copy. */
function restoreApp(repo: string): void {
  for (const dir of ['src', 'examples']) {
    fs.rmSync(path.join(repo, dir), { recursive: true, force: true });
    fs.cpSync(path.join(ROOT, dir), path.join(repo, dir), { recursive: true });
  }
}

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function run(cwd: string, command: string, args: string[]): Run {
  // No CDK8S_CHECK_UPGRADE here: the npm script must turn the upgrade check off by itself.
  const env = { ...process.env };
  delete env.CDK8S_CHECK_UPGRADE;
  for (const key of Object.keys(env)) if (key.startsWith('CDK8S_')) delete env[key];
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const cdk8sSynth = (cwd: string, ...args: string[]) => run(cwd, path.join(cwd, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade', ...args]);

/** The synth app's entry file, from cdk8s.yaml's app command (the last `*.ts` it names). */
function appEntry(repo: string): string {
  const file = cdk8sAppCommand(repo).split(/\s+/).filter((w) => w.endsWith('.ts')).pop()!;
  return path.join(repo, file);
}

/** Changes the synth app's entry: `before` goes above its first line, `after` right after the tutorial is built. */
function editApp(repo: string, edit: { before?: string; after?: string }): void {
  const file = appEntry(repo);
  let text = fs.readFileSync(file, 'utf8');
  const anchor = /^const cluster = buildTutorialCluster\(app\);$/m;
  expect(text).toMatch(anchor);
  if (edit.after) text = text.replace(anchor, (line) => `${line}\n${edit.after}`);
  fs.writeFileSync(file, `${edit.before ?? ''}\n${text}`);
}

/** Every file of the GitOps directory and the host files, ledgers included, plus what lies beside them. */
function snapshot(repo: string): Record<string, unknown> {
  return {
    dist: readTree(path.join(repo, 'dist'), { ledger: true }),
    hosts: readTree(path.join(repo, 'hosts'), { ledger: true }),
    beside: fs.readdirSync(repo).filter((f) => /^\.(dist|hosts)\./.test(f)),
  };
}

const committed = snapshot(ROOT);

describe('a failed synthesis changes nothing', () => {
  const repo = repoCopy();

  beforeEach(() => {
    // Each case starts from the committed state and the committed app.
    restoreApp(repo);
    expect(snapshot(repo)).toEqual(committed);
  });

  test('npx cdk8s synth: an app that throws leaves dist/ and hosts/ byte for byte', () => {
    editApp(repo, { before: "throw new Error('a typo in the app');" });
    const result = cdk8sSynth(repo);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('a typo in the app');
    expect(snapshot(repo)).toEqual(committed);
  });

  test('npm run synth: an app that throws leaves dist/ byte for byte, without the upgrade-check stack trace', () => {
    editApp(repo, { before: "throw new Error('a typo in the app');" });
    const result = run(repo, 'npm', ['run', '--silent', 'synth']);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('a typo in the app');
    expect(result.output).not.toMatch(/new version|getaddrinfo|ECONNREFUSED/i);
    expect(snapshot(repo)).toEqual(committed);
  });

  test('a type error (a misspelt prop) fails the synthesis before the app runs', () => {
    editApp(repo, { before: 'const misspelt: { replicas?: number } = { replica: 5 }; void misspelt;' });
    const result = cdk8sSynth(repo);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/main\.ts\(1,\d+\): error TS2561: Object literal may only specify known properties, but 'replica' does not exist .* Did you mean to write 'replicas'\?/);
    expect(snapshot(repo)).toEqual(committed);
  });

  test('a policy error leaves dist/ byte for byte and names the rule and the object', () => {
    editApp(repo, {
      before: "import { Chart as PolicyChart } from 'cdk8s';\nimport { k8s as policyK8s } from 'cdk8s-plus-28';",
      after: "new policyK8s.KubePod(new PolicyChart(app, 'debug', { namespace: 'default' }), 'pod', { metadata: { name: 'debug' }, spec: { hostPid: true, containers: [{ name: 'sh', image: 'busybox:1.36.1' }] } });",
    });
    const result = cdk8sSynth(repo);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/The policy found \d+ error\(s\) \(nothing was written\)/);
    expect(result.output).toMatch(/error host-pid Pod default\/debug/);
    expect(snapshot(repo)).toEqual(committed);
  });

  // (A failure that the synthesis sees, e.g. a full disk, is tested in test/output-directory.test.ts.)
  test('a synthesis killed in the middle of writing leaves dist/ intact, and the next one cleans up and writes', () => {
    editApp(repo, {
      before: [
        "const realFs = require('fs');",
        'const realWrite = realFs.writeFileSync;',
        'let stagedWrites = 0;',
        "realFs.writeFileSync = (file: any, ...rest: any[]) => { if (String(file).includes('.dist.staging-') && ++stagedWrites === 3) process.kill(process.pid, 'SIGKILL'); return realWrite(file, ...rest); };",
      ].join('\n'),
    });
    const killed = cdk8sSynth(repo);
    expect(killed.status).not.toBe(0);
    const afterKill = snapshot(repo);
    expect(afterKill.dist).toEqual(committed.dist);
    // The killed synthesis left its staging copy and its lock (pid of a process that is gone): the next one takes both over.
    expect((afterKill.beside as string[]).sort()).toEqual(['.dist.lock', expect.stringMatching(/^\.dist\.staging-/)]);

    restoreApp(repo);
    expect(cdk8sSynth(repo).status).toBe(0);
    expect(snapshot(repo)).toEqual(committed);
  });
});

describe('a successful synthesis keeps what it did not write', () => {
  test('npx cdk8s synth: foreign files and a user-edited kustomization survive; the manifests equal the committed ones', () => {
    const repo = repoCopy();
    const dist = path.join(repo, 'dist');
    const foreign = {
      'notes.txt': 'runbook: see wiki\n',
      'sealed-secret.k8s.yaml': 'apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n',
      'argocd/app.yaml': 'kind: Application\n',
    };
    for (const [f, content] of Object.entries(foreign)) {
      fs.mkdirSync(path.dirname(path.join(dist, f)), { recursive: true });
      fs.writeFileSync(path.join(dist, f), content);
    }
    const kustomization = fs.readFileSync(path.join(dist, 'kustomization.yaml'), 'utf8')
      + 'commonAnnotations:\n  owner: platform\npatches:\n  - path: replicas.yaml\n';
    fs.writeFileSync(path.join(dist, 'kustomization.yaml'), kustomization.replace('resources:\n', 'resources:\n  - sealed-secret.k8s.yaml\n'));

    const result = cdk8sSynth(repo);
    expect(result.status).toBe(0);
    const after = readTree(dist);
    for (const [f, content] of Object.entries(foreign)) expect(after[f]).toBe(content);
    const committedDist = committed.dist as Record<string, string>;
    for (const f of Object.keys(committedDist).filter((n) => n.endsWith('.k8s.yaml'))) expect(after[f]).toBe(committedDist[f]);
    const k = parseYamlDocuments(after['kustomization.yaml'])[0];
    const charts = Object.keys(committedDist).filter((n) => n.endsWith('.k8s.yaml'));
    expect(k.resources).toEqual([...charts, 'sealed-secret.k8s.yaml']);
    expect(k.commonAnnotations).toEqual({ owner: 'platform' });
    expect(k.patches).toEqual([{ path: 'replicas.yaml' }]);
    expect(fs.readFileSync(path.join(dist, LEDGER), 'utf8')).not.toContain('notes.txt');

    // --stdout prints the manifests (without the kustomization) and leaves dist/ as the last synthesis made it,
    // and the app leaves its host files alone too (SynthesisResult.previewOnly): a removed hosts/ stays removed.
    const before = readTree(dist, { ledger: true });
    fs.rmSync(path.join(repo, 'hosts'), { recursive: true });
    const stdout = cdk8sSynth(repo, '--stdout');
    expect(stdout.status).toBe(0);
    for (const f of charts) expect(stdout.output).toContain(committedDist[f]);
    expect(stdout.output).not.toContain('kind: Kustomization');
    expect(readTree(dist, { ledger: true })).toEqual(before);
    expect(fs.existsSync(path.join(repo, 'hosts'))).toBe(false);

    // --format helm: Chart.yaml and the manifests as templates, no kustomization among them.
    const helm = cdk8sSynth(repo, '--format', 'helm', '--chart-version', '1.0.0');
    expect(helm.status).toBe(0);
    const chart = readTree(path.join(repo, 'cdk8s.out'));
    expect(parseYamlDocuments(chart['Chart.yaml'])[0]).toMatchObject({ apiVersion: 'v2', version: '1.0.0' });
    expect(Object.keys(chart).filter((f) => f.startsWith('templates/')).sort()).toEqual(charts.map((f) => `templates/${f}`).sort());
    for (const f of charts) expect(chart[`templates/${f}`]).toBe(committedDist[f]);
    expect(readTree(dist, { ledger: true })).toEqual(before);
    expect(fs.existsSync(path.join(repo, 'hosts'))).toBe(false);
  });

  test('npm run synth on a fresh clone writes exactly the committed dist/ and hosts/, without the upgrade-check stack trace', () => {
    const repo = repoCopy();
    fs.writeFileSync(path.join(repo, 'dist', 'notes.txt'), 'mine\n');
    const result = run(repo, 'npm', ['run', '--silent', 'synth']);
    expect(result.status).toBe(0);
    expect(result.output).not.toMatch(/new version|getaddrinfo|ECONNREFUSED/i);
    expect(snapshot(repo)).toEqual({ ...committed, dist: { ...(committed.dist as object), 'notes.txt': 'mine\n' } });
  });
});

describe('every output layout through the real CLI', () => {
  /** A cdk8s app in a temp directory using AppSynthesizer the documented way, with the given layout. */
  function layoutProject(yamlOutputType: string, outputFileExtension: string): string {
    const dir = tempDir('layout-cli');
    const app = (synth: string) => [
      `const { App, Chart, YamlOutputType } = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'cdk8s'))});`,
      `const { k8s } = require(${JSON.stringify(path.join(ROOT, 'node_modules', 'cdk8s-plus-28'))});`,
      `const { AppSynthesizer, PlanOutput } = require(${JSON.stringify(path.join(ROOT, 'src'))});`,
      `const app = new App({ yamlOutputType: YamlOutputType.${yamlOutputType}, outputFileExtension: '${outputFileExtension}' });`,
      "const a = new Chart(app, 'alpha', { namespace: 'alpha' });",
      "new k8s.KubeConfigMap(a, 'one', { metadata: { name: 'one' }, data: { k: 'v' } });",
      "new k8s.KubeConfigMap(a, 'two', { metadata: { name: 'two' } });",
      "const b = new Chart(app, 'beta', { namespace: 'beta' });",
      "new k8s.KubeConfigMap(b, 'three', { metadata: { name: 'three' } });",
      'a.addDependency(b);',
      synth,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'ours.ts'), app("AppSynthesizer.synth(app, { outdir: 'dist', cliOutdir: process.env.CDK8S_OUTDIR, planOutput: PlanOutput.NONE });"));
    fs.writeFileSync(path.join(dir, 'cdk8s.ts'), app('app.synth();'));
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), `language: typescript\napp: node --require ${path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs')} ours.ts\noutput: cdk8s.out\n`);
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    return dir;
  }

  test.each([
    ['FILE_PER_APP', '.k8s.yaml'], ['FILE_PER_CHART', '.yaml'], ['FILE_PER_RESOURCE', '.k8s.yaml'], ['FOLDER_PER_CHART_FILE_PER_RESOURCE', '.yml'],
  ])('%s (%s): dist/ and the CLI output hold exactly what App.synth() writes', (layout, ext) => {
    const dir = layoutProject(layout, ext);
    const result = cdk8sSynth(dir);
    expect(result.status).toBe(0);
    const expected = cdk8sSynth(dir, '--app', `node --require ${path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs')} cdk8s.ts`, '--output', 'expected');
    expect(expected.status).toBe(0);
    const want = readTree(path.join(dir, 'expected'));
    expect(Object.keys(want).length).toBeGreaterThan(0);
    const { ['kustomization.yaml']: kustomization, ...dist } = readTree(path.join(dir, 'dist'));
    expect(dist).toEqual(want);
    expect(readTree(path.join(dir, 'cdk8s.out'))).toEqual(want);
    expect(parseYamlDocuments(kustomization)[0].resources.slice().sort()).toEqual(Object.keys(want).sort());
  });
});
