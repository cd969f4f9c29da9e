import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { nginxContainer, NGINX_WRITABLE_ROOT } from './nginx';
import { MetadataKeys, NodeAgent } from '../../src';

/** Namespace of the monitoring agents. */
export const MONITORING_NAMESPACE = 'monitoring';

/**
 * The tutorial's per-node agents: its nginx DaemonSet (in `default`) and a node exporter (in
 * `monitoring`, rendered here). The chart sets no namespace of its own, so the cluster-scoped
 * objects (Namespace, ClusterRole) carry none.
 */
export class AgentsChart extends Chart {
  /** The tutorial's nginx on every node. */
  public readonly nginx: NodeAgent;
  /** The node exporter. */
  public readonly nodeExporter: NodeAgent;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    // The tutorial names it `nginx-daemonSet`, which Kubernetes rejects (upper case). Like the
    // tutorial, it binds no host port: host exposure appears only where asked for. Not node-critical:
    // it is a demo web server, it must not preempt.
    this.nginx = new NodeAgent(this, 'nginx-daemonset', {
      namespace: 'default',
      nodeCritical: false,
      containers: [nginxContainer({
        name: 'nginx',
        image: 'nginx:1.15.4',
        probePath: '/',
        ports: [{ number: 80, name: 'http' }],
        resources: { cpuRequest: '50m', cpuLimit: '200m', memoryRequest: '32Mi', memoryLimit: '64Mi' },
      })],
      annotations: NGINX_WRITABLE_ROOT,
    });

    // The chart has no namespace, so the cluster-scoped Namespace gets none.
    const monitoring = new k8s.KubeNamespace(this, 'monitoring', {
      metadata: { name: MONITORING_NAMESPACE, labels: { [MetadataKeys.MANAGED_BY_LABEL]: MetadataKeys.MANAGED_BY } },
    });
    this.nodeExporter = NodeAgent.nodeExporter(this, 'node-exporter', {
      namespace: MONITORING_NAMESPACE,
      // The preset carries the suppressions (with their reasons) the policy plugin needs for its host access.
    });
    // The namespace must exist before anything is created in it.
    this.nodeExporter.node.addDependency(monitoring);
  }
}
