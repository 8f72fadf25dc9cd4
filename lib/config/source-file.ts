/**
 * One parsed YAML file: its text, its document and the line index that turns offsets into
 * line:column. Every location the config layer reports is made here.
 */
import { isNode, type Document, type LineCounter, type Node } from 'yaml';
import type { Location } from '../diagnostics/index.ts';

/** A YAML file as the loader sees it. */
export class SourceFile {
  /** Path as reported in diagnostics (relative to cwd when the conf dir was given relative). */
  readonly path: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;

  constructor(path: string, text: string, doc: Document.Parsed, lines: LineCounter) {
    this.path = path;
    this.text = text;
    this.doc = doc;
    this.lines = lines;
  }

  /** The location of a span given by offset and length. */
  at(offset: number, length: number): Location {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    const { line, col } = this.lines.linePos(clamped);
    return { file: this.path, line, col, offset: clamped, length: Math.max(0, length) };
  }

  /** The location of a node's value (without comments or trailing space). */
  locate(node: Node | null | undefined): Location {
    if (!node || !node.range) return this.at(0, 0);
    const [start, end] = node.range;
    return this.at(start, end - start);
  }

  /** The node's source text exactly as written (quotes and escapes included). */
  raw(node: Node): string {
    if (!node.range) return '';
    return this.text.slice(node.range[0], node.range[1]);
  }

  /** The node as a plain JavaScript value, or undefined for a missing node. */
  toJS(node: unknown): unknown {
    if (!isNode(node)) return node === null ? null : undefined;
    return node.toJS(this.doc, { maxAliasCount: 1000 });
  }
}
