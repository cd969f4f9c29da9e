import { Chart, Testing } from 'cdk8s';
import { errorOf, kinds, Manifest, only, synthValid, testChart } from './util';
import {
  PodEnvFrom, PodEnvValue, HostPathType, LogCollectorState, NodeAgent, PodVolume, PolicyChecker, PolicySeverity, StatelessApp,
} from '../src';
import { LogCollectorOptions, NodeExporterOptions } from '../src/constructs/node-agent/presets';
import { REASON_ANNOTATION_PREFIX, SUPPRESSION_ANNOTATION_PREFIX } from '../src/kubernetes/metadata-keys';
import { statedReason } from '../src/kubernetes/validation';

type Preset = 'nodeExporter' | 'logCollector';
const PRESETS: Preset[] = ['nodeExporter', 'logCollector'];

function render(preset: Preset, options: NodeExporterOptions & LogCollectorOptions = {}, chart: Chart = testChart({ namespace: 'monitoring' })): Manifest[] {
  NodeAgent[preset](chart, 'agent', options);
  return synthValid(chart);
}

const daemonSet = (docs: Manifest[]) => only(docs, 'DaemonSet', 'agent');
const podSpec = (docs: Manifest[]) => daemonSet(docs).spec.template.spec;
const container = (docs: Manifest[]) => podSpec(docs).containers[0];
const config = (docs: Manifest[]): string => only(docs, 'ConfigMap', 'agent-config').data['fluent-bit.conf'];

/** Errors the PolicyPlugin reports at its defaults, suppressed ones left out. */
function policyErrors(docs: Manifest[]) {
  return new PolicyChecker().check({ 'agent.k8s.yaml': docs })
    .filter((v) => v.severity === PolicySeverity.ERROR && !v.suppressedBecause);
}

describe('the presets pass the PolicyPlugin at its defaults (issue 15 §4)', () => {
  test.each(PRESETS)('%s at defaults: zero errors, in a namespace, in kube-system and in a chart without one', (preset) => {
    for (const chart of [testChart({ namespace: 'monitoring' }), testChart({ namespace: 'kube-system' }), testChart()]) {
      expect(policyErrors(render(preset, {}, chart))).toEqual([]);
    }
  });

  test.each(PRESETS)('%s with every host-facing option on: still zero errors', (preset) => {
    const options = preset === 'logCollector'
      ? { kubeletJournal: true, dockerContainerLogs: true, state: LogCollectorState.hostPath('/var/lib/fluent-bit', { reason: 'tail positions must survive a rollout' }) }
      : { port: 9101, extraArgs: ['--collector.systemd'] };
    expect(policyErrors(render(preset, options))).toEqual([]);
  });

  test('the node exporter carries exactly the suppressions its host access needs, each a stated reason', () => {
    const docs = render('nodeExporter');
    const annotations: Record<string, string> = daemonSet(docs).metadata.annotations;
    const suppressed = Object.keys(annotations).filter((k) => k.startsWith(SUPPRESSION_ANNOTATION_PREFIX))
      .map((k) => k.slice(SUPPRESSION_ANNOTATION_PREFIX.length));
    expect(suppressed.sort()).toEqual(['host-network', 'host-pid', 'sensitive-host-mounts']);
    for (const reason of Object.values(annotations)) expect(statedReason(reason)).toBeUndefined();
    expect(annotations[`${SUPPRESSION_ANNOTATION_PREFIX}sensitive-host-mounts`]).toMatch(/^node exporter reads \/proc .*, \/sys .*, \/ .* read-only/);
    // Every rule the preset breaks is suppressed with the preset's reason, none by disabling a rule.
    const violations = new PolicyChecker().check({ 'a.yaml': docs }).filter((v) => v.severity === PolicySeverity.ERROR);
    expect(new Set(violations.map((v) => v.ruleId))).toEqual(new Set(['host-network', 'host-pid', 'sensitive-host-mounts']));
    for (const v of violations) expect(v.suppressedBecause).toBe(annotations[SUPPRESSION_ANNOTATION_PREFIX + v.ruleId]);
  });

  test('the log collector needs no suppression at defaults: root is its stated runAsRoot reason, no Docker path is mounted', () => {
    const docs = render('logCollector');
    expect(daemonSet(docs).metadata.annotations).toBeUndefined();
    expect(podSpec(docs).volumes.map((v: Manifest) => v.hostPath?.path).filter(Boolean)).toEqual(['/var/log']);
    const violations = new PolicyChecker().check({ 'a.yaml': docs }).filter((v) => v.severity === PolicySeverity.ERROR);
    expect(violations.map((v) => [v.ruleId, v.suppressedBecause])).toEqual([
      ['run-as-non-root', 'reads the container logs on the node, which the container runtime writes as root'],
    ]);
  });

  test('the log collector suppresses sensitive-host-mounts only for the sensitive paths it was asked to mount', () => {
    const reasonOf = (docs: Manifest[]) => daemonSet(docs).metadata.annotations[`${SUPPRESSION_ANNOTATION_PREFIX}sensitive-host-mounts`];
    expect(reasonOf(render('logCollector', { dockerContainerLogs: true }))).toBe('Fluent Bit reads /var/lib/docker/containers (container logs of Docker nodes) read-only, never writes the node');
    expect(reasonOf(render('logCollector', { kubeletJournal: true })))
      .toBe("Fluent Bit reads /etc/machine-id (names the node's journal for the kubelet journal input) read-only, never writes the node");
  });

  test('a user suppression wins over the preset\'s, and must itself be a stated reason', () => {
    const docs = render('nodeExporter', { annotations: { [`${SUPPRESSION_ANNOTATION_PREFIX}host-pid`]: 'our runbook 12 explains why host PIDs are read' } });
    expect(daemonSet(docs).metadata.annotations[`${SUPPRESSION_ANNOTATION_PREFIX}host-pid`]).toBe('our runbook 12 explains why host PIDs are read');
    const chart = testChart();
    expect(errorOf(() => {
      NodeAgent.nodeExporter(chart, 'agent', { annotations: { [`${SUPPRESSION_ANNOTATION_PREFIX}host-pid`]: 'TODO' } });
      Testing.synth(chart);
    })).toBe('[test/agent] annotations["cdk8s-workloads.dev/allow-host-pid"] "TODO": is a placeholder, not a reason (at least 10 characters that say why); '
      + 'say why the workload needs it, e.g. "node metrics come from the host network namespace"');
  });
});

