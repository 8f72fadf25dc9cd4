/**
 * Maps an offset inside a scalar's value (where the expression engine reports a problem) to an
 * offset in the file. Single-line plain and quoted scalars are mapped character by character,
 * undoing quote escapes; literal blocks (`|`) line by line, their indentation removed; folded
 * blocks and lines are mapped through the template the offset falls in (the n-th `${{` of the value is the n-th `${{` of the source), which holds because a
 * template's own text is written as-is.
 */
import { isScalar, Scalar, type Node } from 'yaml';
import type { SourceFile } from './source-file.ts';

/** The file offset of `offset` in `text`, the value of `node`. */
export function exprOffsetInFile(source: SourceFile, node: Node, text: string, offset: number): number {
  const start = node.range?.[0] ?? 0;
  const raw = source.raw(node);
  if (isScalar(node) && !raw.includes('\n')) {
    if (node.type === Scalar.PLAIN && raw === text) return start + offset;
    if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) {
      const map = quotedIndexMap(raw, node.type === Scalar.QUOTE_DOUBLE);
      if (map.length === text.length + 1) return start + map[Math.max(0, Math.min(offset, text.length))]!;
    }
  }
  if (isScalar(node) && node.type === Scalar.BLOCK_LITERAL) {
    const at = inLiteralBlock(raw, text, offset);
    if (at !== undefined) return start + at;
  }
  return start + viaTemplates(raw, text, offset);
}

/**
 * The raw index of `offset` in a literal block scalar (`|`): value line n is raw line n + 1 with the
 * block's indentation removed. Undefined when the raw text does not line up with the value (then
 * the template mapping is used).
 */
function inLiteralBlock(raw: string, text: string, offset: number): number | undefined {
  const rawLines = raw.split('\n');
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  const col = offset - (before.lastIndexOf('\n') + 1);
  const content = rawLines[line + 1];
  const valueLine = text.split('\n')[line];
  if (content === undefined || valueLine === undefined) return undefined;
  const indent = content.length - valueLine.length;
  if (indent < 0 || content.slice(indent) !== valueLine) return undefined;
  let at = 0;
  for (let i = 0; i <= line; i++) at += rawLines[i]!.length + 1;
  return at + indent + col;
}

/** For each value index (and one past the end), the raw index it comes from. */
function quotedIndexMap(raw: string, double: boolean): number[] {
  const out: number[] = [];
  const end = raw.length - 1;
  let i = 1;
  while (i < end) {
    out.push(i);
    if (!double && raw[i] === "'" && raw[i + 1] === "'") i += 2;
    else if (double && raw[i] === '\\') {
      const c = raw[i + 1];
      if (c === 'x') i += 4;
      else if (c === 'u') i += 6;
      else if (c === 'U') {
        const cp = parseInt(raw.slice(i + 2, i + 10), 16);
        if (cp > 0xffff) out.push(i);
        i += 10;
      } else i += 2;
    } else {
      const cp = raw.codePointAt(i)!;
      if (cp > 0xffff) {
        out.push(i + 1);
        i += 2;
      } else i += 1;
    }
  }
  out.push(Math.min(i, end));
  return out;
}

function viaTemplates(raw: string, text: string, offset: number): number {
  let tStart = -1;
  let n = 0;
  for (let at = text.indexOf('${{'); at !== -1 && at <= offset; at = text.indexOf('${{', at + 3)) {
    tStart = at;
    n++;
  }
  if (tStart < 0) return 0;
  let rStart = -1;
  for (let at = raw.indexOf('${{'), k = 1; at !== -1; at = raw.indexOf('${{', at + 3), k++) {
    if (k === n) {
      rStart = at;
      break;
    }
  }
  if (rStart < 0) return 0;
  const within = offset - tStart;
  const rawTemplateEnd = raw.indexOf('}}', rStart);
  const limit = rawTemplateEnd < 0 ? raw.length : rawTemplateEnd + 2;
  return Math.min(rStart + within, limit);
}
