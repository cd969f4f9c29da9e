// Layer constructs/<family>/: one construct family. May import kubernetes/, pod/, workload/ and its own family, never another family.
import { addWarning, cidr, ensure, ensureList, invalid, ipAddress, isIpv6, Problem, Rule, statedReason, Where, WorkloadsError } from '../../kubernetes/validation';

/**
 * One client entry of an `/etc/exports` line: `<cidr>(<options>)`.
 *
 * The default options are the tutorial's `rw,no_root_squash`. Do not switch to `root_squash` for
 * volumes that pods write as root: the server maps root to `nobody`, so `chown` (which many database
 * and web images run on their data directory at start) fails with "Operation not permitted".
 */
export interface NfsExportClient {
  /**
   * Clients allowed to mount: an IPv4/IPv6 address or CIDR range (`192.168.41.0/24`, `fd00::/64`), a host
   * name (`node1.example.com`, wildcards `*.example.com`), an NIS netgroup (`@k8s-nodes`), or `*` for every host.
   */
  readonly cidr: string;
  /**
   * Export options (exports(5)), e.g. `['rw', 'sync', 'no_subtree_check', 'no_root_squash']`.
   * `root_squash` breaks `chown` by root in pods; keep `no_root_squash` for volumes pods chown.
   * @default ['rw', 'no_root_squash']
   */
  readonly options?: string[];
  /**
   * Why this export is risky and still right: required when it is writable by everyone (`*`,
   * `0.0.0.0/0`, `::/0` with `rw`) or keeps root (`no_root_squash`) for a wide range (IPv4 wider
   * than /16, IPv6 wider than /48). At least 10 characters, not a placeholder; kept as an annotation
   * on the PersistentVolumes and as a comment in the exports file.
   * @default - no risky export
   */
  readonly reason?: string;
}

/** The tutorial's export options. @internal */
const DEFAULT_EXPORT_OPTIONS = ['rw', 'no_root_squash'];

// exports(5) of nfs-utils 2.x: flags, and the options that take a value.
const FLAGS = new Set([
  'rw', 'ro', 'sync', 'async', 'secure', 'insecure', 'wdelay', 'no_wdelay', 'hide', 'nohide', 'crossmnt',
  'subtree_check', 'no_subtree_check', 'secure_locks', 'auth_nlm', 'insecure_locks', 'no_auth_nlm', 'mp',
  'mountpoint', 'pnfs', 'no_pnfs', 'security_label', 'root_squash', 'no_root_squash', 'all_squash',
  'no_all_squash', 'nordirplus',
]);
const VALUED: Record<string, RegExp> = {
  anonuid: /^\d+$/,
  anongid: /^\d+$/,
  fsid: /^(root|\d+|[0-9a-fA-F-]{8,})$/,
  sec: /^(sys|krb5|krb5i|krb5p)(:(sys|krb5|krb5i|krb5p))*$/,
  mp: /^\/\S*$/,
  mountpoint: /^\/\S*$/,
  refer: /^\/\S*@\S+$/,
  replicas: /^\/\S*@\S+$/,
  xprtsec: /^(none|tls|mtls)(:(none|tls|mtls))*$/,
};
// Options that contradict each other: the later one silently wins in exportfs, so one of them is a mistake.
const OPPOSITES: Array<[string, string]> = [
  ['rw', 'ro'], ['sync', 'async'], ['secure', 'insecure'], ['wdelay', 'no_wdelay'], ['hide', 'nohide'],
  ['subtree_check', 'no_subtree_check'], ['root_squash', 'no_root_squash'], ['all_squash', 'no_all_squash'],
  ['pnfs', 'no_pnfs'], ['secure_locks', 'insecure_locks'], ['auth_nlm', 'no_auth_nlm'],
];

/** One NFS export option (`rw`, `no_root_squash`, `anonuid=1000`, `sec=krb5p`). */
const exportOption: Rule<string> = (value) => {
  const eq = value.indexOf('=');
  if (eq < 0) {
    if (FLAGS.has(value)) return undefined;
    const near = [...FLAGS, ...Object.keys(VALUED)].find((k) => k.replace(/_/g, '') === value.toLowerCase().replace(/[-_]/g, ''));
    return { reason: 'is not an NFS export option (see exports(5))', fix: near ? `try "${near}"` : 'use options like "rw", "sync", "no_subtree_check", "no_root_squash"' };
  }
  const key = value.slice(0, eq);
  const pattern = VALUED[key];
  if (!pattern) return { reason: `"${key}" is not an NFS export option that takes a value`, fix: `use one of ${Object.keys(VALUED).join(', ')}` };
  if (!pattern.test(value.slice(eq + 1))) return { reason: `has an invalid value for ${key}`, fix: `see exports(5) for ${key}=` };
  return undefined;
};

