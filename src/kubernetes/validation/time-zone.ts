// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { Rule } from './errors';

// Kubernetes' own check of each name component (batch validation, after the IANA naming rules).
const COMPONENT = /^[A-Za-z.\-_0-9+]{1,14}$/;

let knownZones: string[] | undefined;

/** Zones whose name ends like `value` ("berlin" -> "Europe/Berlin"), for "try ..." hints. */
function suggestZone(value: string): string | undefined {
  knownZones ??= Intl.supportedValuesOf('timeZone');
  const wanted = value.toLowerCase().replace(/ /g, '_');
  return knownZones.find((z) => z.toLowerCase() === wanted)
    ?? knownZones.find((z) => z.toLowerCase().endsWith(`/${wanted.slice(wanted.lastIndexOf('/') + 1)}`));
}

function hint(value: string): string {
  const suggestion = suggestZone(value);
  return suggestion ? `try "${suggestion}"` : 'use a name from the IANA database, e.g. "Etc/UTC" or "Europe/Berlin"';
}

/**
 * An IANA time zone name for a CronJob's `timeZone`, checked as the API server checks it (name
 * components, no `Local`) and against the IANA database as Node's ICU knows it. The cluster loads
 * the zone from its own tz database, which can be older than Node's.
 */
export const ianaTimeZone: Rule<string> = (value) => {
  if (typeof value !== 'string' || value.length === 0) {
    return { reason: 'must be a time zone name', fix: 'e.g. "Etc/UTC" or "Europe/Berlin", or leave timeZone unset' };
  }
  if (value.toLowerCase() === 'local') {
    return { reason: '"Local" means the controller\'s own zone, which the API server rejects', fix: 'name the zone, e.g. "Etc/UTC"' };
  }
  const parts = value.split('/');
  if (parts.some((p) => p === '.' || p === '..' || p.startsWith('-') || !COMPONENT.test(p))) {
    return { reason: 'is not an IANA time zone name (components of letters, ".", "-", "_", at most 14 characters each)', fix: hint(value) };
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return { reason: 'is not in the IANA time zone database', fix: hint(value) };
  }
  // ICU matches names case-insensitively; the cluster's tz database (files) does not.
  if (resolved.toLowerCase() === value.toLowerCase() ? resolved !== value : parts.some((p) => !/^[A-Z]/.test(p))) {
    return { reason: 'time zone names are case-sensitive on the cluster', fix: hint(value) };
  }
  return undefined;
};
