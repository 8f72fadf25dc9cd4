/**
 * What every reader gets: the file, the log, the workflow being read (the owner of what is
 * reported), the environment settings, and the list where expression sites are collected for the
 * static checks that run once the whole workflow is known.
 */
import type { Node } from 'yaml';
import type { Code, Location, Severity } from '../diagnostics/index.ts';
import type { DiagnosticLog } from './diagnostic-log.ts';
import type { Settings } from './settings.ts';
import type { SourceFile } from './source-file.ts';

/** How a string is checked: a template, a condition, or bash text (splice lint and template). */
export type ExprSiteKind = 'template' | 'condition' | 'shell' | 'python';

/** One string to check statically once the workflow's jobs and stage ids are known. */
export interface ExprSite {
  kind: ExprSiteKind;
  text: string;
  /** The scalar node holding the text (for mapping offsets into the file). */
  node: Node;
  /** Root names in scope where the text is (`params`, `needs`, `matrix`, `item`, ...). */
  roots: readonly string[];
  /** The job the text belongs to; undefined for workflow-level text. */
  job?: string;
}

/** State shared by the readers of one workflow. */
export interface ReadContext {
  source: SourceFile;
  log: DiagnosticLog;
  /** Name of the workflow being read. */
  owner: string;
  settings: Settings;
  sites: ExprSite[];
}

/** Records a problem owned by the workflow being read. */
export function report(
  ctx: ReadContext,
  code: Code,
  message: string,
  location: Location,
  note?: string,
  severity: Severity = 'error',
): void {
  ctx.log.add(severity, code, message, location, note, [ctx.owner]);
}
