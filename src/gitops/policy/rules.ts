// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import { reasonAnnotationKey, REASON_POLICY_RULES, RUNS_AS_ROOT_ANNOTATION_PREFIX } from '../../kubernetes/metadata-keys';
import {
  cronSchedule, cronScheduleFires, groupOf, ianaTimeZone, isSensitiveHostPath, isServedGroup, isUnpinnedImage, manifestProblems, podTemplateOf,
  Problem, SchemaFinding, schemaFindings, selectorMatches,
} from '../../kubernetes/validation';

/** How much a policy violation matters. */
export enum PolicySeverity {
  /** Fails `cdk8s synth`. */
  ERROR = 'error',
  /** Reported, but synthesis still succeeds. */
  WARNING = 'warning',
}

/** A rule of the policy, as documented and configured. */
export interface PolicyRuleInfo {
  /** Rule id, e.g. `run-as-non-root`; used in plugin properties and suppression annotations. */
  readonly id: string;
  /** Severity unless the plugin properties change it. */
  readonly defaultSeverity: PolicySeverity;
  /** What the rule checks and why. */
  readonly description: string;
  /**
   * Whether `cdk8s-workloads.dev/allow-<id>` can suppress it on one object. Rules the API server
   * enforces cannot: a suppressed object would still be rejected.
   */
  readonly suppressible: boolean;
}

type Manifest = Record<string, any>;

/**
 * One synthesised object as the policy sees it: the manifest and the file it is in (the change guard's
 * `ObjectRef` is another idea: it names an object on a cluster).
 */
export interface PolicyObject {
  readonly manifest: Manifest;
  readonly file: string;
}

/** What a rule found in one object. */
export interface Finding {
  /** JSON path of the offending field. */
  readonly path: string;
  readonly message: string;
  readonly fix: string;
  /** The container the finding is about, if any (for per-container opt-outs). */
  readonly container?: string;
  /** The pod volume the finding is about, if any (for per-volume reasons). */
  readonly volume?: string;
}

/** A rule: its documentation plus the check over one object (with the whole set for cross-object rules). */
export interface RuleDefinition extends PolicyRuleInfo {
  readonly check: (object: PolicyObject, all: readonly PolicyObject[]) => Finding[];
}

/**
 * True when Kubernetes 1.28 serves the API group: a built-in group rather than a custom resource's.
 * Read from the vendored 1.28 OpenAPI schema, so the plugin needs no model package at run time.
 */
export function isBuiltInGroup(apiVersion: string): boolean {
  return isServedGroup(groupOf(apiVersion));
}

type Container = Manifest & { readonly name: string };
interface PodContext {
  /** Path prefix of the pod spec, e.g. `spec.template.spec`. */
  readonly specPath: string;
  readonly spec: Manifest;
  readonly annotations: Record<string, string>;
}

function podOf(m: Manifest): PodContext | undefined {
  const pod = podTemplateOf(m);
  if (!pod) return undefined;
  return {
    specPath: pod.path ? `${pod.path}.spec` : 'spec',
    spec: pod.template.spec ?? {},
    annotations: pod.template.metadata?.annotations ?? {},
  };
}

/** Every init and app container of a pod with its JSON path. */
function containersOf(pod: PodContext, includeInit: boolean): Array<{ c: Container; at: string }> {
  const init = includeInit ? (pod.spec.initContainers ?? []).map((c: Container, i: number) => ({ c, at: `${pod.specPath}.initContainers[${i}]` })) : [];
  return [...init, ...(pod.spec.containers ?? []).map((c: Container, i: number) => ({ c, at: `${pod.specPath}.containers[${i}]` }))];
}

/** A rule over each container of each pod-bearing object. */
function perContainer(includeInit: boolean, check: (c: Container, at: string, pod: PodContext, m: Manifest) => Omit<Finding, 'container'> | undefined) {
  return (object: PolicyObject): Finding[] => {
    const pod = podOf(object.manifest);
    if (!pod) return [];
    return containersOf(pod, includeInit).flatMap(({ c, at }) => {
      const found = check(c, at, pod, object.manifest);
      return found ? [{ ...found, container: c.name }] : [];
    });
  };
}

