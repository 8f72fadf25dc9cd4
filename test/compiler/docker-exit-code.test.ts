/**
 * A docker stage whose container fails: on AWS `ecs:runTask.sync` fails the Task with
 * `States.TaskFailed`, its Cause the stopped ECS task's description as JSON. The compiled Catch
 * routes that error through states that parse the Cause and record the stage as FAILED with
 * `outputs.return_code` (the container's exit code) and a message saying what happened. These tests
 * pin the states, then run the compiled machine on the local engine with a stub ECS Task that fails
 * exactly as Step Functions reports it (the task descriptions below have the shape `DescribeTasks`
 * returns, keys in PascalCase as Step Functions passes them on).
 */
import '../../lib/local/polyfill.ts';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { compileWorkflow, type CompiledWorkflow } from '../../lib/compiler/index.ts';
import { handleRequest } from '../../lib/runtime/index.ts';
import type { RunnerRequest } from '../../lib/protocol/index.ts';
import { stateNamed, walkStates } from '../helpers/compiled-machines.ts';

/** A workflow with one job, `main`, of these stages (YAML flow mappings). */
function workflow(name: string, stages: string[], params = '{}'): string {
  return `${name}:\n  type: Workflow\n  params: ${params}\n  jobs:\n    main:\n      stages:\n${stages.map((st) => `        - ${st}\n`).join('')}`;
}

const text = [
  workflow('boxes', ['{name: Box, id: box, image: alpine, cmd: exit 2, continue-on-error: true}', '{name: After, id: after, echo: the run goes on}']),
  workflow('strict', ['{name: Box, id: box, image: alpine, cmd: exit 2, retry: 2}', '{name: After, id: after, echo: never reached}']),
  workflow('counted', ['{name: Box, id: box, image: alpine, retry: "${{ params.tries }}"}'], '{tries: {type: int, default: 1}}'),
  workflow('odd', [`{name: "Container 'x' {y} \\\\z", id: odd, image: alpine}`]),
].join('');

const { workflows, diagnostics } = loadWorkflowsFromText({ 'boxes.yml': text });
const compiled = (name: string): CompiledWorkflow => compileWorkflow(workflows.get(name)!);

/** A stopped task whose essential container exited 2 (the Cause of the Task's States.TaskFailed). */
const EXITED = {
  Attachments: [{ Id: 'a1b2c3d4-5678-90ab-cdef-111111111111', Type: 'eni', Status: 'DELETED', Details: [{ Name: 'subnetId', Value: 'subnet-0123456789abcdef0' }] }],
  AvailabilityZone: 'eu-west-1a',
  ClusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/workflows',
  Connectivity: 'CONNECTED',
  Containers: [
    {
      ContainerArn: 'arn:aws:ecs:eu-west-1:123456789012:container/workflows/0f1e2d3c4b5a69788796a5b4c3d2e1f0/5c6d7e8f-0000-1111-2222-333344445555',
      ExitCode: 2,
      Image: 'alpine:latest',
      LastStatus: 'STOPPED',
      Name: 'stage',
      NetworkInterfaces: [{ AttachmentId: 'a1b2c3d4-5678-90ab-cdef-111111111111', PrivateIpv4Address: '10.0.1.23' }],
      TaskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/workflows/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    },
  ],
  Cpu: '256',
  CreatedAt: 1717000000000,
  DesiredStatus: 'STOPPED',
  Group: 'family:boxes-main-box',
  LastStatus: 'STOPPED',
  LaunchType: 'FARGATE',
  Memory: '512',
  Overrides: { ContainerOverrides: [{ Command: ['sh', '-c', 'exit 2'], Environment: [], Name: 'stage' }] },
  PlatformVersion: '1.4.0',
  StartedAt: 1717000020000,
  StartedBy: 'AWS Step Functions',
  StopCode: 'EssentialContainerExited',
  StoppedAt: 1717000050000,
  StoppedReason: 'Essential container in task exited',
  StoppingAt: 1717000040000,
  TaskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/workflows/0f1e2d3c4b5a69788796a5b4c3d2e1f0',
  TaskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/boxes-main-box:3',
  Version: 4,
};

/** The same task killed for its memory: ECS gives the container a Reason. */
const OUT_OF_MEMORY = {
  ...EXITED,
  Containers: [{ ...EXITED.Containers[0], ExitCode: 137, Reason: 'OutOfMemoryError: Container killed due to memory usage' }],
};

