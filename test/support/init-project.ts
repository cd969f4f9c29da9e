import { execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NonRootUser } from './non-root';

// A user's cdk8s project, made the way `cdk8s init typescript-app` makes one, with this package installed from
// its packed tarball: for tests that drive the real cdk8s CLI as a user would, offline.
//
// - `packedTarball()`: jsii + `npm pack` in a scratch copy of the repository (the repository's lib/ and .jsii stay
//   as they are), cached in the system's temporary directory by the content of what goes into the package.
// - `initProject(dir, tarball)`: the files of cdk8s-cli's template (`templates/typescript-app/`: package.json
//   with its pins, tsconfig.json, cdk8s.yaml without `output:`, .gitignore, main.ts), and a node_modules that
//   holds what `npm install` would: the template's dependencies and the peers linked from this repository's
//   node_modules (the lockfile's versions; no registry), the tarball unpacked as `cdk8s-workloads`.
//   The template's post-hook (`npm install`, `cdk8s import`: online) does not run.
// - `cdk8s(dir, args)`: `npx cdk8s <args>` in the project, as a user types it (optionally as a non-root user);
//   the app command stays cdk8s.yaml's `npx ts-node main.ts`.

const ROOT = path.join(__dirname, '..', '..');
const TEMPLATE = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
const PACKED = ['package.json', 'tsconfig.json', 'README.md', 'LICENSE', '.npmignore', 'src', 'imports'];
/** What the template's package.json and the policy need, linked from this repository's node_modules. */
const LINKED = ['cdk8s', 'cdk8s-cli', 'cdk8s-plus-28', 'cdk8s-plus-33', 'constructs', 'typescript', 'ts-node', '@types/node', 'kubernetes-models', '@kubernetes-models'];
const BINS: Record<string, string> = { 'cdk8s': 'cdk8s-cli/bin/cdk8s', 'ts-node': 'ts-node/dist/bin.js', 'tsc': 'typescript/bin/tsc' };

function filesUnder(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs.readdirSync(full, { recursive: true }).map(String).sort()
    .map((f) => path.join(entry, f)).filter((f) => fs.statSync(path.join(ROOT, f)).isFile());
}

/** The packed package (`npm pack` of a jsii build), built once per content of what goes into it. */
export function packedTarball(): string {
  const hash = createHash('sha256');
  for (const file of PACKED.flatMap(filesUnder)) {
    hash.update(file).update('\0').update(fs.readFileSync(path.join(ROOT, file))).update('\0');
  }
  const cache = path.join(os.tmpdir(), `cdk8s-workloads-packed-${hash.digest('hex').slice(0, 16)}`);
  const name = `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).name}.tgz`;
  if (fs.existsSync(path.join(cache, name))) return path.join(cache, name);

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-workloads-pack-'));
  try {
    for (const entry of PACKED.filter((e) => fs.existsSync(path.join(ROOT, e)))) {
      fs.cpSync(path.join(ROOT, entry), path.join(scratch, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'jsii'), ['--silence-warnings=reserved-word'], { cwd: scratch, stdio: 'pipe' });
    const out = path.join(scratch, 'out');
    fs.mkdirSync(out);
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: scratch, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))[0];
    fs.renameSync(path.join(out, packed.filename), path.join(out, name));
    fs.chmodSync(out, 0o755);
    try {
      fs.renameSync(out, cache); // another test process may have built it meanwhile: then use that one
    } catch (e) {
      if (!fs.existsSync(path.join(cache, name))) throw e;
    }
    return path.join(cache, name);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Lays out a `cdk8s init typescript-app` project in `dir` (created), with the tarball installed. */
export function initProject(dir: string, tarball: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const versionOf = (pkg: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  const substitute = (text: string) => text
    .replace(/\{\{ \$base \}\}/g, path.basename(dir))
    .replace(/\{\{ cdk8s_core_version \}\}/g, versionOf('cdk8s'))
    .replace(/\{\{ cdk8s_plus_version \}\}/g, versionOf('cdk8s-plus-33'))
    .replace(/\{\{ constructs_version \}\}/g, versionOf('constructs'))
    .replace(/\{\{ cdk8s_cli_spec \}\}/g, `^${versionOf('cdk8s-cli')}`);
  for (const [from, to] of [['package.json', 'package.json'], ['tsconfig.json', 'tsconfig.json'], ['cdk8s.yaml', 'cdk8s.yaml'], ['{{}}.gitignore', '.gitignore'], ['main.ts', 'main.ts']]) {
    fs.writeFileSync(path.join(dir, to), substitute(fs.readFileSync(path.join(TEMPLATE, from), 'utf8')));
  }
  // What `npm install cdk8s-workloads cdk8s-plus-28 kubernetes-models` adds to it.
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  manifest.dependencies = { ...manifest.dependencies, 'cdk8s-workloads': `file:${tarball}`, 'cdk8s-plus-28': versionOf('cdk8s-plus-28'), 'kubernetes-models': versionOf('kubernetes-models') };
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, undefined, 2)}\n`);

  const modules = path.join(dir, 'node_modules');
  for (const pkg of LINKED) {
    fs.mkdirSync(path.dirname(path.join(modules, pkg)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', pkg), path.join(modules, pkg), 'dir');
  }
  fs.mkdirSync(path.join(modules, '.bin'));
  for (const [bin, target] of Object.entries(BINS)) fs.symlinkSync(path.join('..', target), path.join(modules, '.bin', bin));
  const installed = path.join(modules, 'cdk8s-workloads');
  fs.mkdirSync(installed);
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1', '--no-same-owner']);
}

/** What a command printed and how it ended. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link cdk8s}. */
export interface Cdk8sOptions {
  /** Run as this user instead of the test's. */
  readonly user?: NonRootUser;
  /** More environment variables. */
  readonly env?: Record<string, string>;
}

/**
 * `cdk8s <args>` in the project (node_modules/.bin/cdk8s, what `npx cdk8s` runs), offline (no upgrade check).
 * ts-node runs transpile-only: type-checking the app is the toolchain tests' subject, and doing it on every
 * synthesis would cost seconds per run here.
 */
export function cdk8s(dir: string, args: string[], options: Cdk8sOptions = {}): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|CDK8S_|TS_NODE_)/i.test(k)));
  Object.assign(env, { CDK8S_CHECK_UPGRADE: 'false', TS_NODE_TRANSPILE_ONLY: 'true', npm_config_offline: 'true', npm_config_update_notifier: 'false' });
  if (options.user) {
    // npx keeps logs in the npm cache; the user's own, where it may write.
    const home = path.join(dir, '.home');
    fs.mkdirSync(home, { recursive: true });
    options.user.own(home);
    Object.assign(env, { HOME: home, npm_config_cache: path.join(home, '.npm') });
  }
  Object.assign(env, options.env ?? {});
  // The project's own cdk8s binary, as `npx cdk8s` finds it (without npx's second or so of start-up).
  const bin = path.join(dir, 'node_modules', '.bin', 'cdk8s');
  const { command, args: all } = options.user ? options.user.wrap(bin, args) : { command: bin, args };
  return new Promise((resolve, reject) => {
    const child = spawn(command, all, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => stdout += d);
    child.stderr.on('data', (d) => stderr += d);
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
