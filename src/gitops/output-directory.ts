// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { withDirectoryLock } from './directory-lock';
import { asFileSystemError, attempt, FileSystemError, isWritableFolder } from './file-system';
import { workloadsError } from '../kubernetes/validation';

/** One file to write into an {@link OutputDirectory}. */
export interface OutputFile {
  /** Path relative to the directory, with `/` separators (`0000-web.k8s.yaml`, `web/Deployment.web.k8s.yaml`). */
  readonly fileName: string;
  /** The file's text. */
  readonly content: string;
}

/** What {@link OutputDirectory.replace} changed. */
export interface OutputDirectoryChange {
  /** Files written that did not exist before, sorted. */
  readonly added: string[];
  /** Files whose content changed, sorted. */
  readonly changed: string[];
  /** Files an earlier write owned that this write removed, sorted. */
  readonly removed: string[];
  /** Files in the directory that no write of this library made; kept as they were, sorted. */
  readonly kept: string[];
}

/** Files that a write merges into rather than replaces, because users may edit them (`kustomization.yaml`). */
export interface IOutputFileMerge {
  /** The files (relative paths) merged instead of replaced. */
  readonly fileNames: string[];
  /**
   * The text to write for `fileName`, given the text the write produced and the file's current content
   * (`undefined` when it does not exist).
   */
  merge(fileName: string, generated: string, current?: string): string;
}

/** Options of {@link OutputDirectory.replace}. */
export interface OutputDirectoryReplaceOptions {
  /**
   * Files merged into rather than replaced. A user may edit such a file: it is never refused as hand-edited.
   * @default - none: every file is written as given
   */
  readonly merge?: IOutputFileMerge;

  /**
   * Take over files at the paths this write produces even though no ledger lists them: for the first write into
   * a directory that an older tool (`App.synth()`, a hand-run script) filled. Without it such a file is an error,
   * because it may be a user's own file that happens to have a chart's name.
   * @default false
   */
  readonly adoptExisting?: boolean;
}

/** Options of an {@link OutputDirectory}. */
export interface OutputDirectoryOptions {
  /**
   * A folder outside the directory that keeps a copy of it as the last write left it (hard links where possible).
   * When the directory is gone or has lost its ledger (cdk8s-cli deleted it before running the app),
   * {@link OutputDirectory.recover} and every write first put the copy back, so the change guard, the ownership
   * rules and foreign files survive the CLI's deletion. Refreshed after every write.
   * @default - none
   */
  readonly stateCopy?: string;
}

const LEDGER_FILE = '.cdk8s-workloads.sha256';

const STAGING = '.staging-';
const PREVIOUS = '.previous-';
/** Inside the directory, when it is written in place: the lock and the staging folders. */
const IN_PLACE_LOCK = '.cdk8s-workloads.lock';
const IN_PLACE_STAGING = '.cdk8s-workloads.staging-';

/**
 * A directory that a synthesis writes into without ever losing what it did not write.
 *
 * - **One step.** {@link replace} builds the complete new directory beside the old one (same parent, so the same
 *   file system), then swaps the two with renames. A crash or kill before the swap leaves the old directory as it
 *   was; one between the two renames is undone by the next write ({@link recover}).
 * - **Ownership.** A ledger ({@link LEDGER_FILE}) records the files the last write made and their hashes. A write
 *   removes only files the ledger lists; every other file and folder is carried over unchanged. A listed file that
 *   was edited by hand since is not overwritten silently: the write fails and names it.
 * - **One writer.** A write holds a lock file (`.<name>.lock` beside the directory) that records its pid, host
 *   and start time; a second writer fails at once, naming the first. A lock left by a killed write is taken over.
 * - **Links and mounts.** When the directory is a symbolic link, the link stays and its target is replaced. When
 *   the directory is writable but its parent is not (a mounted folder), it is written in place: the new files are
 *   staged inside it and renamed over the old ones one by one, the ledger last; an interrupted write is finished
 *   by the next one.
 * - **Errors.** Every file-system failure is an error (`FileSystemError`) naming the path, what was attempted
 *   and the fix, without a stack trace.
 */
