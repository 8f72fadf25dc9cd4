/**
 * Run-time params: the caller's input checked against the workflow's declared params before
 * anything runs. Every problem is collected (unknown keys, missing values, wrong types) so one
 * attempt reports them all. Coercion is deliberately narrow: text that plainly spells a value of
 * the declared type is accepted (`"3"` for int, `"yes"` for bool, JSON text for map and array,
 * because `-p KEY=VALUE` only ever gives text); anything that would need a guess is an error.
 */
import { namedSecret } from './named-secret.ts';
import { closest, quoteList } from '../diagnostics/index.ts';
import type { Param, Workflow } from './model.ts';
import { ParamError } from './param-error.ts';
import { VALUE_DEPTH_MAX, valueDepth } from './value-depth.ts';

/** What {@link parameterize} returns: the coerced params, and every problem found. */
export interface ParameterizeResult {
  /** Declared params in declaration order, coerced; a param with an error is left out. */
  params: Record<string, unknown>;
  errors: ParamError[];
}

/** What a secret param's value is replaced with wherever it would be shown or stored. */
export const REDACTED = '***';

/**
 * Checks and coerces caller input against a workflow's declared params.
 *
 * - An input key that names no declared param is an error (WF7002) with a "did you mean".
 * - An omitted param (absent, `undefined` or `null`) takes its declared default; with no default it
 *   is an error (WF7003) when required, else `null`.
 * - A given value is coerced to the param's type (see {@link coerceParam}); a value that does not
 *   fit is an error (WF7001). Declared defaults are coerced the same way (a `null` default stays null).
 *
 * Secret params' values never appear in an error's message or `value` (they show as `"***"`).
 */
export function parameterize(workflow: Pick<Workflow, 'params'>, input: Record<string, unknown>): ParameterizeResult {
  const declared = workflow.params;
  const names = Object.keys(declared);
  const errors: ParamError[] = [];
  const out: [string, unknown][] = [];

  for (const key of Object.keys(input)) {
    if (Object.hasOwn(declared, key)) continue;
    const near = closest(key, names);
    const hint = near === undefined ? '' : `; did you mean "${near}"?`;
    errors.push(
      new ParamError({
        param: key,
        value: near !== undefined && declared[near]!.secret ? REDACTED : input[key],
        expected: names.length ? `one of ${quoteList(names)}` : 'no params',
        code: 'WF7002',
        detail: 'not declared by the workflow',
        note: names.length ? `declared params are ${quoteList(names)}${hint}` : 'the workflow declares no params',
      }),
    );
  }

  for (const name of names) {
    const param = declared[name]!;
    const given = Object.hasOwn(input, name) ? input[name] : undefined;
    if (given === undefined || given === null) {
      const named = namedSecret(param);
      if (named !== undefined) {
        // Read when the run starts on AWS (prepare-run.ts); here nothing can read it.
        errors.push(missing(param, `its default names the SSM parameter ${named}, which is read only when the run starts on AWS`, `give it a value here (wf run: -p ${name}=VALUE)`));
      } else if (param.hasDefault) {
        if (param.default === undefined || param.default === null) {
          out.push([name, null]);
          continue;
        }
        const r = coerceParam(param, param.default);
        if (r.ok) out.push([name, r.value]);
        else errors.push(asDefaultError(r.error));
      } else if (param.required) {
        errors.push(missing(param, `expected ${expectedText(param)}, got nothing (the param is required: it has no default)`, `give it a value (wf run: -p ${name}=VALUE), or declare a default`));
      } else {
        out.push([name, null]);
      }
      continue;
    }
    const r = coerceParam(param, given);
    if (r.ok) out.push([name, r.value]);
    else errors.push(r.error);
  }

  return { params: Object.fromEntries(out), errors };
}

/** WF7003: a param that has no value. */
function missing(param: Param, detail: string, note: string): ParamError {
  return new ParamError({ param: param.name, value: undefined, expected: expectedText(param), code: 'WF7003', detail, note });
}

function asDefaultError(e: ParamError): ParamError {
  return new ParamError({
    param: e.param,
    value: e.value,
    expected: e.expected,
    code: e.code,
    detail: `the declared default does not fit: expected ${e.expected}, got ${JSON.stringify(e.value)}`,
    ...(e.note !== undefined ? { note: e.note } : {}),
  });
}

/** The outcome of coercing one value: the value as the param's type, or why it does not fit. */
export type CoerceResult = { ok: true; value: unknown } | { ok: false; error: ParamError };

