/**
 * Builds a Step Functions execution history from the local engine's event log: the same event
 * types and detail shapes `GetExecutionHistory` returns on AWS (`TaskStateEntered` with
 * `stateEnteredEventDetails: {name, input}`, `TaskFailed`, `ExecutionSucceeded`, ...), ids
 * increasing from 1, timestamps in epoch seconds (what the JSON protocol carries).
 *
 * How engine events map:
 *
 * | engine event | history events |
 * |---|---|
 * | StateEntered | `<Type>StateEntered` (+ `TaskScheduled` for a Task) |
 * | StateExited | `TaskSucceeded` when the attempt did not fail, then `<Type>StateExited` (none for Fail) |
 * | StateFailed | `TaskFailed` / `MapStateFailed` / `ParallelStateFailed` |
 * | StateRetried | `TaskScheduled` (the next attempt) |
 * | MapIteration* | `MapIterationStarted` / `Succeeded` / `Failed` with `{name, index}` |
 *
 * Execution-level events are written by the caller ({@link HistoryRecorder.started},
 * {@link HistoryRecorder.finished}), not taken from the engine. The caller feeds only the
 * execution's own events (runLocal tags each with its execution): a `trigger` stage's child run, a
 * split job and a foreach chunk are executions of their own on AWS.
 *
 * Secret param values are replaced by `"***"` wherever they appear as a whole string, and each
 * input or output is cut at `payloadLimit` characters with `truncated: true`, as AWS does.
 */

import { maskSecrets, secretMasks } from '../runtime/index.ts';

/** One history event as the JSON protocol carries it. */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch seconds. */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** Options of {@link HistoryRecorder}. */
export interface HistoryRecorderOptions {
  /** Secret values: a string equal to one shows as `"***"`, and their masks (each line, the JSON-escaped form: lib/runtime/secret-masks.ts) are replaced wherever they occur, in strings and keys. @default none */
  secrets?: readonly string[];
  /** Each Task state's `Resource`, by state name (for `TaskFailed` details). @default none */
  resources?: ReadonlyMap<string, string>;
  /** The longest input or output kept, in characters. @default 262144 (AWS's payload limit) */
  payloadLimit?: number;
  /** Events recorded at most; later state events are dropped (Standard executions stop at 25,000). @default 25000 */
  maxEvents?: number;
}

/** How an execution ended. */
export type ExecutionEnd =
  | { status: 'SUCCEEDED'; output: string }
  | { status: 'FAILED' | 'ABORTED' | 'TIMED_OUT'; error?: string; cause?: string };

interface EngineEvent {
  type: string;
  timestamp?: number;
  index?: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string };
  Error?: string;
  Cause?: unknown;
}

/** Splits a Task resource (`arn:aws:states:::lambda:invoke`) into AWS's `resourceType` and `resource`. */
function taskResource(arn: string | undefined): { resourceType: string; resource: string } {
  const m = /^arn:aws[a-z-]*:states:::([^:]+):(.+)$/.exec(arn ?? '');
  return m ? { resourceType: m[1]!, resource: m[2]! } : { resourceType: 'unknown', resource: arn ?? 'unknown' };
}

/** Records one execution's history (see the file comment). */
export class HistoryRecorder {
  readonly events: HistoryEvent[];
  private readonly secrets: ReadonlySet<string>;
  private readonly masks: readonly string[];
  private readonly resources: ReadonlyMap<string, string>;
  private readonly payloadLimit: number;
  private readonly maxEvents: number;
  /** Task states whose current attempt failed, by `name#index`. */
  private readonly failedAttempts = new Set<string>();
  /** The last event of each Task state, by `name#index`: Task events link to it through `previousEventId`. */
  private readonly lastTaskEvent = new Map<string, number>();
  /** The engine's error when the run's own execution failed (not a child's). */
  engineFailure: { error: string; cause: string } | undefined;

  constructor(options: HistoryRecorderOptions = {}, events: HistoryEvent[] = []) {
    this.events = events;
    this.secrets = new Set((options.secrets ?? []).filter((s) => s !== ''));
    this.masks = secretMasks(this.secrets);
    this.resources = options.resources ?? new Map();
    this.payloadLimit = options.payloadLimit ?? 262_144;
    this.maxEvents = options.maxEvents ?? 25_000;
  }

