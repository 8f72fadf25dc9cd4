/**
 * The docker stage: an ECS Fargate task (`ecs:runTask.sync`). The image is fixed in the task
 * definition (container `stage`, the task's only and essential container); env and command are
 * per-run overrides.
 *
 * Step Functions ends the Task when the ECS task stops. When the container exited 0 the Task's
 * result is the stopped task's description; when it exited non-zero, or never ran (an image that
 * cannot be pulled), the Task fails with `States.TaskFailed`, whose Cause is that description as
 * JSON (`Containers[].ExitCode`, `Containers[].Reason`, `StopCode`, `StoppedReason`). The failure
 * path parses the Cause and records the stage as FAILED with `outputs.return_code` and a message
 * that says what happened. The local engine fails its Task the same way (lib/local), so both
 * engines run this one path.
 *
 * The stage's name reaches the message as data (a Parameters value, then a `States.Format`
 * argument), never as part of an intrinsic's string literal, where AWS reserves `' { } \`.
 */
import type { Stage } from '../config/index.ts';
import { Placeholders } from '../protocol/index.ts';
import type { CompileContext, StageScope } from './compile-context.ts';
import type { ChoiceRule, State } from './asl/types.ts';
import { containsTemplate, rootsOfValue } from './compile-expression.ts';
import { wireContext } from './wire-context.ts';
import { counterRetry, effectiveTimeout, retriers, retryScope, stageInfo, workflowEnv } from './stage-parts.ts';

/** The Task resource of a docker stage. */
export const ECS_RUN_TASK_RESOURCE = 'arn:aws:states:::ecs:runTask.sync';

/** The Task errors that mean the container failed (or never ran), which the stage's `retry` retries. */
const CONTAINER_FAILED = ['States.TaskFailed', 'States.Timeout'];

/** Definition placeholder of a docker stage's ECS task definition: one per stage, unique in the machine. */
function taskDefinitionPlaceholder(cx: CompileContext, label: string[]): string {
  const base = `${Placeholders.taskDefinitionPrefix}${[cx.workflow.name, ...label].join('_').replace(/[^A-Za-z0-9]+/g, '_')}`;
  let name = base;
  for (let n = 2; cx.taskDefinitions.has(name); n++) name = `${base}_${n}`;
  cx.taskDefinitions.add(name);
  return name;
}

/** A Choice rule that holds when `path` is present and of `type` (AWS evaluates `And` left to right). */
function present(path: string, type: 'IsNumeric' | 'IsString'): ChoiceRule[] {
  return [
    { Variable: path, IsPresent: true },
    { Variable: path, [type]: true },
  ];
}

/**
 * The states that turn a `States.TaskFailed` of the ECS Task (in `$.__caught`) into the stage's
 * failed record (in `$.__caught.r`), then go to `target`; returns the first. A Cause that is not a
 * task description (not JSON), or one that says neither an exit code nor a stop reason, goes to
 * `other` (a state that makes `{name: Error, message: Cause}` of it, as of any other Task error).
 */
function stoppedTask(cx: CompileContext, stage: Extract<Stage, { kind: 'docker' }>, label: string[], target: string, other: string): string {
  const ecs = '$.__caught.ecs';
  const exitCode = `${ecs}.Containers[0].ExitCode`;
  const reason = `${ecs}.Containers[0].Reason`;
  const stoppedReason = `${ecs}.StoppedReason`;
  const record = (parts: string[], outputs: Record<string, unknown>, format: string, ...args: string[]): string =>
    cx.add([...label, ...parts], {
      Type: 'Pass',
      Parameters: { r: { status: 'FAILED', outputs, errors: { name: 'StageError', 'message.$': `States.Format('${format}', $.__caught.stage, ${args.join(', ')})` } } },
      ResultPath: '$.__caught',
      Next: target,
    });
  const exited = [...present(exitCode, 'IsNumeric'), { Not: { Variable: exitCode, NumericEquals: 0 } }];
  const outcome = cx.add([...label, 'how it stopped'], {
    Type: 'Choice',
    Choices: [
      { And: [...exited, ...present(reason, 'IsString')], Next: record(['exit code and reason'], { 'return_code.$': exitCode }, 'docker stage "{}" exited with code {}: {}', exitCode, reason) },
      { And: exited, Next: record(['exit code'], { 'return_code.$': exitCode }, 'docker stage "{}" exited with code {}', exitCode) },
      { And: present(stoppedReason, 'IsString'), Next: record(['stopped'], {}, 'docker stage "{}" stopped: {}', stoppedReason) },
    ],
    Default: other,
  });
  const parse = cx.add([...label, 'task description'], {
    Type: 'Pass',
    Parameters: { 'Error.$': '$.__caught.Error', 'Cause.$': '$.__caught.Cause', 'ecs.$': 'States.StringToJson($.__caught.Cause)', stage: stage.name },
    ResultPath: '$.__caught',
    Next: outcome,
  });
  // A Pass whose StringToJson fails cannot be caught: only a JSON object goes through it.
  return cx.add([...label, 'stopped task'], {
    Type: 'Choice',
    Choices: [{ And: [...present('$.__caught.Cause', 'IsString'), { Variable: '$.__caught.Cause', StringMatches: '{*' }], Next: parse }],
    Default: other,
  });
}

