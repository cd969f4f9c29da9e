import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AppSynthesizer, CronSchedule, PodContainerProps, StatefulApp, StatelessApp, WorkloadsError } from '../src';

// One error type (docs/errors.md): what the library raises is a WorkloadsError with a code, the construct
// path, the field, the value and a fix; a synthesis raises one VALIDATION_FAILED error listing them all.

const web: PodContainerProps = { name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] };

/** What `fn` throws; fails the test when it throws nothing or something that is not a WorkloadsError. */
function thrown(fn: () => unknown): WorkloadsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WorkloadsError);
    return e as WorkloadsError;
  }
  throw new Error('expected a WorkloadsError, but nothing was thrown');
}

function appWith(build: (chart: Chart) => void): App {
  const app = Testing.app();
  build(new Chart(app, 'test'));
  return app;
}

describe('WorkloadsError', () => {
  test('a bad prop: one VALIDATION_FAILED error whose problems carry code, path, field, value and fix', () => {
    const app = appWith((chart) => new StatelessApp(chart, 'web', { name: 'Web_1', containers: [web], replicas: -1 }));
    const error = thrown(() => AppSynthesizer.render(app));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.name).toBe('WorkloadsError');
    const byField = Object.fromEntries(error.problems.map((p) => [p.field, p]));
    expect(byField.name).toMatchObject({ code: 'INVALID_INPUT', path: 'test/web', value: 'Web_1', fix: 'try "web-1"' });
    expect(byField.name.reason).toMatch(/DNS-1123 label/);
    expect(byField.replicas).toMatchObject({ code: 'INVALID_INPUT', path: 'test/web', value: -1 });
    // The message keeps the one format: a header and one `[path] field "value": reason; fix` line per problem.
    expect(error.message.split('\n')[0]).toBe('Validation failed with the following errors:');
    expect(error.message).toContain(`\n  ${byField.name.message}`);
    expect(byField.name.message).toBe(`[test/web] name "Web_1": ${byField.name.reason}; try "web-1"`);
  });

  test('an app-wide conflict is an APP_CONFLICT problem of the construct that owns the object', () => {
    const app = appWith((chart) => {
      new StatelessApp(chart, 'a', { name: 'web', containers: [web] });
      new StatelessApp(chart, 'b', { name: 'web', containers: [web] });
    });
    const error = thrown(() => AppSynthesizer.render(app));
    const conflicts = error.problems.filter((p) => p.code === 'APP_CONFLICT');
    expect(conflicts.length).toBeGreaterThan(0);
    expect(conflicts.map((p) => p.path)).toEqual(expect.arrayContaining(['test/b']));
  });

  test('a validation message of a construct outside the library is kept, as FOREIGN_VALIDATION', () => {
    const app = appWith((chart) => {
      const own = new Construct(chart, 'mine');
      own.node.addValidation({ validate: () => ['my own rule failed'] });
    });
    const error = thrown(() => AppSynthesizer.render(app));
    expect(error.problems).toEqual([expect.objectContaining({ code: 'FOREIGN_VALIDATION', path: 'test/mine', reason: 'my own rule failed' })]);
    expect(error.message).toContain('[test/mine] my own rule failed');
  });

  test('a question asked directly throws at once (CronSchedule.parse)', () => {
    const error = thrown(() => CronSchedule.parse('61 * * * *'));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', path: 'CronSchedule', field: 'schedule', value: '61 * * * *' });
    expect(error.message).toMatch(/^\[CronSchedule\] schedule "61 \* \* \* \*": .+; .+/);
  });

  test('cdk8s-plus refusing an autoscaler on fixed replicas reaches the user as our error, under the app\'s replicas, once', () => {
    const app = appWith((chart) => {
      const db = new StatefulApp(chart, 'db', { containers: [web], replicas: 3 });
      new kplus.HorizontalPodAutoscaler(chart, 'hpa', { target: db, maxReplicas: 5 });
    });
    const error = thrown(() => AppSynthesizer.render(app));
    expect(error.problems).toEqual([expect.objectContaining({ code: 'INVALID_INPUT', path: 'test/db', field: 'replicas', value: 3, fix: 'drop replicas, or the autoscaler' })]);
    expect(error.problems[0].reason).toContain('HorizontalPodAutoscaler target cannot have a fixed number of replicas (3)');
  });

  test('cdk8s\' own synthesis lists the same lines (its Error, our messages)', () => {
    const app = appWith((chart) => new StatelessApp(chart, 'web', { name: 'Web_1', containers: [web] }));
    expect(() => app.synth()).toThrow(/\[test\/web\] name "Web_1": must be a DNS-1123 label/);
  });
});
