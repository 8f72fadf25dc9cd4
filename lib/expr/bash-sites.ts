/**
 * Where each template of a `bash:` script sits, read with bash's lexical rules, so it can become a
 * reference to a variable holding its value, quoted for that place (docs/expressions.md), and never
 * script text:
 *
 * - `word`: unquoted (a command, an argument, an assignment, inside `$(…)` or backquotes): written
 *   `"${V}"`, one word whatever the value holds.
 * - `double`: inside `"…"` or an unquoted heredoc's body: written `${V}` (already quoted; a heredoc
 *   body expands parameters but never re-parses them).
 * - `single`: inside `'…'`: written `'"${V}"'` (the single quotes are closed around the reference).
 * - `ansi`: inside `$'…'`: written `'"${V}"$'`.
 * - `comment`: written `${V}` (bash ignores it).
 * - `arithmetic`: inside `$((…))` or `((…))`, where bash evaluates a variable's value as an
 *   expression (and a subscript in it runs commands): only a number may go there, written as itself.
 * - `refused`: a quoted heredoc's body (`<<'EOF'`), which is literal text: no reference expands in
 *   it, and the value would be spliced into it.
 *
 * Only the text between templates is read; a template's own source never is. What is written for a
 * site keeps the lexer's state unchanged, which is why the sites are known from the file alone.
 */

export type BashSite =
  | { kind: 'word' | 'double' | 'single' | 'ansi' | 'comment' | 'arithmetic' }
  | { kind: 'refused'; why: string };

type Frame =
  | { type: 'cmd'; close?: ')' | '`'; depth: number; wordStart: boolean }
  | { type: 'double' }
  | { type: 'single' }
  | { type: 'ansi' }
  | { type: 'arith'; depth: number }
  | { type: 'comment' }
  | { type: 'heredoc'; delimiter: string; quoted: boolean; stripTabs: boolean; lineStart: boolean; line: string };

const WORD_BREAK = /[\s;&|()<>]/;

/** Reads bash source piece by piece and tells, between pieces, what kind of place the lexer is at. */
class BashLexer {
  private frames: Frame[] = [{ type: 'cmd', depth: 0, wordStart: true }];
  /** Heredocs announced on the current line, whose bodies start after it. */
  private pending: Array<{ delimiter: string; quoted: boolean; stripTabs: boolean }> = [];

  site(): BashSite {
    const top = this.frames[this.frames.length - 1]!;
    switch (top.type) {
      case 'cmd':
        return { kind: 'word' };
      case 'double':
        return { kind: 'double' };
      case 'single':
        return { kind: 'single' };
      case 'ansi':
        return { kind: 'ansi' };
      case 'comment':
        return { kind: 'comment' };
      case 'arith':
        return { kind: 'arithmetic' };
      case 'heredoc':
        return top.quoted ? { kind: 'refused', why: `inside the body of a quoted heredoc (<<'${top.delimiter}'), which is literal text` } : { kind: 'double' };
    }
  }

  feed(text: string): void {
    let i = 0;
    while (i < text.length) i = this.step(text, i);
  }

  /** A template was written here: it is part of the current word or heredoc line. */
  written(): void {
    const top = this.top;
    if (top.type === 'cmd') top.wordStart = false;
    if (top.type === 'heredoc') {
      top.line += '\u0000';
      top.lineStart = false;
    }
  }

  private get top(): Frame {
    return this.frames[this.frames.length - 1]!;
  }

  private newline(): void {
    if (this.pending.length) {
      // Bodies follow in order; the first is read now, the rest are queued behind it.
      const [first, ...rest] = this.pending;
      this.pending = rest;
      this.frames.push({ type: 'heredoc', ...first!, lineStart: true, line: '' });
    }
  }

  private step(text: string, i: number): number {
    const c = text[i]!;
    const top = this.top;
    switch (top.type) {
      case 'comment':
        if (c === '\n') {
          this.frames.pop();
          this.newline();
        }
        return i + 1;
      case 'single':
        if (c === "'") this.frames.pop();
        return i + 1;
      case 'ansi':
        if (c === '\\') return i + 2;
        if (c === "'") this.frames.pop();
        return i + 1;
      case 'double':
        if (c === '\\') return i + 2;
        if (c === '"') {
          this.frames.pop();
          return i + 1;
        }
        return this.expansion(text, i) ?? i + 1;
      case 'heredoc':
        return this.stepHeredoc(top, text, i);
      case 'arith':
        if (c === '(') top.depth++;
        else if (c === ')') {
          if (top.depth > 0) top.depth--;
          else {
            this.frames.pop();
            return text[i + 1] === ')' ? i + 2 : i + 1;
          }
        }
        return this.expansion(text, i) ?? i + 1;
      case 'cmd':
        return this.stepCommand(top, text, i);
    }
  }

