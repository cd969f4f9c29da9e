import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

// Docs that match the code: every identifier README.md, CONTRIBUTING.md or a docs/ page names in code style
// (`StatefulApp`, `updateStrategy`, `PodVolume.fromSecret`) must exist. What "exists" means, most exact first:
// - `Type.member` of one of our exports: a member, static or instance, of that export (props included);
// - `Type.member` of cdk8s, cdk8s-plus-28 or constructs: a member of that type (their .jsii assemblies);
// - a single name: an export of ours or a member of one, anything an src/ module exports (pages for
//   maintainers name internals), a field or kind of the Kubernetes 1.28 schema, a cdk8s/cdk8s-plus name,
//   a helper of test/util.ts, or one of the few words in ALLOWED (Kubernetes values and Go functions the
//   pages quote).
// Lower-case words (`output`, `kubectl`) are words, keys or packages, not identifiers to check.
// A former name a page still shows for the record is struck out: ~~`OldName`~~. ALL_CAPS words
// (environment variables, error codes) and file names are not identifiers of the API and are left alone.
const ROOT = path.join(__dirname, '..');
// jsii's own summary rule (its package exports no path to it, so by file), so the test cuts where jsii cuts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { splitSummary } = require(path.join(path.dirname(require.resolve('jsii/package.json')), 'lib', 'docs.js')) as {
  splitSummary: (doc: string | undefined) => [string | undefined, string | undefined];
};

/** Kubernetes values, Kubernetes source functions and tool words the pages quote, which no schema or API lists. */
const ALLOWED = new Set([
  // Kubernetes enum-like values that are not the value of one of our enums
  'Always', 'Failed', 'Pending', 'Local', 'Directory', 'NoSchedule', 'RuntimeDefault', 'Recycle', 'Error',
  // Kubernetes source (apimachinery, apiserver validation), quoted where the library mirrors it
  'ParseQuantity', 'CanonicalizeBytes', 'ValidateStatefulSetUpdate', 'ValidateJobUpdate', 'validatePodTemplateUpdate',
  'ValidateServiceUpdate', 'ValidatePersistentVolumeUpdate', 'ValidatePersistentVolumeClaimUpdate', 'ValidateConfigMapUpdate',
  'ValidateSecretUpdate', 'ValidateStorageClassUpdate', 'ValidateRoleBindingUpdate', 'ValidatePriorityClassUpdate',
  'PersistentVolumeClaimResize', 'JobBackoffLimitPerIndex', 'BackoffLimitExceeded', 'FailIndex', 'TZ', 'SUN',
  'TooManyMissedTimes', 'MaxUnavailableStatefulSet', 'FindMatchingVolume',
  // Argo CD, kustomize, TypeScript, JavaScript, Node.js and yaml words
  'skipLibCheck', 'Intl', 'Object',
  'CreateNamespace', 'targetNamespace', 'commonAnnotations', 'namePrefix', 'ignoreDifferences', 'PerformanceObserver',
  'stringifyString', 'createNode', 'addChild', '_additionalAttributes', 'Yaml', 'cpuUsage', 'toJson_KubeStatefulSetProps',
  // the made-up construct of CONTRIBUTING.md's recipe "Add a construct"
  'CachePool', 'CachePoolProps',
]);

/** Names and members of our public API, read from src/index.ts by the type checker. */
function ourApi(): { members: Map<string, Set<string>>; allMembers: Set<string>; enumValues: Set<string> } {
  const entryFile = path.join(ROOT, 'src', 'index.ts');
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, noEmit: true };
  const program = ts.createProgram([entryFile], options);
  const checker = program.getTypeChecker();
  const members = new Map<string, Set<string>>();
  const allMembers = new Set<string>();
  const enumValues = new Set<string>();
  for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entryFile)!)!)) {
    // eslint-disable-next-line no-bitwise
    const symbol = (exported.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(exported) : exported;
    const own = new Set<string>();
    const add = (name: string) => {
      own.add(name);
      allMembers.add(name);
    };
    const decl = symbol.declarations?.[0];
    if (decl) {
      checker.getDeclaredTypeOfSymbol(symbol).getProperties().forEach((p) => add(p.name));
      checker.getTypeOfSymbolAtLocation(symbol, decl).getProperties().forEach((p) => add(p.name));
      if (ts.isClassDeclaration(decl)) {
        for (const m of decl.members) {
          if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m)) m.parameters.forEach((p) => add(p.name.getText()));
          // A construct's props read as its members: `StatefulApp.updateStrategy`.
          if (ts.isConstructorDeclaration(m)) m.parameters.forEach((p) => checker.getTypeAtLocation(p).getProperties().forEach((q) => add(q.name)));
        }
      }
      if (ts.isEnumDeclaration(decl)) {
        for (const m of decl.members) if (m.initializer && ts.isStringLiteral(m.initializer)) enumValues.add(m.initializer.text);
      }
    }
    members.set(exported.name, own);
  }
  return { members, allMembers, enumValues };
}

