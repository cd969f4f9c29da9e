import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { kubeTools } from './support/kube-tools';
import { repoCopy } from './support/repo-copy';
import { Manifest, parseYamlDocuments, tempDir } from './util';

// What dist/ is for, checked with the real tools (not with our reading of them): kubectl v1.28.3's kustomize
// and helm v3.16.4, from npm (test/support/kube-tools.ts).

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

/** Every object of dist/, from the files its kustomization lists. */
function distObjects(): Manifest[] {
  const kustomization = parseYamlDocuments(fs.readFileSync(path.join(DIST, 'kustomization.yaml'), 'utf8'))[0];
  return kustomization.resources.flatMap((f: string) => parseYamlDocuments(fs.readFileSync(path.join(DIST, f), 'utf8')));
}

/** Objects as a sorted list of canonical JSON (keys sorted): equal lists mean the same objects, field for field. */
function canonical(docs: Manifest[]): string[] {
  const sortKeys = (v: unknown): unknown => Array.isArray(v) ? v.map(sortKeys)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : 1).map(([k, x]) => [k, sortKeys(x)])) : v;
  return docs.map((d) => JSON.stringify(sortKeys(d))).sort();
}

const tools = kubeTools();
const withTools = 'missing' in tools ? test.skip : test;
if ('missing' in tools) process.stderr.write(`kube-tools.test.ts: SKIPPED, kubectl and helm are not available: ${tools.missing}\n`);

function run(tool: string, args: string[], cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const home = tempDir('helm-home');
  const env = { ...process.env, HELM_CACHE_HOME: home, HELM_CONFIG_HOME: home, HELM_DATA_HOME: home, KUBECONFIG: path.join(home, 'none') };
  const r = spawnSync(tool, args, { cwd, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

withTools('the tools are the pinned versions: kubectl v1.28.3 (kustomize v5.0.4), helm v3.16.4', () => {
  if ('missing' in tools) return;
  const kubectl = run(tools.kubectl, ['version', '--client', '-o', 'json']);
  const versions = JSON.parse(kubectl.stdout);
  expect(versions.clientVersion.gitVersion).toBe('v1.28.3');
  expect(versions.kustomizeVersion).toMatch(/^v5\.0\.4\b/);
  expect(run(tools.helm, ['version', '--short']).stdout).toMatch(/^v3\.16\.4\+/);
});

withTools('`kubectl kustomize dist` renders every object of dist/, field for field', () => {
  if ('missing' in tools) return;
  const rendered = run(tools.kubectl, ['kustomize', 'dist']);
  expect(rendered.stderr).toBe('');
  expect(rendered.status).toBe(0);
  const docs = parseYamlDocuments(rendered.stdout);
  const expected = distObjects();
  expect(expected.length).toBeGreaterThan(20);
  expect(canonical(docs)).toEqual(canonical(expected));
});

withTools('`cdk8s synth --format helm` gives a chart that `helm lint` passes and `helm template` renders with the same objects', () => {
  if ('missing' in tools) return;
  const repo = repoCopy(tempDir('helm-repo'));
  const chart = path.join(tempDir('helm-chart'), 'chart');
  const synth = run(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'),
    ['synth', '--no-check-upgrade', '--format', 'helm', '--chart-version', '1.0.0', '--output', chart], repo);
  expect({ status: synth.status, stderr: synth.status === 0 ? '' : synth.stderr }).toEqual({ status: 0, stderr: '' });
  expect(fs.readdirSync(chart).sort()).toEqual(['Chart.yaml', 'README.md', 'templates']);

  const lint = run(tools.helm, ['lint', '--strict', chart]);
  expect(lint.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  expect(lint.status).toBe(0);

  const template = run(tools.helm, ['template', 'tutorial', chart]);
  expect(template.status).toBe(0);
  expect(canonical(parseYamlDocuments(template.stdout))).toEqual(canonical(distObjects()));
}, 240_000);
