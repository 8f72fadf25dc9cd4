/**
 * The loader's diagnostic log: every problem found, in the order found, each tagged with the
 * workflows it belongs to so that `wf validate NAME` can report only what concerns NAME.
 */
import type { Code, Diagnostic, Location, Severity } from '../diagnostics/index.ts';

/** A diagnostic and the workflows it belongs to (empty: the file itself, any workflow). */
export interface LoggedDiagnostic {
  diagnostic: Diagnostic;
  owners: string[];
}

/** Collects diagnostics instead of throwing, so one run reports every problem. */
export class DiagnosticLog {
  readonly entries: LoggedDiagnostic[] = [];

  /** Records a problem owned by `owners` (workflow names). */
  add(
    severity: Severity,
    code: Code,
    message: string,
    location: Location | undefined,
    note?: string,
    owners: readonly string[] = [],
  ): void {
    const diagnostic: Diagnostic = { code, severity, message };
    if (location) diagnostic.location = location;
    if (note) diagnostic.note = note;
    this.entries.push({ diagnostic, owners: [...owners] });
  }

  /** Number of errors recorded for `owner` (or for anyone when omitted). */
  errorCount(owner?: string): number {
    return this.entries.filter(
      (e) => e.diagnostic.severity === 'error' && (owner === undefined || e.owners.includes(owner)),
    ).length;
  }
}
