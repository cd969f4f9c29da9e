import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, ChartProps, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { renderApiObject } from '../src/kubernetes/fast-json';
import { manifestProblems, serverRewrites, strictSchemaViolations } from '../src/kubernetes/validation';

export type Manifest = Record<string, any>;

/** A fresh app and chart for one test. */
export function testChart(props: ChartProps = {}): Chart {
  return new Chart(Testing.app(), 'test', props);
}

/** kubernetes-models' validator for an apiVersion/kind (4.x is CommonJS, one module per kind). */
function modelFor(apiVersion: string, kind: string): (new (data: Manifest) => { validate(): void }) {
  const modulePath = `kubernetes-models/${apiVersion}/${kind}`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(modulePath)[kind];
  } catch {
    throw new Error(`${apiVersion} ${kind}: no such kind in kubernetes-models (removed or misspelled API?)`);
  }
}

/**
 * Validates manifests as a Kubernetes 1.28 API server would: kubernetes-models' schema validation,
 * strict field validation (unknown fields), the server-side rules of the validation layer (names,
 * labels, selector/template agreement, restart policies, ports), and unique object identities.
 * Throws one error listing every problem.
 */
export function validateManifests(docs: Manifest[]): void {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    const id = `${doc.apiVersion} ${doc.kind} ${doc.metadata?.namespace ?? ''}/${doc.metadata?.name}`;
    try {
      const Model = modelFor(doc.apiVersion, doc.kind);
      new Model(doc).validate();
    } catch (e) {
      problems.push(`${id}: ${(e as Error).message}`);
    }
    for (const v of strictSchemaViolations(doc)) problems.push(`${id}: ${v.path} ${v.message}`);
    // What the library renders must be what the API server stores; other libraries' objects (cdk8s-plus'
    // NetworkPolicy renders `ports: []`) are theirs to fix.
    if (doc.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'cdk8s-workloads') {
      for (const v of serverRewrites(doc)) problems.push(`${id}: ${v.path} ${v.message}`);
    }
    for (const p of manifestProblems(doc)) problems.push(`${id}: ${p.path} ${p.message}`);
    const key = `${doc.kind}/${doc.metadata?.namespace ?? ''}/${doc.metadata?.name}`;
    if (seen.has(key)) problems.push(`${id}: defined twice`);
    seen.add(key);
  }
  if (problems.length > 0) throw new Error(`invalid manifests:\n  ${problems.join('\n  ')}`);
}

/**
 * Synthesises a chart and validates every object (see {@link validateManifests}). It also checks that
 * AppSynthesizer's fast rendering gives exactly what cdk8s' `toJson()` gives, for every object.
 */
export function synthValid(chart: Chart): Manifest[] {
  const docs = Testing.synth(chart) as Manifest[];
  validateManifests(docs);
  for (const o of chart.node.findAll()) {
    // JSON text, not deep equality: key order is what makes the YAML bytes identical.
    if (o instanceof ApiObject) expect(JSON.stringify(renderApiObject(o))).toBe(JSON.stringify(o.toJson()));
  }
  return docs;
}

/** The one object of a kind (and name, when given); fails when there is not exactly one. */
export function only(docs: Manifest[], kind: string, name?: string): Manifest {
  const found = docs.filter((d) => d.kind === kind && (name === undefined || d.metadata?.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` "${name}"` : ''}, found ${found.length}`);
  return found[0];
}

/** The kinds of a synthesis, in order. */
export function kinds(docs: Manifest[]): string[] {
  return docs.map((d) => d.kind);
}

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A temporary directory, removed after the test file. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Parses a multi-document YAML file the way cdk8s reads YAML (1.1). */
export function parseYamlDocuments(text: string): Manifest[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJSON()).filter((d) => d !== null && d !== undefined);
}

const VALIDATION_HEADER = 'Validation failed with the following errors:\n  ';

/**
 * The errors `fn` throws, one per entry: the input errors a synthesis collects (cdk8s' and AppSynthesizer's
 * "Validation failed with the following errors:" list), or the one message of any other error. Fails the
 * test when `fn` throws nothing.
 */
export function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    const message = (e as Error).message;
    return message.startsWith(VALIDATION_HEADER) ? message.slice(VALIDATION_HEADER.length).split('\n  ') : [message];
  }
  throw new Error('expected an error, but none was thrown');
}

/** The ledger OutputDirectory keeps in every directory it writes. */
export const LEDGER = '.cdk8s-workloads.sha256';

/**
 * Every file under `dir` (recursively), by `/`-separated relative path; the ledger only when asked for, so a
 * directory compares equal to what `App.synth()` or a helper wrote.
 */
export function readTree(dir: string, options: { ledger?: boolean } = {}): Record<string, string> {
  if (!fs.existsSync(dir)) return {};
  return Object.fromEntries(fs.readdirSync(dir, { recursive: true }).map((f) => String(f).split(path.sep).join('/')).sort()
    .filter((f) => fs.lstatSync(path.join(dir, f)).isFile() && (options.ledger || f !== LEDGER))
    .map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

/** cdk8s.yaml's `app` command, as cdk8s-cli runs it (through a shell). */
export function cdk8sAppCommand(root: string): string {
  return /^app:\s*(.+)$/m.exec(fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8'))![1].trim();
}

/** The errors `fn` throws (see {@link errorsOf}), one per line. */
export function errorOf(fn: () => unknown): string {
  return errorsOf(fn).join('\n');
}
