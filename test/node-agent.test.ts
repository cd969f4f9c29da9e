import { Chart, Testing } from 'cdk8s';
import {
  PodContainerProps, ContainerSecurity, PodDnsPolicy, HostAccess, HostPathType, IntOrPercent, PodMountPropagation, NodeAgent, NodeAgentProps,
  NodeAgentUpdateStrategy, PodVolume, PortProtocol, PodTaintEffect,
} from '../src';
import { errorOf, kinds, Manifest, only, synthValid, testChart } from './util';
import { RUNS_AS_ROOT_ANNOTATION_PREFIX } from '../src/kubernetes/metadata-keys';

const agentContainer: PodContainerProps = { name: 'agent', image: 'example.com/agent:1.0.0' };
const HOST_NETWORK = HostAccess.granted({ reason: 'the agent serves on the node IP for node-local clients' });
const HOST_PID = HostAccess.granted({ reason: 'the agent reads host processes for its metrics' });
const HOST_IPC = HostAccess.granted({ reason: 'the agent shares memory with a host daemon' });
const WHY_PORT = 'clients on the node connect to the node IP';

/** Synthesises one agent in a fresh chart; returns every object. */
function synth(props: Partial<NodeAgentProps> = {}, id = 'agent'): Manifest[] {
  const chart = testChart();
  new NodeAgent(chart, id, { containers: [agentContainer], ...props });
  return synthValid(chart);
}

function daemonSet(props: Partial<NodeAgentProps> = {}): Manifest {
  return only(synth(props), 'DaemonSet');
}


describe('defaults', () => {
  const docs = synth();
  const ds = only(docs, 'DaemonSet');
  const pod = ds.spec.template.spec;

  test('a DaemonSet and its ServiceAccount, nothing else', () => {
    expect(kinds(docs)).toEqual(['ServiceAccount', 'DaemonSet']);
    expect(ds.apiVersion).toBe('apps/v1');
    expect(ds.metadata.name).toBe('agent');
    expect(only(docs, 'ServiceAccount').metadata.name).toBe('agent');
    expect(pod.serviceAccountName).toBe('agent');
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('the selector comes from the name label, never from the construct path', () => {
    expect(ds.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'agent' } });
    expect(ds.spec.template.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'agent' });
    expect(JSON.stringify(ds)).not.toContain('cdk8s.io/metadata.addr');
  });

  test('Linux nodes, node-critical priority, one node at a time without surge', () => {
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  });

  test('no host access and no tolerations unless asked', () => {
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC', 'tolerations', 'volumes', 'dnsPolicy']) expect(pod[field]).toBeUndefined();
    expect(ds.spec.minReadySeconds).toBeUndefined();
    expect(ds.spec.revisionHistoryLimit).toBeUndefined();
    expect(pod.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, readOnlyRootFilesystem: true });
  });

  test('public handles', () => {
    const chart = testChart();
    const agent = new NodeAgent(chart, 'agent', { namespace: 'ops', containers: [{ ...agentContainer, ports: [{ number: 8080, hostPort: 18080, hostPortReason: WHY_PORT }] }] });
    expect(agent.name).toBe('agent');
    expect(agent.namespace).toBe('ops');
    expect(agent.selectorLabels).toEqual({ 'app.kubernetes.io/name': 'agent' });
    expect(agent.serviceAccountName).toBe('agent');
    expect(agent.hostPorts).toEqual(['18080/TCP']);
    expect(agent.daemonSet.metadata.name).toBe('agent');
    expect(agent.clusterRole).toBeUndefined();
    expect(agent.metricsService).toBeUndefined();
  });
});

describe('identity', () => {
  test('name, namespace, labels, annotations and selector labels', () => {
    const docs = synth({
      name: 'collector',
      namespace: 'logging',
      labels: { team: 'ops' },
      annotations: { owner: 'ops' },
      selectorLabels: { app: 'collector' },
      serviceAccountName: 'collector-sa',
    });
    const ds = only(docs, 'DaemonSet', 'collector');
    expect(ds.metadata.namespace).toBe('logging');
    expect(ds.metadata.labels).toMatchObject({ team: 'ops', app: 'collector' });
    expect(ds.metadata.annotations).toEqual({ owner: 'ops' });
    expect(ds.spec.selector.matchLabels).toEqual({ app: 'collector' });
    expect(ds.spec.template.metadata.labels).toMatchObject({ app: 'collector', team: 'ops' });
    expect(only(docs, 'ServiceAccount', 'collector-sa').metadata.namespace).toBe('logging');
    expect(ds.spec.template.spec.serviceAccountName).toBe('collector-sa');
  });

  test("the tutorial's nginx-daemonSet is rejected with a valid suggestion", () => {
    expect(errorOf(() => synth({}, 'nginx-daemonSet'))).toBe(
      '[test/nginx-daemonSet] name (from the construct id) "nginx-daemonSet": must be a DNS-1123 label '
      + "(lower case letters, digits and '-', starting and ending with a letter or digit); try \"nginx-daemonset\"");
    expect(errorOf(() => synth({ name: 'Agent_1' }))).toMatch(/\[test\/agent\] name "Agent_1": .*; try "agent-1"/);
  });
});

