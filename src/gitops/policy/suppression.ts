// Layer gitops/: synthesis, output directory, change guard, policy. May import kubernetes/ only.
import { Finding, PolicyObject, RuleDefinition } from './rules';

import { SUPPRESSION_ANNOTATION_PREFIX } from '../../kubernetes/metadata-keys';

/**
 * Prefix of the per-object suppression annotation: `cdk8s-workloads.dev/allow-<rule-id>: "<reason>"`
 * on the object's own `metadata.annotations`.
 */
export const SUPPRESSION_PREFIX = SUPPRESSION_ANNOTATION_PREFIX;

/** The suppressions one object declares, and the problems with its suppression annotations. */
export interface Suppressions {
  /** Rule id -> reason, for valid suppressions only. */
  readonly reasons: ReadonlyMap<string, string>;
  /** Findings of the `invalid-suppression` rule. */
  readonly problems: readonly Finding[];
}

/** Reads an object's suppression annotations against the known rules. */
export function suppressionsOf(object: PolicyObject, rules: ReadonlyMap<string, RuleDefinition>): Suppressions {
  const reasons = new Map<string, string>();
  const problems: Finding[] = [];
  const annotations: Record<string, unknown> = object.manifest.metadata?.annotations ?? {};
  for (const [key, value] of Object.entries(annotations)) {
    if (!key.startsWith(SUPPRESSION_PREFIX)) continue;
    const id = key.slice(SUPPRESSION_PREFIX.length);
    const path = `metadata.annotations.${key}`;
    const rule = rules.get(id);
    if (!rule) {
      problems.push({ path, message: `names no rule "${id}"`, fix: `use one of: ${[...rules.values()].filter((r) => r.suppressible).map((r) => r.id).join(', ')}` });
    } else if (!rule.suppressible) {
      problems.push({ path, message: `rule "${id}" cannot be suppressed per object (the API server rejects the object anyway)`, fix: 'fix the object, or disable the rule in the plugin properties' });
    } else if (typeof value !== 'string' || value.trim().length === 0) {
      problems.push({ path, message: `suppresses "${id}" without a reason`, fix: `give the reason as the annotation value, e.g. ${key}: "node agent needs it"` });
    } else {
      reasons.set(id, value.trim());
    }
  }
  return { reasons, problems };
}
