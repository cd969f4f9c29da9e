import { Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { testChart } from './util';
import { objectMeta, resolveIdentity } from '../src/workload/identity';

describe('workload identity', () => {
  const scope = new Construct(testChart(), 'db');

  test('selects by name, never by construct path', () => {
    const a = resolveIdentity(new Construct(testChart(), 'a'), { name: 'web' });
    const b = resolveIdentity(new Construct(new Construct(testChart(), 'moved'), 'b'), { name: 'web' });
    expect(a.selectorLabels).toEqual({ 'app.kubernetes.io/name': 'web' });
    expect(b.selectorLabels).toEqual(a.selectorLabels);
  });

  test('names default to the construct id and are validated with a hint', () => {
    expect(resolveIdentity(scope, {}).name).toBe('db');
    const chart = testChart();
    resolveIdentity(new Construct(chart, 'Web_1'), {});
    expect(() => Testing.synth(chart)).toThrow('[test/Web_1] name (from the construct id) "Web_1"');
  });

  test('user selector labels replace the default, and labels keep managed-by', () => {
    const id = resolveIdentity(scope, { name: 'myapp', selectorLabels: { app: 'myapp-pod' }, labels: { tier: 'db' } });
    expect(id.selectorLabels).toEqual({ app: 'myapp-pod' });
    expect(id.labels).toEqual({ 'app.kubernetes.io/name': 'myapp', 'tier': 'db', 'app': 'myapp-pod', 'app.kubernetes.io/managed-by': 'cdk8s-workloads' });
  });

  test('annotations go to the main object only, not to same-named companions', () => {
    const id = resolveIdentity(scope, { name: 'db', annotations: { owner: 'team-a' } });
    expect(objectMeta(id).annotations).toEqual({ owner: 'team-a' });
    expect(objectMeta(id, 'db').annotations).toBeUndefined();
    expect(objectMeta(id, 'db', { 'prometheus.io/scrape': 'true' }).annotations).toEqual({ 'prometheus.io/scrape': 'true' });
  });
});
