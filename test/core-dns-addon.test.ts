import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ContainerSecurity, CoreDnsAddon, CoreDnsAddonProps, Corefile, IntOrPercent, Spread, StatefulApp } from '../src';
import { UPSTREAM_YAML } from './fixtures/coredns-upstream';
import { errorOf, Manifest, only, parseYamlDocuments, synthValid, testChart } from './util';
import { selectorMatches } from '../src/kubernetes/validation';
import { buildPodTemplate } from '../src/pod/template';

const UPSTREAM: Manifest[] = parseYamlDocuments(UPSTREAM_YAML);

const TUTORIAL: CoreDnsAddonProps = { dnsServiceIp: '10.0.0.2', clusterDomain: 'cluster.local', memoryLimit: '170Mi' };

function synth(props: Partial<CoreDnsAddonProps> = {}): { docs: Manifest[]; addon: CoreDnsAddon } {
  const chart = testChart();
  const addon = new CoreDnsAddon(chart, 'dns', { ...TUTORIAL, ...props });
  return { docs: synthValid(chart), addon };
}

function error(props: Partial<CoreDnsAddonProps>): string {
  return errorOf(() => synth(props));
}

type Path = Array<string | number>;

/** Every leaf of an object with its path (keys may contain dots, so paths are arrays). */
function leaves(value: unknown, path: Path = []): Array<[Path, unknown]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  return [[path, value]];
}

function get(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, key) => (v === undefined || v === null ? undefined : (v as any)[key]), value);
}

const show = (path: Path) => path.join(' > ');
const idOf = (m: Manifest) => `${m.kind}/${m.metadata.name}`;