describe('scheduling', () => {
  test('tolerateAllTaints tolerates every taint, control-plane and NoExecute included', () => {
    expect(daemonSet({ tolerateAllTaints: true }).spec.template.spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  test('explicit tolerations', () => {
    const pod = daemonSet({ tolerations: [{ key: 'node-role.kubernetes.io/control-plane', effect: PodTaintEffect.NO_SCHEDULE }] }).spec.template.spec;
    expect(pod.tolerations).toEqual([{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  test('tolerateAllTaints and tolerations are exclusive', () => {
    expect(errorOf(() => synth({ tolerateAllTaints: true, tolerations: [{ key: 'gpu' }] })))
      .toBe('[test/agent] tolerations "1 toleration(s)": tolerateAllTaints already tolerates every taint; drop tolerations, or set tolerateAllTaints to false');
  });

  test('nodeSelector and node affinity replace the defaults', () => {
    const nodeAffinity = {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }],
      },
    };
    const pod = daemonSet({ nodeSelector: { 'node.example.com/pool': 'edge' }, nodeAffinity }).spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'node.example.com/pool': 'edge' });
    expect(pod.affinity).toEqual({ nodeAffinity });
  });

  test('priority: nodeCritical off, or another class', () => {
    expect(daemonSet({ nodeCritical: false }).spec.template.spec.priorityClassName).toBeUndefined();
    expect(daemonSet({ priorityClassName: 'agents' }).spec.template.spec.priorityClassName).toBe('agents');
  });

  test('termination grace period, minReadySeconds, revisionHistoryLimit', () => {
    const ds = daemonSet({ terminationGracePeriodSeconds: 5, minReadySeconds: 10, revisionHistoryLimit: 3 });
    expect(ds.spec.template.spec.terminationGracePeriodSeconds).toBe(5);
    expect(ds.spec.minReadySeconds).toBe(10);
    expect(ds.spec.revisionHistoryLimit).toBe(3);
    expect(errorOf(() => synth({ minReadySeconds: -1 }))).toMatch(/^\[test\/agent\] minReadySeconds -1: .*; use 0 or a positive whole number$/);
    expect(errorOf(() => synth({ revisionHistoryLimit: 1.5 }))).toMatch(/^\[test\/agent\] revisionHistoryLimit 1\.5: /);
  });
});

describe('update strategy', () => {
  test('rolling update with a percentage and a surge', () => {
    const updateStrategy = NodeAgentUpdateStrategy.rollingUpdate({ maxUnavailable: IntOrPercent.percent(0), maxSurge: IntOrPercent.percent(10) });
    const ds = daemonSet({ updateStrategy });
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '0%', maxSurge: '10%' } });
  });

  test('a surge alone takes no node down: maxUnavailable defaults to 0 (the API server rejects both non-zero)', () => {
    const updateStrategy = NodeAgentUpdateStrategy.rollingUpdate({ maxSurge: IntOrPercent.count(1) });
    expect(daemonSet({ updateStrategy }).spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });

  test('maxSurge with a non-zero maxUnavailable is rejected, as the API server would', () => {
    const updateStrategy = NodeAgentUpdateStrategy.rollingUpdate({ maxSurge: IntOrPercent.percent(10), maxUnavailable: IntOrPercent.count(1) });
    expect(errorOf(() => synth({ updateStrategy }))).toBe(
      '[test/agent] updateStrategy.maxSurge "10%": a DaemonSet may not surge while maxUnavailable is non-zero ("1"); '
      + 'set maxUnavailable to IntOrPercent.count(0) (or leave it unset) to surge, or drop maxSurge');
  });

  test('OnDelete', () => {
    expect(daemonSet({ updateStrategy: NodeAgentUpdateStrategy.onDelete() }).spec.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(NodeAgentUpdateStrategy.onDelete().strategyType).toBe('OnDelete');
  });

  test('maxSurge and maxUnavailable both zero is rejected', () => {
    const updateStrategy = NodeAgentUpdateStrategy.rollingUpdate({ maxUnavailable: IntOrPercent.count(0) });
    expect(errorOf(() => synth({ updateStrategy }))).toBe(
      '[test/agent] updateStrategy.maxSurge/maxUnavailable "0/0": both zero means a rollout can never replace a pod; '
      + 'set maxUnavailable to at least 1 or maxSurge to at least 1');
  });

  test('out-of-range percentages are rejected', () => {
    const updateStrategy = NodeAgentUpdateStrategy.rollingUpdate({ maxUnavailable: IntOrPercent.percent(150) });
    expect(errorOf(() => synth({ updateStrategy }))).toMatch(/^\[test\/agent\] updateStrategy\.maxUnavailable 150: .*use a percentage from 0 to 100$/);
  });

  test('a surge is rejected for agents that bind host ports', () => {
    const updateStrategy = NodeAgentUpdateStrategy.rollingUpdate({ maxSurge: IntOrPercent.count(1), maxUnavailable: IntOrPercent.count(0) });
    expect(errorOf(() => synth({ updateStrategy, hostNetwork: HOST_NETWORK, containers: [{ ...agentContainer, ports: [{ number: 9100 }] }] }))).toBe(
      '[test/agent] updateStrategy.maxSurge "9100/TCP": a surge pod would start beside the old one on the same node and could never bind its host port; '
      + 'use maxUnavailable instead of maxSurge for agents with host ports or hostNetwork');
    // Without host ports a surge is fine.
    expect(daemonSet({ updateStrategy }).spec.updateStrategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
  });
});

describe('host namespaces and ports', () => {
  test('hostNetwork keeps cluster DNS (ClusterFirstWithHostNet) unless dnsPolicy is given', () => {
    const pod = daemonSet({ hostNetwork: HOST_NETWORK }).spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    expect(daemonSet({ hostNetwork: HOST_NETWORK, dnsPolicy: PodDnsPolicy.DEFAULT }).spec.template.spec.dnsPolicy).toBe('Default');
  });

  test.each([
    ['hostNetwork', 'host-network'], ['hostPid', 'host-pid'], ['hostIpc', 'host-ipc'],
  ] as const)('%s needs HostAccess.granted({ reason }); the reason is kept on the pods', (field, choice) => {
    // JavaScript and configuration can pass a bare `true`: no reason, so rejected with the way to grant it.
    expect(errorOf(() => synth({ [field]: true as any }))).toBe(
      `[test/agent] ${field} true: host namespaces are a risky choice and need a stated reason; use ${field}: HostAccess.granted({ reason: "why the pods need it" })`);
    expect(errorOf(() => synth({ [field]: HostAccess.granted({ reason: 'x' }) }))).toMatch(new RegExp(`^\\[test/agent\\] ${field}\\.reason "x": is a placeholder`));
    const why = 'the agent reads the node state it reports on';
    const ds = daemonSet({ [field]: HostAccess.granted({ reason: why }) });
    expect(ds.spec.template.metadata.annotations).toEqual({ [`cdk8s-workloads.dev/reason.${choice}`]: why });
    // The nearest accepted case without a reason: not granted at all.
    expect(daemonSet({ [field]: false as any }).spec.template.metadata.annotations).toBeUndefined();
  });

  test('a host port needs hostPortReason, kept on the pods; under hostNetwork the network grant covers it', () => {
    expect(errorOf(() => synth({ containers: [{ ...agentContainer, ports: [{ number: 8080, hostPort: 80 }] }] }))).toBe(
      "[test/agent] containers[0].ports[0].hostPort 80: a host port exposes the pod on every node's IP, a risky choice that needs a stated reason; "
      + 'reach the pods through a Service instead, or give hostPortReason');
    expect(errorOf(() => synth({ containers: [{ ...agentContainer, ports: [{ number: 8080, hostPort: 80, hostPortReason: 'TODO' }] }] })))
      .toMatch(/^\[test\/agent\] containers\[0\]\.ports\[0\]\.hostPortReason "TODO": is a placeholder/);
    expect(errorOf(() => synth({ containers: [{ ...agentContainer, ports: [{ number: 8080, hostPortReason: WHY_PORT }] }] })))
      .toMatch(/^\[test\/agent\] containers\[0\]\.ports\[0\]\.hostPortReason .*: there is no hostPort to justify/);
    const ds = daemonSet({ containers: [{ ...agentContainer, ports: [{ number: 8080, hostPort: 80, hostPortReason: WHY_PORT }] }] });
    expect(ds.spec.template.metadata.annotations).toEqual({ 'cdk8s-workloads.dev/reason.host-port.agent.80-TCP': WHY_PORT });
    const underHostNetwork = daemonSet({ hostNetwork: HOST_NETWORK, containers: [{ ...agentContainer, ports: [{ number: 8080, hostPort: 8080 }] }] });
    expect(Object.keys(underHostNetwork.spec.template.metadata.annotations)).toEqual(['cdk8s-workloads.dev/reason.host-network']);
    const justifiedTwice = [{ ...agentContainer, ports: [{ number: 8080, hostPort: 8080, hostPortReason: WHY_PORT }] }];
    // A reason for a host port that is there is kept, even when the host-network grant covers it (issue 25, class 11).
    expect(Object.keys(daemonSet({ hostNetwork: HOST_NETWORK, containers: justifiedTwice }).spec.template.metadata.annotations))
      .toEqual(['cdk8s-workloads.dev/reason.host-network', 'cdk8s-workloads.dev/reason.host-port.agent.8080-TCP']);
  });

  test('hostPID and hostIPC', () => {
    const pod = daemonSet({ hostPid: HOST_PID, hostIpc: HOST_IPC }).spec.template.spec;
    expect(pod.hostPID).toBe(true);
    expect(pod.hostIPC).toBe(true);
    expect(pod.hostNetwork).toBeUndefined();
  });

  test('host ports are allowed, and reported as the ports the agent binds on nodes', () => {
    const chart = testChart();
    const agent = new NodeAgent(chart, 'agent', {
      containers: [{ ...agentContainer, ports: [{ number: 8080, name: 'http', hostPort: 8080, hostPortReason: WHY_PORT }, { number: 1053, protocol: PortProtocol.UDP, hostPort: 53, hostPortReason: WHY_PORT }, { number: 9000 }] }],
    });
    expect(only(synthValid(chart), 'DaemonSet').spec.template.spec.containers[0].ports).toEqual([
      { containerPort: 8080, hostPort: 8080, name: 'http', protocol: 'TCP' },
      { containerPort: 1053, hostPort: 53, protocol: 'UDP' },
      { containerPort: 9000, protocol: 'TCP' },
    ]);
    expect(agent.hostPorts).toEqual(['8080/TCP', '53/UDP']);
  });

  test('under hostNetwork every container port is a node port; hostPort may only repeat it', () => {
    const chart = testChart();
    const agent = new NodeAgent(chart, 'agent', {
      hostNetwork: HOST_NETWORK, containers: [{ ...agentContainer, ports: [{ number: 9100, hostPort: 9100 }, { number: 9101 }] }],
    });
    expect(agent.hostPorts).toEqual(['9100/TCP', '9101/TCP']);
    expect(errorOf(() => synth({ hostNetwork: HOST_NETWORK, containers: [{ ...agentContainer, ports: [{ number: 9100, hostPort: 19100 }] }] }))).toBe(
      '[test/agent] containers[0].ports[0].hostPort 19100: under hostNetwork the container binds port 9100 on the node itself, so hostPort must equal it; '
      + 'drop hostPort or set it to 9100');
  });

  test('one host port twice in one agent is rejected', () => {
    const containers = [
      { ...agentContainer, ports: [{ number: 8080, hostPort: 8080, hostPortReason: WHY_PORT }] },
      { name: 'sidecar', image: 'example.com/sidecar:1.0.0', ports: [{ number: 8081, hostPort: 8080, hostPortReason: WHY_PORT }] },
    ];
    expect(errorOf(() => synth({ containers }))).toBe(
      '[test/agent] containers[1].ports[0].hostPort "8080/TCP": containers[0].ports[0].hostPort binds the same port on the node; give each port its own number');
  });
});

describe('host port collisions between agents', () => {
  const withPort = (port: number, hostNetwork = false): Partial<NodeAgentProps> => ({
    hostNetwork: hostNetwork ? HOST_NETWORK : undefined,
    containers: [{
      ...agentContainer,
      ports: [{ number: port, hostPort: hostNetwork ? undefined : port, hostPortReason: hostNetwork ? undefined : WHY_PORT }],
    }],
  });

  test('two agents binding one host port fail once, naming both', () => {
    const chart = testChart();
    new NodeAgent(chart, 'a', { containers: [agentContainer], ...withPort(9100, true) });
    new NodeAgent(chart, 'b', { containers: [agentContainer], ...withPort(9100) });
    const message = errorOf(() => Testing.synth(chart));
    expect(message).toContain(
      '[test/a] containers[0].ports[0].number "9100/TCP": the NodeAgent [test/b] binds the same port on every node (its containers[0].ports[0].hostPort), '
      + 'so one of the two pods can never start; give one agent another port, or run the two containers in one agent');
    expect(message.match(/binds the same port/g)).toHaveLength(1);
  });

  test('across charts of one app too', () => {
    const app = Testing.app();
    const first = new Chart(app, 'one');
    NodeAgent.nodeExporter(first, 'node-exporter');
    NodeAgent.nodeExporter(new Chart(app, 'two'), 'node-exporter-2', { namespace: 'monitoring' });
    expect(errorOf(() => Testing.synth(first))).toContain('[one/node-exporter] containers[0].ports[0].number "9100/TCP": the NodeAgent [two/node-exporter-2] binds the same port');
  });

  test('different ports or protocols do not collide', () => {
    const chart = testChart();
    new NodeAgent(chart, 'a', { containers: [agentContainer], ...withPort(9100, true) });
    new NodeAgent(chart, 'b', { containers: [agentContainer], ...withPort(9200) });
    new NodeAgent(chart, 'c', { containers: [{ ...agentContainer, ports: [{ number: 9100, hostPort: 9100, protocol: PortProtocol.UDP, hostPortReason: WHY_PORT }] }] });
    expect(kinds(synthValid(chart)).filter((k) => k === 'DaemonSet')).toHaveLength(3);
  });
});

describe('host mounts', () => {
  test('read-only by default, with type, propagation and the containers that get them', () => {
    const ds = daemonSet({
      containers: [agentContainer, { name: 'sidecar', image: 'example.com/sidecar:1.0.0' }],
      initContainers: [{ name: 'init', image: 'example.com/init:1.0.0' }],
      volumes: [PodVolume.emptyDir('tmp')],
      hostMounts: [
        { name: 'sys', hostPath: '/sys', mountPath: '/host/sys', pathType: HostPathType.DIRECTORY, propagation: PodMountPropagation.HOST_TO_CONTAINER },
        { name: 'state', hostPath: '/var/lib/agent', mountPath: '/state', readOnly: false, pathType: HostPathType.DIRECTORY_OR_CREATE, containers: ['agent', 'init'] },
      ],
    });
    const pod = ds.spec.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'sys', hostPath: { path: '/sys', type: 'Directory' } },
      { name: 'state', hostPath: { path: '/var/lib/agent', type: 'DirectoryOrCreate' } },
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'sys', mountPath: '/host/sys', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'state', mountPath: '/state', readOnly: false },
    ]);
    expect(pod.containers[1].volumeMounts).toEqual([{ name: 'sys', mountPath: '/host/sys', readOnly: true, mountPropagation: 'HostToContainer' }]);
    expect(pod.initContainers[0].volumeMounts).toEqual([{ name: 'state', mountPath: '/state', readOnly: false }]);
  });

  test('relative host paths are rejected', () => {
    expect(errorOf(() => synth({ hostMounts: [{ name: 'logs', hostPath: 'var/log', mountPath: '/var/log' }] })))
      .toBe('[test/agent] hostMounts[0].hostPath "var/log": must be an absolute path; try "/var/log"');
    expect(errorOf(() => synth({ hostMounts: [{ name: 'logs', hostPath: '/var/log', mountPath: 'logs' }] })))
      .toBe('[test/agent] hostMounts[0].mountPath "logs": must be an absolute path; try "/logs"');
    expect(errorOf(() => synth({ volumes: [PodVolume.hostPath('logs', './var/log')] })))
      .toBe('[test/agent] volumes[0].path "./var/log": must be an absolute path; try "/var/log"');
  });

  test('a writable mount of a sensitive host path needs a stated reason, kept on the pods', () => {
    const writableRoot = { name: 'root', hostPath: '/', mountPath: '/host', readOnly: false };
    expect(errorOf(() => synth({ hostMounts: [writableRoot] }))).toBe(
      '[test/agent] hostMounts[0].readOnly false: mounts the sensitive host path / writable, which lets the agent change the node; '
      + 'mount it read-only, or state why the agent must write it in hostMounts[0].reason');
    // However it is spelled, other sensitive paths, and through a plain hostPath volume too.
    expect(errorOf(() => synth({ hostMounts: [{ ...writableRoot, hostPath: '//./' }] }))).toMatch(/^\[test\/agent\] hostMounts\[0\]\.readOnly false: mounts the sensitive host path/);
    expect(errorOf(() => synth({ hostMounts: [{ ...writableRoot, hostPath: '/etc/kubernetes' }] }))).toMatch(/^\[test\/agent\] hostMounts\[0\]\.readOnly false: mounts the sensitive host path \/etc\/kubernetes/);
    expect(errorOf(() => synth({
      volumes: [PodVolume.emptyDir('tmp'), PodVolume.hostPath('root', '/')],
      initContainers: [{ name: 'installer', image: 'example.com/installer:1.0.0', volumeMounts: [{ volume: 'tmp', mountPath: '/tmp' }, { volume: 'root', mountPath: '/host' }] }],
    }))).toBe('[test/agent] initContainers[0].volumeMounts[1].readOnly false: mounts the sensitive host path / writable, which lets the pod change the node; '
      + 'mount it read-only, or state why: PodVolume.hostPath("root", "/", type, { reason })');
    // Placeholder reasons are refused.
    expect(errorOf(() => synth({ hostMounts: [{ ...writableRoot, reason: 'TODO' }] }))).toMatch(/^\[test\/agent\] hostMounts\[0\]\.reason "TODO": is a placeholder/);
    // Accepted with a reason, which the pods carry.
    const ds = daemonSet({ hostMounts: [{ ...writableRoot, reason: 'the installer writes the CNI binaries onto the node' }] });
    expect(ds.spec.template.spec.containers[0].volumeMounts).toEqual([{ name: 'root', mountPath: '/host', readOnly: false }]);
    expect(ds.spec.template.metadata.annotations['cdk8s-workloads.dev/reason.host-path.root']).toBe('the installer writes the CNI binaries onto the node');
    const viaVolume = daemonSet({
      volumes: [PodVolume.hostPath('root', '/', HostPathType.DIRECTORY, { reason: 'the installer writes the CNI binaries onto the node' })],
      containers: [{ ...agentContainer, volumeMounts: [{ volume: 'root', mountPath: '/host' }] }],
    });
    expect(viaVolume.spec.template.metadata.annotations['cdk8s-workloads.dev/reason.host-path.root']).toBe('the installer writes the CNI binaries onto the node');
    // Read-only sensitive mounts and the agent's own writable directories need no reason.
    expect(daemonSet({ hostMounts: [{ ...writableRoot, readOnly: true }] }).spec.template.spec.volumes).toEqual([{ name: 'root', hostPath: { path: '/' } }]);
    expect(daemonSet({ hostMounts: [{ ...writableRoot, hostPath: '/var/lib/agent' }] }).spec.template.metadata.annotations).toBeUndefined();
    // A reason is kept whenever something about the mount is risky (the policy reports read-only sensitive mounts too)...
    expect(daemonSet({ hostMounts: [{ ...writableRoot, readOnly: true, reason: 'the agent reads filesystem usage of the node' }] }).spec.template.metadata.annotations)
      .toEqual({ 'cdk8s-workloads.dev/reason.host-path.root': 'the agent reads filesystem usage of the node' });
    expect(daemonSet({ hostMounts: [{ ...writableRoot, hostPath: '/var/lib/agent', reason: 'the agent keeps its state on the node' }] }).spec.template.metadata.annotations)
      .toEqual({ 'cdk8s-workloads.dev/reason.host-path.root': 'the agent keeps its state on the node' });
    // ...and refused only when nothing is: an ordinary directory mounted read-only.
    expect(errorOf(() => synth({ hostMounts: [{ ...writableRoot, hostPath: '/opt/agent', readOnly: true, reason: 'the agent reads its plugins' }] })))
      .toMatch(/^\[test\/agent\] hostMounts\[0\]\.reason .*: \/opt\/agent is not a sensitive host path and the mount is read-only, so there is nothing to justify/);
    // Writable directories beyond the agent's own (its /var/log/<name> and /var/lib/<name>) need the reason too.
    expect(errorOf(() => synth({ hostMounts: [{ ...writableRoot, hostPath: '/var/lib/other' }] }))).toBe('[test/agent] hostMounts[0].readOnly false: mounts the host path '
      + '/var/lib/other writable, which lets the agent change the node (beyond its own /var/log/agent and /var/lib/agent); mount it read-only, or state why the agent must write it in hostMounts[0].reason');
  });

  test('names and containers are checked', () => {
    expect(errorOf(() => synth({ volumes: [PodVolume.emptyDir('logs')], hostMounts: [{ name: 'logs', hostPath: '/var/log', mountPath: '/var/log' }] })))
      .toBe('[test/agent] hostMounts[0].name "logs": another volume of the pod has this name; give the host mount its own name');
    expect(errorOf(() => synth({ hostMounts: [{ name: 'Logs', hostPath: '/var/log', mountPath: '/var/log' }] })))
      .toMatch(/^\[test\/agent\] hostMounts\[0\]\.name "Logs": .*; try "logs"$/);
    expect(errorOf(() => synth({ hostMounts: [{ name: 'logs', hostPath: '/var/log', mountPath: '/var/log', containers: ['agnet'] }] })))
      .toBe('[test/agent] hostMounts[0].containers[0] "agnet": names no container of the agent; use one of "agent"');
  });

  test('Bidirectional propagation is rejected by the pod layer', () => {
    expect(errorOf(() => synth({ hostMounts: [{ name: 'mnt', hostPath: '/mnt', mountPath: '/mnt', propagation: PodMountPropagation.BIDIRECTIONAL }] })))
      .toBe('[test/agent] containers[0].volumeMounts[0].mountPropagation "Bidirectional": Bidirectional propagation requires a privileged container; use HostToContainer');
  });
});

