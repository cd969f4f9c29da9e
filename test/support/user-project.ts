import { spawn, spawnSync, SpawnOptions } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NonRootUser } from './non-root';

// A user's cdk8s project, made the way `cdk8s init typescript-app` makes one, with this package installed from
// its packed tarball: the one builder of the tests that drive the real cdk8s CLI and compilers as a user would,
// offline (test/user-project.test.ts, test/toolchains.test.ts; test/consumer.test.ts installs the same tarball
// through `npm ci`, test/naming.test.ts reads its .jsii).
//
// - `packedPackage(line)`: the package of a cdk8s-plus line, built by jsii in a scratch directory (the
//   repository's lib/, .jsii and lines/ stay as they are) and packed, once per jest run: cached in the run's
//   temporary directory (test/support/jest-tmpdir-setup.ts) by the content of what goes into it, and built by
//   one test process at a time (the others wait for it). Line 28 is the primary package as released (the
//   repository's package.json); other lines are projenrc/plus-line.js's.
// - `userProject(dir, options)`: the template's files (`templates/typescript-app/` of cdk8s-cli: package.json
//   with its pins, tsconfig.json, cdk8s.yaml, .gitignore, main.ts), the README's setup for the toolchain applied
//   (its `npm install` lines; its tsconfig and `app:` for the newest TypeScript), and a node_modules that holds
//   what `npm install` would: every package linked from this repository's node_modules at the pinned version
//   (the toolchains are npm aliases there, e.g. typescript-5.9), the tarball unpacked under its name. The
//   template's post-hook (`npm install`, `cdk8s import`: online) does not run.