describe('parity with the upstream addon, field by field', () => {
  const { docs } = synth();

  // Upstream's anti-affinity selects with matchExpressions "k8s-app In [kube-dns]", ours with matchLabels
  // {k8s-app: kube-dns} (the shared Spread helper): the same pods. The next test proves the equivalence.
  const AFFINITY_SELECTOR: Path = ['spec', 'template', 'spec', 'affinity', 'podAntiAffinity',
    'preferredDuringSchedulingIgnoredDuringExecution', 0, 'podAffinityTerm', 'labelSelector'];

  test('the same objects: kinds, names, namespaces, API versions', () => {
    expect(docs.map((d) => [d.apiVersion, idOf(d), d.metadata.namespace]))
      .toEqual(UPSTREAM.map((d) => [d.apiVersion, idOf(d), d.metadata.namespace]));
  });

  test.each(UPSTREAM.map((u) => [idOf(u), u]))('%s: every upstream field has upstream\'s value', (id, upstream) => {
    const ours = docs.find((d) => idOf(d) === id)!;
    const mismatches = leaves(upstream)
      .filter(([path]) => show(path.slice(0, AFFINITY_SELECTOR.length)) !== show(AFFINITY_SELECTOR))
      .filter(([path, value]) => get(ours, path) !== value)
      .map(([path, value]) => `${show(path)}: upstream ${JSON.stringify(value)}, ours ${JSON.stringify(get(ours, path))}`);
    expect(mismatches).toEqual([]);
  });

  test('scheduling: the anti-affinity selectors select the same pods', () => {
    const deployment = only(docs, 'Deployment');
    const upstream = get(only(UPSTREAM, 'Deployment'), AFFINITY_SELECTOR) as Manifest;
    const ours = get(deployment, AFFINITY_SELECTOR) as Manifest;
    expect(ours).toEqual({ matchLabels: { 'k8s-app': 'kube-dns' } });
    const labelSets: Array<Record<string, string>> = [{ 'k8s-app': 'kube-dns' }, { 'k8s-app': 'kube-dns', 'other': 'x' }, { 'k8s-app': 'other' }, {}];
    for (const labels of labelSets) {
      expect(selectorMatches(ours, labels)).toBe(selectorMatches(upstream, labels));
    }
    expect(selectorMatches(ours, deployment.spec.template.metadata.labels)).toBe(true);
  });

  test('every field we add beyond upstream, and why', () => {
    const added = docs.flatMap((ours) => {
      const upstream = UPSTREAM.find((u) => idOf(u) === idOf(ours));
      return leaves(ours)
        .filter(([path]) => get(upstream, path) === undefined)
        .map(([path, value]) => `${idOf(ours)}: ${show(path)} = ${JSON.stringify(value)}`);
    });
    const identity = (prefix: string) => [
      `${prefix} > app.kubernetes.io/managed-by = "cdk8s-workloads"`,
      `${prefix} > app.kubernetes.io/name = "coredns"`,
    ];
    expect(added.sort()).toEqual([
      // The library's identity labels on every object, so `kubectl get -l` finds them.
      ...['ServiceAccount/coredns', 'ClusterRole/system:coredns', 'ClusterRoleBinding/system:coredns', 'ConfigMap/coredns'].flatMap((id) => [
        ...identity(`${id}: metadata > labels`),
        // The selector label travels with the identity labels (no effect on these kinds).
        `${id}: metadata > labels > k8s-app = "kube-dns"`,
      ]),
      ...identity('Deployment/coredns: metadata > labels'),
      ...identity('Deployment/coredns: spec > template > metadata > labels'),
      // Same selection as upstream's matchExpressions (see above).
      `Deployment/coredns: ${show([...AFFINITY_SELECTOR.slice(0), 'matchLabels', 'k8s-app'])} = "kube-dns"`,
      // Upstream relies on Kubernetes' default (true); ours defaults to false, so the API token is asked for.
      'Deployment/coredns: spec > template > spec > automountServiceAccountToken = true',
      // Explicit non-root identity: the user CoreDNS images run as since 1.11, now enforced by the kubelet.
      'Deployment/coredns: spec > template > spec > containers > 0 > securityContext > privileged = false',
      'Deployment/coredns: spec > template > spec > containers > 0 > securityContext > runAsGroup = 65532',
      'Deployment/coredns: spec > template > spec > containers > 0 > securityContext > runAsNonRoot = true',
      'Deployment/coredns: spec > template > spec > containers > 0 > securityContext > runAsUser = 65532',
      ...identity('Service/kube-dns: metadata > labels'),
      // Explicit targetPort = port, which is what Kubernetes defaults it to.
      'Service/kube-dns: spec > ports > 0 > targetPort = 53',
      'Service/kube-dns: spec > ports > 1 > targetPort = 53',
      'Service/kube-dns: spec > ports > 2 > targetPort = 9153',
    ].sort());
  });

  test('Corefile directives, parsed back, equal upstream\'s', () => {
    const ours = Corefile.parse(only(docs, 'ConfigMap').data.Corefile);
    const upstream = Corefile.parse(only(UPSTREAM, 'ConfigMap').data.Corefile);
    expect(ours.servers).toEqual(upstream.servers);
    expect(ours.server('.')?.directives.map((d) => [d.name, ...(d.args ?? [])].join(' '))).toEqual([
      'errors', 'health', 'ready', 'kubernetes cluster.local in-addr.arpa ip6.arpa', 'prometheus :9153',
      'forward . /etc/resolv.conf', 'cache 30', 'loop', 'reload', 'loadbalance',
    ]);
  });

  test('security: no escalation, ALL dropped, only NET_BIND_SERVICE added, read-only root, RuntimeDefault seccomp', () => {
    const pod = only(docs, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
    });
  });

  test('resources: no CPU limit, as upstream (throttling a DNS server times out lookups)', () => {
    expect(only(docs, 'Deployment').spec.template.spec.containers[0].resources).toEqual({
      requests: { cpu: '100m', memory: '70Mi' },
      limits: { memory: '170Mi' },
    });
  });

  test('replicas stay unset so an autoscaler owns them', () => {
    expect(only(docs, 'Deployment').spec).not.toHaveProperty('replicas');
  });
});

describe('handles', () => {
  test('facts other constructs build on', () => {
    const { addon } = synth();
    expect(addon.clusterDomain).toBe('cluster.local');
    expect(addon.dnsServiceIp).toBe('10.0.0.2');
    expect(addon.namespace).toBe('kube-system');
    expect(addon.serviceName).toBe('kube-dns');
    expect(addon.serviceDnsName).toBe('kube-dns.kube-system.svc.cluster.local');
    expect(addon.podDnsNames).toEqual([]);
    expect(addon.corefile.server('.')?.directives.find((d) => d.name === 'kubernetes')?.args).toEqual(['cluster.local', 'in-addr.arpa', 'ip6.arpa']);
  });

  test('the object handles are the rendered objects', () => {
    const { addon, docs } = synth();
    expect(addon.deployment.name).toBe('coredns');
    expect(addon.deployment.kind).toBe('Deployment');
    expect(addon.service.name).toBe('kube-dns');
    expect(addon.configMap.name).toBe('coredns');
    expect(addon.serviceAccount.name).toBe('coredns');
    expect(addon.clusterRole.name).toBe('system:coredns');
    expect(addon.clusterRoleBinding.name).toBe('system:coredns');
    expect(addon.podDisruptionBudget).toBeUndefined();
    expect(addon.autoscalerDeployment).toBeUndefined();
    expect(only(docs, 'ConfigMap').data.Corefile).toBe(addon.corefile.render());
  });

  test('a StatefulApp takes its pod DNS names\' domain from the addon', () => {
    const chart = testChart({ namespace: 'default' });
    const dns = new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.0.0.2', clusterDomain: 'corp.internal' });
    const app = new StatefulApp(chart, 'web', {
      replicas: 2,
      clusterDomain: dns.clusterDomain,
      containers: [{ name: 'web', image: 'nginx:1.25.3', ports: [{ number: 8080, name: 'http' }] }],
    });
    synthValid(chart);
    expect(app.podDnsNames.every((n) => n.endsWith('.default.svc.corp.internal'))).toBe(true);
    expect(app.podDnsNames).toHaveLength(2);
  });

  test('the main object has id Resource', () => {
    const { addon } = synth();
    expect(addon.node.findChild('Resource')).toBe(addon.deployment);
  });
});

