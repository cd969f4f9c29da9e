// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { cronScheduleFires } from './cron';
import { ManifestProblem, Problem, Rule } from './errors';
import {
  annotationsSize, command, configMapKey, dnsNameserver, dnsNameserverList, dnsSearchDomain, dnsSearchList, envFieldPath,
  objectReferenceName, probeScheme, relativePath, resourceDivisor, resourceFieldName, subPathExpression,
} from './fields';
import { dnsLabel, dnsSubdomain, parseQuantity, labelKey, labelValue, portName, rbacName, serviceName, workloadName } from './rules';


type Manifest = Record<string, any>;

/** The built-in kinds of Kubernetes 1.28 that live outside namespaces, as `group/Kind` (the core group is empty). */
const CLUSTER_SCOPED = new Set([
  '/Namespace', '/Node', '/PersistentVolume',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'storage.k8s.io/CSINode', 'storage.k8s.io/VolumeAttachment',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass', 'networking.k8s.io/IngressClass',
  'apiextensions.k8s.io/CustomResourceDefinition', 'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'flowcontrol.apiserver.k8s.io/FlowSchema', 'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'certificates.k8s.io/CertificateSigningRequest',
]);

/** The API group of an `apiVersion` (`apps/v1` → `apps`; `v1` → the core group, ''). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * Whether objects of this kind live outside namespaces. cdk8s gives every ApiObject its chart's namespace; the
 * API server would clear it for these kinds, but the manifest should not claim one, and an object's identity
 * (the change guard's, the app index's) must not include it. Keyed by group, so a custom resource that shares
 * a built-in kind's name is not taken for it.
 */
