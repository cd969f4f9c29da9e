// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  addLibraryValidation, aliasFields, checkInstance, dnsSubdomain, ensure, ensureEach, ensureOptional, imageReference,
  intInRange, invalid, portNumber, Where, WorkloadsError,
} from '../../kubernetes/validation';
import { PodContainerResources } from '../../pod/container';
import { appClusterDomain, IDnsNamed, IServiceDnsNamed } from '../../workload/dns';
import { objectMeta, WorkloadIdentityProps } from '../../workload/identity';
import { JobRestartPolicy, renderJobSpec } from '../../workload/job-spec';
import { PodWorkloadBase } from '../../workload/workload-base';

/** What a smoke test fetches besides resolving names. */
export interface SmokeTargetOptions {
  /** Fetch `http://<host>:<httpPort><httpPath>` from every pod (or from the Service when pods have no names). @default - DNS only */
  readonly httpPort?: number;
  /** Path of the HTTP check. @default "/" */
  readonly httpPath?: string;
}

/** The checks of one target, resolved and validated. @internal */
export interface SmokeChecks {
  readonly lookups: string[];
  readonly urls: string[];
}

/** Something a {@link DnsSmokeTest} checks: the DNS names of a workload, or plain host names. */
export class SmokeTarget {
  /**
   * Every pod DNS name and the Service name of a workload (a StatefulApp, a StatelessApp, ...).
   * HTTP goes to every pod, or to the Service when the pods have no DNS names.
   */
  public static of(target: IDnsNamed, options: SmokeTargetOptions = {}): SmokeTarget {
    return new SmokeTarget(() => {
      const pods = [...target.podDnsNames];
      return { lookups: [...pods, target.serviceDnsName], fetch: pods.length > 0 ? pods : [target.serviceDnsName] };
    }, options);
  }

  /**
   * The Service name of a StatelessApp (its pods have no DNS names); HTTP goes to the Service.
   * An app without a Service is an input error of the smoke test.
   */
  public static service(app: IServiceDnsNamed, options: SmokeTargetOptions = {}): SmokeTarget {
    return new SmokeTarget(() => {
      const service = app.serviceDnsName === undefined ? [] : [app.serviceDnsName];
      return { lookups: service, fetch: service };
    }, options);
  }

  /** Host names (`web.default.svc.cluster.local`, `kubernetes.default`); each is looked up and, with a port, fetched. */
  public static hosts(hostNames: string[], options: SmokeTargetOptions = {}): SmokeTarget {
    return new SmokeTarget(() => ({ lookups: [...hostNames], fetch: [...hostNames] }), options);
  }

  private constructor(
    private readonly names: () => { lookups: string[]; fetch: string[] },
    private readonly options: SmokeTargetOptions,
  ) {}

  /** @internal */
  public _checks(where: Where, field: string): SmokeChecks {
    const { lookups, fetch } = this.names();
    if (lookups.length === 0) invalid(where, field, [], 'a target needs at least one host name', 'give host names, or a workload with a Service');
    ensureEach(`${field}.hostNames`, lookups, (host, f) => ensure(where, f, host, dnsSubdomain));
    const port = ensureOptional(where, `${field}.httpPort`, this.options.httpPort, portNumber);
    const path = this.options.httpPath ?? '/';
    if (this.options.httpPath !== undefined && port === undefined) {
      invalid(where, `${field}.httpPath`, path, 'only applies with an httpPort', 'set httpPort, or drop httpPath');
    }
    if (!/^\/[^\s'"\\]*$/.test(path)) {
      invalid(where, `${field}.httpPath`, path, 'must start with "/" and hold no spaces, quotes or backslashes', 'percent-encode them, e.g. "/health%20check"');
    }
    return { lookups, urls: port === undefined ? [] : fetch.map((host) => `http://${host}:${port}${path}`) };
  }
}

/** Properties of a {@link DnsSmokeTest}. */
export interface DnsSmokeTestProps extends WorkloadIdentityProps {
  /** What to check. */
  readonly targets: SmokeTarget[];
  /**
   * Image with `sh`, `nslookup` and `wget`. busybox 1.28.4 on purpose: nslookup in later busybox
   * images ignores the pod's DNS search list and misreports cluster names.
   * @default "busybox:1.28.4"
   */
  readonly image?: string;
  /** Retries (new pods) before the Job fails; covers pods that were still starting. @default 3 */
  readonly backoffLimit?: number;
  /**
   * Delete the finished Job after this many seconds. GitOps tools re-create a deleted Job (so it
   * runs again on the next sync), hence the default keeps it and its logs.
   * @default - kept until deleted
   */
  readonly ttlSecondsAfterFinished?: number;
  /** Seconds each HTTP check may wait (`wget -T`). @default 5 */
  readonly httpTimeoutSeconds?: number;
  /** Requests and limits of the test container. @default - 10m/16Mi requested, 100m/32Mi limit */
  readonly resources?: PodContainerResources;
}

/** Small: the checks are a handful of DNS queries and HTTP requests. */
const SMOKE_RESOURCES: Required<PodContainerResources> = { cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '16Mi', memoryLimit: '32Mi' };

/**
 * A `batch/v1` Job in the spirit of `helm test`: it resolves every DNS name of its targets with
 * `nslookup`, fetches them over HTTP where a port is given, runs every check, and fails when any
 * check failed. It needs no privileges: non-root, read-only root filesystem, no API token.
 */
export class DnsSmokeTest extends PodWorkloadBase {
  /** The Job. */
  public readonly job: k8s.KubeJob;
  /** Name of the Job. */
  public readonly name: string;
  /** Host names the Job resolves, in order. */
  public readonly lookups: string[];
  /** URLs the Job fetches, in order. */
  public readonly urls: string[];
  /** The shell script the Job runs (`/bin/sh -c`). */
  public readonly script: string;

