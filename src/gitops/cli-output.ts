// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { attempt, FileSystemError, nearestExisting } from './file-system';
import { OutputDirectory, parseLedger } from './output-directory';

/**
 * How cdk8s-cli runs the app, as far as the app can tell: the CLI tells it nothing but the directory to write
 * (`CDK8S_OUTDIR`).
 * - `--stdout`: a fresh `cdk8s-XXXXXX` folder in the system's temporary directory, printed and deleted after;
 * - `--format helm`: `<output>/templates`, beside the `Chart.yaml` the CLI wrote before running the app;
 * - otherwise the `output` of cdk8s.yaml (or `--output`), `dist` when neither is given.
 */
export enum CliRoute {
  PLAIN = 'plain',
  STDOUT = 'stdout',
  HELM = 'helm',
}

/** The route `cliOutdir` (cdk8s-cli's `CDK8S_OUTDIR`) says the CLI takes. */
export function cliRouteOf(cliOutdir: string): CliRoute {
  const dir = path.resolve(cliOutdir);
  if (/^cdk8s-[A-Za-z0-9]{6}$/.test(path.basename(dir)) && realDirectory(path.dirname(dir)) === realDirectory(os.tmpdir())) return CliRoute.STDOUT;
  if (path.basename(dir) === 'templates' && fs.existsSync(path.join(path.dirname(dir), 'Chart.yaml'))) return CliRoute.HELM;
  return CliRoute.PLAIN;
}

/**
 * The output directory of a synthesis. When it is the directory cdk8s-cli deleted before running the app (the
 * layout `cdk8s init` makes: no `output:` in cdk8s.yaml, so the CLI's directory and the app's are both `dist/`),
 * what the CLI deleted is put back first, so the change guard compares with the previous output, the ledger holds
 * and hand edits are noticed: the state copy the last synthesis kept (see {@link stateCopyFor}), or, where there is
 * none (a fresh clone), the committed tree (`git HEAD`); then the committed files a synthesis did not write. What
 * nothing can put back (files added there since the last synthesis and never committed) is said on stderr, with
 * the one-line fix.
 */
export function openOutputDirectory(outdir: string, cliOutdir: string | undefined): OutputDirectory {
  // Under --format helm the CLI deleted (and gave the app) `<output>/templates`'s parent.
  const deleted = cliOutdir === undefined ? undefined : cliRouteOf(cliOutdir) === CliRoute.HELM ? path.dirname(cliOutdir) : cliOutdir;
  const deletedByCli = deleted !== undefined && realDirectory(outdir) === realDirectory(deleted);
  if (!deletedByCli) return new OutputDirectory(outdir);
  // The library put it back when it loaded, before the app ran; the first synthesis after that need not again.
  const putBackAlready = realDirectory(outdir) === putBackAtLoad;
  putBackAtLoad = undefined;
  if (!putBackAlready) putBackWhatTheCliDeleted(outdir, { onlyWhereSomethingWasKept: false });
  const directory = new OutputDirectory(outdir, { stateCopy: stateCopyFor(outdir) });
  process.stderr.write(`note: ${outdir} is also cdk8s-cli's output directory, which the CLI deletes before it runs the app. `
    + 'The last synthesis and the committed files were put back, but files added or edited there since and never committed are gone. '
    + 'To keep every file, add `output: cdk8s.out` to cdk8s.yaml (a scratch directory for the CLI).\n');
  return directory;
}

/**
 * Where the state copy of `outdir` lives: in `node_modules/.cache/cdk8s-workloads/` of the nearest folder that
 * has `node_modules` (ignored by git, kept across synths, out of the CLI's reach), keyed by the directory's path;
 * beside the directory (`.<name>.cdk8s-workloads-state`) where no `node_modules` is found.
 */
function stateCopyFor(outdir: string): string {
  const dir = realDirectory(outdir);
  const key = createHash('sha256').update(dir).digest('hex').slice(0, 16);
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'node_modules'))) return path.join(d, 'node_modules', '.cache', 'cdk8s-workloads', `${path.basename(dir)}-${key}`);
    if (path.dirname(d) === d) return path.join(path.dirname(dir), `.${path.basename(dir)}.cdk8s-workloads-state`);
  }
}

/** The path with its existing part resolved through symbolic links (the directory itself need not exist). */
function realDirectory(dir: string): string {
  const resolved = path.resolve(dir);
  const existing = nearestExisting(resolved);
  // A link that is the directory itself is left as named: its target is what the CLI leaves alone.
  const real = existing === resolved && fs.lstatSync(resolved).isSymbolicLink()
    ? path.join(fs.realpathSync(path.dirname(resolved)), path.basename(resolved))
    : fs.realpathSync(existing);
  return path.join(real, path.relative(existing, resolved));
}

/**
 * Puts back committed content (git HEAD) of `outdir` that cdk8s-cli deleted, never over a file that is there: all
 * of it when `foreignOnly` is false, the directory has no ledger (a fresh clone) and HEAD has one there (a
 * synthesis wrote it); else only the committed files that no synthesis wrote (HEAD's ledger does not list them).
 * Does nothing outside a git work tree.
 */
