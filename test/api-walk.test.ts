import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as ts from 'typescript';
import * as api from '../src';

// Issue 25, class 9: JavaScript callers (and jsii languages) may leave out any optional argument or pass undefined.
// Every public static method and constructor of every exported class is called with its required arguments (an
// example per parameter type) and its optional ones missing, then undefined: the result is success or the library's
// own input error, never a TypeError (or another JavaScript crash). The signatures are read from the sources, so a
// new factory is covered without touching this file; a parameter type without an example fails the test by name.

interface Param { readonly name: string; readonly type: string; readonly optional: boolean }
interface Callable { readonly owner: string; readonly member: string; readonly params: Param[] }

function publicApi(): { statics: Callable[]; constructors: Callable[] } {
  const index = path.join(__dirname, '..', 'src', 'index.ts');
  const program = ts.createProgram([index], { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS, skipLibCheck: true, noResolve: false });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  const statics: Callable[] = [];
  const constructors: Callable[] = [];
  const paramsOf = (ps: ts.NodeArray<ts.ParameterDeclaration>): Param[] => ps.map((p) => ({
    name: p.name.getText(), type: p.type?.getText() ?? 'any', optional: p.questionToken !== undefined || p.initializer !== undefined,
  }));
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    // eslint-disable-next-line no-bitwise
    const symbol = (exported.flags & ts.SymbolFlags.Alias) !== 0 ? checker.getAliasedSymbol(exported) : exported;
    for (const decl of symbol.declarations ?? []) {
      if (!ts.isClassDeclaration(decl)) continue;
      const owner = exported.getName();
      for (const m of decl.members) {
        const modifiers = ts.getModifiers(m as ts.HasModifiers) ?? [];
        const isPrivate = modifiers.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword || x.kind === ts.SyntaxKind.ProtectedKeyword);
        if (isPrivate || (m.name && m.name.getText().startsWith('_'))) continue;
        if (ts.isMethodDeclaration(m) && modifiers.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) {
          statics.push({ owner, member: m.name.getText(), params: paramsOf(m.parameters) });
        }
        if (ts.isConstructorDeclaration(m)) constructors.push({ owner, member: 'constructor', params: paramsOf(m.parameters) });
      }
    }
  }
  return { statics, constructors };
}

const missingExamples = new Set<string>();
const web = (chart: Chart) => new api.StatelessApp(chart, 'web', {
  containers: [{ name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] }], service: { ports: [{ port: 80, targetPortName: 'http' }] },
});

/** An example value per parameter type, for the required parameters. */
function example(type: string, name: string): unknown {
  const chart = new Chart(Testing.app(), 'examples');
  const examples: Record<string, () => unknown> = {
    'string': () => (/path|directory/i.test(name) ? '/var/lib/example' : /image/i.test(name) ? 'nginx:1.25.3' : 'example'),
    'number': () => 1,
    'boolean': () => true,
    'any': () => undefined,
    'string[]': () => ['example'],
    'Construct': () => chart,
    'IConstruct': () => chart,
    'App': () => Testing.app(),
    'ApiObject': () => new kplus.k8s.KubeConfigMap(chart, 'raw', { data: { a: 'b' } }),
    'ChangePlan': () => api.ChangeGuard.planChanges([], []),
    'BindingResult': () => api.VolumeBinding.simulate([], []),
    'IDnsNamed': () => web(chart),
    'IServiceDnsNamed': () => web(chart),
    'kplus.IConfigMap': () => new kplus.ConfigMap(chart, 'cm', { data: { a: 'b' } }),
    'kplus.ISecret': () => new kplus.Secret(chart, 'secret', { stringData: { a: 'b' } }),
    'kplus.IPersistentVolumeClaim': () => kplus.PersistentVolumeClaim.fromClaimName(chart, 'claim', 'data'),
    'kplus.IServiceAccount': () => kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'sa'),
    // WorkloadsError's factory and constructor.
    'Where': () => chart,
    'unknown': () => 'example',
    'Problem': () => ({ reason: 'is an example', fix: 'use another' }),
    'WorkloadsErrorDetails': () => ({ code: 'INVALID_INPUT', path: 'examples', reason: 'is an example' }),
  };
  const enumValues = typeof (api as any)[type] === 'object' ? Object.values((api as any)[type]) : [];
  const make = examples[type]
    ?? (enumValues.length > 0 ? () => enumValues[0] : undefined)
    ?? (/^[A-Z]\w*(Props|Options)$/.test(type) ? () => ({}) : undefined)
    ?? (type.endsWith('[]') ? () => [] : undefined);
  if (!make) {
    missingExamples.add(`no example for parameter type "${type}" (${name}): add one to example() in test/api-walk.test.ts`);
    return undefined;
  }
  return make();
}

