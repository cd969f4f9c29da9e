import { execSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { cdk8sAppCommand, LEDGER, Manifest, only, parseYamlDocuments, readTree, tempDir, validateManifests } from './util';
import { buildTutorialCluster, tutorialHostFiles } from '../examples/tutorial/tutorial';
import { AppSynthesizer } from '../src/gitops/app-synthesizer';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const HOSTS = path.join(ROOT, 'hosts');

function synthInProcess(): { dist: Record<string, string>; hosts: Record<string, string> } {
  const out = tempDir('synth');
  const app = new App({ outdir: out });
  const cluster = buildTutorialCluster(app);
  AppSynthesizer.synth(app);
  return { dist: readTree(out), hosts: tutorialHostFiles(cluster) };
}

function manifests(files: Record<string, string>): Manifest[] {
  return Object.entries(files).filter(([f]) => f.endsWith('.k8s.yaml')).flatMap(([, text]) => parseYamlDocuments(text));
}

/** The app command of cdk8s.yaml, run the way `cdk8s synth` runs it (CDK8S_OUTDIR set to its scratch directory). */
function synthWithAppCommand(): { dist: Record<string, string>; hosts: Record<string, string>; cli: Record<string, string> } {
  const out = tempDir('synth-cmd');
  const cli = tempDir('synth-cli');
  const hosts = tempDir('synth-hosts');
  const env = { ...process.env, CDK8S_OUTDIR: cli, CDK8S_GITOPS_DIR: out, CDK8S_HOST_FILES_DIR: hosts };
  execSync(cdk8sAppCommand(ROOT), { cwd: ROOT, env, stdio: 'pipe' });
  return { dist: readTree(out), hosts: readTree(hosts), cli: readTree(cli) };
}

/** `sha256sum` lines for a directory's files, computed here, as the ledger must hold them. */
function sha256sums(files: Record<string, string>): string {
  return Object.keys(files).sort().map((f) => `${createHash('sha256').update(files[f]).digest('hex')}  ${f}\n`).join('');
}

describe('the synth app', () => {
  const synthesis = synthInProcess();
  const fresh = synthesis.dist;

  test('the committed dist/ and hosts/ equal a fresh synthesis, byte for byte', () => {
    expect(readTree(DIST)).toEqual(fresh);
    expect(readTree(HOSTS)).toEqual(synthesis.hosts);
  });

  test('the committed ledgers list exactly the files written there, with their sha256 (sha256sum -c format)', () => {
    expect(fs.readFileSync(path.join(DIST, LEDGER), 'utf8')).toBe(sha256sums(fresh));
    expect(fs.readFileSync(path.join(HOSTS, LEDGER), 'utf8')).toBe(sha256sums(synthesis.hosts));
  });

  test('cdk8s.yaml\'s app command writes the same files, and the manifests without the kustomization to the CLI\'s directory', () => {
    const { dist, hosts, cli } = synthWithAppCommand();
    expect({ dist, hosts }).toEqual(synthesis);
    const { ['kustomization.yaml']: kustomization, ...charts } = fresh;
    expect(kustomization).toBeDefined();
    expect(cli).toEqual(charts);
  });

  test('writes stor01\'s exports for the tutorial\'s five volumes', () => {
    expect(synthesis.hosts['stor01/etc/exports']).toContain([1, 2, 3, 4, 5].map((n) => `/data/volumes/v${n} 192.168.41.0/24(rw,no_root_squash)`).join('\n'));
  });

  test('dist/ holds only YAML manifests, a kustomization listing every chart file, and a ledger no GitOps tool loads', () => {
    const names = Object.keys(fresh);
    expect(names.every((n) => n.endsWith('.yaml'))).toBe(true);
    expect(Object.keys(readTree(DIST, { ledger: true })).filter((n) => !names.includes(n))).toEqual([LEDGER]);
    expect(LEDGER).not.toMatch(/\.(ya?ml|json)$/);
    const kustomization = parseYamlDocuments(fresh['kustomization.yaml'])[0];
    expect(kustomization.resources).toEqual(names.filter((n) => n.endsWith('.k8s.yaml')));
  });

  test('every object is valid for Kubernetes 1.28', () => {
    validateManifests(manifests(fresh));
  });

  test('holds the tutorial\'s dns-test pod', () => {
    const pod = only(manifests(fresh), 'Pod', 'dns-test');
    expect(pod.metadata.namespace).toBe('default');
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.containers).toEqual([expect.objectContaining({ image: 'busybox:1.28.4', args: ['/bin/sh', '-c', 'sleep 36000'] })]);
  });
});
