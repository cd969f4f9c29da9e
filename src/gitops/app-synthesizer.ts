// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names, Yaml, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { isMap, isSeq, parseAllDocuments, parseDocument, YAMLSeq } from 'yaml';
import { ChangeAcknowledgement, ChangeGuard, ChangePlan, ManifestFile } from './change-guard';
import { CliRoute, cliRouteOf, openOutputDirectory } from './cli-output';
import { attempt } from './file-system';
import { manifestYaml } from './manifest-yaml';
import { OutputDirectory, OutputDirectoryChange } from './output-directory';
import { renderApiObject } from '../kubernetes/fast-json';
import type { PolicyOptions, PolicyViolation } from './policy/checker';
import { ensureOptional, manifestProblems, oneOf, strictSchemaViolations, validationFailed, warningsOf as warningsIn, workloadsError } from '../kubernetes/validation';

/** Options of {@link AppSynthesizer.synth} and {@link AppSynthesizer.render}. */
export interface AppSynthOptions {
  /**
   * The output directory: the GitOps source (Argo CD, Flux) that a synthesis changes only when it fully
   * succeeds, in one step, keeping files it did not write (see {@link OutputDirectory}).
   *
   * Under `cdk8s synth`, point cdk8s.yaml's `output` at a scratch directory and give the GitOps directory
   * here: cdk8s-cli deletes its `output` directory before it runs the app. Where they are the same directory
   * (`cdk8s init`'s layout), the previous output is put back first and stderr says what could not be (see
   * docs/gitops.md, "Every layout"). Under `cdk8s synth --stdout` and `--format helm` it is not written.
   * @default - the app's `outdir` (`CDK8S_OUTDIR` or `dist`)
   */
  readonly outdir?: string;

  /**
   * Also write `kustomization.yaml` listing the manifest files in apply order, so `kubectl kustomize <outdir>`
   * and Flux/Argo CD kustomize applications work. A kustomization that is already there is merged, not
   * replaced: its other fields (`patches`, `commonAnnotations`, ...) and the resources a user added are kept.
   * @default true
   */
  readonly kustomization?: boolean;

  /**
   * Run the {@link PolicyPlugin}'s policy over the rendered manifests before anything is written; an error
   * fails the synthesis and leaves the output directory as it was. (As a cdk8s.yaml `validations:` plugin it
   * would run only after the app has written.) Needs the optional `kubernetes-models` package.
   * @default - no policy check (the constructs' own validation and the API server's rules always run)
   */
  readonly policy?: PolicyOptions;

  /**
   * A second directory that receives the manifests as plain files (no kustomization, no ledger), replacing
   * its content: cdk8s-cli's output directory (`process.env.CDK8S_OUTDIR`) when cdk8s.yaml's `output` is a
   * scratch directory, so `cdk8s synth --stdout`, `--format helm` and validation plugins see the synthesis.
   * Written only after the output directory was.
   * @default - none
   */
  readonly cliOutdir?: string;

  /**
   * Take over manifests at the paths this synthesis writes although no earlier synthesis recorded them: for
   * the first synthesis into a directory that `App.synth()` or another tool filled.
   * @default false
   */
  readonly adoptExisting?: boolean;

  /**
   * Intended replacements or removals that the change guard would otherwise refuse (an immutable field changed,
   * a removal that deletes data), each with its reason. Acknowledgements recorded in the app with
   * `ChangeGuard.acknowledgeReplacement()` count too.
   * @default - none
   */
  readonly acknowledgements?: ChangeAcknowledgement[];

  /**
   * Treat every warning (the constructs' synth-time warnings and the policy's warnings) as an error: the synthesis
   * fails, listing them, and writes nothing. Justified suppressions are not warnings.
   * @default false
   */
  readonly warningsAsErrors?: boolean;

  /**
   * What to print of the change plan to stderr.
   * The plan lists the objects added, changed and removed against the previous synthesis in the output
   * directory, with immutable-field changes and destructive removals highlighted.
   * @default PlanOutput.FULL
   */
  readonly planOutput?: PlanOutput;
}