/** A list of export options: each known, none twice, no contradicting pair. */
const exportOptions: Rule<string[]> = (values) => {
  if (values.length === 0) return { reason: 'needs at least one option', fix: `use the default [${DEFAULT_EXPORT_OPTIONS.map((o) => `"${o}"`).join(', ')}]` };
  const keys = values.map((v) => v.split('=')[0]);
  for (const [a, b] of OPPOSITES) {
    if (keys.includes(a) && keys.includes(b)) return { reason: `"${a}" and "${b}" contradict each other`, fix: 'keep one of them' };
  }
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup !== undefined) return { reason: `"${dup}" is given twice`, fix: 'remove the duplicate' };
  return undefined;
};

// exports(5) machine names: a host name, optionally with `*` and `?` wildcards (`*.example.com`), or an NIS netgroup.
const HOST_NAME = /^(?=.{1,253}$)([A-Za-z0-9*?]([A-Za-z0-9*?-]{0,61}[A-Za-z0-9*?])?)(\.[A-Za-z0-9*?]([A-Za-z0-9*?-]{0,61}[A-Za-z0-9*?])?)*$/;
const NETGROUP = /^@[A-Za-z0-9_.-]+$/;

/** True when a client names hosts by pattern (wildcards, a netgroup): how many match is up to DNS or NIS. */
function isPatternClient(client: string): boolean {
  return client !== '*' && (/[*?]/.test(client) || client.startsWith('@'));
}

/**
 * An export client, as exports(5) takes it: an IPv4/IPv6 address or CIDR range, a host name (wildcards allowed:
 * `*.example.com`), an NIS netgroup (`@trusted`), or `*` (every host).
 */
const exportClient: Rule<string> = (value): Problem | undefined => {
  if (typeof value !== 'string') return { reason: 'must be an address, a CIDR, a host name or "*"', fix: 'e.g. "192.168.41.0/24" or "node1.example.com"' };
  if (value === '*' || NETGROUP.test(value)) return undefined;
  if (value.includes('/')) return cidr(value);
  if (/^[0-9.]+$/.test(value) || value.includes(':')) return ipAddress(value);
  return HOST_NAME.test(value) ? undefined : { reason: 'is not an address, a CIDR range, a host name or a netgroup', fix: 'e.g. "192.168.41.0/24", "node1.example.com" or "*.example.com"' };
};

const EVERYONE = new Set(['*', '0.0.0.0/0', '::/0']);
/** Shortest prefixes that are not "wide": a /16 is 65536 IPv4 hosts, a /48 a whole IPv6 site. */
const WIDE_BELOW = { ipv4: 16, ipv6: 48 };

/** What makes an export risky, or undefined: writable by everyone, or root kept for a wide range. @internal */
export function riskOf(client: string, options: readonly string[]): string | undefined {
  if (typeof client !== 'string' || !Array.isArray(options)) return undefined; // a wrong type is its own input error
  const everyone = EVERYONE.has(client);
  if (everyone && !options.includes('ro')) return 'is writable by every host that reaches the server';
  const prefix = client.includes('/') ? Number(client.slice(client.indexOf('/') + 1)) : undefined;
  if (isPatternClient(client) && options.includes('no_root_squash')) {
    return 'keeps root (no_root_squash) for every host the pattern or netgroup matches, so root on any of them owns the files';
  }
  const wide = everyone || (prefix !== undefined && prefix < (isIpv6(client) ? WIDE_BELOW.ipv6 : WIDE_BELOW.ipv4));
  if (wide && options.includes('no_root_squash')) return `keeps root (no_root_squash) for a wide range (wider than /${isIpv6(client) ? WIDE_BELOW.ipv6 : WIDE_BELOW.ipv4}), so root on any of those hosts owns the files`;
  return undefined;
}