  constructor(scope: Construct, id: string, props: DnsSmokeTestProps) {
    super(scope, id, props);
    const identity = this._identity;
    this.name = identity.name;
    const targets = Array.isArray(props.targets) ? props.targets : [];
    if (targets.length === 0) invalid(this, 'targets', props.targets ?? [], 'a smoke test needs at least one target', 'add SmokeTarget.of(app) or SmokeTarget.hosts([...])');
    // Indexes stay the user's, also when an entry is not a SmokeTarget and is skipped.
    const checks = targets.flatMap((t, i) =>
      checkInstance(this, `targets[${i}]`, t, SmokeTarget, 'SmokeTarget.of(app) or SmokeTarget.hosts([...])') ? [t._checks(this, `targets[${i}]`)] : []);
    // The same name from two targets is checked once; order stays as given, so output is deterministic.
    this.lookups = [...new Set(checks.flatMap((c) => c.lookups))];
    this.urls = [...new Set(checks.flatMap((c) => c.urls))];
    const timeout = ensure(this, 'httpTimeoutSeconds', props.httpTimeoutSeconds ?? 5, intInRange(1, 300));
    this.script = smokeScript(this.lookups, this.urls, timeout);
    // A Service name under another cluster domain than the app's never resolves: the Job would fail for sure.
    addLibraryValidation(this, 'APP_CONFLICT', () => this.foreignDomainNames());

    // The pod layer reports the container's resources under the props the user set.
    aliasFields(this, { 'containers[0].resources': 'resources', 'containers[0].image': 'image' });
    // The one Job spec code path (BatchJob's): same checks of backoffLimit, ttl and Job-controller labels.
    const spec = renderJobSpec(this, {
      labels: props.labels,
      selectorLabels: props.selectorLabels,
      containers: [{
        name: 'smoke-test',
        image: ensure(this, 'image', props.image ?? 'busybox:1.28.4', imageReference),
        command: ['/bin/sh', '-c', this.script],
        resources: { ...SMOKE_RESOURCES, ...props.resources },
      }],
      restartPolicy: JobRestartPolicy.NEVER,
      backoffLimit: props.backoffLimit ?? 3,
      ttlSecondsAfterFinished: props.ttlSecondsAfterFinished,
    }, identity, identity.name.length);

    this.job = new k8s.KubeJob(this, 'Resource', { metadata: objectMeta(identity), spec });
  }

  private foreignDomainNames(): WorkloadsError[] {
    const domain = appClusterDomain(this);
    if (domain === undefined) return [];
    return this.lookups.flatMap((host, i) => {
      const m = /\.svc\.(.+)$/.exec(host);
      return m && m[1] !== domain
        ? [WorkloadsError.input(this, `lookups[${i}]`, host, {
          reason: `is under the cluster domain "${m[1]}", but the app's is "${domain}", so it never resolves`,
          fix: `use "${host.slice(0, m.index)}.svc.${domain}", or give the app one cluster domain`,
        })]
        : [];
    });
  }
}

/** Single-quotes a word for POSIX sh. Names are validated already; quoting keeps the script safe regardless. */
function quote(word: string): string {
  return `'${word.replace(/'/g, '\'\\\'\'')}'`;
}

/**
 * Runs every check (no `set -e`: one failure must not hide the others), prints ok/FAIL per check
 * with the tool's output on failure, and exits 1 when any check failed.
 */
function smokeScript(lookups: readonly string[], urls: readonly string[], timeoutSeconds: number): string {
  return [
    'failures=0',
    'check() {',
    '  if out=$("$@" 2>&1); then echo "ok: $*"; else echo "FAIL: $*"; echo "$out"; failures=$((failures + 1)); fi',
    '}',
    ...lookups.map((host) => `check nslookup ${quote(host)}`),
    ...urls.map((url) => `check wget -q -O- -T ${timeoutSeconds} ${quote(url)}`),
    `if [ "$failures" -gt 0 ]; then echo "$failures of ${lookups.length + urls.length} checks failed"; exit 1; fi`,
    `echo "all ${lookups.length + urls.length} checks passed"`,
    '',
  ].join('\n');
}
