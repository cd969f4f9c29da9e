import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
// Build outputs and installs a fresh clone does not have (paths from the root); lines/ is what
// `npx projen line:plus-33` writes, tools/kubectl/node_modules holds 140 MB of kubectl and helm.
const SKIP = new Set(['node_modules', '.git', 'dist-pkg', 'lib', 'cdk8s.out', 'coverage', 'test-reports', '.jsii', 'tsconfig.tsbuildinfo', 'lines', '.tmp',
  '.ci/node/node_modules', '.ci/.work', 'tools/kubectl/node_modules']);

/** A copy of the repository in `parent` (node_modules linked), as a fresh clone would have it. */
export function repoCopy(parent: string): string {
  const dir = path.join(parent, 'clone');
  fs.cpSync(ROOT, dir, { recursive: true, filter: (src) => !SKIP.has(path.relative(ROOT, src).split(path.sep).join('/')) });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}