/** A rule over a pod-level boolean (hostNetwork, hostPID, hostIPC). */
function podFlag(field: string, why: string) {
  return (object: PolicyObject): Finding[] => {
    const pod = podOf(object.manifest);
    if (!pod || pod.spec[field] !== true) return [];
    return [{ path: `${pod.specPath}.${field}`, message: `the pod sets ${field}: true (${why})`, fix: `remove ${field}, or suppress with a reason if the workload is a node agent that needs it` }];
  };
}

const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function probeRule(probe: 'livenessProbe' | 'readinessProbe', why: string) {
  return perContainer(false, (c, at, _pod, m) => (LONG_RUNNING.has(m.kind) && !c[probe])
    ? { path: `${at}.${probe}`, message: `container "${c.name}" has no ${probe} (${why})`, fix: `add a ${probe} (httpGet, tcpSocket or exec) to the container` }
    : undefined);
}

function resourceRule(resource: 'cpu' | 'memory', examples: { requests: string; limits: string }) {
  return perContainer(true, (c, at) => {
    const missing = (['requests', 'limits'] as const).filter((k) => c.resources?.[k]?.[resource] === undefined);
    if (missing.length === 0) return undefined;
    return {
      path: `${at}.resources`,
      message: `container "${c.name}" sets no ${missing.map((k) => `resources.${k}.${resource}`).join(' and no ')}`,
      fix: `set ${missing.map((k) => `resources.${k}.${resource} (e.g. "${examples[k]}")`).join(' and ')}`,
    };
  });
}

export { isSensitiveHostPath };

const ROLE_BINDINGS = new Set(['RoleBinding', 'ClusterRoleBinding']);
const ANONYMOUS = [{ kind: 'User', name: 'system:anonymous' }, { kind: 'Group', name: 'system:unauthenticated' }];

function namespaceOf(m: Manifest): string | undefined {
  return m.metadata?.namespace;
}

interface AppView {
  /** The first object of each kind/namespace/name. */
  readonly firstByKey: Map<string, PolicyObject>;
  /** Pod templates by each of their `key=value` labels. */
  readonly templatesByLabel: Map<string, Array<{ namespace?: string; labels: Record<string, string> }>>;
}

const APP_VIEWS = new WeakMap<readonly PolicyObject[], AppView>();

/**
 * Rules that look across the app read one index of it, built once per check run (the checker passes
 * the same list to every rule), so the policy stays linear in the number of objects.
 */
function appView(all: readonly PolicyObject[]): AppView {
  let view = APP_VIEWS.get(all);
  if (!view) {
    const firstByKey = new Map<string, PolicyObject>();
    const templatesByLabel: AppView['templatesByLabel'] = new Map();
    for (const o of all) {
      const key = objectKey(o.manifest);
      if (!firstByKey.has(key)) firstByKey.set(key, o);
      const template = podTemplateOf(o.manifest);
      if (!template) continue;
      const labels: Record<string, string> = template.template.metadata?.labels ?? {};
      const entry = { namespace: namespaceOf(o.manifest), labels };
      for (const [k, v] of Object.entries(labels)) {
        const list = templatesByLabel.get(`${k}=${v}`);
        if (list) list.push(entry);
        else templatesByLabel.set(`${k}=${v}`, [entry]);
      }
    }
    view = { firstByKey, templatesByLabel };
    APP_VIEWS.set(all, view);
  }
  return view;
}

function objectKey(m: Manifest): string {
  return `${m.kind}/${namespaceOf(m) ?? ''}/${m.metadata?.name}`;
}

// `schema` and `strict-fields` report two views of one walk over the schema: walk once per object.
const schemaWalks = new WeakMap<PolicyObject, SchemaFinding[]>();
function schemaOf(object: PolicyObject): SchemaFinding[] {
  let found = schemaWalks.get(object);
  if (!found) schemaWalks.set(object, found = schemaFindings(object.manifest));
  return found;
}

/**
 * The rule set: API-server correctness first (schema, strict fields, server-side rules, duplicates),
 * then a hardening set modelled on kube-linter's default checks.
 */
