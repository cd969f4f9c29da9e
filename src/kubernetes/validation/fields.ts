// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { Rule } from './errors';
import { ipAddress } from './network';
import { DNS_SUBDOMAIN_MAX, dnsSubdomain, labelKey, quantity } from './rules';

// Field rules of the Kubernetes 1.28 API server (pkg/apis/core/validation), restated one rule per field so the
// pod layer, every construct and the server-side manifest rules (manifest.ts) check them the same way.

/** True when a string holds a whitespace or control character (they corrupt paths and /etc/exports lines). */
function hasControlOrSpace(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\s\u0000-\u001f\u007f]/.test(value);
}

/**
 * A relative path inside a volume: volumeMount `subPath`, ConfigMap/Secret/projected `items[].path`.
 * Not absolute and no `..` segment (validateLocalDescendingPath); the API server also refuses empty item paths.
 */
export const relativePath: Rule<string> = (value) => {
  if (typeof value !== 'string' || value.length === 0) return { reason: 'must be a relative path', fix: 'give a path like "config/app.yaml"' };
  if (value.startsWith('/')) return { reason: 'must be a relative path, not absolute', fix: `try "${value.replace(/^\/+/, '') || 'data'}"` };
  if (value.split(/[\\/]/).includes('..')) return { reason: "must not contain a '..' segment (it would leave the volume)", fix: 'name a path inside the volume' };
  return undefined;
};

/** A volumeMount `subPathExpr`: a relative path that may hold `$(VAR)` references to the container's env. */
export const subPathExpression: Rule<string> = (value) => {
  const base = relativePath(value);
  if (base) return base;
  if (/\$\((?![A-Za-z_][A-Za-z0-9_]*\))/.test(value)) return { reason: 'has a malformed $(VAR) reference', fix: 'write references as $(POD_NAME)' };
  return undefined;
};

/**
 * An NFS export path: absolute, no '..', and no character that would split or end the line of /etc/exports the
 * set renders: newlines, tabs and other whitespace, control characters, or a double quote. A plain space is
 * allowed, because the exports renderer quotes such paths (`"/srv/my data"`), as exportfs reads them.
 */
export const nfsPath: Rule<string> = (value) => {
  if (typeof value !== 'string' || !value.startsWith('/')) return { reason: 'must be an absolute path', fix: `try "/${String(value ?? '').replace(/^\.?\/*/, '')}"` };
  if (hasControlOrSpace(value.replace(/ /g, '')) || value.includes('"')) {
    return {
      reason: 'must not hold newlines, tabs, other whitespace, control characters or \'"\' (they corrupt /etc/exports)',
      fix: `try "${value.replace(/[\s\u0000-\u001f\u007f"]+/g, '-')}"`,
    };
  }
  if (value.split('/').includes('..')) return { reason: "must not contain '..'", fix: 'use the resolved path' };
  return undefined;
};

/**
 * The pod fields the 1.28 downward API gives environment variables (validEnvDownwardAPIFieldPathExpressions,
 * plus subscripted labels and annotations). `status.hostIPs` is left out: in 1.28 it needs the alpha PodHostIPs
 * feature gate, which is off by default (beta and on from 1.29).
 */
const ENV_FIELD_PATHS: readonly string[] = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
  'status.hostIP', 'status.podIP', 'status.podIPs',
];

/** An env `fieldRef.fieldPath` (see {@link ENV_FIELD_PATHS}), or `metadata.labels['key']` / `metadata.annotations['key']`. */
export const envFieldPath: Rule<string> = (value) => {
  if (typeof value === 'string' && ENV_FIELD_PATHS.includes(value)) return undefined;
  const sub = typeof value === 'string' ? /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(value) : null;
  if (sub) {
    return labelKey(sub[2]) ? { reason: `names an invalid ${sub[1].slice(0, -1)} key "${sub[2]}"`, fix: `use a key like metadata.${sub[1]}['app.kubernetes.io/name']` } : undefined;
  }
  if (value === 'status.hostIPs') {
    return { reason: 'needs the PodHostIPs feature gate, off by default in Kubernetes 1.28', fix: 'use "status.hostIP"' };
  }
  const close = typeof value === 'string' && /^metadata\.(labels|annotations)$/.test(value) ? `name one key, e.g. "${value}['app']"` : undefined;
  return { reason: 'is not a pod field the downward API gives environment variables', fix: close ?? `use one of ${ENV_FIELD_PATHS.join(', ')}, metadata.labels['<key>'] or metadata.annotations['<key>']` };
};

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** A ConfigMap or Secret key (IsConfigMapKey): `[-._a-zA-Z0-9]+`, at most 253 characters, not `.` or `..`. */
export const configMapKey: Rule<string> = (value) => {
  if (typeof value !== 'string' || value.length === 0) return { reason: 'must be a key of letters, digits, "-", "_" or "."', fix: 'give a key like "config.yaml"' };
  if (value.length > DNS_SUBDOMAIN_MAX) return { reason: `must be at most ${DNS_SUBDOMAIN_MAX} characters (it has ${value.length})`, fix: 'shorten the key' };
  if (value === '.' || value === '..') return { reason: 'must not be "." or ".."', fix: 'give a key like "config.yaml"' };
  if (!CONFIG_MAP_KEY.test(value)) {
    const cleaned = value.replace(/[^-._a-zA-Z0-9]+/g, '_');
    return { reason: 'may hold only letters, digits, "-", "_" and "."', fix: cleaned !== value && cleaned !== '.' && cleaned !== '..' ? `try "${cleaned}"` : 'give a key like "config.yaml"' };
  }
  return undefined;
};

