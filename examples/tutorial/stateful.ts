import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { nginxContainer, NGINX_WRITABLE_ROOT } from './nginx';
import { AccessMode, StatefulApp } from '../../src';

/** Props of the {@link StatefulChart}. */
export interface StatefulChartProps {
  /** The cluster DNS domain the pods' DNS names use (from the CoreDNS addon). @default "cluster.local" */
  readonly clusterDomain?: string;
}

/**
 * The tutorial's two StatefulSets, as `apps/v1` (the tutorial's `apps/v1beta1` was removed in 1.16),
 * each with its governing headless Service.
 */
export class StatefulChart extends Chart {
  /** `myapp`: 3 pods with a 2Gi claim each, governed by the headless Service `myapp-svc`. */
  public readonly myapp: StatefulApp;
  /** `nginx-statefulset`: 3 pods governed by the headless Service `nginx`. */
  public readonly nginx: StatefulApp;

  constructor(scope: Construct, id: string, props: StatefulChartProps = {}) {
    super(scope, id, { namespace: 'default' });

    this.myapp = new StatefulApp(this, 'myapp', {
      name: 'myapp',
      serviceName: 'myapp-svc',
      clusterDomain: props.clusterDomain,
      selectorLabels: { app: 'myapp-pod' },
      replicas: 3,
      // Probed on the TCP port: it serves its claim, which is empty until someone puts a page there.
      containers: [nginxContainer({
        name: 'myapp',
        image: 'ikubernetes/myapp:v1',
        ports: [{ number: 80, name: 'web' }],
        volumeMounts: [{ volume: 'myappdata', mountPath: '/usr/share/nginx/html' }],
      })],
      annotations: NGINX_WRITABLE_ROOT,
      volumeClaimTemplates: [{
        name: 'myappdata',
        storage: '2Gi',
        accessModes: [AccessMode.READ_WRITE_ONCE],
        // The tutorial selects its class with the legacy annotation, which the PV controller still honours.
        annotations: { 'volume.beta.kubernetes.io/storage-class': 'nfs-client-storageclass' },
      }],
    });

    this.nginx = new StatefulApp(this, 'nginx-statefulset', {
      name: 'nginx-statefulset',
      serviceName: 'nginx',
      clusterDomain: props.clusterDomain,
      selectorLabels: { app: 'nginx' },
      replicas: 3,
      containers: [nginxContainer({ name: 'nginx', image: 'nginx:1.15.4', probePath: '/', ports: [{ number: 80, name: 'web' }] })],
      annotations: NGINX_WRITABLE_ROOT,
    });
  }
}
