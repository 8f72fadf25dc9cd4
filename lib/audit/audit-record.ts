/** The audit record of one run, as the store reads and writes it. */

/** How a run was started (docs/running.md); `manual` is a plain `wf run` or API start. */
export type RunType = 'normal' | 'force' | 'rerun' | 'dryrun' | 'manual';

/** A run's status; `WAIT` while it runs (a record left in `WAIT` belongs to a run that never finished). */
export type RunStatus = 'WAIT' | 'SUCCESS' | 'FAILED' | 'SKIP' | 'CANCEL';

/** One run as recorded in the audit table. */
export interface AuditRecord {
  /** The workflow name (the partition key). */
  workflow: string;
  runId: string;
  /** The sort key, `release#<UTC minute>#<run id>` (derived from `logicalDate` and `runId`). */
  release: string;
  /** The release's logical date (ISO). */
  logicalDate: string;
  type: RunType;
  status: RunStatus;
  /** The run's params, secrets redacted (`"***"`). */
  params: Record<string, unknown>;
  /** When the run started (ISO). */
  startedAt: string;
  /** When the run ended (ISO); absent while it runs. */
  endedAt?: string;
  durationMs?: number;
  /** The result document (docs/running.md), possibly truncated to fit the item size limit. */
  context?: unknown;
  /** True when `context` or `params` had parts replaced by truncation markers. */
  truncated?: boolean;
  /** The run this one reruns, or the run whose `trigger` stage started it. */
  parentRunId?: string;
}

/** A record to write: `release` may be left out (it is derived from `logicalDate` and `runId`). */
export type AuditRecordInput = Omit<AuditRecord, 'release' | 'truncated'> & { release?: string };

/** The record {@link AuditStore.begin} writes: a run that has started and not ended. */
export type AuditBeginInput = Omit<AuditRecordInput, 'status' | 'endedAt' | 'durationMs' | 'context'>;
