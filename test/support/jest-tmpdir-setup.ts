import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The variable that names this run's temporary directory (jest-tmpdir-teardown.ts removes it). */
export const RUN_TMPDIR = 'CDK8S_WORKLOADS_TEST_TMPDIR';

/**
 * jest globalSetup: one temporary directory for the whole run, set as TMPDIR before the workers start, so
 * everything the tests and the libraries they call put into os.tmpdir() (cdk8s' cdk8s.outdir.* for every
 * App without an outdir, tempDir(), child processes) goes there and is removed at the end of the run.
 */
export default function setup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-workloads-test-'));
  // It stands in for /tmp, so it gets /tmp's mode (mkdtemp makes it 0700): the non-root tests
  // (support/non-root.ts) run tools such as tsx that keep a cache in TMPDIR.
  fs.chmodSync(dir, 0o1777);
  process.env[RUN_TMPDIR] = dir;
  process.env.TMPDIR = dir;
}
