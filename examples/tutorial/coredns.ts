import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { CoreDnsAddon, MetadataKeys } from '../../src';

/**
 * The cluster DNS, as the tutorial installs it from Kubernetes' addon template with
 * `__DNS__SERVER__` = 10.0.0.2, `__DNS__DOMAIN__` = cluster.local, `__DNS__MEMORY__LIMIT__` = 170Mi.
 */
export class CoreDnsChart extends Chart {
  /** The addon; its `clusterDomain` and `dnsServiceIp` are what other charts build DNS names from. */
  public readonly addon: CoreDnsAddon;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.addon = new CoreDnsAddon(this, 'coredns', {
      dnsServiceIp: '10.0.0.2',
      clusterDomain: 'cluster.local',
      memoryLimit: '170Mi',
      // Upstream runs CoreDNS without a CPU limit, so DNS is never throttled; say so to the policy plugin.
      annotations: { [MetadataKeys.suppression('unset-cpu-requirements')]: 'cluster DNS must not be CPU-throttled; upstream sets no CPU limit' },
    });
  }
}
