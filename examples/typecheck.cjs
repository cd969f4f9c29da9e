#!/usr/bin/env node
// The type check in front of the synth app (cdk8s.yaml `app:`): `node examples/typecheck.cjs -p <tsconfig>`.
//
// The app itself runs transpile-only (tsx), so without a check a misspelt prop would silently take its default.
// `tsc --noEmit --incremental` still loads and hashes the whole program on every run (seconds, even when nothing
// changed), so this runs it only when something it read has changed since the last successful check: every file of
// the program (sources, the libraries' .d.ts files, TypeScript itself), the tsconfig files, and the directories
// holding the sources (a file added or removed). Unchanged means same size and modification time, as make decides.
// A failed check records nothing, so the next run checks again; errors go to stderr (cdk8s-cli shows only stderr)
// and the exit status stops the `&&` before the app.
//
// The same works for your own app: copy this file and use `app: node typecheck.cjs -p tsconfig.json && node
// --require tsx/cjs main.ts` (state in .tmp/, which belongs in .gitignore).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
const projectAt = args.indexOf('-p');
const project = path.resolve(projectAt >= 0 ? args[projectAt + 1] : 'tsconfig.json');
const stateDir = path.resolve(process.env.TYPECHECK_STATE_DIR || '.tmp');
const name = path.relative(process.cwd(), project).replace(/[^A-Za-z0-9]+/g, '-');
const stampFile = path.join(stateDir, `typecheck-${name}.json`);
const buildInfo = path.join(stateDir, `typecheck-${name}.tsbuildinfo`);
const tsc = require.resolve('typescript/bin/tsc', { paths: [process.cwd(), __dirname] });

/** Size and modification time, or null for a file that is gone. */
function fingerprint(file) {
  try {
    const s = fs.statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

/** The tsconfig and every file it extends (relative paths only; a package's tsconfig is in node_modules anyway). */
function tsconfigChain(file, seen = []) {
  if (seen.includes(file)) return seen;
  seen.push(file);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const ext = /"extends"\s*:\s*"([^"]+)"/.exec(text);
  if (ext && ext[1].startsWith('.')) {
    const next = path.resolve(path.dirname(file), ext[1]);
    tsconfigChain(next.endsWith('.json') ? next : `${next}.json`, seen);
  }
  return seen;
}

function upToDate() {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
  } catch {
    return false;
  }
  // A copied or moved project (its .tmp/ included) records another place's files: check again.
  if (stamp.project !== project || stamp.tsc !== tsc || JSON.stringify(stamp.args) !== JSON.stringify(args)) return false;
  return Object.entries(stamp.inputs).every(([file, print]) => fingerprint(file) === print);
}

if (upToDate()) {
  process.stderr.write(`type check: nothing changed since the last successful check (${path.relative(process.cwd(), stampFile)})\n`);
  process.exit(0);
}

const run = spawnSync(process.execPath, [tsc, '--noEmit', '--incremental', '--tsBuildInfoFile', buildInfo, '--listFiles', ...args], {
  encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
});
// --listFiles prints the program's files on stdout among the diagnostics: keep the files, pass the rest on.
const files = [];
const messages = [];
for (const line of (run.stdout || '').split('\n')) {
  if (path.isAbsolute(line) && fs.existsSync(line)) files.push(line);
  else if (line.trim() !== '') messages.push(line);
}
if (messages.length > 0) process.stderr.write(`${messages.join('\n')}\n`);
if (run.stderr) process.stderr.write(run.stderr);
if (run.status !== 0) process.exit(run.status === null ? 1 : run.status);

const ownFiles = files.filter((f) => !f.split(path.sep).includes('node_modules'));
const root = path.dirname(project);
const inRoot = (d) => d === root || d.startsWith(root + path.sep);
const directories = new Set();
for (const f of ownFiles) {
  // Up to the tsconfig's directory: a new file anywhere its `include` could reach changes one of these.
  for (let d = path.dirname(f); inRoot(d) && !directories.has(d); d = path.dirname(d)) directories.add(d);
}
const inputs = {};
for (const f of [...files, ...tsconfigChain(project), ...directories, require.resolve('typescript/package.json', { paths: [path.dirname(tsc)] })]) {
  inputs[f] = fingerprint(f);
}
fs.mkdirSync(stateDir, { recursive: true });
fs.writeFileSync(stampFile, `${JSON.stringify({ project, tsc, args, inputs })}\n`);
