/* eslint-disable no-console */
// `npm run bench`: synthesis benchmarks, never part of `npm test` (docs/performance.md explains the
// method and what the figures mean). Every measurement runs in a fresh child process, so module caches
// and JIT state do not leak between cases. Compared cases run interleaved (A, B, A, B, ...) and each
// ratio is the median of the per-pair ratios, printed with its spread, so a change of machine load
// during the run moves both sides of a pair instead of one ratio. `BENCH_QUICK=1` runs smaller cases
// and fewer pairs (under two minutes on a quiet 2-core machine): for steering, not for the targets.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance, PerformanceObserver } from 'perf_hooks';
import type { App, Chart } from 'cdk8s';

const ROOT = path.join(__dirname, '..', '..');
const SELF = __filename;
const TSX = require.resolve('tsx/cjs'); // absolute: some children run in other directories
const CLI = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const PLUGIN = path.join(ROOT, 'src', 'gitops', 'policy', 'dev-entry.cjs');
const TSC = require.resolve('typescript/bin/tsc');
const TIME = '/usr/bin/time'; // GNU time, for the peak RSS of commands that spawn their own children
const QUICK = process.env.BENCH_QUICK === '1';
const CHILD_TIMEOUT_MS = 15 * 60_000;

/** Case sizes and pair counts; BENCH_PAIRS overrides every pair count. */
const PLAN = QUICK
  ? { objects: 1000, charts: [100, 1000], appSynth: 1000, e2e: 200, scale: [500, 2500], nodePorts: [20, 200], pairs: 3, slowPairs: 1 }
  : { objects: 1000, charts: [200, 2000], appSynth: 2000, e2e: 1000, scale: [5000, 25000], nodePorts: [200, 2000], pairs: 7, slowPairs: 3 };
const PAIRS = Number(process.env.BENCH_PAIRS ?? PLAN.pairs);
const SLOW_PAIRS = Number(process.env.BENCH_PAIRS ?? PLAN.slowPairs);

/** One run of a case. `ms`: the timed region (wall); in-process cases exclude node start and module loading. */
interface Run {
  readonly ms: number;
  /** Wall time of the whole child process, as the parent saw it. */
  readonly processMs: number;
  /** CPU time (user + system) of the timed region, or of the whole command. */
  readonly cpuMs: number;
  readonly rssMb: number;
  /** Time and count of garbage collections in the timed region (in-process cases only). */
  readonly gcMs?: number;
  readonly gcCount?: number;
  readonly heapMb?: number;
  readonly objects?: number;
  readonly renderPath?: string;
}

// ---------------------------------------------------------------------------------------------------
// Child side: build and synthesise one case, print a Run as JSON.

/* eslint-disable @typescript-eslint/no-require-imports */
const lib = () => ({
  cdk8s: require('cdk8s') as typeof import('cdk8s'),
  kplus: require('cdk8s-plus-28') as typeof import('cdk8s-plus-28'),
  ...(require('../../src/constructs/stateful-app/stateful-app') as typeof import('../../src/constructs/stateful-app/stateful-app')),
  ...(require('../../src/constructs/stateless-app/stateless-app') as typeof import('../../src/constructs/stateless-app/stateless-app')),
  ...(require('../../src/workload/service') as typeof import('../../src/workload/service')),
  ...(require('../../src/pod/probe') as typeof import('../../src/pod/probe')),
  ...(require('../../src/gitops/app-synthesizer') as typeof import('../../src/gitops/app-synthesizer')),
  ...(require('../../src/kubernetes/fast-json') as typeof import('../../src/kubernetes/fast-json')),
});
/* eslint-enable @typescript-eslint/no-require-imports */
type Lib = ReturnType<typeof lib>;

function statefulApps(l: Lib, chart: Chart, n: number): void {
  for (let i = 0; i < n; i++) {
    new l.StatefulApp(chart, `db${i}`, {
      replicas: 3,
      containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }], volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql/data' }] }],
      volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }],
    });
  }
}

function plusStatefulSets(l: Lib, chart: Chart, n: number): void {
  for (let i = 0; i < n; i++) {
    // StatefulSet + its headless Service, the closest cdk8s-plus-28 gets (it cannot render claim templates).
    new l.kplus.StatefulSet(chart, `db${i}`, {
      replicas: 3,
      containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }] }],
    });
  }
}

