import * as fs from 'fs';
import { RUN_TMPDIR } from './jest-tmpdir-setup';

/** jest globalTeardown: removes the run's temporary directory that jest-tmpdir-setup.ts made, and only that. */
export default function teardown(): void {
  const dir = process.env[RUN_TMPDIR];
  if (dir && /cdk8s-workloads-test-[^/]+$/.test(dir)) fs.rmSync(dir, { recursive: true, force: true });
}