/** Type names (submodules too) and member names of a dependency's jsii assembly. */
function jsiiApi(pkg: string): Map<string, Set<string>> {
  type Named = Array<{ name: string }>;
  const assembly = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, '.jsii'), 'utf8')) as {
    types: Record<string, { name: string; methods?: Named; properties?: Named; members?: Named }>;
  };
  const types = new Map<string, Set<string>>();
  for (const t of Object.values(assembly.types)) {
    const own = types.get(t.name) ?? new Set<string>();
    for (const m of [...t.methods ?? [], ...t.properties ?? [], ...t.members ?? []]) own.add(m.name);
    types.set(t.name, own);
  }
  return types;
}

/** Everything an src/ module or test/util.ts declares at the top level: names pages for maintainers may use. */
function moduleExports(): Set<string> {
  const files = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]);
  const names = new Set<string>();
  for (const file of [...files(path.join(ROOT, 'src')), path.join(ROOT, 'test', 'util.ts')]) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/^(?:export )?(?:abstract )?(?:function|const|class|interface|type|enum|let) (\w+)/gm)) names.add(m[1]);
  }
  return names;
}

/** Field names and kinds of the Kubernetes 1.28 schema the library validates against. */
function kubernetesNames(): Set<string> {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'imports', 'k8s-1.28.0-schema.json'), 'utf8')) as {
    definitions: Record<string, { 'properties'?: Record<string, unknown>; 'x-kubernetes-group-version-kind'?: Array<{ kind: string }> }>;
  };
  const names = new Set<string>();
  for (const d of Object.values(schema.definitions)) {
    Object.keys(d.properties ?? {}).forEach((p) => names.add(p));
    (d['x-kubernetes-group-version-kind'] ?? []).forEach((g) => names.add(g.kind));
  }
  return names;
}

function pages(): string[] {
  const docs = fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', 'CONTRIBUTING.md', ...docs];
}

/** The code spans of a page outside fenced blocks, with their line, leaving out struck-out former names. */
function codeSpans(file: string): Array<{ code: string; line: number }> {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/^```[\s\S]*?^```/gm, (block) => block.replace(/[^\n]/g, ''));
  const spans: Array<{ code: string; line: number }> = [];
  text.split('\n').forEach((lineText, i) => {
    for (const m of lineText.matchAll(/(~~)?`([^`]+)`(~~)?/g)) if (!(m[1] && m[3])) spans.push({ code: m[2], line: i + 1 });
  });
  return spans;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

describe('docs name only what exists', () => {
  const ours = ourApi();
  const dependencies = [jsiiApi('cdk8s'), jsiiApi('cdk8s-plus-28'), jsiiApi('constructs')];
  const dependencyNames = new Set(dependencies.flatMap((types) => [...types].flatMap(([name, m]) => [name, ...m])));
  const internal = moduleExports();
  const kubernetes = kubernetesNames();

  const known = (name: string) => ours.members.has(name) || ours.allMembers.has(name) || ours.enumValues.has(name) || internal.has(name)
    || kubernetes.has(name) || dependencyNames.has(name) || ALLOWED.has(name);

  /** Why an identifier does not exist, or undefined when it does. */
  function unknown(code: string): string | undefined {
    const parts = code.split('.');
    const [head, member] = parts;
    // A lower-case word (`output`, `v1`, `cdk8s`) is a word, a key or a package, not an identifier to check.
    if (parts.length === 1) return !/[A-Z]/.test(head) || known(head) ? undefined : 'no such name';
    if (ours.members.has(head)) return ours.members.get(head)!.has(member) ? undefined : `${head} has no member ${member}`;
    const types = dependencies.find((t) => t.has(head));
    if (types) return types.get(head)!.has(member) ? undefined : `${head} has no member ${member}`;
    if (['kplus', 'k8s'].includes(head)) return dependencies[1].has(member) ? undefined : `cdk8s-plus-28 has no ${member}`;
    // A field path (spec.replicas, metadata.name) or a module path (process.cpuUsage): every named part must exist.
    const missing = parts.filter((p) => /[A-Z]/.test(p) && !known(p));
    return missing.length === 0 ? undefined : `no such name: ${missing.join(', ')}`;
  }

  test.each(pages())('%s names only identifiers that exist', (file) => {
    const found = codeSpans(file)
      .map(({ code, line }) => ({ code: code.replace(/\(.*\)$/, '').replace(/\?$/, ''), line }))
      .filter(({ code }) => IDENTIFIER.test(code) && !/^[A-Z0-9_]+$/.test(code) && !/\.(md|ts|js|json|ya?ml|sh)$/.test(code))
      .flatMap(({ code, line }) => {
        const why = unknown(code);
        return why ? [`${file}:${line} \`${code}\`: ${why}`] : [];
      });
    expect(found).toEqual([]);
  });

  test('the check sees a stale name (a prop that was renamed) and a wrong member', () => {
    expect(unknown('imagePullSecretObjects')).toBe('no such name');
    expect(unknown('StatefulApp.strategy')).toBe('StatefulApp has no member strategy');
    expect(unknown('StatefulApp.updateStrategy')).toBeUndefined();
    expect(unknown('PodVolume.fromSecret')).toBeUndefined();
    expect(unknown('kplus.HorizontalPodAutoscaler')).toBeUndefined();
    expect(unknown('spec.volumeClaimTemplates')).toBeUndefined();
  });
});

