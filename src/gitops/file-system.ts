// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import * as fs from 'fs';
import * as path from 'path';
import { WorkloadsError } from '../kubernetes/validation';

/**
 * A file-system operation of a synthesis that failed: names the path, what was attempted and the fix. A
 * WorkloadsError (docs/errors.md) whose `code` is the operating system's (`ENOTDIR`, `EACCES`, ...) and whose
 * `path` is the path the operation was attempted on. It carries no stack trace, because the cause is the
 * user's file system (a file where a folder should be, a read-only mount), not the code that noticed it.
 */
export class FileSystemError extends WorkloadsError {
  /**
   * @param code the operating system's error code
   * @param file the path the operation was attempted on
   * @param reason what was attempted and what failed
   * @param fix how to fix it, when known (appended to the message)
   */
  public constructor(code: string, file: string, reason: string, fix?: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super({ code, path: file, reason, fix }, fix === undefined ? reason : `${reason}; ${fix}`);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'FileSystemError';
  }
}

/** The nearest part of `p` that exists: `p` itself, or the closest existing folder above it. */
export function nearestExisting(p: string): string {
  let existing = p;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  return existing;
}

/** What usually fixes an operating-system error code, for the operation on `where`. */
function fixFor(code: string, where: string): string {
  // The folder that refused an entry, or the file in the way.
  const file = nearestExisting(where);
  switch (code) {
    case 'ENOTDIR': return `${file} is a file where a folder is needed; move or delete that file, or choose another output directory`;
    case 'EISDIR': return `a folder is in the way where a file is needed (${file}); move or delete it`;
    case 'EACCES':
    case 'EPERM': return `make ${file} writable for this user (chmod u+w, or chown), or choose another output directory`;
    case 'EROFS': return `${file} is on a read-only file system; synthesise into a writable directory`;
    case 'ENOSPC':
    case 'EDQUOT': return 'free disk space (or quota) and synthesise again';
    case 'ENOENT': return `${where} vanished while the synthesis ran (another tool deleting it?); synthesise again`;
    case 'ELOOP': return `${where} is a symbolic link that points back at itself; fix the link`;
    case 'EBUSY':
    case 'ETXTBSY': return `${file} is in use (a mount point, an open editor on Windows); close it or choose another output directory`;
    default: return 'check the path and its permissions, then synthesise again';
  }
}

/**
 * Runs a file-system operation, turning an operating-system error into a {@link FileSystemError} that says what
 * was attempted on which path and how to fix it. Other errors pass through unchanged.
 */
export function attempt<T>(what: string, file: string, operation: () => T): T {
  try {
    return operation();
  } catch (e) {
    throw asFileSystemError(e, what, file);
  }
}

/** `e` as a {@link FileSystemError} when it is an operating-system error, else `e` itself. */
export function asFileSystemError(e: unknown, what: string, file: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (e instanceof FileSystemError || typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return e;
  const where = (e as NodeJS.ErrnoException).path ?? file;
  return new FileSystemError(code, where, `${file}: could not ${what} (${code} on ${where})`, fixFor(code, where));
}

/** Whether `dir` is a folder this process may create entries in (false on EACCES, EPERM, EROFS). */
export function isWritableFolder(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
