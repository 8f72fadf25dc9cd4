/**
 * Fail-fast for the local engine's Map states. When an iteration fails, the engine's Map aborts the
 * iterations under way, but still starts those queued behind `MaxConcurrency`, which then run to
 * their end although nothing waits for them (a foreach item's bash script). Step Functions starts
 * nothing more. The engine runs every iteration of one Map run on the same iterator machine and
 * aborts them through the `abort` of their executions; so an iterator machine one of whose
 * executions was aborted starts no further execution: it hands back one that ends aborted without
 * running. Each iteration starts a turn of the event loop later than the engine asks, which lets
 * the Map's abort of a failed run land before the next queued iteration would have started.
 * Machines `wf` runs itself (a run, a split job, a chunk) are left as they are.
 */
import { ExecutionAbortedError, StateMachine } from 'aws-local-stepfunctions';

type Execution = ReturnType<StateMachine['run']>;

const own = new WeakSet<object>();
const stopped = new WeakSet<object>();

/** Marks a machine `wf` runs itself (aborting one of its executions stops only that execution). */
export function ownMachine<T extends object>(machine: T): T {
  own.add(machine);
  return machine;
}

const run = StateMachine.prototype.run;
StateMachine.prototype.run = function patchedRun(this: StateMachine, ...args: Parameters<StateMachine['run']>): Execution {
  if (own.has(this)) return run.apply(this, args);
  // An iteration starts on the next turn of the event loop: by then a Map whose iteration just
  // failed has aborted its iterations, and this one does not start at all.
  let execution: Execution | undefined;
  let aborted = false;
  const started = new Promise<Execution | undefined>((resolve) =>
    setImmediate(() => resolve(aborted || stopped.has(this) ? undefined : (execution = run.apply(this, args)))),
  );
  const result = started.then((e) => (e ? e.result : Promise.reject(new ExecutionAbortedError())));
  result.catch(() => undefined);
  return {
    abort: () => {
      aborted = true;
      stopped.add(this);
      execution?.abort();
    },
    eventLogs: (async function* () {
      const e = await started;
      if (e) yield* e.eventLogs;
    })(),
    result,
  } as unknown as Execution;
};
