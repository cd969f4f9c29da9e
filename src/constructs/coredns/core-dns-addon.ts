// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Corefile, CorefileDirective, CorefileServerBlock, corefileToken } from './corefile';
import {
  absolutePath, addressInCidr, aliasFields, check, cidr, cidrPosition, corednsPlugin, ensure, ensureEach, ensureList,
  ensureOptional, imageReference, intInRange, invalid, ipAddress, ipv4Address, nonNegativeInt,
  nonNegativeQuantity, parseQuantity, pinnedImage, portNumber,
  isPrivateAddress, positiveInt, Problem, Rule,
} from '../../kubernetes/validation';
import { PodContainerPort, PodImagePullPolicy, PortProtocol } from '../../pod/container';
import { PodProbe } from '../../pod/probe';
import { Spread, TolerationOperator } from '../../pod/scheduling';
import { ContainerSecurity } from '../../pod/security';
import { buildPodTemplate, PodDnsPolicy, PodTemplateProps } from '../../pod/template';
import { PodVolume } from '../../pod/volume';
import { recordWorkload } from '../../workload/app-index';
import { addDisruptionBudget, DisruptionBudgetOptions } from '../../workload/disruption';
import { CLUSTER_DOMAIN_RULES, DEFAULT_CLUSTER_DOMAIN, declareClusterDomain, IDnsNamed, serviceFqdn } from '../../workload/dns';
import { objectMeta, resolveIdentity, WorkloadIdentity, WorkloadIdentityProps } from '../../workload/identity';
import { addClusterRoleForServiceAccount, addServiceAccount, PolicyRule, renderPolicyRules } from '../../workload/rbac';
import { addService } from '../../workload/service';
import { PodWorkloadBase } from '../../workload/workload-base';

/** The CoreDNS image of Kubernetes' addon (kubernetes/kubernetes cluster/addons/dns/coredns, commit 008b3652). */
const DEFAULT_COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.14.2';
/** The cluster-proportional-autoscaler image used when the autoscaler is enabled. */
const DEFAULT_DNS_AUTOSCALER_IMAGE = 'registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.10.3';

// Labels of Kubernetes' addon manager and legacy cluster tooling, as the upstream addon sets them.
const ADDON_MODE = 'addonmanager.kubernetes.io/mode';
const CLUSTER_SERVICE = { 'kubernetes.io/cluster-service': 'true' };
const BOOTSTRAPPING = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const DISPLAY_NAME = { 'kubernetes.io/name': 'CoreDNS' };

/** Requests of the upstream addon; the memory limit is the one parameter. */
const CPU_REQUEST = '100m';
const MEMORY_REQUEST = '70Mi';
const DEFAULT_MEMORY_LIMIT = '170Mi';
const CONFIG_VOLUME = 'config-volume';
const CONFIG_DIR = '/etc/coredns';
/** Ports CoreDNS's health and ready plugins listen on by default (the probes' targets). */
const HEALTH_PORT = 8080;
const READY_PORT = 8181;
const METRICS_PORT = 9153;
const PLUGIN_NAME = /^[a-z][a-z0-9_]*$/;

/** Linear parameters of the cluster-proportional-autoscaler that sizes the DNS Deployment. */
export interface DnsAutoscalerOptions {
  /** One replica per this many schedulable CPU cores. @default 256 */
  readonly coresPerReplica?: number;
  /** One replica per this many schedulable nodes. @default 16 */
  readonly nodesPerReplica?: number;
  /** Fewest replicas. @default - no floor (the autoscaler's own minimum of 1) */
  readonly min?: number;
  /** Most replicas. @default - no ceiling */
  readonly max?: number;
  /** At least two replicas once the cluster has more than one node. @default true */
  readonly preventSinglePointFailure?: boolean;
  /** Count unschedulable (cordoned) nodes too, so a drain does not shrink DNS. @default true */
  readonly includeUnschedulableNodes?: boolean;
  /** Autoscaler image; pin a tag. @default "registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.10.3" */
  readonly image?: string;
}

