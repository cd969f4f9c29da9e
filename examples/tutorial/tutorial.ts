import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AgentsChart } from './agents';
import { BatchChart } from './batch';
import { CoreDnsChart } from './coredns';
import { LogAccessChart } from './log-access';
import { SmokeTestsChart } from './smoke-tests';
import { StatefulChart } from './stateful';
import { NFS_EXPORTS_FILE, StorageChart } from './storage';
import { WebChart } from './web';

/** The charts of the tutorial's cluster, as handles for tests and for wiring. */
export interface TutorialCluster {
  readonly coredns: CoreDnsChart;
  readonly logAccess: LogAccessChart;
  readonly storage: StorageChart;
  readonly stateful: StatefulChart;
  readonly web: WebChart;
  readonly agents: AgentsChart;
  readonly batch: BatchChart;
  readonly smokeTests: SmokeTestsChart;
}

/**
 * The tutorial's cluster, one chart per concern, in apply order: each chart depends on the one
 * before it, so cdk8s numbers the files (`0000-...`) and `kustomization.yaml` lists them in that order.
 * Every name is the tutorial's, corrected where the tutorial is invalid for Kubernetes 1.28.
 * `scope` is the App or any construct under it.
 */
export function buildTutorialCluster(scope: Construct): TutorialCluster {
  const coredns = new CoreDnsChart(scope, 'coredns');
  const logAccess = new LogAccessChart(scope, 'log-access');
  const stateful = new StatefulChart(scope, 'stateful', { clusterDomain: coredns.addon.clusterDomain });
  // The PVs come before the StatefulSets that claim them; the binding check runs at synthesis.
  const storage = new StorageChart(scope, 'storage', { claims: stateful.myapp.claims });
  const web = new WebChart(scope, 'web');
  const agents = new AgentsChart(scope, 'agents');
  const batch = new BatchChart(scope, 'batch');
  const smokeTests = new SmokeTestsChart(scope, 'smoke-tests', [
    { name: 'nginx-statefulset-smoke-test', target: stateful.nginx, httpPort: 80 },
    // DNS only: myapp serves its (initially empty) claim, so an HTTP check would fail on a fresh volume.
    { name: 'myapp-smoke-test', target: stateful.myapp },
  ]);
  inApplyOrder(coredns, logAccess, storage, stateful, web, agents, batch, smokeTests);
  return { coredns, logAccess, storage, stateful, web, agents, batch, smokeTests };
}

function inApplyOrder(...charts: Chart[]): void {
  charts.slice(1).forEach((chart, i) => chart.addDependency(charts[i]));
}

/**
 * Files for the cluster's hosts rather than its API server, keyed by path relative to the host-files
 * directory (`hosts/` in the repository): stor01's `/etc/exports` for the NFS volumes.
 */
export function tutorialHostFiles(cluster: TutorialCluster): Record<string, string> {
  return { [NFS_EXPORTS_FILE]: cluster.storage.exportsFile() };
}