describe('parameters', () => {
  test('cluster domain: Corefile, handle and Service DNS name', () => {
    const { docs, addon } = synth({ clusterDomain: 'corp.internal' });
    const corefile = Corefile.parse(only(docs, 'ConfigMap').data.Corefile);
    expect(corefile.server('.')?.directives[3].args).toEqual(['corp.internal', 'in-addr.arpa', 'ip6.arpa']);
    expect(addon.clusterDomain).toBe('corp.internal');
    expect(addon.serviceDnsName).toBe('kube-dns.kube-system.svc.corp.internal');
  });

  test('cluster domain defaults to cluster.local', () => {
    const chart = testChart();
    const addon = new CoreDnsAddon(chart, 'dns', { dnsServiceIp: '10.96.0.10' });
    const docs = synthValid(chart);
    expect(addon.clusterDomain).toBe('cluster.local');
    expect(only(docs, 'Deployment').spec.template.spec.containers[0].resources.limits).toEqual({ memory: '170Mi' });
    expect(only(docs, 'Service').spec.clusterIP).toBe('10.96.0.10');
  });

  test('memory limit; a decimal quantity is valid too (170M = 170,000,000 bytes)', () => {
    expect(only(synth({ memoryLimit: '256Mi' }).docs, 'Deployment').spec.template.spec.containers[0].resources.limits).toEqual({ memory: '256Mi' });
    expect(only(synth({ memoryLimit: '170M' }).docs, 'Deployment').spec.template.spec.containers[0].resources.limits).toEqual({ memory: '170M' });
  });

  test('image', () => {
    const { docs } = synth({ image: 'registry.example.com/coredns/coredns:v1.12.0' });
    expect(only(docs, 'Deployment').spec.template.spec.containers[0].image).toBe('registry.example.com/coredns/coredns:v1.12.0');
  });

  test('replicas', () => {
    expect(only(synth({ replicas: 3 }).docs, 'Deployment').spec.replicas).toBe(3);
  });

  test('upstream resolvers: IPs, IP:port and [IPv6]:port replace /etc/resolv.conf', () => {
    const { addon } = synth({ upstreamResolvers: ['1.1.1.1', '9.9.9.9:53', '[2606:4700:4700::1111]:53'] });
    const forward = addon.corefile.server('.')?.directives.find((d) => d.name === 'forward');
    expect(forward).toEqual({ name: 'forward', args: ['.', '1.1.1.1', '9.9.9.9:53', '[2606:4700:4700::1111]:53'], block: [{ name: 'max_concurrent', args: ['1000'] }] });
  });

  test('cache TTL, in the main block and every stub block', () => {
    const { docs } = synth({ cacheTtl: 60, stubDomains: { 'consul.local': ['10.150.0.1'] } });
    const corefile = Corefile.parse(only(docs, 'ConfigMap').data.Corefile);
    expect(corefile.servers.map((s) => s.directives.find((d) => d.name === 'cache')?.args)).toEqual([['60'], ['60']]);
  });

  test('stub domains become server blocks in zone order, whatever order they were given in', () => {
    const { docs } = synth({ stubDomains: { 'zeta.example': ['10.0.9.1'], 'consul.local': ['10.150.0.1', '10.150.0.2:5353'] } });
    const text: string = only(docs, 'ConfigMap').data.Corefile;
    expect(text.slice(text.indexOf('}\nconsul.local') + 2)).toBe([
      'consul.local:53 {',
      '    errors',
      '    cache 30',
      '    forward . 10.150.0.1 10.150.0.2:5353',
      '}',
      'zeta.example:53 {',
      '    errors',
      '    cache 30',
      '    forward . 10.0.9.1',
      '}',
      '',
    ].join('\n'));
    expect(Corefile.parse(text).servers.map((s) => s.zones)).toEqual([['.'], ['consul.local'], ['zeta.example']]);
  });

  test('extra plugins follow the upstream ones in the main block', () => {
    const { docs } = synth({ extraPlugins: [{ name: 'log' }, { name: 'rewrite', args: ['name', 'foo.example', 'bar.example'] }, { name: 'hosts', block: [{ name: 'fallthrough' }] }] });
    const main = Corefile.parse(only(docs, 'ConfigMap').data.Corefile).server('.')!;
    expect(main.directives.slice(-4)).toEqual([
      { name: 'loadbalance' },
      { name: 'log' },
      { name: 'rewrite', args: ['name', 'foo.example', 'bar.example'] },
      { name: 'hosts', block: [{ name: 'fallthrough' }] },
    ]);
  });

  test('IPv6 service IP inside an IPv6 service CIDR', () => {
    const { docs, addon } = synth({ dnsServiceIp: 'fd00:10:96::a', serviceCidr: 'fd00:10:96::/108' });
    expect(only(docs, 'Service').spec.clusterIP).toBe('fd00:10:96::a');
    expect(addon.dnsServiceIp).toBe('fd00:10:96::a');
  });

  test('an IPv4 service IP inside the service CIDR', () => {
    expect(only(synth({ serviceCidr: '10.0.0.0/24' }).docs, 'Service').spec.clusterIP).toBe('10.0.0.2');
    expect(only(synth({ dnsServiceIp: '10.96.0.10', serviceCidr: '10.96.0.0/12' }).docs, 'Service').spec.clusterIP).toBe('10.96.0.10');
  });

  test('name and namespace: RBAC, ConfigMap and volume follow', () => {
    const { docs, addon } = synth({ name: 'coredns-a', namespace: 'dns' });
    expect(docs.filter((d) => d.metadata.namespace !== undefined).map((d) => d.metadata.namespace)).toEqual(['dns', 'dns', 'dns', 'dns']);
    expect(only(docs, 'ClusterRole').metadata.name).toBe('system:coredns-a');
    expect(only(docs, 'ClusterRoleBinding').subjects).toEqual([{ kind: 'ServiceAccount', name: 'coredns-a', namespace: 'dns' }]);
    expect(only(docs, 'ClusterRoleBinding').roleRef.name).toBe('system:coredns-a');
    const pod = only(docs, 'Deployment').spec.template.spec;
    expect(pod.serviceAccountName).toBe('coredns-a');
    expect(pod.volumes[0].configMap.name).toBe('coredns-a');
    expect(only(docs, 'ConfigMap').metadata.name).toBe('coredns-a');
    expect(addon.serviceDnsName).toBe('kube-dns.dns.svc.cluster.local');
  });

  test('the chart namespace does not move the addon out of kube-system', () => {
    const chart = testChart({ namespace: 'default' });
    new CoreDnsAddon(chart, 'dns', TUTORIAL);
    expect(synthValid(chart).filter((d) => d.metadata.namespace).map((d) => d.metadata.namespace)).toEqual(['kube-system', 'kube-system', 'kube-system', 'kube-system']);
  });

  test('selector labels', () => {
    const { docs } = synth({ selectorLabels: { 'app.kubernetes.io/name': 'cluster-dns' } });
    expect(only(docs, 'Deployment').spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'cluster-dns' } });
    expect(only(docs, 'Service').spec.selector).toEqual({ 'app.kubernetes.io/name': 'cluster-dns' });
  });

  test('user labels on every object and the pods; annotations on the Deployment only', () => {
    const { docs } = synth({ labels: { team: 'platform' }, annotations: { 'example.com/owner': 'platform' } });
    for (const doc of docs) expect(doc.metadata.labels.team).toBe('platform');
    expect(only(docs, 'Deployment').spec.template.metadata.labels.team).toBe('platform');
    expect(only(docs, 'Deployment').metadata.annotations).toEqual({ 'example.com/owner': 'platform' });
    expect(docs.filter((d) => d.metadata.annotations?.['example.com/owner']).map(idOf)).toEqual(['Deployment/coredns']);
  });

  test('addon-manager labels can be left out', () => {
    const { docs } = synth({ addonManagerLabels: false });
    expect(docs.filter((d) => d.metadata.labels['addonmanager.kubernetes.io/mode'] !== undefined)).toEqual([]);
    expect(only(docs, 'ClusterRoleBinding').metadata.annotations).toEqual({ 'rbac.authorization.kubernetes.io/autoupdate': 'true' });
  });

  test('disruption budget', () => {
    const pdb = only(synth({ disruptionBudget: {} }).docs, 'PodDisruptionBudget');
    expect(pdb.metadata).toMatchObject({ name: 'coredns', namespace: 'kube-system' });
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'k8s-app': 'kube-dns' } } });
    const pct = only(synth({ disruptionBudget: { minAvailable: IntOrPercent.percent(50) } }).docs, 'PodDisruptionBudget');
    expect(pct.spec.minAvailable).toBe('50%');
  });

  test('topology spread instead of anti-affinity', () => {
    const pod = only(synth({ spread: Spread.topology({ topologyKey: 'topology.kubernetes.io/zone' }) }).docs, 'Deployment').spec.template.spec;
    expect(pod.affinity).toBeUndefined();
    expect(pod.topologySpreadConstraints).toEqual([{
      maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    }]);
  });

  test('security override (another image user)', () => {
    const { docs } = synth({ security: ContainerSecurity.nonRoot({ user: 1000, addCapabilities: ['NET_BIND_SERVICE'] }) });
    expect(only(docs, 'Deployment').spec.template.spec.containers[0].securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } });
  });
});

