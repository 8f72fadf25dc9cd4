/**
 * Schedules: workflows are written with 5-field Unix cron (`min hour dom month dow`), EventBridge
 * Scheduler takes Quartz-flavoured 6-field `cron(min hour dom month dow year)`. The two differ in
 * ways that silently change a schedule if copied field by field:
 *
 * - day of week: Unix 0-7 (0 and 7 are Sunday), AWS 1-7 (1 is Sunday);
 * - day of month and day of week: Unix runs when *either* matches if both are restricted; AWS needs
 *   one of them to be `?`, so "both restricted" cannot be expressed and is an error (two schedules do it);
 * - AWS has no step (`/`) in day of week, and documents `a/n` rather than `*\/n` or `a-b/n`; steps are
 *   rewritten to the documented form or expanded to a list of values;
 * - `#` and `L` in day of week must stand alone (AWS accepts one such expression).
 *
 * The conversion is exact or it is an error: an expression is never quietly changed in meaning.
 * The same parse drives {@link matchesCron} and {@link nextRuns}, which release-time checks use.
 */
import { Cron } from 'croner';
import { closest } from '../diagnostics/index.ts';
import type { Schedule } from './model.ts';

/** The six fields of an AWS cron expression. */
export interface AwsCronFields {
  minutes: string;
  hours: string;
  dayOfMonth: string;
  month: string;
  dayOfWeek: string;
  year: string;
}

/** A cron expression AWS can run. */
export interface CronValid {
  ok: true;
  /** `cron(min hour dom month dow year)`, ready for a ScheduleExpression. */
  aws: string;
  fields: AwsCronFields;
}

/** A cron expression AWS cannot run: what is wrong (naming the field) and how to fix it. */
export interface CronInvalid {
  ok: false;
  message: string;
  note?: string;
}

/** The result of {@link validateCron}: the AWS form, or why there is none. */
export type CronCheck = CronValid | CronInvalid;

/** EventBridge Scheduler's limit on a schedule expression's length. */
export const MAX_SCHEDULE_EXPRESSION_LENGTH = 256;

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  /** Names for values, indexed from `nameBase`. */
  names?: readonly string[];
  nameBase?: number;
}

