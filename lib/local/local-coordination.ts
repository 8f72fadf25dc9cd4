/**
 * Coordination for the local engine: what the stage runner asks Step Functions on AWS, answered
 * for local executions.
 *
 * - An execution's id names the process that runs it (`local:<workflow>:<run id>:<pid>@<host>`),
 *   so any process on the host can tell whether a slot's holder still runs: it does while it is
 *   registered in its process, and a process that is gone runs nothing. A holder on another host
 *   (or an AWS execution in a shared table) counts as running.
 * - Stopping a holder (`cancel-in-progress`) aborts it when it runs in this process; otherwise a
 *   stop request item (`stop#<execution id>`) is written, which the holder's process polls while
 *   the run holds a concurrency slot.
 * - A wait stage has no task token here: the handler marks the signal as waited for, then polls
 *   the signal item until `wf signal` answers it (any process), the stage's timeout passes or the
 *   run is cancelled.
 */
import { hostname } from 'node:os';
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { Machine } from '../compiler/index.ts';
import { CoordinationKeys, decodeSignal, signalItemKey, signalOutcome, SignalErrors, waitSignalUpdate, type SignalWaitRequest, type SlotHolder } from '../protocol/index.ts';
import type { ChildHistory, Coordination } from '../runtime/index.ts';
import { localJobGraph } from '../runtime/job-graph.ts';

/** How often a waiting stage and a stop-request watcher read the store, in milliseconds. */
export const LOCAL_POLL_MS = 250;

const HOST = hostname();
const LOCAL_ID = /^local:.*:(\d+)@([^@]*)$/;

/** Executions running in this process, by execution id: how to stop each one. */
const live = new Map<string, (cause: string) => void>();

/** The id of a local execution: its workflow (or job machine), run id, and the process running it. */
export function localExecutionId(machine: string, runId: string): string {
  return `local:${machine}:${runId}:${process.pid}@${HOST}`;
}

/**
 * The context object of a local execution. `Task.Token` is there because the engine resolves
 * `$$.Task.Token` in a wait stage's Parameters; the local handler does not use it.
 */
export function localContext(id: string, name: string, input: unknown): Record<string, unknown> {
  return { Execution: { Id: id, Name: name, Input: input, StartTime: new Date().toISOString() }, Task: { Token: `${id}#task` } };
}

/** Registers an execution of this process with the way to stop it; returns the unregistration. */
export function registerExecution(id: string, stop: (cause: string) => void): () => void {
  live.set(id, stop);
  return () => {
    if (live.get(id) === stop) live.delete(id);
  };
}

/** True when a local execution may still run (see the file comment). */
export function localExecutionRunning(execution: string): boolean {
  if (live.has(execution)) return true;
  const m = LOCAL_ID.exec(execution);
  if (!m) return true;
  const pid = Number(m[1]);
  if (m[2] !== HOST) return true;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when a definition (or one of its branches) takes a concurrency slot. */
export function takesConcurrencySlot(machine: Machine): boolean {
  return Object.values(machine.States).some(
    (st) =>
      (st.Type === 'Task' && st.Resource === 'arn:aws:states:::dynamodb:updateItem' && String(st.Parameters?.UpdateExpression ?? '').startsWith('SET #hs.#me')) ||
      (st.Branches ?? []).some(takesConcurrencySlot) ||
      (st.ItemProcessor !== undefined && takesConcurrencySlot(st.ItemProcessor)),
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(finish, ms);
    function finish(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      done();
    }
    signal?.addEventListener('abort', finish, { once: true });
  });
}

function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/** The key of a stop request for an execution. */
function stopKey(execution: string): Record<string, { S: string }> {
  return { workflow: { S: `${CoordinationKeys.stopPrefix}${execution}` }, release: { S: 'stop' } };
}

/**
 * Polls the stop request of an execution while it runs; `onStop` gets the cause of the first one
 * found. Returns the function that ends the polling.
 */
export function watchStopRequests(store: { client: DynamoDBClient; table: string }, execution: string, onStop: (cause: string) => void, everyMs = 1000): () => void {
  let done = false;
  const timer = setInterval(() => {
    void store.client
      .send(new GetItemCommand({ TableName: store.table, Key: stopKey(execution), ConsistentRead: true }))
      .then((out) => {
        if (done || !out.Item) return;
        done = true;
        clearInterval(timer);
        onStop(out.Item.cause?.S ?? 'stopped');
      })
      .catch(() => undefined);
  }, everyMs);
  timer.unref();
  return () => {
    done = true;
    clearInterval(timer);
  };
}

/**
 * Coordination against the local store (`store`; undefined when the run has none, and then a
 * wait stage or a concurrency group fails with a message saying so). `signal` is the run's: a
 * cancelled run stops waiting. `childHistory` reads the history of the run's child executions
 * (run-local.ts keeps the tail of each failed child's).
 */
export function localCoordination(store: { client: DynamoDBClient; table: string } | undefined, signal?: AbortSignal, childHistory: ChildHistory = async () => undefined): Coordination {
  const need = (): { client: DynamoDBClient; table: string } => {
    if (!store) throw named('States.TaskFailed', 'this run needs the local audit store (signals and concurrency groups live there), but none is open; run it without --no-audit');
    return store;
  };
  const graph = localJobGraph(signal);
  return {
    childHistory,
    needsWait: (req) => graph.needsWait(req),
    jobDone: (req) => graph.jobDone(req),
    get dynamodb() {
      return need().client;
    },
    get table() {
      return need().table;
    },
    async isRunning(holder: SlotHolder) {
      return localExecutionRunning(holder.execution);
    },
    async stop(holder: SlotHolder, cause: string) {
      const here = live.get(holder.execution);
      if (here) return here(cause);
      const s = need();
      await s.client.send(new PutItemCommand({ TableName: s.table, Item: { ...stopKey(holder.execution), cause: { S: cause }, at: { S: new Date().toISOString() } } }));
    },
    async signalWait(req: SignalWaitRequest) {
      const s = need();
      const what = `wait stage "${req.stage}"`;
      const update = waitSignalUpdate(s.table, req.run, req.signal, { workflow: req.workflow, execution: req.execution }, new Date().toISOString());
      let state = decodeSignal((await s.client.send(new UpdateItemCommand(update as unknown as UpdateItemCommandInput))).Attributes);
      // The engine's own TimeoutSeconds ends the Task at the timeout; this loop stops just after.
      const deadline = Date.now() + req.timeout * 1000 + 1000;
      while (state?.status === 'WAIT') {
        if (signal?.aborted) throw named('Cancelled', `${what}: the run was cancelled while waiting for signal "${req.signal}"`);
        if (Date.now() > deadline) throw named(SignalErrors.timeout, `${what}: no signal "${req.signal}" within ${req.timeout} s`);
        await sleep(LOCAL_POLL_MS, signal);
        const out = await s.client.send(new GetItemCommand({ TableName: s.table, Key: signalItemKey(req.run, req.signal), ConsistentRead: true }));
        state = decodeSignal(out.Item);
      }
      if (!state) throw named('States.TaskFailed', `${what}: the signal item of "${req.signal}" disappeared`);
      const outcome = signalOutcome(state);
      if ('output' in outcome) return outcome.output;
      throw named(outcome.error, outcome.cause);
    },
  };
}