/** Props of {@link CoreDnsAddon}. `name` defaults to `coredns`, `namespace` to `kube-system`, `selectorLabels` to `{ "k8s-app": "kube-dns" }`. */
export interface CoreDnsAddonProps extends WorkloadIdentityProps {
  /**
   * The fixed cluster IP of the `kube-dns` Service: the address every kubelet's `--cluster-dns`
   * (`clusterDNS`) points pods at. IPv4 or IPv6.
   */
  readonly dnsServiceIp: string;
  /**
   * The API server's `--service-cluster-ip-range`. When given, `dnsServiceIp` must lie inside it and
   * must not be the range's network address, its first address (the `kubernetes` Service takes it) or,
   * for IPv4, its broadcast address.
   * @default - not checked
   */
  readonly serviceCidr?: string;
  /** The cluster domain, as kubelet's `--cluster-domain`. @default "cluster.local" */
  readonly clusterDomain?: string;
  /** Memory limit of each CoreDNS container (the upstream template's `__DNS__MEMORY__LIMIT__`). @default "170Mi" */
  readonly memoryLimit?: string;
  /** CoreDNS image; pin a tag or digest. @default "registry.k8s.io/coredns/coredns:v1.14.2" (upstream's pin) */
  readonly image?: string;
  /**
   * Replicas of the Deployment. Unset, as upstream, so an autoscaler (or `kubectl scale`) owns the
   * field and a GitOps sync does not reset it. Exclusive with `autoscaler`.
   * @default - unset (Kubernetes starts 1)
   */
  readonly replicas?: number;
  /**
   * Where queries outside the cluster domain go: resolver IPs (`IP`, `IP:port`, `[IPv6]:port`) or a resolv.conf path.
   * @default ["/etc/resolv.conf"]
   */
  readonly upstreamResolvers?: string[];
  /** Maximum seconds the `cache` plugin keeps answers. @default 30 */
  readonly cacheTtl?: number;
  /**
   * Zones answered by other DNS servers: zone -> resolver IPs. Each becomes its own server block with
   * `errors`, `cache` and `forward`.
   * @default - none
   */
  readonly stubDomains?: Record<string, string[]>;
  /**
   * Extra plugins for the main server block (e.g. `{ name: "log" }`), after the upstream ones. With the
   * default image each must be a plugin that image ships (its plugin.cfg), or CoreDNS exits at start.
   * @default - none
   */
  readonly extraPlugins?: CorefileDirective[];
  /** A PodDisruptionBudget over the CoreDNS pods. @default - none */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /** How replicas spread over nodes. @default Spread.preferDifferentNodes() (upstream's soft anti-affinity on hostname) */
  readonly spread?: Spread;
  /** Run the cluster-proportional-autoscaler for the Deployment's replicas. @default - none */
  readonly autoscaler?: DnsAutoscalerOptions;
  /**
   * Security context of the CoreDNS container.
   * @default ContainerSecurity.nonRoot({ addCapabilities: ["NET_BIND_SERVICE"] }) (user 65532, as CoreDNS images since 1.11 run)
   */
  readonly security?: ContainerSecurity;
  /** Add `addonmanager.kubernetes.io/mode` labels as upstream (Reconcile / EnsureExists). @default true */
  readonly addonManagerLabels?: boolean;
}

/**
 * The cluster DNS addon: Kubernetes' own CoreDNS addon (`cluster/addons/dns/coredns/coredns.yaml.base`)
 * as one validated construct instead of a template and a `sed` script. Renders, in `kube-system` by
 * default: ServiceAccount `coredns`, ClusterRole and ClusterRoleBinding `system:coredns`, ConfigMap
 * `coredns` with a Corefile rendered from a typed model, Deployment `coredns`, Service `kube-dns` with
 * the fixed cluster IP, and optionally a PodDisruptionBudget and the DNS horizontal autoscaler.
 */