  private push(type: string, at: number, details: Record<string, unknown> = {}, options: { force?: boolean; previous?: number } = {}): number {
    if (!options.force && this.events.length >= this.maxEvents - 1) return 0;
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: options.previous ?? id - 1, timestamp: at / 1000, type, ...details });
    return id;
  }

  /** A value with secrets redacted in every string and key (secret-masks.ts), a whole secret string as `***`. */
  private redact<T>(value: T): T {
    return this.secrets.size === 0 ? value : maskSecrets(value, this.masks, this.secrets);
  }

  /** A value as history text: secrets redacted, cut at the payload limit. */
  payload(value: unknown, key: 'input' | 'output'): Record<string, unknown> {
    const text = JSON.stringify(this.redact(value)) ?? 'null';
    const truncated = text.length > this.payloadLimit;
    return { [key]: truncated ? text.slice(0, this.payloadLimit) : text, [`${key}Details`]: { truncated } };
  }

  /** `ExecutionStarted` with the execution's input text (already redacted by the caller). */
  started(input: string, at: number): void {
    this.push('ExecutionStarted', at, {
      executionStartedEventDetails: { input: input.slice(0, this.payloadLimit), inputDetails: { truncated: input.length > this.payloadLimit }, roleArn: 'arn:aws:iam::000000000000:role/local' },
    }, { force: true });
    this.beginRun();
  }

  /** `ExecutionRedriven`: the execution runs again. */
  redriven(redriveCount: number, at: number): void {
    this.push('ExecutionRedriven', at, { executionRedrivenEventDetails: { redriveCount } }, { force: true });
    this.beginRun();
  }

  private beginRun(): void {
    this.failedAttempts.clear();
    this.lastTaskEvent.clear();
    this.engineFailure = undefined;
  }

  /** The terminal event. */
  finished(end: ExecutionEnd, at: number): void {
    if (end.status === 'SUCCEEDED') {
      const truncated = end.output.length > this.payloadLimit;
      this.push('ExecutionSucceeded', at, { executionSucceededEventDetails: { output: truncated ? end.output.slice(0, this.payloadLimit) : end.output, outputDetails: { truncated } } }, { force: true });
      return;
    }
    const details = { ...(end.error !== undefined ? { error: end.error } : {}), ...(end.cause !== undefined ? { cause: this.redact(end.cause) } : {}) };
    if (end.status === 'FAILED') this.push('ExecutionFailed', at, { executionFailedEventDetails: details }, { force: true });
    else if (end.status === 'ABORTED') this.push('ExecutionAborted', at, { executionAbortedEventDetails: details }, { force: true });
    else this.push('ExecutionTimedOut', at, { executionTimedOutEventDetails: details }, { force: true });
  }

  /** Takes one event of the execution's own engine log (runLocal's `onRawEvent`, for that execution). */
  engine(raw: unknown): void {
    const e = raw as EngineEvent;
    const at = e.timestamp ?? Date.now();
    switch (e.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        return;
      case 'ExecutionFailed':
        this.engineFailure = { error: e.Error ?? 'States.Runtime', cause: this.redact(typeof e.Cause === 'string' ? e.Cause : (JSON.stringify(e.Cause) ?? '')) };
        return;
    }
    const index = e.index ?? -1;
    if (e.type.startsWith('MapIteration') && e.parentState) {
      const kind = e.type === 'MapIterationStarted' ? 'Started' : e.type === 'MapIterationSucceeded' ? 'Succeeded' : e.type === 'MapIterationFailed' ? 'Failed' : undefined;
      if (kind) this.push(e.type, at, { [`mapIteration${kind}EventDetails`]: { name: e.parentState.name, index: e.index ?? 0 } });
      return;
    }
    const state = e.state;
    if (!state) return;
    const key = `${state.name}#${index}`;
    const scheduled = (previous: number | undefined): void => {
      const id = this.push('TaskScheduled', at, { taskScheduledEventDetails: { ...taskResource(this.resources.get(state.name)), region: 'local', parameters: '{}' } }, { previous });
      if (id) this.lastTaskEvent.set(key, id);
    };
    switch (e.type) {
      case 'StateEntered': {
        const id = this.push(`${state.type}StateEntered`, at, { stateEnteredEventDetails: { name: state.name, ...this.payload(state.input, 'input') } });
        if (state.type === 'Task' && id) {
          this.failedAttempts.delete(key);
          scheduled(id);
        }
        return;
      }
      case 'StateRetried':
        if (state.type === 'Task') {
          this.failedAttempts.delete(key);
          scheduled(this.lastTaskEvent.get(key));
        }
        return;
      case 'StateFailed': {
        const details = { error: e.Error ?? 'States.TaskFailed', cause: this.redact(typeof e.Cause === 'string' ? e.Cause : (JSON.stringify(e.Cause) ?? '')) };
        if (state.type === 'Task') {
          this.failedAttempts.add(key);
          const id = this.push('TaskFailed', at, { taskFailedEventDetails: { ...taskResource(this.resources.get(state.name)), ...details } }, { previous: this.lastTaskEvent.get(key) });
          if (id) this.lastTaskEvent.set(key, id);
        } else if (state.type === 'Map' || state.type === 'Parallel') {
          this.push(`${state.type}StateFailed`, at, {});
        }
        return;
      }
      case 'StateExited': {
        if (state.type === 'Fail') return;
        let previous: number | undefined;
        if (state.type === 'Task') {
          previous = this.lastTaskEvent.get(key);
          if (!this.failedAttempts.delete(key)) {
            previous = this.push('TaskSucceeded', at, { taskSucceededEventDetails: taskResource(this.resources.get(state.name)) }, { previous }) || undefined;
          }
          this.lastTaskEvent.delete(key);
        }
        this.push(`${state.type}StateExited`, at, { stateExitedEventDetails: { name: state.name, ...this.payload(state.output, 'output') } }, { previous });
        return;
      }
    }
  }
}
