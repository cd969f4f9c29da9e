import { PodContainerProps, ContainerSecurity, MetadataKeys, PodProbe } from '../../src';

/**
 * What the tutorial's nginx-based images (nginx:1.15.4, ikubernetes/myapp:v1) need to start: their master
 * process runs as root, binds port 80, chowns its cache directories and switches its workers to the nginx
 * user. Everything else stays dropped. One definition for the Deployment, the DaemonSet and the StatefulSets.
 */
export const NGINX_AS_ROOT = ContainerSecurity.runAsRoot({
  reason: 'the image runs nginx as root: it binds port 80, chowns its cache and drops workers to the nginx user',
  addCapabilities: ['CHOWN', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'],
});

/** The policy plugin's justification for the writable root filesystem these images need. */
export const NGINX_WRITABLE_ROOT = {
  [MetadataKeys.suppression('no-read-only-root-fs')]: 'the image writes its cache and pid file under /var at start',
};

/**
 * An nginx container of the tutorial: port 80 (named `http` unless `ports` says otherwise), probes on the
 * first port, the root opt-out. `probePath` is the URL the probes fetch; without it they check the TCP port
 * (for servers whose content may not exist yet).
 */
export function nginxContainer(options: Pick<PodContainerProps, 'name' | 'image'> & Partial<PodContainerProps> & { probePath?: string }): PodContainerProps {
  const { probePath, ...container } = options;
  const ports = container.ports ?? [{ number: 80, name: 'http' }];
  const portName = ports[0].name;
  const port = portName === undefined ? ports[0].number : undefined;
  const probe = () => probePath === undefined ? PodProbe.tcpSocket({ port, portName }) : PodProbe.httpGet({ path: probePath, port, portName });
  return { readinessProbe: probe(), livenessProbe: probe(), security: NGINX_AS_ROOT, ...container, ports };
}
