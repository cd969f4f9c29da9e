import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DnsSmokeTest, IDnsNamed, SmokeTarget } from '../../src';

/** One workload to smoke-test. */
export interface SmokeTestEntry {
  /** The workload whose DNS names the test resolves (e.g. a StatefulApp). */
  readonly target: IDnsNamed;
  /** Name of the Job. */
  readonly name: string;
  /** Also fetch every pod over HTTP on this port. @default - DNS only */
  readonly httpPort?: number;
}

/**
 * The tutorial's manual DNS checks (`nslookup nginx-statefulset-0.nginx.default.svc.cluster.local`,
 * `curl nginx-statefulset-0.nginx`) as Jobs. A chart of their own, so a GitOps user can apply
 * them separately from the workloads, after those are up.
 */
export class SmokeTestsChart extends Chart {
  /** The smoke tests, in the order given. */
  public readonly tests: DnsSmokeTest[];

  constructor(scope: Construct, id: string, entries: SmokeTestEntry[]) {
    super(scope, id, { namespace: 'default' });
    this.tests = entries.map((e) => new DnsSmokeTest(this, e.name, {
      targets: [SmokeTarget.of(e.target, { httpPort: e.httpPort })],
    }));
  }
}
