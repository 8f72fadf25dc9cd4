import { formatDiagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { Paint } from './paint.ts';
import { terminalText } from './terminal-text.ts';

/**
 * Diagnostics as the CLI prints them: each formatted with its source snippet, control characters
 * escaped (in messages, which quote values, and in the source line, whose caret follows the
 * escapes), the severity word coloured when the paint allows. Ends with a newline; empty for no
 * diagnostics.
 */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string> | Record<string, string>,
  paint: Paint,
): string {
  return diagnostics
    .map((d) => {
      const text = escapeDiagnostic(formatDiagnostic(d, { sources }), d, sources);
      const word = d.severity === 'error' ? paint.bold(paint.red('error')) : paint.bold(paint.yellow('warning'));
      const header = `${d.severity} ${d.code}:`;
      const at = text.indexOf(header);
      const painted = paint.enabled && at >= 0 ? `${text.slice(0, at)}${word}${text.slice(at + d.severity.length)}` : text;
      return `${painted}\n`;
    })
    .join('');
}

/** A formatted diagnostic with control characters escaped, and its caret moved under the escaped source line. */
function escapeDiagnostic(text: string, d: Diagnostic, sources: ReadonlyMap<string, string> | Record<string, string>): string {
  const lines = text.split('\n').map((line) => terminalText(line));
  const loc = d.location;
  const source = loc ? (sources instanceof Map ? sources.get(loc.file) : (sources as Record<string, string>)[loc.file]) : undefined;
  const srcLine = loc ? source?.split(/\r?\n/)[loc.line - 1] : undefined;
  if (!loc || srcLine === undefined || terminalText(srcLine) === srcLine) return lines.join('\n');
  // formatDiagnostic prints `   N | <line>`, then the caret line under it.
  const gutter = ' '.repeat(String(loc.line).length);
  const at = lines.indexOf(`   ${loc.line} | ${terminalText(srcLine)}`);
  if (at >= 0 && lines[at + 1]?.startsWith(`   ${gutter} | `)) {
    const start = Math.max(0, loc.col - 1);
    const end = start + Math.max(1, Math.min(loc.length, srcLine.length - start));
    const before = terminalText(srcLine.slice(0, start)).length;
    const under = Math.max(1, terminalText(srcLine.slice(start, end)).length);
    lines[at + 1] = `   ${gutter} | ${' '.repeat(before)}${'^'.repeat(under)}`;
  }
  return lines.join('\n');
}

/** `2 errors, 1 warning`: the counts in a diagnostic list, in words. */
export function countDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  return `${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
}

/** `1 workflow`, `3 workflows`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
