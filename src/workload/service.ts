import { k8s } from 'cdk8s-plus-28';
import { Protocol } from '../pod/container';
import { PodTemplateProps, podPorts } from '../pod/template';
import { ensure, ensureOptional, ensureUnique, intInRange, invalid, portName, portNumber, Where } from '../validation';

/** A port of a Service. */
export interface ServicePortProps {
  /** The port clients connect to. */
  readonly port: number;
  /** Port name; required when a Service has more than one port. @default - the target container port's name */
  readonly name?: string;
  /** Container port number to forward to. Give this or `targetPortName`. @default - same as `port` */
  readonly targetPort?: number;
  /** Name of a container port to forward to. @default - use `targetPort` */
  readonly targetPortName?: string;
  /** @default Protocol.TCP */
  readonly protocol?: Protocol;
  /** Fixed node port (30000-32767) for NodePort and LoadBalancer Services. @default - Kubernetes picks one */
  readonly nodePort?: number;
}

/** The NodePort range of a default kube-apiserver (`--service-node-port-range`). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 };

/** Service ports that mirror every container port of a pod template (name, number, protocol). @internal */
export function portsFromContainers(pod: PodTemplateProps): ServicePortProps[] {
  return podPorts(pod).map((p) => ({ port: p.number, name: p.name, targetPort: p.number, protocol: p.protocol as Protocol }));
}

/**
 * Renders and validates Service ports against the pods they target: a named target must exist
 * in some container, numbers must be valid, names unique, and multi-port Services name every port.
 * @internal
 */
export function renderServicePorts(
  where: Where, field: string, ports: readonly ServicePortProps[], pod: PodTemplateProps, allowNodePort: boolean,
): k8s.ServicePort[] {
  const containerPorts = podPorts(pod);
  const rendered = ports.map((p, i) => {
    const f = `${field}[${i}]`;
    ensure(where, `${f}.port`, p.port, portNumber);
    ensureOptional(where, `${f}.targetPort`, p.targetPort, portNumber);
    if (p.targetPort !== undefined && p.targetPortName !== undefined) {
      invalid(where, `${f}.targetPortName`, p.targetPortName, 'targetPort and targetPortName are exclusive', 'give one of them');
    }
    let name = p.name;
    if (p.targetPortName !== undefined) {
      const target = containerPorts.find((c) => c.name === p.targetPortName);
      if (!target) {
        const named = containerPorts.filter((c) => c.name).map((c) => `"${c.name}"`);
        invalid(where, `${f}.targetPortName`, p.targetPortName, 'names no container port of the pods',
          named.length ? `use one of ${named.join(', ')}` : 'name the container port first (ports[].name)');
      }
      name = name ?? target.name;
    } else {
      const number = p.targetPort ?? p.port;
      name = name ?? containerPorts.find((c) => c.number === number && c.protocol === (p.protocol ?? Protocol.TCP))?.name;
    }
    ensureOptional(where, `${f}.name`, name, portName);
    if (p.nodePort !== undefined) {
      if (!allowNodePort) invalid(where, `${f}.nodePort`, p.nodePort, 'only NodePort and LoadBalancer Services have node ports', 'set the Service type to NodePort, or drop nodePort');
      ensure(where, `${f}.nodePort`, p.nodePort, intInRange(NODE_PORT_RANGE.min, NODE_PORT_RANGE.max,
        `use a port from ${NODE_PORT_RANGE.min} to ${NODE_PORT_RANGE.max} (the default --service-node-port-range), or leave it unset`));
    }
    const targetPort = p.targetPortName !== undefined
      ? k8s.IntOrString.fromString(p.targetPortName)
      : k8s.IntOrString.fromNumber(p.targetPort ?? p.port);
    return { name, port: p.port, targetPort, protocol: p.protocol ?? Protocol.TCP, nodePort: p.nodePort };
  });
  if (rendered.length > 1) {
    rendered.forEach((p, i) => {
      if (!p.name) invalid(where, `${field}[${i}].name`, undefined, 'a Service with several ports must name each one', 'set name, or name the container port');
    });
  }
  ensureUnique(where, field, rendered, (p) => p.name, 'port names');
  ensureUnique(where, field, rendered, (p) => `${p.port}/${p.protocol}`, 'port number and protocol pairs');
  return rendered;
}