export function isClusterScoped(apiVersion: unknown, kind: unknown): boolean {
  return CLUSTER_SCOPED.has(`${groupOf(String(apiVersion))}/${String(kind)}`);
}

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
    if (isClusterScoped(m.apiVersion, kind)) {
      const message = `${JSON.stringify(m.metadata.namespace)}: ${kind} is cluster-scoped and takes no namespace; `
        + 'create it in a chart without a namespace, or drop the field (obj.addJsonPatch(JsonPatch.remove(\'/metadata/namespace\')))';
      out.push({ path: 'metadata.namespace', message });
    } else {
      add('metadata.namespace', dnsLabel(m.metadata.namespace), m.metadata.namespace);
    }
  }
  checkLabels(out, 'metadata.labels', m.metadata?.labels);
  for (const key of Object.keys(m.metadata?.annotations ?? {})) add('metadata.annotations', labelKey(key), key);
  if (m.metadata?.annotations) add('metadata.annotations', annotationsSize(m.metadata.annotations), `${Object.keys(m.metadata.annotations).length} annotations`);

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
    const specPath = `${pod.path ? pod.path + '.' : ''}spec`;
    checkContainers(out, specPath, spec, claimNames);
    checkPodSpec(out, specPath, spec);
    if (pod.path) {
      const annotations = pod.template.metadata?.annotations;
      if (annotations) add(`${pod.path}.metadata.annotations`, annotationsSize(annotations), `${Object.keys(annotations).length} annotations`);
    }
  }
  checkCrossFieldRanges(out, m, pod);
  if (kind === 'CronJob' && typeof m.spec?.schedule === 'string') push(out, 'spec.schedule', m.spec.schedule, cronScheduleFires);
  if (kind === 'Service') checkService(out, m);
  if (kind === 'DaemonSet') checkDaemonSetRollout(out, m);
  if (kind === 'PersistentVolume') {
    const sources = ['nfs', 'hostPath', 'local', 'csi', 'iscsi', 'fc', 'cephfs', 'rbd', 'glusterfs'].filter((s) => m.spec?.[s] !== undefined);
    if (sources.length !== 1) out.push({ path: 'spec', message: `a PersistentVolume needs exactly one volume source (has ${sources.length})` });
    if (!m.spec?.capacity?.storage) out.push({ path: 'spec.capacity.storage', message: 'is required' });
    if (!(m.spec?.accessModes?.length > 0)) out.push({ path: 'spec.accessModes', message: 'needs at least one access mode' });
    if (m.spec?.nfs) {
      const p = m.spec.nfs.path;
      if (typeof p !== 'string' || !p.startsWith('/')) out.push({ path: 'spec.nfs.path', message: `${JSON.stringify(p)}: must be an absolute path` });
      if (!m.spec.nfs.server) out.push({ path: 'spec.nfs.server', message: 'is required' });
    }
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

function push(out: ManifestProblem[], path: string, value: unknown, ...rules: Rule<any>[]): void {
  for (const rule of rules) {
    const problem = rule(value);
    if (problem) {
      out.push({ path, message: `${JSON.stringify(value)}: ${problem.reason}; ${problem.fix}` });
      return;
    }
  }
}

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const PROPAGATIONS = ['None', 'HostToContainer', 'Bidirectional'];

function inList(allowed: string[]): Rule<unknown> {
  return (v) => typeof v === 'string' && allowed.includes(v) ? undefined : { reason: 'is not one of the allowed values', fix: `use one of ${allowed.join(', ')}` };
}

const portRange: Rule<unknown> = (v) => (typeof v === 'string' || (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535))
  ? undefined : { reason: 'must be a port from 1 to 65535', fix: 'use a port between 1 and 65535' };

/** The per-field rules of the API server on a pod spec, as rendered: whoever produced it (a construct, a patch, raw L1). */
function checkPodSpec(out: ManifestProblem[], path: string, spec: Manifest): void {
  if (spec.dnsPolicy !== undefined) push(out, `${path}.dnsPolicy`, spec.dnsPolicy, inList(DNS_POLICIES));
  if (spec.dnsPolicy === 'None' && !(spec.dnsConfig?.nameservers?.length > 0)) {
    out.push({ path: `${path}.dnsConfig`, message: 'dnsPolicy None needs a dnsConfig with at least one nameserver' });
  }
  if (spec.dnsConfig) {
    const nameservers: unknown[] = spec.dnsConfig.nameservers ?? [];
    const searches: unknown[] = spec.dnsConfig.searches ?? [];
    push(out, `${path}.dnsConfig.nameservers`, nameservers, dnsNameserverList);
    nameservers.forEach((n, i) => push(out, `${path}.dnsConfig.nameservers[${i}]`, n, dnsNameserver));
    push(out, `${path}.dnsConfig.searches`, searches, dnsSearchList);
    searches.forEach((s, i) => push(out, `${path}.dnsConfig.searches[${i}]`, s, dnsSearchDomain));
  }
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    const at = `${path}.volumes[${i}]`;
    const itemSources: Array<[string, Manifest | undefined]> = [
      ['configMap', v.configMap], ['secret', v.secret],
      ...((v.projected?.sources ?? []) as Manifest[]).flatMap((s, j): Array<[string, Manifest | undefined]> => [
        [`projected.sources[${j}].configMap`, s.configMap], [`projected.sources[${j}].secret`, s.secret],
      ]),
    ];
    for (const [kind, source] of itemSources) {
      if (!source) continue;
      const name = source.name ?? source.secretName;
      if (name !== undefined) push(out, `${at}.${kind}.${source.secretName !== undefined ? 'secretName' : 'name'}`, name, objectReferenceName);
      for (const [j, item] of (source.items ?? []).entries()) {
        push(out, `${at}.${kind}.items[${j}].key`, item.key, configMapKey);
        push(out, `${at}.${kind}.items[${j}].path`, item.path, relativePath);
      }
    }
    for (const [j, item] of (v.downwardAPI?.items ?? []).entries()) push(out, `${at}.downwardAPI.items[${j}].path`, item.path, relativePath);
  }
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  for (const [i, c] of all.entries()) {
    const at = `${path}.${i < (spec.initContainers ?? []).length ? 'initContainers' : 'containers'}[${i}]`;
    if (c.imagePullPolicy !== undefined) push(out, `${at}.imagePullPolicy`, c.imagePullPolicy, inList(PULL_POLICIES));
    for (const [j, p] of (c.ports ?? []).entries()) {
      push(out, `${at}.ports[${j}].containerPort`, p.containerPort, portRange);
      if (p.protocol !== undefined) push(out, `${at}.ports[${j}].protocol`, p.protocol, inList(PROTOCOLS));
      if (p.hostPort !== undefined) push(out, `${at}.ports[${j}].hostPort`, p.hostPort, portRange);
    }
    for (const [j, vm] of (c.volumeMounts ?? []).entries()) {
      if (vm.subPath !== undefined && vm.subPath !== '') push(out, `${at}.volumeMounts[${j}].subPath`, vm.subPath, relativePath);
      if (vm.subPathExpr !== undefined && vm.subPathExpr !== '') push(out, `${at}.volumeMounts[${j}].subPathExpr`, vm.subPathExpr, subPathExpression);
      if (vm.subPath && vm.subPathExpr) out.push({ path: `${at}.volumeMounts[${j}]`, message: 'subPath and subPathExpr are exclusive' });
      if (vm.mountPropagation !== undefined) push(out, `${at}.volumeMounts[${j}].mountPropagation`, vm.mountPropagation, inList(PROPAGATIONS));
    }
    for (const [j, e] of (c.env ?? []).entries()) {
      const from = e.valueFrom;
      if (!from) continue;
      const ef = `${at}.env[${j}].valueFrom`;
      if (from.fieldRef) push(out, `${ef}.fieldRef.fieldPath`, from.fieldRef.fieldPath, envFieldPath);
      for (const kind of ['secretKeyRef', 'configMapKeyRef']) {
        if (!from[kind]) continue;
        push(out, `${ef}.${kind}.name`, from[kind].name, objectReferenceName);
        push(out, `${ef}.${kind}.key`, from[kind].key, configMapKey);
      }
      if (from.resourceFieldRef) {
        const r = from.resourceFieldRef;
        push(out, `${ef}.resourceFieldRef.resource`, r.resource, resourceFieldName);
        if (r.divisor !== undefined && !resourceFieldName(r.resource)) push(out, `${ef}.resourceFieldRef.divisor`, String(r.divisor), resourceDivisor(r.resource));
      }
    }
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      const probe = c[kind];
      if (!probe) continue;
      if (probe.exec) push(out, `${at}.${kind}.exec.command`, probe.exec.command, command);
      if (probe.httpGet) {
        push(out, `${at}.${kind}.httpGet.port`, probe.httpGet.port, portRange);
        if (probe.httpGet.scheme !== undefined) push(out, `${at}.${kind}.httpGet.scheme`, probe.httpGet.scheme, probeScheme);
      }
      if (probe.tcpSocket) push(out, `${at}.${kind}.tcpSocket.port`, probe.tcpSocket.port, portRange);
      const named = [probe.httpGet?.port, probe.tcpSocket?.port].find((p) => typeof p === 'string');
      if (named !== undefined && !(c.ports ?? []).some((p: Manifest) => p.name === named)) {
        out.push({ path: `${at}.${kind}`, message: `${JSON.stringify(named)}: names no port of the container` });
      }
    }
  }
}