/** Validates export clients and returns them with their default options filled in. @internal */
export function resolveExportClients(where: Where, field: string, clients: NfsExportClient[] | undefined): NfsExportClient[] | undefined {
  if (clients === undefined) return undefined;
  return ensureList(where, field, clients).map((c, i) => {
    const f = `${field}[${i}]`;
    const cidrProblem = exportClient(c.cidr);
    if (cidrProblem) invalid(where, `${f}.cidr`, c.cidr, cidrProblem.reason, cidrProblem.fix);
    const options = c.options ?? DEFAULT_EXPORT_OPTIONS;
    options.forEach((o, j) => {
      const p = exportOption(o);
      if (p) invalid(where, `${f}.options[${j}]`, o, p.reason, p.fix);
    });
    const listProblem = exportOptions(options);
    if (listProblem) invalid(where, `${f}.options`, options, listProblem.reason, listProblem.fix);
    // Risky exports are allowed only with a stated reason.
    const risk = riskOf(c.cidr, options);
    if (risk && c.reason === undefined) {
      invalid(where, `${f}.cidr`, c.cidr, `${risk} (with options ${options.join(',')}), a risky choice that needs a stated reason`,
        'narrow the range, use "ro" or "root_squash", or give reason');
    }
    if (!risk && c.reason !== undefined) {
      invalid(where, `${f}.reason`, c.reason, 'the export is neither open to everyone nor keeps root for a wide range, so there is nothing to justify', 'remove reason');
    }
    if (c.reason !== undefined) ensure(where, `${f}.reason`, c.reason, statedReason);
    // root_squash is exportfs' default, so leaving out no_root_squash squashes root too.
    if (typeof where !== 'string' && (!options.includes('no_root_squash') || options.includes('all_squash'))) {
      addWarning(where, `${f}.options`, options, {
        reason: 'squashes root to nobody on the server, so chown by root in a pod (common in database and web images) fails with "Operation not permitted"',
        fix: 'add "no_root_squash" if pods write the volume as root, or make sure they run as a user that owns the directory',
      });
    }
    return { cidr: c.cidr, options: [...options], reason: c.reason };
  });
}

/** What one exported directory needs: its path and clients, and who asked for it (for errors). @internal */
export interface ExportEntry {
  readonly path: string;
  readonly clients: NfsExportClient[] | undefined;
  /** `<construct path> volume <name>`, for error messages. */
  readonly owner: string;
}

/**
 * Renders `/etc/exports`: one line per exported path, in the order given, clients of volumes that share
 * a path merged. Throws when a volume has no clients or two volumes give one client different options.
 * @internal
 */
export function renderExports(server: string, entries: ExportEntry[]): string {
  const lines = new Map<string, Map<string, { options: string; owner: string; reason?: string }>>();
  for (const entry of entries) {
    if (!entry.clients || entry.clients.length === 0) {
      throw WorkloadsError.input(entry.owner, 'exports', undefined, {
        reason: `the exports file needs the clients allowed to mount ${entry.path}`,
        fix: 'set "exports" on the volume or the set, e.g. [{ cidr: "192.168.41.0/24" }]',
      });
    }
    const clients = lines.get(entry.path) ?? new Map();
    lines.set(entry.path, clients);
    for (const client of entry.clients) {
      const options = (client.options ?? DEFAULT_EXPORT_OPTIONS).join(',');
      const seen = clients.get(client.cidr);
      if (seen && seen.options !== options) {
        const reason = `${entry.path} is also exported to this client with "${seen.options}" by ${seen.owner}`;
        throw new WorkloadsError({ code: 'APP_CONFLICT', path: entry.owner, field: 'exports', value: client.cidr, reason, fix: 'give both the same options' });
      }
      clients.set(client.cidr, { options, owner: entry.owner, reason: client.reason ?? seen?.reason });
    }
  }
  const header = [
    `# /etc/exports on ${server}, generated by cdk8s-workloads (NfsVolumeSet): change the app, not this file.`,
    '# Apply with: exportfs -ra',
  ];
  const body = [...lines.entries()].flatMap(([path, clients]) => {
    const shown = /\s/.test(path) ? `"${path}"` : path;
    // Why a risky export is there, next to it, for whoever reviews the server's file.
    const why = [...clients.entries()].filter(([, { reason }]) => reason).map(([c, { reason }]) => `# ${c}: ${reason!.replace(/\s+/g, ' ')}`);
    return [...why, `${shown} ${[...clients.entries()].map(([c, { options }]) => `${c}(${options})`).join(' ')}`];
  });
  return [...header, ...body].join('\n') + '\n';
}
