// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { Problem, Rule, workloadsError } from './errors';

// Kubernetes' own patterns (k8s.io/apimachinery/pkg/util/validation), restated.
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
// resource.Quantity: a signed decimal number with an optional binary (Ki..Ei), decimal (n..E) or exponent suffix.
const QUANTITY = /^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;
// Go time.Duration as Kubernetes and CoreDNS parse it: 1h30m, 5s, 250ms.
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

export const DNS_LABEL_MAX = 63;
export const DNS_SUBDOMAIN_MAX = 253;
/** StatefulSet and CronJob names leave room for the suffixes controllers append (controller-revision-hash, job names). */
const WORKLOAD_NAME_MAX = 52;

/**
 * Turns an invalid name into the closest valid DNS-1123 label, for "try ..." hints.
 * `Web_1` -> `web-1`, `nginx-daemonSet` -> `nginx-daemonset`.
 */
export function suggestDnsLabel(value: string, max: number = DNS_LABEL_MAX): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
  return cleaned || 'name';
}

/**
 * `try "<candidate>"`, but only when the candidate differs from the rejected value and is itself valid;
 * otherwise the fallback (a suggestion that repeats the mistake helps nobody).
 */
export function suggestion(value: unknown, candidate: string, valid: (candidate: string) => boolean, fallback: string): string {
  return candidate !== value && valid(candidate) ? `try "${candidate}"` : fallback;
}

function nameRule(kind: string, pattern: RegExp, max: number, describe: string): Rule<string> {
  const fix = (value: string) => suggestion(value, suggestDnsLabel(value, max), (c) => pattern.test(c) && c.length <= max,
    `use ${describe}, e.g. "web-1"`);
  return (value) => {
    if (typeof value !== 'string') return { reason: `must be a ${kind} string`, fix: 'give a name like "web-1"' };
    if (value.length > max) {
      return { reason: `${kind} must be at most ${max} characters (it has ${value.length})`, fix: fix(value) };
    }
    if (!pattern.test(value)) {
      return { reason: `must be a ${kind} (${describe})`, fix: fix(value) };
    }
    return undefined;
  };
}

/** RFC 1123 label: pod host names, most object names that end up in DNS. */
export const dnsLabel: Rule<string> = nameRule('DNS-1123 label', DNS1123_LABEL, DNS_LABEL_MAX,
  "lower case letters, digits and '-', starting and ending with a letter or digit");

/** RFC 1035 label: Service names (must start with a letter). */
export function serviceName(value: string): Problem | undefined {
  const problem = nameRule('DNS-1035 label', DNS1035_LABEL, DNS_LABEL_MAX,
    "lower case letters, digits and '-', starting with a letter")(value);
  if (problem && /^[0-9]/.test(value)) {
    return { reason: problem.reason, fix: `start with a letter, e.g. "svc-${suggestDnsLabel(value, DNS_LABEL_MAX - 4)}"` };
  }
  return problem;
}

/** RFC 1123 subdomain: ConfigMaps, PVs, RBAC objects and most other names. */
export const dnsSubdomain: Rule<string> = nameRule('DNS-1123 subdomain', DNS1123_SUBDOMAIN, DNS_SUBDOMAIN_MAX,
  "lower case letters, digits, '-' and '.'");

/** A StatefulSet or CronJob name: a DNS-1123 label short enough for the controller's suffixes. */
export const workloadName: Rule<string> = (value) => {
  const base = dnsLabel(value);
  if (base) return base;
  if (value.length > WORKLOAD_NAME_MAX) {
    return {
      reason: `must be at most ${WORKLOAD_NAME_MAX} characters so the controller's suffixes fit in 63 (it has ${value.length})`,
      fix: `try "${suggestDnsLabel(value, WORKLOAD_NAME_MAX)}"`,
    };
  }
  return undefined;
};

/** RBAC names allow ':' (system:coredns) and most printable characters but not '/' or '%'. */
export const rbacName: Rule<string> = (value) => {
  if (value.length === 0 || value.length > DNS_SUBDOMAIN_MAX || /[/%]/.test(value) || value === '.' || value === '..') {
    return { reason: "must be a path segment name (no '/' or '%', 1-253 characters)", fix: 'use a name like "system:my-role"' };
  }
  return undefined;
};

/** A label or annotation key: optional DNS subdomain prefix + '/' + a qualified name of at most 63 characters. */
export const labelKey: Rule<string> = (value) => {
  const slash = value.lastIndexOf('/');
  const prefix = slash >= 0 ? value.slice(0, slash) : undefined;
  const name = slash >= 0 ? value.slice(slash + 1) : value;
  if (prefix !== undefined && (prefix.length === 0 || dnsSubdomain(prefix))) {
    return { reason: 'the prefix before "/" must be a DNS-1123 subdomain', fix: 'use a prefix like "example.com/"' };
  }
  if (name.length === 0 || name.length > DNS_LABEL_MAX || !QUALIFIED_NAME.test(name)) {
    return {
      reason: `the name part must be 1-${DNS_LABEL_MAX} characters of letters, digits, '-', '_', '.', starting and ending with a letter or digit`,
      fix: `try "${(prefix !== undefined ? prefix + '/' : '') + suggestDnsLabel(name)}"`,
    };
  }
  return undefined;
};

