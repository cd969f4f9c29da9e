import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { nginxContainer, NGINX_WRITABLE_ROOT } from './nginx';
import { StatelessUpdateStrategy, PodRestartPolicy, WorkloadServiceType, StandalonePod, StatelessApp } from '../../src';

/** The tutorial's web tier and its DNS test pod, in the default namespace. */
export class WebChart extends Chart {
  /** The tutorial's `nginx-deployment` behind the NodePort Service `nginx-service`. */
  public readonly web: StatelessApp;

  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'default' });

    // The tutorial's `dns-test` pod: a long-running busybox to `kubectl exec` nslookup from.
    // busybox 1.28.4 because nslookup in later busybox images is unreliable against cluster DNS.
    new StandalonePod(this, 'dns-test', {
      restartPolicy: PodRestartPolicy.NEVER,
      containers: [{
        name: 'dns-test',
        image: 'busybox:1.28.4',
        args: ['/bin/sh', '-c', 'sleep 36000'],
        resources: { cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '16Mi', memoryLimit: '32Mi' },
      }],
    });

    this.web = new StatelessApp(this, 'nginx-deployment', {
      replicas: 3,
      updateStrategy: StatelessUpdateStrategy.rollingUpdate(),
      containers: [nginxContainer({ name: 'nginx', image: 'nginx:1.15.4', probePath: '/' })],
      annotations: NGINX_WRITABLE_ROOT,
      // The tutorial's NodePort Service; Kubernetes picks the node port (the tutorial fixes none).
      service: { name: 'nginx-service', serviceType: WorkloadServiceType.NODE_PORT, ports: [{ port: 80, targetPort: 80 }] },
    });
  }
}
