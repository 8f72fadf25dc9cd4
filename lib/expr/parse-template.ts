/**
 * Splits a string into literal text and `${{ expr }}` templates. The end of a template is the
 * first `}}` outside a string literal, so `${{ format('{0}}}', x) }}` works. There is no escape
 * for a literal `${{`.
 */
import { readString } from './lexer.ts';
import { parseExpressionAt } from './parse-expression.ts';
import type { ExprProblem, TemplatePart } from './types.ts';

const OPEN = '${{';
const CLOSE = '}}';

/** Index just past the `}}` closing the template whose `${{` is at `start`, or -1 when there is none. */
function templateEnd(text: string, start: number): number {
  let i = start + OPEN.length;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      const { end } = readString(text, i);
      if (end < 0) break;
      i = end;
      continue;
    }
    if (c === '}' && text[i + 1] === '}') return i + 2;
    i++;
  }
  const plain = text.indexOf(CLOSE, start + OPEN.length);
  return plain < 0 ? -1 : plain + CLOSE.length;
}

/**
 * Splits `text` into text and expression parts and parses each expression. Every offset (parts,
 * AST nodes, problems) is relative to `text`. An unterminated `${{` is WF3002 and the text from it
 * to the end is kept as a text part of its own.
 */
export function parseTemplate(text: string): { parts: TemplatePart[]; problems: ExprProblem[] } {
  const parts: TemplatePart[] = [];
  const problems: ExprProblem[] = [];
  let pos = 0;
  for (;;) {
    const start = text.indexOf(OPEN, pos);
    if (start < 0) break;
    const end = templateEnd(text, start);
    if (end < 0) {
      if (start > pos) parts.push({ kind: 'text', text: text.slice(pos, start), offset: pos });
      pos = start;
      problems.push({
        code: 'WF3002',
        message: 'unterminated template: "${{" has no closing "}}"',
        offset: start,
        length: text.length - start,
        note: 'close it with }}, e.g. ${{ params.name }}',
      });
      break;
    }
    if (start > pos) parts.push({ kind: 'text', text: text.slice(pos, start), offset: pos });
    const srcOffset = start + OPEN.length;
    const src = text.slice(srcOffset, end - CLOSE.length);
    const parsed = parseExpressionAt(src, srcOffset);
    const part: TemplatePart = { kind: 'expr', src, offset: start, length: end - start, srcOffset };
    if (parsed.ast) part.ast = parsed.ast;
    problems.push(...parsed.problems);
    parts.push(part);
    pos = end;
  }
  if (pos < text.length) parts.push({ kind: 'text', text: text.slice(pos), offset: pos });
  return { parts, problems };
}

/** True when `text` contains `${{` (a template, possibly a broken one). */
export function isTemplate(text: string): boolean {
  return text.includes(OPEN);
}

/**
 * True when `text` is exactly one template, with nothing else around it but whitespace: such a
 * value keeps the type of its result (number, list, map, boolean, null) when rendered.
 */
export function isWholeTemplate(text: string): boolean {
  const start = text.indexOf(OPEN);
  if (start < 0 || text.slice(0, start).trim() !== '') return false;
  const end = templateEnd(text, start);
  return end > 0 && text.slice(end).trim() === '';
}