/** A task whose image could not be pulled: the container never ran, so it has no exit code. */
const NOT_PULLED = {
  ...EXITED,
  Containers: [{ ...EXITED.Containers[0], ExitCode: undefined, Reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found' }],
  StopCode: 'TaskFailedToStart',
  StoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): not found',
};

function taskFailed(cause: string): Error {
  return Object.assign(new Error(cause), { name: 'States.TaskFailed' });
}

/** Runs a compiled workflow whose only Tasks that run are ECS Tasks on the local engine, each ECS call answered by `ecs`. */
async function runWithEcs(c: CompiledWorkflow, ecs: (attempt: number) => unknown, params: Record<string, unknown> = {}): Promise<{ doc: any; entered: string[]; attempts: number }> {
  const handlers: Record<string, (input: { Payload?: RunnerRequest }) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  const waitTimeOverrides: Record<string, number> = {};
  let attempts = 0;
  for (const { name, state } of walkStates(c.definition)) {
    if (state.Retry?.length) retryIntervalOverrides[name] = 0;
    if (state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (state.Type !== 'Task') continue;
    const ecsTask = state.Resource?.includes(':ecs:runTask');
    handlers[name] = async (input) => {
      // A templated retry count is rendered by the stage runner's eval action: the real one answers.
      if (input.Payload?.action === 'eval') return { Payload: await handleRequest(input.Payload) };
      if (!ecsTask) throw new Error(`unexpected call of Task ${name} (${state.Resource})`);
      return ecs(++attempts);
    };
  }
  const input = { prepared: true, params, release: { logical_date: '2024-01-01T00:00:00Z', type: 'normal' }, run: { id: 'r1', workflow: 'w' }, jobs: {} };
  const machine = new StateMachine(JSON.parse(c.json), { validationOptions: { checkArn: false, checkPaths: false } });
  const execution = machine.run(input as never, { overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides, waitTimeOverrides } });
  const results = new Set(Object.entries(c.states).filter(([, i]) => i.role === 'run-result').map(([n]) => n));
  const entered: string[] = [];
  let doc: unknown;
  const watching = (async () => {
    for await (const ev of execution.eventLogs) {
      if (ev.type === 'StateEntered') entered.push(ev.state.name);
      if (ev.type === 'StateExited' && results.has(ev.state.name)) doc = ev.state.output;
    }
  })();
  await execution.result.catch((e: unknown) => {
    if (!(e instanceof ExecutionError)) throw e;
  });
  await watching;
  return { doc, entered, attempts };
}

/** Runs the workflow `name` with every ECS call failing with States.TaskFailed and this Cause. */
function runFailing(name: string, cause: string, params: Record<string, unknown> = {}): ReturnType<typeof runWithEcs> {
  return runWithEcs(
    compiled(name),
    () => {
      throw taskFailed(cause);
    },
    params,
  );
}

describe('docker exit codes: compiled', () => {
  it('loads', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('routes States.TaskFailed from the ECS Task to a record with the exit code, and any other error to the plain failure', () => {
    const m = compiled('boxes').definition;
    const task = stateNamed(m, 'main.Box');
    expect(task.Resource).toBe('arn:aws:states:::ecs:runTask.sync');
    expect(task.ResultSelector).toEqual({ status: 'SUCCESS', outputs: { 'return_code.$': '$.Containers[0].ExitCode' } });
    expect(task.ResultPath).toBe('$.jobs.main.stages.box');
    expect(task.Next).toMatch(/^main\.After/);
    expect(task.Catch!.map((c) => c.ErrorEquals)).toEqual([['States.TaskFailed'], ['States.ALL']]);
    expect(task.Catch![0]).toEqual({ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.__caught', Next: 'main.Box.stopped task' });
    // Only a JSON Cause is parsed: a Pass whose StringToJson fails cannot be caught.
    const guard = stateNamed(m, 'main.Box.stopped task');
    expect(guard.Choices![0]!.Next).toBe('main.Box.task description');
    expect(guard.Choices![0]!.And).toContainEqual({ Variable: '$.__caught.Cause', StringMatches: '{*' });
    expect(guard.Default).toBe(task.Catch![1]!.Next);
    const parse = stateNamed(m, 'main.Box.task description');
    expect(parse.Parameters).toEqual({ 'Error.$': '$.__caught.Error', 'Cause.$': '$.__caught.Cause', 'ecs.$': 'States.StringToJson($.__caught.Cause)', stage: 'Box' });
    const outcome = stateNamed(m, parse.Next!);
    expect(outcome.Choices!.map((c) => c.Next)).toEqual(['main.Box.exit code and reason', 'main.Box.exit code', 'main.Box.stopped']);
    expect(outcome.Default).toBe(guard.Default);
    const exit = stateNamed(m, 'main.Box.exit code');
    expect(exit.Parameters).toEqual({
      r: {
        status: 'FAILED',
        outputs: { 'return_code.$': '$.__caught.ecs.Containers[0].ExitCode' },
        errors: { name: 'StageError', 'message.$': `States.Format('docker stage "{}" exited with code {}', $.__caught.stage, $.__caught.ecs.Containers[0].ExitCode)` },
      },
    });
    // continue-on-error: the record is written under the stage's id and the job goes on.
    const record = stateNamed(m, exit.Next!);
    expect(record).toMatchObject({ ResultPath: '$.jobs.main.stages.box', Next: task.Next });
  });

  it('retries a failed container with the stage retry: a Retry on States.TaskFailed and States.Timeout, or the counter loop', () => {
    const strict = stateNamed(compiled('strict').definition, 'main.Box');
    expect(strict.Retry).toContainEqual({ ErrorEquals: ['States.TaskFailed', 'States.Timeout'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1.2 });
    const m = compiled('counted').definition;
    const counted = stateNamed(m, 'main.Box');
    expect(counted.Retry?.some((r) => r.ErrorEquals.includes('States.TaskFailed'))).toBeFalsy();
    const exit = stateNamed(m, 'main.Box.exit code');
    expect(exit.Next).toBe('main.Box.retry');
    expect(stateNamed(m, 'main.Box.retry').Type).toBe('Choice');
  });

  it('puts the stage name into messages as data, never into an intrinsic string literal', () => {
    const m = compiled('odd').definition;
    const intrinsics = walkStates(m).flatMap(({ state }) => JSON.stringify(state.Parameters ?? {}).match(/States\.Format\('[^']*'/g) ?? []);
    expect(intrinsics.length).toBeGreaterThan(0);
    for (const i of intrinsics) expect(i).not.toContain('Container');
    const parse = walkStates(m).find((s) => s.name.endsWith('.task description'))!.state;
    expect(parse.Parameters!.stage).toBe("Container 'x' {y} \\z");
  });
});

describe('docker exit codes: the ECS failure as Step Functions reports it, on the local engine', () => {
  it.each([
    ['an exit code', EXITED, { return_code: 2 }, 'docker stage "Box" exited with code 2'],
    ["an exit code and the container's Reason", OUT_OF_MEMORY, { return_code: 137 }, 'docker stage "Box" exited with code 137: OutOfMemoryError: Container killed due to memory usage'],
    ['no exit code (the container never ran): why the task stopped', NOT_PULLED, {}, `docker stage "Box" stopped: ${NOT_PULLED.StoppedReason}`],
  ])('records %s; continue-on-error lets the run go on', async (_, cause, outputs, message) => {
    const run = await runFailing('boxes', JSON.stringify(cause));
    expect(run.doc.jobs.main.stages.box).toEqual({ status: 'FAILED', outputs, errors: { name: 'StageError', message } });
    expect(run.doc.jobs.main.stages.after.status).toBe('SUCCESS');
    expect(run.doc.jobs.main.status).toBe('SUCCESS');
    expect(run.doc.status).toBe('SUCCESS');
  });

  it('keeps any other error a plain failure: a Cause that is not a task description, ECS throttling', async () => {
    const role = 'Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.';
    const notJson = await runFailing('boxes', role);
    expect(notJson.doc.jobs.main.stages.box).toEqual({ status: 'FAILED', outputs: {}, errors: { name: 'States.TaskFailed', message: role } });
    const throttled = await runWithEcs(compiled('boxes'), () => {
      throw Object.assign(new Error('Rate exceeded (Service: AmazonECS; Status Code: 400)'), { name: 'ECS.AmazonECSException' });
    });
    expect(throttled.doc.jobs.main.stages.box.errors).toEqual({ name: 'ECS.AmazonECSException', message: 'Rate exceeded (Service: AmazonECS; Status Code: 400)' });
  });

  it('fails the run without continue-on-error, after the retries', async () => {
    const run = await runFailing('strict', JSON.stringify(EXITED));
    expect(run.attempts).toBe(3);
    expect(run.doc.status).toBe('FAILED');
    expect(run.doc.jobs.main.stages.box.outputs).toEqual({ return_code: 2 });
    expect(run.doc.jobs.main.stages.after).toBeUndefined();
  });

  it('counts a templated retry the same way, and a later success ends it', async () => {
    const run = await runWithEcs(
      compiled('counted'),
      (attempt) => {
        if (attempt < 3) throw taskFailed(JSON.stringify(EXITED));
        return { ...EXITED, Containers: [{ ...EXITED.Containers[0], ExitCode: 0 }] };
      },
      { tries: 2 },
    );
    expect(run.attempts).toBe(3);
    expect(run.doc.jobs.main.stages.box).toEqual({ status: 'SUCCESS', outputs: { return_code: 0 } });
    const exhausted = await runFailing('counted', JSON.stringify(EXITED), { tries: 1 });
    expect(exhausted.attempts).toBe(2);
    expect(exhausted.doc.jobs.main.stages.box.errors.message).toBe('docker stage "Box" exited with code 2');
  });

  it('succeeds on exit 0 with the return code', async () => {
    const run = await runWithEcs(compiled('boxes'), () => ({ ...EXITED, Containers: [{ ...EXITED.Containers[0], ExitCode: 0 }] }));
    expect(run.doc.jobs.main.stages.box).toEqual({ status: 'SUCCESS', outputs: { return_code: 0 } });
    expect(run.entered.filter((s) => s.startsWith('main.Box.'))).toEqual([]);
  });
});