describe('scheduling that works on GKE, EKS with Fargate, AKS with virtual nodes and kubeadm', () => {
  const EXCLUSIONS = [
    { key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate'] },
    { key: 'type', operator: 'NotIn', values: ['virtual-kubelet'] },
  ];

  test.each(PRESETS)('%s keeps off Fargate and virtual-kubelet nodes, tolerates every taint, Linux only', (preset) => {
    const pod = podSpec(render(preset));
    const required = { nodeSelectorTerms: [{ matchExpressions: EXCLUSIONS }] };
    expect(pod.affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } });
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
  });

  test('your node affinity keeps its terms and preferences; each required term gains the exclusions unless it names the key itself', () => {
    const pod = podSpec(render('nodeExporter', {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'pool', operator: 'In', values: ['infra'] }] },
            { matchExpressions: [{ key: 'type', operator: 'In', values: ['virtual-kubelet'] }] },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
      },
    }));
    expect(pod.affinity.nodeAffinity).toEqual({
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'pool', operator: 'In', values: ['infra'] }, ...EXCLUSIONS] },
          { matchExpressions: [{ key: 'type', operator: 'In', values: ['virtual-kubelet'] }, EXCLUSIONS[0]] },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
    });
  });

  test('excludeVirtualNodes: false leaves the affinity to you', () => {
    expect(podSpec(render('logCollector', { excludeVirtualNodes: false })).affinity).toBeUndefined();
  });

  test.each(PRESETS)('%s at system-node-critical outside kube-system comes with the quota that admits it, before the DaemonSet', (preset) => {
    const docs = render(preset);
    const quota = only(docs, 'ResourceQuota', 'agent-priority');
    const priority = podSpec(docs).priorityClassName;
    expect(priority).toBe('system-node-critical');
    expect(quota.metadata.namespace).toBe(daemonSet(docs).metadata.namespace);
    expect(quota.spec.scopeSelector).toEqual({ matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: [priority] }] });
    // It exists to cover the scope, not to limit: far more pods than any cluster has nodes.
    expect(quota.spec.hard).toEqual({ pods: '1G' });
    expect(kinds(docs).indexOf('ResourceQuota')).toBeLessThan(kinds(docs).indexOf('DaemonSet'));
  });

  test('no quota where none is needed: in kube-system, without a critical class, or when switched off', () => {
    expect(kinds(render('nodeExporter', {}, testChart({ namespace: 'kube-system' })))).not.toContain('ResourceQuota');
    expect(kinds(render('nodeExporter', { namespace: 'kube-system' }, testChart()))).not.toContain('ResourceQuota');
    const notCritical = render('nodeExporter', { nodeCritical: false });
    expect(kinds(notCritical)).not.toContain('ResourceQuota');
    expect(podSpec(notCritical).priorityClassName).toBeUndefined();
    expect(kinds(render('logCollector', { priorityClassName: 'agents' }))).not.toContain('ResourceQuota');
    expect(kinds(render('logCollector', { priorityQuota: false }))).not.toContain('ResourceQuota');
  });

  test('the generic NodeAgent renders the quota only when asked, for the class its pods run at', () => {
    const plain = (props: { priorityQuota?: boolean; priorityClassName?: string }) => {
      const chart = testChart({ namespace: 'ops' });
      new NodeAgent(chart, 'agent', { ...props, containers: [{ name: 'a', image: 'busybox:1.36.1' }] });
      return synthValid(chart);
    };
    expect(kinds(plain({}))).not.toContain('ResourceQuota');
    expect(only(plain({ priorityQuota: true }), 'ResourceQuota', 'agent-priority').spec.scopeSelector.matchExpressions[0].values).toEqual(['system-node-critical']);
    expect(only(plain({ priorityQuota: true, priorityClassName: 'system-cluster-critical' }), 'ResourceQuota').spec.scopeSelector.matchExpressions[0].values)
      .toEqual(['system-cluster-critical']);
  });

  test('a quota for your own priority class on request; the generic NodeAgent refuses one without a class', () => {
    const docs = render('logCollector', { priorityClassName: 'agents', priorityQuota: true });
    expect(only(docs, 'ResourceQuota', 'agent-priority').spec.scopeSelector.matchExpressions[0].values).toEqual(['agents']);
    const chart = testChart();
    expect(errorOf(() => {
      new NodeAgent(chart, 'plain', { nodeCritical: false, priorityQuota: true, containers: [{ name: 'a', image: 'busybox:1.36.1' }] });
      Testing.synth(chart);
    })).toBe('[test/plain] priorityQuota true: the pods run at no priority class, so there is no scope to cover; drop priorityQuota, or set nodeCritical or priorityClassName');
  });

  test.each(PRESETS)('%s pods let the cluster autoscaler remove their node; yours win', (preset) => {
    expect(daemonSet(render(preset)).spec.template.metadata.annotations['cluster-autoscaler.kubernetes.io/safe-to-evict']).toBe('true');
    const docs = render(preset, { podAnnotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' } });
    expect(daemonSet(docs).spec.template.metadata.annotations['cluster-autoscaler.kubernetes.io/safe-to-evict']).toBe('false');
  });
});

