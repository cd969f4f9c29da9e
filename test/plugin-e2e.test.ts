import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './util';

// End to end: cdk8s-cli loads the plugin from cdk8s.yaml, runs it after synthesis and fails on errors.

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const FIXTURES = path.join(__dirname, 'fixtures', 'plugin');
// The local-path entry of the plugin (loads the TypeScript sources; published apps name the package instead).
const PLUGIN = path.join(ROOT, 'src', 'gitops', 'policy', 'dev-entry.cjs');

interface SynthResult {
  readonly status: number | null;
  readonly output: string;
  readonly files: string[];
}

/** Runs `cdk8s synth` in `cwd`, without the CLI's network upgrade check. */
function cdk8sSynth(cwd: string, args: string[] = [], env: Record<string, string> = {}): SynthResult {
  const result = spawnSync(CLI, ['synth', '--no-check-upgrade', ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  const outdir = path.join(cwd, 'dist');
  return {
    status: result.status,
    output: `${result.stdout}${result.stderr}`,
    files: fs.existsSync(outdir) ? fs.readdirSync(outdir).sort() : [],
  };
}

/**
 * A cdk8s app in a temp directory: one chart per fixture file, synthesised with `App.synth()`, and a
 * cdk8s.yaml that configures the plugin with `properties`.
 */
function fixtureApp(fixtures: Record<string, string>, properties: object = {}): string {
  const dir = tempDir('plugin-e2e');
  const cdk8s = path.join(ROOT, 'node_modules', 'cdk8s');
  fs.writeFileSync(path.join(dir, 'app.js'), [
    `const { App, ApiObject, Chart, Yaml } = require(${JSON.stringify(cdk8s)});`,
    'const app = new App();',
    `for (const [chart, file] of Object.entries(${JSON.stringify(fixtures)})) {`,
    '  const c = new Chart(app, chart);',
    '  Yaml.load(file).forEach((doc, i) => new ApiObject(c, `${doc.kind}-${i}`, doc));',
    '}',
    'app.synth();',
    '',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
    'language: typescript',
    'app: node app.js',
    'output: dist',
    'validations:',
    `  - package: ${PLUGIN}`,
    '    version: 0.0.0',
    '    class: PolicyPlugin',
    `    properties: ${JSON.stringify(properties)}`,
    '',
  ].join('\n'));
  return dir;
}

describe('cdk8s synth with the policy plugin', () => {
  test('fails on a bad app, with readable violations: rule, object, file, field, fix and construct path', () => {
    const app = fixtureApp({
      'node-agent': path.join(FIXTURES, 'bad', 'host-pid.k8s.yaml'),
      'web': path.join(FIXTURES, 'bad', 'no-readiness-probe.k8s.yaml'),
    }, { severities: { 'no-readiness-probe': 'error' } });
    const { status, output } = cdk8sSynth(app);
    expect(status).toBe(2);
    expect(output).toContain('cdk8s-workloads policy: 2 error(s), 0 warning(s), 0 suppressed');
    expect(output).toContain('host-pid (error)');
    expect(output).toContain('    - Construct Path: node-agent/DaemonSet-0');
    expect(output).toContain('    - Manifest Path: dist/node-agent.k8s.yaml');
    expect(output).toContain('    - Resource Name: node-exporter');
    expect(output).toContain('      > spec.template.spec.hostPID');
    expect(output).toContain('  Recommendation: DaemonSet kube-system/node-exporter: the pod sets hostPID: true');
    expect(output).toContain('  How to fix: remove hostPID');
    // properties from cdk8s.yaml reach the plugin: the warning was raised to an error
    expect(output).toContain('no-readiness-probe (error)');
    expect(output).toContain('Validation failed');
  }, 120_000);

  test('passes a good app; CDK8S_RECORD_CONSTRUCT_METADATA=false keeps construct-metadata.json out of dist/', () => {
    const good = Object.fromEntries(['web', 'batch', 'node'].map((n) => [n, path.join(FIXTURES, 'good', `${n}.k8s.yaml`)]));
    const app = fixtureApp(good);

    // cdk8s-cli asks App.synth() to record construct metadata whenever validations are configured...
    const withMetadata = cdk8sSynth(app);
    expect(withMetadata.status).toBe(0);
    expect(withMetadata.files).toEqual(['batch.k8s.yaml', 'construct-metadata.json', 'node.k8s.yaml', 'web.k8s.yaml']);
    expect(withMetadata.output).toContain('CDK8S_RECORD_CONSTRUCT_METADATA=false');

    // ...unless the environment says otherwise (the CLI keeps an explicit value).
    const { status, output, files } = cdk8sSynth(app, [], { CDK8S_RECORD_CONSTRUCT_METADATA: 'false' });
    expect(status).toBe(0);
    expect(files).toEqual(['batch.k8s.yaml', 'node.k8s.yaml', 'web.k8s.yaml']);
    expect(output).toContain('cdk8s-workloads policy: 0 error(s), 0 warning(s), 0 suppressed');
    expect(output).toContain('Validations ended succesfully');
  }, 120_000);
});
