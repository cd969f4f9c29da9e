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

  test('shows the complete consumer app exactly as the consumer test compiles and runs it', () => {
    const fixture = fs.readFileSync(path.join(__dirname, 'fixtures', 'consumer', 'main.ts.txt'), 'utf8');
    // The fixture's header comment says how the test uses it; the README shows the rest.
    const body = fixture.slice(fixture.indexOf('import ')).trim();
    expect(body.split('\n').length).toBeGreaterThan(50);
    expect(README).toContain(body);
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
