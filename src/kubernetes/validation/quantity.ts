// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { workloadsError } from './errors';
import { quantity } from './rules';

// The canonical text of a Kubernetes quantity, as the API server writes it back (apimachinery
// resource.Quantity: ParseQuantity, then CanonicalizeBytes). GitOps tools compare the manifest's text
// with the live object's text, so a manifest that says `1000m` where the server stores `1` is
// OutOfSync forever. Exact arithmetic with BigInt: the server never uses floating point here either.

const DECIMAL_SUFFIX: Record<string, number> = { 'n': -9, 'u': -6, 'm': -3, '': 0, 'k': 3, 'M': 6, 'G': 9, 'T': 12, 'P': 15, 'E': 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_BY_EXPONENT = new Map(Object.entries(DECIMAL_SUFFIX).map(([s, e]) => [e, s]));
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** The server caps binary-suffixed quantities at the largest int64. */
const MAX_BINARY = 2n ** 63n - 1n;
/** Exponents far past any real size; BigInt powers beyond this would only burn memory. */
const MAX_EXPONENT = 1000;

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Divides out every factor of `base`; returns the rest and how many were removed. */
function removeFactors(value: bigint, base: bigint): [bigint, number] {
  let times = 0;
  while (value !== 0n && value % base === 0n) {
    value /= base;
    times++;
  }
  return [value, times];
}

/**
 * The text the Kubernetes API server stores for a quantity: `1000m` -> `1`, `0.5` -> `500m`,
 * `1024Mi` -> `1Gi`, `1000M` -> `1G`, `1.5Gi` -> `1536Mi`, `1e3` stays `1e3`. Values finer than
 * a nano-unit round up (away from zero) to the next nano-unit, as the server rounds them; binary
 * quantities are capped at 2^63-1; a binary value below 1024, or one that is not whole, is written
 * in decimal form (`0.5Ki` -> `512`, `1.5Ki` -> `1536`... and `.001Ki` -> `1024m`).
 * Throws for text that is not a quantity (validate with the `quantity` rule first).
 */
export function canonicalQuantity(value: string): string {
  return canonical(value);
}

/**
 * The quantity to render: canonical when `value` is a quantity, else `value` as given. Constructs record a bad
 * quantity as an input error and go on building (all errors are reported at once), so rendering must not throw;
 * the synthesis fails before anything is written.
 */
export function renderedQuantity(value: string): string {
  return typeof value === 'string' && quantity(value) === undefined ? canonical(value) : value;
}

function canonical(value: string): string {
  if (quantity(value)) throw workloadsError('INVALID_INPUT', 'quantity', `not a Kubernetes quantity: ${JSON.stringify(value)}`);
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(value)!;
  const negative = m[1] === '-';
  const digits = (m[2] + (m[3] ?? '')).replace(/^0+/, '') || '0';
  const fractionDigits = (m[3] ?? '').length;
  const suffix = m[4];

  let format: Format;
  let exponent10 = 0; // decimal exponent of the suffix
  let power2 = 0; // binary exponent of the suffix
  if (suffix in BINARY_SUFFIX) {
    format = 'BinarySI';
    power2 = BINARY_SUFFIX[suffix];
  } else if (suffix in DECIMAL_SUFFIX) {
    format = 'DecimalSI';
    exponent10 = DECIMAL_SUFFIX[suffix];
  } else {
    format = 'DecimalExponent';
    exponent10 = Number(suffix.slice(1));
  }

  let mantissa = BigInt(digits);
  if (mantissa === 0n) return '0';
  // The value is mantissa * 2^power2 * 10^scale; bring it to whole nano-units, rounding up.
  const scale = exponent10 - fractionDigits;
  mantissa *= 2n ** BigInt(power2);
  let nanos: bigint;
  if (scale + 9 >= 0) {
    if (scale > MAX_EXPONENT) throw workloadsError('INVALID_INPUT', 'quantity', `quantity ${JSON.stringify(value)} is too large to be a real size`);
    nanos = mantissa * pow10(scale + 9);
  } else if (-(scale + 9) > digits.length + 20 + power2) {
    nanos = 1n; // far below one nano-unit: the server rounds any non-zero value up to 1n
  } else {
    const divisor = pow10(-(scale + 9));
    nanos = mantissa / divisor + (mantissa % divisor === 0n ? 0n : 1n);
  }
  if (format === 'BinarySI' && nanos > MAX_BINARY * 1_000_000_000n) nanos = MAX_BINARY * 1_000_000_000n;

  const sign = negative ? '-' : '';
  if (format === 'BinarySI') {
    // Binary form only for whole values of at least 1024 (1Ki); everything else is written as decimal.
    const whole = nanos % 1_000_000_000n === 0n;
    if (whole && nanos >= 1024n * 1_000_000_000n) {
      const [rest, times] = removeFactors(nanos / 1_000_000_000n, 1024n);
      return `${sign}${rest}${BINARY_BY_POWER[times]}`;
    }
    format = 'DecimalSI';
  }

  // Decimal: no trailing zeros in the mantissa, then the exponent down to a multiple of 3.
  let [rest, times] = removeFactors(nanos, 10n);
  let exponent = times - 9;
  const down = ((exponent % 3) + 3) % 3;
  rest *= pow10(down);
  exponent -= down;
  if (format === 'DecimalSI' && DECIMAL_BY_EXPONENT.has(exponent)) {
    return `${sign}${rest}${DECIMAL_BY_EXPONENT.get(exponent)}`;
  }
  // DecimalExponent, or a decimal value past E (10^18) that has no SI suffix.
  return `${sign}${rest}${exponent === 0 ? '' : `e${exponent}`}`;
}
