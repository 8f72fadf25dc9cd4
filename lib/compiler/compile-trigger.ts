/**
 * Trigger stages → a `states:startExecution.sync:2` Task that runs the child workflow's state
 * machine and waits for it; the child's `{status, params, jobs}` become the stage's outputs. When
 * the child fails, a `child-outcome` request to the stage runner reads the child's document from
 * its history, and the failed stage keeps it as its outputs.
 *
 * A templated target (`trigger: ${{ params.target }}`) can only name workflows known when
 * compiling (lib/config/trigger-targets.ts): it becomes a Choice on the rendered name with one Task
 * per possible workflow, each with its own `${StateMachine_...}` placeholder, so the machine's role
 * may start exactly those machines and each Task keeps a literal StateMachineArn (which is what
 * AWS's rules and the IAM derivation in lib/cdk/permissions-for.ts read).
 */
import { triggerTargets, type TriggerStage } from '../config/index.ts';
import { Placeholders } from '../protocol/index.ts';
import type { CompileContext, StageScope } from './compile-context.ts';
import type { ChoiceRule } from './asl/types.ts';
import { escapeIntrinsicText } from './asl/intrinsic.ts';
import { nativeParameters, nativeValue, rootsOfValue } from './compile-expression.ts';
import { wireContext } from './wire-context.ts';
import { retriers, stageInfo, workflowEnv as env } from './stage-parts.ts';

/** Definition placeholder of a workflow's state machine ARN. */
export function stateMachinePlaceholder(workflow: string): string {
  // Names are [A-Za-z0-9_-]; `_` → `__` and `-` → `_0` keeps two names from sharing a placeholder.
  return `${Placeholders.stateMachinePrefix}${workflow.replace(/_/g, '__').replace(/-/g, '_0')}`;
}

/**
 * The workflows a trigger stage can start, sorted. A templated target whose workflows are not known
 * (which loading reports; a workflow model built by hand may still hold one) is WF5008 here too,
 * and has none: the stage then only fails.
 */
function targetsOf(cx: CompileContext, stage: TriggerStage): string[] {
  if (!stage.trigger.includes('${{')) return [stage.trigger];
  const site = triggerTargets(cx.workflow).find((s) => s.stage === stage);
  if (site?.targets) return site.targets;
  cx.diagnostics.push({
    code: 'WF5008',
    severity: 'error',
    message: `stage "${stage.name}" triggers ${JSON.stringify(stage.trigger)}, whose workflows are not known when compiling`,
    location: site?.loc ?? stage.fieldLocs.trigger ?? stage.loc,
    note: 'declare a choice param whose options are the workflows it may start, and write trigger: ${{ params.<name> }}',
  });
  return [];
}

/** Compiles a trigger stage; returns its first state. */
export function compileTrigger(cx: CompileContext, stage: TriggerStage, scope: StageScope, label: string[], rec: string | undefined, next: string, fail: string): string {
  cx.requireStandard(stage, 'a trigger stage waits for the child workflow (startExecution.sync)');
  const native = nativeParameters(stage.params, scope);
  const params: Record<string, unknown> = native ? { params: native } : { 'params.$': '$.__tp.params' };
  let catchers: ReturnType<CompileContext['catchers']> | undefined;
  // A failed child: the runner reads the child's document from its history (child-outcome.ts), so
  // the stage's failed record keeps the child's {status, params, jobs} as its outputs.
  const childFailed = (target: string, name: string[]): string =>
    cx.add([...name, 'child failed'], {
      ...cx.lambdaTask({ action: 'child-outcome', workflow: target, 'caught.$': '$.__caught' }),
      ResultSelector: { 'r.$': '$.Payload' },
      ResultPath: '$.__caught',
      Retry: [cx.transientRetry()],
      Catch: (catchers ??= cx.catchers(label, fail)),
      Next: fail,
    });
  const start = (target: string, name: string[]): string =>
    cx.add(name, {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: {
        StateMachineArn: `\${${stateMachinePlaceholder(target)}}`,
        Input: {
          'release.$': '$.release',
          run: { 'id.$': 'States.UUID()', workflow: target, 'parent.$': '$.run.id' },
          jobs: {},
          ...params,
          'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
        },
      },
      ResultSelector: { status: 'SUCCESS', outputs: { 'status.$': '$.Output.status', 'params.$': '$.Output.params', 'jobs.$': '$.Output.jobs' } },
      ResultPath: rec ?? null,
      Retry: [cx.startExecutionRetry(), ...(retriers(stage) ?? [])],
      Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.__caught', Next: childFailed(target, name) }, ...(catchers ??= cx.catchers(label, fail))],
      Next: next,
    }, stageInfo(scope, stage));
  const targets = targetsOf(cx, stage);
  const first = stage.trigger.includes('${{') ? lookup(cx, stage, scope, label, targets, start, fail) : start(targets[0]!, label);
  if (native) return first;
  return cx.evalTask(label, { params: { kind: 'value', raw: stage.params } }, wireContext(scope, rootsOfValue(stage.params), env(cx)), '$.__tp', first, fail);
}

/**
 * A Choice on the rendered target with one start Task per possible workflow. A name outside the
 * set (which validation makes unreachable) fails the stage with a TriggerError naming it.
 */
function lookup(cx: CompileContext, stage: TriggerStage, scope: StageScope, label: string[], targets: string[], start: (target: string, name: string[]) => string, fail: string): string {
  const nv = nativeValue(stage.trigger, scope);
  const path = nv && 'path' in nv ? nv.path : '$.__tt.target';
  const known = targets.map((t) => `"${t}"`).join(', ');
  const unknown = cx.add([...label, 'unknown target'], {
    Type: 'Pass',
    Parameters: {
      r: {
        status: 'FAILED',
        outputs: {},
        errors: {
          name: 'TriggerError',
          'message.$': `States.Format('stage "${escapeIntrinsicText(stage.name)}" resolved its trigger target to {}, which is not one of the workflows it may start: ${escapeIntrinsicText(known)}', ${path})`,
        },
      },
    },
    ResultPath: '$.__caught',
    Next: fail,
  });
  const choices: ChoiceRule[] = targets.map((t) => ({ Variable: path, StringEquals: t, Next: start(t, [...label, t]) }));
  const choice = choices.length ? cx.add([...label, 'target'], { Type: 'Choice', Choices: choices, Default: unknown }) : unknown;
  if (nv && 'path' in nv) return choice;
  return cx.evalTask([...label, 'target'], { target: { kind: 'value', raw: stage.trigger, mode: 'text' } }, wireContext(scope, rootsOfValue(stage.trigger), env(cx)), '$.__tt', choice, fail);
}