export class CoreDnsAddon extends PodWorkloadBase implements IDnsNamed {
  /** The cluster domain CoreDNS serves (`cluster.local`); StatefulApp and smoke tests build pod names from it. */
  public readonly clusterDomain: string;
  /** The `kube-dns` Service's cluster IP (kubelet's `clusterDNS`). */
  public readonly dnsServiceIp: string;
  /** Namespace of every namespaced object. */
  public readonly namespace: string;
  /** Name of the DNS Service (`kube-dns`). */
  public readonly serviceName: string;
  /** `kube-dns.<namespace>.svc.<domain>`. */
  public readonly serviceDnsName: string;
  /** CoreDNS pods have no DNS names of their own: always empty. */
  public readonly podDnsNames: string[] = [];
  /** The Corefile model (rendered into the ConfigMap). */
  public readonly corefile: Corefile;
  /** The CoreDNS Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The `kube-dns` Service. */
  public readonly service: k8s.KubeService;
  /** The ConfigMap holding the Corefile. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The ServiceAccount CoreDNS runs as. */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** ClusterRole `system:coredns`: list/watch of what the kubernetes plugin serves. */
  public readonly clusterRole: k8s.KubeClusterRole;
  /** Binding of `system:coredns` to the ServiceAccount. */
  public readonly clusterRoleBinding: k8s.KubeClusterRoleBinding;
  /** The PodDisruptionBudget, when `disruptionBudget` is given. */
  public readonly podDisruptionBudget?: k8s.KubePodDisruptionBudget;
  /** The autoscaler's Deployment, when `autoscaler` is given. */
  public readonly autoscalerDeployment?: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: CoreDnsAddonProps) {
    // Upstream's names and selector unless given; props that are not an object are the base's error to report.
    super(scope, id, typeof props !== 'object' || props === null ? props : {
      ...props,
      name: props.name ?? 'coredns',
      namespace: props.namespace ?? 'kube-system',
      selectorLabels: props.selectorLabels ?? { 'k8s-app': 'kube-dns' },
    });
    const identity = this._identity;
    this.namespace = identity.namespace!;
    const mode = (value: string): Record<string, string> => (props.addonManagerLabels ?? true) ? { [ADDON_MODE]: value } : {};
    // Companions get the upstream labels of their kind; only the Deployment carries the user's annotations.
    const companion = (labels: Record<string, string>): WorkloadIdentity => ({
      ...identity, annotations: undefined, labels: { ...identity.labels, ...labels },
    });

    this.dnsServiceIp = props.dnsServiceIp;
    checkDnsServiceIp(this, props.dnsServiceIp, props.serviceCidr);
    // The domain this DNS serves is the app's: every construct that names DNS without a domain uses it.
    const domainValid = checkDomain(this, 'clusterDomain', props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
    this.clusterDomain = declareClusterDomain(this, 'clusterDomain', props.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN);
    // A bad domain is reported above, with its field; the Corefile is built with the default so it adds no error without a path.
    const corefileDomain = domainValid ? this.clusterDomain : DEFAULT_CLUSTER_DOMAIN;
    const memoryLimit = checkedMemoryLimit(this, props.memoryLimit);
    const image = ensure(this, 'image', props.image ?? DEFAULT_COREDNS_IMAGE, imageReference, pinnedImage(DEFAULT_COREDNS_IMAGE));
    checkReplicas(this, props);

    this.corefile = buildCorefile(this, props, corefileDomain, image === DEFAULT_COREDNS_IMAGE);
    const serviceAccountName = identity.name;

    this.serviceAccount = addServiceAccount(this, 'ServiceAccount', companion({ ...CLUSTER_SERVICE, ...mode('Reconcile') }), serviceAccountName);

    const rbac = addCoreDnsRbac(this, companion({ ...BOOTSTRAPPING, ...mode('Reconcile') }), `system:${identity.name}`, serviceAccountName, props.addonManagerLabels ?? true);
    this.clusterRole = rbac.role;
    this.clusterRoleBinding = rbac.binding;

    this.configMap = new k8s.KubeConfigMap(this, 'ConfigMap', {
      metadata: objectMeta(companion(mode('EnsureExists')), identity.name),
      data: { Corefile: this.corefile.render() },
    });

    const pod = corednsPod(identity.name, image, memoryLimit, props.security);
    if (props.security) aliasFields(this, { 'containers[0].security': 'security' });
    const template = buildPodTemplate(this, pod, {
      selectorLabels: identity.selectorLabels,
      labels: identity.labels,
      spread: props.spread ?? Spread.preferDifferentNodes(),
    });
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: objectMeta({ ...identity, labels: { ...identity.labels, ...CLUSTER_SERVICE, ...mode('Reconcile'), ...DISPLAY_NAME } }),
      spec: {
        replicas: props.replicas,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        selector: { matchLabels: { ...identity.selectorLabels } },
        template,
      },
    });
    recordWorkload(this.deployment, identity.selectorLabels, template);

    this.serviceName = 'kube-dns';
    this.service = addService(this, 'Service', companion({ ...CLUSTER_SERVICE, ...mode('Reconcile'), ...DISPLAY_NAME }), pod, {
      name: this.serviceName,
      clusterIp: this.dnsServiceIp,
      ports: COREDNS_PORTS.map((p) => ({ port: p.number, name: p.name, protocol: p.protocol })),
      annotations: { 'prometheus.io/port': `${METRICS_PORT}`, 'prometheus.io/scrape': 'true' },
      field: 'service.ports',
    });
    this.serviceDnsName = serviceFqdn(this.serviceName, this.namespace, this.clusterDomain);

    if (props.disruptionBudget) {
      this.podDisruptionBudget = addDisruptionBudget(this, 'DisruptionBudget', companion({}), props.disruptionBudget, props.replicas);
    }
    if (props.autoscaler) {
      this.autoscalerDeployment = addAutoscaler(this, props.autoscaler, {
        namespace: this.namespace, target: identity.name, labels: props.labels, mode,
      });
    }
  }
}

