import * as fs from 'fs';
import * as path from 'path';
import { loadESLint } from 'eslint';

// The house rules of shipped code (CONTRIBUTING.md, "House rules") are lint rules, so they stay kept.
// Like test/layers.test.ts, these tests plant text into real files (in memory: lintText writes nothing)
// and expect the repository's own lint configuration to refuse it.
const ROOT = path.join(__dirname, '..');

async function ruleHits(file: string, text: string, rule: string): Promise<string[]> {
  process.env.ESLINT_USE_FLAT_CONFIG = 'false';
  const LegacyESLint = await loadESLint({ useFlatConfig: false });
  const [result] = await new LegacyESLint({ cwd: ROOT }).lintText(text, { filePath: path.join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

describe('house rules of src/', () => {
  test('a function over 80 lines is refused, one of 80 passes', async () => {
    const fn = (lines: number) => `\nexport function planted(): number {\n  let n = 0;\n${'  n++;\n'.repeat(lines - 4)}  return n;\n}\n`;
    const file = 'src/pod/probe.ts';
    expect(await ruleHits(file, read(file) + fn(81), 'max-lines-per-function')).toEqual([expect.stringMatching(/too many lines \(81\)\. Maximum allowed is 80/)]);
    expect(await ruleHits(file, read(file) + fn(80), 'max-lines-per-function')).toEqual([]);
  });

  test('`as unknown as` is refused in src/', async () => {
    const file = 'src/workload/dns.ts';
    const hits = await ruleHits(file, `${read(file)}\nexport const planted = ('x' as unknown as number);\n`, 'no-restricted-syntax');
    expect(hits).toEqual([expect.stringMatching(/^`as unknown as` hides a type mismatch/)]);
    // A single cast to unknown is not a double cast.
    expect(await ruleHits(file, `${read(file)}\nexport const planted = ('x' as unknown);\n`, 'no-restricted-syntax')).toEqual([]);
  });

  test('src/index.ts re-exports by name: `export *` is refused, and there is none', async () => {
    const file = 'src/index.ts';
    expect(await ruleHits(file, read(file), 'no-restricted-syntax')).toEqual([]);
    const hits = await ruleHits(file, `${read(file)}\nexport * from './gitops/output-directory';\n`, 'no-restricted-syntax');
    expect(hits).toEqual([expect.stringMatching(/re-exports by name/)]);
  });

  test('no shipped file has test hooks (names only tests would use)', () => {
    const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
      .flatMap((d) => d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]);
    const hooks = files(path.join(ROOT, 'src'))
      .flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/\b(\w*(?:_STATS|WithoutCheck|ForTest(?:ing|s)?)\w*)\b/g)]
        .map((m) => `${path.relative(ROOT, f)}: ${m[1]}`));
    expect(hooks).toEqual([]);
  });
});