/** One chart (and namespace) per tenant, one StatefulApp each: 2 objects per chart. */
function tenantCharts(l: Lib, app: App, n: number): void {
  for (let i = 0; i < n; i++) statefulApps(l, new l.cdk8s.Chart(app, `tenant${i}`, { namespace: `tenant${i}` }), 1);
}

/**
 * One chart per tenant with a StatefulApp and a StatelessApp: 4 objects per chart (the e2e and scale
 * app). Probes on every container, so the PolicyPlugin passes it without warnings, as a real app would.
 */
function mixedCharts(l: Lib, app: App, n: number): void {
  for (let i = 0; i < n; i++) {
    const chart = new l.cdk8s.Chart(app, `tenant${i}`, { namespace: `tenant${i}` });
    new l.StatefulApp(chart, 'db', {
      replicas: 3,
      containers: [{
        name: 'db',
        image: 'postgres:16.4',
        ports: [{ number: 5432, name: 'pg' }],
        volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql/data' }],
        readinessProbe: l.PodProbe.tcpSocket({ portName: 'pg' }),
        livenessProbe: l.PodProbe.tcpSocket({ portName: 'pg', periodSeconds: 20 }),
      }],
      volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }],
    });
    new l.StatelessApp(chart, 'web', {
      replicas: 2,
      containers: [{
        name: 'web',
        image: 'nginx:1.25.3',
        ports: [{ number: 8080, name: 'http' }],
        readinessProbe: l.PodProbe.httpGet({ path: '/healthz', portName: 'http' }),
        livenessProbe: l.PodProbe.httpGet({ path: '/healthz', portName: 'http', periodSeconds: 20 }),
      }],
    });
  }
}

/**
 * An app with `n` NodePort Services, each with its own fixed node port: the case the app-wide node-port
 * check must handle in linear time. (Local stand-in for test/bench/fixtures/nodeports.ts.)
 */
function nodePortApp(l: Lib, app: App, n: number): void {
  const span = l.NODE_PORT_RANGE.max - l.NODE_PORT_RANGE.min + 1;
  if (n > span) throw new Error(`at most ${span} fixed node ports fit the default range`);
  const chart = new l.cdk8s.Chart(app, 'nodeports', { namespace: 'nodeports' });
  for (let i = 0; i < n; i++) {
    new l.StatelessApp(chart, `web${i}`, {
      containers: [{ name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] }],
      service: { serviceType: l.WorkloadServiceType.NODE_PORT, ports: [{ port: 80, targetPort: 8080, nodePort: l.NODE_PORT_RANGE.min + i }] },
    });
  }
}

/**
 * Collects the GC pauses between `start()` and `stop()`. Node delivers GC entries asynchronously, so the
 * result comes in a callback once the event loop has run.
 */
function gcWatch(): { start(): void; stop(): number; result(done: (gc: { gcMs: number; gcCount: number }) => void): void } {
  let from = 0;
  let to = Infinity;
  const entries: Array<{ startTime: number; duration: number }> = [];
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  return {
    start: () => { from = performance.now(); },
    stop: () => (to = performance.now()),
    result: (done) => setTimeout(() => {
      observer.disconnect();
      const inside = entries.filter((e) => e.startTime >= from && e.startTime <= to);
      done({ gcMs: inside.reduce((sum, e) => sum + e.duration, 0), gcCount: inside.length });
    }, 50),
  };
}

