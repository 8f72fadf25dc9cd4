import type { Diagnostic } from '../diagnostics/index.ts';

/**
 * Workflows that cannot be deployed: the message is the diagnostics formatted as `wf validate`
 * prints them (file:line:col, the source line, the note, the count), so `cdk synth` shows the same
 * text. `diagnostics` holds them as data.
 */
export class WorkflowSynthError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(message: string, diagnostics: readonly Diagnostic[]) {
    super(message);
    this.name = 'WorkflowSynthError';
    this.diagnostics = diagnostics;
  }
}
