import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { OutputDirectory } from '../src';
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