describe('RBAC', () => {
  const rules = [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }];

  test('rules give a ClusterRole bound to the ServiceAccount, and the API token', () => {
    const docs = synth({ namespace: 'ops', rules });
    expect(kinds(docs)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'DaemonSet']);
    expect(only(docs, 'ClusterRole', 'agent').rules).toEqual(rules);
    expect(only(docs, 'ClusterRoleBinding', 'agent')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'agent' },
      subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: 'ops' }],
    });
    expect(only(docs, 'DaemonSet').spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  test('clusterRoleName, and the subject in the chart namespace', () => {
    const chart = testChart({ namespace: 'infra' });
    const agent = new NodeAgent(chart, 'agent', { containers: [agentContainer], rules, clusterRoleName: 'infra:agent' });
    const docs = synthValid(chart);
    expect(only(docs, 'ClusterRoleBinding', 'infra:agent').subjects[0].namespace).toBe('infra');
    expect(agent.clusterRole?.metadata.name).toBe('infra:agent');
    expect(agent.clusterRoleBinding?.metadata.name).toBe('infra:agent');
  });

  test('the token can be mounted without rules, or turned off with them', () => {
    expect(daemonSet({ automountServiceAccountToken: true }).spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(daemonSet({ rules, automountServiceAccountToken: false }).spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('bad rules and a role name without rules are rejected', () => {
    expect(errorOf(() => synth({ rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }] })))
      .toBe('[test/agent] rules[0].resources ["*"]: wildcards grant more than the workload needs, a risky choice that needs a stated reason; list the resources explicitly, or give reason');
    // With a reason a wildcard is kept like any risky grant, and the reason with it (issue 25, class 11: no "nothing to justify").
    const role = synth({ rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get'], reason: 'the agent inventories every core resource' }] }).find((d) => d.kind === 'ClusterRole')!;
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['*'], verbs: ['get'] }]);
    expect(role.metadata.annotations).toEqual({ 'cdk8s-workloads.dev/reason.rules.0': 'the agent inventories every core resource' });
    expect(errorOf(() => synth({ clusterRoleName: 'agent' })))
      .toBe('[test/agent] clusterRoleName "agent": there is no ClusterRole without rules; give rules, or drop clusterRoleName');
  });
});

