/** One execution of the local endpoint, as it is kept in memory and in the executions table. */
import type { HistoryEvent } from './history-recorder.ts';

/** Step Functions' execution statuses. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** An execution: what `DescribeExecution` reports, its history and its result document. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  /** The execution name (the last part of the ARN). */
  name: string;
  workflow: string;
  status: ExecutionStatus;
  /** The input as reported and stored: secret params redacted. */
  input: string;
  /** The output (SUCCEEDED only). */
  output?: string;
  error?: string;
  cause?: string;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
  redriveCount: number;
  redriveDate?: number;
  /** The run's result document as JSON, when the run produced one (a redrive resumes from it). */
  result?: string;
  history: HistoryEvent[];
}

/** The fields of a record other than its large parts (what a listing shows). */
export type ExecutionSummary = Omit<ExecutionRecord, 'input' | 'output' | 'cause' | 'result' | 'history'>;