function cpuMs(since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

function runCase(kind: string, n: number, outdir: string): void {
  const l = lib(); // every module loads before the clock starts
  const app = new l.cdk8s.App({ outdir });
  const gc = gcWatch();
  let cpu0 = process.cpuUsage();
  let start = performance.now();
  gc.start();
  const ours = () => l.AppSynthesizer.synth(app, { kustomization: false });
  switch (kind) {
    case 'statefulapp':
      statefulApps(l, new l.cdk8s.Chart(app, 'bench'), n);
      ours();
      break;
    case 'plus':
      plusStatefulSets(l, new l.cdk8s.Chart(app, 'bench'), n);
      app.synth();
      break;
    case 'floor': {
      // The final plain objects of the statefulapp case, serialised with the same emitter and written.
      statefulApps(l, new l.cdk8s.Chart(app, 'bench'), n);
      const docs = l.cdk8s.Testing.synth(app.charts[0]);
      fs.mkdirSync(outdir, { recursive: true });
      cpu0 = process.cpuUsage();
      start = performance.now();
      gc.start();
      fs.writeFileSync(path.join(outdir, 'bench.k8s.yaml'), l.cdk8s.Yaml.stringify(...docs), { encoding: 'utf8' });
      break;
    }
    case 'charts-ours':
      tenantCharts(l, app, n);
      ours();
      break;
    case 'charts-appsynth':
      tenantCharts(l, app, n);
      app.synth();
      break;
    case 'scale':
      mixedCharts(l, app, n);
      ours();
      break;
    case 'nodeports':
      nodePortApp(l, app, n);
      ours();
      break;
    default:
      throw new Error(`unknown case ${kind}`);
  }
  const ms = gc.stop() - start;
  const cpu = cpuMs(cpu0);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20; // what the synthesised app still holds
  const objects = app.node.findAll().filter((c) => c instanceof l.cdk8s.ApiObject).length;
  const renderPath = `${l.renderPath().fast ? 'fast' : 'toJson'}: ${l.renderPath().reason}`;
  gc.result((pauses) => {
    const run: Run = { ms, processMs: 0, cpuMs: cpu, rssMb, ...pauses, heapMb, objects, renderPath };
    process.stdout.write(JSON.stringify(run));
  });
}

/** The e2e app, run as a whole command (by cdk8s-cli, or alone): writes to CDK8S_OUTDIR. */
function runApp(kind: string, n: number): void {
  const l = lib();
  const app = new l.cdk8s.App();
  mixedCharts(l, app, n);
  if (kind === 'ours') l.AppSynthesizer.synth(app);
  else app.synth();
}

// ---------------------------------------------------------------------------------------------------
// Parent side.

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
}

function spawn(argv: string[], cwd: string, env: NodeJS.ProcessEnv): { stdout: string; ms: number } {
  const start = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: CHILD_TIMEOUT_MS });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, ms };
}

/** A case in a fresh node process. */
function child(kind: string, n: number): () => Run {
  return () => {
    const out = tmp();
    try {
      const { stdout, ms } = spawn([process.execPath, '--require', TSX, SELF, '--case', kind, String(n), out], ROOT, {});
      return { ...JSON.parse(stdout) as Run, processMs: ms };
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  };
}

/** A whole command, timed from outside; CPU and peak RSS of its process tree from GNU time when present. */
function command(argv: string[], cwd = ROOT, outdirEnv = true): () => Run {
  return () => {
    const out = tmp();
    const stats = path.join(out, 'time.txt');
    const timed = fs.existsSync(TIME) ? [TIME, '-o', stats, '-f', '%U %S %M', ...argv] : argv;
    try {
      // The synth app writes the GitOps directory and host files (src/main.ts): into the temp directory, not the repository.
      const env = outdirEnv ? {
        CDK8S_OUTDIR: path.join(out, 'cdk8s.out'), CDK8S_GITOPS_DIR: path.join(out, 'dist'), CDK8S_HOST_FILES_DIR: path.join(out, 'hosts'),
      } : {};
      const { ms } = spawn(timed, cwd, { CDK8S_CHECK_UPGRADE: 'false', ...env });
      const [user, sys, rssKb] = fs.existsSync(stats) ? fs.readFileSync(stats, 'utf8').trim().split(/\s+/).slice(-3).map(Number) : [NaN, NaN, NaN];
      return { ms, processMs: ms, cpuMs: (user + sys) * 1000, rssMb: rssKb / 1024 };
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  };
}

/** `npx cdk8s synth` of the mixed app in a project of its own, with the PolicyPlugin after the app. */
function e2eProject(n: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-'));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), [
    'language: typescript',
    `app: ${process.execPath} --require ${TSX} ${SELF} --app ours ${n}`,
    'output: dist',
    'validations:',
    `  - package: ${PLUGIN}`,
    '    version: 0.0.0',
    '    class: PolicyPlugin',
    '',
  ].join('\n'));
  return dir;
}

interface Pair {
  readonly a: Run[];
  readonly b: Run[];
  readonly ratios: number[];
  readonly cpuRatios: number[];
}

/** Runs A and B alternately `pairs` times; `ratio` compares one A with the B run right after it. */
type Ratio = (a: Run, b: Run) => number;
let maxLoad = os.loadavg()[0];

