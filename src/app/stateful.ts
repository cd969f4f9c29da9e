import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ContainerSecurity } from '../pod/security';
import { StatefulApp } from '../stateful-app';
import { AccessMode, LEGACY_STORAGE_CLASS_ANNOTATION } from '../workload/storage';

// Both images start nginx's master process as root: it binds port 80, chowns its cache directories and
// switches its workers to the nginx user. Everything else stays dropped.
const NGINX_AS_ROOT = ContainerSecurity.runAsRoot({
  reason: 'the image runs nginx as root: it binds port 80, chowns its cache and drops workers to the nginx user',
  addCapabilities: ['CHOWN', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'],
});

/**
 * The tutorial's two StatefulSets, as `apps/v1` (the tutorial's `apps/v1beta1` was removed in 1.16),
 * each with its governing headless Service.
 */
export interface StatefulChartProps {
  /** The cluster DNS domain the pods' DNS names use (from the CoreDNS addon). @default "cluster.local" */
  readonly clusterDomain?: string;
}

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
      containers: [{
        name: 'myapp',
        image: 'ikubernetes/myapp:v1',
        ports: [{ number: 80, name: 'web' }],
        volumeMounts: [{ volume: 'myappdata', mountPath: '/usr/share/nginx/html' }],
        security: NGINX_AS_ROOT,
      }],
      volumeClaimTemplates: [{
        name: 'myappdata',
        storage: '2Gi',
        accessModes: [AccessMode.READ_WRITE_ONCE],
        // The tutorial selects its class with the legacy annotation, which the PV controller still honours.
        annotations: { [LEGACY_STORAGE_CLASS_ANNOTATION]: 'nfs-client-storageclass' },
      }],
    });

    this.nginx = new StatefulApp(this, 'nginx-statefulset', {
      name: 'nginx-statefulset',
      serviceName: 'nginx',
      clusterDomain: props.clusterDomain,
      selectorLabels: { app: 'nginx' },
      replicas: 3,
      containers: [{
        name: 'nginx',
        image: 'nginx:1.15.4',
        ports: [{ number: 80, name: 'web' }],
        security: NGINX_AS_ROOT,
      }],
    });
  }
}