describe('the DNS horizontal autoscaler', () => {
  const { docs, addon } = synth({ autoscaler: {} });
  const objects = docs.filter((d) => d.metadata.name.includes('kube-dns-autoscaler'));

  test('renders its ServiceAccount, RBAC, ConfigMap and Deployment', () => {
    expect(objects.map((d) => [d.kind, d.metadata.name, d.metadata.namespace]).sort()).toEqual([
      ['ClusterRole', 'system:kube-dns-autoscaler', undefined],
      ['ClusterRoleBinding', 'system:kube-dns-autoscaler', undefined],
      ['ConfigMap', 'kube-dns-autoscaler', 'kube-system'],
      ['Deployment', 'kube-dns-autoscaler', 'kube-system'],
      ['Role', 'system:kube-dns-autoscaler', 'kube-system'],
      ['RoleBinding', 'system:kube-dns-autoscaler', 'kube-system'],
      ['ServiceAccount', 'kube-dns-autoscaler', 'kube-system'],
    ]);
    expect(addon.autoscalerDeployment?.name).toBe('kube-dns-autoscaler');
    for (const d of objects) expect(d.metadata.labels['addonmanager.kubernetes.io/mode']).toBe('Reconcile');
  });

  test('least privilege: nodes cluster-wide, the rest in the namespace and by name', () => {
    expect(only(docs, 'ClusterRole', 'system:kube-dns-autoscaler').rules).toEqual([{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }]);
    expect(only(docs, 'ClusterRoleBinding', 'system:kube-dns-autoscaler').subjects).toEqual([{ kind: 'ServiceAccount', name: 'kube-dns-autoscaler', namespace: 'kube-system' }]);
    expect(only(docs, 'Role').rules).toEqual([
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'update'], resourceNames: ['coredns'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: ['kube-dns-autoscaler'] },
    ]);
    expect(only(docs, 'RoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'system:kube-dns-autoscaler' },
      subjects: [{ kind: 'ServiceAccount', name: 'kube-dns-autoscaler', namespace: 'kube-system' }],
    });
  });

  test('upstream\'s linear parameters in the ConfigMap', () => {
    expect(JSON.parse(only(docs, 'ConfigMap', 'kube-dns-autoscaler').data.linear)).toEqual({
      coresPerReplica: 256, nodesPerReplica: 16, preventSinglePointFailure: true, includeUnschedulableNodes: true,
    });
  });

  test('the Deployment targets coredns and reads its ConfigMap', () => {
    const deployment = only(docs, 'Deployment', 'kube-dns-autoscaler');
    expect(deployment.metadata.labels).toMatchObject({ 'k8s-app': 'kube-dns-autoscaler', 'kubernetes.io/cluster-service': 'true' });
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'k8s-app': 'kube-dns-autoscaler' } });
    const pod = deployment.spec.template.spec;
    expect(pod).toMatchObject({
      serviceAccountName: 'kube-dns-autoscaler',
      automountServiceAccountToken: true,
      priorityClassName: 'system-cluster-critical',
      tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    });
    const c = pod.containers[0];
    expect(c.image).toBe('registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.10.3');
    expect(c.command).toEqual([
      '/cluster-proportional-autoscaler', '--namespace=kube-system', '--configmap=kube-dns-autoscaler',
      '--target=deployment/coredns', '--logtostderr=true', '--v=2',
    ]);
    expect(c.resources).toEqual({ requests: { cpu: '20m', memory: '10Mi' }, limits: { memory: '64Mi' } });
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  test('the CoreDNS Deployment leaves replicas to it', () => {
    expect(only(docs, 'Deployment', 'coredns').spec).not.toHaveProperty('replicas');
  });

  test('options: ratios, bounds, flags, image, namespace', () => {
    const result = synth({
      namespace: 'dns',
      autoscaler: { coresPerReplica: 128, nodesPerReplica: 4, min: 2, max: 10, preventSinglePointFailure: false, includeUnschedulableNodes: false, image: 'registry.example.com/cpa:v1.9.0' },
    }).docs;
    expect(JSON.parse(only(result, 'ConfigMap', 'kube-dns-autoscaler').data.linear)).toEqual({
      coresPerReplica: 128, nodesPerReplica: 4, min: 2, max: 10, preventSinglePointFailure: false, includeUnschedulableNodes: false,
    });
    const c = only(result, 'Deployment', 'kube-dns-autoscaler').spec.template.spec.containers[0];
    expect(c.image).toBe('registry.example.com/cpa:v1.9.0');
    expect(c.command).toContain('--namespace=dns');
    expect(only(result, 'Role').metadata.namespace).toBe('dns');
  });
});