/** How much of the change plan {@link AppSynthesizer.synth} prints. */
export enum PlanOutput {
  /** Every added, changed and removed object, and the findings. */
  FULL = 'full',
  /** The summary line and the findings. */
  QUIET = 'quiet',
  /** Nothing (the plan is still in the result). */
  NONE = 'none',
}

/** One file of a synthesis. */
export interface SynthesizedFile {
  /** File name inside the output directory (`/`-separated for the folder-per-chart layout). */
  readonly fileName: string;
  /** The YAML text written. */
  readonly content: string;
}

/** What {@link AppSynthesizer.synth} did. */
export interface SynthesisResult {
  /** The files of the synthesis, as written to the output directory (kustomization as merged). */
  readonly files: SynthesizedFile[];
  /** What changed in the output directory. */
  readonly change: OutputDirectoryChange;
  /** The policy's warnings and justified suppressions (errors fail the synthesis). */
  readonly policyFindings: PolicyViolation[];
  /**
   * Every warning of the synthesis, once each, with its construct path: the constructs' (`SynthWarnings`) and
   * the policy's unsuppressed warnings. Printed to stderr unless `planOutput` is `PlanOutput.NONE`.
   */
  readonly warnings: string[];
  /** What changed against the previous synthesis, object by object, with the change guard's findings. */
  readonly plan: ChangePlan;
  /**
   * True when cdk8s-cli only shows the synthesis (`cdk8s synth --stdout`, `--format helm`): the output directory
   * was left as it was, and an app that writes other files (host files, say) should leave them alone too.
   */
  readonly previewOnly: boolean;
}

const KUSTOMIZATION_FILE = 'kustomization.yaml';

/**
 * Synthesises a cdk8s app in time linear in its size, and writes it without ever losing data.
 *
 * `App.synth()` validates the whole app and resolves its dependencies once per chart (quadratic in charts).
 * This does both once, then renders every chart exactly as `App.synth()` does for the app's `yamlOutputType`
 * and `outputFileExtension`: the same file names (with the `0000-` prefixes when charts depend on each other),
 * the same order, the same YAML emitter. Everything is rendered and checked (construct validation, the API
 * server's rules on the final manifests, the optional policy) before anything is written, and the output
 * directory then changes in one step.
 */
export class AppSynthesizer {
  /** The kustomization written beside the manifests. */
  public static readonly KUSTOMIZATION_FILE = KUSTOMIZATION_FILE;

  /** Renders, checks and writes every chart of `app`. Throws, writing nothing, when any check fails. */
  public static synth(app: App, options: AppSynthOptions = {}): SynthesisResult {
    ensureOptional('AppSynthesizer.synth', 'planOutput', options.planOutput, oneOf(PlanOutput));
    const { files: rendered, objectsByFile, pathOf } = renderApp(app, options);
    const policyFindings = options.policy ? checkPolicy(objectsByFile, options.policy) : [];
    const warnings = warningsOf(app, policyFindings, (file, index) => pathOf.get(objectsByFile[file]?.[index]));
    if (options.warningsAsErrors && warnings.length > 0) {
      throw workloadsError('SYNTHESIS', 'AppSynthesizer', `${warnings.length} warning(s), which warningsAsErrors makes errors (nothing was written):\n  ${warnings.join('\n  ')}`);
    }
    const directory = outputDirectoryOf(app, options);
    const plan = planAgainst(directory, app, objectsByFile, options);
    const blocked = ChangeGuard.blockingError(plan);
    if (blocked) throw workloadsError('SYNTHESIS', 'AppSynthesizer', blocked);

    const withKustomization = options.kustomization ?? true;
    const manifests = rendered.filter((f) => !(withKustomization && f.fileName === KUSTOMIZATION_FILE));
    const preview = previewOnly(directory, options.cliOutdir);
    const { files, change } = preview
      ? { files: rendered, change: { added: [], changed: [], removed: [], kept: [] } }
      : writeOutput(directory, rendered, manifests, options);

    if (options.cliOutdir !== undefined && path.resolve(options.cliOutdir) !== directory.path) {
      attempt('write the manifests for cdk8s-cli', path.resolve(options.cliOutdir), () => writePlain(options.cliOutdir!, manifests));
    }
    const planOutput = options.planOutput ?? PlanOutput.FULL;
    if (planOutput !== PlanOutput.NONE) {
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      process.stderr.write(`${ChangeGuard.formatPlan(plan, { quiet: planOutput === PlanOutput.QUIET }).trimEnd()}\n`);
    }
    return { files, change, policyFindings, warnings, plan, previewOnly: preview };
  }

