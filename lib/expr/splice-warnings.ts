/**
 * Shell-safety lint: a template inside `bash` text is pasted into the script before the shell
 * parses it, so a caller-supplied value (`params`, `item`, `needs.<id>.outputs`; matrix values are written by the workflow's author)
 * holding quotes, `;` or `$(...)` changes the script. The fix is to pass the value through `env:`
 * and use `"$NAME"`, which the shell never re-parses. Templates whose value cannot be text (a
 * comparison, a number from `| int`, `length(...)`) are not reported.
 */
import { parseTemplate } from './parse-template.ts';
import { printExpression } from './print-expression.ts';
import type { ExprProblem, Node } from './types.ts';

const SAFE_FUNCTIONS = new Set(['always', 'success', 'failure', 'cancelled', 'contains', 'startswith', 'endswith', 'length']);
const SAFE_FILTERS = new Set(['int', 'float', 'abs']);
const NUMERIC_OPS = new Set(['==', '!=', '<', '<=', '>', '>=', '-', '*', '/', '%']);

/** True when the expression's value cannot be caller-controlled text. */
function producesSafeValue(node: Node): boolean {
  switch (node.type) {
    case 'literal':
    case 'unary':
      return true;
    case 'binary':
      return NUMERIC_OPS.has(node.op);
    case 'call':
      return SAFE_FUNCTIONS.has(node.name.toLowerCase());
    case 'filter':
      return SAFE_FILTERS.has(node.name);
    default:
      return false;
  }
}

/** Segments of a static access chain from its root (`needs.build.outputs.tag` → 4 names), or undefined. */
function chainOf(node: Node): string[] | undefined {
  if (node.type === 'name') return [node.name];
  if (node.type === 'member') {
    const head = chainOf(node.object);
    return head ? [...head, node.property] : undefined;
  }
  if (node.type === 'index') {
    const head = chainOf(node.object);
    if (!head) return undefined;
    if (node.index.type === 'literal' && node.index.value !== null && typeof node.index.value !== 'boolean') return [...head, String(node.index.value)];
    return [...head, '*'];
  }
  return undefined;
}

function isCallerSupplied(chain: readonly string[]): boolean {
  const [root, , third] = chain;
  return root === 'params' || root === 'item' || (root === 'needs' && third === 'outputs');
}

/** The first caller-supplied access chain read anywhere in the expression. */
function findSplicedRead(node: Node): { chain: string[]; node: Node } | undefined {
  const chain = chainOf(node);
  if (chain) return isCallerSupplied(chain) ? { chain, node } : undefined;
  switch (node.type) {
    case 'member':
      return findSplicedRead(node.object);
    case 'index':
      return findSplicedRead(node.object) ?? findSplicedRead(node.index);
    case 'unary':
      return findSplicedRead(node.operand);
    case 'binary':
      return findSplicedRead(node.left) ?? findSplicedRead(node.right);
    case 'call':
      return node.args.map(findSplicedRead).find((x) => x !== undefined);
    case 'filter':
      return findSplicedRead(node.input) ?? node.args.map(findSplicedRead).find((x) => x !== undefined);
    default:
      return undefined;
  }
}

function envName(chain: readonly string[]): string {
  const last = [...chain].reverse().find((s) => s !== '*') ?? 'VALUE';
  const name = last.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/**
 * Finds templates in bash text that splice caller-supplied values into the script. Each entry has
 * code WF4008, the template's position in `bashText`, and a note with the `env:` rewrite; the
 * caller decides the severity (a warning).
 */
export function spliceWarnings(bashText: string): ExprProblem[] {
  const out: ExprProblem[] = [];
  for (const part of parseTemplate(bashText).parts) {
    if (part.kind !== 'expr' || !part.ast || producesSafeValue(part.ast)) continue;
    const read = findSplicedRead(part.ast);
    if (!read) continue;
    const name = envName(read.chain);
    const expr = printExpression(part.ast);
    out.push({
      code: 'WF4008',
      message: `\${{ ${expr} }} splices ${printExpression(read.node)} into shell code`,
      offset: part.offset,
      length: part.length,
      note: `a value with quotes, spaces, ; or $(...) would change the script; pass it through env: ${name}: \${{ ${expr} }} and use "$${name}" in the script`,
    });
  }
  return out;
}
