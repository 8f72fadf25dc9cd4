import { loadWorkflows, type LoadResult, type Workflow } from '../config/index.ts';
import { closest, type Diagnostic } from '../diagnostics/index.ts';
import type { CliContext } from './cli-context.ts';
import { renderDiagnostics } from './print-diagnostics.ts';

/** Loaded workflows for a command that acts on one of them. */
export interface LoadedOne {
  workflow: Workflow;
  workflows: Map<string, Workflow>;
}

/**
 * Loads the config directory and picks workflow `name`; prints diagnostics on stderr. Only `name`
 * and the workflows it triggers (transitively) must be valid: their errors stop the command (it
 * returns undefined, and nothing should run). Errors anywhere else are printed as warnings that
 * say they do not block it, as `wf validate NAME` would pass.
 */
export function loadOne(ctx: CliContext, name: string, conf: string | undefined): LoadedOne | undefined {
  const base = { ...(conf !== undefined ? { conf } : {}), env: ctx.env };
  const selected = loadWorkflows({ ...base, names: [name] });
  const diagnostics: Diagnostic[] = [...selected.diagnostics];
  const workflow = selected.workflows.get(name);
  const missing = diagnostics.some((d) => d.code === 'WF1005');
  if (!workflow && !diagnostics.some((d) => d.severity === 'error')) {
    const known = [...selected.workflows.keys()];
    const near = closest(name, known);
    diagnostics.push({
      code: 'WF1005',
      severity: 'error',
      message: `no workflow named "${name}"`,
      note: known.length ? `known workflows are ${known.map((k) => `"${k}"`).join(', ')}${near ? `; did you mean "${near}"?` : ''}` : 'the config directory holds no workflows',
    });
  }
  const errors = diagnostics.filter((d) => d.severity === 'error');
  // A missing name already lists what exists; otherwise the rest of the directory is reported as warnings.
  const others = missing ? [] : elsewhere(loadWorkflows(base), selected, name);
  const shown = [...diagnostics, ...others];
  if (shown.length) ctx.err(renderDiagnostics(shown, selected.sources, ctx.paint));
  if (errors.length || !workflow) return undefined;
  return { workflow, workflows: selected.workflows };
}

/** The errors of the whole directory that are not about `name` nor what it triggers, as warnings. */
function elsewhere(all: LoadResult, selected: LoadResult, name: string): Diagnostic[] {
  const key = (d: Diagnostic): string => `${d.code}\0${d.location?.file ?? ''}\0${d.location?.offset ?? ''}\0${d.message}`;
  const own = new Set(selected.diagnostics.map(key));
  return all.diagnostics
    .filter((d) => d.severity === 'error' && !own.has(key(d)))
    .map((d) => ({
      ...d,
      severity: 'warning' as const,
      message: `${d.message} (an error, but not in "${name}" nor in a workflow it triggers: it does not block this command)`,
    }));
}
