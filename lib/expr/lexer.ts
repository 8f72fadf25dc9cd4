/**
 * Tokenizer for the expression language. Identifiers follow GitHub Actions: they start with a
 * letter or `_` and continue with letters, digits, `_`, and `-` when the `-` is directly followed by
 * another identifier character (`needs.main-process.result`); `a - b` with spaces is subtraction.
 * Directly after a `.`, a name may also start with a digit, since job and stage ids may
 * (`stages.01-load.outputs`).
 * Strings take `'single'` or `"double"` quotes with backslash escapes; inside single quotes `''`
 * is a quote too (GitHub style). Unknown escapes such as `\d` keep their backslash (Python style).
 */
import type { ExprProblem } from './types.ts';

/** Kinds of tokens. `punct` covers operators and punctuation; `value` holds the operator text. */
export type TokenKind = 'number' | 'string' | 'ident' | 'punct' | 'eof';

/** One token, positioned relative to the text that was tokenized (plus the base offset). */
export interface Token {
  kind: TokenKind;
  /** Punctuation and identifiers: their text; strings: the decoded value; numbers: the source text. */
  value: string;
  /** Numbers: the parsed value. */
  number?: number;
  offset: number;
  length: number;
}

const PUNCT2 = ['==', '!=', '<=', '>=', '&&', '||'];
const PUNCT1 = '.[](),!<>+-*/%|?';

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  b: '\b',
  f: '\f',
  v: '\v',
};

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_');
}

function isIdentPart(c: string | undefined): boolean {
  return isIdentStart(c) || isDigit(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/**
 * Reads a quoted string starting at `start` (the opening quote). Returns the decoded value and the
 * index just past the closing quote, or `end: -1` when the string is not closed.
 */
export function readString(src: string, start: number): { value: string; end: number } {
  const quote = src[start]!;
  let out = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === quote) {
      if (quote === "'" && src[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      return { value: out, end: i + 1 };
    }
    if (c === '\\' && i + 1 < src.length) {
      const e = src[i + 1]!;
      const simple = SIMPLE_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
        continue;
      }
      const hex = e === 'x' ? 2 : e === 'u' ? 4 : 0;
      const digits = src.slice(i + 2, i + 2 + hex);
      if (hex > 0 && digits.length === hex && /^[0-9a-fA-F]+$/.test(digits)) {
        out += String.fromCharCode(parseInt(digits, 16));
        i += 2 + hex;
        continue;
      }
      out += c;
      i += 1;
      continue;
    }
    out += c;
    i += 1;
  }
  return { value: out, end: -1 };
}

/**
 * Splits expression source into tokens. Problems (WF3003 unterminated string, WF3004 unexpected
 * character, WF3001 malformed number) are collected; the token list always ends with `eof`.
 * `base` is added to every offset, so tokens of an expression inside a template are positioned
 * relative to the template text.
 */
export function tokenize(src: string, base = 0): { tokens: Token[]; problems: ExprProblem[] } {
  const tokens: Token[] = [];
  const problems: ExprProblem[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    const afterDot = tokens.at(-1)?.kind === 'punct' && tokens.at(-1)?.value === '.' && tokens.at(-1)!.offset + 1 === base + i;
    if (isIdentStart(c) || (afterDot && isDigit(c))) {
      i++;
      while (i < src.length) {
        if (isIdentPart(src[i])) i++;
        else if (src[i] === '-' && isIdentPart(src[i + 1])) i += 2;
        else break;
      }
      tokens.push({ kind: 'ident', value: src.slice(start, i), offset: base + start, length: i - start });
      continue;
    }
    if (isDigit(c)) {
      while (isDigit(src[i])) i++;
      if (src[i] === '.' && isDigit(src[i + 1])) {
        i++;
        while (isDigit(src[i])) i++;
      }
      if ((src[i] === 'e' || src[i] === 'E') && (isDigit(src[i + 1]) || ((src[i + 1] === '+' || src[i + 1] === '-') && isDigit(src[i + 2])))) {
        i += 2;
        while (isDigit(src[i])) i++;
      }
      if (isIdentPart(src[i])) {
        while (isIdentPart(src[i])) i++;
        problems.push({
          code: 'WF3001',
          message: `malformed number "${src.slice(start, i)}"`,
          offset: base + start,
          length: i - start,
          note: 'a name cannot start with a digit; numbers are written like 42, 3.5 or 1e3',
        });
        continue;
      }
      const text = src.slice(start, i);
      tokens.push({ kind: 'number', value: text, number: Number(text), offset: base + start, length: i - start });
      continue;
    }
    if (c === "'" || c === '"') {
      const { value, end } = readString(src, start);
      if (end < 0) {
        problems.push({
          code: 'WF3003',
          message: `unterminated string: no closing ${c} for the string that starts here`,
          offset: base + start,
          length: src.length - start,
          note: c === "'" ? "close it with '; a quote inside is written '' or \\'" : 'close it with "; a quote inside is written \\"',
        });
        i = src.length;
        continue;
      }
      tokens.push({ kind: 'string', value, offset: base + start, length: end - start });
      i = end;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (PUNCT2.includes(two)) {
      tokens.push({ kind: 'punct', value: two, offset: base + start, length: 2 });
      i += 2;
      continue;
    }
    if (PUNCT1.includes(c)) {
      tokens.push({ kind: 'punct', value: c, offset: base + start, length: 1 });
      i++;
      continue;
    }
    while (i < src.length && isUnexpected(src, i)) i += src.codePointAt(i)! > 0xffff ? 2 : 1;
    const run = src.slice(start, i);
    problems.push({
      code: 'WF3004',
      message: `unexpected character${[...run].length > 1 ? 's' : ''} ${JSON.stringify(run)}`,
      offset: base + start,
      length: i - start,
      note: unexpectedCharNote(c),
    });
  }
  tokens.push({ kind: 'eof', value: '', offset: base + src.length, length: 0 });
  return { tokens, problems };
}

/** True when the character at `i` starts no token (a run of them is reported as one problem). */
function isUnexpected(src: string, i: number): boolean {
  const c = src[i]!;
  return !isSpace(c) && !isIdentStart(c) && !isDigit(c) && c !== "'" && c !== '"' && !PUNCT1.includes(c) && !PUNCT2.includes(src.slice(i, i + 2));
}

function unexpectedCharNote(c: string): string {
  switch (c) {
    case '=':
      return 'compare with == (a single = is not an operator)';
    case '&':
      return 'logical and is written &&';
    case '{':
    case '}':
      return 'templates do not nest: inside ${{ }} write the expression itself';
    case '$':
      return 'inside ${{ }} write names directly, e.g. params.x, not ${{ params.x }} or $x';
    case '`':
      return "strings are quoted with ' or \"";
    default:
      return 'expressions use names, numbers, quoted strings, operators ! == != < <= > >= && || + - * / %, calls f(x) and filters x | f';
  }
}