/**
 * Coerces one value to a param's declared type (also usable to check a declared default).
 *
 * | type | accepted | result |
 * |---|---|---|
 * | `str` | a string; a finite number or bigint (as its text) | string |
 * | `int` | a whole number; numeric text whose value is whole (`"3"`, `"3.0"`, `"1e3"`) | number |
 * | `float` | a finite number; numeric text | number |
 * | `decimal` | as float; text with at most 15 significant digits (what a JSON number keeps exactly) | number |
 * | `bool` | a boolean; 1 or 0; text `true/false/yes/no/1/0` in any case | boolean |
 * | `datetime` | a Date; ISO 8601 text (`T` or space, optional seconds and fraction, `Z`/`±HH:MM`/`±HHMM`/`±HH`) | UTC ISO text |
 * | `date` | `YYYY-MM-DD`; a Date or datetime text (its UTC date) | `YYYY-MM-DD` |
 * | `choice` | one of `options` (strict; text also matches a number or boolean option spelt the same) | the option |
 * | `map` | a plain object; JSON text of one | object |
 * | `array` | an array; JSON text of one | array |
 *
 * Datetimes: an offset is converted to UTC, never dropped; a datetime without an offset is taken as
 * UTC; output has seconds precision, with milliseconds only when non-zero (finer fractions are
 * truncated to milliseconds).
 *
 * A value (or the JSON text of one) whose maps and lists nest more than {@link VALUE_DEPTH_MAX}
 * levels deep is an error (WF7005) whatever the type.
 */
export function coerceParam(param: Param, value: unknown): CoerceResult {
  const tooDeep = depthError(param, value);
  if (tooDeep) return { ok: false, error: tooDeep };
  const fail = (note?: string): CoerceResult => ({
    ok: false,
    error: new ParamError({
      param: param.name,
      value: param.secret ? REDACTED : value,
      expected: expectedText(param),
      code: 'WF7001',
      ...(note !== undefined ? { note } : {}),
    }),
  });
  const ok = (v: unknown): CoerceResult => ({ ok: true, value: v });

  switch (param.type) {
    case 'str':
      if (typeof value === 'string') return ok(value);
      if (typeof value === 'number' && Number.isFinite(value)) return ok(String(value));
      if (typeof value === 'bigint') return ok(String(value));
      return fail(typeof value === 'boolean' ? `quote it to pass text: "${value}"` : undefined);
    case 'int': {
      const n = toNumber(value);
      if (n !== undefined && Number.isSafeInteger(n)) return ok(n === 0 ? 0 : n);
      return fail(n !== undefined && Number.isFinite(n) && !Number.isInteger(n) ? 'int params take whole numbers' : undefined);
    }
    case 'float': {
      const n = toNumber(value);
      return n !== undefined && Number.isFinite(n) ? ok(n) : fail();
    }
    case 'decimal': {
      const n = toNumber(value);
      if (n === undefined || !Number.isFinite(n)) return fail();
      if (typeof value === 'string' && significantDigits(value.trim()) > 15) {
        return fail('a decimal keeps at most 15 significant digits exactly');
      }
      return ok(n === 0 ? 0 : n);
    }
    case 'bool': {
      const b = toBool(value);
      return b === undefined ? fail('use true/false, yes/no or 1/0') : ok(b);
    }
    case 'datetime': {
      const ms = toUtcMillis(value);
      return ms === undefined ? fail(DATETIME_NOTE) : ok(formatUtcDatetime(ms));
    }
    case 'date': {
      if (typeof value === 'string' && DATE_ONLY.test(value.trim())) {
        const ms = toUtcMillis(value);
        return ms === undefined ? fail(DATE_NOTE) : ok(value.trim());
      }
      const ms = toUtcMillis(value);
      return ms === undefined ? fail(DATE_NOTE) : ok(formatUtcDatetime(ms).slice(0, 10));
    }
    case 'choice': {
      const options = param.options ?? [];
      const hit = matchOption(options, value);
      if (hit.found) return ok(hit.option);
      const texts = options.map((o) => (typeof o === 'string' ? o : JSON.stringify(o)));
      const near = typeof value === 'string' || typeof value === 'number' ? closest(String(value), texts) : undefined;
      const note = options.length
        ? `options are ${quoteList(texts)}${near !== undefined ? `; did you mean "${near}"?` : ''}`
        : 'the param declares no options';
      return fail(note);
    }
    case 'map': {
      const v = typeof value === 'string' ? parseJson(value) : value;
      if (v !== value && depthError(param, v)) return { ok: false, error: depthError(param, v)! };
      return isPlainObject(v) ? ok(v) : fail('pass an object, or its JSON text: {"key": "value"}');
    }
    case 'array': {
      const v = typeof value === 'string' ? parseJson(value) : value;
      if (v !== value && depthError(param, v)) return { ok: false, error: depthError(param, v)! };
      return Array.isArray(v) ? ok(v) : fail('pass a list, or its JSON text: ["a", "b"]');
    }
    default: {
      const never: never = param.type;
      throw new Error(`unknown param type ${String(never)}`);
    }
  }
}

