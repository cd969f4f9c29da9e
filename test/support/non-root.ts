import { spawnSync } from 'child_process';
import * as fs from 'fs';

/**
 * Running a command as a user without root's powers, so permission bits count (root writes into a 0555 folder).
 * As root, `setpriv` (util-linux, in Debian's base image) drops to `nobody`; as any other user, commands run as
 * that user. Where neither works, `skipReason` says why, for a visible skip.
 */
export interface NonRootUser {
  /** The user id commands run as; files a test prepares for them are chowned to it. */
  readonly uid: number;
  readonly gid: number;
  /** The command line that runs `command args` as that user. */
  wrap(command: string, args: string[]): { command: string; args: string[] };
  /** Gives a path (not recursively) to the user. */
  own(file: string): void;
}

const NOBODY = 65534;
/**
 * Drops to `nobody`, keeping only CAP_DAC_READ_SEARCH: the checkout may sit in a folder only root can enter (a
 * `mktemp -d` clone is 0700), and these tests are about write permissions, which that capability leaves as they are.
 */
const SETPRIV = [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search'];

function detect(): NonRootUser | string {
  const uid = process.getuid?.();
  if (uid === undefined) return 'no POSIX user ids on this platform';
  if (uid !== 0) {
    return { uid, gid: process.getgid!(), wrap: (command, args) => ({ command, args }), own: () => undefined };
  }
  const probe = spawnSync('setpriv', [...SETPRIV, 'id', '-u'], { encoding: 'utf8' });
  if (probe.error || probe.stdout.trim() !== String(NOBODY)) {
    return `running as root and setpriv cannot drop to uid ${NOBODY} (${probe.error?.message ?? probe.stderr.trim()})`;
  }
  return {
    uid: NOBODY,
    gid: NOBODY,
    wrap: (command, args) => ({ command: 'setpriv', args: [...SETPRIV, command, ...args] }),
    own: (file) => fs.chownSync(file, NOBODY, NOBODY),
  };
}

const detected = detect();

/** The non-root user, or undefined (see {@link skipReason}). */
export const nonRootUser: NonRootUser | undefined = typeof detected === 'string' ? undefined : detected;

/** Why tests that need a non-root user are skipped here; empty when they run. */
export const nonRootSkipReason: string = typeof detected === 'string' ? detected : '';
