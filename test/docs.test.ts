import * as fs from 'fs';
import * as path from 'path';
import * as cdk8s from 'cdk8s';
import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import * as ts from 'typescript';
import * as api from '../src';
import { errorOf, parseYamlDocuments, readTree, synthValid, validateManifests } from './util';

// Every TypeScript example in README.md, CONTRIBUTING.md and docs/*.md is compiled (one program, strict,
// against src/index.ts as 'cdk8s-workloads') and run; every app it builds is synthesised and validated.
//
// A block is a complete module unless its fence says ```ts fragment: a fragment has no imports and is
// compiled and run after FRAGMENT_PRELUDE (every export of the package, App/Chart/Testing from cdk8s,
// cdk8s-plus-28 as kplus and k8s, a fresh `app` and a `chart` in namespace default).
// A complete module that uses `declare` (for objects it does not build) is compiled but not run.
// A block whose fence also says `error` shows an error users meet: building and synthesising it must fail, and
// the message must contain its `// [path] ...` comment lines ("..." in them stands for any text).

const ROOT = path.join(__dirname, '..');
const ENTRY = path.join(ROOT, 'src', 'index.ts');
const DOCS = path.join(ROOT, 'docs');

/** Classes that are entry points without being constructs; each has a page like the constructs. */
const MAIN_CLASSES = ['AppSynthesizer', 'PolicyPlugin', 'Corefile', 'CronSchedule', 'VolumeBinding'];

/**
 * Pages other parts of this wave write (issues 16, 17, 20). Links to them may dangle until their branches
 * are merged; remove an entry once its page exists (the test below says when).
 */
const PAGES_WRITTEN_ELSEWHERE: string[] = [];

function markdownFiles(): string[] {
  const docs = fs.existsSync(DOCS) ? fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort().map((f) => path.join('docs', f)) : [];
  return ['README.md', 'CONTRIBUTING.md', ...docs].filter((f) => fs.existsSync(path.join(ROOT, f)));
}

/** Every name src/index.ts exports, following `export *` and `export { } from` into the modules. */
function exportedNames(file: string = ENTRY, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const names: string[] = [];
  const resolve = (spec: string) => {
    const base = path.resolve(path.dirname(file), spec);
    return fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, 'index.ts');
  };
  for (const st of source.statements) {
    if (ts.isExportDeclaration(st)) {
      if (st.exportClause && ts.isNamedExports(st.exportClause)) {
        names.push(...st.exportClause.elements.map((e) => e.name.text));
      } else if (!st.exportClause && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
        names.push(...exportedNames(resolve(st.moduleSpecifier.text), seen));
      }
      continue;
    }
    const exported = ts.canHaveModifiers(st) && ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
    } else if ((ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isEnumDeclaration(st) || ts.isTypeAliasDeclaration(st)
      || ts.isFunctionDeclaration(st)) && st.name) {
      names.push(st.name.text);
    }
  }
  return [...new Set(names)];
}

const EXPORTS = exportedNames();
const runtime = api as unknown as Record<string, unknown>;
const CONSTRUCTS = EXPORTS.filter((n) => typeof runtime[n] === 'function' && (runtime[n] as { prototype: unknown }).prototype instanceof Construct);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The docs page of a class: docs/<kebab-case name>.md. */
function pageOf(className: string): string {
  return path.join('docs', `${className.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.md`);
}

const FRAGMENT_PRELUDE = [
  "import { App, Chart, Testing } from 'cdk8s';",
  "import * as kplus from 'cdk8s-plus-28';",
  "import { k8s } from 'cdk8s-plus-28';",
  `import { ${EXPORTS.join(', ')} } from 'cdk8s-workloads';`,
  'const app = new App();',
  "const chart = new Chart(app, 'docs', { namespace: 'default' });",
  '',
].join('\n');
const PRELUDE_LINES = FRAGMENT_PRELUDE.split('\n').length - 1;

interface Example {
  /** `README.md:64`: the file and the line of the opening fence. */
  readonly where: string;
  readonly file: string;
  readonly line: number;
  readonly fragment: boolean;
  /** The error message an `error` block shows (its `// [path] ...` lines); undefined for other blocks. */
  readonly error?: string[];
  readonly code: string;
  /** The module compiled and run (the prelude and the code for a fragment). */
  readonly module: string;
  readonly runs: boolean;
}

