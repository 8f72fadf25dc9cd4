/**
 * Intrinsic functions evaluated as Step Functions evaluates them. The embedded engine's own
 * evaluation removes every backslash from a string result and keeps the escapes of string literals,
 * so a cause or a key holding a quote or a backslash would differ from AWS; states whose results
 * that affects run through this evaluator instead (see exact-intrinsics.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { isIntrinsicPath, type IntrinsicArg } from '../compiler/index.ts';

/** The error Step Functions raises for an intrinsic it cannot evaluate (`States.Runtime`). */
export function intrinsicRuntimeError(message: string): Error {
  return Object.assign(new Error(message), { name: 'States.Runtime' });
}

/** The value at a plain path (`$.a.b[0]`, `$$.Execution.Id`); a missing step is a runtime error. */
export function readIntrinsicPath(path: string, input: unknown, context: unknown): unknown {
  if (!isIntrinsicPath(path)) throw intrinsicRuntimeError(`The path '${path}' is not one an intrinsic function reads`);
  let cur: unknown = path.startsWith('$$') ? context : input;
  for (const m of path.slice(path.startsWith('$$') ? 2 : 1).matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g)) {
    const key = m[1] ?? Number(m[2]);
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) {
      throw intrinsicRuntimeError(`The JsonPath argument for the field '${path}' could not be found in the input`);
    }
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function need<T>(ok: boolean, value: T, fn: string, what: string): T {
  if (!ok) throw intrinsicRuntimeError(`${fn}: ${what}`);
  return value;
}

function formatValue(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  need(v === null || ['number', 'boolean'].includes(typeof v), v, fn, 'a value to format must be a string, number, boolean or null');
  return JSON.stringify(v);
}

/** Evaluates one parsed intrinsic argument against a state's input and the context object. */
export function evaluateIntrinsic(arg: IntrinsicArg, input: unknown, context: unknown): unknown {
  switch (arg.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return arg.value;
    case 'null':
      return null;
    case 'path':
      return readIntrinsicPath(arg.path, input, context);
    case 'call':
      break;
  }
  const fn = arg.name;
  const args = arg.args.map((a) => evaluateIntrinsic(a, input, context));
  const list = (i: number): unknown[] => need(Array.isArray(args[i]), args[i] as unknown[], fn, `argument ${i + 1} must be an array`);
  const int = (i: number): number => need(Number.isInteger(args[i]), args[i] as number, fn, `argument ${i + 1} must be an integer`);
  const str = (i: number): string => need(typeof args[i] === 'string', args[i] as string, fn, `argument ${i + 1} must be a string`);
  switch (fn) {
    case 'States.Format': {
      const pieces = (arg.args[0] as Extract<IntrinsicArg, { kind: 'string' }>).pieces;
      return pieces.map((p, i) => (i === 0 ? p : formatValue(args[i], fn) + p)).join('');
    }
    case 'States.StringToJson':
      try {
        return JSON.parse(str(0));
      } catch {
        throw intrinsicRuntimeError(`${fn}: argument 1 is not JSON text`);
      }
    case 'States.JsonToString':
      return JSON.stringify(args[0]);
    case 'States.Array':
      return args;
    case 'States.ArrayPartition': {
      const xs = list(0);
      const size = need(int(1) > 0, int(1), fn, 'the chunk size must be positive');
      const out: unknown[][] = [];
      for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
      return out;
    }
    case 'States.ArrayContains':
      return list(0).some((x) => isDeepStrictEqual(x, args[1]));
    case 'States.ArrayRange': {
      const [from, to, step] = [int(0), int(1), int(2)];
      need(step !== 0, 0, fn, 'the step must not be 0');
      const out: number[] = [];
      for (let v = from; step > 0 ? v <= to : v >= to; v += step) out.push(v);
      return need(out.length <= 1000, out, fn, 'at most 1000 items');
    }
    case 'States.ArrayGetItem': {
      const xs = list(0);
      const i = int(1);
      return need(i >= 0 && i < xs.length, xs[i], fn, `index ${i} is out of bounds`);
    }
    case 'States.ArrayLength':
      return list(0).length;
    case 'States.ArrayUnique':
      return list(0).filter((x, i, xs) => xs.findIndex((y) => isDeepStrictEqual(x, y)) === i);
    case 'States.Base64Encode':
      return Buffer.from(str(0), 'utf8').toString('base64');
    case 'States.Base64Decode':
      return Buffer.from(str(0), 'base64').toString('utf8');
    case 'States.Hash': {
      const algorithm = need(str(1) in HASHES, HASHES[str(1)]!, fn, `unknown algorithm ${str(1)}`);
      return createHash(algorithm).update(str(0)).digest('hex');
    }
    case 'States.JsonMerge': {
      const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
      need(isObject(args[0]) && isObject(args[1]), 0, fn, 'both values must be objects');
      need(args[2] === false, 0, fn, 'only a shallow merge (false) is supported');
      return { ...(args[0] as object), ...(args[1] as object) };
    }
    case 'States.MathRandom': {
      const [from, to] = [int(0), int(1)];
      return from + Math.floor(Math.random() * (to - from));
    }
    case 'States.MathAdd':
      return int(0) + int(1);
    case 'States.StringSplit': {
      const delimiters = [...str(1)];
      let parts = [str(0)];
      for (const d of delimiters) parts = parts.flatMap((p) => p.split(d));
      return parts.filter((p) => p !== '');
    }
    case 'States.UUID':
      return randomUUID();
    default:
      throw intrinsicRuntimeError(`unknown intrinsic function ${fn}`);
  }
}
