/**
 * Synth-time loading: the workflows of a config directory (or given ones) are loaded and compiled
 * exactly as `wf validate` and `wf compile` do. Errors stop the synth with the same formatted
 * diagnostics (file:line:col, the source line, the note); warnings are returned for the caller to
 * show. The result is ordered so that a workflow comes after every workflow it triggers: its state
 * machine needs theirs to exist (validation rejects trigger cycles, so the order always exists).
 */
import { compileWorkflow, type CompiledWorkflow } from '../compiler/index.ts';
import { loadWorkflows, type Workflow } from '../config/index.ts';
import { formatDiagnostic, formatDiagnostics, type Diagnostic } from '../diagnostics/index.ts';
import { WorkflowSynthError } from './workflow-synth-error.ts';

/** A workflow with its compiled definition, ready to deploy. */
export interface DeployableWorkflow {
  workflow: Workflow;
  compiled: CompiledWorkflow;
}

/** Where the workflows come from: a config directory, or workflows already loaded. */
export interface DeploySource {
  /** The config directory. @default WORKFLOW_CORE_CONF_PATH, else "conf" */
  conf?: string;
  /** Workflows already loaded (instead of `conf`), by name. */
  workflows?: ReadonlyMap<string, Workflow>;
  /** The text of the files the workflows came from, for source lines in messages. @default none */
  sources?: ReadonlyMap<string, string>;
  /** Environment for `WORKFLOW_CORE_*` settings. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Splitting workflows into one machine per job (see `compileWorkflow`). @default 'auto' */
  split?: 'auto' | 'jobs' | 'off';
}

/** What {@link compileForDeploy} returns. */
export interface CompiledForDeploy {
  /** Every workflow, each after the workflows it triggers. */
  workflows: DeployableWorkflow[];
  /** Warnings (no errors: those throw), each formatted as `wf validate` prints it. */
  warnings: { diagnostic: Diagnostic; text: string }[];
}

/**
 * Loads (unless given) and compiles every workflow. Throws a {@link WorkflowSynthError}, whose
 * message is the formatted diagnostics, when any workflow has an error at load or compile time.
 */
export function compileForDeploy(source: DeploySource = {}): CompiledForDeploy {
  let workflows: ReadonlyMap<string, Workflow>;
  let sources: ReadonlyMap<string, string> = source.sources ?? new Map();
  const diagnostics: Diagnostic[] = [];
  if (source.workflows) workflows = source.workflows;
  else {
    const loaded = loadWorkflows({ ...(source.conf !== undefined ? { conf: source.conf } : {}), ...(source.env ? { env: source.env } : {}) });
    workflows = loaded.workflows;
    sources = loaded.sources;
    diagnostics.push(...loaded.diagnostics);
  }
  const compiled = new Map<string, CompiledWorkflow>();
  if (!diagnostics.some((d) => d.severity === 'error')) {
    for (const [name, workflow] of workflows) {
      const result = compileWorkflow(workflow, { workflows, ...(source.split ? { split: source.split } : {}) });
      diagnostics.push(...result.diagnostics);
      compiled.set(name, result);
    }
  }
  if (workflows.size === 0 && !diagnostics.some((d) => d.severity === 'error')) {
    diagnostics.push({ code: 'WF1005', severity: 'error', message: 'no workflow to deploy: the given workflows are empty' });
  }
  if (diagnostics.some((d) => d.severity === 'error')) throw new WorkflowSynthError(formatDiagnostics(diagnostics, { sources }), diagnostics);

  const ordered: DeployableWorkflow[] = [];
  const placed = new Set<string>();
  const place = (name: string, path: readonly string[]): void => {
    if (placed.has(name)) return;
    const workflow = workflows.get(name);
    const result = compiled.get(name);
    if (!workflow || !result) throw new Error(`workflow "${path.at(-1)}" triggers "${name}", which is not among the workflows to deploy`);
    if (path.includes(name)) throw new Error(`trigger cycle reached deployment: ${[...path, name].join(' → ')}`);
    for (const child of result.triggers) place(child, [...path, name]);
    placed.add(name);
    ordered.push({ workflow, compiled: result });
  };
  for (const name of workflows.keys()) place(name, []);
  return { workflows: ordered, warnings: diagnostics.map((d) => ({ diagnostic: d, text: formatDiagnostic(d, { sources }) })) };
}