const MINUTE: FieldSpec = { label: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { label: 'hour', min: 0, max: 23 };
const DOM: FieldSpec = { label: 'day-of-month', min: 1, max: 31 };
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const MONTH: FieldSpec = { label: 'month', min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 };
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;
const DOW: FieldSpec = { label: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, nameBase: 0 };

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** A number as written: its value and whether it was a name (`MON`, `JAN`). */
interface Val {
  v: number;
  name?: string;
}

type Item =
  | { kind: 'any' }
  | { kind: 'value'; val: Val }
  | { kind: 'range'; from: Val; to: Val }
  | { kind: 'step'; from?: Val; to?: Val; step: number };

type DomSpec =
  | { kind: 'any' }
  | { kind: 'days'; days: Set<number> }
  | { kind: 'last' }
  | { kind: 'last-weekday' }
  | { kind: 'nearest-weekday'; day: number };

type DowSpec =
  | { kind: 'any' }
  /** Days 0-6, 0 = Sunday. */
  | { kind: 'days'; days: Set<number> }
  | { kind: 'nth'; day: number; n: number }
  | { kind: 'last'; day: number };

/** A parsed Unix expression: what it means, and its AWS spelling. */
interface ParsedCron {
  minutes: Set<number>;
  hours: Set<number>;
  months: Set<number>;
  dom: DomSpec;
  dow: DowSpec;
  fields: AwsCronFields;
}

class CronSyntaxError extends Error {
  readonly note?: string;
  constructor(message: string, note?: string) {
    super(message);
    if (note !== undefined) this.note = note;
  }
}

/**
 * Checks a 5-field Unix cron expression and converts it to AWS's 6-field form.
 *
 * Accepted: numbers, names (`JAN`-`DEC`, `SUN`-`SAT`, any case; output upper case), `*`, lists,
 * ranges, steps (`*\/5`, `5/15`, `1-10/2`), the nicknames `@yearly` `@annually` `@monthly` `@weekly`
 * `@daily` `@midnight` `@hourly`, and where AWS has them: `?` in day-of-month or day-of-week (same
 * as `*`), `L`, `LW` and `nW` alone in day-of-month, `n#k` (k-th weekday n of the month) and `nL` or
 * `n#L` (last weekday n of the month) alone in day-of-week, with Unix day numbers.
 */
export function validateCron(expr: string): CronCheck {
  try {
    const parsed = parseCron(expr);
    const f = parsed.fields;
    const aws = `cron(${f.minutes} ${f.hours} ${f.dayOfMonth} ${f.month} ${f.dayOfWeek} ${f.year})`;
    if (aws.length > MAX_SCHEDULE_EXPRESSION_LENGTH) {
      return {
        ok: false,
        message: `the AWS form is ${aws.length} characters long; EventBridge Scheduler takes at most ${MAX_SCHEDULE_EXPRESSION_LENGTH}`,
        note: 'use ranges or a simpler step instead of long lists',
      };
    }
    return { ok: true, aws, fields: f };
  } catch (e) {
    if (!(e instanceof CronSyntaxError)) throw e;
    return e.note === undefined ? { ok: false, message: e.message } : { ok: false, message: e.message, note: e.note };
  }
}

/**
 * The EventBridge Scheduler expression for a schedule: `cron(...)`. The schedule must already have
 * been validated ({@link validateCron}); an invalid one here is a bug and throws.
 */
export function scheduleExpression(schedule: Pick<Schedule, 'cron'>): string {
  const r = validateCron(schedule.cron);
  if (!r.ok) throw new Error(`invalid cron "${schedule.cron}" reached scheduleExpression: ${r.message}`);
  return r.aws;
}

/** True when `timezone` is a time zone name this runtime knows (IANA names such as `Asia/Bangkok`, and `UTC`). */
export function isTimeZone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when the minute containing `date`, read as wall-clock time in `timezone`, is one the
 * expression names (seconds are ignored: schedules have minute precision). Throws on an invalid
 * expression or time zone (validate first).
 */
export function matchesCron(expr: string, timezone: string, date: Date): boolean {
  return matchesParsed(parseOrThrow(expr), localTime(date, timezone));
}

/**
 * The next `n` times strictly after `from` at which the expression fires in `timezone` (UTC
 * instants, whole minutes). A wall-clock time that a daylight-saving change skips does not occur.
 * Throws on an invalid expression or time zone (validate first).
 */
export function nextRuns(expr: string, timezone: string, from: Date, n: number): Date[] {
  const parsed = parseOrThrow(expr);
  const cron = new Cron(cronerPattern(parsed), { timezone, legacyMode: true, paused: true });
  const out: Date[] = [];
  let prev: Date = from;
  const budget = (n + 1) * 64 + 1000;
  for (let i = 0; i < budget && out.length < n; i++) {
    const next = cron.nextRun(prev);
    if (!next) break;
    if (matchesParsed(parsed, localTime(next, timezone))) out.push(next);
    prev = next;
  }
  return out;
}

function parseOrThrow(expr: string): ParsedCron {
  try {
    return parseCron(expr);
  } catch (e) {
    if (e instanceof CronSyntaxError) throw new Error(`invalid cron "${expr}": ${e.message}`);
    throw e;
  }
}

function parseCron(expr: string): ParsedCron {
  const text = expr.trim();
  if (text === '') throw new CronSyntaxError('the cron expression is empty', 'write 5 fields: minute hour day-of-month month day-of-week');
  if (/^cron\(/i.test(text)) {
    throw new CronSyntaxError(
      'write the 5-field Unix form, not the AWS cron(...) form',
      'the AWS form is generated: "0 9 * * 1-5" becomes cron(0 9 ? * 2-6 *)',
    );
  }
  let expanded = text;
  if (text.startsWith('@')) {
    const nick = NICKNAMES[text.toLowerCase()];
    if (nick === undefined) {
      const near = closest(text.toLowerCase(), Object.keys(NICKNAMES));
      throw new CronSyntaxError(
        `unknown cron nickname "${text}"`,
        `known nicknames are ${Object.keys(NICKNAMES).join(', ')}${near ? `; did you mean "${near}"?` : ''}`,
      );
    }
    expanded = nick;
  }
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) {
    const note =
      parts.length === 6
        ? 'seconds (or a year) are not supported: schedules have minute precision; drop the extra field'
        : 'the fields are: minute hour day-of-month month day-of-week';
    throw new CronSyntaxError(`expected 5 fields, got ${parts.length}`, note);
  }
  const [minF, hourF, domF, monF, dowF] = parts as [string, string, string, string, string];

  const minuteItems = parseList(minF, MINUTE);
  const hourItems = parseList(hourF, HOUR);
  const monthItems = parseList(monF, MONTH);
  const dom = parseDom(domF);
  const dow = parseDow(dowF);

  const months = expand(monthItems, MONTH);
  if (dom.spec.kind === 'days') checkDaysExist(dom.spec.days, months, domF);

  let dayOfMonth: string;
  let dayOfWeek: string;
  if (dom.spec.kind === 'any' && dow.spec.kind === 'any') {
    dayOfMonth = '*';
    dayOfWeek = '?';
  } else if (dow.spec.kind === 'any') {
    dayOfMonth = dom.aws;
    dayOfWeek = '?';
  } else if (dom.spec.kind === 'any') {
    dayOfMonth = '?';
    dayOfWeek = dow.aws;
  } else {
    throw new CronSyntaxError(
      `day-of-month "${domF}" and day-of-week "${dowF}" are both restricted: Unix cron runs when either matches, which AWS cannot express`,
      `split it into two schedules: "${minF} ${hourF} ${domF} ${monF} *" and "${minF} ${hourF} * ${monF} ${dowF}"`,
    );
  }

  return {
    minutes: expand(minuteItems, MINUTE),
    hours: expand(hourItems, HOUR),
    months,
    dom: dom.spec,
    dow: dow.spec,
    fields: {
      minutes: renderPlain(minuteItems, MINUTE),
      hours: renderPlain(hourItems, HOUR),
      dayOfMonth,
      month: renderPlain(monthItems, MONTH),
      dayOfWeek,
      year: '*',
    },
  };
}

function fieldError(spec: FieldSpec, field: string, problem: string, note?: string): CronSyntaxError {
  return new CronSyntaxError(`${spec.label} "${field}": ${problem}`, note);
}

function parseList(field: string, spec: FieldSpec): Item[] {
  if (field === '?') {
    throw fieldError(spec, field, '"?" is only allowed in day-of-month and day-of-week', 'use * for "every"');
  }
  const items = field.split(',').map((part) => parseItem(part, field, spec));
  if (items.length > 1 && items.some((i) => i.kind === 'any')) {
    throw fieldError(spec, field, '"*" cannot be part of a list');
  }
  return items;
}

function parseItem(part: string, field: string, spec: FieldSpec): Item {
  if (part === '') throw fieldError(spec, field, 'empty list item');
  if (part === '*') return { kind: 'any' };
  const slash = part.split('/');
  if (slash.length > 2) throw fieldError(spec, field, `"${part}" has more than one "/"`);
  if (slash.length === 2) {
    const [base, stepText] = slash as [string, string];
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
      throw fieldError(spec, field, `step "${stepText}" is not a whole number of at least 1`);
    }
    const step = Number(stepText);
    if (base === '*') return { kind: 'step', step };
    const r = parseRangeOrValue(base, field, spec);
    return r.kind === 'range' ? { kind: 'step', from: r.from, to: r.to, step } : { kind: 'step', from: r.val, step };
  }
  return parseRangeOrValue(part, field, spec);
}

