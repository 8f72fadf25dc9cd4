/**
 * The public API of `sfn-workflow`. Registry modules import `tag` from here; tools embed the
 * loader, compiler and local engine. The CDK constructs and the API client have their own entry
 * points (`sfn-workflow/cdk`, `sfn-workflow/client`) so that a registry module never loads them.
 */
export { tag, type TagOptions } from './runtime/index.ts';
export { loadWorkflows, loadWorkflowsFromText, parameterize, type Workflow, type Job, type Stage, type LoadResult } from './config/index.ts';
export { compileWorkflow, renderMermaid, type CompiledWorkflow, type CompileOptions } from './compiler/index.ts';
export { runLocal, type RunLocalOptions, type ResultDocument, type RunEvent } from './local/index.ts';
export { formatDiagnostics, type Diagnostic } from './diagnostics/index.ts';