describe('metrics Service', () => {
  const metricsContainer = { ...agentContainer, ports: [{ number: 9100, name: 'metrics' }] };

  test('selects the pods and carries the prometheus.io annotations', () => {
    const chart = testChart();
    const agent = new NodeAgent(chart, 'agent', { containers: [metricsContainer], metricsService: { port: 9100 } });
    const svc = only(synthValid(chart), 'Service', 'agent');
    expect(svc.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100', 'prometheus.io/path': '/metrics' });
    expect(svc.spec).toEqual({ selector: { 'app.kubernetes.io/name': 'agent' }, ports: [{ name: 'metrics', port: 9100, targetPort: 9100, protocol: 'TCP' }] });
    expect(agent.metricsService?.metadata.name).toBe('agent');
  });

  test('name and path', () => {
    const docs = synth({ containers: [metricsContainer], metricsService: { port: 9100, name: 'agent-metrics', path: '/prom' } });
    expect(only(docs, 'Service', 'agent-metrics').metadata.annotations['prometheus.io/path']).toBe('/prom');
  });

  test('the port must be a container port, the path absolute', () => {
    expect(errorOf(() => synth({ containers: [metricsContainer], metricsService: { port: 9200 } })))
      .toBe('[test/agent] metricsService.port 9200: is not a container port of the agent; use one of 9100');
    expect(errorOf(() => synth({ metricsService: { port: 9200 } })))
      .toBe('[test/agent] metricsService.port 9200: is not a container port of the agent; add the port to a container first');
    expect(errorOf(() => synth({ containers: [metricsContainer], metricsService: { port: 9100, path: 'metrics' } })))
      .toBe('[test/agent] metricsService.path "metrics": must be an absolute path; try "/metrics"');
  });
});

describe('node exporter preset', () => {
  const docs = (() => {
    const chart = testChart();
    NodeAgent.nodeExporter(chart, 'node-exporter', { namespace: 'monitoring' });
    return synthValid(chart);
  })();
  const ds = only(docs, 'DaemonSet', 'node-exporter');
  const pod = ds.spec.template.spec;
  const container = pod.containers[0];

  test('host /proc, /sys and / read-only under /host with HostToContainer propagation', () => {
    expect(pod.volumes).toEqual([
      { name: 'proc', hostPath: { path: '/proc', type: 'Directory' } },
      { name: 'sys', hostPath: { path: '/sys', type: 'Directory' } },
      { name: 'root', hostPath: { path: '/', type: 'Directory' } },
    ]);
    expect(container.volumeMounts).toEqual(['proc', 'sys', 'root'].map((name) => (
      { name, mountPath: `/host/${name}`, readOnly: true, mountPropagation: 'HostToContainer' })));
    expect(container.args.slice(0, 5)).toEqual([
      '--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root',
      '--path.udev.data=/host/root/run/udev/data', '--web.listen-address=:9100',
    ]);
  });

  test('host network and PID namespace, port 9100, every node', () => {
    expect(pod).toMatchObject({ hostNetwork: true, hostPID: true, dnsPolicy: 'ClusterFirstWithHostNet', priorityClassName: 'system-node-critical' });
    expect(pod.hostIPC).toBeUndefined();
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(container.image).toBe('quay.io/prometheus/node-exporter:v1.12.1');
    expect(container.ports).toEqual([{ containerPort: 9100, name: 'metrics', protocol: 'TCP' }]);
  });

  test('runs as 65534 with a read-only root filesystem, probed on /', () => {
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.livenessProbe).toEqual({ httpGet: { path: '/', port: 'metrics' } });
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/', port: 'metrics' } });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('a metrics Service, no RBAC', () => {
    expect(kinds(docs)).toEqual(['ServiceAccount', 'ResourceQuota', 'DaemonSet', 'Service']);
    const svc = only(docs, 'Service', 'node-exporter');
    expect(svc.metadata).toMatchObject({ namespace: 'monitoring', annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9100', 'prometheus.io/path': '/metrics' } });
  });

  test('options: port, args, image, resources, tolerations, no Service', () => {
    const chart = testChart();
    const agent = NodeAgent.nodeExporter(chart, 'exporter', {
      port: 9101,
      extraArgs: ['--collector.systemd'],
      image: 'quay.io/prometheus/node-exporter:v1.8.1',
      resources: { memoryLimit: '256Mi' },
      tolerations: [{ key: 'gpu', effect: PodTaintEffect.NO_SCHEDULE }],
      metricsService: false,
      nodeCritical: false,
      updateStrategy: NodeAgentUpdateStrategy.onDelete(),
      podAnnotations: { team: 'sre' },
    });
    const out = synthValid(chart);
    const spec = only(out, 'DaemonSet').spec;
    const c = spec.template.spec.containers[0];
    expect(c.args).toContain('--web.listen-address=:9101');
    expect(c.args[c.args.length - 1]).toBe('--collector.systemd');
    expect(c.image).toBe('quay.io/prometheus/node-exporter:v1.8.1');
    expect(c.resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '250m', memory: '256Mi' } });
    expect(spec.template.spec.tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.template.spec.priorityClassName).toBeUndefined();
    expect(spec.template.metadata.annotations).toEqual({
      'team': 'sre',
      'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true',
      // The preset's host access, justified on the pods.
      'cdk8s-workloads.dev/reason.host-network': "node exporter reports the node's own network interfaces and serves metrics on the node's address",
      'cdk8s-workloads.dev/reason.host-pid': "node exporter reads the node's processes for its process and pressure metrics",
    });
    expect(spec.updateStrategy).toEqual({ type: 'OnDelete' });
    expect(kinds(out)).not.toContain('Service');
    expect(agent.hostPorts).toEqual(['9101/TCP']);
  });
});

