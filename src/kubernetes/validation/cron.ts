// Layer kubernetes/: what Kubernetes 1.28 accepts (validation, metadata keys, update rules, rendering). Imports nothing of ours.
import { Problem, Rule, WorkloadsError } from './errors';
import { ianaTimeZone } from './time-zone';

/*
 * CronJob schedules as Kubernetes reads them: robfig/cron v3's standard parser (5 fields, minute
 * precision, @-macros), restated so that a bad schedule fails at synth time with the field and the
 * reason instead of at `kubectl apply`. Deliberately stricter where robfig is lax or surprising:
 * `?` only in day-of-month/day-of-week, no empty list entries, no steps larger than the field's
 * range, no `@every`, no schedule that can never fire.
 */

interface FieldSpec {
  readonly name: string;
  readonly ordinal: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly allowQuestionMark: boolean;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', ordinal: '1st', min: 0, max: 59, allowQuestionMark: false },
  { name: 'hour', ordinal: '2nd', min: 0, max: 23, allowQuestionMark: false },
  { name: 'day-of-month', ordinal: '3rd', min: 1, max: 31, allowQuestionMark: true },
  { name: 'month', ordinal: '4th', min: 1, max: 12, names: MONTH_NAMES, allowQuestionMark: false },
  { name: 'day-of-week', ordinal: '5th', min: 0, max: 6, names: DAY_NAMES, allowQuestionMark: true },
];

/** The macros robfig/cron's standard parser accepts (case-sensitive), minus `@every`. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A parsed field: the values it matches, and whether it counts as `*` for the day-of-month/day-of-week rule. */
interface Field {
  readonly values: ReadonlySet<number>;
  readonly star: boolean;
}

/** A parsed schedule. @internal */
export interface ParsedCron {
  /** The 5-field form (macros expanded). */
  readonly fields: string;
  readonly minute: Field;
  readonly hour: Field;
  readonly dayOfMonth: Field;
  readonly month: Field;
  readonly dayOfWeek: Field;
}

type Parsed = { readonly cron: ParsedCron; readonly problem?: undefined } | { readonly cron?: undefined; readonly problem: Problem };

function fieldProblem(spec: FieldSpec, token: string, reason: string, fix: string): Problem {
  return { reason: `${spec.name} (${spec.ordinal} field) "${token}": ${reason}`, fix };
}

function rangeHint(spec: FieldSpec): string {
  const names = spec.names ? ` or ${spec.names[0].toUpperCase()}-${spec.names[spec.names.length - 1].toUpperCase()}` : '';
  return `${spec.min}-${spec.max}${names}`;
}

function parseValue(spec: FieldSpec, token: string, whole: string): number | Problem {
  const named = spec.names?.indexOf(token.toLowerCase()) ?? -1;
  if (named >= 0) return named + spec.min;
  if (!/^\d+$/.test(token)) {
    return fieldProblem(spec, whole, `"${token}" is not a number${spec.names ? ' or a name' : ''}`, `use ${rangeHint(spec)}`);
  }
  const value = Number(token);
  if (spec.name === 'day-of-week' && value === 7) {
    return fieldProblem(spec, whole, "7 is not a day: Kubernetes' cron parser (robfig/cron) accepts 0-6 only", 'use 0 or SUN for Sunday');
  }
  if (value < spec.min || value > spec.max) {
    return fieldProblem(spec, whole, `${value} is outside ${spec.min}-${spec.max}`, `use ${rangeHint(spec)}`);
  }
  return value;
}

