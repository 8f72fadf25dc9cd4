import type { Diagnostic } from './diagnostic.ts';

/** Options for {@link formatDiagnostic}. */
export interface FormatOptions {
  /** The text of each file by path, for the source snippet. @default {} */
  sources?: ReadonlyMap<string, string> | Record<string, string>;
}

function sourceOf(sources: FormatOptions['sources'], file: string): string | undefined {
  if (!sources) return undefined;
  if (sources instanceof Map) return sources.get(file);
  return (sources as Record<string, string>)[file];
}

/**
 * Renders a diagnostic as `file:line:col: error CODE: message`, then the source line with a caret
 * under the span, then the note.
 */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.col}: ` : '';
  const lines = [`${where}${d.severity} ${d.code}: ${d.message}`];
  const text = d.location ? sourceOf(options.sources, d.location.file) : undefined;
  if (d.location && text !== undefined) {
    const srcLine = text.split(/\r?\n/)[d.location.line - 1];
    if (srcLine !== undefined) {
      const num = String(d.location.line);
      const pad = ' '.repeat(num.length);
      const width = Math.max(1, Math.min(d.location.length, srcLine.length - d.location.col + 1));
      lines.push(`   ${num} | ${srcLine}`);
      lines.push(`   ${pad} | ${' '.repeat(Math.max(0, d.location.col - 1))}${'^'.repeat(width)}`);
    }
  }
  if (d.note) lines.push(`  note: ${d.note}`);
  return lines.join('\n');
}

/** Renders many diagnostics, errors and warnings in the order given, with a summary line. */
export function formatDiagnostics(ds: readonly Diagnostic[], options: FormatOptions = {}): string {
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.length - errors;
  const body = ds.map((d) => formatDiagnostic(d, options)).join('\n');
  const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  return ds.length ? `${body}\n${summary}` : summary;
}
