import { formatInputError, Where } from './errors';
import { labelKey, labelValue } from './rules';

/** Validates a label map (labels, selectors, node selectors); the error names the offending key. */
export function ensureLabels(where: Where, field: string, labels: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = labelKey(key);
    if (keyProblem) throw new Error(formatInputError(where, `${field} key`, key, keyProblem));
    const valueProblem = typeof value === 'string'
      ? labelValue(value)
      : { reason: 'label values must be strings', fix: `quote it: "${String(value)}"` };
    if (valueProblem) throw new Error(formatInputError(where, `${field}["${key}"]`, value, valueProblem));
  }
}

/** Validates annotation keys (values are free text). */
export function ensureAnnotations(where: Where, field: string, annotations: Record<string, string> | undefined): void {
  for (const key of Object.keys(annotations ?? {})) {
    const keyProblem = labelKey(key);
    if (keyProblem) throw new Error(formatInputError(where, `${field} key`, key, keyProblem));
  }
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
      throw new Error(formatInputError(where, `${field}["${key}"]`, value, { reason: `${m.why} (${key}=${m.value})`, fix: m.fix }));
    }
  }
}
