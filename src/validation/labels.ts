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
