/**
 * Where each template of a `run:` block sits in the Python code, read with Python's lexical rules
 * (strings with their prefixes and quotes, comments, f-string replacement fields), so its value can
 * be written for that place and never change the code's meaning (docs/expressions.md):
 *
 * - `code` (also a comment): the value is written as a Python literal (`'it\'s'`, `True`, `[1, 2]`).
 * - `string`: inside a plain string literal (`'…'`, `"…"`, triple-quoted, `u'…'`): the value's text is
 *   escaped for a string literal, so no quote, backslash or newline in it can end the string.
 * - `fstring`: inside the text of an f-string: escaped as in `string`, with `{` and `}` doubled.
 * - `refused`: a place no escaping makes safe, or that only some Python versions accept: a raw or
 *   bytes literal, a replacement field or format spec of an f-string. `why` says which; `fix` gives
 *   the rewrite (assign the value to a name outside, and use the name).
 *
 * Only the text between templates is read; a template's own source (which may hold quotes) never is.
 * The value written for a site keeps the lexer's state unchanged, which is why the sites can be known
 * from the workflow file alone.
 */

export type PythonSite =
  | { kind: 'code' }
  | { kind: 'string' }
  | { kind: 'fstring' }
  | { kind: 'refused'; why: string };

interface StringFrame {
  type: 'string';
  quote: string;
  raw: boolean;
  bytes: boolean;
  f: boolean;
}
/** Code inside an f-string's replacement field; `depth` counts open brackets. */
interface FieldFrame {
  type: 'field';
  depth: number;
}
/** The format spec of a replacement field (after its `:`), which may hold nested fields. */
interface SpecFrame {
  type: 'spec';
}
type Frame = StringFrame | FieldFrame | SpecFrame;

const PREFIX = /^(?:[rR]|[uU]|[bB]|[fF]|[rR][bB]|[bB][rR]|[rR][fF]|[fF][rR])$/;

/** Reads Python source piece by piece and tells, between pieces, what kind of place the lexer is at. */
class PythonLexer {
  /** Innermost last; empty means top-level code. */
  private frames: Frame[] = [];
  private comment = false;

  site(): PythonSite {
    if (this.comment) return { kind: 'code' };
    const top = this.frames[this.frames.length - 1];
    if (!top) return { kind: 'code' };
    if (top.type === 'field') return { kind: 'refused', why: 'inside a replacement field ({…}) of an f-string' };
    if (top.type === 'spec') return { kind: 'refused', why: 'inside the format spec of an f-string field' };
    if (top.raw) return { kind: 'refused', why: 'inside a raw string (r"…")' };
    if (top.bytes) return { kind: 'refused', why: 'inside a bytes literal (b"…")' };
    return { kind: top.f ? 'fstring' : 'string' };
  }

  feed(text: string): void {
    let i = 0;
    while (i < text.length) i = this.step(text, i);
  }

  private step(text: string, i: number): number {
    const c = text[i]!;
    if (this.comment) {
      if (c === '\n' || c === '\r') this.comment = false;
      return i + 1;
    }
    const top = this.frames[this.frames.length - 1];
    if (top?.type === 'string') return this.stepString(top, text, i);
    if (top?.type === 'spec') {
      if (c === '{') {
        this.frames.push({ type: 'field', depth: 0 });
        return i + 1;
      }
      // `}` ends the spec and the field it belongs to.
      if (c === '}') this.frames.splice(-2, 2);
      return i + 1;
    }
    // Code: top-level or inside an f-string field.
    if (c === '#') {
      this.comment = true;
      return i + 1;
    }
    if (c === '"' || c === "'") return this.openString('', text, i);
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      const word = text.slice(i, j);
      if (PREFIX.test(word) && (text[j] === '"' || text[j] === "'")) return this.openString(word, text, j);
      return j;
    }
    if (top?.type === 'field') {
      if (c === '(' || c === '[' || c === '{') top.depth++;
      else if ((c === ')' || c === ']') && top.depth > 0) top.depth--;
      else if (c === '}') {
        if (top.depth > 0) top.depth--;
        else this.frames.pop();
      } else if (c === ':' && top.depth === 0) {
        this.frames.push({ type: 'spec' });
      }
    }
    return i + 1;
  }

  private openString(prefix: string, text: string, q: number): number {
    const ch = text[q]!;
    const triple = text[q + 1] === ch && text[q + 2] === ch;
    const lower = prefix.toLowerCase();
    this.frames.push({ type: 'string', quote: triple ? ch.repeat(3) : ch, raw: lower.includes('r'), bytes: lower.includes('b'), f: lower.includes('f') });
    return q + (triple ? 3 : 1);
  }

  private stepString(s: StringFrame, text: string, i: number): number {
    const c = text[i]!;
    if (c === '\\') return i + 2;
    if (text.startsWith(s.quote, i)) {
      this.frames.pop();
      return i + s.quote.length;
    }
    if ((c === '\n' || c === '\r') && s.quote.length === 1) {
      // An unterminated single-quoted string: Python refuses the code; read on as code.
      this.frames.pop();
      return i + 1;
    }
    if (s.f && c === '{') {
      if (text[i + 1] === '{') return i + 2;
      this.frames.push({ type: 'field', depth: 0 });
      return i + 1;
    }
    if (s.f && c === '}' && text[i + 1] === '}') return i + 2;
    return i + 1;
  }
}

/**
 * The site of each template in Python code given as the text between templates: `texts[i]` comes
 * before template `i`, so there are `texts.length - 1` templates (a trailing text may be empty).
 */
export function pythonSites(texts: readonly string[]): PythonSite[] {
  const lexer = new PythonLexer();
  const out: PythonSite[] = [];
  texts.forEach((t, i) => {
    lexer.feed(t);
    if (i < texts.length - 1) out.push(lexer.site());
  });
  return out;
}
