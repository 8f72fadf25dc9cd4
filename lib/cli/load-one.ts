import { loadWorkflows, type Workflow } from '../config/index.ts';
import { closest, type Diagnostic } from '../diagnostics/index.ts';
import type { CliContext } from './cli-context.ts';
import { renderDiagnostics } from './print-diagnostics.ts';

/** Loaded workflows for a command that acts on one of them. */
export interface LoadedOne {
  workflow: Workflow;
  workflows: Map<string, Workflow>;
}

/**
 * Loads the config directory and picks workflow `name`; prints diagnostics (warnings too) on
 * stderr. Returns undefined when there are errors or no such workflow: nothing should run.
 */
export function loadOne(ctx: CliContext, name: string, conf: string | undefined): LoadedOne | undefined {
  const all = loadWorkflows({ ...(conf !== undefined ? { conf } : {}), env: ctx.env });
  const diagnostics: Diagnostic[] = [...all.diagnostics];
  const workflow = all.workflows.get(name);
  if (!workflow && !diagnostics.some((d) => d.severity === 'error')) {
    const known = [...all.workflows.keys()];
    const near = closest(name, known);
    diagnostics.push({
      code: 'WF1005',
      severity: 'error',
      message: `no workflow named "${name}"`,
      note: known.length ? `known workflows are ${known.map((k) => `"${k}"`).join(', ')}${near ? `; did you mean "${near}"?` : ''}` : 'the config directory holds no workflows',
    });
  }
  const errors = diagnostics.filter((d) => d.severity === 'error');
  // Only the chosen workflow's warnings matter here; errors anywhere stop the command.
  const shown = errors.length ? diagnostics : diagnostics.filter((d) => !workflow || !d.location || d.location.file === workflow.file);
  if (shown.length) ctx.err(renderDiagnostics(shown, all.sources, ctx.paint));
  if (errors.length || !workflow) return undefined;
  return { workflow, workflows: all.workflows };
}