function examplesOf(file: string): Example[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const out: Example[] = [];
  let open: { line: number; fragment: boolean; error: boolean; body: string[] } | undefined;
  let inOtherFence = false;
  lines.forEach((text, i) => {
    if (open) {
      if (/^```\s*$/.test(text)) {
        const code = open.body.join('\n') + '\n';
        const fragment = open.fragment;
        const error = open.error ? [...code.matchAll(/^\s*\/\/ (\[.*)$/gm)].map((m) => m[1]) : undefined;
        out.push({
          where: `${file}:${open.line}`,
          file,
          line: open.line,
          fragment,
          error,
          code,
          module: fragment ? FRAGMENT_PRELUDE + code : code,
          runs: fragment || !/^\s*declare\s/m.test(code),
        });
        open = undefined;
      } else {
        open.body.push(text);
      }
      return;
    }
    const fence = /^```(\S*)\s*(.*)$/.exec(text);
    if (!fence) return;
    if (inOtherFence) {
      inOtherFence = false;
    } else if ((fence[1] === 'ts' || fence[1] === 'typescript') && /^examples\//.test(fence[2])) {
      // A repository file shown as it stands (test/readme.test.ts keeps it equal; the consumer test compiles and runs it with its siblings).
      inOtherFence = true;
    } else if (fence[1] === 'ts' || fence[1] === 'typescript') {
      const words = fence[2].split(/\s+/);
      open = { line: i + 1, fragment: words.includes('fragment'), error: words.includes('error'), body: [] };
    } else {
      inOtherFence = true;
    }
  });
  if (open) throw new Error(`${file}:${open.line}: unclosed code block`);
  return out;
}

const FILES = markdownFiles();
const EXAMPLES = FILES.flatMap(examplesOf);
const WORK = path.join(ROOT, '.tmp');

/** Compiles every example in one strict program; returns the diagnostics per example, as `file:line: message`. */
function compileAll(): Map<Example, string[]> {
  fs.mkdirSync(WORK, { recursive: true });
  const dir = fs.mkdtempSync(path.join(WORK, 'docs-examples-')); // inside the repo, so node_modules resolve
  try {
    const fileOf = new Map<string, Example>();
    EXAMPLES.forEach((ex, i) => {
      const name = path.join(dir, `${String(i).padStart(3, '0')}-${ex.file.replace(/[^a-z0-9]+/gi, '-')}-${ex.line}.ts`);
      fs.writeFileSync(name, ex.module);
      fileOf.set(name, ex);
    });
    const program = ts.createProgram([...fileOf.keys()], {
      strict: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      lib: ['lib.es2022.d.ts'],
      types: ['node'],
      esModuleInterop: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
      paths: { 'cdk8s-workloads': [ENTRY] },
    });
    const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
    if (global.length > 0) throw new Error(ts.formatDiagnostics(global, ts.createCompilerHost({})));
    const result = new Map<Example, string[]>();
    for (const [name, ex] of fileOf) {
      const sf = program.getSourceFile(name)!;
      const diagnostics = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
      result.set(ex, diagnostics.map((d) => {
        const { line } = sf.getLineAndCharacterOfPosition(d.start ?? 0);
        const mdLine = ex.line + 1 + line - (ex.fragment ? PRELUDE_LINES : 0);
        return `${ex.file}:${mdLine}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }));
    }
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs an example in a scratch directory (its own cwd and output directory) with 'cdk8s-workloads' bound to
 * src/ and cdk8s's App recording every app the example creates; returns the apps and what it wrote.
 */
function run(ex: Example): { apps: cdk8s.App[]; written: string[]; outdir: string } {
  fs.mkdirSync(WORK, { recursive: true });
  const dir = fs.mkdtempSync(path.join(WORK, 'docs-run-'));
  const outdir = path.join(dir, 'dist');
  const apps: cdk8s.App[] = [];
  class RecordingApp extends cdk8s.App {
    constructor(props: cdk8s.AppProps = {}) {
      super({ outdir, ...props });
      apps.push(this);
    }
  }
  const modules: Record<string, unknown> = { 'cdk8s-workloads': api, 'cdk8s': { ...cdk8s, App: RecordingApp } };
  const js = ts.transpileModule(ex.module, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: 'example.ts',
  }).outputText;
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exampleRequire = (id: string) => (id in modules ? modules[id] : require(id));
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function('require', 'module', 'exports', js)(exampleRequire, { exports: {} }, {});
    const written = Object.values(readTree(outdir)); // readTree leaves the ledger out: it is not a manifest
    return { apps, written, outdir };
  } finally {
    process.chdir(cwd);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('documentation examples', () => {
  let diagnostics: Map<Example, string[]>;
  beforeAll(() => {
    diagnostics = compileAll();
  });

  test('there are examples in the README (the example app\'s files) and in every construct page', () => {
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toMatch(/^```ts examples\/tutorial\/main\.ts$/m);
    for (const name of CONSTRUCTS) expect(EXAMPLES.some((e) => e.file === pageOf(name))).toBe(true);
  });

  test('fragments import nothing (the prelude does)', () => {
    const importing = EXAMPLES.filter((e) => e.fragment && /^\s*import\s/m.test(e.code)).map((e) => e.where);
    expect(importing).toEqual([]);
  });

  describe.each(EXAMPLES.map((e) => [e.where, e] as const))('%s', (_where, ex) => {
    test('compiles against the package entry', () => {
      expect(diagnostics.get(ex)).toEqual([]);
    });

    if (ex.error) {
      test('fails with the error it shows', () => {
        expect(ex.error!.length).toBeGreaterThan(0);
        const message = errorOf(() => {
          for (const app of run(ex).apps) app.charts.forEach((chart) => Testing.synth(chart));
        });
        for (const line of ex.error!) expect(message).toMatch(new RegExp(line.split('...').map(escapeRegExp).join('.*')));
      });
    } else if (ex.runs) {
      test('runs, and everything it synthesises is valid for Kubernetes 1.28', () => {
        const { apps, written } = run(ex);
        let objects = 0;
        for (const app of apps) {
          for (const chart of app.charts) objects += synthValid(chart).length;
        }
        for (const text of written.filter((t) => !/^kind: Kustomization$/m.test(t))) validateManifests(parseYamlDocuments(text));
        // A complete app in the docs renders something; a fragment may only compute a value.
        if (!ex.fragment && /\bnew App\(/.test(ex.code)) expect(objects).toBeGreaterThan(0);
      });
    }
  });
});

describe('documentation pages', () => {
  const text = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

  test('every exported construct and every main class has its own page, titled with its name', () => {
    expect(CONSTRUCTS.length).toBeGreaterThanOrEqual(9);
    for (const name of [...CONSTRUCTS, ...MAIN_CLASSES]) {
      expect(typeof runtime[name]).toBe('function');
      const page = pageOf(name);
      expect(fs.existsSync(path.join(ROOT, page)) ? text(page).split('\n')[0] : `${page} is missing`).toBe(`# ${name}`);
    }
  });

  test('every exported class, enum and constant is named somewhere in the docs', () => {
    const all = FILES.map(text).join('\n');
    const missing = EXPORTS.filter((n) => runtime[n] !== undefined && !new RegExp(`\\b${n}\\b`).test(all));
    expect(missing).toEqual([]);
  });

  test('the README links every page in docs/ and stays a landing page (at most 20 KB)', () => {
    const readme = text('README.md');
    const pages = FILES.filter((f) => f.startsWith('docs/'));
    expect(pages.filter((p) => !readme.includes(`](${p}`))).toEqual([]);
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(20 * 1024);
  });

  /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as '-'. */
  const headingAnchors = (file: string) => new Set([...text(file).matchAll(/^#+ (.+)$/gm)]
    .map((m) => m[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')));

  test('relative links point at files that exist, and anchors at headings (API.md: ids) they have', () => {
    const apiIds = new Set([...text('API.md').matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const broken: string[] = [];
    for (const file of FILES) {
      for (const m of text(file).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/i.test(target)) continue;
        const [rel, anchor] = target.split('#');
        const resolved = rel === '' ? file : path.relative(ROOT, path.resolve(ROOT, path.dirname(file), rel));
        if (!fs.existsSync(path.join(ROOT, resolved))) {
          if (!PAGES_WRITTEN_ELSEWHERE.includes(resolved)) broken.push(`${file}: ${target}`);
        } else if (anchor !== undefined && !(resolved === 'API.md' ? apiIds.has(anchor) : (resolved.endsWith('.md') && headingAnchors(resolved).has(anchor)))) {
          broken.push(`${file}: ${target} (no such anchor in ${resolved})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  test('pages written elsewhere are only excused while they are missing', () => {
    // Once a listed page exists, its entry in PAGES_WRITTEN_ELSEWHERE must go, so its links are checked.
    expect(PAGES_WRITTEN_ELSEWHERE.filter((p) => fs.existsSync(path.join(ROOT, p)))).toEqual([]);
  });
});
