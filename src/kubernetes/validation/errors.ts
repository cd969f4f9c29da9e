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

/** What is wrong with one field of a final manifest: a server-side rule or the 1.28 schema it breaks. */
export interface ManifestProblem {
  /** JSON path of the field, e.g. `spec.template.spec.containers[0].foo`. */
  readonly path: string;
  /** What is wrong, and the fix where there is one. */
  readonly message: string;
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
 * What a {@link WorkloadsError} is about.
 * Part of WorkloadsError, which jsii cannot represent.
 * @jsii ignore
 */
export interface WorkloadsErrorDetails {
  /**
   * What kind of error: `INVALID_INPUT` (a value the library refuses), `APP_CONFLICT` (objects of the app that
   * cannot live together), `CDK8S_PLUS` (cdk8s-plus refused what it was given), `FOREIGN_VALIDATION` (a
   * validation message of a construct outside this library), `VALIDATION_FAILED` (a synthesis found errors:
   * see `problems`), `SYNTHESIS` (the GitOps pipeline refused to write), `INTERNAL` (a bug of the library), or
   * the operating system's code (`ENOTDIR`, `EACCES`, ...) for a `FileSystemError`.
   */
  readonly code: string;
  /** The construct path, or the location when there is no construct (`CronSchedule`, an output directory). */
  readonly path: string;
  /** The prop or field at fault. @default - none (the error is about the whole object) */
  readonly field?: string;
  /** The value at fault. @default - unset */
  readonly value?: unknown;
  /** What is wrong. */
  readonly reason: string;
  /** How to fix it. @default - none */
  readonly fix?: string;
  /** The errors one synthesis found, for `VALIDATION_FAILED`. @default - none */
  readonly problems?: readonly WorkloadsError[];
}

/**
 * The one error type of the library (docs/errors.md): every error it raises is one, with a code, the
 * construct path, the field, the value and a fix. Input errors read `[path] field "value": reason; fix`.
 * Thrown where a question has no answer (a static helper, a method called directly); otherwise recorded
 * on the construct and raised by the synthesis, all at once, as one `VALIDATION_FAILED` error whose
 * `problems` lists them.
 * jsii cannot represent Error subclasses: users of other languages receive the message.
 * @jsii ignore
 */
export class WorkloadsError extends Error {
  /** An input error: `[path] field "value": reason; fix`. */
  public static input(where: Where, field: string, value: unknown, problem: Problem): WorkloadsError {
    return new WorkloadsError({ code: 'INVALID_INPUT', path: locate(where), field, value, ...problem });
  }

  /** What kind of error (docs/errors.md, "Codes"). */
  public readonly code: string;
  /** The construct path, or the location when there is no construct. */
  public readonly path: string;
  /** The prop or field at fault; unset when the error is about a whole object. */
  public readonly field?: string;
  /** The value at fault, as given. */
  public readonly value?: unknown;
  /** What is wrong. */
  public readonly reason: string;
  /** How to fix it; unset when the error cannot say (a list, a broken promise of the library). */
  public readonly fix?: string;
  /** For `VALIDATION_FAILED`: every error the synthesis found; empty otherwise. */
  public readonly problems: readonly WorkloadsError[];

