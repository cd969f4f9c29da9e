// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import { Yaml } from 'cdk8s';
import { Document } from 'yaml';

// cdk8s' emitter (`Yaml.stringify`: the `yaml` package, YAML 1.1, no line folding) builds a node tree for every
// document and tests every scalar against every tag; it was more than half of a synthesis. For the documents a
// synthesis renders (plain objects, arrays, strings, finite numbers, booleans) its output follows a few rules, written
// out here with the package's own scalar tests. Anything outside them (null, non-ASCII or control characters, quotes
// inside strings, arrays directly in arrays, ...) goes to `Yaml.stringify` for the whole document, and a probe at
// first use compares both emitters on every rule: if any byte differs, every document of the process goes to
// `Yaml.stringify` (`manifestYamlPath()` says which). The files stay byte-identical to `App.synth()`'s either way.

/** A value this emitter does not write itself: its document goes to `Yaml.stringify`. */
class NotHandled extends Error {}

const INDENT = '  ';
// yaml's plainString(): what may not be written as a plain scalar.
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// yaml writes explicit keys (`? key`) beyond 1024 characters.
const MAX_KEY = 1000;

let readsAsOtherType: ((s: string) => boolean) | undefined;

/** True when YAML 1.1, as cdk8s' emitter reads it back, would take this string for another type (`yes`, `1:20`, `~`, ...). */
function isTypedScalar(s: string): boolean {
  if (!readsAsOtherType) {
    // The tags of the package's own YAML 1.1 schema, as its plainString() tests them.
    const tags: ReadonlyArray<{ default?: unknown; tag: string; test?: RegExp }> = new Document(null, { version: '1.1' }).schema.tags;
    const tests = tags.filter((t) => t.default === true && t.tag !== 'tag:yaml.org,2002:str' && t.test).map((t) => t.test!);
    readsAsOtherType = (value) => tests.some((re) => re.test(value));
  }
  return readsAsOtherType(s);
}

function scalarString(s: string): string {
  if (!PRINTABLE_ASCII.test(s) || DOCUMENT_MARKER.test(s)) throw new NotHandled();
  if (s !== '' && !NOT_PLAIN.test(s) && !isTypedScalar(s)) return s;
  if (s.includes('"') || s.includes('\\')) throw new NotHandled();
  return `"${s}"`;
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string': return scalarString(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) throw new NotHandled();
      return JSON.stringify(value);
    default: throw new NotHandled();
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An empty map or list as a flow collection, or undefined for anything else. */
function emptyCollection(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  if (isPlainObject(value)) {
    for (const _ in value) return undefined;
    return '{}';
  }
  return undefined;
}

/** A block map at `indent`; the first line starts with `firstPrefix` instead (a map that is a list item: `- `). */
function blockMap(map: Record<string, unknown>, indent: string, out: string[], firstPrefix?: string): void {
  let first = true;
  for (const key of Object.keys(map)) {
    if (key.length > MAX_KEY) throw new NotHandled();
    const prefix = first && firstPrefix !== undefined ? firstPrefix : indent;
    first = false;
    const value = map[key];
    const k = scalarString(key);
    if (Array.isArray(value) || isPlainObject(value)) {
      const empty = emptyCollection(value);
      if (empty !== undefined) {
        out.push(`${prefix}${k}: ${empty}\n`);
      } else {
        out.push(`${prefix}${k}:\n`);
        block(value, indent + INDENT, out);
      }
    } else {
      out.push(`${prefix}${k}: ${scalar(value)}\n`);
    }
  }
}

function block(value: unknown[] | Record<string, unknown>, indent: string, out: string[]): void {
  if (!Array.isArray(value)) return blockMap(value, indent, out);
  for (const item of value) {
    if (Array.isArray(item) || isPlainObject(item)) {
      const empty = emptyCollection(item);
      if (empty !== undefined) out.push(`${indent}- ${empty}\n`);
      else if (Array.isArray(item)) throw new NotHandled();
      else blockMap(item, indent + INDENT, out, `${indent}- `);
    } else {
      out.push(`${indent}- ${scalar(item)}\n`);
    }
  }
}

function fastDocument(doc: unknown): string {
  if (!isPlainObject(doc) || emptyCollection(doc) !== undefined) throw new NotHandled();
  const out: string[] = [];
  blockMap(doc, '', out);
  return out.join('');
}

/** One document: written here when every value follows the rules above, else by cdk8s' emitter. */
function documentYaml(doc: unknown): string {
  try {
    return fastDocument(doc);
  } catch (e) {
    if (!(e instanceof NotHandled)) throw e;
    return Yaml.stringify(doc);
  }
}

// Every rule above, with values on both sides of it; the probe compares both emitters on it once per process.
const PROBE = {
  'apiVersion': 'apps/v1',
  'kind': 'StatefulSet',
  'metadata': { name: 'db', labels: { 'app.kubernetes.io/name': 'db', 'version': '16.4', 'n': 'y', 'on': 'off' }, annotations: {} },
  'spec': {
    replicas: 3,
    ratio: 0.5,
    big: 1e21,
    paused: false,
    selector: { matchLabels: { app: 'db' } },
    items: [{ name: 'a', ports: [{ containerPort: 5432, name: 'pg' }], nested: { deep: ['x', 1, true] } }, {}, [], 'plain', '', ' lead', 'trail ', 'a: b', 'a #b', 'a:b', '#x', '-', '- x', '?', '-x', 'x:', "it's"],
    scalars: ['~', 'null', 'Null', 'yes', 'No', 'TRUE', '0x1F', '017', '0b101', '1_000', '1:20', '1:20.5', '.5', '1e3', '.inf', '.NaN', '2001-12-14', '<<', '@x', '`x', '*a', '&a', '!t', '|', '>', ',', '[x]', '{x}', 'x,y', '1Gi', '250m', '/var/lib/data', 'http://example.com/a?b=c'],
    empty: {},
    none: [],
  },
  '<<': 'merge key',
  'y': 'key that reads as a boolean',
};

let fastPath: { fast: boolean; reason: string } | undefined;

/**
 * Whether this process writes manifests with the emitter above (`fast`) or with `Yaml.stringify` for every
 * document, and why. `CDK8S_WORKLOADS_YAML=cdk8s` forces `Yaml.stringify` (to compare, or to measure).
 */
export function manifestYamlPath(): { fast: boolean; reason: string } {
  if (!fastPath) {
    if (process.env.CDK8S_WORKLOADS_YAML === 'cdk8s') {
      fastPath = { fast: false, reason: 'CDK8S_WORKLOADS_YAML=cdk8s' };
    } else {
      let same: boolean;
      try {
        same = fastDocument(PROBE) === Yaml.stringify(PROBE);
      } catch {
        same = false;
      }
      fastPath = same
        ? { fast: true, reason: 'the probe document is byte-identical with cdk8s\' Yaml.stringify' }
        : { fast: false, reason: 'the probe document differs from cdk8s\' Yaml.stringify (another yaml version?)' };
    }
  }
  return fastPath;
}

/** The documents as one YAML stream, byte-identical with cdk8s' `Yaml.stringify(...docs)`. */
export function manifestYaml(docs: unknown[]): string {
  if (!manifestYamlPath().fast) return Yaml.stringify(...docs);
  return docs.map((d) => (d === undefined ? '\n' : documentYaml(d))).join('---\n');
}