const ROOT = path.join(__dirname, '..', '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const TEMPLATE = path.join(NODE_MODULES, 'cdk8s-cli', 'templates', 'typescript-app');
/** What goes into the package: the cache key's inputs (the lockfile pins jsii and the bundled yaml). */
const INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE', '.npmignore', 'src', 'imports', 'projenrc/plus-line.js'];
/** What the primary line's build copies (what `npm pack` of the repository reads). */
const PACKED = ['package.json', 'tsconfig.json', 'README.md', 'LICENSE', '.npmignore', 'src', 'imports'];
/** The template's test tooling: its main.test.ts is not copied. */
const UNUSED = ['@types/jest', 'jest', 'ts-jest'];

export type PlusLine = '28' | '33';

/** A packed line of the package. */
export interface PackedPackage {
  /** The package's name (`cdk8s-workloads`, `cdk8s-workloads-plus-33`). */
  readonly name: string;
  /** The tarball, named as `npm pack` names it. */
  readonly tarball: string;
  /** The paths `npm pack` reports it packed. */
  readonly files: readonly string[];
  /** What jsii printed (stdout and stderr). */
  readonly buildOutput: string;
}

function filesUnder(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!fs.existsSync(full)) return [];
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs.readdirSync(full, { recursive: true }).map(String).sort()
    .map((f) => path.join(entry, f)).filter((f) => fs.statSync(path.join(ROOT, f)).isFile());
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Whether the builder that holds `lock` died: its process is gone, or it wrote no pid within a minute. */
function lockIsStale(lock: string): boolean {
  let pid: string;
  try {
    pid = fs.readFileSync(path.join(lock, 'pid'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const made = fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
    return made !== undefined && Date.now() - made > 60_000; // no lock any more: the next round takes it or finds the cache
  }
  return !alive(Number(pid));
}

/** Builds `line` into `scratch` with jsii; returns the built package's directory and what jsii printed. */
function build(line: PlusLine, scratch: string): { dir: string; output: string } {
  let dir = path.join(scratch, 'package');
  if (line === '28') {
    fs.mkdirSync(dir);
    for (const entry of PACKED.filter((e) => fs.existsSync(path.join(ROOT, e)))) {
      fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(NODE_MODULES, path.join(dir, 'node_modules'), 'dir');
  } else {
    // plus-line.js writes and compiles the line (as a child, so that what jsii prints is collected); jsii
    // finds the peers' assemblies in the node_modules beside it, as under the repository's lines/.
    dir = path.join(scratch, `cdk8s-plus-${line}`);
    fs.symlinkSync(NODE_MODULES, path.join(scratch, 'node_modules'), 'dir');
  }
  const command = line === '28'
    ? spawnSync(path.join(NODE_MODULES, '.bin', 'jsii'), ['--silence-warnings=reserved-word'], { cwd: dir, encoding: 'utf8' })
    : spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(ROOT, 'projenrc', 'plus-line.js'))}).buildLine(${JSON.stringify(line)}, ${JSON.stringify(dir)})`], { encoding: 'utf8' });
  const output = `${command.stdout ?? ''}${command.stderr ?? ''}`;
  if (command.status !== 0) throw new Error(`building the cdk8s-plus-${line} line failed (exit ${command.status}):\n${output}`);
  return { dir, output };
}

/**
 * The packed package of a cdk8s-plus line (28: the primary package), built once per run and content. Test
 * processes that need it meanwhile wait for the one that builds it (a lock directory beside the cache).
 */
export function packedPackage(line: PlusLine = '28'): PackedPackage {
  const hash = createHash('sha256').update(line).update('\0').update(process.version).update('\0');
  for (const file of INPUTS.flatMap(filesUnder)) hash.update(file).update('\0').update(fs.readFileSync(path.join(ROOT, file))).update('\0');
  const parent = path.join(os.tmpdir(), 'cdk8s-workloads-packed');
  fs.mkdirSync(parent, { recursive: true });
  const cache = path.join(parent, `plus-${line}-${hash.digest('hex').slice(0, 16)}`);
  const lock = `${cache}.lock`;
  const manifest = path.join(cache, 'packed.json');
  for (;;) {
    if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, 'utf8'));
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A builder that died leaves its lock: take it over.
      if (lockIsStale(lock)) fs.rmSync(lock, { recursive: true, force: true });
      else sleep(500);
    }
  }
  const scratch = fs.mkdtempSync(path.join(parent, 'build-'));
  try {
    const built = build(line, scratch);
    const out = path.join(scratch, 'out');
    fs.mkdirSync(out);
    const packed = JSON.parse(execOrThrow('npm', ['pack', '--json', '--pack-destination', out], built.dir))[0];
    const result: PackedPackage = {
      name: packed.name,
      tarball: path.join(cache, packed.filename),
      files: packed.files.map((f: { path: string }) => f.path),
      buildOutput: built.output,
    };
    fs.writeFileSync(path.join(out, 'packed.json'), JSON.stringify(result, undefined, 2));
    fs.renameSync(out, cache);
    return result;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

function execOrThrow(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: withoutNpmVariables() });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** The environment without the npm_* variables `npm test` sets (they would point npm back at this repository). */
function withoutNpmVariables(keep: RegExp = /^$/): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) || keep.test(k)));
}

/** What the README's `<!-- setup: name -->` block installs, and the tsconfig that follows it (if any). */
export interface ReadmeSetup {
  /** `name@version` of every registry package the block's `npm install` lines name. */
  readonly packages: ReadonlyArray<{ readonly name: string; readonly version: string }>;
  /** The block's install lines, without comments. */
  readonly lines: readonly string[];
  /** The library tarball the block installs (a path). */
  readonly tarball?: string;
  /** The ```json block after the install lines, when the setup has its own tsconfig. */
  readonly tsconfig?: Record<string, unknown>;
}

export type Toolchain = 'init' | 'newest';

export function readmeSetup(name: Toolchain): ReadmeSetup {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const marker = `<!-- setup: ${name} -->\n`;
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README.md has no "${marker.trim()}" block`);
  const rest = readme.slice(start + marker.length);
  const sh = /^```sh\n([\s\S]*?)\n```/.exec(rest);
  if (!sh) throw new Error(`README.md: "${marker.trim()}" is not followed by a sh block`);
  const lines = sh[1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean);
  const notInstall = lines.filter((l) => !/^npm install /.test(l));
  if (notInstall.length) throw new Error(`README.md "${marker.trim()}": only \`npm install\` lines can be run here: ${notInstall.join('; ')}`);
  const packages = lines.flatMap((l) => l.split(/\s+/).slice(2)) // after `npm install`
    .filter((arg) => !arg.startsWith('-') && !arg.endsWith('.tgz'))
    .map((spec) => {
      const at = spec.lastIndexOf('@');
      return { name: spec.slice(0, at), version: spec.slice(at + 1) };
    });
  // A tsconfig belongs to this setup when it comes before the next setup block or section.
  const next = rest.search(/<!-- setup: |\n## /);
  const json = /```json\n([\s\S]*?)\n```/.exec(next < 0 ? rest : rest.slice(0, next));
  const tarball = lines.flatMap((l) => l.split(/\s+/)).find((arg) => arg.endsWith('.tgz'));
  return { packages, lines, tarball, tsconfig: json ? JSON.parse(json[1]) : undefined };
}

/**
 * The directory in this repository's node_modules that holds `name@version`: the package itself or a pinned
 * alias of it. Fails when the repository does not install that exact version (the README and .projenrc.ts
 * disagree).
 */
export function installedPackage(name: string, version: string): string {
  const candidates = [name, ...fs.readdirSync(NODE_MODULES).filter((d) => !d.startsWith('.') && !d.startsWith('@'))];
  for (const dir of candidates) {
    const manifest = path.join(NODE_MODULES, dir, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    if (pkg.name === name && pkg.version === version) return path.join(NODE_MODULES, dir);
  }
  throw new Error(`${name}@${version} is not installed in this repository: pin it in .projenrc.ts (an npm alias) or correct README.md`);
}

const versionOf = (pkg: string): string => JSON.parse(fs.readFileSync(path.join(NODE_MODULES, pkg, 'package.json'), 'utf8')).version;

/** Options of {@link userProject}. */
export interface UserProjectOptions {
  /**
   * `init` (default): what cdk8s init pins, TypeScript 5.9 through ts-node, @types/node 14, the template's
   * tsconfig; `newest`: the README's newest TypeScript, its tsconfig, `app: npx tsc && node main.js`.
   */
  readonly toolchain?: Toolchain;
  /** The cdk8s-plus line installed with the library (default 28; the template's cdk8s-plus-33 stays installed). */
  readonly line?: PlusLine;
  /** `init` (default): cdk8s.yaml without `output:`; `readme`: the README's `output: cdk8s.out`. */
  readonly layout?: 'init' | 'readme';
  /** main.ts (default: the template's). */
  readonly mainTs?: string;
  /** More packages the user installed, at the versions this repository installs (e.g. kubernetes-models). */
  readonly packages?: readonly string[];
  /**
   * Whether ts-node type-checks the app on every synthesis, as it does for the user (default true). Off where
   * types are not the test's subject: it costs seconds per synthesis.
   */
  readonly typeCheck?: boolean;
}

/** What a command printed and how it ended. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout, then stderr. */
  readonly output: string;
}

/** Options of {@link UserProject.run}. */
export interface RunOptions {
  /** Run as this user instead of the test's. */
  readonly user?: NonRootUser;
  /** More environment variables. */
  readonly env?: Record<string, string>;
}

export interface UserProject {
  readonly dir: string;
  /** The installed line of the library. */
  readonly library: PackedPackage;
  /** A command in the project, the project's bins first on PATH (as npx finds them), offline. */
  run(command: string, args: string[], options?: RunOptions): Promise<CliRun>;
  /** `cdk8s <args>` with the project's own cdk8s (what `npx cdk8s` runs, without npx's second of start-up). */
  cdk8s(args: string[], options?: RunOptions): Promise<CliRun>;
}

/** Runs a command, collecting what it prints. */
export function runCommand(command: string, args: string[], options: SpawnOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => stdout += d);
    child.stderr!.on('data', (d) => stderr += d);
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, output: stdout + stderr }));
  });
}