export const RULES: readonly RuleDefinition[] = [
  {
    id: 'schema',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: false,
    description: 'The apiVersion and kind are served by Kubernetes 1.28 (removed APIs fail here) and the object matches their OpenAPI schema: types, required fields, enum values, formats.',
    check: (o) => schemaOf(o).filter((v) => !v.unknownField).map((v) => ({ path: v.path, message: v.message, fix: 'correct the field against the Kubernetes API reference' })),
  },
  {
    id: 'strict-fields',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: false,
    description: 'No unknown fields, wrong types or missing required fields against the Kubernetes 1.28 OpenAPI schema (what strict field validation in the API server rejects).',
    check: (o) => schemaOf(o).map((v) => ({ path: v.path, message: v.message, fix: 'remove or correct the field; Kubernetes 1.28 rejects it with strict field validation' })),
  },
  {
    id: 'server-side',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: false,
    description: 'Rules the API server enforces beyond the schema: names, labels, annotation keys and total size, selector/template agreement, Job restart policies, container and port names, volume mounts and sub-paths, item paths, env references (fieldPath, Secret/ConfigMap keys, resource fields), probes, dnsPolicy/dnsConfig, enum values, PV sources, Service ports.',
    check: (o) => manifestProblems(o.manifest).map((p) => {
      const split = p.message.lastIndexOf('; ');
      return split > 0
        ? { path: p.path, message: p.message.slice(0, split), fix: p.message.slice(split + 2) }
        : { path: p.path, message: p.message, fix: 'correct the field; the API server rejects the object as it is' };
    }),
  },
  {
    id: 'cron-schedule',
    defaultSeverity: PolicySeverity.ERROR,
    // Suppressible: the schedule parser is deliberately stricter than the API server in places (e.g. @every).
    suppressible: true,
    description: 'CronJob schedules parse as Kubernetes reads them (5 fields or a macro, no TZ= prefix) and can fire; timeZone is an IANA zone.',
    check: (o) => {
      const m = o.manifest;
      if (m.kind !== 'CronJob') return [];
      const found = (path: string, value: unknown, problem: Problem | undefined): Finding[] =>
        problem ? [{ path, message: `${JSON.stringify(value)}: ${problem.reason}`, fix: problem.fix }] : [];
      return [
        // Schedules the API server rejects or that never fire are server-side errors; this rule adds the stricter parts.
        ...(cronScheduleFires(String(m.spec?.schedule ?? '')) ? [] : found('spec.schedule', m.spec?.schedule, cronSchedule(String(m.spec?.schedule ?? '')))),
        ...(m.spec?.timeZone !== undefined ? found('spec.timeZone', m.spec.timeZone, ianaTimeZone(String(m.spec.timeZone))) : []),
      ];
    },
  },
  {
    id: 'duplicate-object',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: false,
    description: 'No two objects share a kind, namespace and name (the second apply overwrites the first).',
    check: (o, all) => {
      const first = appView(all).firstByKey.get(objectKey(o.manifest));
      return first && first !== o
        ? [{ path: 'metadata.name', message: `the same ${o.manifest.kind} is defined earlier in ${first.file}`, fix: 'rename one of them or remove the duplicate' }]
        : [];
    },
  },
  {
    id: 'run-as-non-root',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'Containers run as a non-root user: runAsNonRoot true or a runAsUser above 0, in the container or pod security context.',
    check: perContainer(true, (c, at, pod) => {
      const user = c.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser;
      const nonRoot = c.securityContext?.runAsNonRoot ?? pod.spec.securityContext?.runAsNonRoot;
      if (user === 0 || (user === undefined && nonRoot !== true)) {
        return {
          path: `${at}.securityContext`,
          message: `container "${c.name}" ${user === 0 ? 'runs as user 0 (root)' : 'may run as root (no runAsNonRoot: true and no runAsUser)'}`,
          fix: 'set securityContext.runAsNonRoot: true and runAsUser to a non-zero id (ContainerSecurity.nonRoot()); images that need root: ContainerSecurity.runAsRoot({ reason })',
        };
      }
      return undefined;
    }),
  },
  {
    id: 'no-read-only-root-fs',
    defaultSeverity: PolicySeverity.WARNING,
    suppressible: true,
    description: 'Containers mount their root filesystem read-only, so a compromised process cannot change the image.',
    check: perContainer(true, (c, at) => c.securityContext?.readOnlyRootFilesystem === true ? undefined : {
      path: `${at}.securityContext.readOnlyRootFilesystem`,
      message: `container "${c.name}" has a writable root filesystem`,
      fix: 'set securityContext.readOnlyRootFilesystem: true and mount emptyDir volumes at the paths the image writes to',
    }),
  },
  {
    id: 'privilege-escalation-container',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'Containers set allowPrivilegeEscalation: false (Linux allows escalation through setuid binaries unless told otherwise).',
    check: perContainer(true, (c, at) => c.securityContext?.allowPrivilegeEscalation === false ? undefined : {
      path: `${at}.securityContext.allowPrivilegeEscalation`,
      message: `container "${c.name}" ${c.securityContext?.allowPrivilegeEscalation === true ? 'allows' : 'does not forbid'} privilege escalation`,
      fix: 'set securityContext.allowPrivilegeEscalation: false',
    }),
  },
  {
    id: 'privileged-container',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'No privileged containers: they have every capability and the host\'s devices.',
    check: perContainer(true, (c, at) => c.securityContext?.privileged === true ? {
      path: `${at}.securityContext.privileged`,
      message: `container "${c.name}" is privileged`,
      fix: 'remove privileged: true and add only the capabilities the image needs',
    } : undefined),
  },
  {
    id: 'host-network',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'Pods do not share the node\'s network namespace.',
    check: podFlag('hostNetwork', 'it sees and binds every interface of the node'),
  },
  {
    id: 'host-pid',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'Pods do not share the node\'s process namespace.',
    check: podFlag('hostPID', 'it sees and can signal every process on the node'),
  },
  {
    id: 'host-ipc',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'Pods do not share the node\'s IPC namespace.',
    check: podFlag('hostIPC', 'it can read the shared memory of every process on the node'),
  },
  {
    id: 'sensitive-host-mounts',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'No hostPath volumes of node system directories or container runtime sockets (/, /etc, /proc, /sys, /dev, /var/lib/kubelet, docker.sock, ...).',
    check: (o) => {
      const pod = podOf(o.manifest);
      return (pod?.spec.volumes ?? []).flatMap((v: Manifest, i: number) => (v.hostPath && isSensitiveHostPath(String(v.hostPath.path)))
        ? [{ path: `${pod!.specPath}.volumes[${i}].hostPath.path`, message: `volume "${v.name}" mounts the node's ${v.hostPath.path}`, fix: 'mount a narrower host directory, or use a ConfigMap, Secret or emptyDir volume', volume: v.name }]
        : []);
    },
  },
  {
    id: 'latest-tag',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'Images are pinned to a tag other than latest, or a digest, so a rollout deploys what was reviewed.',
    check: perContainer(true, (c, at) => (typeof c.image === 'string' && isUnpinnedImage(c.image)) ? {
      path: `${at}.image`,
      message: `container "${c.name}" uses the unpinned image "${c.image}"`,
      fix: 'pin a version tag (e.g. "nginx:1.25.3") or a digest (@sha256:...)',
    } : undefined),
  },
  {
    id: 'unset-cpu-requirements',
    defaultSeverity: PolicySeverity.WARNING,
    suppressible: true,
    description: 'Containers request and limit CPU, so the scheduler places them and one container cannot starve the node.',
    check: resourceRule('cpu', { requests: '100m', limits: '500m' }),
  },
  {
    id: 'unset-memory-requirements',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'Containers request and limit memory, so the scheduler places them and a leak is killed before it exhausts the node.',
    check: resourceRule('memory', { requests: '128Mi', limits: '256Mi' }),
  },
  {
    id: 'no-liveness-probe',
    defaultSeverity: PolicySeverity.WARNING,
    suppressible: true,
    description: 'Containers of Deployments, StatefulSets and DaemonSets have a liveness probe.',
    check: probeRule('livenessProbe', 'a hung process is never restarted'),
  },
  {
    id: 'no-readiness-probe',
    defaultSeverity: PolicySeverity.WARNING,
    suppressible: true,
    description: 'Containers of Deployments, StatefulSets and DaemonSets have a readiness probe.',
    check: probeRule('readinessProbe', 'Services send traffic before the process is ready, and rollouts do not wait for it'),
  },
  {
    id: 'dangling-service',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'A Service with a selector selects the pod template of at least one synthesised workload in its namespace.',
    check: (o, all) => {
      const m = o.manifest;
      const selector: Record<string, string> | undefined = m.spec?.selector;
      if (m.kind !== 'Service' || m.spec?.type === 'ExternalName' || !selector || Object.keys(selector).length === 0) return [];
      const ns = namespaceOf(m);
      // Only pod templates that carry the selector's first label can match it (indexed once per check).
      const [key, value] = Object.entries(selector)[0];
      const matched = (appView(all).templatesByLabel.get(`${key}=${value}`) ?? []).some((t) => {
        // An object without a namespace lands in whatever namespace it is applied to: it may match.
        const sameNamespace = ns === undefined || t.namespace === undefined || ns === t.namespace;
        return sameNamespace && selectorMatches({ matchLabels: selector }, t.labels);
      });
      return matched ? [] : [{
        path: 'spec.selector',
        message: `selects ${Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',')}, which no pod template in the synthesised manifests carries`,
        fix: 'make the selector match the workload\'s pod labels, or suppress with a reason if its pods come from elsewhere',
      }];
    },
  },
  {
    id: 'cluster-admin-binding',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'No RoleBinding or ClusterRoleBinding grants the cluster-admin ClusterRole.',
    check: (o) => (ROLE_BINDINGS.has(o.manifest.kind) && o.manifest.roleRef?.kind === 'ClusterRole' && o.manifest.roleRef?.name === 'cluster-admin') ? [{
      path: 'roleRef.name',
      message: `${o.manifest.kind} grants cluster-admin`,
      fix: 'bind a Role or ClusterRole with only the verbs and resources the subject needs',
    }] : [],
  },
  {
    id: 'anonymous-binding',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: true,
    description: 'No RoleBinding or ClusterRoleBinding grants anything to system:anonymous or system:unauthenticated.',
    check: (o) => !ROLE_BINDINGS.has(o.manifest.kind) ? [] : (o.manifest.subjects ?? []).flatMap((s: Manifest, i: number) =>
      ANONYMOUS.some((a) => a.kind === s.kind && a.name === s.name) ? [{
        path: `subjects[${i}]`,
        message: `binds ${s.kind} ${s.name} (every unauthenticated client) to ${o.manifest.roleRef?.kind} ${o.manifest.roleRef?.name}`,
        fix: 'bind a ServiceAccount or an authenticated user or group instead; for kubectl logs/exec, bind system:kubelet-api-admin to the API server kubelet-client user (KubeletApiAccess)',
      }] : []),
  },
  {
    id: 'invalid-suppression',
    defaultSeverity: PolicySeverity.ERROR,
    suppressible: false,
    description: 'Every cdk8s-workloads.dev/allow-<rule> annotation names a suppressible rule and gives a non-empty reason.',
    // Checked by the suppression layer, which sees the annotations.
    check: () => [],
  },
];

/**
 * The reason a construct stated for the risky choice behind a finding: the pod layer's runs-as-root annotation, or a
 * `reason.<kind>[.<subject>]` annotation whose kind answers this rule (REASON_POLICY_RULES: one mapping, not per case).
 */
export function statedReasonFor(object: PolicyObject, ruleId: string, finding: Finding): string | undefined {
  const pod = podOf(object.manifest);
  const annotations: Record<string, unknown> = { ...(object.manifest.metadata?.annotations ?? {}), ...(pod?.annotations ?? {}) };
  const keys: string[] = [];
  if (ruleId === 'run-as-non-root' && finding.container) keys.push(RUNS_AS_ROOT_ANNOTATION_PREFIX + finding.container);
  const subject = finding.volume ?? finding.container;
  for (const [kind, rule] of Object.entries(REASON_POLICY_RULES)) {
    if (rule !== ruleId) continue;
    keys.push(subject === undefined ? reasonAnnotationKey(kind) : reasonAnnotationKey(`${kind}.${subject}`));
  }
  for (const key of keys) {
    const reason = annotations[key];
    if (typeof reason === 'string' && reason.trim().length > 0) return reason.trim();
  }
  return undefined;
}