/** Every property of every exported interface (props, options, results) with its documentation text. */
function documentedProps(): Array<{ prop: string; doc: string }> {
  const entryFile = path.join(ROOT, 'src', 'index.ts');
  const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, strict: true, skipLibCheck: true, noEmit: true };
  const program = ts.createProgram([entryFile], options);
  const checker = program.getTypeChecker();
  const out: Array<{ prop: string; doc: string }> = [];
  for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entryFile)!)!)) {
    // eslint-disable-next-line no-bitwise
    const symbol = (exported.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(exported) : exported;
    if (!symbol.declarations?.some(ts.isInterfaceDeclaration) || exported.name === 'WorkloadsErrorDetails') continue;
    for (const prop of checker.getDeclaredTypeOfSymbol(symbol).getProperties()) {
      // An inherited prop is reported once, under the interface that declares it.
      const owner = prop.declarations?.[0]?.parent;
      const ownerName = owner && ts.isInterfaceDeclaration(owner) ? owner.name.text : exported.name;
      out.push({ prop: `${ownerName}.${prop.name}`, doc: ts.displayPartsToString(prop.getDocumentationComment(checker)) });
    }
  }
  return [...new Map(out.map((p) => [p.prop, p])).values()];
}

/** Why a summary is not a complete one-line sentence, or undefined when it is. */
function summaryProblem(doc: string): string | undefined {
  const [summary] = splitSummary(doc.trim() || undefined);
  if (!summary) return 'no summary (only tags)';
  if ((summary.match(/\(/g) ?? []).length !== (summary.match(/\)/g) ?? []).length) return `cut inside parentheses: "${summary}"`;
  if ((summary.match(/`/g) ?? []).length % 2 !== 0) return `cut inside code: "${summary}"`;
  return undefined;
}

describe('every prop has a one-line summary', () => {
  test('the first sentence of every documented prop is complete and not empty (jsii shows it as the summary)', () => {
    const props = documentedProps();
    expect(props.length).toBeGreaterThan(300);
    const problems = props.flatMap(({ prop, doc }) => {
      const why = summaryProblem(doc);
      return why ? [`${prop}: ${why}`] : [];
    });
    expect(problems).toEqual([]);
  });

  test('the check sees an empty summary and one that jsii cuts inside parentheses or code', () => {
    expect(summaryProblem('')).toBe('no summary (only tags)');
    expect(summaryProblem('Run `a; b` first.')).toBe('cut inside code: "Run `a;"');
    expect(summaryProblem('Exit codes (1-255; no duplicates).')).toMatch(/^cut inside parentheses/);
    expect(summaryProblem('Name of the Service (a DNS-1035 label).')).toBeUndefined();
  });
});