function parseField(spec: FieldSpec, text: string): Field | Problem {
  const values = new Set<number>();
  let star = false;
  for (const part of text.split(',')) {
    if (part === '') {
      return fieldProblem(spec, text, 'has an empty list entry', 'remove the extra ","');
    }
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined) return fieldProblem(spec, part, 'has more than one "/"', 'write one step, e.g. "*/5"');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        return fieldProblem(spec, part, 'the step after "/" must be a positive whole number', 'e.g. "*/5"');
      }
      step = Number(stepText);
      if (step > spec.max - spec.min) {
        return fieldProblem(spec, part, `a step of ${step} is larger than the field's range ${spec.min}-${spec.max}, so it matches only ${spec.min}`,
          `write "${spec.min}" if that is meant; cron cannot express intervals that do not divide the ${spec.name} range`);
      }
    }
    let start: number;
    let end: number;
    let partIsStar = false;
    if (range === '*' || range === '?') {
      if (range === '?' && !spec.allowQuestionMark) {
        return fieldProblem(spec, part, '"?" is only meaningful in day-of-month and day-of-week', 'use "*"');
      }
      [start, end] = [spec.min, spec.max];
      partIsStar = true;
    } else {
      const bounds = range.split('-');
      if (bounds.length > 2 || bounds.some((b) => b === '')) {
        return fieldProblem(spec, part, 'a range is "low-high"', `e.g. "${spec.min}-${spec.max}"`);
      }
      const low = parseValue(spec, bounds[0], part);
      if (typeof low !== 'number') return low;
      const high = bounds.length === 2 ? parseValue(spec, bounds[1], part) : (stepText !== undefined ? spec.max : low);
      if (typeof high !== 'number') return high;
      if (low > high) {
        const show = (v: number) => (spec.names && !/^\d/.test(bounds[0]) ? spec.names[v - spec.min].toUpperCase() : String(v));
        const span = (a: number, b: number) => (a === b ? show(a) : `${show(a)}-${show(b)}`);
        return fieldProblem(spec, part, `the range starts at ${low} after its end ${high} (ranges do not wrap around)`,
          `split it into "${span(low, spec.max)},${span(spec.min, high)}"`);
      }
      [start, end] = [low, high];
    }
    for (let v = start; v <= end; v += step) values.add(v);
    // robfig/cron: `*` counts as a star unless it has a step above 1 (`*/2` restricts the day).
    if (partIsStar && step === 1) star = true;
  }
  return { values, star };
}

/** True when some calendar day matches the schedule's day-of-month, month and day-of-week. */
function canFire(dayOfMonth: Field, month: Field, dayOfWeek: Field): boolean {
  // With neither day field a star, a day matches when EITHER matches: every week has the weekday.
  // With day-of-month a star (all days), every weekday occurs in every month.
  if (!dayOfWeek.star || dayOfMonth.star) return true;
  // Only day-of-week is a star: some listed month must have one of the listed days (29 February counts).
  return [...month.values].some((m) => [...dayOfMonth.values].some((d) => d <= DAYS_IN_MONTH[m - 1]));
}

/** Parses a CronJob schedule; returns the parsed form or what is wrong with it. @internal */
function parseCron(expression: string): Parsed {
  if (typeof expression !== 'string' || expression.trim() === '') {
    return { problem: { reason: 'must not be empty', fix: 'e.g. "0 3 * * *" for 03:00 every day' } };
  }
  const text = expression.trim();
  // Any case: robfig/cron knows only the upper-case prefixes, so `cron_tz=` would fail as a 6th field.
  const tz = /^(CRON_TZ|TZ)=(\S*)\s*(.*)$/i.exec(text);
  if (tz) {
    return {
      problem: {
        reason: `${tz[1]}= prefixes are rejected by the Kubernetes API server (the zone has its own field)`,
        fix: `set timeZone: "${tz[2]}" and schedule: "${tz[3]}"`,
      },
    };
  }
  if (text.includes('TZ')) {
    return { problem: { reason: 'the Kubernetes API server rejects any schedule that contains "TZ"', fix: 'put the time zone in timeZone' } };
  }
  if (text.startsWith('@')) {
    if (text.startsWith('@every')) {
      return {
        problem: {
          reason: '@every counts from the CronJob\'s creation or last run, not from the clock, and ignores timeZone',
          fix: 'use a cron expression, e.g. "*/30 * * * *" for every 30 minutes',
        },
      };
    }
    const fields = MACROS[text];
    if (fields === undefined) {
      const lower = MACROS[text.toLowerCase()] !== undefined ? `"${text.toLowerCase()}" (macros are lower case)` : `one of ${Object.keys(MACROS).join(', ')}`;
      return { problem: { reason: 'is not a macro Kubernetes knows', fix: `use ${lower}` } };
    }
    return parseFields(fields);
  }
  return parseFields(text);
}

