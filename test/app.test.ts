import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { Manifest, only, parseYamlDocuments, tempDir, validateManifests } from './util';
import { buildTutorialCluster } from '../src/app/tutorial';
import { AppSynthesizer } from '../src/synth';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

function readDir(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

function synthInProcess(): Record<string, string> {
  const out = tempDir('synth');
  const app = new App({ outdir: out });
  buildTutorialCluster(app);
  AppSynthesizer.synth(app);
  return readDir(out);
}

function manifests(files: Record<string, string>): Manifest[] {
  return Object.entries(files).filter(([f]) => f.endsWith('.k8s.yaml')).flatMap(([, text]) => parseYamlDocuments(text));
}

/** The app command of cdk8s.yaml, run the way `cdk8s synth` runs it (CDK8S_OUTDIR set). */
function synthWithAppCommand(): Record<string, string> {
  const out = tempDir('synth-cmd');
  const config = fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8');
  const command = /^app:\s*(.+)$/m.exec(config)![1].trim().split(/\s+/);
  execFileSync(command[0], command.slice(1), { cwd: ROOT, env: { ...process.env, CDK8S_OUTDIR: out }, stdio: 'pipe' });
  return readDir(out);
}

describe('the synth app', () => {
  const fresh = synthInProcess();

  test('the committed dist/ equals a fresh synthesis, byte for byte', () => {
    expect(readDir(DIST)).toEqual(fresh);
  });

  test('cdk8s.yaml\'s app command writes the same files', () => {
    expect(synthWithAppCommand()).toEqual(fresh);
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