export class OutputDirectory {
  /**
   * The ledger's file name: the files the last write owned, as `sha256sum` lines (`<hex>  <path>`), so
   * `sha256sum -c .cdk8s-workloads.sha256` checks them. It ends in neither `.yaml`, `.yml` nor `.json`, so
   * Argo CD directory applications and Flux never load it.
   */
  public static readonly LEDGER_FILE = LEDGER_FILE;

  /** The directory. */
  public readonly path: string;

  private readonly stateCopy?: string;

  public constructor(directory: string, options: OutputDirectoryOptions = {}) {
    this.path = path.resolve(directory);
    this.stateCopy = options.stateCopy === undefined ? undefined : path.resolve(options.stateCopy);
  }

  /** The files the last write owned (relative paths, sorted); empty when the directory or its ledger is missing. */
  public ownedFiles(): string[] {
    return [...this.readLedger().keys()].sort();
  }

  /** The current content of the files the last write owned, in ledger order; missing files are left out. */
  public readOwnedFiles(): OutputFile[] {
    return attempt('read the files the last synthesis wrote', this.path, () => this.ownedFiles()
      .filter((f) => fs.existsSync(this.resolve(f)))
      .map((fileName) => ({ fileName, content: fs.readFileSync(this.resolve(fileName), 'utf8') })));
  }

  /**
   * Finishes or undoes a write that was interrupted: when the directory is missing and the previous copy is
   * beside it, the previous copy is put back; a write in place whose staged files are complete is finished.
   * Left-over staging copies are removed. Called by {@link replace}; safe to call at any time (it waits for no
   * one: while another write runs, it fails naming that writer).
   */
  public recover(): void {
    const target = this.target();
    if (!fs.existsSync(path.dirname(target))) return;
    withDirectoryLock(this.lockFile(target), this.path, () => this.recoverLocked(target));
  }

  /**
   * Replaces the files the last write owned with `files`, in one step, keeping every other file. Nothing is
   * changed when it throws.
   */
  public replace(files: OutputFile[], options: OutputDirectoryReplaceOptions = {}): OutputDirectoryChange {
    const seen = new Set<string>();
    for (const f of files) {
      const name = checkRelative(f.fileName);
      if (name === LEDGER_FILE) throw workloadsError('SYNTHESIS', 'OutputDirectory', `${this.path}: "${LEDGER_FILE}" is the directory's ledger; no synthesised file may use that name`);
      if (seen.has(name)) throw workloadsError('SYNTHESIS', 'OutputDirectory', `${this.path}: two files would be written to "${name}"; give the charts or objects distinct names`);
      seen.add(name);
    }
    const target = this.target();
    attempt('create its parent folder', path.dirname(target), () => fs.mkdirSync(path.dirname(target), { recursive: true }));
    return withDirectoryLock(this.lockFile(target), this.path, () => {
      this.recoverLocked(target);
      const change = this.replaceLocked(target, files, seen, options);
      if (this.stateCopy) attempt('keep a copy of it for the next synthesis', this.stateCopy, () => mirror(target, this.stateCopy!));
      return change;
    });
  }