  /**
   * Renders and checks `app` as {@link synth} does and compares it with the previous synthesis in the output
   * directory, writing nothing: the plan for reviews and users' own tooling.
   */
  public static plan(app: App, options: AppSynthOptions = {}): ChangePlan {
    const { objectsByFile } = renderApp(app, options);
    return planAgainst(outputDirectoryOf(app, options), app, objectsByFile, options);
  }

  /**
   * Renders every chart of `app` into YAML without writing anything: validates every construct, then checks
   * every final manifest (after JSON patches, raw ApiObjects, other libraries' constructs) against the rules
   * the Kubernetes 1.28 API server enforces. Throws one error listing every problem.
   */
  public static render(app: App, options: AppSynthOptions = {}): SynthesizedFile[] {
    return renderApp(app, options).files;
  }
}

/**
 * The output directory, with what cdk8s-cli deleted put back when the CLI's directory is the output directory
 * (see {@link openOutputDirectory}). Without `cliOutdir`, `CDK8S_OUTDIR` tells which directory the CLI deleted.
 */
function outputDirectoryOf(app: App, options: AppSynthOptions): OutputDirectory {
  return openOutputDirectory(options.outdir ?? app.outdir, options.cliOutdir ?? process.env.CDK8S_OUTDIR);
}

/**
 * `cdk8s synth --stdout` and `--format helm` only show the synthesis: the output directory stays as it is. Helm's
 * chart must not land in the output directory itself, which the CLI has emptied to hold it.
 */
function previewOnly(directory: OutputDirectory, cliOutdir: string | undefined): boolean {
  const route = cliOutdir === undefined ? CliRoute.PLAIN : cliRouteOf(cliOutdir);
  if (route === CliRoute.HELM && path.dirname(path.resolve(cliOutdir!)) === directory.path) {
    throw workloadsError('SYNTHESIS', 'AppSynthesizer', `cdk8s synth --format helm writes its chart into ${directory.path}, the output directory (cdk8s-cli deleted it `
      + 'first and wrote its Chart.yaml and README.md there; the previous content was put back beside them). Give the chart a directory of its own: '
      + '`cdk8s synth --format helm --chart-version <v> --output chart`, or add `output: cdk8s.out` to cdk8s.yaml');
  }
  return route !== CliRoute.PLAIN;
}

/** Writes the output directory, merging the kustomization; returns the files as written. */
function writeOutput(
  directory: OutputDirectory, rendered: SynthesizedFile[], manifests: SynthesizedFile[], options: AppSynthOptions,
): { files: SynthesizedFile[]; change: OutputDirectoryChange } {
  const withKustomization = options.kustomization ?? true;
  const previouslyOwned = new Set(directory.ownedFiles());
  let merged: string | undefined; // the kustomization as written: ours merged into the user's
  const merge = withKustomization ? {
    fileNames: [KUSTOMIZATION_FILE],
    merge: (_: string, __: string, current?: string) => (merged = mergeKustomization(current, manifests.map((f) => f.fileName), previouslyOwned)),
  } : undefined;
  const change = directory.replace(rendered, { merge, adoptExisting: options.adoptExisting });
  const files = rendered.map((f) => (f.fileName === KUSTOMIZATION_FILE && merged !== undefined ? { fileName: f.fileName, content: merged } : f));
  return { files, change };
}