/** Makes the project in `dir` (created). */
export function userProject(dir: string, options: UserProjectOptions = {}): UserProject {
  const toolchain = options.toolchain ?? 'init';
  const line = options.line ?? '28';
  const library = packedPackage(line);
  const setup = readmeSetup(toolchain);
  fs.mkdirSync(dir, { recursive: true });

  const substitute = (text: string) => text
    .replace(/\{\{ \$base \}\}/g, path.basename(dir))
    .replace(/\{\{ cdk8s_core_version \}\}/g, versionOf('cdk8s'))
    .replace(/\{\{ cdk8s_plus_version \}\}/g, versionOf('cdk8s-plus-33'))
    .replace(/\{\{ constructs_version \}\}/g, versionOf('constructs'))
    .replace(/\{\{ cdk8s_cli_spec \}\}/g, `^${versionOf('cdk8s-cli')}`);
  for (const [from, to] of [['package.json', 'package.json'], ['tsconfig.json', 'tsconfig.json'], ['cdk8s.yaml', 'cdk8s.yaml'], ['{{}}.gitignore', '.gitignore'], ['main.ts', 'main.ts']]) {
    fs.writeFileSync(path.join(dir, to), substitute(fs.readFileSync(path.join(TEMPLATE, from), 'utf8')));
  }

  // The setup's `npm install` lines; on line 28, cdk8s-plus-28 where the README names cdk8s-plus-33's line.
  const pinned = new Map<string, string>();
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const { name, version } of setup.packages) {
    const dev = setup.lines.some((l) => l.includes('--save-dev') && l.split(/\s+/).includes(`${name}@${version}`));
    if (line !== '33' && name === 'cdk8s-plus-33') continue;
    pinned.set(name, version);
    (dev ? manifest.devDependencies : manifest.dependencies)[name] = version;
  }
  const extra = [...(line === '33' ? [] : [`cdk8s-plus-${line}`]), ...options.packages ?? []];
  for (const name of extra) manifest.dependencies[name] = versionOf(name);
  manifest.dependencies[library.name] = `file:${library.tarball}`;
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, undefined, 2)}\n`);

  if (toolchain === 'newest') {
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), `${JSON.stringify(setup.tsconfig, undefined, 2)}\n`);
    const yaml = fs.readFileSync(path.join(dir, 'cdk8s.yaml'), 'utf8');
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), yaml.replace(/^app: .*$/m, 'app: npx tsc && node main.js'));
  }
  if ((options.layout ?? 'init') === 'readme') fs.appendFileSync(path.join(dir, 'cdk8s.yaml'), 'output: cdk8s.out\n');
  if (options.mainTs !== undefined) fs.writeFileSync(path.join(dir, 'main.ts'), options.mainTs);

  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, '.bin'), { recursive: true });
  const link = (name: string, target: string) => {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(target, path.join(modules, name), 'dir');
    const pkg = JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8'));
    const bins: Record<string, string> = typeof pkg.bin === 'string' ? { [name]: pkg.bin } : pkg.bin ?? {};
    for (const [bin, file] of Object.entries(bins)) fs.symlinkSync(path.join(target, file), path.join(modules, '.bin', bin));
  };
  for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]) {
    if (name === library.name || UNUSED.includes(name)) continue;
    link(name, pinned.has(name) ? installedPackage(name, pinned.get(name)!) : path.join(NODE_MODULES, name));
  }
  const installed = path.join(modules, library.name);
  fs.mkdirSync(installed);
  execOrThrow('tar', ['-xzf', library.tarball, '-C', installed, '--strip-components=1', '--no-same-owner'], dir);

  const run = (command: string, args: string[], runOptions: RunOptions = {}): Promise<CliRun> => {
    const env = withoutNpmVariables();
    for (const key of Object.keys(env)) if (/^(CDK8S_|TS_NODE_)/i.test(key)) delete env[key];
    Object.assign(env, {
      PATH: `${path.join(modules, '.bin')}${path.delimiter}${process.env.PATH}`,
      CDK8S_CHECK_UPGRADE: 'false',
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
      ...options.typeCheck === false ? { TS_NODE_TRANSPILE_ONLY: 'true' } : {},
    });
    if (runOptions.user) {
      // npx keeps logs in the npm cache; the user's own, where it may write.
      const home = path.join(dir, '.home');
      fs.mkdirSync(home, { recursive: true });
      runOptions.user.own(home);
      Object.assign(env, { HOME: home, npm_config_cache: path.join(home, '.npm') });
    }
    Object.assign(env, runOptions.env ?? {});
    const wrapped = runOptions.user ? runOptions.user.wrap(command, args) : { command, args };
    return runCommand(wrapped.command, wrapped.args, { cwd: dir, env });
  };
  return { dir, library, run, cdk8s: (args, runOptions) => run(path.join(modules, '.bin', 'cdk8s'), args, runOptions) };
}

/** For test/consumer.test.ts's `npm ci`: the environment of `npm test` without the npm_* variables but the cache. */
export function npmEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...withoutNpmVariables(/^npm_config_cache$/i), ...extra };
}