/** A label value: at most 63 characters, may be empty. */
export const labelValue: Rule<string> = (value) => {
  if (value.length > DNS_LABEL_MAX) {
    return { reason: `label values must be at most ${DNS_LABEL_MAX} characters (it has ${value.length})`, fix: `shorten it, e.g. "${suggestDnsLabel(value)}"` };
  }
  if (!LABEL_VALUE.test(value)) {
    return { reason: "label values may hold letters, digits, '-', '_', '.', starting and ending with a letter or digit", fix: `try "${suggestDnsLabel(value)}"` };
  }
  return undefined;
};

/** A Kubernetes quantity (`500Mi`, `2Gi`, `100m`, `1.5`). */
export const quantity: Rule<string> = (value) => {
  if (!QUANTITY.test(value)) {
    const hint = /^(\d+(\.\d+)?)([KMGTPE])B$/i.exec(value);
    return {
      reason: 'must be a Kubernetes quantity (a number with an optional suffix Ki, Mi, Gi, Ti, m, k, M, G, ...)',
      fix: hint ? `try "${hint[1]}${hint[3].toUpperCase()}i"` : 'try a value like "500Mi" or "2Gi"',
    };
  }
  return undefined;
};

/** A quantity that is not negative (sizes, requests, limits). */
export const nonNegativeQuantity: Rule<string> = (value) => {
  const base = quantity(value);
  if (base) return base;
  if (value.startsWith('-')) return { reason: 'must not be negative', fix: `try "${value.slice(1)}"` };
  return undefined;
};

/** A quantity that is greater than zero (storage sizes). */
export const positiveQuantity: Rule<string> = (value) => {
  const base = nonNegativeQuantity(value);
  if (base) return base;
  if (parseQuantity(value) === 0) return { reason: 'must be greater than zero', fix: 'try a value like "1Gi"' };
  return undefined;
};

const SUFFIX: Record<string, number> = {
  '': 1,
  'n': 1e-9,
  'u': 1e-6,
  'm': 1e-3,
  'k': 1e3,
  'M': 1e6,
  'G': 1e9,
  'T': 1e12,
  'P': 1e15,
  'E': 1e18,
  'Ki': 2 ** 10,
  'Mi': 2 ** 20,
  'Gi': 2 ** 30,
  'Ti': 2 ** 40,
  'Pi': 2 ** 50,
  'Ei': 2 ** 60,
};

/** The numeric value of a valid quantity, e.g. `2Gi` -> 2147483648. Throws for invalid input. */
export function parseQuantity(value: string): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(.*)$/.exec(value);
  if (!m || quantity(value)) throw workloadsError('INVALID_INPUT', 'quantity', `not a Kubernetes quantity: ${JSON.stringify(value)}`);
  const suffix = m[2];
  if (/^[eE]/.test(suffix)) return Number(m[1]) * 10 ** Number(suffix.slice(1));
  return Number(m[1]) * SUFFIX[suffix];
}

/** An IANA service name as Kubernetes requires for named ports: at most 15 characters, one letter at least, no "--". */
export const portName: Rule<string> = (value) => {
  if (typeof value !== 'string') return { reason: 'port names must be strings', fix: 'give a name like "http"' };
  const fix = suggestion(value, suggestDnsLabel(value, 15).replace(/--+/g, '-'),
    (c) => IANA_SVC_NAME.test(c) && /[a-z]/.test(c) && c.length <= 15, `use lower case letters and at least one letter, e.g. "p-${suggestDnsLabel(value, 13)}"`);
  if (value.length > 15) return { reason: `port names must be at most 15 characters (it has ${value.length})`, fix };
  if (!IANA_SVC_NAME.test(value) || value.includes('--') || !/[a-z]/.test(value)) {
    return { reason: "port names must be lower case letters, digits and '-', with at least one letter and no '--'", fix };
  }
  return undefined;
};

/** An integer within [min, max]. */
export function intInRange(min: number, max: number, fix?: string): Rule<number> {
  return (value) => (Number.isInteger(value) && value >= min && value <= max)
    ? undefined
    : { reason: `must be a whole number from ${min} to ${max}`, fix: fix ?? `use a value between ${min} and ${max}` };
}

export const portNumber: Rule<number> = intInRange(1, 65535, 'use a port between 1 and 65535');
export const nonNegativeInt: Rule<number> = intInRange(0, 2 ** 31 - 1, 'use 0 or a positive whole number');
export const positiveInt: Rule<number> = intInRange(1, 2 ** 31 - 1, 'use a positive whole number');

/** A Go duration (`5s`, `1m30s`, `250ms`), as CoreDNS and many controllers parse it. */
export const duration: Rule<string> = (value) => DURATION.test(value)
  ? undefined
  : { reason: 'must be a Go duration: numbers with units ns, us, ms, s, m, h', fix: 'try a value like "30s" or "5m"' };