function interleaved(name: string, a: () => Run, b: () => Run, pairs: number, ratio: Ratio, cpuRatio?: Ratio): Pair {
  const result: Pair = { a: [], b: [], ratios: [], cpuRatios: [] };
  for (let i = 0; i < pairs; i++) {
    const ra = a();
    const rb = b();
    result.a.push(ra);
    result.b.push(rb);
    result.ratios.push(ratio(ra, rb));
    if (cpuRatio) result.cpuRatios.push(cpuRatio(ra, rb));
  }
  const spread = `${Math.min(...result.ratios).toFixed(3)}..${Math.max(...result.ratios).toFixed(3)}`;
  const cpu = result.cpuRatios.length && result.cpuRatios.every(Number.isFinite) ? `, CPU-time ratio ${median(result.cpuRatios).toFixed(3)}` : '';
  const load = os.loadavg()[0];
  maxLoad = Math.max(maxLoad, load);
  console.log(`${name.padEnd(24)} ratio ${median(result.ratios).toFixed(3)} (spread ${spread}, ${pairs} pairs${cpu}); load ${load.toFixed(1)}`);
  return result;
}

function summary(label: string, runs: Run[]): void {
  const m = (f: (r: Run) => number | undefined) => median(runs.map((r) => f(r) ?? NaN));
  const gc = runs[0].gcMs !== undefined ? `, GC ${m((r) => r.gcMs).toFixed(0)} ms in ${m((r) => r.gcCount).toFixed(0)} pauses, heap ${m((r) => r.heapMb).toFixed(0)} MB` : '';
  const objects = runs[0].objects ? `, ${runs[0].objects} objects` : '';
  const rss = Math.max(...runs.map((r) => r.rssMb)).toFixed(0);
  console.log(`  ${label.padEnd(30)} median ${m((r) => r.ms).toFixed(0).padStart(7)} ms (CPU ${m((r) => r.cpuMs).toFixed(0)} ms), peak RSS ${rss} MB${gc}${objects}`);
}

const perItem = (n: number) => (r: Run) => r.ms / n;
const cpuPerItem = (n: number) => (r: Run) => r.cpuMs / n;
const wall: Ratio = (a, b) => a.ms / b.ms;
const cpu: Ratio = (a, b) => a.cpuMs / b.cpuMs;
const linearity = (big: number, small: number): [Ratio, Ratio] => [
  (a, b) => perItem(big)(a) / perItem(small)(b),
  (a, b) => cpuPerItem(big)(a) / cpuPerItem(small)(b),
];