function parseRangeOrValue(text: string, field: string, spec: FieldSpec): Extract<Item, { kind: 'value' | 'range' }> {
  const dash = text.split('-');
  if (dash.length > 2) throw fieldError(spec, field, `"${text}" is not a value or a range`);
  if (dash.length === 1) return { kind: 'value', val: parseVal(text, field, spec) };
  const from = parseVal(dash[0]!, field, spec);
  let to = parseVal(dash[1]!, field, spec);
  if (spec === DOW && to.v === 0 && to.name !== undefined && from.v > 0) to = { v: 7, name: to.name };
  if (from.v > to.v) {
    throw fieldError(
      spec,
      field,
      `range "${text}" runs backwards`,
      `ranges do not wrap around; write "${dash[0]}-${spec.max},${spec.min}-${dash[1]}"`,
    );
  }
  return { kind: 'range', from, to };
}

function parseVal(text: string, field: string, spec: FieldSpec): Val {
  if (/^\d+$/.test(text)) {
    const v = Number(text);
    if (v < spec.min || v > spec.max) throw fieldError(spec, field, `${v} is outside ${spec.min}-${spec.max}`);
    return { v };
  }
  if (spec.names) {
    const upper = text.toUpperCase();
    const i = spec.names.indexOf(upper);
    if (i >= 0) return { v: i + (spec.nameBase ?? 0), name: upper };
    const near = closest(upper, spec.names);
    throw fieldError(
      spec,
      field,
      `"${text}" is not a number or a name`,
      `names are ${spec.names.join(', ')}${near ? `; did you mean "${near}"?` : ''}`,
    );
  }
  const hint = /[LW#?]/i.test(text) ? `"${text}" uses a character AWS does not allow in ${spec.label}` : `"${text}" is not a number`;
  throw fieldError(spec, field, hint);
}

function parseDom(field: string): { spec: DomSpec; aws: string } {
  if (field === '*' || field === '?') return { spec: { kind: 'any' }, aws: '*' };
  const upper = field.toUpperCase();
  if (/[LW]/.test(upper)) {
    if (upper === 'L') return { spec: { kind: 'last' }, aws: 'L' };
    if (upper === 'LW' || upper === 'WL') return { spec: { kind: 'last-weekday' }, aws: 'LW' };
    const m = /^(\d+)W$/.exec(upper);
    if (m) {
      const day = Number(m[1]);
      if (day < 1 || day > 31) throw fieldError(DOM, field, `${day} is outside 1-31`);
      return { spec: { kind: 'nearest-weekday', day }, aws: `${day}W` };
    }
    throw fieldError(
      DOM,
      field,
      '"L" and "W" must stand alone: L (last day), LW (last weekday) or nW (weekday nearest day n)',
      'AWS accepts no lists, ranges or offsets with L or W',
    );
  }
  const items = parseList(field, DOM);
  return { spec: { kind: 'days', days: expand(items, DOM) }, aws: renderPlain(items, DOM) };
}

function parseDow(field: string): { spec: DowSpec; aws: string } {
  if (field === '*' || field === '?') return { spec: { kind: 'any' }, aws: '*' };
  const upper = field.toUpperCase();
  if (/[#L]/.test(upper.replace(/SUN|MON|TUE|WED|THU|FRI|SAT/g, ''))) {
    if (field.includes(',')) {
      throw fieldError(DOW, field, '"#" and "L" must stand alone: AWS accepts one such expression in day-of-week', 'write one schedule per expression');
    }
    if (upper === 'L') {
      throw fieldError(DOW, field, '"L" alone is ambiguous', 'write 5L (or FRI#L) for the last Friday of the month, or L in day-of-month for its last day');
    }
    const nth = /^([A-Z]{3}|\d+)#([1-5])$/.exec(upper);
    if (nth) {
      const day = parseVal(nth[1]!, field, DOW).v % 7;
      return { spec: { kind: 'nth', day, n: Number(nth[2]) }, aws: `${day + 1}#${nth[2]}` };
    }
    const last = /^([A-Z]{3}|\d+)#?L$/.exec(upper);
    if (last) {
      const day = parseVal(last[1]!, field, DOW).v % 7;
      return { spec: { kind: 'last', day }, aws: `${day + 1}L` };
    }
    throw fieldError(DOW, field, 'expected n#k (k-th weekday n of the month, k 1-5) or nL (last weekday n of the month)');
  }
  const items = parseList(field, DOW);
  const days = new Set([...expand(items, DOW)].map((d) => d % 7));
  return { spec: { kind: 'days', days }, aws: renderDow(items) };
}

/** Every value an item list names (day-of-week 7 stays 7; callers fold it). */
function expand(items: readonly Item[], spec: FieldSpec): Set<number> {
  const out = new Set<number>();
  const add = (from: number, to: number, step: number) => {
    for (let v = from; v <= to; v += step) out.add(v);
  };
  const top = spec === DOW ? 6 : spec.max;
  for (const item of items) {
    if (item.kind === 'any') add(spec.min, top, 1);
    else if (item.kind === 'value') out.add(item.val.v);
    else if (item.kind === 'range') add(item.from.v, item.to.v, 1);
    else add(item.from?.v ?? spec.min, item.to?.v ?? top, item.step);
  }
  return out;
}

/** Minutes, hours, day-of-month and month: the numbering is the same in AWS. */
function renderPlain(items: readonly Item[], spec: FieldSpec): string {
  if (items.length === 1) {
    const only = items[0]!;
    if (only.kind === 'any') return '*';
    if (only.kind === 'step' && (only.to === undefined || only.to.v === spec.max) && only.step <= spec.max - spec.min) {
      return `${only.from?.v ?? spec.min}/${only.step}`;
    }
  }
  if (items.some((i) => i.kind === 'step')) return compress([...expand(items, spec)]);
  return unique(items.map((i) => (i.kind === 'value' ? token(i.val) : i.kind === 'range' ? `${token(i.from)}-${token(i.to)}` : '*')));
}

/** Day-of-week: Unix 0-7 (0 and 7 Sunday) becomes AWS 1-7 (1 Sunday); names are kept. */
function renderDow(items: readonly Item[]): string {
  if (items.some((i) => i.kind === 'step')) {
    return compress([...new Set([...expand(items, DOW)].map((d) => (d % 7) + 1))]);
  }
  const out: string[] = [];
  for (const item of items) {
    if (item.kind === 'value') out.push(item.val.name ?? String((item.val.v % 7) + 1));
    else if (item.kind === 'range') {
      const { from, to } = item;
      const named = from.name !== undefined && to.name !== undefined;
      if (to.v < 7) out.push(named ? `${from.name}-${to.name}` : `${from.v + 1}-${to.v + 1}`);
      else if (from.v === 0) out.push(named ? 'SUN-SAT' : '1-7');
      else if (from.v === 7) out.push(named ? 'SUN' : '1');
      else out.push(...(named ? [`${from.name}-SAT`, 'SUN'] : [`${from.v + 1}-7`, '1']));
    }
  }
  return unique(out);
}

function token(val: Val): string {
  return val.name ?? String(val.v);
}

function unique(tokens: readonly string[]): string {
  return [...new Set(tokens)].join(',');
}

/** Sorted values as a list, with runs of three or more written as ranges. */
function compress(values: number[]): string {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i >= 2) out.push(`${sorted[i]}-${sorted[j]}`);
    else for (let k = i; k <= j; k++) out.push(String(sorted[k]));
    i = j + 1;
  }
  return out.join(',');
}

