// Layer workload/: what every workload shares (identity, selector, Services, RBAC, storage, job spec, app index). May import kubernetes/ and pod/.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { NODE_PORT_RANGE, recordPortField } from './app-index';
import { objectMeta, WorkloadIdentity } from './identity';
import {
  ensure, ensureAnnotations, ensureList, ensureOptional, ensureUnique, intInRange, invalid, oneOf, portName, portNumber, serviceName, Where,
} from '../kubernetes/validation';
import { PortProtocol } from '../pod/container';
import { PodTemplateProps, podPorts } from '../pod/template';

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
  /** Protocol of the port. @default PortProtocol.TCP */
  readonly protocol?: PortProtocol;
  /** Fixed node port (30000-32767) for NodePort and LoadBalancer Services. @default - Kubernetes picks one */
  readonly nodePort?: number;
}

export { NODE_PORT_RANGE };

/** Service ports that mirror every container port of a pod template (name, number, protocol). @internal */
export function portsFromContainers(pod: PodTemplateProps): ServicePortProps[] {
  return podPorts(pod).map((p) => ({ port: p.number, name: p.name, targetPort: p.number, protocol: p.protocol as PortProtocol }));
}

/**
 * Renders and validates Service ports against the pods they target: a named target must exist
 * in some container, numbers must be valid, names unique, and multi-port Services name every port.
 * @internal
 */
function renderServicePorts(
  where: Where, field: string, ports: readonly ServicePortProps[], pod: PodTemplateProps, allowNodePort: boolean,
): k8s.ServicePort[] {
  const containerPorts = podPorts(pod);
  const rendered = ports.map((p, i) => {
    const f = `${field}[${i}]`;
    ensure(where, `${f}.port`, p.port, portNumber);
    ensureOptional(where, `${f}.targetPort`, p.targetPort, portNumber);
    ensureOptional(where, `${f}.protocol`, p.protocol, oneOf(PortProtocol));
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
      name = name ?? target?.name;
    } else {
      const number = p.targetPort ?? p.port;
      name = name ?? containerPorts.find((c) => c.number === number && c.protocol === (p.protocol ?? PortProtocol.TCP))?.name;
    }
    ensureOptional(where, `${f}.name`, name, portName);
    if (p.nodePort !== undefined) {
      if (!allowNodePort) invalid(where, `${f}.nodePort`, p.nodePort, 'only NodePort and LoadBalancer Services have node ports', 'set the Service type to NodePort, or drop nodePort');
      ensure(where, `${f}.nodePort`, p.nodePort, intInRange(NODE_PORT_RANGE.min, NODE_PORT_RANGE.max,
        `use a port from ${NODE_PORT_RANGE.min} to ${NODE_PORT_RANGE.max} (the default --service-node-port-range), or leave it unset`));
    }
    // A wrong-typed name is already an input error; render the port number so rendering cannot throw.
    const targetPort = typeof p.targetPortName === 'string'
      ? k8s.IntOrString.fromString(p.targetPortName)
      : k8s.IntOrString.fromNumber(p.targetPort ?? p.port);
    return { name, port: p.port, targetPort, protocol: p.protocol ?? PortProtocol.TCP, nodePort: p.nodePort };
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

/** Kind of Service. */
export enum WorkloadServiceType {
  /** A virtual IP inside the cluster (Kubernetes' default). */
  CLUSTER_IP = 'ClusterIP',
  /** ClusterIP plus a port on every node (30000-32767). */
  NODE_PORT = 'NodePort',
  /** NodePort plus an external load balancer from the cloud provider. */
  LOAD_BALANCER = 'LoadBalancer',
}

/** What a workload construct asks of {@link addService}. @internal */
export interface ServiceSpec {
  readonly name: string;
  readonly type?: WorkloadServiceType;
  /** `clusterIP: None`: DNS returns the pods' addresses (StatefulSet governing Services). */
  readonly headless?: boolean;
  /** A fixed cluster IP (the cluster DNS Service). */
  readonly clusterIp?: string;
  readonly ports: readonly ServicePortProps[];
  readonly publishNotReadyAddresses?: boolean;
  readonly annotations?: Record<string, string>;
  /** Prop name used in error messages, e.g. `service.ports`. */
  readonly field: string;
}

/**
 * Renders a `v1` Service that selects a workload's pods by its selector labels: the one place
 * Services are built, so every construct validates ports and names the same way.
 * @internal
 */
export function addService(scope: Construct, id: string, identity: WorkloadIdentity, pod: PodTemplateProps, spec: ServiceSpec): k8s.KubeService {
  ensure(scope, `${spec.field.replace(/\.ports$/, '')}.name`, spec.name, serviceName);
  ensureAnnotations(scope, `${spec.field.replace(/\.ports$/, '')}.annotations`, spec.annotations);
  const type = spec.type ?? WorkloadServiceType.CLUSTER_IP;
  ensureOptional(scope, `${spec.field.replace(/\.ports$/, '')}.type`, spec.type, oneOf(WorkloadServiceType));
  if (spec.headless && type !== WorkloadServiceType.CLUSTER_IP) {
    invalid(scope, spec.field, type, 'a headless Service must be of type ClusterIP', 'drop the type or use a separate Service');
  }
  // A headless Service may have no ports (it only publishes DNS records); any other needs one.
  if (Array.isArray(spec.ports) && spec.ports.length === 0 && !spec.headless) {
    invalid(scope, spec.field, [], 'a Service needs at least one port', 'give ports, or add ports to the containers');
  }
  const ports = renderServicePorts(scope, spec.field, ensureList(scope, spec.field, spec.ports), pod, type !== WorkloadServiceType.CLUSTER_IP);
  const service = new k8s.KubeService(scope, id, {
    metadata: objectMeta(identity, spec.name, spec.annotations),
    spec: {
      type: type === WorkloadServiceType.CLUSTER_IP ? undefined : type,
      clusterIp: spec.headless ? 'None' : spec.clusterIp,
      selector: { ...identity.selectorLabels },
      ports: ports.length > 0 ? ports : undefined,
      publishNotReadyAddresses: spec.publishNotReadyAddresses,
    },
  });
  // Node ports are allocated cluster-wide: the app index compares them across the app (app-index.ts).
  recordPortField(service, spec.field, ports.some((p) => p.nodePort !== undefined));
  return service;
}
