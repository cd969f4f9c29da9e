import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { AppSynthesizer, ChangeGuard, PodContainerResources, PlanOutput, StatefulApp } from '../src';
import { errorOf, readTree, tempDir } from './util';

// The change guard inside AppSynthesizer: a second synthesis into the directory holding the first is compared
// with it, and what the API server would refuse stops the synthesis before anything is written.

interface DbOptions {
  readonly storage?: string;
  readonly serviceName?: string;
  readonly selector?: Record<string, string>;
  readonly acknowledge?: string;
  readonly resources?: PodContainerResources;
}

function dbApp(outdir: string, o: DbOptions = {}): { app: App; db: StatefulApp } {
  const app = new App({ outdir });
  const chart = new Chart(app, 'data', { namespace: 'default' });
  const db = new StatefulApp(chart, 'db', {
    serviceName: o.serviceName,
    selectorLabels: o.selector,
    containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }], resources: o.resources }],
    volumeClaimTemplates: [{ name: 'data', storage: o.storage ?? '1Gi' }],
  });
  if (o.acknowledge) ChangeGuard.acknowledgeReplacement(db.statefulSet, { reason: o.acknowledge });
  return { app, db };
}

const quiet = { planOutput: PlanOutput.NONE };

describe('AppSynthesizer runs the change guard against the previous synthesis', () => {
  test.each<[string, DbOptions, RegExp]>([
    ['a claim template of a new size', { storage: '2Gi' }, /spec\.volumeClaimTemplates\[0\]\.spec\.resources\.requests\.storage: "1Gi" -> "2Gi"[\s\S]*kubectl patch pvc data-db-0/],
    ['a changed serviceName', { serviceName: 'db-headless' }, /spec\.serviceName: "db" -> "db-headless"/],
    ['a changed selector', { selector: { app: 'postgres' } }, /spec\.selector/],
  ])('%s fails, naming the object, the field and the way out, and leaves the directory untouched', (_, change, message) => {
    const out = tempDir('guard');
    AppSynthesizer.synth(dbApp(out).app, quiet);
    const before = readTree(out, { ledger: true });

    const error = errorOf(() => AppSynthesizer.synth(dbApp(out, change).app, quiet));
    expect(error).toMatch(/The change guard stopped the synthesis: \d+ finding\(s\); nothing was written\./);
    expect(error).toMatch(/StatefulSet default\/db/);
    expect(error).toMatch(message);
    expect(error).toMatch(/ChangeGuard\.acknowledgeReplacement\(apiObject, \{ reason \}\)/);
    expect(readTree(out, { ledger: true })).toEqual(before);
  });

  test('the same change acknowledged with a reason goes through, and the plan records the acknowledgement', () => {
    const out = tempDir('guard-ack');
    AppSynthesizer.synth(dbApp(out).app, quiet);
    const result = AppSynthesizer.synth(dbApp(out, { storage: '2Gi', acknowledge: 'claims expanded by hand, StatefulSet orphan-deleted (CHG-42)' }).app, quiet);
    expect(result.plan.blocking).toEqual([]);
    expect(result.plan.findings.map((f) => f.acknowledgedReason)).toEqual(['claims expanded by hand, StatefulSet orphan-deleted (CHG-42)']);
    expect(readTree(out)['data.k8s.yaml']).toMatch(/storage: 2Gi/);
  });

  test('a placeholder reason is refused', () => {
    expect(errorOf(() => AppSynthesizer.render(dbApp(tempDir('guard-x'), { storage: '2Gi', acknowledge: 'TODO' }).app)))
      .toMatch(/\[data\/db\/Resource\] acknowledgeReplacement\.reason "TODO": is a placeholder, not a reason/);
  });

  test('the acknowledgements option works as well as the construct-tree form', () => {
    const out = tempDir('guard-opt');
    AppSynthesizer.synth(dbApp(out).app, quiet);
    const acknowledgements = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: 'default', name: 'db', reason: 'moving to a headless Service of its own' }];
    expect(() => AppSynthesizer.synth(dbApp(out, { serviceName: 'db-headless' }).app, { ...quiet, acknowledgements })).not.toThrow();
  });

  test('allowed changes (a template change, resources) pass and are listed in the plan', () => {
    const out = tempDir('guard-ok');
    AppSynthesizer.synth(dbApp(out).app, quiet);
    const plan = AppSynthesizer.plan(dbApp(out, { resources: { cpuRequest: '250m', memoryRequest: '256Mi' } }).app);
    expect(plan.blocking).toEqual([]);
    expect(plan.changed).toBe(1);
    expect(plan.files[0].changes[0]).toMatchObject({ action: 'change', resource: { kind: 'StatefulSet', name: 'db' } });
    expect(ChangeGuard.formatPlan(plan)).toMatch(/^ {4}~ apps\/v1 StatefulSet default\/db \(spec\.template\)$/m);
  });

  test('a removed StatefulSet whose claims its retention policy deletes is called out; a plain removal is listed', () => {
    const out = tempDir('guard-rm');
    const first = new App({ outdir: out });
    const chart = new Chart(first, 'data', { namespace: 'default' });
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'settings' } });
    const kept = new Chart(first, 'kept', { namespace: 'default' });
    new k8s.KubeConfigMap(kept, 'cm', { metadata: { name: 'kept' } });
    AppSynthesizer.synth(first, quiet);

    const second = new App({ outdir: out });
    new k8s.KubeConfigMap(new Chart(second, 'kept', { namespace: 'default' }), 'cm', { metadata: { name: 'kept' } });
    const result = AppSynthesizer.synth(second, quiet);
    expect(result.plan.removed).toBe(1);
    expect(result.plan.findings).toEqual([]);
    expect(ChangeGuard.formatPlan(result.plan)).toMatch(/^ {4}- v1 ConfigMap default\/settings$/m);
  });

  test('the plan is printed to stderr on every synthesis, in full or quietly', () => {
    const out = tempDir('guard-print');
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => { writes.push(String(chunk)); return true; });
    try {
      AppSynthesizer.synth(dbApp(out).app);
      AppSynthesizer.synth(dbApp(out, { resources: { cpuRequest: '250m', memoryRequest: '256Mi' } }).app, { planOutput: PlanOutput.QUIET });
    } finally {
      spy.mockRestore();
    }
    expect(writes[0]).toMatch(/^ {4}\+ apps\/v1 StatefulSet default\/db$/m);
    expect(writes[1]).not.toMatch(/~ StatefulSet/);
    expect(writes[1]).toMatch(/1 to change/);
  });
});
