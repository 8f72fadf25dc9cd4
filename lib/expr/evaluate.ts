/**
 * Tree-walking evaluator. Semantics (GitHub Actions flavoured, strict):
 * - `==`/`!=` are strict and structural (no string/number coercion; lists and objects compare deeply).
 * - `<` `<=` `>` `>=` need two numbers or two strings.
 * - `&&`/`||` short-circuit and return an operand (`a || 'default'`); `!` negates truthiness.
 * - `+` adds two numbers or concatenates two strings; `- * / %` need numbers; `%` is JavaScript's
 *   remainder (sign of the dividend); dividing by zero is an error.
 * - A missing name or property is an error naming the path and what exists there; an optional
 *   segment (`a.b?`, `a[0]?`) gives null instead, also when its object is null or not a container.
 * - Lists take whole-number indexes, negative ones counting from the end (`a[-1]` is the last).
 */
import { didYouMean, quoteList } from '../diagnostics/index.ts';
import { arityMessage, unknownFilterMessage, unknownFunctionMessage } from './call-messages.ts';
import { deepEqual } from './deep-equal.ts';
import { describeValue, kindOf } from './describe-value.ts';
import { EvalFailure } from './eval-failure.ts';
import { lookupFilter } from './filters.ts';
import { lookupFunction } from './functions.ts';
import { isTruthy } from './is-truthy.ts';
import { printExpression } from './print-expression.ts';
import { EvalError, type EvalContext, type Node } from './types.ts';

type NodeOf<T extends Node['type']> = Extract<Node, { type: T }>;

const LISTED_KEYS = 20;

function listKeys(keys: string[]): string {
  const shown = quoteList(keys.slice(0, LISTED_KEYS));
  return keys.length > LISTED_KEYS ? `${shown} and ${keys.length - LISTED_KEYS} more` : shown;
}

function hyphenNote(word: string, existing: readonly string[]): string | undefined {
  const head = word.split('-')[0]!;
  if (word.includes('-') && existing.includes(head)) {
    return `"-" inside a name continues it; to subtract write "${head} - ${word.slice(head.length + 1)}" with spaces`;
  }
  return undefined;
}

function joinNotes(...notes: (string | undefined)[]): string | undefined {
  const kept = notes.filter((n): n is string => n !== undefined);
  return kept.length > 0 ? kept.join('; ') : undefined;
}

function fail(code: EvalError['code'], message: string, node: Node, note?: string): never {
  throw new EvalError(code, message, node, note);
}

function evalName(node: NodeOf<'name'>, ctx: EvalContext): unknown {
  const scope = ctx.scope;
  if (Object.hasOwn(scope, node.name) && scope[node.name] !== undefined) return scope[node.name];
  const names = Object.keys(scope).filter((k) => scope[k] !== undefined);
  fail(
    'WF4001',
    `unknown name "${node.name}"`,
    node,
    joinNotes(
      names.length > 0 ? `names in scope here are ${listKeys(names)}` : 'no names are in scope here',
      hyphenNote(node.name, names),
      didYouMean(node.name, names),
    ),
  );
}

/** Reads `key` of `obj` for a member or index node; handles optional segments and messages. */
function readKey(node: NodeOf<'member'> | NodeOf<'index'>, obj: unknown, key: string | number): unknown {
  const kind = kindOf(obj);
  const where = printExpression(node.object);
  if (kind === 'object') {
    const rec = obj as Record<string, unknown>;
    const k = String(key);
    if (Object.hasOwn(rec, k) && rec[k] !== undefined) return rec[k];
    if (node.optional) return null;
    const keys = Object.keys(rec).filter((x) => rec[x] !== undefined);
    fail(
      'WF4001',
      `"${printExpression(node)}" does not exist`,
      node,
      joinNotes(
        keys.length > 0 ? `${where} has ${listKeys(keys)}` : `${where} is an empty object`,
        hyphenNote(k, keys),
        `write ${printExpression({ ...node, optional: true })} to get null when it may be missing`,
        didYouMean(k, keys),
      ),
    );
  }
  if (kind === 'list' && typeof key === 'number') {
    const list = obj as unknown[];
    if (!Number.isInteger(key)) fail('WF4006', `list index must be a whole number, got ${key}`, node);
    const at = key < 0 ? list.length + key : key;
    if (at >= 0 && at < list.length) return list[at];
    if (node.optional) return null;
    fail(
      'WF4006',
      `index ${key} is out of range: ${where} is a list of ${list.length} item${list.length === 1 ? '' : 's'}`,
      node,
      joinNotes(list.length > 0 ? `valid indexes are 0 to ${list.length - 1}, or -1 to -${list.length} from the end` : undefined, `write ${printExpression({ ...node, optional: true })} to get null instead`),
    );
  }
  if (node.optional) return null;
  const what = typeof key === 'number' ? `index ${key}` : `property "${key}"`;
  if (kind === 'null') {
    fail('WF4006', `cannot read ${what} of null: ${where} is null`, node, `write ${printExpression({ ...node, optional: true })} to get null instead`);
  }
  const hint =
    kind === 'list' ? (key === 'length' ? 'use length(x) for the number of items' : 'lists are indexed by number: x[0]') :
    kind === 'string' && key === 'length' ? 'use length(x) for the number of characters' :
    kind === 'string' ? 'a string has no properties; parse JSON text with fromJson(x) first' : undefined;
  fail('WF4006', `cannot read ${what} of ${describeValue(obj)} (${where})`, node, hint);
}