/**
 * Ranges that depend on another field (the single-field ranges are the schema layer's FIELD_RANGES): as
 * pkg/apis/core|apps|autoscaling/validation check them.
 */
function checkCrossFieldRanges(out: ManifestProblem[], m: Manifest, pod: { path: string; template: Manifest } | undefined): void {
  const spec = m.spec ?? {};
  if (m.kind === 'Deployment' && typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    out.push({ path: 'spec.progressDeadlineSeconds', message: `${spec.progressDeadlineSeconds}: must be greater than minReadySeconds (${spec.minReadySeconds ?? 0}); raise it or lower minReadySeconds` });
  }
  if (m.kind === 'HorizontalPodAutoscaler' && typeof spec.maxReplicas === 'number' && spec.maxReplicas < (spec.minReplicas ?? 1)) {
    out.push({ path: 'spec.maxReplicas', message: `${spec.maxReplicas}: must be greater than or equal to minReplicas (${spec.minReplicas ?? 1}); raise maxReplicas` });
  }
  if (!pod) return;
  const specPath = `${pod.path ? pod.path + '.' : ''}spec`;
  const podSpec = pod.template.spec ?? {};
  const all: Manifest[] = [...(podSpec.initContainers ?? []), ...(podSpec.containers ?? [])];
  all.forEach((c, i) => {
    const at = `${specPath}.${i < (podSpec.initContainers ?? []).length ? 'initContainers' : 'containers'}[${i}]`;
    for (const probe of ['livenessProbe', 'startupProbe']) {
      const threshold = c[probe]?.successThreshold;
      if (threshold !== undefined && threshold !== 1) out.push({ path: `${at}.${probe}.successThreshold`, message: `${JSON.stringify(threshold)}: must be 1 for a ${probe}; remove it or set 1` });
    }
    for (const [resource, request] of Object.entries(c.resources?.requests ?? {})) {
      const limit = c.resources?.limits?.[resource];
      if (limit === undefined) continue;
      try {
        if (parseQuantity(String(request)) > parseQuantity(String(limit))) {
          out.push({ path: `${at}.resources.requests.${resource}`, message: `${JSON.stringify(request)}: must be less than or equal to the ${resource} limit (${JSON.stringify(limit)}); lower the request or raise the limit` });
        }
      } catch {
        // not quantities: the schema layer reports them
      }
    }
  });
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
    push(out, `spec.ports[${i}].port`, p.port, portRange);
    if (p.protocol !== undefined) push(out, `spec.ports[${i}].protocol`, p.protocol, inList(PROTOCOLS));
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
