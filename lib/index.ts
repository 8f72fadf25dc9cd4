/**
 * The public API of `sfn-workflow`. Registry modules import `tag` from here; tools embed the
 * loader, compiler, local engine and API client. The CDK constructs have their own entry point
 * (`sfn-workflow/cdk`), so that nothing but a CDK app loads aws-cdk-lib.
 */
export { tag, type TagOptions } from './runtime/index.ts';
export { loadWorkflows, loadWorkflowsFromText, parameterize, type Workflow, type Job, type Stage, type LoadResult } from './config/index.ts';
export { compileWorkflow, renderMermaid, type CompiledWorkflow, type CompileOptions } from './compiler/index.ts';
export { runLocal, type RunLocalOptions, type ResultDocument, type RunEvent } from './local/index.ts';
export { formatDiagnostics, type Diagnostic } from './diagnostics/index.ts';
export { WorkflowClient } from './client/index.ts';
