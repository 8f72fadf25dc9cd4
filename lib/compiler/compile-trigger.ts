/**
 * Trigger stages → a `states:startExecution.sync:2` Task that runs the child workflow's state
 * machine and waits for it; the child's `{status, params, jobs}` become the stage's outputs.
 */
import type { TriggerStage } from '../config/index.ts';
import { Placeholders } from '../protocol/index.ts';
import type { CompileContext, StageScope } from './compile-context.ts';
import { nativeParameters, rootsOfValue } from './compile-expression.ts';
import { wireContext } from './wire-context.ts';
import { retriers, stageInfo, workflowEnv as env } from './stage-parts.ts';

/** Definition placeholder of a workflow's state machine ARN. */
export function stateMachinePlaceholder(workflow: string): string {
  // Names are [A-Za-z0-9_-]; `_` → `__` and `-` → `_0` keeps two names from sharing a placeholder.
  return `${Placeholders.stateMachinePrefix}${workflow.replace(/_/g, '__').replace(/-/g, '_0')}`;
}

/** Compiles a trigger stage; returns its first state. */
export function compileTrigger(cx: CompileContext, stage: TriggerStage, scope: StageScope, label: string[], rec: string | undefined, next: string, fail: string): string {
  cx.requireStandard(stage, 'a trigger stage waits for the child workflow (startExecution.sync)');
  const native = nativeParameters(stage.params, scope);
  const input: Record<string, unknown> = {
    'release.$': '$.release',
    run: { 'id.$': 'States.UUID()', workflow: stage.trigger, 'parent.$': '$.run.id' },
    jobs: {},
  };
  if (native) input.params = native;
  else input['params.$'] = '$.__tp.params';
  const task = cx.add(label, {
    Type: 'Task',
    Resource: 'arn:aws:states:::states:startExecution.sync:2',
    Parameters: {
      StateMachineArn: `\${${stateMachinePlaceholder(stage.trigger)}}`,
      Input: { ...input, 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
    },
    ResultSelector: { status: 'SUCCESS', outputs: { 'status.$': '$.Output.status', 'params.$': '$.Output.params', 'jobs.$': '$.Output.jobs' } },
    ResultPath: rec ?? null,
    Retry: [cx.startExecutionRetry(), ...(retriers(stage) ?? [])],
    Catch: cx.catchers(label, fail),
    Next: next,
  }, stageInfo(scope, stage));
  if (native) return task;
  return cx.evalTask(label, { params: { kind: 'value', raw: stage.params } }, wireContext(scope, rootsOfValue(stage.params), env(cx)), '$.__tp', task, fail);
}
