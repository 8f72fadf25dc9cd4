export { compileWorkflow, jobMachineName, type CompiledWorkflow, type CompiledMachine, type CompiledDefinition } from './compile-workflow.ts';
export type { CompileOptions, StateInfo } from './compile-context.ts';
export { stateMachinePlaceholder } from './compile-stages.ts';
export { planJobs, planWorkflowJobs, planAddedWaits, type PlanNode } from './plan-jobs.ts';
export { simulatePlan, criticalPath } from './simulate-plan.ts';
export { structuralProblems, estimateHistoryEvents } from './asl/check-machine.ts';
export type { Machine, State, ChoiceRule } from './asl/types.ts';
export { renderMermaid } from './render-mermaid.ts';
export { historyBounds, batchMachineName, chunkSizeFor } from './compile-batched-foreach.ts';
