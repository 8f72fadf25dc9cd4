/**
 * The filters of the expression language (`value | name(args)`), flavoured after the reference
 * engine's Python filters. Names are matched exactly. JavaScript has one number type, so `int`
 * truncates and `float` keeps the value: `3 | float` is `3`, not `3.0`.
 */
import { describeValue, kindOf } from './describe-value.ts';
import { EvalFailure } from './eval-failure.ts';
import { formatDatetime } from './format-datetime.ts';
import { toPythonLiteral } from './to-python-literal.ts';
import { toText } from './to-text.ts';

/** One filter: its arity (not counting the value on its left) and implementation. */
export interface FilterSpec {
  name: string;
  minArgs: number;
  maxArgs: number;
  /** How it is applied, for messages: `x | getitem(key, default)`. */
  usage: string;
  apply(value: unknown, args: unknown[]): unknown;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function toNumber(filter: string, v: unknown): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new EvalFailure(`${filter} cannot convert ${describeValue(v)}`);
    return v;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) {
    const n = Number(v.trim());
    if (Number.isFinite(n)) return n;
  }
  throw new EvalFailure(`${filter} cannot convert ${describeValue(v)} to a number`, `${filter} takes a number, a boolean or a numeric string such as "42" or "3.5"`);
}

function needString(filter: string, v: unknown): string {
  if (typeof v === 'string') return v;
  throw new EvalFailure(`${filter} needs a string, got ${describeValue(v)}`, `convert it first: x | str | ${filter}`);
}

function needObject(filter: string, v: unknown): Record<string, unknown> {
  if (kindOf(v) === 'object') return v as Record<string, unknown>;
  throw new EvalFailure(`${filter} needs an object, got ${describeValue(v)}`);
}

function keyOf(filter: string, k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' && Number.isInteger(k)) return String(k);
  throw new EvalFailure(`${filter} needs a string key, got ${describeValue(k)}`);
}

function title(s: string): string {
  return s.replace(/\p{L}+/gu, (w) => {
    const [first = '', ...rest] = [...w];
    return first.toUpperCase() + rest.join('').toLowerCase();
  });
}

function toList(v: unknown): unknown[] {
  if (typeof v === 'string') return [...v];
  if (Array.isArray(v)) return [...v];
  if (kindOf(v) === 'object') return Object.keys(v as object);
  throw new EvalFailure(`list needs a string, a list or an object, got ${describeValue(v)}`, "list('ab') is ['a', 'b']; list of an object is its keys");
}

function toDict(v: unknown): Record<string, unknown> {
  if (kindOf(v) === 'object') return { ...(v as Record<string, unknown>) };
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    v.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new EvalFailure(`dict needs a list of [key, value] pairs; item ${i} is ${describeValue(pair)}`);
      out[keyOf('dict', pair[0])] = pair[1];
    });
    return out;
  }
  throw new EvalFailure(`dict needs an object or a list of [key, value] pairs, got ${describeValue(v)}`);
}

function getindex(v: unknown, i: unknown): unknown {
  if (!Array.isArray(v)) throw new EvalFailure(`getindex needs a list, got ${describeValue(v)}`, 'for an object use getitem(key)');
  if (typeof i !== 'number' || !Number.isInteger(i)) throw new EvalFailure(`getindex needs a whole-number index, got ${describeValue(i)}`);
  const at = i < 0 ? v.length + i : i;
  if (at < 0 || at >= v.length) {
    throw new EvalFailure(
      `getindex(${i}) is out of range for a list of ${v.length} item${v.length === 1 ? '' : 's'}`,
      v.length === 0 ? 'the list is empty' : `valid indexes are 0 to ${v.length - 1}, or -1 to -${v.length} from the end`,
    );
  }
  return v[at];
}

const SPECS: FilterSpec[] = [
  {
    name: 'abs',
    minArgs: 0,
    maxArgs: 0,
    usage: 'x | abs',
    apply: (v) => {
      if (typeof v !== 'number') throw new EvalFailure(`abs needs a number, got ${describeValue(v)}`, 'convert it first: x | int | abs');
      return Math.abs(v);
    },
  },
  { name: 'str', minArgs: 0, maxArgs: 0, usage: 'x | str', apply: (v) => toText(v) },
  { name: 'int', minArgs: 0, maxArgs: 0, usage: 'x | int', apply: (v) => Math.trunc(toNumber('int', v)) + 0 },
  { name: 'float', minArgs: 0, maxArgs: 0, usage: 'x | float', apply: (v) => toNumber('float', v) },
  { name: 'list', minArgs: 0, maxArgs: 0, usage: 'x | list', apply: toList },
  { name: 'dict', minArgs: 0, maxArgs: 0, usage: 'x | dict', apply: toDict },
  { name: 'title', minArgs: 0, maxArgs: 0, usage: 'x | title', apply: (v) => title(needString('title', v)) },
  { name: 'upper', minArgs: 0, maxArgs: 0, usage: 'x | upper', apply: (v) => needString('upper', v).toUpperCase() },
  { name: 'lower', minArgs: 0, maxArgs: 0, usage: 'x | lower', apply: (v) => needString('lower', v).toLowerCase() },
  { name: 'rstr', minArgs: 0, maxArgs: 0, usage: 'x | rstr', apply: (v) => toPythonLiteral(v) },
  { name: 'keys', minArgs: 0, maxArgs: 0, usage: 'x | keys', apply: (v) => Object.keys(needObject('keys', v)) },
  { name: 'values', minArgs: 0, maxArgs: 0, usage: 'x | values', apply: (v) => Object.values(needObject('values', v)) },
  {
    name: 'fmt',
    minArgs: 0,
    maxArgs: 1,
    usage: "x | fmt('%Y-%m-%d')",
    apply: (v, [pattern = '%Y-%m-%d %H:%M:%S']) => {
      if (typeof pattern !== 'string') throw new EvalFailure(`fmt needs a pattern string, got ${describeValue(pattern)}`, "x | fmt('%Y-%m-%d')");
      return formatDatetime(v, pattern);
    },
  },
  { name: 'coalesce', minArgs: 1, maxArgs: 1, usage: 'x | coalesce(default)', apply: (v, [d]) => (v === null || v === undefined ? d : v) },
  {
    name: 'getitem',
    minArgs: 1,
    maxArgs: 2,
    usage: 'x | getitem(key, default = null)',
    apply: (v, [k, d = null]) => {
      const obj = needObject('getitem', v);
      const key = keyOf('getitem', k);
      return Object.hasOwn(obj, key) ? obj[key] : d;
    },
  },
  { name: 'getindex', minArgs: 1, maxArgs: 1, usage: 'x | getindex(i)', apply: (v, [i]) => getindex(v, i) },
];

const BY_NAME = new Map(SPECS.map((s) => [s.name, s]));

/** Names of every filter. */
export const FILTER_NAMES: readonly string[] = SPECS.map((s) => s.name);

/** The filter called `name` (exact case), or undefined. */
export function lookupFilter(name: string): FilterSpec | undefined {
  return BY_NAME.get(name);
}
