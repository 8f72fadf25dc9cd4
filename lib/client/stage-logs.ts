/**
 * The logs of a deployed run's stages, read from its execution history: what each stage's Task
 * returned (a bash stage's `stdout` and `stderr` outputs, `TaskSucceeded`) or failed with (the
 * failed record a runner throws, in `TaskFailed`'s cause: its outputs and its error, a py stage's
 * traceback included), attempt by attempt. What py code print()s goes to the Python runner's
 * CloudWatch log group, not to the history, so it is not here.
 *
 * Task events do not name their state: they are tied to it through `previousEventId` (as the
 * history tracker ties them). A stage is labelled by the compiled state table when the workflow is
 * loaded (its name as written, and its id), else by the state name (`<job>.<stage name>`); the
 * state's input gives the matrix combination, parallel branch and foreach index.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateInfo } from '../compiler/index.ts';
import type { LogLine, StageLog } from '../local/run-logs.ts';
import { failureOf, parse } from './history-tracker.ts';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function textLines(text: unknown, stream: LogLine['stream'], attempt: number): LogLine[] {
  if (typeof text !== 'string' || text === '') return [];
  return text.split(/\r?\n/).map((t) => ({ stream, text: t, attempt }));
}

/** Every stage's logs in a history (any order of events; see the file comment). */
export function stageLogsFromHistory(events: readonly HistoryEvent[], info?: Readonly<Record<string, StateInfo>>): StageLog[] {
  const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  /** Each Task event's entered event (the state's run), by event id. */
  const enteredOf = new Map<number, number>();
  const entered = new Map<number, { state: string; input: unknown; attempts: number; log?: StageLog }>();
  const logs = new Map<string, StageLog>();
  const logOf = (run: { state: string; input: unknown; log?: StageLog }): StageLog | undefined => {
    if (run.log) return run.log;
    const i = info?.[run.state];
    let job: string;
    let stage: string;
    let id: string | undefined;
    if (info) {
      if (!i || i.role !== 'stage' || !i.job) return undefined;
      job = i.job;
      stage = i.name ?? i.stage ?? run.state;
      id = i.stage;
    } else {
      const dot = run.state.indexOf('.');
      if (dot <= 0) return undefined;
      job = run.state.slice(0, dot);
      stage = run.state.slice(dot + 1);
    }
    const input = isRecord(run.input) ? run.input : {};
    const log: StageLog = { job, ...(id !== undefined ? { id } : {}), stage, lines: [], errors: [] };
    if (isRecord(input.matrix)) log.matrix = Object.values(input.matrix);
    if (typeof input.branch === 'string') log.branch = input.branch;
    if (typeof input.loop === 'number') log.loop = input.loop;
    const key = JSON.stringify([log.job, log.id ?? '', log.stage, log.matrix ?? [], log.branch ?? '', log.loop ?? '']);
    const known = logs.get(key);
    if (known) return (run.log = known);
    logs.set(key, log);
    return (run.log = log);
  };
  for (const e of sorted) {
    const id = e.id ?? 0;
    const type = e.type ?? '';
    if (type === 'TaskStateEntered') {
      entered.set(id, { state: e.stateEnteredEventDetails?.name ?? '', input: parse(e.stateEnteredEventDetails?.input), attempts: 0 });
      enteredOf.set(id, id);
      continue;
    }
    if (!type.startsWith('Task') || type === 'TaskStateExited') continue;
    const at = enteredOf.get(e.previousEventId ?? -1);
    if (at === undefined) continue;
    enteredOf.set(id, at);
    const run = entered.get(at)!;
    if (type === 'TaskScheduled') {
      run.attempts++;
      // The attempt before this one failed and is retried.
      const last = run.log?.errors.at(-1);
      if (last && last.attempt === run.attempts - 1) last.retrying = true;
      continue;
    }
    const attempt = Math.max(1, run.attempts);
    if (type === 'TaskSucceeded') {
      const out = parse(e.taskSucceededEventDetails?.output);
      const payload = isRecord(out) && isRecord(out.Payload) ? out.Payload : out;
      const outputs = isRecord(payload) && isRecord(payload.outputs) ? payload.outputs : undefined;
      const log = logOf(run);
      if (log && outputs) log.lines.push(...textLines(outputs.stdout, 'stdout', attempt), ...textLines(outputs.stderr, 'stderr', attempt));
    } else if (type === 'TaskFailed' || type === 'TaskTimedOut' || type === 'TaskStartFailed' || type === 'TaskSubmitFailed') {
      const details = e.taskFailedEventDetails ?? e.taskTimedOutEventDetails ?? e.taskStartFailedEventDetails ?? e.taskSubmitFailedEventDetails;
      const failure = failureOf(details?.error ?? (type === 'TaskTimedOut' ? 'States.Timeout' : undefined), details?.cause);
      const log = logOf(run);
      if (!log) continue;
      if (failure.outputs) log.lines.push(...textLines(failure.outputs.stdout, 'stdout', attempt), ...textLines(failure.outputs.stderr, 'stderr', attempt));
      log.errors.push({ attempt, name: failure.name, message: failure.message, retrying: false });
    }
  }
  return [...logs.values()];
}