  private replaceLocked(target: string, files: OutputFile[], seen: Set<string>, options: OutputDirectoryReplaceOptions): OutputDirectoryChange {
    const ledger = this.readLedger();
    const mergeable = new Set(options.merge?.fileNames ?? []);
    const foreign = attempt('read its files', this.path, () => {
      this.refuseHandEdits(ledger, mergeable);
      return this.foreignFiles(ledger);
    });
    for (const name of seen) {
      if (foreign.includes(name) && !mergeable.has(name) && !options.adoptExisting) {
        throw workloadsError('SYNTHESIS', 'OutputDirectory', `${this.resolve(name)} exists but an earlier synthesis did not write it; `
          + 'the synthesis would overwrite it. Move or rename the file, rename the chart or object that produces it, '
          + 'or, to take over a directory an older tool wrote, synthesise once with adoptExisting: true');
      }
    }

    const existed = fs.existsSync(target);
    const inPlace = existed && !isWritableFolder(path.dirname(target));
    const suffix = randomBytes(6).toString('hex');
    const staging = inPlace ? path.join(target, `${IN_PLACE_STAGING}${suffix}`) : path.join(path.dirname(target), `.${path.basename(target)}${STAGING}${suffix}`);
    let step = inPlace ? `create a staging folder inside it (its parent ${path.dirname(target)} is not writable)` : `create a staging folder beside it (${staging})`;
    try {
      // mkdir, not mkdtemp (0700): a new directory gets what any mkdir would under the umask.
      fs.mkdirSync(staging);
      if (existed && !inPlace) fs.chmodSync(staging, permissions(fs.statSync(target).mode));
      step = 'carry over the files it did not write';
      if (!inPlace) for (const name of foreign) if (!seen.has(name)) carryOver(path.join(target, name), path.join(staging, name));
      step = `write the new files into ${staging}`;
      const written = new Map<string, string>();
      for (const f of files) {
        const current = this.readIfExists(f.fileName);
        const content = options.merge && mergeable.has(f.fileName) ? options.merge.merge(f.fileName, f.content, current) : f.content;
        this.writeFile(path.join(staging, ...f.fileName.split('/')), content);
        written.set(f.fileName, content);
      }
      // The ledger last: a staging directory with a ledger is complete.
      this.writeFile(path.join(staging, LEDGER_FILE), formatLedger(written));
      const change = this.describe(ledger, written, foreign.filter((f) => !seen.has(f)));
      step = inPlace ? 'move the new files into place' : 'swap the new directory in (two renames)';
      if (inPlace) this.commitInPlace(staging, target);
      else this.swap(staging, target, existed);
      return change;
    } catch (e) {
      throw asFileSystemError(e, step, this.path);
    } finally {
      if (fs.existsSync(staging)) fs.rmSync(staging, { recursive: true, force: true });
    }
  }