function parseFields(text: string): Parsed {
  const tokens = text.split(/\s+/);
  if (tokens.length !== 5) {
    const fix = tokens.length === 6
      ? 'Kubernetes schedules have no seconds or year field: drop one'
      : 'write "minute hour day-of-month month day-of-week", e.g. "*/5 * * * *"';
    return { problem: { reason: `needs exactly 5 fields (minute hour day-of-month month day-of-week), found ${tokens.length}`, fix } };
  }
  const fields: Field[] = [];
  for (const [i, spec] of FIELDS.entries()) {
    const field = parseField(spec, tokens[i]);
    if ('reason' in field) return { problem: field };
    fields.push(field);
  }
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
  if (!canFire(dayOfMonth, month, dayOfWeek)) {
    return {
      problem: {
        reason: `never fires: no month in "${tokens[3]}" has a day "${tokens[2]}"`,
        fix: 'pick a day that exists in one of those months (February has 29 days at most; April, June, September and November 30)',
      },
    };
  }
  return { cron: { fields: tokens.join(' '), minute, hour, dayOfMonth, month, dayOfWeek } };
}

/**
 * A Kubernetes CronJob schedule: 5 fields (`minute hour day-of-month month day-of-week`) with `*`,
 * ranges, lists, steps and month/day names, or a macro (`@hourly`, `@daily`, `@midnight`,
 * `@weekly`, `@monthly`, `@yearly`, `@annually`).
 */
export const cronSchedule: Rule<string> = (value) => parseCron(value).problem;

/**
 * What is wrong with a schedule that the API server rejects or that can never fire (day-of-month 0, 30 February):
 * an error on every route, never a warning or a suppressible finding. Only the parser's deliberate strictness
 * beyond the server (`@every`, a `TZ` mention) is left to the suppressible `cron-schedule` policy rule.
 */
export const cronScheduleFires: Rule<string> = (value) => {
  if (typeof value === 'string' && (value.trim().startsWith('@every') || value.includes('TZ'))) return undefined;
  return parseCron(value).problem;
};

const MINUTE = 60_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of a zone from UTC at an instant, in ms (wall clock = instant + offset). */
function offsetAt(timeZone: string, instant: number): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const p of format.formatToParts(new Date(instant))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * The instants at which a zone's wall clock reads `wall` (ms of a UTC-encoded wall time): none in a
 * spring-forward gap, two in a fall-back overlap, one otherwise. This is what robfig/cron fires on.
 */
function instantsOf(timeZone: string, wall: number, knownOffset?: number): number[] {
  if (knownOffset !== undefined) return [wall - knownOffset];
  const offsets = new Set([offsetAt(timeZone, wall - DAY), offsetAt(timeZone, wall), offsetAt(timeZone, wall + DAY)]);
  return [...offsets].map((o) => wall - o).filter((t) => offsetAt(timeZone, t) === wall - t).sort((a, b) => a - b);
}

/**
 * True when a calendar day (a UTC-encoded wall date) matches. As in robfig/cron, the day matches
 * when EITHER day field matches if both are restricted, and when BOTH match if either is a star.
 */
function dayMatches(cron: ParsedCron, date: Date): boolean {
  if (!cron.month.values.has(date.getUTCMonth() + 1)) return false;
  const dom = cron.dayOfMonth.values.has(date.getUTCDate());
  const dow = cron.dayOfWeek.values.has(date.getUTCDay());
  return !cron.dayOfMonth.star && !cron.dayOfWeek.star ? dom || dow : dom && dow;
}

/** The fire times of a parsed schedule after `from` (exclusive), in order. @internal */
export function* cronRuns(cron: ParsedCron, from: number, timeZone: string): Generator<number> {
  // robfig/cron's Next(t) is the first whole minute strictly after t.
  const start = (Math.floor(from / MINUTE) + 1) * MINUTE;
  const startWall = start + offsetAt(timeZone, start);
  const hours = [...cron.hour.values].sort((a, b) => a - b);
  const minutes = [...cron.minute.values].sort((a, b) => a - b);
  // A day before the start: in a fall-back overlap, later instants can read an earlier wall time.
  let day = Math.floor(startWall / DAY) * DAY - DAY;
  // canFire() guarantees a run within 8 years (29 February); the bound only guards against bugs.
  const last = day + 12 * 366 * DAY;
  for (; day <= last; day += DAY) {
    if (!dayMatches(cron, new Date(day))) continue;
    // Most days have one offset throughout; only transition days need the per-minute search.
    const before = offsetAt(timeZone, day - DAY);
    const constant = before === offsetAt(timeZone, day + 2 * DAY) && before === offsetAt(timeZone, day + DAY / 2 - before) ? before : undefined;
    const runs: number[] = [];
    for (const h of hours) {
      for (const m of minutes) runs.push(...instantsOf(timeZone, day + h * 3_600_000 + m * MINUTE, constant));
    }
    for (const t of runs.sort((a, b) => a - b)) if (t >= start) yield t;
  }
}

