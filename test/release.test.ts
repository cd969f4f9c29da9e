import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './util';

// The release flow's guard rails (docs/releasing.md): publish:npm stops before publishing without a token,
// refuses unbumped or ambiguous tarballs; npm test lints without fixing; the release ends in publish:npm.

const ROOT = path.join(__dirname, '..');
const SCRIPT = path.join(ROOT, '.ci', 'publish-npm');
const TASKS = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;

/** A directory holding one npm-style tarball (package/package.json) per given version. */
function tarballs(...versions: string[]): string {
  const dir = tempDir('publish');
  for (const version of versions) {
    const src = tempDir('publish-src');
    fs.mkdirSync(path.join(src, 'package'));
    fs.writeFileSync(path.join(src, 'package', 'package.json'), JSON.stringify({ name: 'cdk8s-workloads-release-test', version }));
    const tar = spawnSync('tar', ['-czf', path.join(dir, `pkg-${version}.tgz`), '-C', src, 'package'], { encoding: 'utf8' });
    expect(tar.status).toBe(0);
  }
  return dir;
}

function publish(dir: string, env: Record<string, string> = {}) {
  // Only what the script needs: no NPM_TOKEN or CI from the environment running the tests.
  const base = { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', npm_config_offline: 'true', npm_config_update_notifier: 'false' };
  const result = spawnSync(SCRIPT, [], { env: { ...base, PUBLISH_DIR: dir, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('publish:npm', () => {
  test('without NPM_TOKEN it stops before publishing: exit 0 on a workstation, 1 in CI', () => {
    const dir = tarballs('1.2.3');
    const local = publish(dir);
    expect(local.output).toContain(`NPM_TOKEN is not set; stopping before publishing ${dir}/pkg-1.2.3.tgz (version 1.2.3)`);
    expect(local.status).toBe(0);
    const ci = publish(dir, { CI: 'true' });
    expect(ci.output).toContain('NPM_TOKEN is not set');
    expect(ci.status).toBe(1);
  });

  test('refuses an unbumped 0.0.0 tarball and a directory with none or several', () => {
    expect(publish(tarballs('0.0.0'), { NPM_TOKEN: 'x' })).toEqual({ status: 1, output: expect.stringContaining('is version 0.0.0 (not bumped)') });
    expect(publish(tarballs(), { NPM_TOKEN: 'x' })).toEqual({ status: 1, output: expect.stringContaining('expected exactly one package tarball') });
    expect(publish(tarballs('1.0.0', '1.0.1'), { NPM_TOKEN: 'x' })).toEqual({ status: 1, output: expect.stringContaining('found 2') });
  });

  test('with a token it runs npm publish on the tarball (dry run), the token only in the environment', () => {
    const dir = tarballs('1.2.3');
    const result = publish(dir, { NPM_TOKEN: 'not-a-real-token', NPM_DRY_RUN: '1' });
    expect(result.output).toContain('cdk8s-workloads-release-test@1.2.3');
    expect(result.output).toContain('(dry-run)');
    expect(result.output).not.toContain('not-a-real-token');
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(ROOT, '.ci', '.work', 'publish.npmrc'))).toBe(false);
  }, 60_000);
});

describe('tasks', () => {
  test('npm test runs jest, then eslint without --fix; lint:fix is the task that fixes', () => {
    expect(TASKS.test.steps.map((s: any) => s.exec ?? s.execArgs?.[0] ?? `spawn:${s.spawn}`)).toEqual(['jest', 'spawn:eslint']);
    const eslint = TASKS.eslint.steps[0].execArgs;
    expect(eslint[0]).toBe('eslint');
    expect(eslint).not.toContain('--fix');
    expect(TASKS['lint:fix'].steps).toEqual([{ spawn: 'eslint', args: ['--fix'] }]);
  });

  test('the release bumps, builds, tags, and ends in publish:npm', () => {
    expect(TASKS.release.steps.map((s: any) => s.spawn).filter(Boolean)).toEqual(['bump', 'build', 'unbump', 'publish:git', 'publish:npm']);
    expect(TASKS['publish:npm'].steps).toEqual([{ exec: '.ci/publish-npm' }]);
  });
});
