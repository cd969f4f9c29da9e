/* eslint-disable no-console */
// `npm run bench`: synthesis benchmarks (never part of `npm test`). Every measurement runs in a fresh
// child process, so module caches and JIT state do not leak between cases; the parent prints median wall
// time and peak RSS per case, then one summary line with the ratios the README tracks.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

const ROOT = path.join(__dirname, '..', '..');
const SELF = __filename;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SLOW_RUNS = Number(process.env.BENCH_SLOW_RUNS ?? 3); // App.synth() at 2000 charts takes most of a minute

interface Sample { readonly ms: number; readonly rssMb: number }
interface Figure { readonly name: string; readonly ms: number; readonly rssMb: number }

// ---------------------------------------------------------------------------------------------------
// Child side: build and synthesise one case, print {ms, rssMb}.

// Loaded before any timer starts: module loading is what the cold-run case measures, not these.
/* eslint-disable @typescript-eslint/no-require-imports */
const loadStatefulApp = () => (require('../../src/stateful-app') as typeof import('../../src/stateful-app')).StatefulApp;
const loadPlus = () => require('cdk8s-plus-28') as typeof import('cdk8s-plus-28');
/* eslint-enable @typescript-eslint/no-require-imports */

function statefulAppsChart(chart: import('cdk8s').Chart, n: number): void {
  const StatefulApp = loadStatefulApp();
  for (let i = 0; i < n; i++) {
    new StatefulApp(chart, `db${i}`, {
      replicas: 3,
      containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }], volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql/data' }] }],
      volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }],
    });
  }
}

function plusChart(chart: import('cdk8s').Chart, n: number): void {
  const kplus = loadPlus();
  for (let i = 0; i < n; i++) {
    // StatefulSet + its headless Service, the closest cdk8s-plus-28 gets (it cannot render claim templates).
    new kplus.StatefulSet(chart, `db${i}`, {
      replicas: 3,
      containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }] }],
    });
  }
}

function runCase(kind: string, n: number, outdir: string): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const cdk8s = require('cdk8s') as typeof import('cdk8s');
  const { AppSynthesizer } = require('../../src/synth') as typeof import('../../src/synth');
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (kind === 'plus') loadPlus(); else loadStatefulApp();
  let start = performance.now();
  switch (kind) {
    case 'statefulapp': {
      const app = new cdk8s.App({ outdir });
      statefulAppsChart(new cdk8s.Chart(app, 'bench'), n);
      AppSynthesizer.synth(app, { kustomization: false });
      break;
    }
    case 'plus': {
      const app = new cdk8s.App({ outdir });
      plusChart(new cdk8s.Chart(app, 'bench'), n);
      app.synth();
      break;
    }
    case 'floor': {
      // The final plain objects of the statefulapp case, serialised with the same emitter and written.
      const app = new cdk8s.App({ outdir });
      statefulAppsChart(new cdk8s.Chart(app, 'bench'), n);
      const docs = cdk8s.Testing.synth(app.charts[0]);
      fs.mkdirSync(outdir, { recursive: true });
      start = performance.now();
      fs.writeFileSync(path.join(outdir, 'bench.k8s.yaml'), cdk8s.Yaml.stringify(...docs), { encoding: 'utf8' });
      break;
    }
    case 'charts-appsynth':
    case 'charts-ours': {
      const app = new cdk8s.App({ outdir });
      for (let i = 0; i < n; i++) statefulAppsChart(new cdk8s.Chart(app, `tenant${i}`), 1);
      if (kind === 'charts-appsynth') app.synth(); else AppSynthesizer.synth(app, { kustomization: false });
      break;
    }
    default:
      throw new Error(`unknown case ${kind}`);
  }
  const ms = performance.now() - start;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ ms, rssMb }));
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

function measureCase(kind: string, n: number, runs: number): Figure {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const out = tmp();
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', SELF, '--case', kind, String(n), out], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    fs.rmSync(out, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`${kind} ${n} failed:\n${r.stderr}`);
    samples.push(JSON.parse(r.stdout));
  }
  return report(`${kind} n=${n}`, samples);
}

/** Wall time of a whole command from the outside, peak RSS from the kernel (GNU time is not assumed). */
function measureCommand(name: string, argv: string[], env: NodeJS.ProcessEnv, runs: number): Figure {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const out = tmp();
    const start = performance.now();
    const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, env: { ...process.env, ...env, CDK8S_OUTDIR: out }, encoding: 'utf8' });
    const ms = performance.now() - start;
    fs.rmSync(out, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`${name} failed:\n${r.stderr}`);
    samples.push({ ms, rssMb: 0 });
  }
  return report(name, samples, false);
}

function report(name: string, samples: Sample[], hasRss = true): Figure {
  const figure = { name, ms: median(samples.map((s) => s.ms)), rssMb: Math.max(...samples.map((s) => s.rssMb)) };
  console.log(`${name.padEnd(28)} median ${figure.ms.toFixed(1).padStart(9)} ms  ${hasRss ? `peak RSS ${figure.rssMb.toFixed(0).padStart(5)} MB` : ''}  (${samples.length} runs)`);
  return figure;
}

function appCommand(): string[] {
  const config = fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8');
  return /^app:\s*(.+)$/m.exec(config)![1].trim().split(/\s+/);
}

function main(): void {
  console.log(`bench: node ${process.version}, ${os.cpus().length} cpus, ${RUNS} runs per case (${SLOW_RUNS} for App.synth at 2000 charts)`);
  const fig: Record<string, Figure> = {};
  for (const n of [10, 100, 1000]) {
    fig[`sa${n}`] = measureCase('statefulapp', n, RUNS);
    fig[`plus${n}`] = measureCase('plus', n, RUNS);
  }
  fig.floor = measureCase('floor', 1000, RUNS);
  for (const n of [200, 2000]) {
    fig[`ours${n}`] = measureCase('charts-ours', n, RUNS);
    fig[`app${n}`] = measureCase('charts-appsynth', n, n >= 2000 ? SLOW_RUNS : RUNS);
  }
  const command = appCommand();
  fig.cold = measureCommand(`cold synth (${command.join(' ')})`, command, {}, RUNS);
  fig.node = measureCommand('node -e require(cdk8s-plus-28)', [process.execPath, '-e', "require('cdk8s-plus-28')"], {}, RUNS);

  const r1 = fig.sa1000.ms / fig.plus1000.ms;
  const r2 = fig.sa1000.ms / fig.floor.ms;
  const r3 = fig.ours2000.ms / fig.app2000.ms;
  const r4 = (fig.ours2000.ms / 2000) / (fig.ours200.ms / 200);
  const r5 = fig.cold.ms / fig.node.ms;
  console.log(`peak RSS at n=1000: StatefulApp ${fig.sa1000.rssMb.toFixed(0)} MB vs cdk8s-plus-28 ${fig.plus1000.rssMb.toFixed(0)} MB`);
  console.log(`bench: statefulapp_vs_plus=${r1.toFixed(2)} statefulapp_vs_floor=${r2.toFixed(2)} charts2000_vs_appsynth=${r3.toFixed(3)} charts_linearity=${r4.toFixed(2)} cold_synth_vs_node=${r5.toFixed(2)}`);
}

if (process.argv[2] === '--case') {
  runCase(process.argv[3], Number(process.argv[4]), process.argv[5]);
} else {
  main();
}
