import { Cron } from 'croner';
import { describe, expect, it } from 'vitest';
import { isTimeZone, matchesCron, nextRuns, scheduleExpression, validateCron } from '../../lib/config/index.ts';

// Unix 5-field → AWS 6-field, against the EventBridge rules: day-of-week 1-7 with 1 = Sunday, one of
// day-of-month/day-of-week is "?", no "/" in day-of-week, "#" and "L" alone.
const conversions: [string, string][] = [
  ['0 9 * * 1-5', 'cron(0 9 ? * 2-6 *)'],
  ['* * * * *', 'cron(* * * * ? *)'],
  ['*/5 * * * *', 'cron(0/5 * * * ? *)'],
  ['*/15 9-17 * * 1-5', 'cron(0/15 9-17 ? * 2-6 *)'],
  ['30 2 1,15 * *', 'cron(30 2 1,15 * ? *)'],
  ['0 0 1 * *', 'cron(0 0 1 * ? *)'],
  ['  0   9  * *   1 ', 'cron(0 9 ? * 2 *)'],
  // day of week numbering
  ['0 0 * * 0', 'cron(0 0 ? * 1 *)'],
  ['0 0 * * 7', 'cron(0 0 ? * 1 *)'],
  ['0 0 * * 6', 'cron(0 0 ? * 7 *)'],
  ['0 0 * * 0-6', 'cron(0 0 ? * 1-7 *)'],
  ['0 0 * * 0-7', 'cron(0 0 ? * 1-7 *)'],
  ['0 0 * * 1-7', 'cron(0 0 ? * 2-7,1 *)'],
  ['0 0 * * 5-7', 'cron(0 0 ? * 6-7,1 *)'],
  ['0 0 * * 7-7', 'cron(0 0 ? * 1 *)'],
  ['0 0 * * 0,3,6', 'cron(0 0 ? * 1,4,7 *)'],
  ['0 0 * * 0,7', 'cron(0 0 ? * 1 *)'],
  // names are kept, upper-cased
  ['0 0 * * mon-fri', 'cron(0 0 ? * MON-FRI *)'],
  ['0 0 * * Sun', 'cron(0 0 ? * SUN *)'],
  ['0 0 * * MON,WED,FRI', 'cron(0 0 ? * MON,WED,FRI *)'],
  ['0 0 * * SUN-SAT', 'cron(0 0 ? * SUN-SAT *)'],
  ['0 0 * * FRI-SUN', 'cron(0 0 ? * FRI-SAT,SUN *)'],
  ['0 0 * * MON-6', 'cron(0 0 ? * 2-7 *)'],
  ['0 0 1 jan,jul *', 'cron(0 0 1 JAN,JUL ? *)'],
  ['0 0 1 Jan-Mar *', 'cron(0 0 1 JAN-MAR ? *)'],
  // steps: AWS documents "a/n"; day-of-week has none, so it becomes a list
  ['0 0 * * */2', 'cron(0 0 ? * 1,3,5,7 *)'],
  ['0 0 * * 1-5/2', 'cron(0 0 ? * 2,4,6 *)'],
  ['0 0 * * 1/2', 'cron(0 0 ? * 2,4,6 *)'],
  ['0 0 * * 0-7/3', 'cron(0 0 ? * 1,4,7 *)'],
  ['0 0 * * */1', 'cron(0 0 ? * 1-7 *)'],
  ['0 0 */2 * *', 'cron(0 0 1/2 * ? *)'],
  ['0 */3 * * *', 'cron(0 0/3 * * ? *)'],
  ['0 0 1 */3 *', 'cron(0 0 1 1/3 ? *)'],
  ['0 0 1 JAN/3 *', 'cron(0 0 1 1/3 ? *)'],
  ['5/15 * * * *', 'cron(5/15 * * * ? *)'],
  ['10-59/5 * * * *', 'cron(10/5 * * * ? *)'],
  ['0 0-23/6 * * *', 'cron(0 0/6 * * ? *)'],
  ['0 0 1-31/10 * *', 'cron(0 0 1/10 * ? *)'],
  ['1-10/2 * * * *', 'cron(1,3,5,7,9 * * * ? *)'],
  ['0-30/10,45 * * * *', 'cron(0,10,20,30,45 * * * ? *)'],
  ['0,*/20 * * * *', 'cron(0,20,40 * * * ? *)'],
  ['0-4/1 * * * *', 'cron(0-4 * * * ? *)'],
  ['*/60 * * * *', 'cron(0 * * * ? *)'],
  // L, W, # where AWS has them
  ['0 0 L * *', 'cron(0 0 L * ? *)'],
  ['0 0 l * *', 'cron(0 0 L * ? *)'],
  ['0 0 LW * *', 'cron(0 0 LW * ? *)'],
  ['0 0 15W * *', 'cron(0 0 15W * ? *)'],
  ['0 0 1w * *', 'cron(0 0 1W * ? *)'],
  ['0 0 * * 1#2', 'cron(0 0 ? * 2#2 *)'],
  ['0 0 * * MON#1', 'cron(0 0 ? * 2#1 *)'],
  ['0 0 * * 7#3', 'cron(0 0 ? * 1#3 *)'],
  ['0 0 * * 5L', 'cron(0 0 ? * 6L *)'],
  ['0 0 * * FRI#L', 'cron(0 0 ? * 6L *)'],
  ['0 0 * * friL', 'cron(0 0 ? * 6L *)'],
  ['0 0 * * 0L', 'cron(0 0 ? * 1L *)'],
  // "?" is accepted as "any"
  ['0 0 ? * MON', 'cron(0 0 ? * MON *)'],
  ['0 0 1 * ?', 'cron(0 0 1 * ? *)'],
  ['0 0 ? * ?', 'cron(0 0 * * ? *)'],
  ['0 0 ? * *', 'cron(0 0 * * ? *)'],
  // days that exist in some chosen month
  ['0 0 29 2 *', 'cron(0 0 29 2 ? *)'],
  ['0 0 31 1,4 *', 'cron(0 0 31 1,4 ? *)'],
  // nicknames
  ['@yearly', 'cron(0 0 1 1 ? *)'],
  ['@annually', 'cron(0 0 1 1 ? *)'],
  ['@monthly', 'cron(0 0 1 * ? *)'],
  ['@weekly', 'cron(0 0 ? * 1 *)'],
  ['@daily', 'cron(0 0 * * ? *)'],
  ['@midnight', 'cron(0 0 * * ? *)'],
  ['@HOURLY', 'cron(0 * * * ? *)'],
];