/** A non-empty string. */
export const nonEmpty: Rule<string> = (value) => value.trim().length > 0
  ? undefined
  : { reason: 'must not be empty', fix: 'give a value' };

/** Shortest reason accepted for a risky choice: long enough to say why, not "x" or "TODO". */
const STATED_REASON_MIN = 10;
const PLACEHOLDER_REASON = /^(todo|tbd|fixme|xxx+|n\/?a|none|reason|because|test(ing)?|temp|wip|\.+|-+|\?+)$/i;

/**
 * The reason for a risky choice (running as root, host access, wide NFS exports, RBAC escalation, replacing an
 * immutable object): at least {@link STATED_REASON_MIN} characters and not a placeholder. Every `{ reason }`
 * option of the library checks it, and the reason is kept as an annotation (`REASON_ANNOTATION_PREFIX`).
 */
export const statedReason: Rule<string> = (value) => {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) return { reason: 'a risky choice needs a stated reason', fix: 'say why, e.g. "the image writes its PID file to /var/run"' };
  if (PLACEHOLDER_REASON.test(text) || /^(todo|tbd|fixme)\b/i.test(text) || text.length < STATED_REASON_MIN) {
    return { reason: `is a placeholder, not a reason (at least ${STATED_REASON_MIN} characters that say why)`, fix: 'say why the workload needs it, e.g. "node metrics come from the host network namespace"' };
  }
  return undefined;
};

/** An absolute path, no '..' segments. */
export const absolutePath: Rule<string> = (value) => {
  if (!value.startsWith('/')) return { reason: 'must be an absolute path', fix: `try "/${value.replace(/^\.?\/*/, '')}"` };
  if (value.split('/').includes('..')) return { reason: "must not contain '..'", fix: 'use the resolved path' };
  return undefined;
};

/** A container image reference (`nginx:1.15.4`, `registry.k8s.io/coredns/coredns:v1.11.1`, `perl`). */
export const imageReference: Rule<string> = (value) => {
  if (!/^[a-z0-9]+([._\-/]*[a-z0-9]+)*(:\d+)?([._\-/]*[a-z0-9]+)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/.test(value)) {
    return { reason: 'is not a valid image reference', fix: 'use "registry/name:tag", e.g. "nginx:1.25.3"' };
  }
  return undefined;
};

/** True when an image has no tag or digest, or uses `latest`: it changes under you. */
export function isUnpinnedImage(value: string): boolean {
  const lastSegment = value.slice(value.lastIndexOf('/') + 1);
  return !value.includes('@') && (!lastSegment.includes(':') || lastSegment.endsWith(':latest'));
}

/** Rejects an image without a tag or digest, or `:latest`; `example` is a pinned reference for the hint. */
export function pinnedImage(example: string): Rule<string> {
  return (value) => isUnpinnedImage(value)
    ? { reason: 'is not pinned to a tag or digest (no tag, or ":latest"), so two syncs may run different images', fix: `pin it, e.g. "${example}"` }
    : undefined;
}

/** Host paths whose mount gives a container control of the node (kube-linter's sensitive-host-mounts, extended). */
const SENSITIVE_EXACT = ['/', '/bin', '/lib', '/lib64', '/sbin', '/usr', '/var', '/var/run', '/run', '/var/run/docker.sock',
  '/run/containerd/containerd.sock', '/var/run/containerd/containerd.sock', '/var/run/crio/crio.sock', '/run/crio/crio.sock'];
const SENSITIVE_TREES = ['/boot', '/dev', '/etc', '/proc', '/sys', '/root', '/var/lib/kubelet', '/var/lib/docker', '/var/lib/containerd',
  '/etc/kubernetes', '/run/containerd', '/var/run/containerd'];

/** True when mounting this host path exposes the node's configuration, processes, devices or container runtime. */
export function isSensitiveHostPath(path: string): boolean {
  if (typeof path !== 'string') return false; // a wrong type is its own input error
  // `//`, `/./` and a trailing `/` name the same directory.
  const p = (path.replace(/\/+/g, '/').replace(/\/\.(?=\/|$)/g, '').replace(/(.)\/$/, '$1')) || '/';
  return SENSITIVE_EXACT.includes(p) || SENSITIVE_TREES.some((t) => p === t || p.startsWith(`${t}/`));
}

/**
 * One of an enum's values: JavaScript and jsii-language callers, and values read from configuration, can pass
 * any string (protocol "udp" for `PortProtocol.UDP`). The fix names the intended value when only the case differs.
 */
export function oneOf(values: Record<string, string | number>): Rule<string> {
  const allowed = Object.values(values).filter((v): v is string => typeof v === 'string');
  return (value) => {
    if (allowed.includes(value)) return undefined;
    const sameCase = typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
    return {
      reason: `is not one of the allowed values (${allowed.map((a) => JSON.stringify(a)).join(', ')})`,
      fix: sameCase !== undefined ? `use "${sameCase}"` : `use one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
    };
  };
}
