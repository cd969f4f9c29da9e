import { CronSchedule } from '../src';
import { cronSchedule, ianaTimeZone } from '../src/kubernetes/validation';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

function parseError(expression: string): string {
  try {
    CronSchedule.parse(expression);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected "${expression}" to be rejected`);
}

describe('valid schedules', () => {
  test.each([
    '*/1 * * * *', '* * * * *', '0 3 * * *', '0 9 * * MON-FRI', '0 9 * * mon-fri', '30 2 1 JAN,jul *',
    '1-10/2 * * * *', '5/15 * * * *', '0 0 ? * SUN', '0 0 1 * ?', '0 0 29 2 *', '0,15,30,45 8-18 * * 1-5',
    '  0 3 * * *  ', '0\t3  *  * *', '59 23 31 12 6', '0 0 31 1-12 *',
    '@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly',
  ])('%j', (expression) => {
    expect(cronSchedule(expression)).toBeUndefined();
  });

  test('macros expand to their five fields', () => {
    expect(CronSchedule.parse('@hourly').fields).toBe('0 * * * *');
    expect(CronSchedule.parse('@weekly').fields).toBe('0 0 * * 0');
    expect(CronSchedule.parse('@annually').fields).toBe('0 0 1 1 *');
    expect(CronSchedule.parse(' 0  3 * * * ').expression).toBe('0  3 * * *');
  });
});

describe('invalid schedules name the field, the reason and the fix', () => {
  test.each([
    ['', 'schedule "": must not be empty; e.g. "0 3 * * *"'],
    ['* * * *', 'needs exactly 5 fields (minute hour day-of-month month day-of-week), found 4'],
    ['0 0 1 * * 2024', 'found 6; Kubernetes schedules have no seconds or year field: drop one'],
    ['60 * * * *', 'minute (1st field) "60": 60 is outside 0-59; use 0-59'],
    ['0 24 * * *', 'hour (2nd field) "24": 24 is outside 0-23; use 0-23'],
    ['0 0 0 * *', 'day-of-month (3rd field) "0": 0 is outside 1-31; use 1-31'],
    ['0 0 32 * *', 'day-of-month (3rd field) "32": 32 is outside 1-31'],
    ['0 0 1 13 *', 'month (4th field) "13": 13 is outside 1-12; use 1-12 or JAN-DEC'],
    ['0 0 1 JANUARY *', 'month (4th field) "JANUARY": "JANUARY" is not a number or a name; use 1-12 or JAN-DEC'],
    ['* * * * 7', 'day-of-week (5th field) "7": 7 is not a day: Kubernetes\' cron parser (robfig/cron) accepts 0-6 only; use 0 or SUN for Sunday'],
    ['* * * * 5-7', 'day-of-week (5th field) "5-7": 7 is not a day'],
    ['0 0 * * SAT-SUN', 'day-of-week (5th field) "SAT-SUN": the range starts at 6 after its end 0 (ranges do not wrap around); split it into "SAT,SUN"'],
    ['0 22-2 * * *', 'hour (2nd field) "22-2": the range starts at 22 after its end 2 (ranges do not wrap around); split it into "22-23,0-2"'],
    ['MON * * * *', 'minute (1st field) "MON": "MON" is not a number; use 0-59'],
    ['*/0 * * * *', 'minute (1st field) "*/0": the step after "/" must be a positive whole number'],
    ['*/x * * * *', 'minute (1st field) "*/x": the step after "/" must be a positive whole number'],
    ['*/90 * * * *', 'minute (1st field) "*/90": a step of 90 is larger than the field\'s range 0-59, so it matches only 0; write "0" if that is meant'],
    ['1/2/3 * * * *', 'minute (1st field) "1/2/3": has more than one "/"'],
    ['1-2-3 * * * *', 'minute (1st field) "1-2-3": a range is "low-high"'],
    ['-5 * * * *', 'minute (1st field) "-5": a range is "low-high"'],
    ['1,,2 * * * *', 'minute (1st field) "1,,2": has an empty list entry; remove the extra ","'],
    ['? * * * *', 'minute (1st field) "?": "?" is only meaningful in day-of-month and day-of-week; use "*"'],
    ['0 0 30 2 *', 'never fires: no month in "2" has a day "30"; pick a day that exists in one of those months'],
    ['0 0 31 4,6,9,11 *', 'never fires: no month in "4,6,9,11" has a day "31"'],
    ['TZ=Europe/Berlin 0 3 * * *', 'TZ= prefixes are rejected by the Kubernetes API server (the zone has its own field); set timeZone: "Europe/Berlin" and schedule: "0 3 * * *"'],
    ['CRON_TZ=America/New_York 30 6 * * 1-5', 'CRON_TZ= prefixes are rejected by the Kubernetes API server (the zone has its own field); set timeZone: "America/New_York" and schedule: "30 6 * * 1-5"'],
    ['cron_tz=Etc/UTC 0 3 * * *', 'cron_tz= prefixes are rejected by the Kubernetes API server (the zone has its own field); set timeZone: "Etc/UTC" and schedule: "0 3 * * *"'],
    ['0 3 * * * TZ', 'the Kubernetes API server rejects any schedule that contains "TZ"; put the time zone in timeZone'],
    ['@every 5m', '@every counts from the CronJob\'s creation or last run, not from the clock, and ignores timeZone; use a cron expression'],
    ['@DAILY', 'is not a macro Kubernetes knows; use "@daily" (macros are lower case)'],
    ['@reboot', 'is not a macro Kubernetes knows; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly'],
  ])('%j', (expression, message) => {
    const error = parseError(expression);
    expect(error.startsWith(`[CronSchedule] schedule ${JSON.stringify(expression)}: `)).toBe(true);
    expect(error).toContain(message);
  });
});

describe('next runs', () => {
  test('every 15 minutes, in UTC by default', () => {
    expect(iso(CronSchedule.parse('*/15 * * * *').nextRuns(4, { after: new Date('2024-01-01T00:07:00Z') })))
      .toEqual(['2024-01-01T00:15:00.000Z', '2024-01-01T00:30:00.000Z', '2024-01-01T00:45:00.000Z', '2024-01-01T01:00:00.000Z']);
  });

  test('runs are strictly after "from", on whole minutes', () => {
    const schedule = CronSchedule.parse('* * * * *');
    expect(iso(schedule.nextRuns(2, { after: new Date('2024-01-01T00:00:00Z') }))).toEqual(['2024-01-01T00:01:00.000Z', '2024-01-01T00:02:00.000Z']);
    expect(iso(schedule.nextRuns(1, { after: new Date('2024-01-01T00:00:59.999Z') }))).toEqual(['2024-01-01T00:01:00.000Z']);
    expect(schedule.nextRuns(0, { after: new Date('2024-01-01T00:00:00Z') })).toEqual([]);
  });

  test('weekdays skip the weekend (1 March 2024 is a Friday)', () => {
    expect(iso(CronSchedule.parse('0 9 * * MON-FRI').nextRuns(3, { after: new Date('2024-03-01T10:00:00Z') })))
      .toEqual(['2024-03-04T09:00:00.000Z', '2024-03-05T09:00:00.000Z', '2024-03-06T09:00:00.000Z']);
  });

  test('day-of-month OR day-of-week when both are restricted (2 September 2024 is a Monday)', () => {
    expect(iso(CronSchedule.parse('0 0 1 * MON').nextRuns(6, { after: new Date('2024-09-01T00:00:00Z') }))).toEqual([
      '2024-09-02T00:00:00.000Z', '2024-09-09T00:00:00.000Z', '2024-09-16T00:00:00.000Z',
      '2024-09-23T00:00:00.000Z', '2024-09-30T00:00:00.000Z', '2024-10-01T00:00:00.000Z',
    ]);
  });

  test('day-of-month AND day-of-week when one is a star: a step clears the star (*/2 is odd days)', () => {
    expect(iso(CronSchedule.parse('0 0 */2 * *').nextRuns(3, { after: new Date('2024-01-30T12:00:00Z') })))
      .toEqual(['2024-01-31T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-02-03T00:00:00.000Z']);
  });

  test('@weekly is Sunday midnight; 29 February waits for the next leap year', () => {
    expect(iso(CronSchedule.parse('@weekly').nextRuns(1, { after: new Date('2024-01-01T00:00:00Z') }))).toEqual(['2024-01-07T00:00:00.000Z']);
    expect(iso(CronSchedule.parse('0 0 29 2 *').nextRuns(1, { after: new Date('2024-03-01T00:00:00Z') }))).toEqual(['2028-02-29T00:00:00.000Z']);
  });

  test('a fixed-offset zone (India, UTC+5:30)', () => {
    expect(iso(CronSchedule.parse('0 9 * * *').nextRuns(1, { after: new Date('2024-01-01T00:00:00Z'), timeZone: 'Asia/Kolkata' })))
      .toEqual(['2024-01-01T03:30:00.000Z']);
  });

  test('Europe/Berlin: 02:30 does not exist on 29 March 2026 and happens twice on 25 October 2026', () => {
    const schedule = CronSchedule.parse('30 2 * * *');
    // 28 March 02:30 CET (+1), no run on the 29th, 30 March 02:30 CEST (+2).
    expect(iso(schedule.nextRuns(3, { after: new Date('2026-03-27T12:00:00Z'), timeZone: 'Europe/Berlin' })))
      .toEqual(['2026-03-28T01:30:00.000Z', '2026-03-30T00:30:00.000Z', '2026-03-31T00:30:00.000Z']);
    // 25 October 02:30 CEST, then 02:30 CET an hour later, then 26 October 02:30 CET.
    expect(iso(schedule.nextRuns(3, { after: new Date('2026-10-24T12:00:00Z'), timeZone: 'Europe/Berlin' })))
      .toEqual(['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  test('America/New_York: every minute jumps from 01:59 EST to 03:00 EDT on 8 March 2026', () => {
    expect(iso(CronSchedule.parse('* * * * *').nextRuns(3, { after: new Date('2026-03-08T06:58:00Z'), timeZone: 'America/New_York' })))
      .toEqual(['2026-03-08T06:59:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-08T07:01:00.000Z']);
  });

  test('America/New_York: 01:30 runs twice on 1 November 2026 (EDT, then EST)', () => {
    expect(iso(CronSchedule.parse('30 1 * * *').nextRuns(3, { after: new Date('2026-10-31T16:00:00Z'), timeZone: 'America/New_York' })))
      .toEqual(['2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z']);
  });

  test('bad arguments are errors', () => {
    const schedule = CronSchedule.parse('@daily');
    expect(() => schedule.nextRuns(-1)).toThrow('[CronSchedule] count -1: must be a whole number from 0 to 10000; ask for fewer runs');
    expect(() => schedule.nextRuns(1.5)).toThrow('[CronSchedule] count 1.5: must be a whole number');
    expect(() => schedule.nextRuns(1, { timeZone: 'Mars/Olympus' })).toThrow('[CronSchedule] timeZone "Mars/Olympus": is not in the IANA time zone database');
    expect(() => schedule.nextRuns(1, { after: new Date('not a date') })).toThrow('[CronSchedule] from "Invalid Date": is not a valid date; pass a valid Date');
  });
});

describe('shortest interval', () => {
  test.each([
    ['*/1 * * * *', 60],
    ['*/7 * * * *', 240], // 56 -> 0 of the next hour
    ['0,10 * * * *', 600],
    ['@hourly', 3600],
    ['0 9-17 * * 1-5', 3600],
    ['@daily', 86_400],
    ['0 0 1 * *', 28 * 86_400], // February 2025
    ['@yearly', 365 * 86_400],
    ['0 0 29 2 *', 1461 * 86_400], // 2024 -> 2028
  ])('%j: %d s', (expression, seconds) => {
    expect(CronSchedule.parse(expression).shortestIntervalSeconds).toBe(seconds);
  });
});

describe('time zones', () => {
  test.each(['Etc/UTC', 'UTC', 'Europe/Berlin', 'America/New_York', 'America/Argentina/Buenos_Aires', 'Asia/Kolkata', 'Asia/Calcutta', 'Etc/GMT+1', 'America/Port-au-Prince'])('%j is valid', (zone) => {
    expect(ianaTimeZone(zone)).toBeUndefined();
  });

  test.each([
    ['', 'must be a time zone name'],
    ['Local', '"Local" means the controller\'s own zone, which the API server rejects'],
    ['local', '"Local" means'],
    ['Mars/Olympus', 'is not in the IANA time zone database'],
    ['Europe/Berlin ', 'is not an IANA time zone name'],
    ['+01:00', 'is not an IANA time zone name'],
    ['America/North_Dakota_Very_Long/X', 'is not an IANA time zone name'],
    ['europe/berlin', 'time zone names are case-sensitive on the cluster'],
  ])('%j is rejected', (zone, reason) => {
    expect(ianaTimeZone(zone)?.reason).toContain(reason);
  });

  test('hints name the zone meant', () => {
    expect(ianaTimeZone('europe/berlin')?.fix).toBe('try "Europe/Berlin"');
    expect(ianaTimeZone('Berlin')?.fix).toBe('try "Europe/Berlin"');
    expect(ianaTimeZone('Mars/Olympus')?.fix).toBe('use a name from the IANA database, e.g. "Etc/UTC" or "Europe/Berlin"');
  });
});
