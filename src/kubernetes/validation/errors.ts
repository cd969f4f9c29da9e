// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
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
  // JSON would print these as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/**
 * Formats an input error: `[path] field "value": reason; fix`.
 * Every input error of the library goes through here so they all read the same.
 */
export function formatInputError(where: Where, field: string, value: unknown, problem: Problem): string {
  return `[${locate(where)}] ${field} ${show(value)}: ${problem.reason}; ${problem.fix}`;
}

/**
 * Input errors found on a construct, kept until synthesis. Recording instead of throwing lets one synthesis
 * report every mistake at once: `App.synth()`, `Testing.synth()` and `AppSynthesizer` all run
 * `node.validate()` on every construct and throw one error listing them all, before anything is written.
 */
const recorded = new WeakMap<IConstruct, string[]>();
/** Per construct: the fields and the bad string values already reported, so one mistake is one error. */
const reportedKeys = new WeakMap<IConstruct, Set<string>>();

/**
 * Records an input error on the construct `where` (reported at synthesis), or throws it when `where`
 * is a free-form location (a static helper or a method the caller invoked directly, which has no synthesis).
 */
export function report(where: Where, rawField: string, value: unknown, problem: Problem): void {
  if (typeof where === 'string') throw new Error(formatInputError(where, rawField, value, problem));
  const field = aliased(where, rawField);
  let list = recorded.get(where);
  if (!list) {
    const problems: string[] = [];
    list = problems;
    recorded.set(where, problems);
    // cdk8s prefixes each validation message with "[path] ", so the message leaves the path out.
    where.node.addValidation({ validate: () => [...problems] });
  }
  // A value checked by several rules, or carried into derived fields (a name that also names the Service
  // and its ports), is one mistake: report it once, under the field the user set first.
  const keys = reportedKeys.get(where) ?? new Set<string>();
  reportedKeys.set(where, keys);
  const valueKey = typeof value === 'string' && value.length > 0 ? `value:${value}` : undefined;
  if (keys.has(`field:${field}`) || (valueKey && keys.has(valueKey))) return;
  keys.add(`field:${field}`);
  if (valueKey) keys.add(valueKey);
  list.push(formatInputError(where, field, value, problem).slice(`[${locate(where)}] `.length));
}

const aliases = new WeakMap<IConstruct, Record<string, string>>();

/**
 * Names fields after the construct's own props: a construct that passes one of its props into a shared
 * layer (CoreDnsAddon's `security` becomes the pod layer's `containers[0].security`) registers
 * `{ 'containers[0].security': 'security' }`, and errors under that prefix read `security...`.
 */
export function aliasFields(where: IConstruct, map: Record<string, string>): void {
  aliases.set(where, { ...aliases.get(where), ...map });
}

function aliased(where: IConstruct, field: string): string {
  for (const [from, to] of Object.entries(aliases.get(where) ?? {})) {
    if (field === from || field.startsWith(from + '.') || field.startsWith(from + '[')) return to + field.slice(from.length);
  }
  return field;
}

/**
 * Reports an input error (see {@link report}). On a construct it is recorded and construction goes on,
 * so the caller must leave its state consistent after the call (skip the bad value or use a safe one).
 */
export function invalid(where: Where, field: string, value: unknown, reason: string, fix: string): void {
  report(where, field, value, { reason, fix });
}

/**
 * Throws an input error right away, for a question the caller asked directly (a getter or method whose
 * answer does not exist), where there is no synthesis to report it at.
 */
export function fail(where: Where, field: string, value: unknown, reason: string, fix: string): never {
  throw new Error(formatInputError(where, field, value, { reason, fix }));
}

/**
 * Checks `value` against each rule in order and reports the first problem (see {@link report}).
 * @returns the value, so callers can validate and assign in one step.
 */
export function ensure<T>(where: Where, field: string, value: T, ...rules: Rule<T>[]): T {
  check(where, field, value, ...rules);
  return value;
}

/**
 * Runs a rule on a value of any type: JavaScript and jsii callers can pass a number where a string belongs,
 * which would make a rule throw a TypeError instead of saying what is wrong.
 */
function apply<T>(rule: Rule<T>, value: T): Problem | undefined {
  try {
    return rule(value);
  } catch {
    return { reason: `has the wrong type (${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value})`, fix: 'give a value of the documented type' };
  }
}

/** True when `value` passes every rule; reports the first problem otherwise. */
export function check<T>(where: Where, field: string, value: T, ...rules: Rule<T>[]): boolean {
  for (const rule of rules) {
    const problem = apply(rule, value);
    if (problem) {
      report(where, field, value, problem);
      return false;
    }
  }
  return true;
}

/** A class, whatever its constructor's visibility (the library's factory classes have private constructors). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export type ClassOf<T> = Function & { readonly prototype: T };

/**
 * `value` when it is unset or made by the library's factory class, else `undefined` after reporting it: the
 * caller goes on as if the option were not given.
 */
export function ownInstance<T>(where: Where, field: string, value: T | undefined, type: ClassOf<T>, example: string): T | undefined {
  if (value === undefined) return undefined;
  return checkInstance(where, field, value, type, example) ? value : undefined;
}

/**
 * True when `value` was made by the library's factory class (`PodProbe.httpGet()`, `IntOrPercent.count()`, ...);
 * reports otherwise. A plain object or string in its place would fail later with a TypeError.
 */
export function checkInstance<T>(where: Where, field: string, value: unknown, type: ClassOf<T>, example: string): value is T {
  if (value instanceof type) return true;
  report(where, field, value, { reason: `must be a ${type.name}`, fix: `make one with ${example}` });
  return false;
}

/** Like {@link ensure}, but only when the value is set. */
export function ensureOptional<T>(where: Where, field: string, value: T | undefined, ...rules: Rule<T>[]): T | undefined {
  return value === undefined ? undefined : ensure(where, field, value, ...rules);
}

/**
 * A list prop as a list: unset or null is empty; anything else that is not an array (a JavaScript caller's string)
 * is reported and treated as empty, so construction goes on.
 */
export function ensureList<T>(where: Where, field: string, value: readonly T[] | undefined): readonly T[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  report(where, field, value, { reason: 'must be a list', fix: 'give an array, e.g. [ ... ]' });
  return [];
}

/** Checks every entry of a list; the field name carries the index (`ports[2].name`). */
export function ensureEach<T>(field: string, values: readonly T[] | undefined, visit: (item: T, field: string) => void): void {
  (Array.isArray(values) ? values : []).forEach((item, i) => visit(item, `${field}[${i}]`));
}

/** Reports when a list holds the same key twice. */
export function ensureUnique<T>(where: Where, field: string, items: readonly T[], key: (item: T) => string | undefined, what: string): void {
  const seen = new Map<string, number>();
  (Array.isArray(items) ? items : []).forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const first = seen.get(k);
    if (first !== undefined) {
      invalid(where, `${field}[${i}]`, k, `duplicates ${field}[${first}] (${what} must be unique)`, 'rename or remove one of them');
      return;
    }
    seen.set(k, i);
  });
}

