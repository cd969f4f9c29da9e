import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  PodContainerProps, ContainerSecurity, PodEnvValue, HostPathType, PodTemplateProps, PodVolume, PodProbe, PortProtocol, Spread,
  PodTaintEffect, TolerationOperator,
} from '../src';
import { errorOf, only, synthValid, testChart } from './util';
import { RUNS_AS_ROOT_ANNOTATION_PREFIX } from '../src/kubernetes/metadata-keys';
import { buildPodTemplate, PodTemplateContext } from '../src/pod/template';

const SELECTOR = { 'app.kubernetes.io/name': 'web' };

/** Renders a pod template into a Pod object of a fresh chart and validates the synthesis. */
function render(props: PodTemplateProps, ctx: Partial<PodTemplateContext> = {}) {
  const chart = testChart();
  const scope = new Construct(chart, 'web');
  const template = buildPodTemplate(scope, props, { selectorLabels: SELECTOR, labels: SELECTOR, ...ctx });
  new k8s.KubePod(scope, 'Resource', { metadata: { name: 'web', ...template.metadata }, spec: template.spec });
  return only(synthValid(chart), 'Pod');
}

function renderError(props: PodTemplateProps, ctx: Partial<PodTemplateContext> = {}): string {
  return errorOf(() => render(props, ctx));
}

const web: PodContainerProps = { name: 'web', image: 'nginx:1.15.4', ports: [{ number: 8080, name: 'http' }] };

describe('secure defaults', () => {
  const pod = render({ containers: [web] });
  const container = pod.spec.containers[0];

  test('containers run as an explicit non-root user with nothing extra', () => {
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
    });
    expect(pod.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  test('no API token unless asked, pull only when missing, modest resources', () => {
    expect(pod.spec.automountServiceAccountToken).toBe(false);
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } });
  });

  test('pods carry the selector labels', () => {
    expect(pod.metadata.labels).toMatchObject(SELECTOR);
  });
});

describe('the root opt-out', () => {
  test('runs as root, keeps no-escalation and drops what it is not told to keep', () => {
    const pod = render({
      containers: [{ ...web, security: ContainerSecurity.runAsRoot({ reason: 'nginx master runs as root', addCapabilities: ['CHOWN', 'NET_BIND_SERVICE'] }) }],
    });
    expect(pod.spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'], add: ['CHOWN', 'NET_BIND_SERVICE'] },
      readOnlyRootFilesystem: false,
      runAsNonRoot: false,
      runAsUser: 0,
      runAsGroup: 0,
    });
    expect(pod.metadata.annotations[`${RUNS_AS_ROOT_ANNOTATION_PREFIX}web`]).toBe('nginx master runs as root');
  });

  test('requires a reason', () => {
    expect(renderError({ containers: [{ ...web, security: ContainerSecurity.runAsRoot({ reason: ' ' }) }] }))
      .toMatch(/containers\[0\]\.security\.reason " ": a risky choice needs a stated reason; say why/);
  });

  test.each(['x', 'TODO', 'todo: fill in', 'n/a', 'because'])('refuses the placeholder reason %j', (reason) => {
    expect(renderError({ containers: [{ ...web, security: ContainerSecurity.runAsRoot({ reason }) }] }))
      .toMatch(/containers\[0\]\.security\.reason .*: is a placeholder, not a reason \(at least 10 characters/);
  });

  test('accepts the shortest real reason', () => {
    const pod = render({ containers: [{ ...web, security: ContainerSecurity.runAsRoot({ reason: 'binds :80.' }) }] });
    expect(pod.metadata.annotations['cdk8s-workloads.dev/runs-as-root.web']).toBe('binds :80.');
  });

  test('user 0 is only reachable through the opt-out', () => {
    expect(renderError({ containers: [{ ...web, security: ContainerSecurity.nonRoot({ user: 0 }) }] }))
      .toMatch(/user 0 is root; use ContainerSecurity.runAsRoot/);
  });

  test('rejects ALL and SYS_ADMIN as added capabilities', () => {
    expect(renderError({ containers: [{ ...web, security: ContainerSecurity.nonRoot({ addCapabilities: ['SYS_ADMIN'] }) }] }))
      .toMatch(/addCapabilities\[0\] "SYS_ADMIN"/);
  });

  test('non-root options are honoured', () => {
    const pod = render({ containers: [{ ...web, security: ContainerSecurity.nonRoot({ user: 1000, group: 2000, readOnlyRootFilesystem: false, addCapabilities: ['NET_BIND_SERVICE'] }) }] });
    expect(pod.spec.containers[0].securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 2000, readOnlyRootFilesystem: false, capabilities: { add: ['NET_BIND_SERVICE'] } });
  });
});