  /** The real directory: the target of a symbolic link (which stays a link), else the path itself. */
  private target(): string {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.path;
      throw asFileSystemError(e, 'inspect the output directory', this.path);
    }
    if (stat.isSymbolicLink()) {
      try {
        return fs.realpathSync(this.path);
      } catch (e) {
        throw new FileSystemError('ENOENT', this.path, `${this.path}: the output directory is a symbolic link to `
          + `${fs.readlinkSync(this.path)}, which does not exist`, 'create that folder (mkdir -p) or point the link at an existing one');
      }
    }
    if (!stat.isDirectory()) {
      throw new FileSystemError('ENOTDIR', this.path, `${this.path}: the output directory is a file, not a folder`,
        'move or delete the file, or synthesise into another directory (outdir)');
    }
    return this.path;
  }

  /** Beside the directory, or inside it when its parent is not writable (then the write is in place). */
  private lockFile(target: string): string {
    const parent = path.dirname(target);
    return fs.existsSync(target) && !isWritableFolder(parent) ? path.join(target, IN_PLACE_LOCK) : path.join(parent, `.${path.basename(target)}.lock`);
  }

  private recoverLocked(target: string): void {
    const parent = path.dirname(target);
    const base = path.basename(target);
    attempt('recover from an interrupted write', target, () => {
      const leftovers = fs.readdirSync(parent).filter((f) => f.startsWith(`.${base}${STAGING}`) || f.startsWith(`.${base}${PREVIOUS}`));
      const previous = leftovers.filter((f) => f.startsWith(`.${base}${PREVIOUS}`)).sort();
      if (!fs.existsSync(target) && previous.length > 0) {
        fs.renameSync(path.join(parent, previous[previous.length - 1]), target);
      }
      for (const f of leftovers) {
        const full = path.join(parent, f);
        if (fs.existsSync(full)) fs.rmSync(full, { recursive: true, force: true });
      }
      this.restoreStateCopy(target);
      if (!fs.existsSync(target)) return;
      // A state copy to come back to, from the directory as it stands (put back from git, say) when there is none.
      const copy = this.stateCopy;
      if (copy && !fs.existsSync(path.join(copy, LEDGER_FILE)) && fs.existsSync(path.join(target, LEDGER_FILE))) mirror(target, copy);
      for (const f of fs.readdirSync(target).filter((n) => n.startsWith(IN_PLACE_STAGING)).sort()) {
        const staged = path.join(target, f);
        // A complete staging folder (it has its ledger) was being moved into place: finish that.
        if (fs.existsSync(path.join(staged, LEDGER_FILE))) this.commitInPlace(staged, target);
        fs.rmSync(staged, { recursive: true, force: true });
      }
    });
  }

  /**
   * Writes one file of the new directory (inside the staging copy, never the live directory). Subclasses may
   * wrap it, e.g. to fsync or to inject a failure in tests.
   */
  protected writeFile(file: string, content: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { encoding: 'utf8' });
  }

  /**
   * Puts back what the state copy holds when the directory has lost its ledger (cdk8s-cli deleted it): every
   * entry of the copy that the directory lacks. Files created there since (the CLI's Chart.yaml) are kept.
   */
  private restoreStateCopy(target: string): void {
    const copy = this.stateCopy;
    if (!copy || !fs.existsSync(path.join(copy, LEDGER_FILE)) || fs.existsSync(path.join(target, LEDGER_FILE))) return;
    if (!fs.existsSync(target)) {
      mirror(copy, target);
      return;
    }
    const walk = (rel: string) => {
      for (const e of fs.readdirSync(path.join(copy, rel), { withFileTypes: true })) {
        const name = path.join(rel, e.name);
        if (e.isDirectory() && fs.existsSync(path.join(target, name))) walk(name);
        else if (!fs.existsSync(path.join(target, name))) mirror(path.join(copy, name), path.join(target, name));
      }
    };
    walk('');
  }

  private swap(staging: string, target: string, existed: boolean): void {
    if (!existed) {
      fs.renameSync(staging, target);
      return;
    }
    const previous = path.join(path.dirname(target), `.${path.basename(target)}${PREVIOUS}${path.basename(staging).split(STAGING)[1]}`);
    fs.renameSync(target, previous);
    try {
      fs.renameSync(staging, target);
    } catch (e) {
      fs.renameSync(previous, target);
      throw e;
    }
    fs.rmSync(previous, { recursive: true, force: true });
  }

  /**
   * Moves a complete staging folder's files over the directory's, each with one rename, removes the files the
   * old ledger lists and the new one does not, then puts the new ledger in place. Re-running it after an
   * interruption finishes the job: files already moved are no longer staged, and the old ledger stays until last.
   */
  private commitInPlace(staging: string, target: string): void {
    const next = parseLedger(fs.readFileSync(path.join(staging, LEDGER_FILE), 'utf8'));
    for (const name of next.keys()) {
      const from = path.join(staging, ...name.split('/'));
      if (!fs.existsSync(from)) continue;
      const to = path.join(target, ...name.split('/'));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.renameSync(from, to);
    }
    for (const name of this.readLedger().keys()) {
      if (next.has(name)) continue;
      fs.rmSync(path.join(target, ...name.split('/')), { force: true });
      // Folders only this write's files filled (a removed chart's folder) go with them.
      for (let dir = path.dirname(path.join(target, ...name.split('/'))); dir !== target && isEmptyFolder(dir); dir = path.dirname(dir)) fs.rmdirSync(dir);
    }
    fs.renameSync(path.join(staging, LEDGER_FILE), path.join(target, LEDGER_FILE));
  }

  private describe(ledger: Map<string, string>, written: Map<string, string>, foreign: string[]): OutputDirectoryChange {
    const added: string[] = [];
    const changed: string[] = [];
    for (const [name, content] of written) {
      const before = this.readIfExists(name);
      if (before === undefined) added.push(name);
      else if (before !== content) changed.push(name);
    }
    const removed = [...ledger.keys()].filter((f) => !written.has(f) && fs.existsSync(this.resolve(f)));
    return { added: added.sort(), changed: changed.sort(), removed: removed.sort(), kept: [...foreign].sort() };
  }

  private refuseHandEdits(ledger: Map<string, string>, mergeable: Set<string>): void {
    const edited = [...ledger.entries()]
      .filter(([name, hash]) => !mergeable.has(name) && fs.existsSync(this.resolve(name)) && sha256(normalise(fs.readFileSync(this.resolve(name), 'utf8'))) !== hash)
      .map(([name]) => name);
    if (edited.length > 0) {
      throw workloadsError('SYNTHESIS', 'OutputDirectory', `${this.path}: ${edited.map((e) => `"${e}"`).join(', ')} changed since the last synthesis wrote ${edited.length === 1 ? 'it' : 'them'} `
        + '(the ledger records another sha256), and the synthesis would overwrite the edit. Move the change into the app, '
        + 'or restore the file (git checkout) or delete it to let the synthesis rewrite it');
    }
  }

  /** Every file under the directory (relative, `/`-separated) that the ledger does not list, plus empty folders. */
  private foreignFiles(ledger: Map<string, string>): string[] {
    if (!fs.existsSync(this.path)) return [];
    const result: string[] = [];
    const walk = (rel: string) => {
      const entries = fs.readdirSync(path.join(this.path, rel), { withFileTypes: true });
      if (rel !== '' && entries.length === 0) result.push(rel);
      for (const e of entries) {
        const name = rel === '' ? e.name : `${rel}/${e.name}`;
        if (rel === '' && (name === LEDGER_FILE || name === IN_PLACE_LOCK || name.startsWith(IN_PLACE_STAGING))) continue;
        if (e.isDirectory()) walk(name);
        else if (!ledger.has(name)) result.push(name);
      }
    };
    walk('');
    return result;
  }

  private readLedger(): Map<string, string> {
    const file = path.join(this.path, LEDGER_FILE);
    return attempt('read its ledger', file, () => (fs.existsSync(file) ? parseLedger(fs.readFileSync(file, 'utf8')) : new Map()));
  }

  private readIfExists(name: string): string | undefined {
    const file = this.resolve(name);
    return fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : undefined;
  }

  private resolve(name: string): string {
    return path.join(this.path, ...name.split('/'));
  }
}

