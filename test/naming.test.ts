// Enabled by renaming to naming.test.ts once the rename codemod of docs/naming.md is applied.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { packedPackage } from './support/user-project';

/*
 * No exported type of this library may share a name with a cdk8s-plus-28 export (users import both),
 * and no public name may be a reserved word of a jsii target language. The check reads the two jsii
 * assemblies: cdk8s-plus-28's as installed, ours from the packed package (test/support/user-project.ts builds it
 * by jsii in a scratch copy, once per run).
 */
const ROOT = path.join(__dirname, '..');
const RESERVED = new Set(['from', 'default', 'import', 'type', 'in', 'is', 'lambda', 'yield', 'with', 'def', 'global', 'pass']);

interface Assembly {
  readonly types: Record<string, { kind: string; methods?: Member[]; properties?: Member[]; initializer?: { parameters?: Param[] } }>;
}
interface Param { readonly name: string }
interface Member { readonly name: string; readonly parameters?: Param[] }

/** Type names without the assembly prefix, leaving out submodules (cdk8s-plus-28's generated `k8s`). */
function typeNames(assembly: Assembly, name: string): Set<string> {
  return new Set(Object.keys(assembly.types).filter((fqn) => fqn.split('.').length === 2).map((fqn) => fqn.slice(name.length + 1)));
}

const ours: Assembly = JSON.parse(execFileSync('tar', ['-xzOf', packedPackage().tarball, 'package/.jsii'], { encoding: 'utf8', maxBuffer: 1_000_000_000 }));
const theirs: Assembly = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', 'cdk8s-plus-28', '.jsii'), 'utf8'));

test('no exported type shares a name with a cdk8s-plus-28 export', () => {
  const plus = typeNames(theirs, 'cdk8s-plus-28');
  const mine = typeNames(ours, 'cdk8s-workloads');
  expect(plus.size).toBeGreaterThan(200);
  expect(mine.size).toBeGreaterThan(100);
  expect([...mine].filter((n) => plus.has(n)).sort()).toEqual([]);
});

test('no public member or parameter is a reserved word of a jsii target language', () => {
  const found: string[] = [];
  for (const [fqn, type] of Object.entries(ours.types)) {
    for (const m of [...type.methods ?? [], ...type.properties ?? []]) {
      if (RESERVED.has(m.name)) found.push(`${fqn}#${m.name}`);
      for (const p of m.parameters ?? []) if (RESERVED.has(p.name)) found.push(`${fqn}#${m.name}(${p.name})`);
    }
    for (const p of type.initializer?.parameters ?? []) if (RESERVED.has(p.name)) found.push(`${fqn}(${p.name})`);
  }
  expect(found.sort()).toEqual([]);
});
