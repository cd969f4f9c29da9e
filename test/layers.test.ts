import * as fs from 'fs';
import * as path from 'path';
import { loadESLint } from 'eslint';

// The folders of src/ are its layers and imports only go down (CONTRIBUTING.md, "The layers").
// .projenrc.ts states the zones; these tests plant imports into real files (in memory: lintText, nothing is
// written) and expect the repository's own lint configuration to refuse the wrong ones.
const ROOT = path.join(__dirname, '..');

async function lintWith(file: string, extra: string): Promise<string[]> {
  process.env.ESLINT_USE_FLAT_CONFIG = 'false';
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  // no-cycle's shortcut (strongly connected components) reads the files from disk and so cannot see a cycle that
  // only the planted text closes; the same rule without the shortcut can. The repository's option is checked below.
  const eslint = new LegacyESLint({ cwd: ROOT, overrideConfig: { rules: { 'import/no-cycle': ['error', { ignoreExternal: true, disableScc: true }] } } });
  const filePath = path.join(ROOT, file);
  const text = `${fs.readFileSync(filePath, 'utf8')}\n${extra}\n`;
  const [result] = await eslint.lintText(text, { filePath });
  return result.messages
    .filter((m) => m.ruleId === 'import/no-restricted-paths' || m.ruleId === 'import/no-cycle')
    .map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the layers of src/', () => {
  test.each([
    ['kubernetes/ importing the policy (gitops/)', 'src/kubernetes/validation/errors.ts', "export { PolicyPlugin } from '../../gitops/policy';"],
    ['kubernetes/ importing the pod layer', 'src/kubernetes/metadata-keys.ts', "export { buildPodTemplate } from '../pod/template';"],
    ['pod/ importing workload/', 'src/pod/probe.ts', "export { objectMeta } from '../workload/identity';"],
    ['workload/ importing a construct', 'src/workload/dns.ts', "export { StatefulApp } from '../constructs/stateful-app/stateful-app';"],
    ['gitops/ importing a construct', 'src/gitops/change-guard.ts', "export { NodeAgent } from '../constructs/node-agent/node-agent';"],
    ['gitops/ importing the pod layer', 'src/gitops/output-directory.ts', "export { PodProbe } from '../pod/probe';"],
    ['a construct importing the public index', 'src/constructs/batch/batch-job.ts', "export { StatefulApp } from '../../index';"],
  ])('the lint refuses %s', async (_what, file, planted) => {
    const problems = await lintWith(file, planted);
    expect(problems).toContainEqual(expect.stringMatching(/^import\/no-restricted-paths: .*imports only go down/));
    expect(problems.filter((p) => p.startsWith('import/no-restricted-paths'))).toHaveLength(1);
  });

  test('the lint refuses one construct family importing another', async () => {
    const problems = await lintWith('src/constructs/coredns/smoke-test.ts', "export { StatelessApp } from '../stateless-app/stateless-app';");
    expect(problems).toEqual([expect.stringMatching(/^import\/no-restricted-paths: .*a construct family never imports another/)]);
  });

  test('the lint refuses a file cycle inside a layer', async () => {
    // template.ts imports container.ts; container.ts importing template.ts back closes a cycle.
    const problems = await lintWith('src/pod/container.ts', "export { buildPodTemplate } from './template';");
    expect(problems).toEqual([expect.stringMatching(/^import\/no-cycle: Dependency cycle/)]);
  });

  test('imports that go down, and within a family, pass', async () => {
    expect(await lintWith('src/constructs/coredns/smoke-test.ts', [
      "export { Corefile as CorefileAgain } from './corefile';",
      "export { buildPodTemplate } from '../../pod/template';",
      "export { objectMeta as objectMetaAgain } from '../../workload/identity';",
      "export { MetadataKeys } from '../../kubernetes/metadata-keys';",
    ].join('\n'))).toEqual([]);
    expect(await lintWith('src/gitops/change-guard.ts', "export { MetadataKeys } from '../kubernetes/metadata-keys';")).toEqual([]);
  });

  test('the repository lint runs both rules as errors on every file of src/', async () => {
    process.env.ESLINT_USE_FLAT_CONFIG = 'false';
    const LegacyESLint = await loadESLint({ useFlatConfig: false });
    const config = await new LegacyESLint({ cwd: ROOT }).calculateConfigForFile(path.join(ROOT, 'src/pod/probe.ts'));
    expect(config.rules['import/no-cycle']).toEqual(['error', expect.objectContaining({ ignoreExternal: true })]);
    expect(config.rules['import/no-restricted-paths'][0]).toEqual('error');
  });

  test('every folder of src/ is a layer the lint knows, and every file states its layer', () => {
    const projenrc = fs.readFileSync(path.join(ROOT, '.projenrc.ts'), 'utf8');
    const layers = fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(layers).toEqual(['constructs', 'gitops', 'kubernetes', 'pod', 'workload']);
    // Beside the layers only the entry point, which re-exports (a file here would be in no layer and no lint zone).
    expect(fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((d) => !d.isDirectory()).map((d) => d.name)).toEqual(['index.ts']);
    for (const layer of layers) expect(projenrc).toContain(`'src/${layer}': [`);
    const families = fs.readdirSync(path.join(ROOT, 'src', 'constructs')).sort();
    expect(projenrc).toContain(`const CONSTRUCT_FAMILIES = [${families.map((f) => `'${f}'`).join(', ')}];`);
    const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap((d) => d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]);
    for (const layer of layers) {
      for (const file of files(path.join(ROOT, 'src', layer))) {
        expect([path.relative(ROOT, file), fs.readFileSync(file, 'utf8').split('\n')[0]])
          .toEqual([path.relative(ROOT, file), expect.stringMatching(new RegExp(`^// Layer ${layer}/`))]);
      }
    }
  });
});