describe('log collector preset', () => {
  const chart = testChart({ namespace: 'logging' });
  const agent = NodeAgent.logCollector(chart, 'fluent-bit');
  const docs = synthValid(chart);
  const ds = only(docs, 'DaemonSet', 'fluent-bit');
  const pod = ds.spec.template.spec;
  const container = pod.containers[0];

  test('reads /var/log read-only and writes only its state directory', () => {
    expect(pod.volumes).toEqual([
      { name: 'config', configMap: { name: 'fluent-bit-config' } },
      { name: 'state', emptyDir: {} },
      { name: 'varlog', hostPath: { path: '/var/log' } },
    ]);
    expect(container.volumeMounts).toEqual([
      { name: 'config', mountPath: '/fluent-bit/etc/conf', readOnly: true },
      { name: 'state', mountPath: '/fluent-bit/state' },
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
    ]);
    expect(pod.hostNetwork).toBeUndefined();
    expect(pod.hostPID).toBeUndefined();
  });

  test('get/list/watch on pods and namespaces, with the token mounted', () => {
    expect(only(docs, 'ClusterRole', 'fluent-bit').rules).toEqual([{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }]);
    expect(only(docs, 'ClusterRoleBinding', 'fluent-bit').subjects).toEqual([{ kind: 'ServiceAccount', name: 'fluent-bit', namespace: 'logging' }]);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(agent.clusterRole).toBeDefined();
  });

  test('runs as root only to read root-owned logs, says so, and keeps its root filesystem read-only', () => {
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
    });
    expect(ds.spec.template.metadata.annotations[`${RUNS_AS_ROOT_ANNOTATION_PREFIX}fluent-bit`])
      .toBe('reads the container logs on the node, which the container runtime writes as root');
  });

  test('its configuration: a ConfigMap before the DaemonSet, and a checksum that restarts pods on change', () => {
    expect(kinds(docs)).toEqual(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ResourceQuota', 'ConfigMap', 'DaemonSet', 'Service']);
    const config: string = only(docs, 'ConfigMap', 'fluent-bit-config').data['fluent-bit.conf'];
    expect(config).toContain('    HTTP_Server On\n    HTTP_Listen 0.0.0.0\n    HTTP_Port 2020\n    Health_Check On\n');
    expect(config).toContain('    Path /var/log/containers/*.log\n    Exclude_Path /var/log/containers/fluent-bit-*_logging_fluent-bit-*.log\n');
    expect(ds.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(container.command).toEqual(['/fluent-bit/bin/fluent-bit']);
    expect(container.args).toEqual(['--workdir=/fluent-bit/etc', '--config=/fluent-bit/etc/conf/fluent-bit.conf']);
    expect(container.image).toBe('cr.fluentbit.io/fluent/fluent-bit:5.2.1');
  });

  test('probes and the metrics Service use the HTTP server', () => {
    expect(container.livenessProbe).toEqual({ httpGet: { path: '/', port: 'http' } });
    expect(container.readinessProbe).toEqual({ httpGet: { path: '/api/v2/health', port: 'http' } });
    expect(only(docs, 'Service', 'fluent-bit').metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '2020', 'prometheus.io/path': '/api/v2/metrics/prometheus',
    });
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  test('a custom configuration, name and port', () => {
    const custom = testChart();
    // The probes call the HTTP server, so the configuration keeps it on, on the port, with the health check.
    const config = '[SERVICE]\n    HTTP_Server On\n    HTTP_Port 2021\n    Health_Check On\n';
    NodeAgent.logCollector(custom, 'logs', { name: 'collector', namespace: 'ops', config, port: 2021, metricsService: false });
    const out = synthValid(custom);
    expect(only(out, 'ConfigMap', 'collector-config').data).toEqual({ 'fluent-bit.conf': config });
    const tpl = only(out, 'DaemonSet', 'collector').spec.template;
    expect(tpl.metadata.annotations['checksum/config']).not.toBe(ds.spec.template.metadata.annotations['checksum/config']);
    expect(tpl.spec.containers[0].ports).toEqual([{ containerPort: 2021, name: 'http', protocol: 'TCP' }]);
    expect(kinds(out)).not.toContain('Service');
  });
});

test('ContainerSecurity.runAsRoot keeps its reason on agents', () => {
  const ds = daemonSet({ containers: [{ ...agentContainer, security: ContainerSecurity.runAsRoot({ reason: 'legacy image' }) }] });
  expect(ds.spec.template.metadata.annotations).toEqual({ [`${RUNS_AS_ROOT_ANNOTATION_PREFIX}agent`]: 'legacy image' });
});
