/**
 * Reads job and stage progress out of a Step Functions execution history, the same way on AWS and
 * on the local endpoint. State names are the compiler's (`<job>.start`, `<job>.<stage name>`,
 * `<job>.succeeded`, ...); with the workflow's compiled state table (`CompiledWorkflow.states`)
 * every state is classified exactly, without it the tracker goes by those names: jobs from their
 * `start` and end states, stages from their Task states only.
 *
 * Task events (`TaskScheduled`, `TaskFailed`, `TaskSucceeded`, ...) do not name their state; they
 * are tied to it through `previousEventId`, as Step Functions links them. A stage whose last
 * attempt failed before its state exited is FAILED (its failure was caught and recorded); one
 * that failed and was retried successfully is SUCCESS.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateInfo } from '../compiler/index.ts';
import type { ResultDocument, RunEvent } from '../local/index.ts';
import type { JobReport, RunStatus } from './run-report.ts';

const JOB_END: Record<string, RunStatus> = { succeeded: 'SUCCESS', failed: 'FAILED', 'condition failed': 'FAILED', skip: 'SKIP' };
const RUN_RESULT = /^run\.(FAILED|SUCCESS|SKIP|already released|claim failed)$/;
const TASK_FAILURES = new Set(['TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed']);

interface Classified {
  role: StateInfo['role'];
  job?: string;
  stage?: string;
  name?: string;
  failed?: boolean;
  endStatus?: RunStatus;
}

/** JSON text as a value; undefined for no text or text that is not JSON. */
export function parse(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A runner's failed record out of a Task's error and cause (a Lambda's `{errorType, errorMessage}` around the record's JSON). */
export function failureOf(error: string | undefined, cause: string | undefined): { name: string; message: string; outputs?: Record<string, unknown> } {
  let name = error ?? 'Error';
  let message = cause ?? '';
  const lambda = parse(message);
  if (isRecord(lambda) && typeof lambda.errorMessage === 'string') {
    if (typeof lambda.errorType === 'string') name = lambda.errorType;
    message = lambda.errorMessage;
  }
  const record = parse(message);
  if (isRecord(record) && isRecord(record.errors)) {
    return { name: String(record.errors.name ?? name), message: String(record.errors.message ?? ''), ...(isRecord(record.outputs) ? { outputs: record.outputs } : {}) };
  }
  return { name, message };
}

/** Follows an execution history as it grows; see the file comment. */
export class HistoryTracker {
  private last = 0;
  private readonly jobs: Record<string, JobReport> = {};
  private readonly stateOf = new Map<number, string>();
  private readonly attemptFailed = new Set<string>();
  /** Attempts of each Task state's current run (TaskScheduled events since it was entered). */
  private readonly attempts = new Map<string, number>();
  private readonly started = new Map<string, number>();
  private result: ResultDocument | undefined;
  private readonly records: Record<string, unknown> = {};

  constructor(
    private readonly workflow: string,
    private readonly info?: Readonly<Record<string, StateInfo>>,
  ) {}

  /** The id of the last event taken. */
  get lastEventId(): number {
    return this.last;
  }

  /** The jobs seen so far. */
  jobReports(): Record<string, JobReport> {
    return this.jobs;
  }

  /** The result document the run's result state produced, when the history holds it. */
  resultDocument(): ResultDocument | undefined {
    return this.result;
  }

  /** Each job's record (`{status, stages, outputs?}`) as its end state wrote it, by job id. */
  jobRecords(): Record<string, unknown> {
    return this.records;
  }

  private classify(name: string, type: string): Classified | undefined {
    if (this.info) return this.info[name];
    if (type === 'Pass' && RUN_RESULT.test(name)) return { role: 'run-result' };
    const dot = name.indexOf('.');
    if (dot <= 0) return undefined;
    const job = name.slice(0, dot);
    const rest = name.slice(dot + 1);
    // A job graph's own Tasks around the job (see compile-dag.ts) are not stages.
    if (type === 'Task' && (rest === 'graph.needs' || rest === 'graph.done')) return undefined;
    if (type === 'Pass' && rest === 'start') return { role: 'job', job };
    if (type === 'Pass' && JOB_END[rest] && this.jobs[job]) return { role: 'job-end', job, endStatus: JOB_END[rest] };
    if (type === 'Task' && this.jobs[job]) return { role: 'stage', job, stage: rest, name: rest };
    return undefined;
  }

  private job(id: string): JobReport {
    return (this.jobs[id] ??= { status: 'WAIT', stages: {} });
  }

  /** Takes new events (those already taken are skipped) and returns the progress they show. */
  add(events: readonly HistoryEvent[]): RunEvent[] {
    const out: RunEvent[] = [];
    const sorted = [...events].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    for (const e of sorted) {
      const id = e.id ?? 0;
      if (id <= this.last) continue;
      this.last = id;
      const at = e.timestamp instanceof Date ? e.timestamp.getTime() : Date.now();
      const iso = new Date(at).toISOString();
      const type = e.type ?? '';
      if (type.startsWith('Task') && !type.endsWith('StateEntered') && !type.endsWith('StateExited')) {
        const state = this.stateOf.get(e.previousEventId ?? -1);
        if (state === undefined) continue;
        this.stateOf.set(id, state);
        if (TASK_FAILURES.has(type)) {
          this.attemptFailed.add(state);
          // Why the attempt failed: the runner's record in the cause (its error's name and message).
          const c = this.classify(state, 'Task');
          if (c?.role === 'stage' && c.job) {
            const d = e.taskFailedEventDetails ?? e.taskTimedOutEventDetails ?? e.taskStartFailedEventDetails ?? e.taskSubmitFailedEventDetails;
            const f = failureOf(d?.error ?? (type === 'TaskTimedOut' ? 'States.Timeout' : undefined), d?.cause);
            out.push({ type: 'stage-attempt-failed', workflow: this.workflow, job: c.job, stage: c.name ?? c.stage ?? state, at, attempt: Math.max(1, this.attempts.get(state) ?? 1), error: { name: f.name, message: f.message } });
          }
        } else if (type === 'TaskScheduled' || type === 'TaskSucceeded') this.attemptFailed.delete(state);
        if (type === 'TaskScheduled') this.attempts.set(state, (this.attempts.get(state) ?? 0) + 1);
        continue;
      }
      const entered = type.endsWith('StateEntered') ? e.stateEnteredEventDetails : undefined;
      const exited = type.endsWith('StateExited') ? e.stateExitedEventDetails : undefined;
      const name = entered?.name ?? exited?.name;
      if (name === undefined) continue;
      const stateType = type.slice(0, type.indexOf('State'));
      if (stateType === 'Task') this.stateOf.set(id, name);
      const c = this.classify(name, stateType);
      if (!c) continue;
      if (entered) {
        if (stateType === 'Task') {
          this.attemptFailed.delete(name);
          this.attempts.set(name, 0);
        }
        if (c.role === 'job' && c.job) {
          const job = this.job(c.job);
          job.status = 'WAIT';
          job.startedAt ??= iso;
          out.push({ type: 'job-start', workflow: this.workflow, job: c.job, at });
        } else if ((c.role === 'stage' || c.role === 'stage-open') && c.job) {
          const key = c.stage ?? c.name ?? name;
          const stage = (this.job(c.job).stages[key] ??= { name: c.name ?? key, status: 'WAIT' });
          if (stage.status !== 'FAILED') stage.status = 'WAIT';
          stage.startedAt ??= iso;
          this.started.set(`${c.job}/${key}`, this.started.get(`${c.job}/${key}`) ?? at);
          out.push({ type: 'stage-start', workflow: this.workflow, job: c.job, stage: stage.name, at });
        }
        continue;
      }
      if (c.role === 'run-result') {
        const doc = parse(exited?.output);
        if (isRecord(doc) && typeof doc.status === 'string') this.result = doc as unknown as ResultDocument;
      } else if (c.role === 'job-end' && c.job) {
        const output = parse(exited?.output);
        const record = isRecord(output) && isRecord(output.jobs) ? output.jobs[c.job] : undefined;
        if (record !== undefined) this.records[c.job] = record;
        const fromOutput = isRecord(record) && typeof record.status === 'string' ? (record.status as RunStatus) : undefined;
        const suffix = JOB_END[name.slice(c.job.length + 1)];
        const status = fromOutput ?? c.endStatus ?? suffix ?? 'SUCCESS';
        const job = this.job(c.job);
        job.status = status;
        job.endedAt = iso;
        out.push({ type: 'job-end', workflow: this.workflow, job: c.job, status, at });
      } else if ((c.role === 'stage' || c.role === 'stage-close') && c.job) {
        const key = c.stage ?? c.name ?? name;
        const failed = c.failed === true || (c.role === 'stage' && stateType === 'Task' && this.attemptFailed.has(name));
        this.attemptFailed.delete(name);
        const stage = (this.job(c.job).stages[key] ??= { name: c.name ?? key, status: 'WAIT' });
        stage.status = failed || stage.status === 'FAILED' ? 'FAILED' : 'SUCCESS';
        stage.endedAt = iso;
        const t0 = this.started.get(`${c.job}/${key}`);
        if (t0 !== undefined) stage.ms = at - t0;
        out.push({ type: failed ? 'stage-failed' : 'stage-end', workflow: this.workflow, job: c.job, stage: stage.name, at, ...(t0 !== undefined ? { ms: at - t0 } : {}) });
      }
    }
    return out;
  }
}
