/**
 * Prints an AST back as expression source in one canonical form: single-quoted strings, spaces
 * around binary operators and `|`, parentheses only where precedence needs them. Parsing the
 * printed text gives the same AST (up to positions).
 */
import type { Node } from './types.ts';

const PRECEDENCE: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};
const UNARY = 7;
const POSTFIX = 8;
const PRIMARY = 9;

/** Quotes a string as a single-quoted expression literal. */
export function quoteString(s: string): string {
  let out = "'";
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "'") out += "''";
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

function precedenceOf(node: Node): number {
  switch (node.type) {
    case 'filter':
      return 0;
    case 'binary':
      return PRECEDENCE[node.op]!;
    case 'unary':
      return UNARY;
    case 'literal':
      return typeof node.value === 'number' && node.value < 0 ? UNARY : PRIMARY;
    case 'member':
    case 'index':
      return POSTFIX;
    default:
      return PRIMARY;
  }
}

function print(node: Node, min: number): string {
  const text = printBare(node);
  return precedenceOf(node) < min ? `(${text})` : text;
}

function printBare(node: Node): string {
  switch (node.type) {
    case 'literal':
      if (node.value === null) return 'null';
      if (typeof node.value === 'string') return quoteString(node.value);
      return String(node.value);
    case 'name':
      return node.name;
    case 'member':
      return `${print(node.object, POSTFIX)}.${node.property}${node.optional ? '?' : ''}`;
    case 'index':
      return `${print(node.object, POSTFIX)}[${print(node.index, 0)}]${node.optional ? '?' : ''}`;
    case 'unary':
      return `${node.op}${print(node.operand, UNARY)}`;
    case 'binary': {
      const p = PRECEDENCE[node.op]!;
      const comparison = p === 3 || p === 4;
      return `${print(node.left, comparison ? p + 1 : p)} ${node.op} ${print(node.right, p + 1)}`;
    }
    case 'call':
      return `${node.name}(${node.args.map((a) => print(a, 0)).join(', ')})`;
    case 'filter': {
      const args = node.args.length > 0 ? `(${node.args.map((a) => print(a, 0)).join(', ')})` : '';
      return `${print(node.input, 0)} | ${node.name}${args}`;
    }
  }
}

/** Prints an AST as canonical expression source (`params.x == 'a' && !y`). */
export function printExpression(node: Node): string {
  return print(node, 0);
}