/**
 * What each release needs, stated here from the projects' sources (not from the preset):
 * Fluent Bit added the JSON `/api/v2/health` in 5.0.0 (1.x-4.x serve `/api/v1/health`) and
 * `/api/v2/metrics` in 2.0.9; node_exporter renamed `ignored-*` to `*-exclude` in 1.3.0 and added
 * `--path.udev.data` in 1.4.0.
 */
function fluentBitNeeds(version: string): { health: string; metrics: string } {
  const [major, minor, patch] = version.split('.').map(Number);
  return {
    health: major >= 5 ? '/api/v2/health' : '/api/v1/health',
    metrics: major > 2 || (major === 2 && (minor > 0 || patch >= 9)) ? '/api/v2/metrics/prometheus' : '/api/v1/metrics/prometheus',
  };
}
function nodeExporterNeeds(version: string): { udev: boolean; excludeFlag: string } {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return { udev: major > 1 || minor >= 4, excludeFlag: major > 1 || minor >= 3 ? 'mount-points-exclude' : 'ignored-mount-points' };
}
const tagOf = (image: string) => image.split('@')[0].split(':').pop()!;

describe('image pins and the settings that depend on them', () => {
  test('the pinned Fluent Bit tag and its health and metrics paths agree', () => {
    const docs = render('logCollector');
    const needs = fluentBitNeeds(tagOf(container(docs).image));
    expect(container(docs).readinessProbe.httpGet.path).toBe(needs.health);
    expect(only(docs, 'Service', 'agent').metadata.annotations['prometheus.io/path']).toBe(needs.metrics);
  });

  test('the pinned node exporter tag and its flags agree', () => {
    const args: string[] = container(render('nodeExporter')).args;
    const needs = nodeExporterNeeds(tagOf(container(render('nodeExporter')).image));
    expect(args.includes('--path.udev.data=/host/root/run/udev/data')).toBe(needs.udev);
    expect(args.some((a) => a.startsWith(`--collector.filesystem.${needs.excludeFlag}=`))).toBe(true);
  });

  test('the pins are current releases: node_exporter 1.x, Fluent Bit 5.x (what the community charts ship)', () => {
    expect(container(render('nodeExporter')).image).toMatch(/^quay\.io\/prometheus\/node-exporter:v1\.(1[2-9]|[2-9]\d)\.\d+$/);
    expect(container(render('logCollector')).image).toMatch(/^cr\.fluentbit\.io\/fluent\/fluent-bit:([5-9]|\d{2,})\.\d+\.\d+$/);
  });

  test.each(['2.0.8', '2.0.9', '3.2.10', '4.2.3', '5.0.0', '5.1.1'])('Fluent Bit %s gets the paths it serves', (version) => {
    const docs = render('logCollector', { image: `cr.fluentbit.io/fluent/fluent-bit:${version}` });
    expect(container(docs).readinessProbe.httpGet.path).toBe(fluentBitNeeds(version).health);
    expect(only(docs, 'Service', 'agent').metadata.annotations['prometheus.io/path']).toBe(fluentBitNeeds(version).metrics);
  });

  test.each(['v1.2.2', 'v1.3.1', 'v1.4.0', 'v1.12.1'])('node exporter %s gets the flags it knows', (version) => {
    const args: string[] = container(render('nodeExporter', { image: `quay.io/prometheus/node-exporter:${version}` })).args;
    const needs = nodeExporterNeeds(version);
    expect(args.includes('--path.udev.data=/host/root/run/udev/data')).toBe(needs.udev);
    expect(args.filter((a) => a.startsWith('--collector.filesystem.')).map((a) => a.slice(0, a.indexOf('=')))).toEqual(needs.excludeFlag === 'mount-points-exclude'
      ? ['--collector.filesystem.mount-points-exclude', '--collector.filesystem.fs-types-exclude']
      : ['--collector.filesystem.ignored-mount-points', '--collector.filesystem.ignored-fs-types']);
  });

  test('a tag with a digest, a -debug tag, and a digest-only image with imageVersion', () => {
    const digest = `@sha256:${'a'.repeat(64)}`;
    expect(container(render('logCollector', { image: `cr.fluentbit.io/fluent/fluent-bit:4.2.3${digest}` })).readinessProbe.httpGet.path).toBe('/api/v1/health');
    expect(container(render('logCollector', { image: 'cr.fluentbit.io/fluent/fluent-bit:5.1.1-debug' })).readinessProbe.httpGet.path).toBe('/api/v2/health');
    expect(container(render('logCollector', { image: `registry.local:5000/fluent-bit${digest}`, imageVersion: '5.0.2' })).readinessProbe.httpGet.path).toBe('/api/v2/health');
  });

  test('an image whose tag says no version, a bad imageVersion, and a release older than supported are refused', () => {
    const attempt = (options: LogCollectorOptions & NodeExporterOptions, preset: Preset = 'logCollector') => errorOf(() => {
      const chart = testChart();
      NodeAgent[preset](chart, 'agent', options);
      Testing.synth(chart);
    });
    expect(attempt({ image: 'mirror.local/fluent-bit:prod' })).toBe('[test/agent] image "mirror.local/fluent-bit:prod": says no Fluent Bit version, and the preset picks '
      + 'version-dependent settings (health path, flags) from it; tag the image with its release (a digest may follow the tag), or set imageVersion');
    expect(attempt({ image: 'mirror.local/fluent-bit:prod', imageVersion: 'five' }))
      .toBe('[test/agent] imageVersion "five": says no Fluent Bit version, and the preset picks version-dependent settings (health path, flags) from it; give a version such as "1.2.3"');
    expect(attempt({ image: 'cr.fluentbit.io/fluent/fluent-bit:1.7.9' }))
      .toBe('[test/agent] image "cr.fluentbit.io/fluent/fluent-bit:1.7.9": Fluent Bit 1.7.9 is older than the preset supports (1.8.0); use Fluent Bit 1.8.0 or later');
    expect(attempt({ image: 'quay.io/prometheus/node-exporter:v0.18.1' }, 'nodeExporter'))
      .toBe('[test/agent] image "quay.io/prometheus/node-exporter:v0.18.1": node_exporter v0.18.1 is older than the preset supports (1.0.0); use node_exporter 1.0.0 or later');
  });
});

