/**
 * A trigger stage whose child run failed: `states:startExecution.sync:2` fails with
 * `States.TaskFailed` and, as its cause, the child's DescribeExecution JSON, which has no output (a
 * failed execution has none). The child's result document is the output of its last result state
 * (`run.FAILED`, see compile-workflow.ts), so it is read from the child's execution history, newest
 * first. The stage's record then keeps the child's `{status, params, jobs}` as its outputs, as a
 * failed stage keeps the outputs it produced (docs/running.md); its error names the child run and
 * its first error.
 */
import type { ChildOutcomeRequest, StageRecord } from '../protocol/index.ts';
import { badRequest } from './runner-error.ts';

/** One history event as GetExecutionHistory gives it (camelCase, as the SDK and the JSON protocol have it). */
export interface ChildHistoryEvent {
  type?: string;
  stateExitedEventDetails?: { name?: string; output?: string; outputDetails?: { truncated?: boolean } };
}

/** Reads a child execution's history, newest first; undefined when it cannot be read. */
export type ChildHistory = (executionArn: string) => Promise<readonly ChildHistoryEvent[] | undefined>;

/** The history events read at most, newest first: the result state is among the last few. */
export const CHILD_HISTORY_EVENTS = 20;

function parseObject(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The result document in a child's history (newest first): the output of its last `run.…` Pass state. */
export function resultFromHistory(events: readonly ChildHistoryEvent[]): Record<string, unknown> | undefined {
  for (const e of events) {
    if (e.type !== 'PassStateExited') continue;
    const d = e.stateExitedEventDetails;
    if (!d?.name?.startsWith('run.') || d.outputDetails?.truncated) continue;
    const doc = parseObject(d.output);
    if (doc && typeof doc.status === 'string' && doc.jobs && typeof doc.jobs === 'object') return doc;
  }
  return undefined;
}

function describeError(e: unknown): string | undefined {
  if (!e || typeof e !== 'object') return undefined;
  const { name, message } = e as { name?: unknown; message?: unknown };
  if (typeof name !== 'string' && typeof message !== 'string') return undefined;
  const text = `${typeof name === 'string' ? `${name}: ` : ''}${typeof message === 'string' ? message : ''}`;
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

/** The run's first error: its own (`errors`), else the first failed job's, with the job named. */
function firstError(doc: Record<string, unknown>): string | undefined {
  const own = Array.isArray(doc.errors) ? describeError(doc.errors[0]) : undefined;
  if (own) return own;
  for (const [id, job] of Object.entries((doc.jobs ?? {}) as Record<string, { status?: unknown; errors?: unknown }>)) {
    if (job?.status !== 'FAILED') continue;
    const text = describeError(Array.isArray(job.errors) ? job.errors[0] : job.errors);
    if (text) return `job "${id}": ${text}`;
  }
  return undefined;
}

/** The failed record of a trigger stage whose child run failed (see the file's comment). */
export async function childOutcome(req: ChildOutcomeRequest, history: ChildHistory): Promise<StageRecord> {
  if (!req.caught || typeof req.caught !== 'object') throw badRequest('child-outcome request needs "caught"');
  const name = typeof req.caught.Error === 'string' ? req.caught.Error : 'States.TaskFailed';
  const cause = typeof req.caught.Cause === 'string' ? req.caught.Cause : JSON.stringify(req.caught.Cause ?? '');
  const described = parseObject(cause);
  const arn = described?.ExecutionArn ?? described?.executionArn;
  let doc: Record<string, unknown> | undefined;
  if (typeof arn === 'string') {
    try {
      const events = await history(arn);
      doc = events ? resultFromHistory(events) : undefined;
    } catch {
      doc = undefined;
    }
  }
  if (!doc) return { status: 'FAILED', outputs: {}, errors: { name, message: cause } };
  const run = (doc.run ?? {}) as { id?: unknown };
  const first = firstError(doc);
  const message = `workflow "${req.workflow}" run ${typeof run.id === 'string' ? run.id : '(unknown)'} ended ${String(doc.status)}${first ? `: ${first}` : ''}`;
  return { status: 'FAILED', outputs: { status: doc.status, params: doc.params ?? {}, jobs: doc.jobs }, errors: { name, message } };
}