describe('validateCron converts Unix cron to the AWS form', () => {
  it.each(conversions)('%s → %s', (unix, aws) => {
    const r = validateCron(unix);
    expect(r).toMatchObject({ ok: true, aws });
  });

  it('returns the six fields separately', () => {
    expect(validateCron('*/15 9-17 * * 1-5')).toEqual({
      ok: true,
      aws: 'cron(0/15 9-17 ? * 2-6 *)',
      fields: { minutes: '0/15', hours: '9-17', dayOfMonth: '?', month: '*', dayOfWeek: '2-6', year: '*' },
    });
  });

  it('never puts "/" in day-of-week, nor "*" in both day fields', () => {
    for (const [unix] of conversions) {
      const r = validateCron(unix);
      if (!r.ok) throw new Error(unix);
      expect(r.fields.dayOfWeek).not.toContain('/');
      expect([r.fields.dayOfMonth, r.fields.dayOfWeek]).toContain('?');
      expect(r.fields.dayOfMonth === '?' && r.fields.dayOfWeek === '?').toBe(false);
    }
  });
});

const errors: [string, string, string?][] = [
  ['', 'the cron expression is empty'],
  ['0 9 * *', 'expected 5 fields, got 4', 'the fields are: minute hour day-of-month month day-of-week'],
  ['0 0 9 * * *', 'expected 5 fields, got 6', 'seconds (or a year) are not supported: schedules have minute precision; drop the extra field'],
  ['cron(0 9 * * ? *)', 'write the 5-field Unix form, not the AWS cron(...) form', 'the AWS form is generated: "0 9 * * 1-5" becomes cron(0 9 ? * 2-6 *)'],
  ['@reboot', 'unknown cron nickname "@reboot"'],
  ['@dayly', 'unknown cron nickname "@dayly"', 'known nicknames are @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly; did you mean "@daily"?'],
  ['60 * * * *', 'minute "60": 60 is outside 0-59'],
  ['0 24 * * *', 'hour "24": 24 is outside 0-23'],
  ['0 0 0 * *', 'day-of-month "0": 0 is outside 1-31'],
  ['0 0 32 * *', 'day-of-month "32": 32 is outside 1-31'],
  ['0 0 * 13 *', 'month "13": 13 is outside 1-12'],
  ['0 0 * 0 *', 'month "0": 0 is outside 1-12'],
  ['0 0 * * 8', 'day-of-week "8": 8 is outside 0-7'],
  [
    '0 0 1 * 1',
    'day-of-month "1" and day-of-week "1" are both restricted: Unix cron runs when either matches, which AWS cannot express',
    'split it into two schedules: "0 0 1 * *" and "0 0 * * 1"',
  ],
  [
    '30 6 1-15 * MON-FRI',
    'day-of-month "1-15" and day-of-week "MON-FRI" are both restricted: Unix cron runs when either matches, which AWS cannot express',
    'split it into two schedules: "30 6 1-15 * *" and "30 6 * * MON-FRI"',
  ],
  ['0 0 */2 * 1', 'day-of-month "*/2" and day-of-week "1" are both restricted: Unix cron runs when either matches, which AWS cannot express'],
  ['0 0 15W * MON', 'day-of-month "15W" and day-of-week "MON" are both restricted: Unix cron runs when either matches, which AWS cannot express'],
  ['0 0 L * 5L', 'day-of-month "L" and day-of-week "5L" are both restricted: Unix cron runs when either matches, which AWS cannot express'],
  ['0 22-2 * * *', 'hour "22-2": range "22-2" runs backwards', 'ranges do not wrap around; write "22-23,0-2"'],
  ['0 0 * * SAT-MON', 'day-of-week "SAT-MON": range "SAT-MON" runs backwards'],
  ['*/0 * * * *', 'minute "*/0": step "0" is not a whole number of at least 1'],
  ['*/x * * * *', 'minute "*/x": step "x" is not a whole number of at least 1'],
  ['1/2/3 * * * *', 'minute "1/2/3": "1/2/3" has more than one "/"'],
  ['1-2-3 * * * *', 'minute "1-2-3": "1-2-3" is not a value or a range'],
  ['1,,2 * * * *', 'minute "1,,2": empty list item'],
  ['*,5 * * * *', 'minute "*,5": "*" cannot be part of a list'],
  ['? * * * *', 'minute "?": "?" is only allowed in day-of-month and day-of-week', 'use * for "every"'],
  ['0 0 * ? *', 'month "?": "?" is only allowed in day-of-month and day-of-week'],
  ['0 0 * * tues', 'day-of-week "tues": "tues" is not a number or a name', 'names are SUN, MON, TUE, WED, THU, FRI, SAT; did you mean "TUE"?'],
  ['0 0 * foo *', 'month "foo": "foo" is not a number or a name'],
  ['0 0 MON * *', 'day-of-month "MON": "MON" is not a number'],
  ['0 L * * *', 'hour "L": "L" uses a character AWS does not allow in hour'],
  ['0 0 * 5W *', 'month "5W": "5W" is not a number or a name'],
  ['0 0 L-3 * *', 'day-of-month "L-3": "L" and "W" must stand alone: L (last day), LW (last weekday) or nW (weekday nearest day n)', 'AWS accepts no lists, ranges or offsets with L or W'],
  ['0 0 1,L * *', 'day-of-month "1,L": "L" and "W" must stand alone: L (last day), LW (last weekday) or nW (weekday nearest day n)'],
  ['0 0 1-5W * *', 'day-of-month "1-5W": "L" and "W" must stand alone: L (last day), LW (last weekday) or nW (weekday nearest day n)'],
  ['0 0 32W * *', 'day-of-month "32W": 32 is outside 1-31'],
  ['0 0 * * L', 'day-of-week "L": "L" alone is ambiguous', 'write 5L (or FRI#L) for the last Friday of the month, or L in day-of-month for its last day'],
  ['0 0 * * 1#1,3#2', 'day-of-week "1#1,3#2": "#" and "L" must stand alone: AWS accepts one such expression in day-of-week', 'write one schedule per expression'],
  ['0 0 * * MON,5L', 'day-of-week "MON,5L": "#" and "L" must stand alone: AWS accepts one such expression in day-of-week'],
  ['0 0 * * 1#6', 'day-of-week "1#6": expected n#k (k-th weekday n of the month, k 1-5) or nL (last weekday n of the month)'],
  ['0 0 * * 9#1', 'day-of-week "9#1": 9 is outside 0-7'],
  ['0 0 * * 1-5#2', 'day-of-week "1-5#2": expected n#k (k-th weekday n of the month, k 1-5) or nL (last weekday n of the month)'],
  ['0 0 30 2 *', 'day-of-month "30": never runs: no chosen month has day 30', 'the chosen months have at most 29 days'],
  ['0 0 31 4,6,9,11 *', 'day-of-month "31": never runs: no chosen month has day 31', 'the chosen months have at most 30 days'],
  [
    `${range(0, 59)} ${range(0, 23)} ${range(1, 31)} * *`,
    'the AWS form is 327 characters long; EventBridge Scheduler takes at most 256',
    'use ranges or a simpler step instead of long lists',
  ],
];