describe('node exporter filesystem excludes', () => {
  const args: string[] = container(render('nodeExporter')).args;
  const flag = (name: string) => new RegExp(args.find((a) => a.startsWith(`--collector.filesystem.${name}=`))!.split('=').slice(1).join('='));

  test('kubelet pod volumes, container runtime mounts and pseudo filesystems make no series; real filesystems do', () => {
    const mounts = flag('mount-points-exclude');
    for (const excluded of ['/var/lib/kubelet/pods/0c1/volumes/kubernetes.io~projected/kube-api-access-x', '/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs',
      '/var/lib/docker/overlay2/x/merged', '/proc', '/sys/fs/cgroup', '/dev/shm', '/var/lib/containers/storage/overlay']) {
      expect(mounts.test(excluded)).toBe(true);
    }
    for (const kept of ['/', '/home', '/var/lib/kubelet', '/var/lib/kubeletdata', '/mnt/data', '/boot']) expect(mounts.test(kept)).toBe(false);
    const types = flag('fs-types-exclude');
    for (const excluded of ['overlay', 'proc', 'sysfs', 'cgroup2', 'nsfs', 'squashfs', 'erofs']) expect(types.test(excluded)).toBe(true);
    for (const kept of ['ext4', 'xfs', 'btrfs', 'nfs4', 'tmpfs']) expect(types.test(kept)).toBe(false);
  });
});