/** Options of {@link CronSchedule.nextRuns}. */
export interface CronRunOptions {
  /** List runs strictly after this instant. @default - now */
  readonly after?: Date;
  /**
   * IANA time zone the schedule runs in (a CronJob's `timeZone`).
   * @default "Etc/UTC" - what most kube-controller-managers run in when `timeZone` is unset
   */
  readonly timeZone?: string;
}

/**
 * A validated CronJob schedule, and when it fires.
 *
 * Fire times follow Kubernetes' cron library: the schedule matches wall-clock times in the zone,
 * so a time inside a spring-forward gap does not fire that day, and one inside a fall-back
 * overlap fires twice (once per offset).
 */
export class CronSchedule {
  /**
   * Parses and validates a schedule. Throws an error naming the field and the fix for anything
   * Kubernetes would reject (or that would never fire).
   */
  public static parse(expression: string): CronSchedule {
    const parsed = parseCron(expression);
    if (parsed.problem) throw WorkloadsError.input('CronSchedule', 'schedule', expression, parsed.problem);
    return new CronSchedule(expression.trim(), parsed.cron);
  }

  /** The schedule as given (trimmed). */
  public readonly expression: string;
  /** The 5-field form, with macros expanded (`@hourly` -> `0 * * * *`). */
  public readonly fields: string;
  private readonly cron: ParsedCron;
  private shortest?: number;

  private constructor(expression: string, cron: ParsedCron) {
    this.expression = expression;
    this.fields = cron.fields;
    this.cron = cron;
  }

  /**
   * The next `count` fire times after `options.from`, computed on the wall clock of
   * `options.timeZone` (daylight-saving transitions included).
   */
  public nextRuns(count: number, options: CronRunOptions = {}): Date[] {
    if (!Number.isInteger(count) || count < 0 || count > 10_000) {
      throw WorkloadsError.input('CronSchedule', 'count', count, { reason: 'must be a whole number from 0 to 10000', fix: 'ask for fewer runs' });
    }
    const timeZone = options.timeZone ?? 'Etc/UTC';
    const zoneProblem = ianaTimeZone(timeZone);
    if (zoneProblem) throw WorkloadsError.input('CronSchedule', 'timeZone', timeZone, zoneProblem);
    const from = options.after ?? new Date();
    if (Number.isNaN(from.getTime())) {
      throw WorkloadsError.input('CronSchedule', 'from', String(from), { reason: 'is not a valid date', fix: 'pass a valid Date' });
    }
    const out: Date[] = [];
    if (count === 0) return out;
    for (const t of cronRuns(this.cron, from.getTime(), timeZone)) {
      out.push(new Date(t));
      if (out.length === count) break;
    }
    return out;
  }

  /**
   * The shortest gap between two consecutive runs, in seconds, measured in UTC over a year
   * (long enough to see every pattern but leap days). `* * * * *` gives 60, `0 9-17 * * 1-5` 3600.
   */
  public get shortestIntervalSeconds(): number {
    if (this.shortest === undefined) {
      // Times of day repeat every matching day, so the gap is the smaller of the gap inside a day
      // and the gap from the last run of a day to the first run of the next matching day.
      const times = [...this.cron.hour.values].flatMap((h) => [...this.cron.minute.values].map((m) => h * 60 + m)).sort((a, b) => a - b);
      let shortest = Infinity;
      for (let i = 1; i < times.length; i++) shortest = Math.min(shortest, times[i] - times[i - 1]);
      let previousDay: number | undefined;
      // Nine years cover every calendar pattern, leap days after a skipped century leap year included.
      for (let day = Date.UTC(2024, 0, 1); day < Date.UTC(2033, 0, 1); day += DAY) {
        if (!dayMatches(this.cron, new Date(day))) continue;
        if (previousDay !== undefined) shortest = Math.min(shortest, (day - previousDay) / MINUTE - times[times.length - 1] + times[0]);
        previousDay = day;
      }
      this.shortest = shortest * 60;
    }
    return this.shortest;
  }
}
