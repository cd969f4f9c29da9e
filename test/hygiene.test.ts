import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { RUN_TMPDIR } from './support/jest-tmpdir-setup';
import { REQUIRE_TOOLS } from './support/kube-tools';
import { repoCopy } from './support/repo-copy';
import { tempDir } from './util';

// What a maintainer sees around the tests: the temporary directory they leave behind (none), what `npm test`
// prints, and what the README's two commands print on a machine without access to the public registry.

const ROOT = path.join(__dirname, '..');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const JEST = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

/** The environment of a child process, without the npm_* variables of `npm test`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))), ...extra };
}

describe('temporary directories', () => {
  test('this run\'s os.tmpdir() is the run directory jest-tmpdir-setup.ts made, and cdk8s test apps put their outdir there', () => {
    const runDir = process.env[RUN_TMPDIR]!;
    expect(runDir).toMatch(/cdk8s-workloads-test-/);
    expect(os.tmpdir()).toBe(runDir);
    expect(Testing.app().outdir.startsWith(runDir + path.sep)).toBe(true);
  });

  /** Runs jest, with this repository's configuration, over one probe test file in a directory of its own. */
  function jestOn(probe: string, tmp: string): { status: number | null; output: string } {
    const dir = tempDir('jest-probe');
    fs.writeFileSync(path.join(dir, 'probe.test.js'), probe);
    // The package's jest configuration as `npm test` uses it, pointed at the probe (and its JUnit file kept there).
    const config = {
      ...PACKAGE.jest,
      rootDir: ROOT,
      roots: [dir],
      testMatch: ['**/probe.test.js'],
      cacheDirectory: path.join(dir, 'jest-cache'),
      reporters: PACKAGE.jest.reporters.map((r: [string, Record<string, unknown>]) => r[0] === 'jest-junit' ? [r[0], { outputDirectory: dir }] : r),
    };
    const result = spawnSync(process.execPath, [JEST, '--ci', '--config', JSON.stringify(config)], { cwd: ROOT, encoding: 'utf8', env: childEnv({ TMPDIR: tmp }) });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  }

  const CDK8S = JSON.stringify(require.resolve('cdk8s'));

  test('a jest run removes what cdk8s and the tests put into the temporary directory (thousands of cdk8s.outdir.* before)', () => {
    const tmp = tempDir('jest-run-tmp');
    const run = jestOn(`
      const { Testing } = require(${CDK8S});
      test('test apps without outdir', () => {
        for (let i = 0; i < 3; i++) Testing.app();
        expect(require('fs').readdirSync(require('os').tmpdir()).filter((f) => f.startsWith('cdk8s.outdir.')).length).toBe(3);
      });`, tmp);
    expect(run.status).toBe(0);
    expect(fs.readdirSync(tmp)).toEqual([]);
  }, 120_000);

  test('`npm test` prints a short summary when everything passes, and every failure in full when something fails', () => {
    const passed = jestOn(`
      test('passes', () => {
        console.log('noise from a passing test');
        process.stderr.write('raw noise from code under test\\n');
        expect(1 + 1).toBe(2);
      });`, tempDir('jest-pass'));
    expect(passed.status).toBe(0);
    expect(passed.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(passed.output).not.toContain('noise from a passing test');
    expect(passed.output).not.toContain('raw noise');
    expect(passed.output).not.toMatch(/^\s*PASS /m);
    expect(passed.output.trim().split('\n').length).toBeLessThanOrEqual(6);

    const failed = jestOn(`
      test('adds up', () => { expect(1 + 1).toBe(3); });`, tempDir('jest-fail'));
    expect(failed.status).not.toBe(0);
    expect(failed.output).toContain('Summary of all failing tests');
    expect(failed.output).toContain('adds up');
    expect(failed.output).toMatch(/Expected: 3\s+Received: 2/);
    expect(failed.output).toContain('probe.test.js:');
  }, 120_000);
});

