import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { repoCopy } from './support/repo-copy';
import { Manifest, parseYamlDocuments, tempDir, validateManifests } from './util';

// argocd/plugin.yaml's `generate`, run as Argo CD's repo server runs a Config Management Plugin: in the
// checkout, with the ARGOCD_APP_* environment, killed after Argo CD's default 90 s exec timeout.

const ROOT = path.join(__dirname, '..');
const PLUGIN = parse(fs.readFileSync(path.join(ROOT, 'argocd', 'plugin.yaml'), 'utf8'));
const ARGOCD_EXEC_TIMEOUT_MS = 90_000;

/** Every file of a checkout with its hash (node_modules is the linked install, not the checkout's own). */
function checkoutState(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true }).map(String)
    .filter((f) => f !== 'node_modules' && !f.startsWith(`node_modules${path.sep}`))
    .sort()
    .map((f) => {
      const stat = fs.lstatSync(path.join(dir, f));
      const hash = stat.isFile() ? crypto.createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex') : stat.isDirectory() ? 'dir' : 'other';
      return [f, hash];
    }));
}

function generate(checkout: string): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const { command, args } = PLUGIN.spec.generate;
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
    ARGOCD_APP_NAME: 'tutorial',
    ARGOCD_APP_NAMESPACE: 'default',
    ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
    ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/platform/cluster.git',
    ARGOCD_APP_SOURCE_PATH: '.',
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
  };
  const r = spawnSync(command[0], [...command.slice(1), ...args], { cwd: checkout, env, encoding: 'utf8', timeout: ARGOCD_EXEC_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

test('the plugin is a ConfigManagementPlugin that Argo CD discovers by cdk8s.yaml', () => {
  expect(PLUGIN).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'ConfigManagementPlugin', spec: { discover: { fileName: 'cdk8s.yaml' } } });
  expect(PLUGIN.spec.init.args.join(' ')).toMatch(/^npm ci\b/); // the lockfile's dependencies, nothing newer
});

describe('generate, in a checkout', () => {
  let checkout: string;
  let before: Record<string, string>;
  let result: ReturnType<typeof generate>;

  beforeAll(() => {
    checkout = repoCopy(tempDir('argocd'));
    before = checkoutState(checkout);
    result = generate(checkout);
  }, 120_000);

  test('finishes within Argo CD\'s exec timeout and succeeds', () => {
    expect({ status: result.status, signal: result.signal }).toEqual({ status: 0, signal: null });
  });

  test('prints exactly the committed manifests on stdout, in apply order, and the logs on stderr', () => {
    const kustomization = parseYamlDocuments(fs.readFileSync(path.join(ROOT, 'dist', 'kustomization.yaml'), 'utf8'))[0];
    const committed = kustomization.resources.map((f: string) => fs.readFileSync(path.join(ROOT, 'dist', f), 'utf8'));
    expect(result.stdout).toBe(committed.join('---\n'));
    const docs: Manifest[] = parseYamlDocuments(result.stdout);
    validateManifests(docs);
    expect(result.stderr).toMatch(/checks: 0 error\(s\)/);
  });

  test('writes nothing in the checkout', () => {
    expect(checkoutState(checkout)).toEqual(before);
  });

  test('keeps the policy checks: a cluster-admin binding for anonymous users fails the generation, with nothing on stdout', () => {
    const main = path.join(checkout, 'examples', 'tutorial', 'main.ts');
    fs.writeFileSync(main, fs.readFileSync(main, 'utf8').replace('const cluster = buildTutorialCluster(app);', [
      'const cluster = buildTutorialCluster(app);',
      "new (require('cdk8s-plus-28').k8s.KubeClusterRoleBinding)(new (require('cdk8s').Chart)(app, 'anonymous-admin'), 'b', {",
      "  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },",
      "  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:anonymous' }],",
      '});',
    ].join('\n')));
    const bad = generate(checkout);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/cluster-admin/);
  }, 120_000);
});