  /** `$(`, `$((`, `${`, backquotes: shared by command context, double quotes and arithmetic. */
  private expansion(text: string, i: number): number | undefined {
    const c = text[i]!;
    if (c === '`') {
      const top = this.top;
      if (top.type === 'cmd' && top.close === '`') {
        this.frames.pop();
        return i + 1;
      }
      this.frames.push({ type: 'cmd', close: '`', depth: 0, wordStart: true });
      return i + 1;
    }
    if (c !== '$') return undefined;
    if (text.startsWith('$((', i)) {
      this.frames.push({ type: 'arith', depth: 0 });
      return i + 3;
    }
    if (text[i + 1] === '(') {
      this.frames.push({ type: 'cmd', close: ')', depth: 0, wordStart: true });
      return i + 2;
    }
    return undefined;
  }

  private stepCommand(top: Extract<Frame, { type: 'cmd' }>, text: string, i: number): number {
    const c = text[i]!;
    const wordStart = top.wordStart;
    top.wordStart = WORD_BREAK.test(c);
    if (c === '\\') {
      top.wordStart = false;
      return i + 2;
    }
    if (c === '\n') {
      top.wordStart = true;
      this.newline();
      return i + 1;
    }
    if (c === '#' && wordStart) {
      this.frames.push({ type: 'comment' });
      return i + 1;
    }
    if (c === "'") {
      this.frames.push({ type: 'single' });
      return i + 1;
    }
    if (c === '"') {
      this.frames.push({ type: 'double' });
      return i + 1;
    }
    if (c === '$' && text[i + 1] === "'") {
      this.frames.push({ type: 'ansi' });
      return i + 2;
    }
    if (c === '(' && text[i + 1] === '(' && wordStart) {
      this.frames.push({ type: 'arith', depth: 0 });
      return i + 2;
    }
    const exp = this.expansion(text, i);
    if (exp !== undefined) return exp;
    if (c === '(') top.depth++;
    if (c === ')' && top.close === ')') {
      if (top.depth > 0) top.depth--;
      else {
        this.frames.pop();
        return i + 1;
      }
    }
    if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') return this.heredoc(text, i + 2);
    return i + 1;
  }

  /** Reads a heredoc operator's delimiter word (after `<<`); the body starts on the next line. */
  private heredoc(text: string, i: number): number {
    let j = i;
    const stripTabs = text[j] === '-';
    if (stripTabs) j++;
    while (text[j] === ' ' || text[j] === '\t') j++;
    let delimiter = '';
    let quoted = false;
    while (j < text.length && !WORD_BREAK.test(text[j]!)) {
      const ch = text[j]!;
      if (ch === "'" || ch === '"') {
        quoted = true;
        const end = text.indexOf(ch, j + 1);
        if (end < 0) break;
        delimiter += text.slice(j + 1, end);
        j = end + 1;
      } else if (ch === '\\') {
        quoted = true;
        delimiter += text[j + 1] ?? '';
        j += 2;
      } else {
        delimiter += ch;
        j++;
      }
    }
    if (delimiter) this.pending.push({ delimiter, quoted, stripTabs });
    return j;
  }

  private stepHeredoc(h: Extract<Frame, { type: 'heredoc' }>, text: string, i: number): number {
    const c = text[i]!;
    if (c === '\n') {
      const line = h.stripTabs ? h.line.replace(/^\t+/, '') : h.line;
      h.line = '';
      h.lineStart = true;
      if (line === h.delimiter) {
        this.frames.pop();
        this.newline();
      }
      return i + 1;
    }
    h.line += c;
    h.lineStart = false;
    if (!h.quoted) {
      if (c === '\\') {
        h.line += text[i + 1] ?? '';
        return i + 2;
      }
      const exp = this.expansion(text, i);
      if (exp !== undefined) {
        h.line += text.slice(i + 1, exp);
        return exp;
      }
    }
    return i + 1;
  }
}

/**
 * The site of each template in a bash script given as the text between templates: `texts[i]` comes
 * before template `i`, so there are `texts.length - 1` templates.
 */
export function bashSites(texts: readonly string[]): BashSite[] {
  const lexer = new BashLexer();
  const out: BashSite[] = [];
  texts.forEach((t, i) => {
    lexer.feed(t);
    if (i < texts.length - 1) {
      out.push(lexer.site());
      lexer.written();
    }
  });
  return out;
}
