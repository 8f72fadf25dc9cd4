/**
 * The `wait` stage (approvals and signals): the run pauses until `wf signal RUN NAME` (or the
 * client's `signal`) answers. On AWS it is a `lambda:invoke.waitForTaskToken` Task: the stage
 * runner stores the task token under the run's signal item in the audit table, and the sender
 * finds it there and calls SendTaskSuccess (data → the stage's outputs) or SendTaskFailure
 * (`--reject`). The local engine has no task tokens: its handler for this Task waits on the same
 * item in the local store instead. Either way a signal sent before the run reaches the stage is
 * kept and delivered when it does, and a rejection or the timeout fails the stage with a message.
 */
import type { WaitStage } from '../config/index.ts';
import { Placeholders, SignalErrors } from '../protocol/index.ts';
import type { CompileContext, StageScope, StateInfo } from './compile-context.ts';

/** The Task resource of a wait stage, and of a job of a graph waiting for its needs: the stage runner invoked with a task token. */
export const WAIT_FOR_SIGNAL_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/** The seconds a wait stage waits: its `wait.timeout`, else its `timeout`, else the run's. */
export function waitSeconds(stage: WaitStage, scope: StageScope, workflowTimeout: number): number {
  return Math.ceil(stage.waitTimeout ?? stage.timeout ?? scope.job.timeout ?? workflowTimeout);
}

/** Compiles a wait stage; `fail` is reached with the failure normalised in `$.__caught.r`. */
export function compileWait(cx: CompileContext, stage: WaitStage, scope: StageScope, label: string[], rec: string | undefined, next: string, fail: string, info: StateInfo): string {
  const seconds = waitSeconds(stage, scope, cx.workflow.timeout);
  if (cx.options.dryrun) {
    return cx.add([...label, 'dry run'], {
      Type: 'Pass',
      Result: { status: 'SUCCESS', outputs: { dryrun: `would wait up to ${seconds} s for signal "${stage.signal}"` } },
      ResultPath: rec ?? null,
      Next: next,
    }, info);
  }
  cx.requireStandard(stage, 'a wait stage waits for a task token (waitForTaskToken), which Express workflows cannot');
  // Progress output says how to answer (the echo of a state is rendered against its input).
  const waiting: StateInfo = { ...info, echo: { message: `waiting for signal "${stage.signal}" (wf signal \${{ run.id }} ${stage.signal})`, ctx: { 'run.$': '$.run' } } };
  const failure = (suffix: string, errors: Record<string, unknown>): string =>
    cx.add([...label, suffix], {
      Type: 'Pass',
      Parameters: { r: { status: 'FAILED', outputs: {}, errors } },
      ResultPath: '$.__caught',
      Next: fail,
    });
  const rejected = failure('rejected', { name: SignalErrors.rejected, 'message.$': '$.__caught.Cause' });
  const timedOut = failure('timed out', { name: SignalErrors.timeout, message: `wait stage "${stage.name}": no signal "${stage.signal}" within ${seconds} s` });
  // The request as the runner receives it (SignalWaitRequest), with its values given by path.
  const payload: Record<string, unknown> = {
    action: 'signal-wait',
    'token.$': '$$.Task.Token',
    'run.$': '$.run.id',
    'workflow.$': '$.run.workflow',
    signal: stage.signal,
    stage: stage.name,
    'execution.$': '$$.Execution.Id',
    table: `\${${Placeholders.auditTable}}`,
    timeout: seconds,
  };
  return cx.add(label, {
    Type: 'Task',
    Resource: WAIT_FOR_SIGNAL_RESOURCE,
    Parameters: { FunctionName: `\${${Placeholders.stageRunner}}`, Payload: payload },
    ResultSelector: { status: 'SUCCESS', 'outputs.$': '$.outputs' },
    ResultPath: rec ?? null,
    TimeoutSeconds: seconds,
    Retry: [cx.transientRetry()],
    Catch: [
      { ErrorEquals: [SignalErrors.rejected], ResultPath: '$.__caught', Next: rejected },
      { ErrorEquals: ['States.Timeout', SignalErrors.timeout], ResultPath: '$.__caught', Next: timedOut },
      ...cx.catchers(label, fail),
    ],
    Next: next,
  }, waiting);
}
