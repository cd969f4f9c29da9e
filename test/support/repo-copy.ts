import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
// Build outputs and installs a fresh clone does not have; lines/ is rebuilt by test/toolchains.test.ts meanwhile.
const SKIP = new Set(['node_modules', '.git', 'dist-pkg', 'lib', 'cdk8s.out', 'coverage', 'test-reports', '.jsii', 'tsconfig.tsbuildinfo', 'lines', '.tmp']);

/** A copy of the repository in `parent` (node_modules linked), as a fresh clone would have it. */
export function repoCopy(parent: string): string {
  const dir = path.join(parent, 'clone');
  fs.cpSync(ROOT, dir, { recursive: true, filter: (src) => !SKIP.has(path.basename(src)) || path.dirname(src) !== ROOT });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}
