// Layer pod/: the one pod-template layer. May import kubernetes/ only.
import { k8s } from 'cdk8s-plus-28';
import {
  check, command, ensure, ensureOptional, intInRange, invalid, nonNegativeInt, portName, portNumber, positiveInt, probeScheme, Where,
} from '../kubernetes/validation';

/** Timings shared by every probe kind. Unset fields keep Kubernetes' defaults. */
export interface PodProbeTimings {
  /** Seconds after the start before the first check. @default 0 (Kubernetes default) */
  readonly initialDelaySeconds?: number;
  /** Seconds between checks. @default 10 (Kubernetes default) */
  readonly periodSeconds?: number;
  /** Seconds a check may take. @default 1 (Kubernetes default) */
  readonly timeoutSeconds?: number;
  /** Must be 1 for liveness and startup probes. @default 1 (Kubernetes default) */
  readonly successThreshold?: number;
  /** Failed checks in a row that count as a failure. @default 3 (Kubernetes default) */
  readonly failureThreshold?: number;
}

/** Options of an HTTP GET probe. */
export interface PodHttpGetProbeOptions extends PodProbeTimings {
  /** Request path, e.g. `/healthz`. */
  readonly path: string;
  /** Port number. Give this or `portName`. @default - the first container port */
  readonly port?: number;
  /** Name of a container port. @default - use `port` */
  readonly portName?: string;
  /** `HTTP` or `HTTPS`. @default "HTTP" */
  readonly scheme?: string;
}

/** Options of a TCP socket probe. */
export interface PodTcpSocketProbeOptions extends PodProbeTimings {
  /** Port number. Give this or `portName`. @default - the first container port */
  readonly port?: number;
  /** Name of a container port. @default - use `port` */
  readonly portName?: string;
}

/** Options of an exec probe. */
export interface PodExecProbeOptions extends PodProbeTimings {
  /** Command run in the container; exit code 0 means healthy. */
  readonly command: string[];
}

type ProbeAction =
  | { readonly kind: 'httpGet'; readonly options: PodHttpGetProbeOptions }
  | { readonly kind: 'tcpSocket'; readonly options: PodTcpSocketProbeOptions }
  | { readonly kind: 'exec'; readonly options: PodExecProbeOptions };

/** A liveness, readiness or startup probe. */
export class PodProbe {
  /** Healthy when an HTTP GET returns 200-399. */
  public static httpGet(options: PodHttpGetProbeOptions): PodProbe {
    return new PodProbe({ kind: 'httpGet', options });
  }

  /** Healthy when a TCP connection opens. */
  public static tcpSocket(options: PodTcpSocketProbeOptions = {}): PodProbe {
    return new PodProbe({ kind: 'tcpSocket', options });
  }

  /** Healthy when a command exits 0. */
  public static exec(options: PodExecProbeOptions): PodProbe {
    return new PodProbe({ kind: 'exec', options });
  }

  private constructor(private readonly action: ProbeAction) {}

  /** The port this probe targets (number or name), if any. */
  public get port(): number | string | undefined {
    if (this.action.kind === 'exec') return undefined;
    return this.action.options.port ?? this.action.options.portName;
  }

  /**
   * Renders the probe. `defaultPort` is used when the probe names no port.
   * @internal
   */
  public _render(where: Where, field: string, defaultPort: number | string | undefined, liveness: boolean,
    containerPorts: ReadonlyArray<{ readonly number: number; readonly name?: string }> = []): k8s.Probe {
    const o = this.action.options;
    ensureOptional(where, `${field}.initialDelaySeconds`, o.initialDelaySeconds, nonNegativeInt);
    ensureOptional(where, `${field}.periodSeconds`, o.periodSeconds, positiveInt);
    ensureOptional(where, `${field}.timeoutSeconds`, o.timeoutSeconds, positiveInt);
    ensureOptional(where, `${field}.failureThreshold`, o.failureThreshold, positiveInt);
    ensureOptional(where, `${field}.successThreshold`, o.successThreshold,
      liveness ? intInRange(1, 1, 'liveness and startup probes require successThreshold 1') : positiveInt);
    const timings = {
      initialDelaySeconds: o.initialDelaySeconds,
      periodSeconds: o.periodSeconds,
      timeoutSeconds: o.timeoutSeconds,
      successThreshold: o.successThreshold,
      failureThreshold: o.failureThreshold,
    };
    switch (this.action.kind) {
      case 'exec': {
        const cmd = this.action.options.command;
        ensure(where, `${field}.command`, cmd, command);
        return { exec: { command: Array.isArray(cmd) ? [...cmd] : [] }, ...timings };
      }
      case 'httpGet': {
        const http = this.action.options;
        const port = probePort(where, field, http, defaultPort, containerPorts);
        // The API server takes any path ("healthz" works: the kubelet's URL gets the leading "/"); an empty one it
        // rewrites to "/", so the manifest would differ from what the cluster stores.
        ensure(where, `${field}.path`, http.path, (p) => typeof p === 'string' && p.length > 0 && !/\s/.test(p)
          ? undefined : { reason: 'must be a URL path without spaces', fix: `try "/${String(p ?? '').trim().replace(/^\/*/, '').replace(/\s+/g, '%20')}"` });
        ensureOptional(where, `${field}.scheme`, http.scheme, probeScheme);
        return { httpGet: { path: http.path, port, scheme: http.scheme }, ...timings };
      }
      case 'tcpSocket':
        return { tcpSocket: { port: probePort(where, field, this.action.options, defaultPort, containerPorts) }, ...timings };
    }
  }
}

function probePort(where: Where, field: string, o: { port?: number; portName?: string }, defaultPort: number | string | undefined,
  containerPorts: ReadonlyArray<{ readonly number: number; readonly name?: string }>): k8s.IntOrString {
  if (o.port !== undefined && o.portName !== undefined) {
    invalid(where, `${field}.portName`, o.portName, 'port and portName are exclusive', 'give one of them');
  }
  ensureOptional(where, `${field}.port`, o.port, portNumber);
  if (o.portName !== undefined && check(where, `${field}.portName`, o.portName, portName) && !containerPorts.some((p) => p.name === o.portName)) {
    const named = containerPorts.filter((p) => p.name).map((p) => `"${p.name}"`);
    invalid(where, `${field}.portName`, o.portName, 'names no port of the container (kubelet resolves probe port names on the container itself)',
      named.length ? `use one of ${named.join(', ')}` : 'name the container port first (ports[].name), or give port');
  }
  const port = o.port ?? o.portName ?? defaultPort;
  if (port === undefined) {
    invalid(where, `${field}.port`, undefined, 'the container has no port to probe', 'set port or portName on the probe');
    return k8s.IntOrString.fromNumber(0);
  }
  return typeof port === 'number' ? k8s.IntOrString.fromNumber(port) : k8s.IntOrString.fromString(port);
}
