// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

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

const LEDGER_FILE = '.cdk8s-workloads.sha256';

const STAGING = '.staging-';
const PREVIOUS = '.previous-';

/**
 * A directory that a synthesis writes into without ever losing what it did not write.
 *
 * - **One step.** {@link replace} builds the complete new directory beside the old one (same parent, so the same
 *   file system), then swaps the two with renames. A crash or kill before the swap leaves the old directory as it
 *   was; one between the two renames is undone by the next write ({@link recover}).
 * - **Ownership.** A ledger ({@link LEDGER_FILE}) records the files the last write made and their hashes. A write
 *   removes only files the ledger lists; every other file and folder is carried over unchanged. A listed file that
 *   was edited by hand since is not overwritten silently: the write fails and names it.
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

  public constructor(directory: string) {
    this.path = path.resolve(directory);
  }

  /** The files the last write owned (relative paths, sorted); empty when the directory or its ledger is missing. */
  public ownedFiles(): string[] {
    return [...this.readLedger().keys()].sort();
  }

  /** The current content of the files the last write owned, in ledger order; missing files are left out. */
  public readOwnedFiles(): OutputFile[] {
    return this.ownedFiles()
      .filter((f) => fs.existsSync(this.resolve(f)))
      .map((fileName) => ({ fileName, content: fs.readFileSync(this.resolve(fileName), 'utf8') }));
  }

  /**
   * Finishes or undoes a write that was interrupted between its two renames: when the directory is missing and
   * the previous copy is beside it, the previous copy is put back. Left-over staging copies are removed.
   * Called by {@link replace}; safe to call at any time.
   */
  public recover(): void {
    const parent = path.dirname(this.path);
    if (!fs.existsSync(parent)) return;
    const base = path.basename(this.path);
    const leftovers = fs.readdirSync(parent).filter((f) => f.startsWith(`.${base}${STAGING}`) || f.startsWith(`.${base}${PREVIOUS}`));
    const previous = leftovers.filter((f) => f.startsWith(`.${base}${PREVIOUS}`)).sort();
    if (!fs.existsSync(this.path) && previous.length > 0) {
      fs.renameSync(path.join(parent, previous[previous.length - 1]), this.path);
    }
    for (const f of leftovers) {
      const full = path.join(parent, f);
      if (fs.existsSync(full)) fs.rmSync(full, { recursive: true, force: true });
    }
  }

  /**
   * Replaces the files the last write owned with `files`, in one step, keeping every other file. Nothing is
   * changed when it throws.
   */
  public replace(files: OutputFile[], options: OutputDirectoryReplaceOptions = {}): OutputDirectoryChange {
    const seen = new Set<string>();
    for (const f of files) {
      const name = checkRelative(f.fileName);
      if (name === LEDGER_FILE) throw new Error(`${this.path}: "${LEDGER_FILE}" is the directory's ledger; no synthesised file may use that name`);
      if (seen.has(name)) throw new Error(`${this.path}: two files would be written to "${name}"; give the charts or objects distinct names`);
      seen.add(name);
    }
    this.recover();

    const ledger = this.readLedger();
    const mergeable = new Set(options.merge?.fileNames ?? []);
    this.refuseHandEdits(ledger, mergeable);
    const foreign = this.foreignFiles(ledger);
    for (const name of seen) {
      if (foreign.includes(name) && !mergeable.has(name) && !options.adoptExisting) {
        throw new Error(`${this.resolve(name)} exists but an earlier synthesis did not write it; `
          + 'the synthesis would overwrite it. Move or rename the file, rename the chart or object that produces it, '
          + 'or, to take over a directory an older tool wrote, synthesise once with adoptExisting: true');
      }
    }

    const parent = path.dirname(this.path);
    fs.mkdirSync(parent, { recursive: true });
    const base = path.basename(this.path);
    // mkdir, not mkdtemp (0700): a new directory gets what any mkdir would under the umask.
    const staging = path.join(parent, `.${base}${STAGING}${randomBytes(6).toString('hex')}`);
    fs.mkdirSync(staging);
    try {
      const existed = fs.existsSync(this.path);
      if (existed) fs.chmodSync(staging, permissions(fs.statSync(this.path).mode));
      for (const name of foreign) if (!seen.has(name)) carryOver(path.join(this.path, name), path.join(staging, name));
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
      this.swap(staging, existed);
      return change;
    } finally {
      if (fs.existsSync(staging)) fs.rmSync(staging, { recursive: true, force: true });
    }
  }

  /**
   * Writes one file of the new directory (inside the staging copy, never the live directory). Subclasses may
   * wrap it, e.g. to fsync or to inject a failure in tests.
   */
  protected writeFile(file: string, content: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { encoding: 'utf8' });
  }

  private swap(staging: string, existed: boolean): void {
    if (!existed) {
      fs.renameSync(staging, this.path);
      return;
    }
    const previous = path.join(path.dirname(this.path), `.${path.basename(this.path)}${PREVIOUS}${path.basename(staging).split(STAGING)[1]}`);
    fs.renameSync(this.path, previous);
    try {
      fs.renameSync(staging, this.path);
    } catch (e) {
      fs.renameSync(previous, this.path);
      throw e;
    }
    fs.rmSync(previous, { recursive: true, force: true });
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
      throw new Error(`${this.path}: ${edited.map((e) => `"${e}"`).join(', ')} changed since the last synthesis wrote ${edited.length === 1 ? 'it' : 'them'} `
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
        if (name === LEDGER_FILE) continue;
        if (e.isDirectory()) walk(name);
        else if (!ledger.has(name)) result.push(name);
      }
    };
    walk('');
    return result;
  }

  private readLedger(): Map<string, string> {
    const file = path.join(this.path, LEDGER_FILE);
    const ledger = new Map<string, string>();
    if (!fs.existsSync(file)) return ledger;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      if (m) ledger.set(m[2], m[1]);
    }
    return ledger;
  }

  private readIfExists(name: string): string | undefined {
    const file = this.resolve(name);
    return fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : undefined;
  }

  private resolve(name: string): string {
    return path.join(this.path, ...name.split('/'));
  }
}

function checkRelative(name: string): string {
  const parts = name.split('/');
  if (name === '' || path.isAbsolute(name) || name.includes('\\') || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`output file name "${name}" must be a relative path without "." or ".." segments`);
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