function evalIndex(node: NodeOf<'index'>, ctx: EvalContext): unknown {
  const obj = evaluate(node.object, ctx);
  const key = evaluate(node.index, ctx);
  if (typeof key === 'string' || typeof key === 'number') return readKey(node, obj, key);
  if (node.optional) return null;
  fail('WF4006', `an index must be a string or a number, got ${describeValue(key)}`, node.index);
}

function compare(node: NodeOf<'binary'>, l: unknown, r: unknown): boolean {
  const both = (typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string');
  if (!both) {
    fail(
      'WF4006',
      `cannot compare ${describeValue(l)} ${node.op} ${describeValue(r)}`,
      node,
      `${node.op} needs two numbers or two strings; convert first, e.g. (x | int) ${node.op} 3`,
    );
  }
  const a = l as number | string;
  const b = r as number | string;
  switch (node.op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function arithmetic(node: NodeOf<'binary'>, l: unknown, r: unknown): unknown {
  if (node.op === '+' && typeof l === 'string' && typeof r === 'string') return l + r;
  if (typeof l !== 'number' || typeof r !== 'number') {
    const hint = node.op === '+' ? '+ adds two numbers or joins two strings; convert first, e.g. (x | int) + 1 or (x | str) + \'s\'' : `${node.op} needs two numbers; convert first, e.g. (x | int) ${node.op} 2`;
    fail('WF4006', `cannot apply ${node.op} to ${describeValue(l)} and ${describeValue(r)}`, node, hint);
  }
  if ((node.op === '/' || node.op === '%') && r === 0) {
    fail('WF4006', `division by zero: ${printExpression(node.right)} is 0`, node, `guard it, e.g. ${printExpression(node.right)} != 0 && ...`);
  }
  let v: number;
  switch (node.op) {
    case '+':
      v = l + r;
      break;
    case '-':
      v = l - r;
      break;
    case '*':
      v = l * r;
      break;
    case '/':
      v = l / r;
      break;
    default:
      v = l % r;
  }
  if (!Number.isFinite(v)) fail('WF4006', `the result of ${node.op} is too large to be a number (${l} ${node.op} ${r})`, node);
  return v;
}

function evalBinary(node: NodeOf<'binary'>, ctx: EvalContext): unknown {
  const l = evaluate(node.left, ctx);
  switch (node.op) {
    case '&&':
      return isTruthy(l) ? evaluate(node.right, ctx) : l;
    case '||':
      return isTruthy(l) ? l : evaluate(node.right, ctx);
    default:
  }
  const r = evaluate(node.right, ctx);
  switch (node.op) {
    case '==':
      return deepEqual(l, r);
    case '!=':
      return !deepEqual(l, r);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(node, l, r);
    default:
      return arithmetic(node, l, r);
  }
}

function rethrow(e: unknown, node: Node): never {
  if (e instanceof EvalFailure) throw new EvalError(e.code, e.message, node, e.note);
  throw e;
}

function evalCall(node: NodeOf<'call'>, ctx: EvalContext): unknown {
  const spec = lookupFunction(node.name);
  if (!spec) {
    const m = unknownFunctionMessage(node.name);
    fail('WF4002', m.message, node, m.note);
  }
  const arity = arityMessage('function', spec, node.args.length);
  if (arity) fail('WF4004', arity.message, node, arity.note);
  const args = node.args.map((a) => evaluate(a, ctx));
  try {
    return spec.call(args, ctx);
  } catch (e) {
    rethrow(e, node);
  }
}

function evalFilter(node: NodeOf<'filter'>, ctx: EvalContext): unknown {
  const spec = lookupFilter(node.name);
  if (!spec) {
    const m = unknownFilterMessage(node.name);
    fail('WF4003', m.message, node, m.note);
  }
  const arity = arityMessage('filter', spec, node.args.length);
  if (arity) fail('WF4004', arity.message, node, arity.note);
  const input = evaluate(node.input, ctx);
  const args = node.args.map((a) => evaluate(a, ctx));
  try {
    return spec.apply(input, args);
  } catch (e) {
    rethrow(e, node);
  }
}

/**
 * Evaluates an expression against a context. Throws `EvalError` (with the code, the position of
 * the failing node, and a note on how to fix it) for a missing name, a type error, a bad argument,
 * an unknown function or filter. The AST is not modified and may be evaluated any number of times.
 */
export function evaluate(ast: Node, ctx: EvalContext): unknown {
  switch (ast.type) {
    case 'literal':
      return ast.value;
    case 'name':
      return evalName(ast, ctx);
    case 'member':
      return readKey(ast, evaluate(ast.object, ctx), ast.property);
    case 'index':
      return evalIndex(ast, ctx);
    case 'unary': {
      const v = evaluate(ast.operand, ctx);
      if (ast.op === '!') return !isTruthy(v);
      if (typeof v !== 'number') fail('WF4006', `cannot negate ${describeValue(v)}`, ast, 'unary - needs a number; convert first, e.g. -(x | int)');
      return -v;
    }
    case 'binary':
      return evalBinary(ast, ctx);
    case 'call':
      return evalCall(ast, ctx);
    case 'filter':
      return evalFilter(ast, ctx);
  }
}
