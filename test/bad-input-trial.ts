// The worst-input trial, shared by test/bad-input.test.ts (against the sources) and test/consumer.test.ts (against
// the packed, installed package, as a user runs it). JavaScript and jsii-language callers can pass anything: each
// leaf of a valid set of props per construct is replaced by a wrong value (empty, malformed, negative, NaN,
// fractional, huge, null, a wrong type); the synthesis must either succeed or fail with the library's input
// errors, never with a TypeError or another crash. The modules come in as arguments so that both runs use the
// library and cdk8s of one installation (construct trees do not mix copies).

/** What the trial found. */
export interface TrialResult {
  /** `<construct> <prop path>=<value>: <first line of the error>` for every error that is not the library's. */
  readonly crashes: string[];
  /** How many wrong values were refused. */
  readonly rejected: number;
}

const BAD = ['', 'Bad Value_', -1, NaN, 1.5, 99999999999, null, {}];

function leaves(o: any, path: string[] = []): string[][] {
  // Instances of the library's classes (Probe, IntOrPercent, SmokeTarget, ...) are leaves: replaced whole.
  if (o === null || typeof o !== 'object' || (!Array.isArray(o) && Object.getPrototypeOf(o) !== Object.prototype)) return [path];
  // Lists are replaced whole too (a string where a list belongs), then entry by entry.
  const own = Array.isArray(o) && path.length > 0 ? [path] : [];
  return [...own, ...Object.entries(o).flatMap(([k, v]) => leaves(v, [...path, k]))];
}

function setAt(o: any, path: string[], v: any): any {
  if (path.length === 0) return v;
  const copy = Array.isArray(o) ? [...o] : { ...o };
  copy[path[0]] = setAt(o[path[0]], path.slice(1), v);
  return copy;
}

/** Valid props per construct, built from the library under test. */
function bases(api: any): Record<string, [any, any]> {
  const web: any = {
    name: 'web',
    image: 'nginx:1.25.3',
    ports: [{ number: 8080, name: 'http' }],
    volumeMounts: [{ volume: 'data', mountPath: '/data' }],
    env: { A: api.PodEnvValue.fromValue('x') },
    livenessProbe: api.PodProbe.httpGet({ path: '/h', portName: 'http' }),
    resources: { cpuRequest: '100m', memoryLimit: '256Mi' },
  };
  return {
    StatefulApp: [api.StatefulApp, { containers: [web], volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }], replicas: 3, disruptionBudget: { maxUnavailable: api.IntOrPercent.count(1) }, clientService: { type: api.WorkloadServiceType.NODE_PORT } }],
    StatelessApp: [api.StatelessApp, { containers: [{ ...web, volumeMounts: [] }], replicas: 2, service: { ports: [{ port: 80, targetPortName: 'http' }] } }],
    NodeAgent: [api.NodeAgent, { containers: [{ ...web, volumeMounts: [] }], hostMounts: [{ name: 'logs', hostPath: '/var/log', mountPath: '/var/log' }], metricsService: { port: 8080 } }],
    BatchJob: [api.BatchJob, { containers: [{ ...web, volumeMounts: [] }], completions: 3, parallelism: 2, backoffLimit: 2 }],
    ScheduledJob: [api.ScheduledJob, { schedule: '0 3 * * *', timeZone: 'Europe/Berlin', containers: [{ ...web, volumeMounts: [] }] }],
    NfsVolumeSet: [api.NfsVolumeSet, { server: 'stor01', capacity: '1Gi', exports: [{ cidr: '10.0.0.0/24' }], volumes: [{ name: 'a', path: '/a' }], numbered: { count: 2, pathFormat: '/n/%d' } }],
    DnsSmokeTest: [api.DnsSmokeTest, {
      targets: [api.SmokeTarget.hosts(['kubernetes.default'])], image: 'busybox:1.36', backoffLimit: 1, httpTimeoutSeconds: 5, resources: { memoryLimit: '64Mi' },
    }],
    KubeletApiAccess: [api.KubeletApiAccess, { name: 'kubelet-api', userName: 'log-reader', labels: { team: 'ops' } }],
    CoreDnsAddon: [api.CoreDnsAddon, { dnsServiceIp: '10.96.0.10', serviceCidr: '10.96.0.0/12', stubDomains: { 'consul.local': ['10.0.0.1'] }, extraPlugins: [{ name: 'log' }], autoscaler: { min: 1 } }],
  };
}

/** Runs the trial with the given library (`cdk8s-workloads` or its sources) and the cdk8s it was installed with. */
export function worstInputTrial(api: any, cdk8s: any): TrialResult {
  const crashes: string[] = [];
  let rejected = 0;
  for (const [name, [Ctor, props]] of Object.entries(bases(api))) {
    // The valid props synthesise: every failure below is the wrong value's.
    const c0 = new cdk8s.Chart(cdk8s.Testing.app(), 'c');
    new Ctor(c0, 'x', props);
    cdk8s.Testing.synth(c0);
    for (const leaf of leaves(props)) {
      for (const bad of BAD) {
        try {
          const chart = new cdk8s.Chart(cdk8s.Testing.app(), 'c');
          new Ctor(chart, 'x', setAt(props, leaf, bad));
          cdk8s.Testing.synth(chart);
        } catch (e) {
          const m = (e as Error).message;
          rejected++;
          if (!m.startsWith('Validation failed') && !/^\[/.test(m)) crashes.push(`${name} ${leaf.join('.')}=${JSON.stringify(bad)}: ${m.split('\n')[0]}`);
        }
      }
    }
  }
  return { crashes, rejected };
}
