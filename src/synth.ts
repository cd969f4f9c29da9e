import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, DependencyGraph, Names, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { renderApiObject } from './fast-json';

/** Options of {@link AppSynthesizer.synth}. */
export interface AppSynthOptions {
  /** Output directory. @default - the app's `outdir` (`CDK8S_OUTDIR` or `dist`) */
  readonly outdir?: string;
  /**
   * Also write `kustomization.yaml` listing the chart files in apply order, so
   * `kubectl kustomize <outdir>` and Flux/Argo CD kustomize applications work.
   * @default true
   */
  readonly kustomization?: boolean;
}

/** One file of a synthesis. */
export interface SynthesizedFile {
  /** File name inside the output directory. */
  readonly fileName: string;
  /** The YAML text written. */
  readonly content: string;
}

const KUSTOMIZATION = 'kustomization.yaml';

/**
 * Synthesises a cdk8s app in time linear in its size.
 *
 * `App.synth()` validates the whole app and resolves its dependencies once per chart
 * (quadratic in charts). This does both once, then renders each chart exactly as
 * `App.synth()` does with `YamlOutputType.FILE_PER_CHART`: the same file names (with the
 * `0000-` prefixes when charts depend on each other), the same order, the same YAML emitter.
 * Every file is rendered in memory before anything is written, so an invalid app writes nothing.
 */
export class AppSynthesizer {
  /** Renders and writes every chart of `app`; returns what it wrote. */
  public static synth(app: App, options: AppSynthOptions = {}): SynthesizedFile[] {
    const files = AppSynthesizer.render(app, options);
    const outdir = options.outdir ?? app.outdir;
    fs.mkdirSync(outdir, { recursive: true });
    // Remove what an earlier synthesis wrote, so a deleted chart does not linger in a GitOps source.
    for (const old of fs.readdirSync(outdir)) {
      if (old.endsWith(app.outputFileExtension) || old === KUSTOMIZATION) fs.rmSync(path.join(outdir, old));
    }
    for (const file of files) fs.writeFileSync(path.join(outdir, file.fileName), file.content, { encoding: 'utf8' });
    return files;
  }

  /** Renders every chart of `app` into YAML without writing anything. */
  public static render(app: App, options: AppSynthOptions = {}): SynthesizedFile[] {
    const all = app.node.findAll();
    validateAll(all);
    const hasDependantCharts = resolveDependencies(all);
    const files: SynthesizedFile[] = chartsInOrder(app, all).map(({ chart, objects }, i) => {
      const base = Names.toDnsLabel(chart);
      const fileName = (hasDependantCharts ? `${String(i).padStart(4, '0')}-${base}` : base) + app.outputFileExtension;
      return { fileName, content: Yaml.stringify(...objects.map(renderApiObject)) };
    });
    if (options.kustomization ?? true) {
      const resources = files.map((f) => f.fileName);
      files.push({
        fileName: KUSTOMIZATION,
        content: Yaml.stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources }),
      });
    }
    return files;
  }
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
  const errors: string[] = [];
  for (const c of all) {
    for (const error of c.node.validate()) errors.push(`[${c.node.path}] ${error}`);
  }
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
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