/** A Secret or ConfigMap name that a pod refers to: a DNS-1123 subdomain. */
export const objectReferenceName: Rule<string> = dnsSubdomain;

const RESOURCE_FIELDS = ['limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage'];

/** An env `resourceFieldRef.resource`: the container's CPU, memory, ephemeral storage or huge pages, limit or request. */
export const resourceFieldName: Rule<string> = (value) => {
  if (typeof value === 'string' && (RESOURCE_FIELDS.includes(value) || /^(limits|requests)\.hugepages-.+$/.test(value))) return undefined;
  return { reason: 'is not a container resource the downward API exposes', fix: `use one of ${RESOURCE_FIELDS.join(', ')}, or limits.hugepages-<size>` };
};

const CPU_DIVISORS = ['1m', '1'];
const BYTE_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];

/** The divisor of a resource field ref: `1m` or `1` for CPU; `1`, `1k`..`1E` or `1Ki`..`1Ei` for the others. */
export function resourceDivisor(resource: string): Rule<string> {
  const allowed = resource.endsWith('.cpu') ? CPU_DIVISORS : BYTE_DIVISORS;
  return (value) => (typeof value === 'string' && !quantity(value) && allowed.includes(value))
    ? undefined
    : { reason: `is not a divisor the API server accepts for ${resource}`, fix: `use one of ${allowed.join(', ')}` };
}

/**
 * Linux capability names (capabilities(7), Linux 6.x), as container runtimes take them: without the `CAP_`
 * prefix. containerd and CRI-O prepend `CAP_` to what the pod gives, so `CAP_CHOWN` would reach the runtime as
 * the unknown `CAP_CAP_CHOWN`; Kubernetes itself does not check the names, so a typo fails only at start.
 */
const LINUX_CAPABILITIES: readonly string[] = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

/** One Linux capability name from {@link LINUX_CAPABILITIES}, upper case, without `CAP_`. */
export const capabilityName: Rule<string> = (value) => {
  if (typeof value === 'string' && LINUX_CAPABILITIES.includes(value)) return undefined;
  const text = String(value);
  const bare = text.toUpperCase().replace(/^CAP_/, '');
  if (LINUX_CAPABILITIES.includes(bare)) {
    return { reason: 'capabilities are given upper case and without the CAP_ prefix (the runtime adds it)', fix: `use "${bare}"` };
  }
  return { reason: 'is not a Linux capability (capabilities(7))', fix: 'name one, e.g. "NET_BIND_SERVICE" or "CHOWN"' };
};

/** Limits of a pod's dnsConfig in 1.28 (validatePodDNSConfig). */
const MAX_DNS_NAMESERVERS = 3;
const MAX_DNS_SEARCHES = 32;
const MAX_DNS_SEARCH_CHARS = 2048;

/** A dnsConfig nameserver: an IPv4 or IPv6 address. */
export const dnsNameserver: Rule<string> = (value) => ipAddress(value);

/** A dnsConfig search domain: a DNS-1123 subdomain, optionally with one trailing dot. */
export const dnsSearchDomain: Rule<string> = (value) => {
  if (typeof value !== 'string') return { reason: 'must be a DNS name', fix: 'give a domain like "svc.cluster.local"' };
  const problem = dnsSubdomain(value.endsWith('.') ? value.slice(0, -1) : value);
  return problem ? { reason: `must be a DNS name: ${problem.reason}`, fix: problem.fix } : undefined;
};

/** A whole search list: at most 32 domains and 2048 characters joined by spaces. */
export const dnsSearchList: Rule<readonly string[]> = (value) => {
  if (value.length > MAX_DNS_SEARCHES) return { reason: `at most ${MAX_DNS_SEARCHES} search domains are allowed (it has ${value.length})`, fix: 'drop some' };
  const chars = value.join(' ').length;
  if (chars > MAX_DNS_SEARCH_CHARS) return { reason: `the search list must be at most ${MAX_DNS_SEARCH_CHARS} characters (it has ${chars})`, fix: 'drop or shorten domains' };
  return undefined;
};

