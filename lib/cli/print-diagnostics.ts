import { formatDiagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { Paint } from './paint.ts';

/**
 * Diagnostics as the CLI prints them: each formatted with its source snippet, the severity word
 * coloured when the paint allows. Ends with a newline; empty for no diagnostics.
 */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string> | Record<string, string>,
  paint: Paint,
): string {
  return diagnostics
    .map((d) => {
      const text = formatDiagnostic(d, { sources });
      const word = d.severity === 'error' ? paint.bold(paint.red('error')) : paint.bold(paint.yellow('warning'));
      const header = `${d.severity} ${d.code}:`;
      const at = text.indexOf(header);
      const painted = paint.enabled && at >= 0 ? `${text.slice(0, at)}${word}${text.slice(at + d.severity.length)}` : text;
      return `${painted}\n`;
    })
    .join('');
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
