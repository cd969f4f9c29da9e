import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import * as ts from 'typescript';

// The synth app is the reference example a user copies: it may use the package entry (what
// `from 'cdk8s-workloads'` gives), Node built-ins and the libraries a user has anyway, nothing else.
const EXAMPLES = path.join(__dirname, '..', 'examples');
const TUTORIAL = path.join(EXAMPLES, 'tutorial');
const ENTRY = path.join(__dirname, '..', 'src', 'index.ts');
const ALLOWED_PACKAGES = new Set(['cdk8s', 'constructs', 'cdk8s-plus-28']);

/** Every module specifier a file imports or re-exports (static imports, `export ... from`, `require()`, `import()`). */
function specifiersOf(file: string): string[] {
  return ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true).importedFiles.map((f) => f.fileName);
}

function resolveRelative(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${from}: cannot resolve "${spec}"`);
}

/**
 * Walks an example from its entry file through its own files (those under `dir`); returns the files
 * it reached and every import that is not allowed, as `file: "spec"`.
 */
function walkExample(entry: string, dir: string): { visited: string[]; forbidden: string[] } {
  const visited = new Set<string>();
  const forbidden: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (visited.has(file)) continue;
    visited.add(file);
    for (const spec of specifiersOf(file)) {
      const where = `${path.relative(dir, file)}: "${spec}"`;
      if (spec.startsWith('.')) {
        const target = resolveRelative(file, spec);
        if (target === ENTRY) continue;
        if (target.startsWith(dir + path.sep)) queue.push(target);
        else forbidden.push(where);
      } else {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        const builtin = spec.startsWith('node:') || builtinModules.includes(spec);
        // A package's deep path (cdk8s-plus-28/lib/...) is its internals, as src/... is ours.
        if (!builtin && !(ALLOWED_PACKAGES.has(pkg) && pkg === spec)) forbidden.push(where);
      }
    }
  }
  return { visited: [...visited].map((f) => path.relative(dir, f)).sort(), forbidden: forbidden.sort() };
}

test('the example imports nothing but the package entry, Node built-ins, cdk8s, constructs and cdk8s-plus-28', () => {
  const { visited, forbidden } = walkExample(path.join(TUTORIAL, 'main.ts'), TUTORIAL);
  expect(forbidden).toEqual([]);
  // Every file of the example is reached from main.ts, so the walk covers all of it.
  expect(visited).toEqual(fs.readdirSync(TUTORIAL).filter((f) => f.endsWith('.ts')).sort());
});

test('the example touches no @internal member (`_render`, `_identity`, ...)', () => {
  for (const file of fs.readdirSync(TUTORIAL).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(TUTORIAL, file), 'utf8');
    expect({ file, uses: text.match(/\.\s*_[A-Za-z]\w*/g) ?? [] }).toEqual({ file, uses: [] });
  }
});

test('the walk catches internal modules, deep package paths and other packages, also in files reached indirectly', () => {
  const dir = fs.mkdtempSync(path.join(EXAMPLES, '.walk-'));
  try {
    fs.writeFileSync(path.join(dir, 'main.ts'), "import * as fs from 'node:fs';\nimport { StatefulApp } from '../../src';\nimport { charts } from './charts';\n");
    fs.writeFileSync(path.join(dir, 'charts.ts'), [
      "import { buildPodTemplate } from '../../src/pod/template';",
      "import { Pod } from 'cdk8s-plus-28/lib/pod';",
      "export { parse } from 'yaml';",
      "import { Chart } from 'cdk8s';",
    ].join('\n'));
    expect(walkExample(path.join(dir, 'main.ts'), dir)).toEqual({
      visited: ['charts.ts', 'main.ts'],
      forbidden: ['charts.ts: "../../src/pod/template"', 'charts.ts: "cdk8s-plus-28/lib/pod"', 'charts.ts: "yaml"'],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