/** Compiles a docker stage (see the file comment); `fail` is reached with the failure normalised in `$.__caught.r`. */
/** The first secret param a template in `raw` reads (`params.<name>`, `params['<name>']`, or all of `params`). */
function secretRead(cx: CompileContext, raw: unknown): string | undefined {
  const secrets = Object.values(cx.workflow.params).filter((p) => p.secret).map((p) => p.name);
  if (!secrets.length) return undefined;
  const texts: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.includes('${{')) texts.push(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(raw);
  for (const text of texts) {
    for (const name of secrets) {
      const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (new RegExp(`\\bparams\\s*(\\.\\s*${esc}\\b|\\[\\s*['"]${esc}['"]\\s*\\])`).test(text)) return name;
    }
    if (/\bparams\b(?!\s*[.[])/.test(text)) return secrets[0];
  }
  return undefined;
}

export function compileDocker(cx: CompileContext, stage: Extract<Stage, { kind: 'docker' }>, outer: StageScope, label: string[], rec: string | undefined, next: string, fail: string): string {
  cx.requireStandard(stage, 'a docker stage waits for its ECS task (runTask.sync)');
  const placeholder = taskDefinitionPlaceholder(cx, label);
  const info = { ...stageInfo(outer, stage), docker: { image: stage.image, tag: stage.tag, volume: stage.volume, auth: stage.auth, placeholder } };
  if (containsTemplate([stage.image, stage.tag])) {
    cx.diagnostics.push({
      code: 'WF6007',
      severity: 'error',
      message: `docker stage "${stage.name}": the image and tag must be fixed text, because they are part of the ECS task definition`,
      location: stage.fieldLocs.image ?? stage.loc,
      note: 'choose between images with a `case` stage that has one docker stage per image',
    });
  }
  const secret = secretRead(cx, [stage.env, stage.cmd]);
  if (secret) {
    cx.diagnostics.push({
      code: 'WF6012',
      severity: 'error',
      message: `docker stage "${stage.name}" reads the secret param "${secret}" in its env or cmd, which reach the container through ECS overrides, and Step Functions records those in clear`,
      location: stage.fieldLocs.env ?? stage.fieldLocs.cmd ?? stage.loc,
      note: 'give the container the name of a parameter or secret it reads itself (with its task role), or use the secret in a bash, py or call stage',
    });
  }
  const dynamic = containsTemplate([stage.env, stage.cmd]);
  const roots = rootsOfValue([stage.env, stage.cmd]);
  const { path: retryPath, scope } = retryScope(cx, stage, outer, roots);
  const override: Record<string, unknown> = { Name: 'stage' };
  if (dynamic) {
    override['Environment.$'] = '$.__docker.overrides.environment';
    override['Command.$'] = '$.__docker.overrides.command';
  } else {
    override.Environment = Object.entries(stage.env).map(([Name, v]) => ({ Name, Value: typeof v === 'string' ? v : JSON.stringify(v) }));
    if (stage.cmd !== undefined) override.Command = Array.isArray(stage.cmd) ? stage.cmd : ['sh', '-c', stage.cmd];
  }
  const name = cx.reserve(label);
  // Each attempt renders env and command again (they may read `retry`, the attempt number).
  const attempt = dynamic
    ? cx.evalTask(label, { overrides: { kind: 'value', raw: { env: stage.env, cmd: stage.cmd ?? null }, mode: 'ecs-overrides' } }, wireContext(scope, roots, workflowEnv(cx)), '$.__docker', name, fail)
    : name;
  const { start, retry } = counterRetry(cx, stage, scope, label, attempt, fail, retryPath);
  const failed = cx.genericFailure(label, fail);
  const task: State = {
    Type: 'Task',
    Resource: ECS_RUN_TASK_RESOURCE,
    Parameters: {
      LaunchType: 'FARGATE',
      Cluster: `\${${Placeholders.cluster}}`,
      TaskDefinition: `\${${placeholder}}`,
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: [`\${${Placeholders.subnets}}`],
          SecurityGroups: [`\${${Placeholders.securityGroup}}`],
          AssignPublicIp: `\${${Placeholders.assignPublicIp}}`,
        },
      },
      Overrides: { ContainerOverrides: [override] },
    },
    ResultSelector: { status: 'SUCCESS', outputs: { 'return_code.$': '$.Containers[0].ExitCode' } },
    ResultPath: rec ?? null,
    Retry: [cx.ecsRetry(), ...(retryPath ? [] : retriers(stage, CONTAINER_FAILED) ?? [])],
    Catch: [
      { ErrorEquals: ['States.TaskFailed'], ResultPath: '$.__caught', Next: stoppedTask(cx, stage, label, retry ?? fail, retry ? cx.genericFailure([...label, 'task failed'], retry) : failed) },
      ...(retry ? [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.__caught', Next: cx.genericFailure([...label, 'timeout'], retry) }] : []),
      { ErrorEquals: ['States.ALL'], ResultPath: '$.__caught', Next: failed },
    ],
    Next: next,
  };
  const timeout = effectiveTimeout(stage, scope);
  if (timeout !== undefined) task.TimeoutSeconds = timeout;
  cx.put(name, task, info);
  return start;
}