describe('node exporter extra flags', () => {
  test('your own filesystem excludes replace the preset\'s (node_exporter refuses a flag given twice, under either name)', () => {
    const args = (extraArgs: string[]): string[] => container(render('nodeExporter', { extraArgs })).args;
    const own = '--collector.filesystem.mount-points-exclude=^/(dev|proc|sys)($|/)';
    expect(args([own]).filter((a) => a.startsWith('--collector.filesystem.mount-points-exclude'))).toEqual([own]);
    expect(args([own]).filter((a) => a.startsWith('--collector.filesystem.fs-types-exclude'))).toHaveLength(1);
    const old = '--collector.filesystem.ignored-fs-types=^(proc|sysfs)$';
    expect(args([old]).filter((a) => a.startsWith('--collector.filesystem.') && a.includes('fs-types'))).toEqual([old]);
    expect(args(['--collector.systemd']).filter((a) => a.startsWith('--collector.filesystem.'))).toHaveLength(2);
  });
});

describe('log collector production options', () => {
  test('state defaults to an emptyDir at /fluent-bit/state, where the default configuration keeps its positions', () => {
    const docs = render('logCollector', { kubeletJournal: true });
    expect(podSpec(docs).volumes).toContainEqual({ name: 'state', emptyDir: {} });
    expect(container(docs).volumeMounts).toContainEqual({ name: 'state', mountPath: '/fluent-bit/state' });
    expect(config(docs)).toContain('    DB /fluent-bit/state/tail-containers.db\n');
    expect(config(docs)).toContain('    DB /fluent-bit/state/systemd.db\n');
    expect(config(docs)).toContain('    storage.path /fluent-bit/state/storage\n');
    expect(container(docs).securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('state on the node: a writable host directory with its reason kept as an annotation', () => {
    const docs = render('logCollector', { state: LogCollectorState.hostPath('/var/lib/fluent-bit', { reason: '  tail positions must survive a rollout ' }) });
    expect(podSpec(docs).volumes).toContainEqual({ name: 'state', hostPath: { path: '/var/lib/fluent-bit', type: 'DirectoryOrCreate' } });
    expect(container(docs).volumeMounts).toContainEqual({ name: 'state', mountPath: '/fluent-bit/state' });
    expect(daemonSet(docs).spec.template.metadata.annotations).toMatchObject({ [`${REASON_ANNOTATION_PREFIX}host-path.state`]: 'tail positions must survive a rollout' });
    expect(config(docs)).toContain('    DB /fluent-bit/state/tail-containers.db\n');
  });

  test('a sized emptyDir, or no state at all (and no DB lines)', () => {
    expect(podSpec(render('logCollector', { state: LogCollectorState.emptyDir({ sizeLimit: '1Gi' }) })).volumes).toContainEqual({ name: 'state', emptyDir: { sizeLimit: '1Gi' } });
    const none = render('logCollector', { state: LogCollectorState.none() });
    expect(podSpec(none).volumes.map((v: Manifest) => v.name)).toEqual(['config', 'varlog']);
    expect(config(none)).not.toContain('DB ');
    expect(config(none)).not.toContain('storage.path');
  });

  test('a host state directory needs a reason, an absolute path, and not a node system directory', () => {
    const attempt = (path: string, reason: string) => errorOf(() => {
      const chart = testChart();
      NodeAgent.logCollector(chart, 'agent', { state: LogCollectorState.hostPath(path, { reason }) });
      Testing.synth(chart);
    });
    expect(attempt('/var/lib/fluent-bit', 'todo')).toBe('[test/agent] state.reason "todo": is a placeholder, not a reason (at least 10 characters that say why); '
      + 'say why the workload needs it, e.g. "node metrics come from the host network namespace"');
    expect(attempt('var/lib/fluent-bit', 'positions survive rollouts')).toBe('[test/agent] state.path "var/lib/fluent-bit": must be an absolute path; try "/var/lib/fluent-bit"');
    expect(attempt('/var/lib/kubelet/fluent-bit', 'positions survive rollouts')).toBe('[test/agent] state.path "/var/lib/kubelet/fluent-bit": is a node system directory; '
      + 'a writable mount of it lets the collector change the node; use a directory of its own, e.g. "/var/lib/fluent-bit"');
  });

  test('output credentials from a Secret, by key or every key, never in the ConfigMap', () => {
    const docs = render('logCollector', {
      config: '[SERVICE]\n    HTTP_Server On\n    Health_Check On\n\n[OUTPUT]\n    Name es\n    Match *\n    HTTP_User ${ES_USER}\n    HTTP_Passwd ${ES_PASSWORD}\n',
      env: { ES_PASSWORD: PodEnvValue.fromSecretName('es-credentials', 'password') },
      envFrom: [PodEnvFrom.fromSecretName('es-credentials', { prefix: 'ES_' }), PodEnvFrom.fromConfigMapName('es-endpoint', { optional: true })],
    });
    expect(container(docs).env).toEqual([{ name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: 'es-credentials', key: 'password' } } }]);
    expect(container(docs).envFrom).toEqual([
      { prefix: 'ES_', secretRef: { name: 'es-credentials' } },
      { configMapRef: { name: 'es-endpoint', optional: true } },
    ]);
    expect(config(docs)).toContain('HTTP_Passwd ${ES_PASSWORD}');
  });

  test('envFrom is the pod layer\'s: any workload takes it', () => {
    const chart = testChart();
    new StatelessApp(chart, 'web', { containers: [{ name: 'web', image: 'nginxinc/nginx-unprivileged:1.27.2', envFrom: [PodEnvFrom.fromConfigMapName('web-settings')] }] });
    expect(only(synthValid(chart), 'Deployment').spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: 'web-settings' } }]);
  });

  test('bad Secret and ConfigMap references are refused', () => {
    const attempt = (envFrom: PodEnvFrom[]) => errorOf(() => {
      const chart = testChart();
      NodeAgent.logCollector(chart, 'agent', { envFrom });
      Testing.synth(chart);
    });
    expect(attempt([PodEnvFrom.fromSecretName('ES_Credentials')])).toMatch(/^\[test\/agent\] containers\[0\]\.envFrom\[0\]\.secretName "ES_Credentials": must be a DNS-1123 subdomain/);
    expect(attempt([PodEnvFrom.fromConfigMapName('ok'), PodEnvFrom.fromConfigMapName('bad name')])).toMatch(/^\[test\/agent\] containers\[0\]\.envFrom\[1\]\.configMapName "bad name": /);
    expect(attempt([PodEnvFrom.fromSecretName('es', { prefix: '1ES' })])).toBe('[test/agent] containers[0].envFrom[0].prefix "1ES": must be letters, digits, "_", "-", "." '
      + 'and not start with a digit (it begins every variable name); try "_1ES"');
  });

  test('the kubelet journal: a systemd input, /etc/machine-id read-only, everything to the output', () => {
    const docs = render('logCollector', { kubeletJournal: true });
    expect(config(docs)).toContain('[INPUT]\n    Name systemd\n    Tag host.*\n    Systemd_Filter _SYSTEMD_UNIT=kubelet.service\n    Read_From_Tail On\n');
    expect(config(docs)).toContain('[OUTPUT]\n    Name stdout\n    Match *\n');
    expect(podSpec(docs).volumes).toContainEqual({ name: 'etcmachineid', hostPath: { path: '/etc/machine-id', type: 'File' } });
    expect(container(docs).volumeMounts).toContainEqual({ name: 'etcmachineid', mountPath: '/etc/machine-id', readOnly: true });
    // Without it: no systemd input, no machine-id.
    const plain = render('logCollector');
    expect(config(plain)).not.toContain('systemd');
    expect(JSON.stringify(podSpec(plain))).not.toContain('machine-id');
  });

  test('Docker nodes: /var/lib/docker/containers read-only, on request only', () => {
    const docs = render('logCollector', { dockerContainerLogs: true });
    expect(podSpec(docs).volumes).toContainEqual({ name: 'varlibdockercontainers', hostPath: { path: '/var/lib/docker/containers' } });
    expect(container(docs).volumeMounts).toContainEqual({ name: 'varlibdockercontainers', mountPath: '/var/lib/docker/containers', readOnly: true });
  });

  test('extra volumes: a Secret of certificates, a read-only host directory', () => {
    const docs = render('logCollector', {
      extraVolumes: [PodVolume.fromSecretName('certs', { secretName: 'es-ca' }), PodVolume.hostPath('audit', '/var/audit', HostPathType.DIRECTORY)],
      extraVolumeMounts: [{ volume: 'certs', mountPath: '/fluent-bit/certs', readOnly: true }, { volume: 'audit', mountPath: '/var/audit', readOnly: true }],
    });
    expect(podSpec(docs).volumes.map((v: Manifest) => v.name)).toEqual(['config', 'state', 'certs', 'audit', 'varlog']);
    expect(container(docs).volumeMounts).toContainEqual({ name: 'certs', mountPath: '/fluent-bit/certs', readOnly: true });
    expect(policyErrors(docs)).toEqual([]);
  });

  test('extra volumes may not write the node, mount its system directories, or take a preset volume\'s name', () => {
    const attempt = (options: LogCollectorOptions) => errorOf(() => {
      const chart = testChart();
      NodeAgent.logCollector(chart, 'agent', options);
      Testing.synth(chart);
    });
    expect(attempt({ extraVolumes: [PodVolume.hostPath('audit', '/var/audit')], extraVolumeMounts: [{ volume: 'audit', mountPath: '/var/audit' }] }))
      .toBe('[test/agent] extraVolumeMounts[0].readOnly false: a writable mount of a node directory lets the collector change the node; '
        + 'set readOnly: true; for the collector\'s own writable directory use state: LogCollectorState.hostPath(path, { reason })');
    expect(attempt({ extraVolumes: [PodVolume.hostPath('kubelet', '/var/lib/kubelet')] }))
      .toBe('[test/agent] extraVolumes[0] "/var/lib/kubelet": mounts a node system directory, which the preset has no reason for; '
        + 'mount a narrower directory, or build the agent with new NodeAgent() and suppress sensitive-host-mounts with your reason');
    expect(attempt({ extraVolumes: [PodVolume.emptyDir('state')] })).toMatch(/^\[test\/agent\] extraVolumes\[0\]\.name "state": is a volume the log collector brings itself; /);
  });
});