function restoreFromGit(outdir: string, options: { foreignOnly: boolean }): void {
  const dir = realDirectory(outdir);
  if (!options.foreignOnly && fs.existsSync(path.join(dir, OutputDirectory.LEDGER_FILE))) return;
  const git = (args: string[], cwd: string) => spawnSync('git', args, { cwd, maxBuffer: 2 ** 30 });
  const top = git(['rev-parse', '--show-toplevel'], nearestExisting(path.dirname(dir)));
  if (top.status !== 0) return;
  const root = fs.realpathSync(top.stdout.toString('utf8').trim());
  const rel = path.relative(root, dir).split(path.sep).join('/');
  const listing = git(['ls-tree', '-r', '-z', '--full-tree', 'HEAD', '--', `${rel}/`], root);
  let entries = (listing.status === 0 ? listing.stdout.toString('utf8').split('\0').filter((l) => l !== '') : [])
    .map((entry) => {
      const [meta, file] = entry.split('\t');
      const [mode, type, object] = meta.split(' ');
      return { mode, type, object, name: path.posix.relative(rel, file) };
    })
    // Never over a file that is there (the CLI's Chart.yaml, a file put back from the state copy).
    .filter((e) => e.type === 'blob' && !fs.existsSync(path.join(dir, ...e.name.split('/'))));
  const read = (object: string) => {
    const content = git(['cat-file', 'blob', object], root);
    if (content.status !== 0) {
      throw new FileSystemError('EIO', dir, `${dir}: git cat-file ${object} failed: ${content.stderr.toString('utf8').trim()}`,
        'check the repository (git fsck), or add `output: cdk8s.out` to cdk8s.yaml so that nothing needs to be put back');
    }
    return content.stdout;
  };
  // Only a directory a synthesis wrote (its ledger is committed) is put back whole.
  const committedLedger = git(['cat-file', 'blob', `HEAD:${rel}/${OutputDirectory.LEDGER_FILE}`], root);
  if (!options.foreignOnly && committedLedger.status !== 0) return;
  if (options.foreignOnly) {
    const owned = committedLedger.status === 0 ? parseLedger(committedLedger.stdout.toString('utf8')) : new Map<string, string>();
    entries = entries.filter((e) => e.name !== OutputDirectory.LEDGER_FILE && !owned.has(e.name));
  }
  attempt('put back its committed content (git HEAD), which cdk8s-cli deleted', dir, () => {
    for (const e of entries) {
      const to = path.join(dir, ...e.name.split('/'));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      if (e.mode === '120000') fs.symlinkSync(read(e.object).toString('utf8'), to);
      else fs.writeFileSync(to, read(e.object), { mode: e.mode === '100755' ? 0o755 : 0o644 });
    }
  });
}

/**
 * Puts back what cdk8s-cli deleted from `outdir`: the state copy of the last synthesis, then the committed files no
 * synthesis wrote; or, with no copy on this machine (a fresh clone), the committed synthesis if HEAD holds one
 * there, then whatever an interrupted write left to finish. `onlyWhereSomethingWasKept` (at load time, in an app
 * that may not use this library's output) does nothing more, not even take the directory's lock, when neither the
 * copy nor HEAD held a synthesis. Returns whether it went through to the end.
 */
function putBackWhatTheCliDeleted(outdir: string, options: { onlyWhereSomethingWasKept: boolean }): boolean {
  const stateCopy = stateCopyFor(outdir);
  const directory = new OutputDirectory(outdir, { stateCopy });
  const ledgerIn = (dir: string) => fs.existsSync(path.join(dir, OutputDirectory.LEDGER_FILE));
  if (ledgerIn(stateCopy)) {
    directory.recover();
    restoreFromGit(outdir, { foreignOnly: true });
    return true;
  }
  restoreFromGit(outdir, { foreignOnly: false });
  if (options.onlyWhereSomethingWasKept && !ledgerIn(outdir)) return false;
  directory.recover();
  return true;
}

/** The CLI's directory (real path) when the library put it back as it loaded; see {@link openOutputDirectory}. */
let putBackAtLoad: string | undefined;

/**
 * Puts back what cdk8s-cli deleted as soon as the library is loaded, before the app runs: a synthesis that then
 * fails (the app throws) leaves the directory as the last one left it. Only where a state copy exists (an earlier
 * synthesis found the CLI deleting its output directory) or where git HEAD holds a synthesis in the CLI's
 * directory (a fresh clone of such a project); elsewhere this does nothing.
 */
function restoreOnLoad(): void {
  const cliOutdir = process.env.CDK8S_OUTDIR;
  if (!cliOutdir) return;
  try {
    if (putBackWhatTheCliDeleted(cliOutdir, { onlyWhereSomethingWasKept: true })) putBackAtLoad = realDirectory(cliOutdir);
  } catch {
    // The synthesis itself tries again and reports what fails.
  }
}

restoreOnLoad();
