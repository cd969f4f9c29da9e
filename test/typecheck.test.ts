// examples/typecheck.cjs, the type check in front of the synth app (cdk8s.yaml `app:`): a type error stops the
// synthesis, and a run in which nothing changed skips the check instead of type-checking the whole program again.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './util';

const SCRIPT = path.join(__dirname, '..', 'examples', 'typecheck.cjs');
const SKIPPED = /type check: nothing changed since the last successful check/;

function project(): string {
  const dir = tempDir('typecheck');
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, include: ['**/*.ts'] }));
  fs.mkdirSync(path.join(dir, 'lib'));
  fs.writeFileSync(path.join(dir, 'lib', 'props.ts'), 'export interface Props { readonly replicas?: number }\n');
  fs.writeFileSync(path.join(dir, 'main.ts'), "import { Props } from './lib/props';\nexport const p: Props = { replicas: 2 };\n");
  return dir;
}

function check(dir: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** Rewrites a file so that its modification time surely moves (some file systems keep whole seconds). */
function edit(file: string, content: string): void {
  fs.writeFileSync(file, content);
  const later = new Date(Date.now() + 2000);
  fs.utimesSync(file, later, later);
}

describe('examples/typecheck.cjs', () => {
  test('checks on the first run, skips while nothing changed, and checks again after an edit', () => {
    const dir = project();
    const first = check(dir);
    expect(first).toEqual({ status: 0, stderr: expect.not.stringMatching(SKIPPED) });
    expect(check(dir)).toEqual({ status: 0, stderr: expect.stringMatching(SKIPPED) });

    // A type error in a file the program imports (not the entry point) stops the command, with tsc's message.
    edit(path.join(dir, 'lib', 'props.ts'), 'export interface Props { readonly replicas?: string }\n');
    const broken = check(dir);
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toMatch(/main\.ts.*error TS2322/);
    // A failed check records nothing: the next run checks (and fails) again rather than skipping.
    expect(check(dir).status).not.toBe(0);

    edit(path.join(dir, 'lib', 'props.ts'), 'export interface Props { readonly replicas?: number }\n');
    expect(check(dir)).toEqual({ status: 0, stderr: expect.not.stringMatching(SKIPPED) });
    expect(check(dir)).toEqual({ status: 0, stderr: expect.stringMatching(SKIPPED) });
  }, 120_000);

  test('a new source file and a changed tsconfig make it check again', () => {
    const dir = project();
    expect(check(dir).status).toBe(0);
    // A new file with an error, imported by nobody: tsconfig's include still brings it into the program.
    fs.writeFileSync(path.join(dir, 'lib', 'extra.ts'), 'export const n: number = "one";\n');
    const added = check(dir);
    expect(added.status).not.toBe(0);
    expect(added.stderr).toMatch(/extra\.ts.*error TS2322/);
    fs.rmSync(path.join(dir, 'lib', 'extra.ts'));
    expect(check(dir).status).toBe(0);

    edit(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [], noUnusedLocals: true }, include: ['**/*.ts'] }));
    expect(check(dir)).toEqual({ status: 0, stderr: expect.not.stringMatching(SKIPPED) });
  }, 120_000);

  test('a copy of a checked project (its state included) checks its own files', () => {
    const dir = project();
    expect(check(dir).status).toBe(0);
    const copy = path.join(tempDir('typecheck-copy'), 'app');
    fs.cpSync(dir, copy, { recursive: true, preserveTimestamps: true });
    // Same size, same time: only where the file is tells the copy's state from the original's.
    const props = path.join(copy, 'lib', 'props.ts');
    const { mtime } = fs.statSync(props);
    fs.writeFileSync(props, 'export interface Props { readonly replicas?: String }\n'); // as long as 'number'
    fs.utimesSync(props, mtime, mtime);
    const result = check(copy);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/main\.ts.*error TS2322/);
  }, 120_000);
});