/** The ports CoreDNS serves, the same on the container and the Service. */
const COREDNS_PORTS: readonly PodContainerPort[] = [
  { number: 53, name: 'dns', protocol: PortProtocol.UDP },
  { number: 53, name: 'dns-tcp', protocol: PortProtocol.TCP },
  { number: METRICS_PORT, name: 'metrics', protocol: PortProtocol.TCP },
];

/** Zero replicas is a cluster without DNS (every lookup of every pod fails); with an autoscaler, none at all. */
function checkReplicas(where: Construct, props: CoreDnsAddonProps): void {
  ensureOptional(where, 'replicas', props.replicas, intInRange(1, 2 ** 31 - 1, 'use at least 1 (upstream runs 2), or the autoscaler'));
  if (props.replicas !== undefined && props.autoscaler) {
    invalid(where, 'replicas', props.replicas, 'the autoscaler owns the replica count, so a fixed value would fight it on every sync', 'drop replicas or the autoscaler');
  }
}

/**
 * The DNS Service IP: an address inside serviceCidr when one is given; without it the range check cannot run, and a
 * public address is never a cluster's Service range, so that is refused.
 */
function checkDnsServiceIp(where: Construct, dnsServiceIp: string, serviceCidr: string | undefined): void {
  const ipValid = check(where, 'dnsServiceIp', dnsServiceIp, ipAddress);
  if (serviceCidr !== undefined && check(where, 'serviceCidr', serviceCidr, cidr) && ipValid) ensureServiceIpInCidr(where, dnsServiceIp, serviceCidr);
  if (serviceCidr === undefined && ipValid && !isPrivateAddress(dnsServiceIp)) {
    invalid(where, 'dnsServiceIp', dnsServiceIp, 'is a public address, and Service IPs come from the cluster\'s private service CIDR (none was given to check it against)',
      'use the address kube-apiserver\'s --service-cluster-ip-range reserves for DNS (e.g. "10.96.0.10"), and give serviceCidr so it is checked');
  }
}

/**
 * The memory limit, checked here under the addon's own prop; a bad one gives way to the default so the
 * pod layer does not report the same mistake again under a container field the user never set.
 */
