/** The Step Functions API client of deployed (or locally served) workflows. */
export {
  WorkflowClient,
  STATE_MACHINES_OUTPUT,
  AUDIT_TABLE_OUTPUT,
  SECRETS_PREFIX_OUTPUT,
  type WorkflowClientOptions,
  type StartOptions,
  type StartedRun,
  type WaitOptions,
  type RerunOptions,
  type RerunResult,
  type ExecutionItem,
  type ReleaseType,
  type SignalResult,
} from './workflow-client.ts';
export { WorkflowClientError, toClientError } from './workflow-client-error.ts';
export { ParamsRejectedError } from './params-rejected-error.ts';
export { HistoryTracker } from './history-tracker.ts';
export { runStatusOf, type RunReport, type JobReport, type StageReport, type RunStatus, type ExecutionStatus, type RunRef } from './run-report.ts';
export { releaseExecutionName, uniqueExecutionName, executionArnOf, splitExecutionArn } from './execution-names.ts';
export { stageLogsFromHistory } from './stage-logs.ts';
