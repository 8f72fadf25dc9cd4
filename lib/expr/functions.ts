/**
 * The functions of the expression language (GitHub Actions flavoured). Names are matched without
 * regard to case, as in GitHub Actions (`toJSON` is `toJson`). Each entry checks its own argument
 * kinds and throws `EvalFailure` with the value it received.
 */
import { deepEqual } from './deep-equal.ts';
import { describeValue, kindOf } from './describe-value.ts';
import { EvalFailure } from './eval-failure.ts';
import { toText } from './to-text.ts';
import type { EvalContext, StatusFacts } from './types.ts';

/** One function: its arity and implementation. */
export interface FunctionSpec {
  /** Canonical spelling. */
  name: string;
  minArgs: number;
  maxArgs: number;
  /** How it is called, for messages: `contains(search, item)`. */
  usage: string;
  call(args: unknown[], ctx: EvalContext): unknown;
}

const DEFAULT_STATUS: StatusFacts = { success: true, failure: false, cancelled: false };

function status(ctx: EvalContext): StatusFacts {
  return ctx.status ?? DEFAULT_STATUS;
}

function needString(fn: string, what: string, v: unknown, hint: string): string {
  if (typeof v === 'string') return v;
  throw new EvalFailure(`${fn} needs a string as ${what}, got ${describeValue(v)}`, hint);
}

function contains(args: unknown[]): boolean {
  const [search, item] = args;
  if (typeof search === 'string') {
    if (typeof item !== 'string') {
      throw new EvalFailure(
        `contains(string, ${kindOf(item)}): a string can only contain a string, got ${describeValue(item)}`,
        'convert the item first, e.g. contains(s, x | str)',
      );
    }
    return search.includes(item);
  }
  if (Array.isArray(search)) return search.some((x) => deepEqual(x, item));
  if (kindOf(search) === 'object') {
    if (typeof item !== 'string') throw new EvalFailure(`contains(object, ${kindOf(item)}) tests for a key and needs a string key, got ${describeValue(item)}`);
    return Object.hasOwn(search as object, item);
  }
  throw new EvalFailure(
    `contains needs a string, a list or an object to search in, got ${describeValue(search)}`,
    'contains(text, part), contains(list, item) or contains(object, key)',
  );
}

function format(args: unknown[]): string {
  const pattern = needString('format', 'its first argument', args[0], "format('{0}-{1}', a, b)");
  const values = args.slice(1);
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '{' && pattern[i + 1] === '{') {
      out += '{';
      i++;
    } else if (c === '}' && pattern[i + 1] === '}') {
      out += '}';
      i++;
    } else if (c === '{') {
      const close = pattern.indexOf('}', i);
      const digits = close < 0 ? '' : pattern.slice(i + 1, close);
      if (!/^\d+$/.test(digits)) {
        throw new EvalFailure(`format pattern ${JSON.stringify(pattern)} has a malformed placeholder at position ${i}`, 'placeholders are {0}, {1}, ...; write {{ and }} for literal braces');
      }
      const n = Number(digits);
      if (n >= values.length) {
        throw new EvalFailure(
          `format pattern ${JSON.stringify(pattern)} uses {${n}} but only ${values.length} value${values.length === 1 ? ' was' : 's were'} given`,
          'placeholders count from {0}; pass one value per placeholder',
        );
      }
      out += toText(values[n]);
      i = close;
    } else if (c === '}') {
      throw new EvalFailure(`format pattern ${JSON.stringify(pattern)} has an unmatched "}" at position ${i}`, 'write }} for a literal brace');
    } else out += c;
  }
  return out;
}

function join(args: unknown[]): string {
  const [list, sep = ','] = args;
  const separator = needString('join', 'separator', sep, "join(list, ', ')");
  if (typeof list === 'string') return list;
  if (!Array.isArray(list)) throw new EvalFailure(`join needs a list, got ${describeValue(list)}`, "join(list, ', ')");
  return list.map((x) => toText(x)).join(separator);
}

function fromJson(args: unknown[]): unknown {
  const text = needString('fromJson', 'its argument', args[0], 'fromJson parses JSON text; a value that is already a list or object needs no parsing');
  try {
    return JSON.parse(text);
  } catch (e) {
    const shown = text.length > 60 ? `${text.slice(0, 59)}…` : text;
    throw new EvalFailure(`fromJson could not parse ${JSON.stringify(shown)}: ${(e as Error).message}`, 'the text must be JSON, e.g. \'["a", "b"]\' or \'{"k": 1}\'');
  }
}

function length(args: unknown[]): number {
  const v = args[0];
  if (typeof v === 'string') return [...v].length;
  if (Array.isArray(v)) return v.length;
  if (kindOf(v) === 'object') return Object.keys(v as object).length;
  throw new EvalFailure(`length needs a string, a list or an object, got ${describeValue(v)}`);
}

const SPECS: FunctionSpec[] = [
  { name: 'always', minArgs: 0, maxArgs: 0, usage: 'always()', call: () => true },
  { name: 'success', minArgs: 0, maxArgs: 0, usage: 'success()', call: (_a, ctx) => status(ctx).success },
  { name: 'failure', minArgs: 0, maxArgs: 0, usage: 'failure()', call: (_a, ctx) => status(ctx).failure },
  { name: 'cancelled', minArgs: 0, maxArgs: 0, usage: 'cancelled()', call: (_a, ctx) => status(ctx).cancelled },
  { name: 'contains', minArgs: 2, maxArgs: 2, usage: 'contains(search, item)', call: contains },
  {
    name: 'startsWith',
    minArgs: 2,
    maxArgs: 2,
    usage: 'startsWith(text, prefix)',
    call: ([s, p]) => needString('startsWith', 'text', s, 'convert with | str').startsWith(needString('startsWith', 'prefix', p, 'convert with | str')),
  },
  {
    name: 'endsWith',
    minArgs: 2,
    maxArgs: 2,
    usage: 'endsWith(text, suffix)',
    call: ([s, p]) => needString('endsWith', 'text', s, 'convert with | str').endsWith(needString('endsWith', 'suffix', p, 'convert with | str')),
  },
  { name: 'format', minArgs: 1, maxArgs: Infinity, usage: "format('{0}-{1}', a, b)", call: format },
  { name: 'join', minArgs: 1, maxArgs: 2, usage: "join(list, separator = ',')", call: join },
  { name: 'toJson', minArgs: 1, maxArgs: 1, usage: 'toJson(value)', call: ([v]) => JSON.stringify(v ?? null) },
  { name: 'fromJson', minArgs: 1, maxArgs: 1, usage: 'fromJson(text)', call: fromJson },
  { name: 'length', minArgs: 1, maxArgs: 1, usage: 'length(value)', call: length },
];

const BY_LOWER = new Map(SPECS.map((s) => [s.name.toLowerCase(), s]));

/** Canonical names of every function. */
export const FUNCTION_NAMES: readonly string[] = SPECS.map((s) => s.name);

/** The function called `name` (any case), or undefined. */
export function lookupFunction(name: string): FunctionSpec | undefined {
  return BY_LOWER.get(name.toLowerCase());
}