function checkedMemoryLimit(where: Construct, given: string | undefined): string {
  let memoryLimit = given ?? DEFAULT_MEMORY_LIMIT;
  if (!check(where, 'memoryLimit', memoryLimit, nonNegativeQuantity)) {
    memoryLimit = DEFAULT_MEMORY_LIMIT;
  } else if (parseQuantity(memoryLimit) < parseQuantity(MEMORY_REQUEST)) {
    invalid(where, 'memoryLimit', memoryLimit, `is below the ${MEMORY_REQUEST} memory request; Kubernetes rejects requests above limits`, `use at least "${MEMORY_REQUEST}" (upstream's default is "${DEFAULT_MEMORY_LIMIT}")`);
    memoryLimit = DEFAULT_MEMORY_LIMIT;
  }
  return memoryLimit;
}

/** The CoreDNS pod as upstream's addon runs it. */
function corednsPod(name: string, image: string, memoryLimit: string, security: ContainerSecurity | undefined): PodTemplateProps {
  return {
    containers: [{
      name: 'coredns',
      image,
      imagePullPolicy: PodImagePullPolicy.IF_NOT_PRESENT,
      args: ['-conf', `${CONFIG_DIR}/Corefile`],
      ports: [...COREDNS_PORTS],
      // No CPU limit, as upstream: throttling a DNS server shows up as lookup timeouts cluster-wide.
      resources: { cpuRequest: CPU_REQUEST, memoryRequest: MEMORY_REQUEST, memoryLimit },
      omitCpuLimit: true,
      livenessProbe: PodProbe.httpGet({
        path: '/health',
        port: HEALTH_PORT,
        scheme: 'HTTP',
        initialDelaySeconds: 60,
        timeoutSeconds: 5,
        successThreshold: 1,
        failureThreshold: 5,
      }),
      readinessProbe: PodProbe.httpGet({ path: '/ready', port: READY_PORT, scheme: 'HTTP' }),
      volumeMounts: [{ volume: CONFIG_VOLUME, mountPath: CONFIG_DIR, readOnly: true }],
      security: security ?? ContainerSecurity.nonRoot({ addCapabilities: ['NET_BIND_SERVICE'] }),
    }],
    volumes: [PodVolume.fromConfigMapName(CONFIG_VOLUME, { configMapName: name, items: { Corefile: 'Corefile' } })],
    serviceAccountName: name,
    // The kubernetes plugin talks to the API server.
    automountServiceAccountToken: true,
    priorityClassName: 'system-cluster-critical',
    tolerations: [{ key: 'CriticalAddonsOnly', operator: TolerationOperator.EXISTS }],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    // The DNS server resolves upstream through the node's resolv.conf, not through itself.
    dnsPolicy: PodDnsPolicy.DEFAULT,
  };
}