/** A param's expected value in a message: its type, or `one of "a", "b"` for a choice. */
/** WF7005 when `value` nests maps and lists deeper than {@link VALUE_DEPTH_MAX}; the value is not quoted. */
function depthError(param: Param, value: unknown): ParamError | undefined {
  if (valueDepth(value) <= VALUE_DEPTH_MAX) return undefined;
  const expected = `${expectedText(param)} nested at most ${VALUE_DEPTH_MAX} levels deep`;
  return new ParamError({
    param: param.name,
    value: param.secret ? REDACTED : `a value nested more than ${VALUE_DEPTH_MAX} levels deep`,
    expected,
    code: 'WF7005',
    detail: `expected ${expected}, got maps or lists nested more than ${VALUE_DEPTH_MAX} levels deep`,
    note: `a param value may nest maps and lists at most ${VALUE_DEPTH_MAX} levels deep; flatten it (keys joined with dots, say)`,
  });
}

function expectedText(param: Param): string {
  if (param.type !== 'choice') return param.type;
  const options = (param.options ?? []).map((o) => (typeof o === 'string' ? o : JSON.stringify(o)));
  return options.length ? `one of ${quoteList(options)}` : 'choice';
}

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'string') {
    const t = value.trim();
    return NUMERIC.test(t) ? Number(t) : undefined;
  }
  return undefined;
}

function significantDigits(text: string): number {
  const mantissa = text.replace(/^[+-]/, '').replace(/[eE].*$/, '');
  return mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
}

const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

function toBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (TRUE_WORDS.has(t)) return true;
    if (FALSE_WORDS.has(t)) return false;
  }
  return undefined;
}

const DATETIME_NOTE = 'use ISO 8601, e.g. 2024-01-01T09:00:00Z or 2024-01-01T16:00:00+07:00';
const DATE_NOTE = 'use YYYY-MM-DD, e.g. 2024-01-31';
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const FIRST_MS = yearStart(1);
const END_MS = yearStart(10000);

function yearStart(year: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime();
}

/** Milliseconds since the epoch for a Date or ISO 8601 text (naive = UTC), or undefined when invalid. */
function toUtcMillis(value: unknown): number | undefined {
  if (value instanceof Date) {
    const t = value.getTime();
    return Number.isNaN(t) || t < FIRST_MS || t >= END_MS ? undefined : t;
  }
  if (typeof value !== 'string') return undefined;
  const m = ISO.exec(value.trim());
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac, offset] = m;
  const year = Number(ys);
  const month = Number(mos);
  const day = Number(ds);
  const hour = hs === undefined ? 0 : Number(hs);
  const minute = mis === undefined ? 0 : Number(mis);
  const second = ss === undefined ? 0 : Number(ss);
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (offset !== undefined && offset.toUpperCase() !== 'Z') {
    const sign = offset[0] === '-' ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  const t = d.getTime() - offsetMinutes * 60_000;
  return t < FIRST_MS || t >= END_MS ? undefined : t;
}

function daysInMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}

/** `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` before the `Z` only when the milliseconds are not zero. */
function formatUtcDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function matchOption(options: unknown[], value: unknown): { found: true; option: unknown } | { found: false } {
  for (const o of options) if (sameValue(o, value)) return { found: true, option: o };
  if (typeof value === 'string') {
    const t = value.trim();
    for (const o of options) {
      if ((typeof o === 'number' || typeof o === 'boolean') && String(o) === t) return { found: true, option: o };
    }
  }
  return { found: false };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Parses `-p KEY=VALUE` entries into a map of text values (coerced later by {@link parameterize}).
 * The value is everything after the first `=` and may be empty; a later entry for the same key
 * replaces an earlier one. An entry without `=` or with an empty key throws a {@link ParamError}
 * (WF7004): it is a usage error, nothing has run.
 */
export function parseParamAssignments(list: readonly string[]): Record<string, string> {
  const entries = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new ParamError({
        param: eq === 0 ? entry : entry.trim() || entry,
        value: entry,
        expected: 'KEY=VALUE',
        code: 'WF7004',
        detail: `expected KEY=VALUE, got ${JSON.stringify(entry)}`,
        note: eq === 0 ? 'the name before "=" is missing' : `write -p ${entry.trim() || 'KEY'}=VALUE`,
      });
    }
    entries.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return Object.fromEntries(entries);
}

/**
 * A copy of `params` with every secret param's value replaced by `"***"`, for logs, audit records
 * and anything else shown or stored. `null` and absent values stay as they are; keys the workflow
 * does not declare are copied unchanged.
 */
export function redactParams(workflow: Pick<Workflow, 'params'>, params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => {
      const p = Object.hasOwn(workflow.params, k) ? workflow.params[k] : undefined;
      return [k, p?.secret && v !== null && v !== undefined ? REDACTED : v];
    }),
  );
}