/** The change plan of a synthesis against the manifests the output directory's ledger lists. */
function planAgainst(directory: OutputDirectory, app: App, objectsByFile: { [file: string]: any[] }, options: AppSynthOptions): ChangePlan {
  const previous: ManifestFile[] = directory.readOwnedFiles()
    .filter((f) => f.fileName !== KUSTOMIZATION_FILE && /\.ya?ml$/.test(f.fileName))
    .map((f) => ({ fileName: f.fileName, objects: parseAllDocuments(f.content, { version: '1.1' }).map((d) => d.toJSON()).filter((d) => d !== null && d !== undefined) }));
  const next: ManifestFile[] = Object.entries(objectsByFile).map(([fileName, objects]) => ({ fileName, objects }));
  const acknowledgements = [...(options.acknowledgements ?? []), ...ChangeGuard.acknowledgementsIn(app)];
  return ChangeGuard.planChanges(previous, next, { acknowledgements });
}

/**
 * The synthesis' warnings, once each: the constructs' own (already `[path] field "value": reason; fix`), then the
 * policy's unsuppressed warnings under the path of the construct that rendered the object.
 */
function warningsOf(app: App, findings: readonly PolicyViolation[], constructPath: (file: string, index: number) => string | undefined): string[] {
  const out = new Set<string>(warningsIn(app));
  for (const f of findings) {
    if (f.suppressedBecause || f.severity !== 'warning') continue;
    const where = constructPath(f.file, f.index) ?? f.object;
    out.add(`[${where}] ${f.path || '(object)'}: ${f.message} (policy rule ${f.ruleId}, ${f.object}); ${f.fix}`);
  }
  return [...out];
}

/** Renders and checks everything; the objects per file are kept for the policy, with the path of the construct of each. */
interface RenderedApp {
  readonly files: SynthesizedFile[];
  readonly objectsByFile: { [file: string]: any[] };
  /** The construct path of each rendered object (by identity of its JSON). */
  readonly pathOf: Map<unknown, string>;
}

function renderApp(app: App, options: AppSynthOptions): RenderedApp {
  const all = app.node.findAll();
  validateAll(all);
  const hasDependantCharts = resolveDependencies(all);
  const rendered = chartsInOrder(app, all).map(({ chart, objects }) => ({
    chart,
    objects: objects.map((o) => ({ construct: o, json: renderApiObject(o) })),
  }));
  checkServerSide(rendered.flatMap((r) => r.objects));

  const laidOut = layout(app, rendered.map((r) => ({ chart: r.chart, objects: r.objects.map((o) => o.json) })), hasDependantCharts);
  const files: SynthesizedFile[] = laidOut.map(({ fileName, content }) => ({ fileName, content }));
  if (options.kustomization ?? true) {
    files.push({ fileName: KUSTOMIZATION_FILE, content: Yaml.stringify(kustomization(laidOut.map((f) => f.fileName))) });
  }
  // The user's construct: an L1 object with the conventional id `Resource` stands for its parent.
  const pathOf = new Map<unknown, string>(rendered.flatMap((r) => r.objects.map((o): [unknown, string] =>
    [o.json, (o.construct.node.id === 'Resource' && o.construct.node.scope ? o.construct.node.scope : o.construct).node.path])));
  return { files, objectsByFile: Object.fromEntries(laidOut.map((f) => [f.fileName, f.objects])), pathOf };
}

interface RenderedChart {
  readonly chart: Chart;
  readonly objects: any[];
}

interface LaidOutFile extends SynthesizedFile {
  readonly objects: any[];
}