/** A nameserver list: at most 3 (the resolver reads no more). */
export const dnsNameserverList: Rule<readonly string[]> = (value) => value.length > MAX_DNS_NAMESERVERS
  ? { reason: `at most ${MAX_DNS_NAMESERVERS} nameservers are allowed (it has ${value.length})`, fix: `keep ${MAX_DNS_NAMESERVERS}` }
  : undefined;

/** A resolver option name (`ndots`, `timeout`, `edns0`): required, one word. */
export const dnsOptionName: Rule<string> = (value) => (typeof value === 'string' && /^[A-Za-z0-9_-]+$/.test(value))
  ? undefined
  : { reason: 'must be a resolver option name', fix: 'use e.g. "ndots", "timeout" or "edns0"' };

/** The total size of an object's annotations (keys and values) the API server accepts: 256 KiB. */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** The annotations of one object stay within {@link TOTAL_ANNOTATION_SIZE_LIMIT} bytes (keys plus values). */
export const annotationsSize: Rule<Record<string, string>> = (value) => {
  let size = 0;
  for (const [k, v] of Object.entries(value)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  return size > TOTAL_ANNOTATION_SIZE_LIMIT
    ? { reason: `annotations may total at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes (256 KiB); these have ${size}`, fix: 'move large data into a ConfigMap' }
    : undefined;
};

/** A container exit code as a pod failure policy matches it: 0-255. */
export const exitCode: Rule<number> = (value) => (Number.isInteger(value) && value >= 0 && value <= 255)
  ? undefined
  : { reason: 'exit codes are whole numbers from 0 to 255', fix: 'use the code the container exits with, e.g. 42' };

/** The probe schemes the API server accepts. */
const PROBE_SCHEMES: readonly string[] = ['HTTP', 'HTTPS'];

/** An httpGet probe scheme: `HTTP` or `HTTPS`, upper case. */
export const probeScheme: Rule<string> = (value) => (typeof value === 'string' && PROBE_SCHEMES.includes(value))
  ? undefined
  : { reason: 'must be HTTP or HTTPS', fix: typeof value === 'string' && PROBE_SCHEMES.includes(value.toUpperCase()) ? `use "${value.toUpperCase()}"` : 'use "HTTP" or "HTTPS"' };

/** A non-empty command (exec probes, lifecycle hooks): at least one non-empty word. */
export const command: Rule<readonly string[]> = (value) => (Array.isArray(value) && value.length > 0 && typeof value[0] === 'string' && value[0].length > 0)
  ? undefined
  : { reason: 'needs a command to run', fix: 'give the program and its arguments, e.g. ["pg_isready", "-q"]' };

/**
 * The plugins compiled into the CoreDNS image the addon pins (`plugin.cfg` of CoreDNS v1.14.2). A Corefile that
 * names any other plugin makes the server exit at start.
 */
export const COREDNS_PLUGINS: readonly string[] = [
  'root', 'metadata', 'geoip', 'cancel', 'tls', 'quic', 'grpc_server', 'https', 'https3', 'timeouts', 'multisocket',
  'reload', 'nsid', 'bufsize', 'bind', 'debug', 'trace', 'ready', 'health', 'pprof', 'prometheus', 'errors', 'log',
  'dnstap', 'local', 'dns64', 'any', 'chaos', 'loadbalance', 'tsig', 'cache', 'rewrite', 'acl', 'header', 'dnssec',
  'autopath', 'minimal', 'template', 'transfer', 'hosts', 'route53', 'azure', 'clouddns', 'k8s_external',
  'kubernetes', 'file', 'auto', 'secondary', 'etcd', 'loop', 'forward', 'grpc', 'erratic', 'whoami', 'on', 'sign',
  'view', 'nomad',
];

/** A CoreDNS plugin the pinned image ships (see {@link COREDNS_PLUGINS}). */
export const corednsPlugin: Rule<string> = (value) => (typeof value === 'string' && COREDNS_PLUGINS.includes(value))
  ? undefined
  : { reason: 'is not a plugin of the pinned CoreDNS image (v1.14.2), so CoreDNS would exit at start', fix: closestPlugin(String(value)) };

function closestPlugin(value: string): string {
  const lower = value.toLowerCase().replace(/-/g, '_');
  if (lower !== value && COREDNS_PLUGINS.includes(lower)) return `use "${lower}"`;
  return 'use one of the image\'s plugins, e.g. "log", "rewrite" or "hosts"';
}