function main(): void {
  const started = performance.now();
  console.log(`bench: node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}, `
    + `${QUICK ? 'BENCH_QUICK (reduced sizes: figures for steering, not for the targets)' : 'full'}; ${PAIRS} pairs (${SLOW_PAIRS} for slow cases)`);
  const P = PLAN;
  const fig: Record<string, number> = {};

  const sa = child('statefulapp', P.objects);
  const plus = interleaved('statefulapp_vs_plus', sa, child('plus', P.objects), PAIRS, wall, cpu);
  summary(`StatefulApp x${P.objects}`, plus.a);
  summary(`cdk8s-plus-28 StatefulSet x${P.objects}`, plus.b);
  console.log(`  render path: ${plus.a[0].renderPath}`);
  fig.r1 = median(plus.ratios);

  const floor = interleaved('statefulapp_vs_floor', sa, child('floor', P.objects), PAIRS, wall, cpu);
  summary('floor (emit + write only)', floor.b);
  fig.r2 = median(floor.ratios);

  const charts = interleaved(`charts${P.appSynth}_vs_appsynth`, child('charts-ours', P.appSynth), child('charts-appsynth', P.appSynth), SLOW_PAIRS, wall, cpu);
  summary(`AppSynthesizer ${P.appSynth} charts`, charts.a);
  summary(`App.synth() ${P.appSynth} charts`, charts.b);
  fig.r3 = median(charts.ratios);

  const lin = interleaved('charts_linearity', child('charts-ours', P.charts[1]), child('charts-ours', P.charts[0]), PAIRS,
    ...linearity(P.charts[1], P.charts[0]));
  summary(`AppSynthesizer ${P.charts[1]} charts`, lin.a);
  summary(`AppSynthesizer ${P.charts[0]} charts`, lin.b);
  fig.r4 = median(lin.ratios);

  const app = appCommand();
  const cold = interleaved('cold_synth_vs_node', command(app), command([process.execPath, '-e', "require('cdk8s-plus-28')"]), PAIRS, wall, cpu);
  summary(`cold synth (${app.slice(1).join(' ')})`, cold.a);
  summary('node -e require(cdk8s-plus-28)', cold.b);
  fig.r5 = median(cold.ratios);

  const project = e2eProject(P.e2e);
  try {
    const e2e = interleaved(`e2e${P.e2e}_vs_appsynth`, command([CLI, 'synth', '--no-check-upgrade'], project, false),
      command([process.execPath, '--require', TSX, SELF, '--app', 'appsynth', String(P.e2e)]), SLOW_PAIRS, wall, cpu);
    summary(`npx cdk8s synth ${P.e2e} charts + plugin`, e2e.a);
    summary(`App.synth() ${P.e2e} charts, whole process`, e2e.b);
    fig.r6 = median(e2e.ratios);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }

  const scale = interleaved('scale_linearity', child('scale', P.scale[1]), child('scale', P.scale[0]), SLOW_PAIRS,
    ...linearity(P.scale[1], P.scale[0]));
  summary(`scale ${P.scale[1]} charts`, scale.a);
  summary(`scale ${P.scale[0]} charts`, scale.b);
  fig.scaleS = median(scale.a.map((r) => r.processMs)) / 1000;
  fig.scaleMb = Math.max(...scale.a.map((r) => r.rssMb));
  fig.scaleL = median(scale.ratios);
  console.log(`  scale ${P.scale[1]} charts: ${fig.scaleS.toFixed(1)} s whole process, ${fig.scaleMb.toFixed(0)} MB peak RSS, `
    + `${(median(scale.a.map(perItem(P.scale[1]))) * 1000).toFixed(0)} us per chart vs ${(median(scale.b.map(perItem(P.scale[0]))) * 1000).toFixed(0)} us at ${P.scale[0]}`);

  const nodePorts = interleaved('nodeports_linearity', child('nodeports', P.nodePorts[1]), child('nodeports', P.nodePorts[0]), SLOW_PAIRS,
    ...linearity(P.nodePorts[1], P.nodePorts[0]));
  summary(`${P.nodePorts[1]} NodePort Services`, nodePorts.a);
  summary(`${P.nodePorts[0]} NodePort Services`, nodePorts.b);

  userLoop(app, fig);

  console.log(`bench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (maxLoad > os.cpus().length) {
    console.log(`warning: the load average reached ${maxLoad.toFixed(1)} on ${os.cpus().length} cpus: wall times include waiting for a CPU; `
      + 'the CPU-time ratios above are closer to the truth, and the summary below should not be compared with the targets');
  }
  console.log(`bench: statefulapp_vs_plus=${fig.r1.toFixed(2)} statefulapp_vs_floor=${fig.r2.toFixed(2)} charts2000_vs_appsynth=${fig.r3.toFixed(3)} `
    + `charts_linearity=${fig.r4.toFixed(2)} cold_synth_vs_node=${fig.r5.toFixed(2)} e2e1000_vs_appsynth=${fig.r6.toFixed(2)} `
    + `scale100k_s=${fig.scaleS.toFixed(1)} scale100k_rss_mb=${fig.scaleMb.toFixed(0)} scale_linearity=${fig.scaleL.toFixed(2)} `
    + `main_command_vs_app=${fig.mainCommand.toFixed(2)} user_typecheck_vs_plus=${fig.userTypecheck.toFixed(2)}`);
}

/** The user's loop: `main_command_vs_app` and `user_typecheck_vs_plus` (also alone: `--case user-loop`). */
function userLoop(app: string[], fig: Record<string, number>): void {
  // The user's loop: the README's synth command, warm (the type check's state and tsx's cache exist), over the app alone.
  const outdirs = { CDK8S_GITOPS_DIR: path.join(os.tmpdir(), `bench-warmup-${process.pid}`), CDK8S_HOST_FILES_DIR: path.join(os.tmpdir(), `bench-warmup-hosts-${process.pid}`) };
  spawn(['npx', 'cdk8s', 'synth'], ROOT, { CDK8S_CHECK_UPGRADE: 'false', ...outdirs });
  Object.values(outdirs).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  const loop = interleaved('main_command_vs_app', command(['npx', 'cdk8s', 'synth']), command(app), PAIRS, wall, cpu);
  summary('npx cdk8s synth (warm)', loop.a);
  summary(`the app alone (${app.slice(1).join(' ')})`, loop.b);
  fig.mainCommand = median(loop.ratios);

  const apps = typecheckApps();
  try {
    const tc = interleaved('user_typecheck_vs_plus', command([process.execPath, TSC, '--noEmit', '-p', 'tsconfig.json'], apps.ours, false),
      command([process.execPath, TSC, '--noEmit', '-p', 'tsconfig.json'], apps.plus, false), SLOW_PAIRS, wall, cpu);
    summary('tsc: init-style app on cdk8s-workloads', tc.a);
    summary('tsc: the same app on cdk8s-plus-28 alone', tc.b);
    fig.userTypecheck = median(tc.ratios);
  } finally {
    fs.rmSync(apps.root, { recursive: true, force: true });
  }
}

const INIT_TSCONFIG = {
  // `cdk8s init typescript-app`'s tsconfig (cdk8s-cli 2.207), with `types` stated as newer TypeScript versions need.
  compilerOptions: Object.fromEntries([
    ...['alwaysStrict', 'declaration', 'experimentalDecorators', 'noEmitOnError', 'noFallthroughCasesInSwitch', 'noImplicitAny',
      'noImplicitReturns', 'noImplicitThis', 'noUnusedLocals', 'noUnusedParameters', 'resolveJsonModule', 'strict',
      'strictNullChecks', 'strictPropertyInitialization', 'stripInternal'].map((flag) => [flag, true]),
    ['lib', ['es2016']], ['module', 'CommonJS'], ['target', 'ES2017'], ['types', ['node']],
  ]),
  include: ['**/*.ts'],
  exclude: ['node_modules'],
};

const OURS_APP = `import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { StatefulApp, StatelessApp } from 'cdk8s-workloads';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new StatefulApp(this, 'db', {
      replicas: 3,
      containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }], volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql/data' }] }],
      volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }],
    });
    new StatelessApp(this, 'web', { replicas: 2, containers: [{ name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] }] });
  }
}