describe('bad input', () => {
  test('an IPv4 address with an octet above 255', () => {
    expect(error({ dnsServiceIp: '10.0.0.300' }))
      .toBe('[test/dns] dnsServiceIp "10.0.0.300": 300 is above 255; use four numbers from 0 to 255, e.g. "10.0.0.10"');
  });

  test('a malformed IPv6 address', () => {
    expect(error({ dnsServiceIp: 'fd00::a::1' })).toMatch(/^\[test\/dns\] dnsServiceIp "fd00::a::1": "::" may appear only once; use eight groups/);
  });

  test('a cluster domain with "_"', () => {
    expect(error({ clusterDomain: 'cluster_local' }))
      .toBe('[test/dns] clusterDomain "cluster_local": \'_\' is not allowed in DNS-1123 names; try "cluster-local"');
  });

  test('a cluster domain with a trailing dot', () => {
    expect(error({ clusterDomain: 'cluster.local.' }))
      .toBe('[test/dns] clusterDomain "cluster.local.": must not end with a dot; try "cluster.local"');
  });

  test('a cluster domain in upper case', () => {
    expect(error({ clusterDomain: 'Cluster.Local' })).toMatch(/^\[test\/dns\] clusterDomain "Cluster.Local": must be a DNS-1123 subdomain/);
  });

  test('a memory limit in "MB", with the binary unit as fix', () => {
    expect(error({ memoryLimit: '170MB' }))
      .toMatch(/^\[test\/dns\] memoryLimit "170MB": must be a Kubernetes quantity .*; try "170Mi"$/);
  });

  test('a memory limit below the 70Mi request', () => {
    expect(error({ memoryLimit: '64Mi' }))
      .toBe('[test/dns] memoryLimit "64Mi": is below the 70Mi memory request; Kubernetes rejects requests above limits; use at least "70Mi" (upstream\'s default is "170Mi")');
  });

  test('a stub domain with no resolvers', () => {
    expect(error({ stubDomains: { 'consul.local': [] } }))
      .toBe('[test/dns] stubDomains["consul.local"] []: needs at least one resolver, or every query for it fails; give the IPs of the DNS servers for this zone, e.g. ["10.150.0.1"]');
  });

  test('a stub domain resolver that is not an address', () => {
    expect(error({ stubDomains: { 'consul.local': ['consul.service'] } }))
      .toMatch(/^\[test\/dns\] stubDomains\["consul.local"\]\[0\] "consul.service": is not a resolver address \(IP, IP:port or \[IPv6\]:port\): /);
    expect(error({ stubDomains: { 'consul.local': ['10.0.0.1:70000'] } }))
      .toBe('[test/dns] stubDomains["consul.local"][0] "10.0.0.1:70000": is not a resolver address (IP, IP:port or [IPv6]:port): must be a whole number from 1 to 65535; use a port between 1 and 65535');
  });

  test('a stub domain zone that is invalid or inside the cluster domain', () => {
    expect(error({ stubDomains: { 'consul.local.': ['10.0.0.1'] } }))
      .toBe('[test/dns] stubDomains["consul.local."] zone "consul.local.": must not end with a dot; try "consul.local"');
    expect(error({ stubDomains: { 'svc.cluster.local': ['10.0.0.1'] } }))
      .toBe('[test/dns] stubDomains["svc.cluster.local"] zone "svc.cluster.local": lies in the cluster domain "cluster.local", which the kubernetes plugin answers; forward a zone outside the cluster domain');
    expect(error({ stubDomains: { '.': ['10.0.0.1'] } })).toMatch(/^\[test\/dns\] stubDomains\["\."\] zone "\.": must not end with a dot/);
  });

  test('a service IP outside the given service CIDR', () => {
    expect(error({ dnsServiceIp: '10.0.1.2', serviceCidr: '10.0.0.0/24' }))
      .toBe('[test/dns] dnsServiceIp "10.0.1.2": is outside serviceCidr "10.0.0.0/24", so the API server rejects the Service; use an address inside it, e.g. "10.0.0.10"');
    expect(error({ dnsServiceIp: 'fd00::a', serviceCidr: '10.0.0.0/24' })).toMatch(/^\[test\/dns\] dnsServiceIp "fd00::a": is outside serviceCidr "10.0.0.0\/24"/);
  });

  test('service IPs the allocator never hands out', () => {
    expect(error({ dnsServiceIp: '10.0.0.0', serviceCidr: '10.0.0.0/24' }))
      .toBe('[test/dns] dnsServiceIp "10.0.0.0": is the network address of serviceCidr "10.0.0.0/24", which is never allocated; use an address inside it, e.g. "10.0.0.10"');
    expect(error({ dnsServiceIp: '10.0.0.1', serviceCidr: '10.0.0.0/24' }))
      .toBe('[test/dns] dnsServiceIp "10.0.0.1": is the first address of serviceCidr "10.0.0.0/24", which the API server gives the "kubernetes" Service; use an address inside it, e.g. "10.0.0.10"');
    expect(error({ dnsServiceIp: '10.0.0.255', serviceCidr: '10.0.0.0/24' }))
      .toBe('[test/dns] dnsServiceIp "10.0.0.255": is the broadcast address of serviceCidr "10.0.0.0/24", which is never allocated; use an address inside it, e.g. "10.0.0.10"');
    expect(error({ dnsServiceIp: 'fd00::1', serviceCidr: 'fd00::/112' })).toMatch(/is the first address of serviceCidr "fd00::\/112".*e\.g\. "fd00::a"$/);
  });

  test('an IPv6 service IP beyond the 65535 addresses the API server allocates from an IPv6 range', () => {
    expect(error({ dnsServiceIp: 'fd00:10:96::1:0', serviceCidr: 'fd00:10:96::/108' }))
      .toBe('[test/dns] dnsServiceIp "fd00:10:96::1:0": lies beyond the first 65535 addresses of serviceCidr "fd00:10:96::/108", the only ones the API server allocates from an IPv6 range; use one of those, e.g. "fd00:10:96::a"');
    // The last address of a /112 is allocatable: IPv6 ranges have no broadcast address.
    expect(only(synth({ dnsServiceIp: 'fd00::ffff', serviceCidr: 'fd00::/112' }).docs, 'Service').spec.clusterIP).toBe('fd00::ffff');
  });

  test('an invalid service CIDR', () => {
    expect(error({ serviceCidr: '10.0.0.0/33' })).toBe('[test/dns] serviceCidr "10.0.0.0/33": the prefix length must be a number from 0 to 32; try "10.0.0.0/24"');
  });

  test('an unpinned or invalid image', () => {
    expect(error({ image: 'coredns/coredns' })).toBe('[test/dns] image "coredns/coredns": is not pinned to a tag or digest (no tag, or ":latest"), so two syncs may run different images; pin it, e.g. "registry.k8s.io/coredns/coredns:v1.14.2"');
    expect(error({ image: 'coredns/coredns:latest' })).toMatch(/^\[test\/dns\] image "coredns\/coredns:latest": is not pinned/);
    expect(error({ image: 'Core DNS' })).toMatch(/^\[test\/dns\] image "Core DNS": is not a valid image reference/);
  });

  test('replicas: negative, or together with the autoscaler', () => {
    expect(error({ replicas: -1 })).toBe('[test/dns] replicas -1: must be a whole number from 1 to 2147483647; use at least 1 (upstream runs 2), or the autoscaler');
    expect(error({ replicas: 2, autoscaler: {} }))
      .toBe('[test/dns] replicas 2: the autoscaler owns the replica count, so a fixed value would fight it on every sync; drop replicas or the autoscaler');
  });

  test('upstream resolvers: none, or not an address or path', () => {
    expect(error({ upstreamResolvers: [] })).toBe('[test/dns] upstreamResolvers []: needs at least one resolver, or every query for it fails; give resolver IPs or "/etc/resolv.conf"');
    expect(error({ upstreamResolvers: ['8.8.8.888'] })).toBe('[test/dns] upstreamResolvers[0] "8.8.8.888": is not a resolver address (IP, IP:port or [IPv6]:port): 888 is above 255; use four numbers from 0 to 255, e.g. "10.0.0.10"');
    expect(error({ upstreamResolvers: ['/etc/../resolv.conf'] })).toMatch(/^\[test\/dns\] upstreamResolvers\[0\] "\/etc\/..\/resolv.conf": must not contain '..'/);
  });

  test('cache TTL', () => {
    expect(error({ cacheTtl: 0 })).toBe('[test/dns] cacheTtl 0: must be a whole number from 1 to 2147483647; use a positive whole number');
  });

  test('extra plugins: bad names, duplicates of upstream plugins, tokens that need quoting', () => {
    expect(error({ extraPlugins: [{ name: 'Log' }] })).toBe('[test/dns] extraPlugins[0].name "Log": must be a CoreDNS plugin name (lower case letters, digits, "_"); e.g. "log" or "rewrite"');
    expect(error({ extraPlugins: [{ name: 'log' }, { name: 'cache', args: ['60'] }] }))
      .toBe('[test/dns] extraPlugins[1].name "cache": is already in the main server block (most plugins may appear once per block); use the dedicated prop (upstreamResolvers, cacheTtl, ...) instead');
    expect(error({ extraPlugins: [{ name: 'hosts', block: [{ name: 'fallthrough', args: ['a b'] }] }] }))
      .toMatch(/^\[test\/dns\] extraPlugins\[0\]\.block\[0\]\.args\[0\] "a b": Corefile tokens must be single words/);
  });

  test('autoscaler parameters', () => {
    expect(error({ autoscaler: { coresPerReplica: 0 } })).toBe('[test/dns/Autoscaler] autoscaler.coresPerReplica 0: must be a number above 0; use a value like 256');
    expect(error({ autoscaler: { nodesPerReplica: -1 } })).toBe('[test/dns/Autoscaler] autoscaler.nodesPerReplica -1: must be a number above 0; use a value like 16');
    expect(error({ autoscaler: { min: 5, max: 2 } })).toBe('[test/dns/Autoscaler] autoscaler.min 5: is above autoscaler.max (2); lower min or raise max');
    expect(error({ autoscaler: { max: 0 } })).toMatch(/^\[test\/dns\/Autoscaler\] autoscaler.max 0: must be a whole number from 1/);
    expect(error({ autoscaler: { image: 'cpa' } })).toMatch(/^\[test\/dns\/Autoscaler\] autoscaler.image "cpa": is not pinned/);
  });

  test('a bad name or namespace', () => {
    expect(error({ name: 'CoreDNS' })).toMatch(/^\[test\/dns\] name "CoreDNS": must be a DNS-1123 label/);
    expect(error({ namespace: 'kube_system' })).toMatch(/^\[test\/dns\] namespace "kube_system": must be a DNS-1123 label/);
  });
});

