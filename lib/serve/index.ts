/** The local Step Functions endpoint (`wf serve`): the AWS API over the local engine. */
export { startServer, DEFAULT_SERVE_PORT, MAX_BODY_BYTES, type ServeOptions, type RunningServer } from './start-server.ts';
export { LocalExecutions, SERVER_STOPPED, MAX_INPUT_BYTES, type LocalExecutionsOptions, type LocalStateMachine } from './local-executions.ts';
export { ExecutionTable, EXECUTIONS_TABLE, type ExecutionPage } from './execution-table.ts';
export type { ExecutionRecord, ExecutionStatus, ExecutionSummary } from './execution-record.ts';
export { HistoryRecorder, type HistoryEvent, type HistoryRecorderOptions, type ExecutionEnd } from './history-recorder.ts';
export { SFN_ACTIONS, isSfnAction, runSfnAction, type SfnAction } from './sfn-actions.ts';
export { SfnError } from './sfn-error.ts';
export { localStateMachineArn, localExecutionArn, parseStateMachineArn, parseExecutionArn, executionNameProblem, LOCAL_REGION, LOCAL_ACCOUNT } from './local-arns.ts';
/** Step Functions' limit on an error cause, in characters (the runners' and the local engine's one constant). */
export { CAUSE_LIMIT_CHARS as MAX_CAUSE_CHARS } from '../runtime/index.ts';