describe('packing', () => {
  test('.npmignore keeps earlier tarballs out of the package (a pack in the package folder, twice)', () => {
    // A package folder of its own with this repository's .npmignore and a file list like the real one.
    const dir = tempDir('pack-twice');
    fs.copyFileSync(path.join(ROOT, '.npmignore'), path.join(dir, '.npmignore'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'pack-probe', version: '1.0.0' }));
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'lib', 'index.js'), `module.exports = ${JSON.stringify('x'.repeat(50_000))};\n`);
    const pack = () => {
      const out = spawnSync('npm', ['pack', '--json'], { cwd: dir, encoding: 'utf8', env: childEnv({}) });
      expect(out.status).toBe(0);
      return JSON.parse(out.stdout)[0] as { filename: string; size: number; files: Array<{ path: string }> };
    };
    const first = pack();
    const second = pack();
    expect(fs.existsSync(path.join(dir, first.filename))).toBe(true); // the first tarball was there to be packed
    expect(second.files.map((f) => f.path).sort()).toEqual(first.files.map((f) => f.path).sort());
    expect(second.files.map((f) => f.path)).not.toContainEqual(expect.stringMatching(/\.tgz$/));
    expect(second.size).toBe(first.size);
  }, 60_000);
});

describe('the README\'s two commands on a machine without access to the public registry', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Two commands\n'));
  const commands = /```sh\n([\s\S]*?)\n```/.exec(section)![1].split('\n').map((l) => l.replace(/\s+#.*$/, '').trim());
  // No network at all: a user and network namespace of its own (unshare -rn); where that is not available the test says so.
  const isolated = spawnSync('unshare', ['-rn', 'true']).status === 0;
  const withoutNetwork = isolated ? test : test.skip;
  if (!isolated && process.env[REQUIRE_TOOLS]) throw new Error(`\`unshare -rn\` is required (${REQUIRE_TOOLS} is set) for the no-network test`);
  if (!isolated) process.stderr.write('hygiene.test.ts: SKIPPED the no-network test: `unshare -rn` is not available here\n');

  test('they are `npm ci && <synth>` and `npm test`', () => {
    expect(commands).toEqual([expect.stringMatching(/^npm ci && /), 'npm test']);
  });

  withoutNetwork('the synth command prints no stack trace and no upgrade notice, and succeeds', () => {
    const synth = commands[0].replace(/^npm ci && /, '');
    const repo = repoCopy(tempDir('no-network'));
    // HOME of its own: no cached cdk8s-cli version that would spare the check its registry request.
    const home = tempDir('no-network-home');
    const run = spawnSync('unshare', ['-rn', 'sh', '-c', synth], { cwd: repo, encoding: 'utf8', env: childEnv({ HOME: home, npm_config_cache: path.join(home, '.npm') }) });
    const output = `${run.stdout}${run.stderr}`;
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // a stack frame
    expect(output).not.toMatch(/A new version .* of cdk8s-cli/);
    expect(output).not.toMatch(/EAI_AGAIN|ENOTFOUND|ENETUNREACH/);
    expect(run.status).toBe(0);
  }, 240_000);
});

describe('Node versions', () => {
  const majors = (range: string) => [...range.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1])).sort();
  const engines = majors(PACKAGE.engines.node);
  const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');

  test('engines admits 22 and 24 only: Node 20 is past end of life, and npm ci warns EBADENGINE there', () => {
    expect(engines).toEqual([22, 24]);
  });

  test('CI pins a Node binary for each major engines admits and runs the suite on each (22: against the newest peers), checking npm ci for EBADENGINE', () => {
    const pinned = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, '.ci', 'node', 'package.json'), 'utf8')).optionalDependencies)
      .map((name) => Number(/^node(\d+)-/.exec(name)![1]));
    expect([...new Set(pinned)].sort()).toEqual(engines);
    expect(ci).toMatch(new RegExp(`for major in ${engines.join(' ')}; do\\n.*npm ci --dry-run.*\\| grep EBADENGINE`));
    // Node 24 runs `npm test` (after `export PATH=...`); Node 22 runs the suite against the newest peers (jest).
    const suiteRuns = [...ci.matchAll(/^(?:export PATH="\$\(node_bin (\d+)\):\$PATH"\n(?:.*\n){0,2}npm ci .*\nnpm test|\s*PATH="\$\(node_bin (\d+)\):\$PATH" (?:npm test|"\$ROOT\/node_modules\/\.bin\/jest" --ci --testPathIgnorePatterns))/gm)]
      .map((m) => Number(m[1] ?? m[2])).sort();
    expect(suiteRuns).toEqual(engines);
  });

  test('the README tells a maintainer which Node to use', () => {
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('with Node.js 22 or 24 (`engines`');
  });
});
