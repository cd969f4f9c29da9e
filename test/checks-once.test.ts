// Each check of a rendered object runs once per object (issue 28): AppSynthesizer checks every object against
// the API server's rules before writing, and its policy must not repeat those checks; the policy's `schema` and
// `strict-fields` rules share one walk over the schema.
import { ApiObject, App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { errorOf, tempDir } from './util';
import { AppSynthesizer, PlanOutput, PolicyChecker, StatefulApp } from '../src';

// Count calls through the modules' exports; every caller reaches them through these modules.
jest.mock('../src/kubernetes/validation/schema', () => {
  const actual = jest.requireActual('../src/kubernetes/validation/schema');
  return {
    ...actual,
    strictSchemaViolations: jest.fn(actual.strictSchemaViolations),
    schemaTypeViolations: jest.fn(actual.schemaTypeViolations),
    schemaFindings: jest.fn(actual.schemaFindings),
  };
});
jest.mock('../src/kubernetes/validation/manifest', () => {
  const actual = jest.requireActual('../src/kubernetes/validation/manifest');
  return { ...actual, manifestProblems: jest.fn(actual.manifestProblems) };
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const manifest = require('../src/kubernetes/validation/manifest');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const schema = require('../src/kubernetes/validation/schema');

function schemaWalks(): number {
  return schema.strictSchemaViolations.mock.calls.length + schema.schemaTypeViolations.mock.calls.length
    + schema.schemaFindings.mock.calls.length;
}

function appWithObjects(): { app: App } {
  const app = new App({ outdir: tempDir('checks-once') });
  const chart = new Chart(app, 'db', { namespace: 'db' });
  for (const name of ['a', 'b', 'c']) {
    new StatefulApp(chart, name, {
      containers: [{ name: 'db', image: 'postgres:16.4', ports: [{ number: 5432, name: 'pg' }] }],
    });
  }
  new k8s.KubeConfigMap(chart, 'settings', { metadata: { name: 'settings' }, data: { mode: 'fast' } });
  return { app };
}

beforeEach(() => jest.clearAllMocks());

describe('each check runs once per object', () => {
  test('AppSynthesizer with policy: {} walks the schema and runs the server-side rules once per object', () => {
    const { app } = appWithObjects();
    const result = AppSynthesizer.synth(app, { policy: {}, planOutput: PlanOutput.NONE, kustomization: false });
    const objects = result.files.reduce((n, f) => n + f.content.split(/^---$/m).length, 0);
    expect(objects).toBe(7); // 3 x (StatefulSet + headless Service) + the ConfigMap
    expect(schemaWalks()).toBe(objects);
    expect(manifest.manifestProblems).toHaveBeenCalledTimes(objects);
    // The policy still ran: its hardening rules report on these objects.
    expect(result.policyFindings.length).toBeGreaterThan(0);
  });

  test('the policy alone walks the schema once per object for both schema and strict-fields', () => {
    const bad = {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' }, data: { a: 1 }, extra: true,
    };
    const violations = new PolicyChecker().check({ 'x.yaml': [bad] });
    expect(schemaWalks()).toBe(1);
    expect(manifest.manifestProblems).toHaveBeenCalledTimes(1);
    // Both rules still report what they report: the type error in both, the unknown field in strict-fields only.
    const of = (rule: string) => violations.filter((v) => v.ruleId === rule).map((v) => v.path).sort();
    expect(of('schema')).toEqual(['data.a']);
    expect(of('strict-fields')).toEqual(['data.a', 'extra']);
  });

  test('an escape hatch that breaks the API server rules still fails the synthesis when a policy is given', () => {
    const { app } = appWithObjects();
    new ApiObject(app.node.findChild('db') as Chart, 'raw', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Settings_1' }, data: { mode: 5 }, extra: true,
    } as any);
    const error = errorOf(() => AppSynthesizer.synth(app, { policy: {}, planOutput: PlanOutput.NONE, kustomization: false }));
    expect(error).toMatch(/\[db\/raw\] ConfigMap db\/Settings_1: data.mode must be string, got integer/);
    expect(error).toMatch(/\[db\/raw\] ConfigMap db\/Settings_1: extra is not a field of this object/);
    expect(error).toMatch(/\[db\/raw\] ConfigMap db\/Settings_1: metadata.name "Settings_1"/);
  });
});
