// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import { asFileSystemError, attempt, FileSystemError } from './file-system';

/** Who holds a lock: what the lock file records. */
interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  readonly token: string;
}

/**
 * Runs `work` while holding the lock file `file`, which records pid, host, start time and a token. A second
 * writer does not wait: it fails at once, naming the holder. A lock whose holder is gone (same host, no such
 * process: a killed synthesis) is taken over. The lock appears complete or not at all (written to a private
 * file, then hard-linked into place, which fails when a lock exists).
 */
export function withDirectoryLock<T>(file: string, directory: string, work: () => T): T {
  const me: Holder = { pid: process.pid, host: os.hostname(), started: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  const mine = `${file}.${me.token}`;
  attempt('create its lock file', directory, () => fs.writeFileSync(mine, `${JSON.stringify(me)}\n`, { flag: 'wx' }));
  try {
    acquire(file, mine, directory);
  } finally {
    fs.rmSync(mine, { force: true });
  }
  try {
    return work();
  } finally {
    // Only our own lock: a stale-lock takeover by another writer must not be undone.
    if (readHolder(file)?.token === me.token) fs.rmSync(file, { force: true });
  }
}

function acquire(file: string, mine: string, directory: string): void {
  for (let tries = 0; tries < 3; tries++) {
    try {
      fs.linkSync(mine, file);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw asFileSystemError(e, 'create its lock file', directory);
    }
    const holder = readHolder(file);
    if (holder === undefined) continue; // released between our link and our read
    if (!isStale(holder)) throw busy(file, directory, holder);
    breakStaleLock(file, holder);
  }
  throw busy(file, directory, readHolder(file));
}

/** Moves a stale lock aside; if the lock changed hands meanwhile, the live one is put back. */
function breakStaleLock(file: string, stale: Holder): void {
  const aside = `${file}.stale-${randomBytes(6).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return; // someone else broke it first
  }
  const taken = readHolder(aside);
  if (taken && taken.token !== stale.token) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third writer holds the lock now; the one moved aside had just started and will fail at its release check.
    }
  }
  fs.rmSync(aside, { force: true });
}

/** A lock file that cannot be read or parsed: held by an unknown writer, never presumed stale (pid 0). */
const UNKNOWN_HOLDER: Holder = { pid: 0, host: '?', started: '?', token: '?' };

function readHolder(file: string): Holder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof holder?.pid === 'number' && typeof holder?.token === 'string' ? holder : UNKNOWN_HOLDER;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : UNKNOWN_HOLDER;
  }
}

/** A lock from this host whose process no longer runs. Locks from other hosts are never presumed stale. */
function isStale(holder: Holder): boolean {
  if (holder.host !== os.hostname() || holder.pid <= 0) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function busy(file: string, directory: string, holder: Holder | undefined): FileSystemError {
  const who = holder ? `process ${holder.pid} on ${holder.host}, since ${holder.started}` : 'another process';
  return new FileSystemError('EBUSY', directory, `${directory}: another synthesis is writing it (${who}; lock ${file}). Nothing was written`,
    `run one synthesis at a time into a directory (wait for the other, then synthesise again); if no synthesis is running there, delete ${file}`);
}
