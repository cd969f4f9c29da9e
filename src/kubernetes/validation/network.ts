// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { Problem, Rule, workloadsError } from './errors';

// IP addresses and CIDRs as Kubernetes parses them (Go's net/netip): IPv4 dotted quads without leading
// zeros (Kubernetes rejects "010.0.0.1" for new objects because it is ambiguous), IPv6 in any RFC 4291 text form.

/** An IP address as bytes: 4 for IPv4, 16 for IPv6. */
type Bytes = number[];

const IPV4_EXAMPLE = 'use four numbers from 0 to 255, e.g. "10.0.0.10"';
const IPV6_EXAMPLE = 'use eight groups of up to four hex digits, "::" for one run of zero groups, e.g. "fd00:10:96::a"';

/** Why a string is not an IPv4 address, or its bytes. */
function ipv4(value: string): Bytes | Problem {
  const parts = value.split('.');
  if (parts.length !== 4) return { reason: `an IPv4 address has four dot-separated numbers (this has ${parts.length})`, fix: IPV4_EXAMPLE };
  const bytes: Bytes = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return { reason: `"${part}" is not a number from 0 to 255`, fix: IPV4_EXAMPLE };
    if (part.length > 1 && part.startsWith('0')) return { reason: `"${part}" has a leading zero, which Kubernetes rejects as ambiguous`, fix: `write it as "${Number(part)}"` };
    const n = Number(part);
    if (n > 255) return { reason: `${n} is above 255`, fix: IPV4_EXAMPLE };
    bytes.push(n);
  }
  return bytes;
}

/** Why a string is not an IPv6 address, or its bytes. */
function ipv6(value: string): Bytes | Problem {
  if (value.includes('%')) return { reason: 'zone indexes ("%eth0") are not allowed in Kubernetes addresses', fix: `drop "${value.slice(value.indexOf('%'))}"` };
  const halves = value.split('::');
  if (halves.length > 2) return { reason: '"::" may appear only once', fix: IPV6_EXAMPLE };
  const groups = (text: string): number[] | Problem => {
    if (text === '') return [];
    const out: number[] = [];
    const items = text.split(':');
    for (const [i, item] of items.entries()) {
      if (i === items.length - 1 && item.includes('.')) {
        const tail = ipv4(item);
        if (!Array.isArray(tail)) return tail;
        out.push(tail[0] * 256 + tail[1], tail[2] * 256 + tail[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) {
        out.push(parseInt(item, 16));
      } else {
        return { reason: `"${item}" is not a group of one to four hex digits`, fix: IPV6_EXAMPLE };
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  if (!Array.isArray(head)) return head;
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!Array.isArray(tail)) return tail;
  const count = head.length + tail.length;
  if (halves.length === 1 && count !== 8) return { reason: `an IPv6 address has eight groups (this has ${count})`, fix: IPV6_EXAMPLE };
  if (halves.length === 2 && count > 7) return { reason: '"::" must stand for at least one zero group', fix: IPV6_EXAMPLE };
  const all = [...head, ...new Array(8 - count).fill(0), ...tail];
  return all.flatMap((g) => [Math.floor(g / 256), g % 256]);
}

/** The bytes of an IPv4 or IPv6 address, or why it is neither. */
function parseIp(value: string): Bytes | Problem {
  if (value.includes(':')) return ipv6(value);
  return ipv4(value);
}

/** An IPv4 address (`10.0.0.2`). */
export const ipv4Address: Rule<string> = (value) => {
  const r = ipv4(value);
  return Array.isArray(r) ? undefined : r;
};

/** An IPv4 or IPv6 address. */
export const ipAddress: Rule<string> = (value) => {
  const r = parseIp(value);
  return Array.isArray(r) ? undefined : r;
};

/** True for IPv6 text (valid or not); IPv4 otherwise. */
export function isIpv6(value: string): boolean {
  return value.includes(':');
}

/** A CIDR range (`10.0.0.0/24`, `fd00:10:96::/108`). Host bits may be set, as Go's ParseCIDR allows. */
export const cidr: Rule<string> = (value) => {
  const slash = value.indexOf('/');
  if (slash < 0) return { reason: 'a CIDR needs a prefix length after "/"', fix: `try "${value}/${isIpv6(value) ? 64 : 24}"` };
  const address = parseIp(value.slice(0, slash));
  if (!Array.isArray(address)) return address;
  const bits = address.length * 8;
  const prefix = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) {
    return { reason: `the prefix length must be a number from 0 to ${bits}`, fix: `try "${value.slice(0, slash)}/${bits === 32 ? 24 : 64}"` };
  }
  return undefined;
};

/** Where an address lies relative to a CIDR. */
export interface CidrPosition {
  /** True when the address is in the range (same family, same prefix). */
  readonly inside: boolean;
  /** The address's offset from the range's first address; only meaningful when inside. */
  readonly offset: bigint;
  /** Number of addresses in the range. */
  readonly size: bigint;
}

function toBigInt(bytes: Bytes): bigint {
  return bytes.reduce((acc, b) => acc * 256n + BigInt(b), 0n);
}

function fromBigInt(n: bigint, length: number): Bytes {
  const out: Bytes = [];
  for (let i = 0; i < length; i++) {
    out.unshift(Number(n % 256n));
    n /= 256n;
  }
  return out;
}

function format(bytes: Bytes): string {
  if (bytes.length === 4) return bytes.join('.');
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] * 256 + bytes[i + 1]).toString(16));
  // RFC 5952: compress the longest run (two or more) of zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function parseValid(value: string, rule: Rule<string>): Bytes {
  const r = parseIp(value);
  if (!Array.isArray(r) || rule(value)) throw workloadsError('INVALID_INPUT', 'address', `not valid: ${JSON.stringify(value)}`);
  return r;
}

/** Where a valid address lies in a valid CIDR. Throws for invalid input. */
export function cidrPosition(address: string, range: string): CidrPosition {
  const [base, prefixText] = range.split('/');
  const ip = parseValid(address, ipAddress);
  const net = parseValid(base, ipAddress);
  if (cidr(range)) throw workloadsError('INVALID_INPUT', 'address', `not a CIDR: ${JSON.stringify(range)}`);
  const bits = net.length * 8;
  const hostBits = BigInt(bits - Number(prefixText));
  const size = 2n ** hostBits;
  if (ip.length !== net.length) return { inside: false, offset: 0n, size };
  const first = (toBigInt(net) / size) * size;
  const offset = toBigInt(ip) - first;
  return { inside: offset >= 0n && offset < size, offset, size };
}

/** The address at `offset` in a valid CIDR (`10.96.0.0/12`, 10 -> `10.96.0.10`). */
export function addressInCidr(range: string, offset: bigint): string {
  const [base, prefixText] = range.split('/');
  const net = parseValid(base, ipAddress);
  const hostBits = BigInt(net.length * 8 - Number(prefixText));
  const size = 2n ** hostBits;
  const first = (toBigInt(net) / size) * size;
  return format(fromBigInt(first + offset, net.length));
}


/** Ranges every cluster installer draws Service IPs from: RFC 1918, carrier-grade NAT (RFC 6598), IPv6 unique local. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];

/** True when a valid address lies in a private range (see PRIVATE_RANGES); false for public or malformed ones. */
export function isPrivateAddress(address: string): boolean {
  if (typeof address !== 'string' || ipAddress(address)) return false;
  return PRIVATE_RANGES.filter((r) => isIpv6(r) === isIpv6(address)).some((r) => cidrPosition(address, r).inside);
}
