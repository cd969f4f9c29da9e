import * as fs from 'fs';
import * as path from 'path';
import * as api from '../src';

const ROOT = path.join(__dirname, '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('keeps the two maintainer commands in a section of their own, and CI runs the test command', () => {
    const start = README.indexOf('\n## Two commands\n');
    expect(start).toBeGreaterThan(0);
    const end = README.indexOf('\n## ', start + 1);
    const commands = README.slice(start, end < 0 ? undefined : end);
    expect(commands).toContain('npm ci && npm run synth');
    expect(commands).toContain('npm test');
    expect(fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toMatch(/^npm ci\b.*\nnpm test$/m);
  });

  test('shows the repository\'s example app as its complete app: its files as a user writes them, every file named', () => {
    const start = README.indexOf('\n## A complete app\n');
    expect(start).toBeGreaterThan(0);
    const section = README.slice(start, README.indexOf('\n## ', start + 1));
    const tutorial = path.join(ROOT, 'examples', 'tutorial');
    const files = fs.readdirSync(tutorial).filter((f) => f.endsWith('.ts')).sort();
    expect(files.length).toBeGreaterThan(5);
    // Shown: a ts block whose info string names the file. Named: a link to it.
    const shown = Object.fromEntries([...section.matchAll(/^```ts examples\/tutorial\/([\w-]+\.ts)\n([\s\S]*?)\n```$/gm)].map((m) => [m[1], m[2]]));
    const linked = [...section.matchAll(/\]\(examples\/tutorial\/([\w-]+\.ts)\)/g)].map((m) => m[1]);
    expect(Object.keys(shown)).toEqual(['main.ts', 'tutorial.ts']);
    expect([...Object.keys(shown), ...linked].sort()).toEqual(files);
    for (const [f, code] of Object.entries(shown)) {
      const asAUserWritesIt = fs.readFileSync(path.join(tutorial, f), 'utf8').split("from '../../src'").join("from 'cdk8s-workloads'").trimEnd();
      expect(`${f}:\n${code}`).toBe(`${f}:\n${asAUserWritesIt}`);
    }
    // What the README says the app writes is what the repository's dist/ and hosts/ hold.
    const charts = fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.k8s.yaml'));
    expect(section).toContain(`\`dist/${charts[0]}\` ...\n\`dist/${charts[charts.length - 1]}\``);
    expect(section).toContain('`hosts/stor01/etc/exports`');
    expect(fs.existsSync(path.join(ROOT, 'hosts', 'stor01', 'etc', 'exports'))).toBe(true);
  });

  test('documents every construct and entry point the package exports', () => {
    const classes = Object.entries(api).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    for (const name of ['StatefulApp', 'StatelessApp', 'NodeAgent', 'BatchJob', 'ScheduledJob', 'NfsVolumeSet', 'CoreDnsAddon',
      'DnsSmokeTest', 'KubeletApiAccess', 'PolicyPlugin', 'AppSynthesizer']) {
      expect(classes).toContain(name);
      expect(README).toContain(`\`${name}\``);
    }
  });
});
