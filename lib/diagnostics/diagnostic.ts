/** Where a diagnostic points: a file and a 1-based line and column, with the offset and length of the span. */
export interface Location {
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  col: number;
  /** 0-based offset into the file's text. */
  offset: number;
  /** Length of the span in characters; at least 1 when printed. */
  length: number;
}

/** How serious a diagnostic is: errors stop validation, warnings do not. */
export type Severity = 'error' | 'warning';

/** One problem found in user input: a stable code, a message in the user's words, and an optional fix. */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  /** Absent when the problem is not tied to a file (a command-line value, say). */
  location?: Location;
  /** How to fix it, or what would have been valid. */
  note?: string;
}

/** A user error carried as an exception across a boundary that cannot return diagnostics (a CLI command, say). */
export class DiagnosticError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('; '));
    this.name = 'DiagnosticError';
    this.diagnostics = diagnostics;
  }
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