  /**
   * @param details what the error is about
   * @param message the text, when it is not `[path] field "value": reason; fix` (a list, a file problem)
   */
  constructor(details: WorkloadsErrorDetails, message?: string) {
    super(message ?? describe(details));
    this.name = 'WorkloadsError';
    this.code = details.code;
    this.path = details.path;
    this.field = details.field;
    this.value = details.value;
    this.reason = details.reason;
    this.fix = details.fix;
    this.problems = [...details.problems ?? []];
  }
}

function describe(d: WorkloadsErrorDetails): string {
  const fix = d.fix !== undefined ? `; ${d.fix}` : '';
  return d.field !== undefined ? `[${d.path}] ${d.field} ${show(d.value)}: ${d.reason}${fix}` : `[${d.path}] ${d.reason}${fix}`;
}

/**
 * An error whose text is not about one input (a file, a list of findings, a plan): the message stands as
 * the reason. @internal
 */
export function workloadsError(code: string, path: string, message: string): WorkloadsError {
  return new WorkloadsError({ code, path, reason: message }, message);
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
const recorded = new WeakMap<IConstruct, WorkloadsError[]>();
/** Per construct: the fields and the bad string values already reported, so one mistake is one error. */
const reportedKeys = new WeakMap<IConstruct, Set<string>>();

/**
 * Records an input error on the construct `where` (reported at synthesis), or throws it when `where`
 * is a free-form location (a static helper or a method the caller invoked directly, which has no synthesis).
 */
export function report(where: Where, rawField: string, value: unknown, problem: Problem): void {
  if (typeof where === 'string') throw WorkloadsError.input(where, rawField, value, problem);
  const field = aliased(where, rawField);
  let list = recorded.get(where);
  if (!list) {
    const problems: WorkloadsError[] = [];
    list = problems;
    recorded.set(where, problems);
    addLibraryValidation(where, 'INVALID_INPUT', () => problems);
  }
  // A value checked by several rules, or carried into derived fields (a name that also names the Service
  // and its ports), is one mistake: report it once, under the field the user set first.
  const keys = reportedKeys.get(where) ?? new Set<string>();
  reportedKeys.set(where, keys);
  const valueKey = typeof value === 'string' && value.length > 0 ? `value:${value}` : undefined;
  if (keys.has(`field:${field}`) || (valueKey && keys.has(valueKey))) return;
  keys.add(`field:${field}`);
  if (valueKey) keys.add(valueKey);
  list.push(WorkloadsError.input(where, field, value, problem));
}

/** The input errors recorded on a construct so far: a caller compares counts to skip work that would repeat one. */
export function recordedProblems(where: IConstruct): readonly WorkloadsError[] {
  return recorded.get(where) ?? [];
}

/** What the library raised on each construct, by validation message, so a synthesis can hand out the errors themselves. */
const raised = new WeakMap<IConstruct, Map<string, WorkloadsError>>();

/**
 * The validation message of an error raised on a construct (cdk8s prefixes "[path] " itself), remembered
 * so that {@link raisedError} finds the error again. Every message the library's validations return goes
 * through here. @internal
 */
export function raise(where: IConstruct, error: WorkloadsError): string {
  const message = error.message.startsWith(`[${error.path}] `) ? error.message.slice(error.path.length + 3) : error.message;
  let byMessage = raised.get(where);
  if (!byMessage) raised.set(where, byMessage = new Map());
  byMessage.set(message, error);
  return message;
}

/**
 * Adds a validation to a construct whose problems are errors of this library: each message that is not
 * yet a WorkloadsError (an app-wide finding, already worded `field "value": reason; fix`) becomes one
 * with `code`. The one way the library's constructs add validations. @internal
 */
export function addLibraryValidation(where: IConstruct, code: string, problems: () => ReadonlyArray<string | WorkloadsError>): void {
  where.node.addValidation({
    validate: () => problems().map((p) => raise(where, typeof p === 'string'
      ? new WorkloadsError({ code, path: where.node.path, reason: p }, `[${where.node.path}] ${p}`)
      : p)),
  });
}

/** The error behind a validation message of `where`, when this library raised it. @internal */
function raisedError(where: IConstruct, message: string): WorkloadsError | undefined {
  return raised.get(where)?.get(message);
}

/**
 * The one error a synthesis raises for everything validation found: `Validation failed with the following
 * errors:` and one `[path] message` line each (cdk8s' own wording), with every error in `problems`.
 * Messages the library did not raise (cdk8s-plus', a user's construct's) become `FOREIGN_VALIDATION` errors.
 * @internal
 */
export function validationFailed(found: ReadonlyArray<{ readonly where: IConstruct; readonly message: string }>): WorkloadsError {
  const problems = found.map(({ where, message }) => raisedError(where, message)
    ?? new WorkloadsError({ code: 'FOREIGN_VALIDATION', path: locate(where), reason: message }));
  const lines = found.map(({ where, message }) => `[${where.node.path}] ${message}`);
  return new WorkloadsError({ code: 'VALIDATION_FAILED', path: locate(found[0]?.where ?? '<root>'), reason: `${found.length} error(s)`, problems },
    `Validation failed with the following errors:\n  ${lines.join('\n  ')}`);
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
  throw WorkloadsError.input(where, field, value, { reason, fix });
}

/**
 * A construct's props, which JavaScript and jsii-language callers can leave out or pass as something else: nothing
 * can be built without them, so the error is thrown at once, with the construct path and the fix.
 */
export function ensureProps<T>(where: IConstruct, props: T): T {
  if (props === undefined || props === null || typeof props !== 'object' || Array.isArray(props)) {
    fail(where, 'props', props, 'must be an object of properties', `pass them as the third argument: new ${where.constructor.name}(scope, id, { ... })`);
  }
  return props;
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