const isCrash = (e: unknown) => e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError;

function attempt(label: string, fn: () => unknown, crashes: string[]): void {
  try {
    fn();
  } catch (e) {
    if (isCrash(e)) crashes.push(`${label}: ${(e as Error).constructor.name}: ${(e as Error).message.split('\n')[0]}`);
  }
}

const { statics, constructors } = publicApi();

test('the walk finds the public API (static factories and constructors)', () => {
  expect(statics.map((s) => `${s.owner}.${s.member}`)).toEqual(expect.arrayContaining(['LogCollectorState.hostPath', 'PodVolume.hostPath', 'HostAccess.granted', 'AppSynthesizer.synth']));
  expect(constructors.map((c) => c.owner)).toEqual(expect.arrayContaining(['StatefulApp', 'NodeAgent', 'OutputDirectory', 'PolicyChecker']));
});

/**
 * Arguments a JavaScript caller can leave out: optional ones, and option/props structs (a struct with a required
 * field is a required argument in TypeScript, but `LogCollectorState.hostPath(path)` is what a JavaScript user writes).
 */
const omittable = (p: Param) => p.optional || /(Props|Options)$/.test(p.type);

/** Argument lists: every omittable parameter given an example, then left out (missing), then passed as undefined. */
function argumentLists(params: Param[], given: (p: Param, i: number) => unknown): Array<{ label: string; values: unknown[] }> {
  const full = params.map((p, i) => (p.optional ? undefined : given(p, i)));
  let lastRequired = params.length;
  while (lastRequired > 0 && params[lastRequired - 1].optional) lastRequired--;
  // The trailing run of omittable parameters is what a caller may drop.
  let firstDroppable = params.length;
  while (firstDroppable > 0 && omittable(params[firstDroppable - 1])) firstDroppable--;
  return [
    { label: 'optional missing', values: full.slice(0, lastRequired) },
    { label: 'omittable missing', values: full.slice(0, firstDroppable) },
    { label: 'omittable undefined', values: [...full.slice(0, firstDroppable), ...params.slice(firstDroppable).map(() => undefined)] },
  ];
}

test('every static method with optional arguments left out or undefined: success or a library error, never a crash', () => {
  const crashes: string[] = [];
  for (const s of statics) {
    const owner = (api as any)[s.owner];
    for (const { label, values } of argumentLists(s.params, (p) => example(p.type, p.name))) {
      attempt(`${s.owner}.${s.member}(${label})`, () => owner[s.member](...values), crashes);
    }
  }
  expect([...missingExamples]).toEqual([]);
  expect(crashes).toEqual([]);
});

test('every constructor with optional arguments left out or undefined, then synthesised: success or a library error, never a crash', () => {
  const crashes: string[] = [];
  for (const c of constructors) {
    const Ctor = (api as any)[c.owner];
    const isConstruct = c.params[0]?.type === 'Construct';
    for (let attemptIndex = 0; attemptIndex < 3; attemptIndex++) {
      const chart = new Chart(new App(), 'c');
      const given = (p: Param, i: number) => (isConstruct && i === 0 ? chart : isConstruct && i === 1 ? 'x' : example(p.type, p.name));
      const { label, values } = argumentLists(c.params, given)[attemptIndex];
      attempt(`new ${c.owner}(${label})`, () => {
        new Ctor(...values);
        if (isConstruct) Testing.synth(chart);
      }, crashes);
    }
  }
  expect([...missingExamples]).toEqual([]);
  expect(crashes).toEqual([]);
});
