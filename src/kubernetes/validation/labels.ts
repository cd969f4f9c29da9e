// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { invalid, report, Where } from './errors';
import { annotationsSize } from './fields';
import { labelKey, labelValue } from './rules';

/** Validates a label map (labels, selectors, node selectors); the error names the offending key. */
export function ensureLabels(where: Where, field: string, labels: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = labelKey(key);
    if (keyProblem) {
      report(where, `${field} key`, key, keyProblem);
      continue;
    }
    const valueProblem = typeof value === 'string'
      ? labelValue(value)
      : { reason: 'label values must be strings', fix: `quote it: "${String(value)}"` };
    if (valueProblem) report(where, `${field}["${key}"]`, value, valueProblem);
  }
}

/** Validates annotation keys, that values are strings, and the 256 KiB the API server allows in all. */
export function ensureAnnotations(where: Where, field: string, annotations: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(annotations ?? {})) {
    const keyProblem = labelKey(key);
    if (keyProblem) report(where, `${field} key`, key, keyProblem);
    else if (typeof value !== 'string') report(where, `${field}["${key}"]`, value, { reason: 'annotation values must be strings', fix: `quote it: "${String(value)}"` });
  }
  const sizeProblem = annotationsSize(annotations ?? {});
  if (sizeProblem) report(where, field, `${Object.keys(annotations ?? {}).length} annotations`, sizeProblem);
}

/**
 * A user's labels may not silently lose to labels the library sets: a key the library manages with
 * another value is rejected, the same way for workload labels, selector labels and pod labels.
 * `managed` maps each managed key to its value and to why it is fixed. The same value is accepted.
 */
export function ensureManagedLabelsKept(
  where: Where, field: string, labels: Record<string, string> | undefined,
  managed: Record<string, { readonly value: string; readonly why: string; readonly fix: string }>,
): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const m = managed[key];
    if (m && m.value !== value) {
      invalid(where, `${field}["${key}"]`, value, `${m.why} (${key}=${m.value})`, m.fix);
    }
  }
}