/** A ledger's files and their hashes, by file name. @internal */
export function parseLedger(text: string): Map<string, string> {
  const ledger = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m) ledger.set(m[2], m[1]);
  }
  return ledger;
}

function isEmptyFolder(dir: string): boolean {
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length === 0;
}

function checkRelative(name: string): string {
  const parts = name.split('/');
  if (name === '' || path.isAbsolute(name) || name.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw workloadsError('SYNTHESIS', 'OutputDirectory', `output file name "${name}" must be a relative path without "." or ".." segments`);
  }
  return name;
}

/** Copies a foreign file or folder into the new directory: a hard link where possible (fast, exact), else a copy. */
function carryOver(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const stat = fs.lstatSync(from);
  if (stat.isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(from), to);
  } else if (stat.isDirectory()) {
    fs.mkdirSync(to, { mode: permissions(stat.mode) });
  } else {
    try {
      fs.linkSync(from, to);
    } catch {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, permissions(stat.mode));
    }
  }
}

/**
 * Makes `to` an exact copy of the tree at `from` (hard links where possible), replacing what `to` held: built
 * beside it, then swapped in.
 */
function mirror(from: string, to: string): void {
  const staging = `${to}${STAGING}${randomBytes(6).toString('hex')}`;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const copy = (rel: string) => {
    const source = path.join(from, rel);
    carryOver(source, path.join(staging, rel));
    if (fs.lstatSync(source).isDirectory()) for (const e of fs.readdirSync(source)) copy(path.join(rel, e));
  };
  try {
    copy('');
    const old = `${to}${PREVIOUS}${randomBytes(6).toString('hex')}`;
    if (fs.existsSync(to)) fs.renameSync(to, old);
    fs.renameSync(staging, to);
    fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function formatLedger(written: Map<string, string>): string {
  const lines = [...written.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, content]) => `${sha256(normalise(content))}  ${name}`);
  return lines.join('\n') + '\n';
}

/** Line endings as git may check them out on another machine: the ledger hashes LF text. */
function normalise(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The permission bits of a file mode (what chmod takes), without the file-type bits. */
function permissions(mode: number): number {
  return mode % 0o10000;
}
