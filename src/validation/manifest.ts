import { Problem } from './errors';
import { dnsLabel, dnsSubdomain, labelKey, labelValue, portName, rbacName, serviceName, workloadName } from './rules';

/** A server-side rule a synthesised manifest breaks. */
export interface ManifestProblem {
  /** JSON path of the offending field. */
  readonly path: string;
  readonly message: string;
}

type Manifest = Record<string, any>;

/**
 * Kinds that live outside namespaces. cdk8s gives every ApiObject its chart's namespace; the API
 * server would clear it for these kinds, but the manifest should not claim one.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'ClusterRole', 'ClusterRoleBinding', 'PriorityClass', 'RuntimeClass', 'IngressClass',
  'CustomResourceDefinition', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'FlowSchema', 'PriorityLevelConfiguration',
  'CertificateSigningRequest',
]);

const POD_CONTROLLERS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

function nameRuleFor(kind: string): (value: string) => Problem | undefined {
  if (kind === 'Service') return serviceName;
  if (kind === 'Namespace' || kind === 'Pod') return dnsLabel;
  if (kind === 'StatefulSet' || kind === 'CronJob') return workloadName;
  if (RBAC_KINDS.has(kind)) return rbacName;
  return dnsSubdomain;
}

/** The pod template of a workload manifest, if it has one. */
export function podTemplateOf(m: Manifest): { path: string; template: Manifest } | undefined {
  if (m.kind === 'CronJob') return m.spec?.jobTemplate?.spec?.template ? { path: 'spec.jobTemplate.spec.template', template: m.spec.jobTemplate.spec.template } : undefined;
  if (POD_CONTROLLERS.has(m.kind)) return m.spec?.template ? { path: 'spec.template', template: m.spec.template } : undefined;
  if (m.kind === 'Pod') return { path: '', template: m };
  return undefined;
}

/** True when a matchLabels/matchExpressions selector selects these labels. */
export function selectorMatches(selector: Manifest | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': if (!has || !e.values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && e.values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/**
 * Rules the kube-apiserver enforces beyond the OpenAPI schema (names, labels, selectors, restart
 * policies, ports), checked on one plain manifest.
 */
export function manifestProblems(m: Manifest): ManifestProblem[] {
  const out: ManifestProblem[] = [];
  const add = (path: string, problem: Problem | undefined, value?: unknown) => {
    if (problem) out.push({ path, message: `${JSON.stringify(value)}: ${problem.reason}; ${problem.fix}` });
  };
  const kind = String(m.kind);
  const name = m.metadata?.name;
  if (typeof name !== 'string') out.push({ path: 'metadata.name', message: 'is required' });
  else add('metadata.name', nameRuleFor(kind)(name), name);
  if (m.metadata?.namespace !== undefined) {
    if (CLUSTER_SCOPED_KINDS.has(kind)) {
      out.push({ path: 'metadata.namespace', message: `${JSON.stringify(m.metadata.namespace)}: ${kind} is cluster-scoped and takes no namespace; wrap the object with clusterScoped() from src/workload/cluster-scoped.ts` });
    } else {
      add('metadata.namespace', dnsLabel(m.metadata.namespace), m.metadata.namespace);
    }
  }
  checkLabels(out, 'metadata.labels', m.metadata?.labels);
  for (const key of Object.keys(m.metadata?.annotations ?? {})) add('metadata.annotations', labelKey(key), key);

  const pod = podTemplateOf(m);
  if (pod && pod.path) {
    const labels = pod.template.metadata?.labels ?? {};
    checkLabels(out, `${pod.path}.metadata.labels`, labels);
    if (kind !== 'CronJob' && kind !== 'Job') {
      if (!m.spec?.selector) out.push({ path: 'spec.selector', message: 'is required' });
      else if (!selectorMatches(m.spec.selector, labels)) out.push({ path: 'spec.selector', message: 'does not match the pod template labels, so the API server rejects it' });
      checkLabels(out, 'spec.selector.matchLabels', m.spec?.selector?.matchLabels);
    }
  }
  if (pod) {
    const spec = pod.template.spec ?? {};
    const restart = spec.restartPolicy;
    const inJob = kind === 'Job' || kind === 'CronJob';
    if (inJob && restart !== 'Never' && restart !== 'OnFailure') {
      out.push({ path: `${pod.path ? pod.path + '.' : ''}spec.restartPolicy`, message: `${JSON.stringify(restart)}: Job pods need restartPolicy Never or OnFailure` });
    }
    if (POD_CONTROLLERS.has(kind) && !inJob && restart !== undefined && restart !== 'Always') {
      out.push({ path: `${pod.path}.spec.restartPolicy`, message: `${JSON.stringify(restart)}: ${kind} pods must use restartPolicy Always` });
    }
    const claimNames: string[] = (m.spec?.volumeClaimTemplates ?? []).map((t: Manifest) => t.metadata?.name);
    checkContainers(out, `${pod.path ? pod.path + '.' : ''}spec`, spec, claimNames);
  }
  if (kind === 'Service') checkService(out, m);
  if (kind === 'DaemonSet') checkDaemonSetRollout(out, m);
  if (kind === 'PersistentVolume') {
    const sources = ['nfs', 'hostPath', 'local', 'csi', 'iscsi', 'fc', 'cephfs', 'rbd', 'glusterfs'].filter((s) => m.spec?.[s] !== undefined);
    if (sources.length !== 1) out.push({ path: 'spec', message: `a PersistentVolume needs exactly one volume source (has ${sources.length})` });
    if (!m.spec?.capacity?.storage) out.push({ path: 'spec.capacity.storage', message: 'is required' });
    if (!(m.spec?.accessModes?.length > 0)) out.push({ path: 'spec.accessModes', message: 'needs at least one access mode' });
  }
  return out;
}

function checkLabels(out: ManifestProblem[], path: string, labels: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    const problem = labelKey(k) ?? labelValue(String(v));
    if (problem) out.push({ path: `${path}.${k}`, message: `${JSON.stringify(v)}: ${problem.reason}; ${problem.fix}` });
  }
}