/** File names and contents exactly as `App.synth()` lays them out for the app's `yamlOutputType`. */
function layout(app: App, charts: RenderedChart[], hasDependantCharts: boolean): LaidOutFile[] {
  const ext = app.outputFileExtension;
  const chartName = (chart: Chart, i: number) => (hasDependantCharts ? `${String(i).padStart(4, '0')}-` : '') + Names.toDnsLabel(chart);
  const resourceName = (o: any) => `${o.kind}.${o.metadata?.name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
  switch (app.yamlOutputType) {
    case YamlOutputType.FILE_PER_APP:
      return charts.length === 0 ? [] : [laidOutFile(`app${ext}`, charts.flatMap((c) => c.objects))];
    case YamlOutputType.FILE_PER_CHART:
      return charts.map((c, i) => laidOutFile(chartName(c.chart, i) + ext, c.objects));
    case YamlOutputType.FILE_PER_RESOURCE:
      return unique(charts.flatMap((c) => c.objects.map((o) => laidOutFile(resourceName(o) + ext, [o]))));
    case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE:
      return unique(charts.flatMap((c, i) => c.objects.map((o) => laidOutFile(`${chartName(c.chart, i)}/${resourceName(o)}${ext}`, [o]))));
    default:
      throw workloadsError('SYNTHESIS', 'AppSynthesizer', `App yamlOutputType ${app.yamlOutputType} is not one AppSynthesizer knows; use a YamlOutputType value`);
  }
}

function laidOutFile(fileName: string, objects: any[]): LaidOutFile {
  return { fileName, content: manifestYaml(objects), objects };
}

/**
 * `App.synth()` silently lets a later object overwrite an earlier one whose file name is the same (same kind and
 * name in two namespaces or charts): the first would vanish from the output. Refuse instead.
 */
function unique(files: LaidOutFile[]): LaidOutFile[] {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.fileName)) {
      throw workloadsError('SYNTHESIS', 'AppSynthesizer', `two objects would be written to "${f.fileName}" (same kind and name); cdk8s would keep only the last one. `
        + 'Give them distinct names, or use YamlOutputType.FILE_PER_CHART');
    }
    seen.add(f.fileName);
  }
  return files;
}

function kustomization(resources: string[]): Record<string, unknown> {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
}

/**
 * The kustomization after this synthesis: the manifests in apply order, then the resources a user listed
 * (anything no synthesis wrote), in their order; every other field and comment of the user's file is kept.
 */
function mergeKustomization(current: string | undefined, manifests: string[], previouslyOwned: Set<string>): string {
  if (current === undefined || current.trim() === '') return Yaml.stringify(kustomization(manifests));
  const doc = parseDocument(current);
  if (doc.errors.length > 0 || !isMap(doc.contents)) {
    throw workloadsError('SYNTHESIS', 'AppSynthesizer', `${KUSTOMIZATION_FILE} is not a YAML mapping (${doc.errors[0]?.message ?? 'empty'}); fix or delete it so the synthesis can list its manifests in it`);
  }
  const existing = doc.get('resources');
  const listed: string[] = isSeq(existing) ? (existing as YAMLSeq).items.map((i: any) => String(i?.value ?? i)) : [];
  const generated = new Set(manifests);
  const users = listed.filter((r) => !generated.has(r) && !previouslyOwned.has(r));
  doc.set('resources', doc.createNode([...manifests, ...users]));
  if (!doc.has('apiVersion')) doc.set('apiVersion', 'kustomize.config.k8s.io/v1beta1');
  if (!doc.has('kind')) doc.set('kind', 'Kustomization');
  return doc.toString({ lineWidth: 0 });
}

/** cdk8s-cli has emptied its output directory before running the app; nothing here deletes anything. */
function writePlain(dir: string, files: SynthesizedFile[]): void {
  for (const f of files) {
    const file = path.join(dir, ...f.fileName.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.content, { encoding: 'utf8' });
  }
}

/**
 * The API server's rules on the final manifests: strict field validation against the 1.28 schema and the
 * server-side checks of the validation layer. Escape hatches (JSON patches, raw ApiObjects, other libraries'
 * constructs) bypass construct validation; this catches what they break, naming the construct.
 */
function checkServerSide(objects: Array<{ construct: ApiObject; json: any }>): void {
  const errors: string[] = [];
  for (const { construct, json } of objects) {
    const id = `${json.kind} ${json.metadata?.namespace ? `${json.metadata.namespace}/` : ''}${json.metadata?.name}`;
    for (const v of strictSchemaViolations(json)) errors.push(`[${construct.node.path}] ${id}: ${v.path} ${v.message}`);
    for (const p of manifestProblems(json)) errors.push(`[${construct.node.path}] ${id}: ${p.path} ${p.message}`);
  }
  if (errors.length > 0) {
    throw workloadsError('SYNTHESIS', 'AppSynthesizer', `These manifests break rules of the Kubernetes 1.28 API server (nothing was written):\n  ${errors.join('\n  ')}`);
  }
}

function checkPolicy(byFile: { [file: string]: any[] }, options: PolicyOptions): PolicyViolation[] {
  // Loaded here, not at the top: only a synthesis with a policy pays for loading its rules (a cold synth starts faster).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PolicyChecker, formatViolation } = require('./policy/checker') as typeof import('./policy/checker');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PolicySeverity } = require('./policy/rules') as typeof import('./policy/rules');
  // Every object here passed checkServerSide() in renderApp(): the policy does not repeat the API server's rules.
  const violations = new PolicyChecker(options)._check(byFile, true);
  const errors = violations.filter((v) => !v.suppressedBecause && v.severity === PolicySeverity.ERROR);
  if (errors.length > 0) {
    throw workloadsError('SYNTHESIS', 'AppSynthesizer', `The policy found ${errors.length} error(s) (nothing was written):\n  ${errors.map(formatViolation).join('\n  ')}`);
  }
  return violations;
}

interface ChartObjects {
  readonly chart: Chart;
  /** The chart's own ApiObjects (not those of nested charts), in render order. */
  readonly objects: ApiObject[];
}

/**
 * The charts and their objects in the order cdk8s renders them: `new DependencyGraph(scope.node).topology()`
 * for the app and for each chart. Without any dependency in the app, that order is the construct tree's
 * own (`findAll()`), so one pass over the tree groups the objects by chart and no graph is built (building
 * one checks every vertex for cycles). Integer-like ids come first in both: the graph's vertex table is
 * an object keyed by path, and so is every node's table of children.
 */
function chartsInOrder(app: App, all: IConstruct[]): ChartObjects[] {
  if (!all.some((c) => c.node.dependencies.length > 0)) {
    const byChart = new Map<IConstruct, ApiObject[]>();
    for (const c of all) {
      if (c instanceof Chart) byChart.set(c, []);
      else if (c instanceof ApiObject) byChart.get(Chart.of(c))!.push(c);
    }
    return Array.from(byChart, ([chart, objects]) => ({ chart: chart as Chart, objects }));
  }
  return topology(app, all).filter((c): c is Chart => c instanceof Chart).map((chart) => ({
    chart,
    objects: topology(chart).filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart),
  }));
}

/** `new DependencyGraph(scope.node).topology()`, skipped when it would be the tree order anyway. */
function topology(scope: IConstruct, nodes: IConstruct[] = scope.node.findAll()): IConstruct[] {
  const inside = new Set<IConstruct>(nodes);
  const needsGraph = nodes.some((n) => n.node.dependencies.some((d) => inside.has(d)));
  return needsGraph ? new DependencyGraph(scope.node).topology() : nodes;
}

/** Runs every construct's validations once (cdk8s runs them once per chart). */
function validateAll(all: IConstruct[]): void {
  const found: Array<{ where: IConstruct; message: string }> = [];
  for (const c of all) {
    for (const message of c.node.validate()) found.push({ where: c, message });
  }
  if (found.length > 0) throw validationFailed(found);
}

/**
 * The dependency rules of `App.synth()`, computed once: nested charts and cross-chart construct
 * dependencies become chart dependencies, construct dependencies become ApiObject dependencies.
 */
function resolveDependencies(all: IConstruct[]): boolean {
  let hasDependantCharts = false;
  for (const parent of all) {
    if (!(parent instanceof Chart)) continue;
    for (const child of parent.node.children) {
      if (child instanceof Chart) {
        parent.node.addDependency(child);
        hasDependantCharts = true;
      }
    }
  }
  const dependencies = () => {
    const edges: Array<{ source: IConstruct; target: IConstruct }> = [];
    for (const source of all) for (const target of source.node.dependencies) edges.push({ source, target });
    return edges;
  };
  for (const { source, target } of dependencies()) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  // Listed again on purpose: App.synth() also sees the chart dependencies just added.
  for (const { source, target } of dependencies()) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    const targets = target.node.findAll().filter((c) => c instanceof ApiObject && Chart.of(c) === targetChart);
    const sources = source.node.findAll().filter((c) => c instanceof ApiObject && Chart.of(c) === sourceChart);
    for (const t of targets) {
      for (const s of sources) if (t !== s) s.node.addDependency(t);
    }
  }
  return hasDependantCharts;
}
