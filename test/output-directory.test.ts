import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OutputDirectory } from '../src';
import { NonRootUser, nonRootSkipReason, nonRootUser } from './support/non-root';
import { errorOf, LEDGER, readTree, tempDir } from './util';

// OutputDirectory is the write path of every synthesis: one step, ownership by ledger, nothing foreign touched.

function write(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
}

const HAS_SHA256SUM = !spawnSync('sha256sum', ['--version']).error;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const asFiles = (files: Record<string, string>) => Object.entries(files).map(([fileName, content]) => ({ fileName, content }));

/** The parent's entries beside `dir`: staging or previous copies a write must never leave behind. */
function siblings(dir: string): string[] {
  return fs.readdirSync(path.dirname(dir)).filter((f) => f.startsWith(`.${path.basename(dir)}.`));
}

describe('OutputDirectory', () => {
  test('creates the directory with the files and a ledger, and reports them as added', () => {
    const dir = path.join(tempDir('od'), 'dist');
    const change = new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n', 'sub/b.k8s.yaml': 'b: 2\n' }));
    expect(readTree(dir)).toEqual({ 'a.k8s.yaml': 'a: 1\n', 'sub/b.k8s.yaml': 'b: 2\n' });
    expect(change).toEqual({ added: ['a.k8s.yaml', 'sub/b.k8s.yaml'], changed: [], removed: [], kept: [] });
    expect(new OutputDirectory(dir).ownedFiles()).toEqual(['a.k8s.yaml', 'sub/b.k8s.yaml']);
    expect(siblings(dir)).toEqual([]);
  });

  test('the ledger holds sha256sum lines for exactly the files written', () => {
    const dir = path.join(tempDir('od'), 'dist');
    new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n', 'sub/b.k8s.yaml': 'b: 2\n' }));
    // sha256 of "a: 1\n" and "b: 2\n", computed outside the project (printf 'a: 1\n' | sha256sum).
    expect(fs.readFileSync(path.join(dir, LEDGER), 'utf8')).toBe(
      `${sha256('a: 1\n')}  a.k8s.yaml\n${sha256('b: 2\n')}  sub/b.k8s.yaml\n`);
  });

  // Visible as skipped where coreutils' sha256sum is missing; it is on every Linux CI machine.
  (HAS_SHA256SUM ? test : test.skip)(`the ledger is checkable with sha256sum -c${HAS_SHA256SUM ? '' : ' (skipped: sha256sum not found)'}`, () => {
    const dir = path.join(tempDir('od'), 'dist');
    new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n', 'sub/b.k8s.yaml': 'b: 2\n' }));
    const check = spawnSync('sha256sum', ['-c', LEDGER], { cwd: dir, encoding: 'utf8' });
    expect(check.stdout).toBe('a.k8s.yaml: OK\nsub/b.k8s.yaml: OK\n');
  });

  test('keeps every file and folder it did not write, removes only what an earlier write owned', () => {
    const dir = tempDir('od');
    const foreign = { 'notes.txt': 'mine', 'sealed-secret.k8s.yaml': 'kind: SealedSecret\n', 'argocd/app.yaml': 'kind: Application\n' };
    write(dir, foreign);
    fs.mkdirSync(path.join(dir, 'empty-folder'));
    const out = new OutputDirectory(dir);
    out.replace(asFiles({ 'a.k8s.yaml': 'a: 1\n', 'b.k8s.yaml': 'b: 1\n' }));
    const change = out.replace(asFiles({ 'a.k8s.yaml': 'a: 2\n', 'c.k8s.yaml': 'c: 1\n' }));
    expect(change).toEqual({
      added: ['c.k8s.yaml'],
      changed: ['a.k8s.yaml'],
      removed: ['b.k8s.yaml'],
      kept: ['argocd/app.yaml', 'empty-folder', 'notes.txt', 'sealed-secret.k8s.yaml'],
    });
    expect(readTree(dir)).toEqual({ ...foreign, 'a.k8s.yaml': 'a: 2\n', 'c.k8s.yaml': 'c: 1\n' });
    expect(fs.statSync(path.join(dir, 'empty-folder')).isDirectory()).toBe(true);
  });

  test('keeps foreign files exactly: content, mode and symlinks', () => {
    const dir = tempDir('od');
    write(dir, { 'run.sh': '#!/bin/sh\n' });
    fs.chmodSync(path.join(dir, 'run.sh'), 0o750);
    fs.symlinkSync('run.sh', path.join(dir, 'link'));
    new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n' }));
    expect(fs.statSync(path.join(dir, 'run.sh')).mode % 0o1000).toBe(0o750);
    expect(fs.readlinkSync(path.join(dir, 'link'))).toBe('run.sh');
  });

  test('refuses to overwrite a file it did not write, unless told to adopt it', () => {
    const dir = tempDir('od');
    write(dir, { 'web.k8s.yaml': 'hand-made\n' });
    const out = new OutputDirectory(dir);
    expect(errorOf(() => out.replace(asFiles({ 'web.k8s.yaml': 'generated\n' }))))
      .toMatch(/web\.k8s\.yaml exists but an earlier synthesis did not write it; .*adoptExisting: true/);
    expect(readTree(dir, { ledger: true })).toEqual({ 'web.k8s.yaml': 'hand-made\n' });
    out.replace(asFiles({ 'web.k8s.yaml': 'generated\n' }), { adoptExisting: true });
    expect(readTree(dir)).toEqual({ 'web.k8s.yaml': 'generated\n' });
  });

  test('refuses to overwrite a file edited by hand since it wrote it, naming the file and the way out', () => {
    const dir = tempDir('od');
    const out = new OutputDirectory(dir);
    out.replace(asFiles({ 'a.k8s.yaml': 'a: 1\n', 'b.k8s.yaml': 'b: 1\n' }));
    fs.writeFileSync(path.join(dir, 'b.k8s.yaml'), 'b: edited\n');
    const before = readTree(dir, { ledger: true });
    expect(errorOf(() => out.replace(asFiles({ 'a.k8s.yaml': 'a: 2\n', 'b.k8s.yaml': 'b: 2\n' }))))
      .toMatch(/"b\.k8s\.yaml" changed since the last synthesis wrote it .* Move the change into the app, or restore the file \(git checkout\) or delete it/);
    expect(readTree(dir, { ledger: true })).toEqual(before);
  });

  test('a file checked out with CRLF line endings does not count as edited', () => {
    const dir = tempDir('od');
    const out = new OutputDirectory(dir);
    out.replace(asFiles({ 'a.k8s.yaml': 'a: 1\nb: 2\n' }));
    fs.writeFileSync(path.join(dir, 'a.k8s.yaml'), 'a: 1\r\nb: 2\r\n');
    out.replace(asFiles({ 'a.k8s.yaml': 'a: 3\n' }));
    expect(readTree(dir)).toEqual({ 'a.k8s.yaml': 'a: 3\n' });
  });

  test('merges files it is told to merge, passing their current content', () => {
    const dir = tempDir('od');
    const out = new OutputDirectory(dir);
    out.replace(asFiles({ 'list.txt': 'generated\n' }));
    fs.appendFileSync(path.join(dir, 'list.txt'), 'user line\n');
    const seen: Array<string | undefined> = [];
    const merge = { fileNames: ['list.txt'], merge: (name: string, generated: string, current?: string) => { seen.push(name, generated, current); return `${current}merged\n`; } };
    out.replace(asFiles({ 'list.txt': 'this write' }), { merge });
    expect(seen).toEqual(['list.txt', 'this write', 'generated\nuser line\n']);
    expect(readTree(dir)).toEqual({ 'list.txt': 'generated\nuser line\nmerged\n' });
  });

  test.each([
    ['../escape.yaml', /must be a relative path/],
    ['/etc/passwd', /must be a relative path/],
    ['a/./b.yaml', /must be a relative path/],
    [LEDGER, /is the directory's ledger/],
  ])('refuses the file name %j', (fileName, message) => {
    const dir = tempDir('od');
    expect(errorOf(() => new OutputDirectory(dir).replace([{ fileName, content: 'x' }]))).toMatch(message);
    expect(readTree(dir, { ledger: true })).toEqual({});
  });

  test('refuses two files with one name', () => {
    const dir = tempDir('od');
    expect(errorOf(() => new OutputDirectory(dir).replace(asFiles({ a: '1' }).concat(asFiles({ a: '2' })))))
      .toMatch(/two files would be written to "a"/);
  });

  test('a failure in the middle of writing leaves the directory byte for byte as it was, and no copy beside it', () => {
    const dir = tempDir('od');
    const out = new OutputDirectory(dir);
    write(dir, { 'notes.txt': 'mine' });
    out.replace(asFiles({ 'a.k8s.yaml': 'a: 1\n', 'b.k8s.yaml': 'b: 1\n', 'c.k8s.yaml': 'c: 1\n' }));
    const before = readTree(dir, { ledger: true });
    let writes = 0;
    class FailingDirectory extends OutputDirectory {
      protected writeFile(file: string, content: string): void {
        if (++writes === 2) throw new Error('injected: disk full after one file');
        super.writeFile(file, content);
      }
    }
    const failing = new FailingDirectory(dir);
    expect(errorOf(() => failing.replace(asFiles({ 'a.k8s.yaml': 'a: 2\n', 'b.k8s.yaml': 'b: 2\n', 'c.k8s.yaml': 'c: 2\n' })))).toMatch(/injected/);
    expect(writes).toBe(2);
    expect(readTree(dir, { ledger: true })).toEqual(before);
    expect(siblings(dir)).toEqual([]);
  });

  test('a write killed between its two renames is undone by the next write', () => {
    // The state a kill leaves: the directory renamed away to its previous copy, the new one still staged.
    const parent = tempDir('od');
    const dir = path.join(parent, 'dist');
    new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n' }));
    write(dir, { 'notes.txt': 'mine' });
    const before = readTree(dir, { ledger: true });
    fs.renameSync(dir, path.join(parent, '.dist.previous-abc123'));
    fs.mkdirSync(path.join(parent, '.dist.staging-abc123'));
    write(path.join(parent, '.dist.staging-abc123'), { 'a.k8s.yaml': 'half' });

    const out = new OutputDirectory(dir);
    out.recover();
    expect(readTree(dir, { ledger: true })).toEqual(before);
    expect(siblings(dir)).toEqual([]);
    out.replace(asFiles({ 'a.k8s.yaml': 'a: 2\n' }));
    expect(readTree(dir)).toEqual({ 'a.k8s.yaml': 'a: 2\n', 'notes.txt': 'mine' });
  });

  test('readOwnedFiles returns what the last write recorded', () => {
    const dir = tempDir('od');
    write(dir, { 'notes.txt': 'mine' });
    const out = new OutputDirectory(dir);
    expect(out.readOwnedFiles()).toEqual([]);
    out.replace(asFiles({ 'b.k8s.yaml': 'b\n', 'a.k8s.yaml': 'a\n' }));
    expect(out.readOwnedFiles()).toEqual(asFiles({ 'a.k8s.yaml': 'a\n', 'b.k8s.yaml': 'b\n' }));
  });
});

const ROOT = path.join(__dirname, '..');
// Resolved, not joined to ROOT: CI's newest-peers run resolves the repository's tools one directory up.
const TSX = require.resolve('tsx/cjs');

/** Runs a script that uses OutputDirectory (from src/) in a child Node process, optionally as a non-root user. */
function runScript(script: string, args: string[], user?: NonRootUser): { status: number | null; stdout: string; stderr: string } {
  const file = path.join(tempDir('od-script'), 'script.js');
  fs.writeFileSync(file, script);
  fs.chmodSync(path.dirname(file), 0o755);
  const base = [process.execPath, '--require', TSX, file, ...args];
  const { command, args: all } = user ? user.wrap(base[0], base.slice(1)) : { command: base[0], args: base.slice(1) };
  const result = spawnSync(command, all, { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const REPLACE_SCRIPT = `
const { OutputDirectory } = require(${JSON.stringify(path.join(ROOT, 'src', 'gitops', 'output-directory'))});
const [dir, files] = process.argv.slice(2);
try {
  const change = new OutputDirectory(dir).replace(JSON.parse(files));
  process.stdout.write(JSON.stringify(change));
} catch (e) {
  process.stderr.write(e.message);
  process.exitCode = 1;
}
`;

describe('OutputDirectory on every layout', () => {
  test('a symlinked directory stays a link; its target gets the new output and keeps foreign files', () => {
    const root = tempDir('od-link');
    const target = path.join(root, 'shared', 'manifests');
    write(target, { 'notes.txt': 'mine\n' });
    const link = path.join(root, 'app', 'dist');
    fs.mkdirSync(path.dirname(link));
    fs.symlinkSync('../shared/manifests', link);
    const out = new OutputDirectory(link);
    out.replace(asFiles({ 'a.k8s.yaml': 'a: 1\n', 'b.k8s.yaml': 'b: 1\n' }));
    const change = out.replace(asFiles({ 'a.k8s.yaml': 'a: 2\n' }));
    expect(change).toEqual({ added: [], changed: ['a.k8s.yaml'], removed: ['b.k8s.yaml'], kept: ['notes.txt'] });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(link)).toBe('../shared/manifests');
    expect(readTree(target)).toEqual({ 'a.k8s.yaml': 'a: 2\n', 'notes.txt': 'mine\n' });
    expect(readTree(link)).toEqual(readTree(target));
    expect(fs.readdirSync(path.dirname(link))).toEqual(['dist']);
    expect(siblings(target)).toEqual([]);
  });

  test('a link to a folder that does not exist is an error naming the link and its target', () => {
    const root = tempDir('od-link');
    fs.symlinkSync('missing', path.join(root, 'dist'));
    const message = errorOf(() => new OutputDirectory(path.join(root, 'dist')).replace(asFiles({ 'a.k8s.yaml': 'a\n' })));
    expect(message).toBe(`${path.join(root, 'dist')}: the output directory is a symbolic link to missing, which does not exist; `
      + 'create that folder (mkdir -p) or point the link at an existing one');
  });

  test('a file where the directory should be (ENOTDIR) is a library error without a stack trace; nothing changes', () => {
    const root = tempDir('od-file');
    write(root, { dist: 'I am a file\n' });
    let error: any;
    try {
      new OutputDirectory(path.join(root, 'dist')).replace(asFiles({ 'a.k8s.yaml': 'a\n' }));
    } catch (e) {
      error = e;
    }
    expect(error.name).toBe('FileSystemError');
    expect(error.message).toBe(`${path.join(root, 'dist')}: the output directory is a file, not a folder; move or delete the file, `
      + 'or synthesise into another directory (outdir)');
    expect(error.stack).not.toMatch(/\n\s+at /);
    // A WorkloadsError like every other: the code, the path and the fix as fields (docs/errors.md).
    expect([error.code, error.path, error.fix]).toEqual(['ENOTDIR', path.join(root, 'dist'), 'move or delete the file, or synthesise into another directory (outdir)']);
    expect(readTree(root)).toEqual({ dist: 'I am a file\n' });
  });

  test('a file where a parent folder should be is a library error naming the attempt and the fix', () => {
    const root = tempDir('od-file');
    write(root, { build: 'a file\n' });
    const message = errorOf(() => new OutputDirectory(path.join(root, 'build', 'dist')).replace(asFiles({ 'a.k8s.yaml': 'a\n' })));
    const dir = path.join(root, 'build', 'dist');
    expect(message).toBe(`${dir}: could not inspect the output directory (ENOTDIR on ${dir}); ${path.join(root, 'build')} is a file where a folder is needed; `
      + 'move or delete that file, or choose another output directory');
  });

  test('a synthesis held by another live writer fails at once, naming it; the directory is untouched', () => {
    const parent = tempDir('od-lock');
    const dir = path.join(parent, 'dist');
    new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n' }));
    const before = readTree(dir, { ledger: true });
    // This process is alive, so its lock is not stale.
    fs.writeFileSync(path.join(parent, '.dist.lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), started: '2026-12-06T10:00:00.000Z', token: 'other' }));
    expect(errorOf(() => new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 2\n' })))).toBe(
      `${dir}: another synthesis is writing it (process ${process.pid} on ${os.hostname()}, since 2026-12-06T10:00:00.000Z; `
      + `lock ${path.join(parent, '.dist.lock')}). Nothing was written; run one synthesis at a time into a directory `
      + `(wait for the other, then synthesise again); if no synthesis is running there, delete ${path.join(parent, '.dist.lock')}`);
    expect(readTree(dir, { ledger: true })).toEqual(before);
  });

  test('a lock left by a killed synthesis (its process is gone) is taken over', () => {
    const parent = tempDir('od-lock');
    const dir = path.join(parent, 'dist');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.writeFileSync(path.join(parent, '.dist.lock'), JSON.stringify({ pid: Number(gone.stdout), host: os.hostname(), started: '2026-12-06T10:00:00.000Z', token: 'dead' }));
    new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n' }));
    expect(readTree(dir)).toEqual({ 'a.k8s.yaml': 'a: 1\n' });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  test('an interrupted write in place (staged files complete) is finished by the next write', () => {
    const dir = tempDir('od-inplace');
    new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n', 'old/b.k8s.yaml': 'b: 1\n' }));
    write(dir, { 'notes.txt': 'mine\n' });
    // What a kill leaves after moving a.k8s.yaml of a write of {a: 2, c: 1}: c still staged, the new ledger last.
    const staged = path.join(dir, '.cdk8s-workloads.staging-abc123');
    write(staged, { 'c.k8s.yaml': 'c: 1\n', [LEDGER]: `${sha256('a: 2\n')}  a.k8s.yaml\n${sha256('c: 1\n')}  c.k8s.yaml\n` });
    fs.writeFileSync(path.join(dir, 'a.k8s.yaml'), 'a: 2\n');
    new OutputDirectory(dir).recover();
    expect(readTree(dir, { ledger: true })).toEqual({
      'a.k8s.yaml': 'a: 2\n',
      'c.k8s.yaml': 'c: 1\n',
      'notes.txt': 'mine\n',
      [LEDGER]: `${sha256('a: 2\n')}  a.k8s.yaml\n${sha256('c: 1\n')}  c.k8s.yaml\n`,
    });
    expect(fs.existsSync(path.join(dir, 'old'))).toBe(false);
  });

  const asUser = nonRootUser ? test : test.skip;
  const why = nonRootUser ? '' : ` (skipped: ${nonRootSkipReason})`;

  asUser(`a writable directory under a read-only parent is written in place, keeping every guarantee${why}`, () => {
    const user = nonRootUser!;
    const parent = tempDir('od-ro');
    const dir = path.join(parent, 'dist');
    new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n', 'sub/b.k8s.yaml': 'b: 1\n' }));
    write(dir, { 'notes.txt': 'mine\n' });
    for (const file of [dir, path.join(dir, 'sub'), ...fs.readdirSync(dir).map((f) => path.join(dir, f))]) user.own(file);
    fs.chmodSync(parent, 0o555);
    user.own(parent); // owned by the user but read-only: even the owner cannot create entries
    const files = JSON.stringify(asFiles({ 'a.k8s.yaml': 'a: 2\n', 'c.k8s.yaml': 'c: 1\n' }));
    const result = runScript(REPLACE_SCRIPT, [dir, files], user);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ added: ['c.k8s.yaml'], changed: ['a.k8s.yaml'], removed: ['sub/b.k8s.yaml'], kept: ['notes.txt'] });
    expect(readTree(dir, { ledger: true })).toEqual({
      'a.k8s.yaml': 'a: 2\n',
      'c.k8s.yaml': 'c: 1\n',
      'notes.txt': 'mine\n',
      [LEDGER]: `${sha256('a: 2\n')}  a.k8s.yaml\n${sha256('c: 1\n')}  c.k8s.yaml\n`,
    });
    expect(fs.readdirSync(parent)).toEqual(['dist']);
  });

  asUser(`a read-only directory (EACCES) is a library error naming the path, the attempt and the fix; nothing changes${why}`, () => {
    const user = nonRootUser!;
    const parent = tempDir('od-ro');
    const dir = path.join(parent, 'dist');
    new OutputDirectory(dir).replace(asFiles({ 'a.k8s.yaml': 'a: 1\n' }));
    fs.chmodSync(parent, 0o555);
    const before = readTree(dir, { ledger: true });
    const result = runScript(REPLACE_SCRIPT, [dir, JSON.stringify(asFiles({ 'a.k8s.yaml': 'a: 2\n' }))], user);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^${dir}: could not create its lock file \\(EACCES on ${dir}/.cdk8s-workloads.lock\\.[0-9a-f]+\\); `
      + `make ${dir} writable for this user \\(chmod u\\+w, or chown\\), or choose another output directory$`));
    expect(readTree(dir, { ledger: true })).toEqual(before);
  });
});

describe('concurrent writers', () => {
  const WRITERS = 4;
  const ROUNDS = 15;

  // Each writer waits for a start signal, then replaces the directory ROUNDS times with its own files (writing
  // slowly, so the writes overlap), and reports each outcome.
  const WRITER_SCRIPT = `
const fs = require('fs');
const { OutputDirectory } = require(${JSON.stringify(path.join(ROOT, 'src', 'gitops', 'output-directory'))});
const [dir, go, id, rounds] = process.argv.slice(2);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
class Slow extends OutputDirectory {
  writeFile(file, content) { super.writeFile(file, content); sleep(1); }
}
while (!fs.existsSync(go)) sleep(2);
const outcomes = [];
for (let round = 0; round < Number(rounds); round++) {
  const files = [
    { fileName: 'shared.k8s.yaml', content: 'writer: ' + id + '\\nround: ' + round + '\\n' },
    { fileName: 'writer-' + id + '.k8s.yaml', content: 'only ' + id + '\\n' },
    { fileName: 'folder-' + (round % 2) + '/x.k8s.yaml', content: 'x ' + id + '\\n' },
  ];
  try {
    new Slow(dir).replace(files);
    outcomes.push('ok');
  } catch (e) {
    outcomes.push(e.message);
  }
  sleep(Math.floor(Math.random() * 3));
}
process.stdout.write(JSON.stringify({ pid: process.pid, outcomes }));
`;

  test(`${WRITERS} processes x ${ROUNDS} rounds into one directory: each write completes or fails at once naming the other; never a corrupt directory`, async () => {
    const parent = tempDir('od-concurrent');
    const dir = path.join(parent, 'dist');
    new OutputDirectory(dir).replace(asFiles({ 'shared.k8s.yaml': 'initial\n' }));
    write(dir, { 'notes.txt': 'mine\n', 'argocd/app.yaml': 'kind: Application\n' });
    const script = path.join(parent, 'writer.js');
    fs.writeFileSync(script, WRITER_SCRIPT);
    const go = path.join(parent, 'go');
    const writers = [...Array(WRITERS).keys()].map((id) => new Promise<{ pid: number; outcomes: string[] }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--require', TSX, script, dir, go, String(id), String(ROUNDS)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => out += d);
      child.stderr.on('data', (d) => err += d);
      child.on('close', (status) => (status === 0 ? resolve(JSON.parse(out)) : reject(new Error(`writer ${id} exited ${status}: ${err}`))));
    }));
    // Every writer has loaded the library (tsx compiles it once per process) before any starts.
    await new Promise((r) => setTimeout(r, 1500));
    fs.writeFileSync(go, '');
    const results = await Promise.all(writers);

    const pids = results.map((r) => r.pid);
    const outcomes = results.flatMap((r) => r.outcomes.map((o) => ({ pid: r.pid, o })));
    expect(outcomes).toHaveLength(WRITERS * ROUNDS);
    const failures = outcomes.filter(({ o }) => o !== 'ok');
    for (const { pid, o } of failures) {
      const holder = /^\S+: another synthesis is writing it \(process (\d+) on [^,]+, since [^;]+; lock \S+\)\. Nothing was written;/.exec(o);
      expect(holder === null ? o : 'a lock error').toBe('a lock error');
      expect(pids.filter((p) => p !== pid)).toContain(Number(holder![1]));
    }
    // Both outcomes happened: the writes did overlap, and writes did get through.
    expect(failures.length).toBeGreaterThan(0);
    expect(outcomes.length - failures.length).toBeGreaterThan(0);

    // The directory: the last successful write's files, exactly as its ledger says, plus the foreign files.
    const tree = readTree(dir, { ledger: true });
    const ledger = tree[LEDGER].trimEnd().split('\n').map((l) => l.split('  '));
    for (const [hash, name] of ledger) expect(sha256(tree[name] ?? '(missing)')).toBe(hash);
    expect(Object.keys(tree).sort()).toEqual([LEDGER, 'argocd/app.yaml', 'notes.txt', ...ledger.map(([, n]) => n)].sort());
    expect(tree['notes.txt']).toBe('mine\n');
    const writer = /^writer: (\d+)/.exec(tree['shared.k8s.yaml'])![1];
    expect(ledger.map(([, n]) => n)).toContain(`writer-${writer}.k8s.yaml`);
    expect(fs.readdirSync(parent).sort()).toEqual(['dist', 'go', 'writer.js']);
  }, 120_000);
});