function range(from: number, to: number): string {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i).join(',');
}

describe('validateCron rejects what AWS cannot run, saying why', () => {
  it.each(errors)('%j', (unix, message, note) => {
    const r = validateCron(unix);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toBe(message);
    if (note !== undefined) expect(r.note).toBe(note);
  });
});

describe('scheduleExpression', () => {
  it('gives the cron(...) expression of a schedule', () => {
    expect(scheduleExpression({ cron: '0 9 * * 1-5' })).toBe('cron(0 9 ? * 2-6 *)');
  });

  it('throws on a schedule that was not validated', () => {
    expect(() => scheduleExpression({ cron: '0 0 1 * 1' })).toThrow(/invalid cron "0 0 1 \* 1"/);
  });
});

describe('isTimeZone', () => {
  it('knows IANA names and UTC', () => {
    expect(isTimeZone('Asia/Bangkok')).toBe(true);
    expect(isTimeZone('America/New_York')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});

const iso = (ds: Date[]) => ds.map((d) => d.toISOString());

describe('nextRuns', () => {
  it('follows the time zone across a daylight-saving change', () => {
    expect(iso(nextRuns('0 9 * * 1-5', 'America/New_York', new Date('2024-03-08T00:00:00Z'), 3))).toEqual([
      '2024-03-08T14:00:00.000Z',
      '2024-03-11T13:00:00.000Z',
      '2024-03-12T13:00:00.000Z',
    ]);
  });

  it('skips a wall-clock time that the spring-forward change removes', () => {
    expect(iso(nextRuns('30 2 * * *', 'America/New_York', new Date('2024-03-09T00:00:00Z'), 2))).toEqual([
      '2024-03-09T07:30:00.000Z',
      '2024-03-11T06:30:00.000Z',
    ]);
  });

  it('is strictly after "from"', () => {
    expect(iso(nextRuns('0 * * * *', 'UTC', new Date('2024-01-01T05:00:00Z'), 1))).toEqual(['2024-01-01T06:00:00.000Z']);
  });

  it('treats Unix 0 and 7 as Sunday', () => {
    const sundays = ['2024-01-07T00:00:00.000Z', '2024-01-14T00:00:00.000Z'];
    expect(iso(nextRuns('0 0 * * 0', 'UTC', new Date('2024-01-01T00:00:00Z'), 2))).toEqual(sundays);
    expect(iso(nextRuns('0 0 * * 7', 'UTC', new Date('2024-01-01T00:00:00Z'), 2))).toEqual(sundays);
  });

  it('runs nW on the weekday nearest day n, within the month', () => {
    // 2024-06-15 and 2024-06-01 are Saturdays, 2024-03-31 a Sunday.
    expect(iso(nextRuns('0 12 15W * *', 'UTC', new Date('2024-05-20T00:00:00Z'), 2))).toEqual([
      '2024-06-14T12:00:00.000Z',
      '2024-07-15T12:00:00.000Z',
    ]);
    expect(iso(nextRuns('0 12 1W * *', 'UTC', new Date('2024-05-20T00:00:00Z'), 1))).toEqual(['2024-06-03T12:00:00.000Z']);
    expect(iso(nextRuns('0 12 31W * *', 'UTC', new Date('2024-03-01T00:00:00Z'), 1))).toEqual(['2024-03-29T12:00:00.000Z']);
  });

  it('runs LW on the last weekday and L on the last day of the month', () => {
    expect(iso(nextRuns('0 12 LW * *', 'UTC', new Date('2024-03-01T00:00:00Z'), 2))).toEqual([
      '2024-03-29T12:00:00.000Z',
      '2024-04-30T12:00:00.000Z',
    ]);
    expect(iso(nextRuns('0 0 L 2 *', 'UTC', new Date('2024-01-01T00:00:00Z'), 2))).toEqual([
      '2024-02-29T00:00:00.000Z',
      '2025-02-28T00:00:00.000Z',
    ]);
  });

  it('runs n#k on the k-th weekday and nL on the last one', () => {
    expect(iso(nextRuns('0 0 * * 1#2', 'UTC', new Date('2024-01-01T00:00:00Z'), 3))).toEqual([
      '2024-01-08T00:00:00.000Z',
      '2024-02-12T00:00:00.000Z',
      '2024-03-11T00:00:00.000Z',
    ]);
    expect(iso(nextRuns('0 0 * * 5L', 'UTC', new Date('2024-01-01T00:00:00Z'), 3))).toEqual([
      '2024-01-26T00:00:00.000Z',
      '2024-02-23T00:00:00.000Z',
      '2024-03-29T00:00:00.000Z',
    ]);
  });

  it('agrees with croner on plain expressions', () => {
    const from = new Date('2024-02-20T10:17:00Z');
    for (const expr of ['*/7 * * * *', '0 9 * * 1-5', '15 */4 1,15 * *', '0 0 * * 5-7', '0 12 * JAN-MAR MON', '0 0 1-10/3 * *']) {
      for (const tz of ['UTC', 'Asia/Bangkok', 'Europe/London']) {
        const theirs = new Cron(expr, { timezone: tz, paused: true }).nextRuns(20, from);
        expect(iso(nextRuns(expr, tz, from, 20)), `${expr} in ${tz}`).toEqual(iso(theirs));
      }
    }
  });

  it('throws on an invalid expression', () => {
    expect(() => nextRuns('0 0 1 * 1', 'UTC', new Date(), 1)).toThrow(/both restricted/);
  });
});

describe('matchesCron', () => {
  it('reads the date as wall-clock time in the zone, ignoring seconds', () => {
    expect(matchesCron('0 9 * * 1-5', 'Asia/Bangkok', new Date('2024-01-01T02:00:30Z'))).toBe(true);
    expect(matchesCron('0 9 * * 1-5', 'UTC', new Date('2024-01-01T02:00:00Z'))).toBe(false);
    expect(matchesCron('0 9 * * 1-5', 'Asia/Bangkok', new Date('2024-01-06T02:00:00Z'))).toBe(false);
    expect(matchesCron('0 9 * * 1-5', 'Asia/Bangkok', new Date('2024-01-01T02:01:00Z'))).toBe(false);
  });

  it('agrees with nextRuns minute by minute', () => {
    const from = new Date('2024-03-08T00:00:00Z');
    const minutes = 4 * 24 * 60;
    for (const [expr, tz] of [
      ['*/20 1-3 * * *', 'America/New_York'],
      ['0 0 LW * *', 'UTC'],
      ['0 */6 * * SAT,SUN', 'Asia/Kolkata'],
    ] as const) {
      const expected: string[] = [];
      for (let i = 1; i <= minutes; i++) {
        const t = new Date(from.getTime() + i * 60_000);
        if (matchesCron(expr, tz, t)) expected.push(t.toISOString());
      }
      const runs = nextRuns(expr, tz, from, expected.length + 1).filter((d) => d.getTime() <= from.getTime() + minutes * 60_000);
      expect(iso(runs), `${expr} in ${tz}`).toEqual(expected);
    }
  });
});
