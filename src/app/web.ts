import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { buildPodTemplate } from '../pod/template';
import { DeploymentStrategy, StatelessApp } from '../stateless-app';
import { nginxContainer, NGINX_WRITABLE_ROOT } from './nginx';
import { resolveIdentity } from '../workload/identity';
import { ServiceType } from '../workload/service';

/** The tutorial's web tier and its DNS test pod, in the default namespace. */
export class WebChart extends Chart {
  /** The tutorial's `nginx-deployment` behind the NodePort Service `nginx-service`. */
  public readonly web: StatelessApp;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'default' });

    // The tutorial's `dns-test` pod: a long-running busybox to `kubectl exec` nslookup from.
    // busybox 1.28.4 because nslookup in later busybox images is unreliable against cluster DNS.
    const dnsTest = new Construct(this, 'dns-test');
    const identity = resolveIdentity(dnsTest, { name: 'dns-test' });
    const template = buildPodTemplate(dnsTest, {
      containers: [{
        name: 'dns-test',
        image: 'busybox:1.28.4',
        args: ['/bin/sh', '-c', 'sleep 36000'],
        resources: { cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '16Mi', memoryLimit: '32Mi' },
      }],
    }, { selectorLabels: identity.selectorLabels, labels: identity.labels, restartPolicy: 'Never' });
    new k8s.KubePod(dnsTest, 'Resource', {
      metadata: { name: identity.name, ...template.metadata },
      spec: template.spec,
    });

    this.web = new StatelessApp(this, 'nginx-deployment', {
      replicas: 3,
      strategy: DeploymentStrategy.rollingUpdate(),
      containers: [nginxContainer({ name: 'nginx', image: 'nginx:1.15.4', probePath: '/' })],
      annotations: NGINX_WRITABLE_ROOT,
      // The tutorial's NodePort Service; Kubernetes picks the node port (the tutorial fixes none).
      service: { name: 'nginx-service', type: ServiceType.NODE_PORT, ports: [{ port: 80, targetPort: 80 }] },
    });
  }
}