const app = new App();
new MyChart(app, 'app');
app.synth();
`;

const PLUS_APP = `import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new kplus.StatefulSet(this, 'db', { replicas: 3, containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }] }] });
    new kplus.Deployment(this, 'web', { replicas: 2, containers: [{ name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] }] }).exposeViaService();
  }
}

const app = new App();
new MyChart(app, 'app');
app.synth();
`;

/**
 * Two init-style apps, one on this library as a user installs it (its declaration files, built here from src/
 * as jsii's build would), one on cdk8s-plus-28 alone. Under .tmp/ so the peers resolve from the repository's
 * node_modules. Each is type-checked once here, so a broken app fails the bench instead of timing an error.
 */
function typecheckApps(): { root: string; ours: string; plus: string } {
  fs.mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  const root = fs.mkdtempSync(path.join(ROOT, '.tmp', 'bench-typecheck-'));
  const pkg = path.join(root, 'node_modules', 'cdk8s-workloads');
  spawn([process.execPath, TSC, '-p', 'tsconfig.json', '--declaration', '--emitDeclarationOnly', '--outDir', path.join(pkg, 'lib')], ROOT, {});
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'cdk8s-workloads', version: '0.0.0', main: 'lib/index.js', types: 'lib/index.d.ts' }));
  const write = (name: string, source: string) => {
    const dir = path.join(root, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(INIT_TSCONFIG, undefined, 2));
    fs.writeFileSync(path.join(dir, 'main.ts'), source);
    spawn([process.execPath, TSC, '--noEmit', '-p', 'tsconfig.json'], dir, {});
    return dir;
  };
  return { root, ours: write('ours', OURS_APP), plus: write('plus', PLUS_APP) };
}

/**
 * The synth app's own command: the part of cdk8s.yaml's `app` after its incremental type-check (`tsc ... &&`),
 * which is measured apart (docs/performance.md) so that R5 compares the app's cold start with Node's.
 */
function appCommand(): string[] {
  const config = fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8');
  const steps = /^app:\s*(.+)$/m.exec(config)![1].split('&&');
  return steps[steps.length - 1].trim().split(/\s+/);
}

if (process.argv[2] === '--case' && process.argv[3] === 'user-loop') {
  const fig: Record<string, number> = {};
  userLoop(appCommand(), fig);
  console.log(`bench: main_command_vs_app=${fig.mainCommand.toFixed(2)} user_typecheck_vs_plus=${fig.userTypecheck.toFixed(2)}`);
} else if (process.argv[2] === '--case') {
  runCase(process.argv[3], Number(process.argv[4]), process.argv[5]);
} else if (process.argv[2] === '--app') {
  runApp(process.argv[3], Number(process.argv[4]));
} else {
  main();
}