describe('shared pod layer: omitCpuLimit', () => {
  function limits(omitCpuLimit: boolean | undefined, cpuLimit?: string): unknown {
    const chart = testChart();
    const scope = new Construct(chart, 'pod');
    const template = buildPodTemplate(scope, {
      containers: [{ name: 'app', image: 'app:1.0', omitCpuLimit, resources: cpuLimit === undefined ? { cpuRequest: '2' } : { cpuRequest: '2', cpuLimit } }],
    }, { selectorLabels: { app: 'x' }, labels: {} });
    new k8s.KubePod(scope, 'Resource', { metadata: { name: 'pod', ...template.metadata }, spec: template.spec });
    return only(synthValid(chart), 'Pod').spec.containers[0].resources;
  }

  test('leaves out the CPU limit, and the request-above-limit check with it', () => {
    expect(limits(true)).toEqual({ requests: { cpu: '2', memory: '128Mi' }, limits: { memory: '256Mi' } });
  });

  test('is exclusive with cpuLimit', () => {
    expect(() => limits(true, '3')).toThrow('[test/pod] containers[0].resources.cpuLimit "3": cpuLimit and omitCpuLimit are exclusive; drop one of them');
  });

  test('off by default: the existing behaviour', () => {
    expect(() => limits(undefined)).toThrow(/containers\[0\]\.resources\.cpuRequest "2": is above cpuLimit "500m"/);
  });
});
