/** Options for {@link terminalText}. */
export interface TerminalTextOptions {
  /** Keep line breaks (`\n`) as they are: for text printed as a block of lines. @default false (a `\n` is shown as `\n`) */
  multiline?: boolean;
}

// C0 controls but tab (and newline, in the first), DEL, C1 controls, line and paragraph separators, bidi overrides and isolates.
const UNSAFE_IN_LINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_IN_BLOCK = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Untrusted text (a param value, or anything a run makes of one: a stage name, an echo, an output,
 * an error message) made safe to print on a terminal: control characters that could move the
 * cursor, paint, retitle the window or reorder the line (C0 but tab, DEL, C1, U+2028/U+2029, bidi
 * overrides and isolates) are shown as visible escapes (`\r`, `\x1b`, `\u202e`); all other text,
 * emoji and every script included, is kept as is. Apply it to values before painting them (see
 * paint.ts), never to a painted string.
 */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  return text.replace(options.multiline ? UNSAFE_IN_BLOCK : UNSAFE_IN_LINE, visible);
}