function checkContainers(out: ManifestProblem[], path: string, spec: Manifest, claimNames: string[]): void {
  const names = new Set<string>();
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  for (const [i, c] of all.entries()) {
    const at = `${path}.${i < (spec.initContainers ?? []).length ? 'initContainers' : 'containers'}[${i}]`;
    if (names.has(c.name)) out.push({ path: `${at}.name`, message: `${c.name}: duplicate container name` });
    names.add(c.name);
    const dnsProblem = dnsLabel(String(c.name));
    if (dnsProblem) out.push({ path: `${at}.name`, message: `${JSON.stringify(c.name)}: ${dnsProblem.reason}` });
    const portNames = new Set<string>();
    for (const [j, p] of (c.ports ?? []).entries()) {
      if (p.name !== undefined) {
        const problem = portName(p.name);
        if (problem) out.push({ path: `${at}.ports[${j}].name`, message: `${JSON.stringify(p.name)}: ${problem.reason}` });
        if (portNames.has(p.name)) out.push({ path: `${at}.ports[${j}].name`, message: `${p.name}: duplicate port name` });
        portNames.add(p.name);
      }
    }
    const env = new Set<string>();
    for (const e of c.env ?? []) {
      if (env.has(e.name)) out.push({ path: `${at}.env`, message: `${e.name}: duplicate environment variable` });
      env.add(e.name);
    }
    const volumes = new Set([...(spec.volumes ?? []).map((v: Manifest) => v.name), ...claimNames]);
    for (const [j, vm] of (c.volumeMounts ?? []).entries()) {
      if (!volumes.has(vm.name)) {
        out.push({ path: `${at}.volumeMounts[${j}].name`, message: `${vm.name}: no volume of that name in the pod` });
      }
    }
  }
}

function checkService(out: ManifestProblem[], m: Manifest): void {
  const ports: Manifest[] = m.spec?.ports ?? [];
  const type = m.spec?.type ?? 'ClusterIP';
  if (ports.length > 1) {
    ports.forEach((p, i) => { if (!p.name) out.push({ path: `spec.ports[${i}].name`, message: 'is required when a Service has several ports' }); });
  }
  ports.forEach((p, i) => {
    if (p.nodePort !== undefined && type !== 'NodePort' && type !== 'LoadBalancer') {
      out.push({ path: `spec.ports[${i}].nodePort`, message: `node ports need type NodePort or LoadBalancer (type is ${type})` });
    }
    if (p.name !== undefined) {
      const problem = dnsLabel(p.name);
      if (problem) out.push({ path: `spec.ports[${i}].name`, message: `${JSON.stringify(p.name)}: ${problem.reason}` });
    }
  });
}

/** The API server accepts a DaemonSet rolling update with a non-zero maxSurge or maxUnavailable, not both. */
function checkDaemonSetRollout(out: ManifestProblem[], m: Manifest): void {
  const rolling = m.spec?.updateStrategy?.rollingUpdate;
  if (!rolling) return;
  const nonZero = (v: unknown) => v !== undefined && v !== 0 && v !== '0%';
  const surge = rolling.maxSurge;
  const unavailable = rolling.maxUnavailable ?? 1; // Kubernetes' default
  if (nonZero(surge) && nonZero(unavailable)) {
    out.push({ path: 'spec.updateStrategy.rollingUpdate', message: `maxSurge ${JSON.stringify(surge)} and maxUnavailable ${JSON.stringify(unavailable)}: a DaemonSet may set only one of them non-zero` });
  }
  if (!nonZero(surge) && !nonZero(unavailable)) {
    out.push({ path: 'spec.updateStrategy.rollingUpdate', message: 'maxSurge and maxUnavailable are both zero: the rollout can never replace a pod' });
  }
}