/** The ClusterRole CoreDNS's kubernetes plugin needs, bound to its ServiceAccount. */
function addCoreDnsRbac(where: Construct, identity: WorkloadIdentity, roleName: string, serviceAccountName: string, addonManagerLabels: boolean) {
  // The kubernetes plugin watches these to answer for Services, endpoints and pods; nothing more.
  const rules: PolicyRule[] = [
    { apiGroups: [''], resources: ['endpoints', 'services', 'pods', 'namespaces'], verbs: ['list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
  ];
  const rbac = addClusterRoleForServiceAccount(where, identity, {
    roleName, serviceAccountName, rules, field: 'clusterRole.rules', nameField: 'clusterRole.name (from name)',
  });
  // Upstream lets admins edit the binding (EnsureExists) and marks it for RBAC auto-update.
  if (addonManagerLabels) rbac.binding.metadata.addLabel(ADDON_MODE, 'EnsureExists');
  rbac.binding.metadata.addAnnotation('rbac.authorization.kubernetes.io/autoupdate', 'true');
  return rbac;
}

/** A DNS domain: the shared cluster-domain rule, with a precise hint for '_' (the shared hint would also turn dots into dashes). */
/** A domain CoreDNS serves or forwards must be a cluster domain without '_'; false when it was reported. */
function checkDomain(where: Construct, field: string, domain: string): boolean {
  const noUnderscore: Rule<string> = (d) => typeof d === 'string' && d.includes('_')
    ? { reason: "'_' is not allowed in DNS-1123 names", fix: `try "${d.replace(/_/g, '-').replace(/\.+$/, '')}"` }
    : undefined;
  return check(where, field, domain, noUnderscore, ...CLUSTER_DOMAIN_RULES);
}

function ensureServiceIpInCidr(where: Construct, ip: string, range: string): void {
  const position = cidrPosition(ip, range);
  // kubeadm's convention: the tenth address of the range.
  const example = position.size > 16n ? addressInCidr(range, 10n) : undefined;
  const fix = example ? `use an address inside it, e.g. "${example}"` : 'use an address inside it';
  if (!position.inside) {
    invalid(where, 'dnsServiceIp', ip, `is outside serviceCidr "${range}", so the API server rejects the Service`, fix);
  }
  if (position.offset === 0n) invalid(where, 'dnsServiceIp', ip, `is the network address of serviceCidr "${range}", which is never allocated`, fix);
  if (position.offset === 1n) invalid(where, 'dnsServiceIp', ip, `is the first address of serviceCidr "${range}", which the API server gives the "kubernetes" Service`, fix);
  const isIpv4 = ipv4Address(ip) === undefined;
  if (isIpv4 && position.offset === position.size - 1n) {
    invalid(where, 'dnsServiceIp', ip, `is the broadcast address of serviceCidr "${range}", which is never allocated`, fix);
  }
  // Kubernetes 1.28's Service IP allocator keeps a bitmap of at most 65536 addresses per IPv6 range:
  // a fixed IP beyond it is "not in the valid range", however large the CIDR.
  if (!isIpv4 && position.offset > IPV6_ALLOCATABLE_OFFSET) {
    invalid(where, 'dnsServiceIp', ip, `lies beyond the first ${IPV6_ALLOCATABLE_OFFSET} addresses of serviceCidr "${range}", the only ones the API server allocates from an IPv6 range`,
      `use one of those, e.g. "${addressInCidr(range, 10n)}"`);
  }
}

/** Highest offset in an IPv6 service range that the 1.28 allocator serves (its bitmap holds 65536 bits, the network address excluded). */
const IPV6_ALLOCATABLE_OFFSET = 65535n;

/** A resolver address: `IP`, `IP:port`, `[IPv6]:port`. */
const resolverAddress: Rule<string> = (value) => {
  const withPort = /^\[(.+)\]:(\d+)$/.exec(value) ?? /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(value);
  const problem: Problem | undefined = withPort
    ? ipAddress(withPort[1]) ?? portNumber(Number(withPort[2]))
    : ipAddress(value);
  return problem ? { reason: `is not a resolver address (IP, IP:port or [IPv6]:port): ${problem.reason}`, fix: problem.fix } : undefined;
};

/** An upstream resolver: a resolver address or a resolv.conf path. */
const upstreamResolver: Rule<string> = (value) => value.startsWith('/') ? absolutePath(value) : resolverAddress(value);

function ensureResolvers(where: Construct, field: string, resolvers: readonly string[], rule: Rule<string>, fix: string): string[] {
  const list = ensureList(where, field, resolvers);
  if (list.length === 0) invalid(where, field, [], 'needs at least one resolver, or every query for it fails', fix);
  // Only valid resolvers go into the Corefile, so rendering it goes on to report the other mistakes.
  return list.filter((r, i) => check(where, `${field}[${i}]`, r, rule));
}

/** The Corefile of the upstream addon, with this addon's parameters. */
function buildCorefile(where: Construct, props: CoreDnsAddonProps, clusterDomain: string, defaultImage: boolean): Corefile {
  const resolvers = ensureResolvers(where, 'upstreamResolvers', props.upstreamResolvers ?? ['/etc/resolv.conf'], upstreamResolver,
    'give resolver IPs or "/etc/resolv.conf"');
  const cacheTtl = `${ensure(where, 'cacheTtl', props.cacheTtl ?? 30, positiveInt)}`;

  const main: CorefileDirective[] = [
    { name: 'errors' },
    { name: 'health', block: [{ name: 'lameduck', args: ['5s'] }] },
    { name: 'ready' },
    {
      name: 'kubernetes',
      args: [clusterDomain, 'in-addr.arpa', 'ip6.arpa'],
      block: [
        { name: 'pods', args: ['insecure'] },
        { name: 'fallthrough', args: ['in-addr.arpa', 'ip6.arpa'] },
        { name: 'ttl', args: ['30'] },
      ],
    },
    { name: 'prometheus', args: [`:${METRICS_PORT}`] },
    { name: 'forward', args: ['.', ...resolvers], block: [{ name: 'max_concurrent', args: ['1000'] }] },
    { name: 'cache', args: [cacheTtl] },
    { name: 'loop' },
    { name: 'reload' },
    { name: 'loadbalance' },
  ];
  const builtIn = new Set(main.map((d) => d.name));
  ensureEach('extraPlugins', props.extraPlugins, (d, f) => {
    if (!PLUGIN_NAME.test(d.name)) invalid(where, `${f}.name`, d.name, 'must be a CoreDNS plugin name (lower case letters, digits, "_")', 'e.g. "log" or "rewrite"');
    // A custom image may be built with other plugins; the pinned one ships exactly COREDNS_PLUGINS.
    else if (defaultImage) ensure(where, `${f}.name`, d.name, corednsPlugin);
    if (builtIn.has(d.name)) {
      invalid(where, `${f}.name`, d.name, 'is already in the main server block (most plugins may appear once per block)', 'use the dedicated prop (upstreamResolvers, cacheTtl, ...) instead');
    }
    // A directive with a token the Corefile cannot hold stays out, so rendering goes on to report the rest.
    if (directiveTokensValid(where, f, d)) main.push(d);
  });

  const servers: CorefileServerBlock[] = [{ zones: ['.'], port: 53, directives: main }];
  for (const zone of Object.keys(props.stubDomains ?? {}).sort()) {
    const field = `stubDomains["${zone}"]`;
    // An invalid zone is reported with its field and left out of the Corefile, whose own error would have no path.
    if (!checkDomain(where, `${field} zone`, zone)) continue;
    if (zone === clusterDomain || zone.endsWith(`.${clusterDomain}`)) {
      invalid(where, `${field} zone`, zone, `lies in the cluster domain "${clusterDomain}", which the kubernetes plugin answers`, 'forward a zone outside the cluster domain');
    }
    const stubResolvers = ensureResolvers(where, field, props.stubDomains![zone], resolverAddress, 'give the IPs of the DNS servers for this zone, e.g. ["10.150.0.1"]');
    servers.push({
      zones: [zone],
      port: 53,
      directives: [{ name: 'errors' }, { name: 'cache', args: [cacheTtl] }, { name: 'forward', args: ['.', ...stubResolvers] }],
    });
  }
  return new Corefile(servers);
}

function directiveTokensValid(where: Construct, field: string, d: CorefileDirective): boolean {
  let valid = check(where, `${field}.name`, d.name, corefileToken);
  ensureEach(`${field}.args`, d.args, (arg, f) => { valid = check(where, f, arg, corefileToken) && valid; });
  ensureEach(`${field}.block`, d.block, (child, f) => { valid = directiveTokensValid(where, f, child) && valid; });
  return valid;
}

interface AutoscalerContext {
  readonly namespace: string;
  /** Name of the Deployment it scales. */
  readonly target: string;
  readonly labels?: Record<string, string>;
  readonly mode: (value: string) => Record<string, string>;
}

/**
 * Kubernetes' dns-horizontal-autoscaler addon, least-privilege: node list/watch cluster-wide (to count
 * nodes and cores) and, in the namespace only, its own ConfigMap and the target's scale subresource.
 */
function addAutoscaler(parent: Construct, options: DnsAutoscalerOptions, ctx: AutoscalerContext): k8s.KubeDeployment {
  const scope = new Construct(parent, 'Autoscaler');
  const name = 'kube-dns-autoscaler';
  const identity = resolveIdentity(scope, { name, namespace: ctx.namespace, labels: ctx.labels, selectorLabels: { 'k8s-app': name } });
  const labelled: WorkloadIdentity = { ...identity, labels: { ...identity.labels, ...ctx.mode('Reconcile') } };

  const positive = (field: string, value: number | undefined, fallback: number): number => {
    if (!(Number.isFinite(value ?? fallback) && (value ?? fallback) > 0)) invalid(scope, `autoscaler.${field}`, value, 'must be a number above 0', `use a value like ${fallback}`);
    return value ?? fallback;
  };
  const coresPerReplica = positive('coresPerReplica', options.coresPerReplica, 256);
  const nodesPerReplica = positive('nodesPerReplica', options.nodesPerReplica, 16);
  ensureOptional(scope, 'autoscaler.min', options.min, nonNegativeInt);
  ensureOptional(scope, 'autoscaler.max', options.max, positiveInt);
  if (options.min !== undefined && options.max !== undefined && options.min > options.max) {
    invalid(scope, 'autoscaler.min', options.min, `is above autoscaler.max (${options.max})`, 'lower min or raise max');
  }
  const image = ensure(scope, 'autoscaler.image', options.image ?? DEFAULT_DNS_AUTOSCALER_IMAGE, imageReference, pinnedImage(DEFAULT_DNS_AUTOSCALER_IMAGE));
  // Fixed key order keeps the rendered JSON byte-identical between syntheses.
  const linear = {
    coresPerReplica,
    nodesPerReplica,
    min: options.min,
    max: options.max,
    preventSinglePointFailure: options.preventSinglePointFailure ?? true,
    includeUnschedulableNodes: options.includeUnschedulableNodes ?? true,
  };
  new k8s.KubeConfigMap(scope, 'ConfigMap', { metadata: objectMeta(labelled), data: { linear: JSON.stringify(linear) } });

  addServiceAccount(scope, 'ServiceAccount', labelled);
  addClusterRoleForServiceAccount(scope, labelled, {
    roleName: `system:${name}`,
    serviceAccountName: name,
    rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }],
    field: 'autoscaler.clusterRole.rules',
    nameField: 'autoscaler.clusterRole.name',
  });
  new k8s.KubeRole(scope, 'Role', {
    metadata: objectMeta(labelled, `system:${name}`),
    rules: renderPolicyRules(scope, 'autoscaler.role.rules', [
      { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'update'], resourceNames: [ctx.target] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: [name] },
    ]),
  });
  new k8s.KubeRoleBinding(scope, 'RoleBinding', {
    metadata: objectMeta(labelled, `system:${name}`),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `system:${name}` },
    subjects: [{ kind: 'ServiceAccount', name, namespace: ctx.namespace }],
  });

  const template = buildPodTemplate(scope, {
    containers: [{
      name: 'autoscaler',
      image,
      command: [
        '/cluster-proportional-autoscaler',
        `--namespace=${ctx.namespace}`,
        `--configmap=${name}`,
        `--target=deployment/${ctx.target}`,
        '--logtostderr=true',
        '--v=2',
      ],
      resources: { cpuRequest: '20m', memoryRequest: '10Mi', memoryLimit: '64Mi' },
      omitCpuLimit: true,
      // "nobody", the user upstream's fsGroup/supplementalGroups point at; the binary needs no files.
      security: ContainerSecurity.nonRoot({ user: 65534 }),
    }],
    serviceAccountName: name,
    automountServiceAccountToken: true,
    priorityClassName: 'system-cluster-critical',
    tolerations: [{ key: 'CriticalAddonsOnly', operator: TolerationOperator.EXISTS }],
    nodeSelector: { 'kubernetes.io/os': 'linux' },
  }, { selectorLabels: identity.selectorLabels, labels: identity.labels });
  const deployment = new k8s.KubeDeployment(scope, 'Resource', {
    metadata: objectMeta({ ...labelled, labels: { ...labelled.labels, ...CLUSTER_SERVICE } }),
    spec: { selector: { matchLabels: { ...identity.selectorLabels } }, template },
  });
  recordWorkload(deployment, identity.selectorLabels, template);
  return deployment;
}