const LONGEST_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function checkDaysExist(days: Set<number>, months: Set<number>, field: string): void {
  const longest = Math.max(...[...months].map((m) => LONGEST_MONTH[m - 1]!));
  if (Math.min(...days) > longest) {
    throw fieldError(DOM, field, `never runs: no chosen month has day ${Math.min(...days)}`, `the chosen months have at most ${longest} days`);
  }
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timezone, f);
  }
  return f;
}

function localTime(date: Date, timezone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timezone).formatToParts(date)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour!, minute: parts.minute! };
}

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : LONGEST_MONTH[month - 1]!;
}

function weekday(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getUTCDay();
}

function nearestWeekday(year: number, month: number, day: number): number | undefined {
  const dim = daysIn(year, month);
  if (day > dim) return undefined;
  const wd = weekday(year, month, day);
  if (wd === 6) return day > 1 ? day - 1 : day + 2;
  if (wd === 0) return day < dim ? day + 1 : day - 2;
  return day;
}

function matchesParsed(p: ParsedCron, t: LocalTime): boolean {
  if (!p.minutes.has(t.minute) || !p.hours.has(t.hour) || !p.months.has(t.month)) return false;
  const dim = daysIn(t.year, t.month);
  const wd = weekday(t.year, t.month, t.day);
  switch (p.dom.kind) {
    case 'days':
      if (!p.dom.days.has(t.day)) return false;
      break;
    case 'last':
      if (t.day !== dim) return false;
      break;
    case 'last-weekday': {
      const lastWd = weekday(t.year, t.month, dim);
      if (t.day !== (lastWd === 6 ? dim - 1 : lastWd === 0 ? dim - 2 : dim)) return false;
      break;
    }
    case 'nearest-weekday':
      if (t.day !== nearestWeekday(t.year, t.month, p.dom.day)) return false;
      break;
    case 'any':
      break;
  }
  switch (p.dow.kind) {
    case 'days':
      return p.dow.days.has(wd);
    case 'nth':
      return wd === p.dow.day && Math.ceil(t.day / 7) === p.dow.n;
    case 'last':
      return wd === p.dow.day && t.day + 7 > dim;
    case 'any':
      return true;
  }
}

/** A croner pattern that fires at least whenever `p` does (W forms widen to nearby days; callers filter). */
function cronerPattern(p: ParsedCron): string {
  const list = (s: Set<number>) => [...s].sort((a, b) => a - b).join(',');
  let dom: string;
  switch (p.dom.kind) {
    case 'any':
      dom = '*';
      break;
    case 'days':
      dom = list(p.dom.days);
      break;
    case 'last':
      dom = 'L';
      break;
    case 'last-weekday':
      dom = '26-31';
      break;
    case 'nearest-weekday':
      dom = `${Math.max(1, p.dom.day - 2)}-${Math.min(31, p.dom.day + 2)}`;
      break;
  }
  let dow: string;
  switch (p.dow.kind) {
    case 'any':
      dow = '*';
      break;
    case 'days':
      dow = list(p.dow.days);
      break;
    case 'nth':
      dow = `${p.dow.day}#${p.dow.n}`;
      break;
    case 'last':
      dow = `${p.dow.day}#L`;
      break;
  }
  return `${list(p.minutes)} ${list(p.hours)} ${dom} ${list(p.months)} ${dow}`;
}
