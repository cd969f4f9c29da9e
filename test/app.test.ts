import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Manifest, only, parseYamlDocuments, tempDir, validateManifests } from './util';
import { buildTutorialCluster, tutorialHostFiles } from '../examples/tutorial/tutorial';
import { AppSynthesizer } from '../src/synth';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const HOSTS = path.join(ROOT, 'hosts');

function readDir(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true }).map(String).sort()
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

function synthInProcess(): { dist: Record<string, string>; hosts: Record<string, string> } {
  const out = tempDir('synth');
  const app = new App({ outdir: out });
  const cluster = buildTutorialCluster(app);
  AppSynthesizer.synth(app);
  return { dist: readDir(out), hosts: tutorialHostFiles(cluster) };
}

function manifests(files: Record<string, string>): Manifest[] {
  return Object.entries(files).filter(([f]) => f.endsWith('.k8s.yaml')).flatMap(([, text]) => parseYamlDocuments(text));
}

/** The app command of cdk8s.yaml, run the way `cdk8s synth` runs it (CDK8S_OUTDIR set). */
function synthWithAppCommand(): { dist: Record<string, string>; hosts: Record<string, string> } {
  const out = tempDir('synth-cmd');
  const hosts = tempDir('synth-hosts');
  const config = fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8');
  const command = /^app:\s*(.+)$/m.exec(config)![1].trim().split(/\s+/);
  execFileSync(command[0], command.slice(1), { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: out, CDK8S_HOST_FILES_DIR: hosts }, stdio: 'pipe' });
  return { dist: readDir(out), hosts: readDir(hosts) };
}

describe('the synth app', () => {
  const synthesis = synthInProcess();
  const fresh = synthesis.dist;

  test('the committed dist/ and hosts/ equal a fresh synthesis, byte for byte', () => {
    expect(readDir(DIST)).toEqual(fresh);
    expect(readDir(HOSTS)).toEqual(synthesis.hosts);
  });

  test('cdk8s.yaml\'s app command writes the same files', () => {
    expect(synthWithAppCommand()).toEqual(synthesis);
  });

  test('writes stor01\'s exports for the tutorial\'s five volumes', () => {
    expect(synthesis.hosts['stor01/etc/exports']).toContain([1, 2, 3, 4, 5].map((n) => `/data/volumes/v${n} 192.168.41.0/24(rw,no_root_squash)`).join('\n'));
  });

  test('dist/ holds only YAML manifests and a kustomization listing every chart file', () => {
    const names = Object.keys(fresh);
    expect(names.every((n) => n.endsWith('.yaml'))).toBe(true);
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
