/** What {@link WorkflowClient.status} reports about a run. */
import type { ResultDocument } from '../local/index.ts';

/** A run's status in the workflow's terms (docs/running.md): `WAIT` while it runs. */
export type RunStatus = 'WAIT' | 'SUCCESS' | 'FAILED' | 'SKIP' | 'CANCEL';

/** Step Functions' execution statuses. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

/** A run: an execution ARN, or a workflow and execution name. */
export type RunRef = string | { workflow: string; name: string };

/** One stage of a job, as read from the execution history. */
export interface StageReport {
  /** The stage's name as written. */
  name: string;
  status: RunStatus;
  /** ISO times of the first start and the last end seen. */
  startedAt?: string;
  endedAt?: string;
  /** Milliseconds from the first start to the last end. */
  ms?: number;
}

/** One job, as read from the execution history (and the result document once the run ended). */
export interface JobReport {
  status: RunStatus;
  /** Stages by id (or by name for a stage without an id), in the order they started. */
  stages: Record<string, StageReport>;
  startedAt?: string;
  endedAt?: string;
}

/** The state of a run. */
export interface RunReport {
  executionArn: string;
  /** The execution name (also the run id the client gives). */
  name: string;
  workflow: string;
  stateMachineArn: string;
  status: RunStatus;
  executionStatus: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  redriveCount: number;
  /** Jobs seen so far, in the order they started. */
  jobs: Record<string, JobReport>;
  /** The result document, once the run has ended with one. */
  result?: ResultDocument;
  /** Why the execution ended without a result document (a timeout, a runtime error, a stop). */
  error?: { name: string; message: string };
}

/** The workflow status of an execution status (the result document decides between SUCCESS and SKIP). */
export function runStatusOf(execution: ExecutionStatus | string | undefined, result?: { status?: unknown }): RunStatus {
  switch (execution) {
    case 'SUCCEEDED':
      return result?.status === 'SKIP' ? 'SKIP' : result?.status === 'FAILED' || result?.status === 'CANCEL' ? (result.status as RunStatus) : 'SUCCESS';
    case 'FAILED':
    case 'TIMED_OUT':
      return 'FAILED';
    case 'ABORTED':
      return 'CANCEL';
    default:
      return 'WAIT';
  }
}