describe('containers', () => {
  test('env keeps its order and supports references', () => {
    const pod = render({
      containers: [{
        ...web,
        env: {
          B: PodEnvValue.fromValue('1'),
          POD_NAME: PodEnvValue.fromFieldPath('metadata.name'),
          PASSWORD: PodEnvValue.fromSecretName('db', 'password'),
          MODE: PodEnvValue.fromConfigMapName('cfg', 'mode'),
        },
      }],
    });
    expect(pod.spec.containers[0].env).toEqual([
      { name: 'B', value: '1' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
    ]);
  });

  test('probes default to the first port and keep timings', () => {
    const pod = render({
      containers: [{
        ...web,
        livenessProbe: PodProbe.httpGet({ path: '/health', initialDelaySeconds: 60, failureThreshold: 5 }),
        readinessProbe: PodProbe.tcpSocket({ port: 8181 }),
        startupProbe: PodProbe.exec({ command: ['true'] }),
      }],
    });
    const c = pod.spec.containers[0];
    expect(c.livenessProbe).toEqual({ httpGet: { path: '/health', port: 'http' }, initialDelaySeconds: 60, failureThreshold: 5 });
    expect(c.readinessProbe).toEqual({ tcpSocket: { port: 8181 } });
    expect(c.startupProbe).toEqual({ exec: { command: ['true'] } });
  });

  test('a probe needs a port when the container has none', () => {
    expect(renderError({ containers: [{ name: 'c', image: 'busybox:1.28.4', livenessProbe: PodProbe.tcpSocket() }] }))
      .toMatch(/containers\[0\]\.livenessProbe\.port \(unset\): the container has no port to probe/);
  });

  test('liveness probes need successThreshold 1', () => {
    expect(renderError({ containers: [{ ...web, livenessProbe: PodProbe.httpGet({ path: '/', successThreshold: 2 }) }] }))
      .toMatch(/livenessProbe\.successThreshold 2/);
  });

  test('resources: partial overrides keep the other defaults; requests above limits fail', () => {
    const pod = render({ containers: [{ ...web, resources: { memoryLimit: '170Mi', memoryRequest: '70Mi' } }] });
    expect(pod.spec.containers[0].resources).toEqual({ requests: { cpu: '100m', memory: '70Mi' }, limits: { cpu: '500m', memory: '170Mi' } });
    expect(renderError({ containers: [{ ...web, resources: { memoryRequest: '1Gi', memoryLimit: '512Mi' } }] }))
      .toMatch(/resources\.memoryRequest "1Gi": is above memoryLimit "512Mi"/);
    expect(renderError({ containers: [{ ...web, resources: { memoryLimit: '2Gb' } }] }))
      .toMatch(/resources\.memoryLimit "2Gb": must be a Kubernetes quantity.*try "2Gi"/);
  });

  test.each<[string, PodTemplateProps, RegExp]>([
    ['no containers', { containers: [] }, /containers \[\]: a pod needs at least one container/],
    ['a bad name', { containers: [{ ...web, name: 'Web_1' }] }, /\[test\/web\] containers\[0\]\.name "Web_1".*try "web-1"/],
    ['a bad image', { containers: [{ ...web, image: 'Nginx' }] }, /containers\[0\]\.image "Nginx": is not a valid image reference/],
    ['a long port name', { containers: [{ ...web, ports: [{ number: 80, name: 'my-very-long-port-name' }] }] }, /ports\[0\]\.name "my-very-long-port-name": port names must be at most 15 characters/],
    ['a bad port', { containers: [{ ...web, ports: [{ number: 70000 }] }] }, /ports\[0\]\.number 70000: must be a whole number from 1 to 65535/],
    ['duplicate ports', { containers: [{ ...web, ports: [{ number: 80 }, { number: 80 }] }] }, /ports\[1\] "80\/TCP": duplicates containers\[0\]\.ports\[0\]/],
    ['duplicate container names', { containers: [web, web] }, /containers\[1\] "web": duplicates containers\[0\]/],
    ['a bad env name', { containers: [{ ...web, env: { '1X': PodEnvValue.fromValue('') } }] }, /env "1X"/],
    ['a mount of nothing', { containers: [{ ...web, volumeMounts: [{ volume: 'data', mountPath: '/d' }] }] }, /volumeMounts\[0\]\.volume "data": names no volume or claim template of this pod; add the volume/],
    ['a relative mount', { containers: [{ ...web, volumeMounts: [{ volume: 'tmp', mountPath: 'tmp' }] }], volumes: [PodVolume.emptyDir('tmp')] }, /mountPath "tmp": must be an absolute path/],
    ['a host port', { containers: [{ ...web, ports: [{ number: 80, hostPort: 80 }] }] }, /hostPort 80: host ports are host access/],
    ['a hostPath volume', { containers: [web], volumes: [PodVolume.hostPath('root', '/')] }, /volumes\[0\] "root": hostPath volumes are host access/],
    ['duplicate volumes', { containers: [web], volumes: [PodVolume.emptyDir('a'), PodVolume.emptyDir('a')] }, /volumes\[1\] "a": duplicates volumes\[0\]/],
    ['a conflicting pod label', { containers: [web], podLabels: { 'app.kubernetes.io/name': 'other' } }, /podLabels\["app.kubernetes.io\/name"\] "other": conflicts with the selector label/],
    ['a bad node selector', { containers: [web], nodeSelector: { os: 'x'.repeat(64) } }, /nodeSelector\["os"\]/],
  ])('rejects %s', (_, props, message) => {
    expect(renderError(props)).toMatch(message);
  });
});

describe('volumes', () => {
  test('render every kind and mount them', () => {
    const pod = render({
      containers: [{
        ...web,
        volumeMounts: [
          { volume: 'cache', mountPath: '/var/cache/nginx' },
          { volume: 'config', mountPath: '/etc/nginx/conf.d', readOnly: true },
          { volume: 'tls', mountPath: '/tls', readOnly: true },
          { volume: 'data', mountPath: '/data', subPath: 'web' },
        ],
      }],
      volumes: [
        PodVolume.emptyDir('cache', { memory: true, sizeLimit: '64Mi' }),
        PodVolume.fromConfigMapName('config', { configMapName: 'nginx', items: { 'default.conf': 'default.conf' }, defaultMode: 0o444 }),
        PodVolume.fromSecretName('tls', { secretName: 'web-tls' }),
        PodVolume.fromClaimName('data', { claimName: 'web-data' }),
      ],
    });
    expect(pod.spec.volumes).toEqual([
      { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
      { name: 'config', configMap: { name: 'nginx', items: [{ key: 'default.conf', path: 'default.conf' }], defaultMode: 292 } },
      { name: 'tls', secret: { secretName: 'web-tls' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
    ]);
    expect(pod.spec.containers[0].volumeMounts[3]).toEqual({ name: 'data', mountPath: '/data', subPath: 'web' });
  });

  test('hostPath volumes and host ports work where host access is allowed', () => {
    const pod = render({
      containers: [{ ...web, ports: [{ number: 9100, name: 'metrics', hostPort: 9100, hostPortReason: 'scraped on the node IP by the node-local agent' }], volumeMounts: [{ volume: 'sys', mountPath: '/host/sys', readOnly: true }] }],
      volumes: [PodVolume.hostPath('sys', '/sys', HostPathType.DIRECTORY)],
    }, { allowHostAccess: true });
    expect(pod.spec.volumes).toEqual([{ name: 'sys', hostPath: { path: '/sys', type: 'Directory' } }]);
    expect(pod.spec.containers[0].ports[0]).toEqual({ containerPort: 9100, hostPort: 9100, name: 'metrics', protocol: 'TCP' });
  });

  test('claim template names are mountable when the construct offers them', () => {
    // (A bare Pod cannot have claim templates, so this checks the template without synthesising a Pod.)
    const props = { containers: [{ ...web, volumeMounts: [{ volume: 'www', mountPath: '/usr/share/nginx/html' }] }] };
    const template = buildPodTemplate('test/web', props, { selectorLabels: SELECTOR, labels: SELECTOR, extraVolumeNames: ['www'] });
    expect(template.spec?.containers[0].volumeMounts).toEqual([{ name: 'www', mountPath: '/usr/share/nginx/html' }]);
  });
});

describe('scheduling', () => {
  test('tolerations, node selector, priority and spread', () => {
    const pod = render({
      containers: [web],
      tolerations: [
        { key: 'CriticalAddonsOnly', operator: TolerationOperator.EXISTS },
        { key: 'dedicated', value: 'web', effect: PodTaintEffect.NO_EXECUTE, tolerationSeconds: 30 },
      ],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      priorityClassName: 'system-cluster-critical',
      terminationGracePeriodSeconds: 10,
    }, { spread: Spread.preferDifferentNodes() });
    expect(pod.spec.tolerations).toEqual([
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoExecute', tolerationSeconds: 30 },
    ]);
    expect(pod.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.spec.priorityClassName).toBe('system-cluster-critical');
    expect(pod.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual([
      { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: SELECTOR }, topologyKey: 'kubernetes.io/hostname' } },
    ]);
  });

  test('hard anti-affinity and topology spread', () => {
    const hard = render({ containers: [web] }, { spread: Spread.requireDifferentNodes() });
    expect(hard.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution)
      .toEqual([{ labelSelector: { matchLabels: SELECTOR }, topologyKey: 'kubernetes.io/hostname' }]);
    expect(render({ containers: [web] }, { spread: Spread.topology({ topologyKey: 'topology.kubernetes.io/zone' }) }).spec.topologySpreadConstraints)
      .toEqual([{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: SELECTOR } }]);
  });

  test.each<[string, PodTemplateProps, RegExp]>([
    ['Exists with a value', { containers: [web], tolerations: [{ key: 'k', operator: TolerationOperator.EXISTS, value: 'v' }] }, /tolerations\[0\]\.value "v": operator Exists/],
    ['no key with Equal', { containers: [web], tolerations: [{ operator: TolerationOperator.EQUAL }] }, /tolerations\[0\]\.operator "Equal"/],
    ['tolerationSeconds without NoExecute', { containers: [web], tolerations: [{ key: 'k', tolerationSeconds: 5 }] }, /tolerationSeconds 5: only applies to the NoExecute effect/],
  ])('rejects %s', (_, props, message) => {
    expect(renderError(props)).toMatch(message);
  });

  test('rejects a bad anti-affinity weight', () => {
    expect(renderError({ containers: [web] }, { spread: Spread.preferDifferentNodes({ weight: 0 }) })).toMatch(/spread\.weight 0/);
  });
});

test('protocols other than TCP are kept', () => {
  const pod = render({ containers: [{ ...web, ports: [{ number: 1053, name: 'dns', protocol: PortProtocol.UDP }] }] });
  expect(pod.spec.containers[0].ports).toEqual([{ containerPort: 1053, name: 'dns', protocol: 'UDP' }]);
});
