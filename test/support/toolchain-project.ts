import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// A cdk8s app as a user sets it up with one TypeScript toolchain and one cdk8s-plus line of the library,
// built without the registry: every package the README's setup lines name is linked from this repository's
// node_modules (the toolchains are pinned npm aliases there, e.g. typescript-5.9 -> typescript@5.9.3), and
// the library is the packed line, unpacked as npm would install it.

const ROOT = path.join(__dirname, '..', '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');

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

export function readmeSetup(name: string): ReadmeSetup {
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

export interface ToolchainProject {
  readonly dir: string;
  /** Runs a command in the app; status and stdout + stderr. */
  run(command: string, args: string[], env?: Record<string, string>): { status: number | null; output: string };
}

/**
 * Writes an app into `dir`: the README setup's packages linked into node_modules (with their bins), the
 * library tarball unpacked as `node_modules/<its name>`, the peers, `tsconfig.json` and `main.ts`.
 */
export function toolchainProject(dir: string, options: {
  readonly setup: ReadmeSetup;
  /** Packages the app needs beside the setup's (the peers), at the versions this repository installs. */
  readonly peers: readonly string[];
  readonly tarball: string;
  readonly tsconfig: Record<string, unknown>;
  readonly mainTs: string;
  readonly cdk8sYaml: string;
}): ToolchainProject {
  const modules = path.join(dir, 'node_modules');
  fs.mkdirSync(path.join(modules, '.bin'), { recursive: true });
  const link = (name: string, target: string) => {
    fs.mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
    fs.symlinkSync(target, path.join(modules, name), 'dir');
    const pkg = JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8'));
    const bins: Record<string, string> = typeof pkg.bin === 'string' ? { [name]: pkg.bin } : pkg.bin ?? {};
    for (const [bin, file] of Object.entries(bins)) fs.symlinkSync(path.join(target, file), path.join(modules, '.bin', bin));
  };
  for (const { name, version } of options.setup.packages) link(name, installedPackage(name, version));
  for (const peer of options.peers) {
    if (!options.setup.packages.some((p) => p.name === peer)) link(peer, path.join(NODE_MODULES, peer));
  }
  const unpacked = path.join(dir, '.unpack');
  fs.mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', options.tarball, '-C', unpacked]);
  const library = JSON.parse(fs.readFileSync(path.join(unpacked, 'package', 'package.json'), 'utf8')).name;
  fs.renameSync(path.join(unpacked, 'package'), path.join(modules, library));
  fs.rmdirSync(unpacked);

  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'toolchain-app', version: '1.0.0', private: true }, undefined, 2));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(options.tsconfig, undefined, 2));
  fs.writeFileSync(path.join(dir, 'main.ts'), options.mainTs);
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), options.cdk8sYaml);

  return {
    dir,
    run(command, args, env = {}) {
      // PATH first through the app's own bins, as npx would find them; no npm_* variables of `npm test`.
      const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
      const result = spawnSync(command, args, {
        cwd: dir,
        encoding: 'utf8',
        env: { ...base, PATH: `${path.join(modules, '.bin')}${path.delimiter}${process.env.PATH}`, ...env },
      });
      return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
    },
  };
}
