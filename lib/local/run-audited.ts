/**
 * A local run with its audit record: written as WAIT before the run (so a run that is killed shows
 * as not finished), and with the result document when it ends; an end record the store cannot take
 * is kept under `pendingDir` and written later (pending-records.ts). Dry runs write nothing. Secret
 * values are scrubbed from the document's error messages (scrub-secrets.ts).
 */
import type { Workflow } from '../config/index.ts';
import { parameterize, redactParams } from '../config/index.ts';
import type { AuditStore, RunType } from '../audit/index.ts';
import { keepPending } from './pending-records.ts';
import { maskDocument, secretTexts } from './scrub-secrets.ts';
import { newRunId, runLocal, RunInputError, type ResultDocument, type RunEvent, type RunLocalOptions } from './run-local.ts';
import { RunLogCollector, writeRunLogs } from './run-logs.ts';

/** Options for {@link runAudited}: those of `runLocal`, plus the store and the run's type. */
export interface RunAuditedOptions extends RunLocalOptions {
  /** The audit store; without it nothing is recorded. */
  audit?: AuditStore;
  /** How the run was started. @default 'manual' */
  type?: RunType;
  /** The run this one reruns. */
  parentRunId?: string;
  /**
   * The local state folder whose `pending/` keeps the end record when the store cannot take it
   * (the next `openLocalStore` of the folder writes it). @default none: the record is not kept
   */
  pendingDir?: string;
  /**
   * Called when the audit record could not be written at the end: the run's outcome is known but
   * not stored; `keptAt` is the file that keeps it (see `pendingDir`), absent when it was not kept.
   */
  onAuditError?: (e: Error, doc: ResultDocument, keptAt?: string) => void;
  /**
   * The local state folder whose `logs/` keeps what the run's stages printed (run-logs.ts), for
   * `wf logs`; written when the run ends, whatever its status. @default no logs are kept
   */
  logsDir?: string;
  /** Called when the logs could not be written (the run and its record are not affected). */
  onLogsError?: (e: Error) => void;
}

function isoNow(): string {
  return new Date().toISOString();
}

/** Runs a workflow locally and records it; resolves with the result document. */
export async function runAudited(workflow: Workflow, options: RunAuditedOptions): Promise<ResultDocument> {
  const type = options.type ?? 'manual';
  const runId = options.runId ?? newRunId();
  const logicalDate = options.release?.logical_date ?? isoNow().replace(/\.\d{3}Z$/, 'Z');
  const store = type === 'dryrun' ? undefined : options.audit;
  const secretNames = Object.values(workflow.params).filter((p) => p.secret).map((p) => p.name);
  const { params, errors } = parameterize(workflow, options.params ?? {});
  if (errors.length) throw new RunInputError(errors.map((e) => e.message), errors.map((e) => e.report()));
  const startedAt = isoNow();
  const base = {
    workflow: workflow.name,
    runId,
    logicalDate,
    type,
    params: redactParams(workflow, params),
    startedAt,
    ...(options.parentRunId ? { parentRunId: options.parentRunId } : {}),
  };
  if (store) await store.begin(base, { secretNames });
  const t0 = Date.now();
  const collector = store && options.logsDir !== undefined ? new RunLogCollector(secretTexts(workflow, options.params ?? {})) : undefined;
  const onStageLog = collector
    ? (e: RunEvent): void => {
        collector.add(e);
        options.onStageLog?.(e);
      }
    : options.onStageLog;
  let ran: ResultDocument;
  try {
    ran = await runLocal(workflow, {
      ...options,
      runId,
      release: { logical_date: logicalDate, type: type === 'manual' ? 'normal' : type },
      dryrun: type === 'dryrun',
      ...(store ? { store: { client: store.client, table: store.table } } : {}),
      ...(onStageLog ? { onStageLog } : {}),
    });
  } finally {
    if (collector) {
      try {
        writeRunLogs(options.logsDir!, collector.logs(runId, workflow.name));
      } catch (e) {
        options.onLogsError?.(e as Error);
      }
    }
  }
  // Messages may quote a secret value (an expression error on it): scrubbed before anything shows or stores them.
  const doc = maskDocument(ran, secretTexts(workflow, options.params ?? {}));
  if (store) {
    const record = { ...base, status: doc.status, context: doc, endedAt: isoNow(), durationMs: Date.now() - t0 };
    try {
      await store.finish(record, { secretNames });
    } catch (e) {
      let keptAt: string | undefined;
      try {
        if (options.pendingDir !== undefined) keptAt = keepPending(options.pendingDir, record, secretNames);
      } catch {
        // the folder is unusable too: the caller is told nothing was kept
      }
      if (options.onAuditError) options.onAuditError(e as Error, doc, keptAt);
      else throw e;
    }
  }
  return doc;
}
