import { IConstruct } from 'constructs';

/**
 * What is wrong with a value and how to fix it. Rules return one of these, or `undefined` when the value is fine.
 */
export interface Problem {
  /** What the value breaks, e.g. "must be a DNS-1123 label (lower case, digits, '-')". */
  readonly reason: string;
  /** How to fix it, e.g. 'try "web-1"'. */
  readonly fix: string;
}

/** A check of one value. */
export type Rule<T> = (value: T) => Problem | undefined;

/** Where an error happened: a construct (its path is used) or a free-form location. */
export type Where = IConstruct | string;

function locate(where: Where): string {
  return typeof where === 'string' ? where : where.node.path || '<root>';
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return '(unset)';
  return JSON.stringify(value) ?? String(value);
}

/**
 * Formats an input error: `[path] field "value": reason; fix`.
 * Every input error of the library goes through here so they all read the same.
 */
export function formatInputError(where: Where, field: string, value: unknown, problem: Problem): string {
  return `[${locate(where)}] ${field} ${show(value)}: ${problem.reason}; ${problem.fix}`;
}

/** Throws an input error (see {@link formatInputError}). */
export function invalid(where: Where, field: string, value: unknown, reason: string, fix: string): never {
  throw new Error(formatInputError(where, field, value, { reason, fix }));
}

/**
 * Checks `value` against each rule in order and throws on the first problem.
 * @returns the value, so callers can validate and assign in one step.
 */
export function ensure<T>(where: Where, field: string, value: T, ...rules: Rule<T>[]): T {
  for (const rule of rules) {
    const problem = rule(value);
    if (problem) throw new Error(formatInputError(where, field, value, problem));
  }
  return value;
}

/** Like {@link ensure}, but only when the value is set. */
export function ensureOptional<T>(where: Where, field: string, value: T | undefined, ...rules: Rule<T>[]): T | undefined {
  return value === undefined ? undefined : ensure(where, field, value, ...rules);
}

/** Checks every entry of a list; the field name carries the index (`ports[2].name`). */
export function ensureEach<T>(field: string, values: readonly T[] | undefined, check: (item: T, field: string) => void): void {
  (values ?? []).forEach((item, i) => check(item, `${field}[${i}]`));
}

/** Throws when a list holds the same key twice. */
export function ensureUnique<T>(where: Where, field: string, items: readonly T[], key: (item: T) => string | undefined, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined) {
      invalid(where, `${field}[${i}]`, k, `duplicates ${field}[${first}] (${what} must be unique)`, 'rename or remove one of them');
    }
    seen.set(k, i);
  });
}

