/**
 * `wf serve` as a real process, driven by the real, unmodified `@aws-sdk/client-sfn` (and by the
 * `WorkflowClient` and the `wf` commands, which only differ from AWS in the endpoint): runs,
 * duplicate names, stops, histories, redrives, AWS-shaped errors for bad requests, and
 * executions that survive a restart of the server.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { loadWorkflows } from '../../lib/config/index.ts';
import { runCli } from '../../lib/cli/index.ts';
import { WorkflowClient, type RunReport } from '../../lib/client/index.ts';
import { openLocalStore } from '../../lib/local/index.ts';
import type { RunEvent } from '../../lib/local/index.ts';
import { stopServe, whenListening, type ServeProcess } from '../helpers/serve-process.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;
const MACHINE = 'arn:aws:states:local:000000000000:stateMachine:';

const CONF = `
hello:
  type: Workflow
  params:
    who: { type: str, default: world }
    token: { type: str, secret: true, default: s3cret }
  jobs:
    greet:
      stages:
        - name: Say hi
          echo: "hi \${{ params.who }}"
        - name: Greet
          id: greet
          bash: echo "hello $WHO"
          env: { WHO: "\${{ params.who }}" }
slow:
  type: Workflow
  jobs:
    wait:
      stages:
        - { name: Long, id: long, bash: "sleep 30" }
flaky:
  type: Workflow
  params:
    dir: { type: str }
  jobs:
    first:
      stages:
        - name: Count
          id: count
          bash: echo x >> "$DIR/first-runs"
          env: { DIR: "\${{ params.dir }}" }
    second:
      needs: [first]
      stages:
        - name: Needs the flag
          id: flag
          bash: test -f "$DIR/flag"
          env: { DIR: "\${{ params.dir }}" }
nightly:
  type: Workflow
  on:
    - cron: "0 9 * * *"
  jobs:
    only:
      stages:
        - { name: Once, id: once, bash: "echo once" }
`;

let dir: string;
let env: NodeJS.ProcessEnv;
let server: ServeProcess;
let sfn: SFNClient;

function startServe(): Promise<ServeProcess> {
  return whenListening(spawn(process.execPath, [wf, 'serve', '--port', '0', '--conf', join(dir, 'conf')], { cwd: dir, env }));
}

function client(url: string): SFNClient {
  return new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

async function settled(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  for (let i = 0; i < 300; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${executionArn} did not end`);
}

async function errorOf(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, ...(err.$metadata?.httpStatusCode ? { status: err.$metadata.httpStatusCode } : {}) };
  }
  throw new Error('expected the call to fail');
}

async function raw(body: string, target?: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', ...(target ? { 'x-amz-target': target } : {}) },
    body,
  });
  return { status: res.status, body: JSON.parse(await res.text()) as unknown };
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { env, out: (t) => (stdout += t), err: (t) => (stderr += t), stderrIsTTY: false });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wf-serve-'));
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 'wf.yml'), CONF);
  env = { ...process.env, NO_COLOR: '1', WORKFLOW_CORE_AUDIT_PATH: join(dir, '.wf'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  server = await startServe();
  sfn = client(server.url);
});

afterAll(async () => {
  if (server) await stopServe(server.child);
  stopAuditServer(join(dir, '.wf'));
  rmSync(dir, { recursive: true, force: true });
});

describe('state machines', () => {
  it('serves one state machine per workflow, with the compiled definition', async () => {
    const list = await sfn.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines!.map((m) => [m.name, m.stateMachineArn, m.type])).toEqual([
      ['flaky', `${MACHINE}flaky`, 'STANDARD'],
      ['hello', `${MACHINE}hello`, 'STANDARD'],
      ['nightly', `${MACHINE}nightly`, 'STANDARD'],
      ['slow', `${MACHINE}slow`, 'STANDARD'],
    ]);
    const d = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${MACHINE}hello` }));
    expect(d.status).toBe('ACTIVE');
    expect(JSON.parse(d.definition!).States['greet.Greet'].Type).toBe('Task');
  });
});

describe('executions through the AWS SDK', () => {
  it('runs an execution to its end: output = the result document, secrets redacted in the input', async () => {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, name: 'first-run', input: JSON.stringify({ params: { who: 'sdk', token: 'hunter2' } }) }),
    );
    expect(started.executionArn).toBe('arn:aws:states:local:000000000000:execution:hello:first-run');
    expect(started.startDate).toBeInstanceOf(Date);
    const d = await settled(started.executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    expect(d.stopDate!.getTime()).toBeGreaterThanOrEqual(d.startDate!.getTime());
    expect(JSON.parse(d.input!)).toEqual({ params: { who: 'sdk', token: '***' } });
    const doc = JSON.parse(d.output!);
    expect(doc).toMatchObject({
      status: 'SUCCESS',
      run: { id: 'first-run', workflow: 'hello' },
      params: { who: 'sdk', token: '***' },
      jobs: { greet: { status: 'SUCCESS', stages: { greet: { status: 'SUCCESS', outputs: { stdout: 'hello sdk', return_code: 0 } } } } },
      errors: [],
    });
    expect(d.redriveStatus).toBe('NOT_REDRIVABLE');
  });

  it('refuses a second execution of the same name with ExecutionAlreadyExists', async () => {
    const e = await errorOf(sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, name: 'first-run', input: '{}' })));
    expect(e).toEqual({ name: 'ExecutionAlreadyExists', message: "Execution Already Exists: 'arn:aws:states:local:000000000000:execution:hello:first-run'", status: 400 });
  });

  it('lists the stages in the history, in order, with AWS event types and linked task events', async () => {
    const arn = 'arn:aws:states:local:000000000000:execution:hello:first-run';
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }));
    const events = h.events!;
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events[0]!.type).toBe('ExecutionStarted');
    expect(events.at(-1)!.type).toBe('ExecutionSucceeded');
    expect(events.every((e) => e.timestamp instanceof Date)).toBe(true);
    const entered = events.filter((e) => e.type!.endsWith('StateEntered')).map((e) => `${e.type} ${e.stateEnteredEventDetails!.name}`);
    expect(entered).toEqual(expect.arrayContaining(['PassStateEntered greet.start', 'PassStateEntered greet.Say hi', 'TaskStateEntered greet.Greet', 'PassStateEntered greet.succeeded']));
    expect(entered.indexOf('PassStateEntered greet.Say hi')).toBeLessThan(entered.indexOf('TaskStateEntered greet.Greet'));
    const task = events.find((e) => e.type === 'TaskStateEntered')!;
    const scheduled = events.find((e) => e.type === 'TaskScheduled')!;
    const succeeded = events.find((e) => e.type === 'TaskSucceeded')!;
    expect([scheduled.previousEventId, succeeded.previousEventId]).toEqual([task.id, scheduled.id]);
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke' });
    // secrets never reach the history, not even inside state inputs
    expect(JSON.stringify(events)).not.toContain('hunter2');
    const paged = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 5, reverseOrder: true }));
    expect(paged.events!.map((e) => e.id)).toEqual([events.length, events.length - 1, events.length - 2, events.length - 3, events.length - 4]);
    expect(paged.nextToken).toBeTruthy();
  });

  it('stops a long run: ABORTED, and CANCEL in the workflow client', async () => {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}slow`, name: 'long-one' }));
    await new Promise((r) => setTimeout(r, 700));
    const t0 = Date.now();
    const stopped = await sfn.send(new StopExecutionCommand({ executionArn: started.executionArn, error: 'Cancelled', cause: 'test stop' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(Date.now() - t0).toBeLessThan(5000);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect([d.status, d.error, d.cause]).toEqual(['ABORTED', 'Cancelled', 'test stop']);
    const report = await new WorkflowClient({ endpoint: server.url }).status(started.executionArn!);
    expect(report.status).toBe('CANCEL');
    expect(report.result?.status).toBe('CANCEL');
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 1000 }));
    expect(h.events!.at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Cancelled', cause: 'test stop' } });
  });

  it('redrives a failed run in place: the failed job runs again, the job that succeeded is kept', async () => {
    rmSync(join(dir, 'flag'), { force: true });
    const input = JSON.stringify({ params: { dir } });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}flaky`, name: 'flaky-1', input }));
    const failed = await settled(started.executionArn!);
    expect([failed.status, failed.error, failed.redriveStatus]).toEqual(['FAILED', 'WorkflowFailed', 'REDRIVABLE']);
    // As on AWS: the cause names the run, the result document is the output of its result state.
    expect(failed.cause).toMatch(/^workflow "flaky" run \S+ FAILED; its result document/);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 1000 }));
    const result = history.events!.filter((e) => e.stateExitedEventDetails?.name === 'run.FAILED').at(-1);
    const doc = JSON.parse(result!.stateExitedEventDetails!.output!);
    expect([doc.status, doc.jobs.first.status, doc.jobs.second.status]).toEqual(['FAILED', 'SUCCESS', 'FAILED']);
    writeFileSync(join(dir, 'flag'), '');
    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn: started.executionArn }));
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    const done = await settled(started.executionArn!);
    expect([done.status, done.redriveCount, done.error]).toEqual(['SUCCEEDED', 1, undefined]);
    expect(done.redriveDate!.getTime()).toBe(redriven.redriveDate!.getTime());
    const out = JSON.parse(done.output!);
    expect([out.status, out.jobs.first.status, out.jobs.second.status]).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(readFileSync(join(dir, 'first-runs'), 'utf8')).toBe('x\n');
    const types = (await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 1000 }))).events!.map((e) => e.type);
    expect(types.filter((t) => t!.startsWith('Execution'))).toEqual(['ExecutionStarted', 'ExecutionFailed', 'ExecutionRedriven', 'ExecutionSucceeded']);
    const again = await errorOf(sfn.send(new RedriveExecutionCommand({ executionArn: started.executionArn })));
    expect(again.name).toBe('ExecutionNotRedrivable');
    rmSync(join(dir, 'flag'));
  });

  it('lists executions newest first, filtered by status', async () => {
    const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn: `${MACHINE}hello` }));
    expect(all.executions!.map((e) => [e.name, e.status])).toContainEqual(['first-run', 'SUCCEEDED']);
    const aborted = await sfn.send(new ListExecutionsCommand({ stateMachineArn: `${MACHINE}slow`, statusFilter: 'ABORTED' }));
    expect(aborted.executions!.map((e) => e.name)).toEqual(['long-one']);
  });

  it('answers unknown executions and machines, bad ARNs and bad names with AWS errors', async () => {
    expect(await errorOf(sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:local:000000000000:execution:hello:nope' })))).toEqual({
      name: 'ExecutionDoesNotExist',
      message: "Execution Does Not Exist: 'arn:aws:states:local:000000000000:execution:hello:nope'",
      status: 400,
    });
    expect((await errorOf(sfn.send(new GetExecutionHistoryCommand({ executionArn: 'arn:aws:states:local:000000000000:execution:hello:nope' })))).name).toBe('ExecutionDoesNotExist');
    expect((await errorOf(sfn.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })))).name).toBe('InvalidArn');
    expect((await errorOf(sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}missing` })))).name).toBe('StateMachineDoesNotExist');
    const bad = await errorOf(sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, name: 'has space' })));
    expect(bad.name).toBe('InvalidName');
  });
});

describe('bad requests', () => {
  it('get AWS-shaped errors, and the server keeps serving', async () => {
    expect(await raw('{not json', 'AWSStepFunctions.DescribeExecution')).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
    expect(await raw('{}', 'AWSStepFunctions.DeleteEverything')).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    expect(await raw('{}')).toMatchObject({ status: 400, body: { __type: 'UnknownOperationException' } });
    expect(await raw('{}', 'AWSStepFunctions.DescribeExecution')).toMatchObject({ status: 400, body: { __type: 'ValidationException' } });
    expect(await raw('a'.repeat(1_100_000), 'AWSStepFunctions.StartExecution')).toMatchObject({ status: 413, body: { __type: 'ValidationException' } });
    const big = JSON.stringify({ params: { who: 'x'.repeat(270_000) } });
    const tooBig = await errorOf(sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, input: big })));
    expect(tooBig.name).toBe('InvalidExecutionInput');
    expect(tooBig.message).toContain('over the limit of 262144 bytes');
    expect((await errorOf(sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, input: '{"params": ' })))).name).toBe('InvalidExecutionInput');
    // still serving
    const list = await sfn.send(new ListStateMachinesCommand({}));
    expect(list.stateMachines).toHaveLength(4);
  });
});

describe('the workflow client and the wf commands against wf serve', () => {
  const workflows = (): ReturnType<typeof loadWorkflows>['workflows'] => loadWorkflows({ conf: join(dir, 'conf') }).workflows;

  it('starts with checked params and waits with progress', async () => {
    const c = new WorkflowClient({ endpoint: server.url, workflows: workflows() });
    const started = await c.start('hello', { who: 'client' });
    expect(started.name).toMatch(/^hello-\d{8}T\d{6}-[0-9a-f]{8}$/);
    const progress: RunEvent[] = [];
    const report: RunReport = await c.wait(started.executionArn, { pollMs: 100, onProgress: (e) => progress.push(e) });
    expect(report.status).toBe('SUCCESS');
    expect(report.result?.jobs).toMatchObject({ greet: { status: 'SUCCESS' } });
    expect(report.jobs.greet).toMatchObject({ status: 'SUCCESS', stages: { greet: { name: 'Greet', status: 'SUCCESS' }, 'Say hi': { status: 'SUCCESS' } } });
    expect(progress.map((e) => `${e.type} ${e.job}${e.stage ? ` ${e.stage}` : ''}`)).toEqual([
      'job-start greet',
      'stage-start greet Say hi',
      'stage-end greet Say hi',
      'stage-start greet Greet',
      'stage-end greet Greet',
      'job-end greet',
    ]);
    const listed = await c.list('hello');
    expect(listed[0]!.name).toBe(started.name);
  });

  it('runs a normal release at most once: the second start of the minute is refused by name', async () => {
    const c = new WorkflowClient({ endpoint: server.url, workflows: workflows() });
    const release = { logical_date: '2024-01-02T09:00:00Z', type: 'normal' as const };
    const first = await c.start('nightly', {}, { release });
    expect(first).toMatchObject({ name: 'nightly-20240102T0900', executionArn: 'arn:aws:states:local:000000000000:execution:nightly:nightly-20240102T0900' });
    const second = await c.start('nightly', {}, { release });
    expect(second.alreadyReleased).toBe(true);
    expect((await c.wait(first.executionArn, { pollMs: 100 })).status).toBe('SUCCESS');
    const local = await openLocalStore({ dir: join(dir, '.wf') });
    try {
      const records = await new WorkflowClient({ endpoint: server.url, dynamodb: local.client, auditTable: 'wf-audit' }).audit('nightly');
      expect(records.map((r) => [r.runId, r.type, r.status])).toEqual([['nightly-20240102T0900', 'normal', 'SUCCESS']]);
    } finally {
      await local.close();
    }
  });

  it('reruns a run that failed because a job failed as a new execution that keeps the jobs that succeeded', async () => {
    rmSync(join(dir, 'flag'), { force: true });
    const c = new WorkflowClient({ endpoint: server.url, workflows: workflows() });
    const started = await c.start('flaky', { dir });
    const failed = await c.wait(started.executionArn, { pollMs: 100 });
    expect(failed.status).toBe('FAILED');
    expect(failed.jobs.second!.stages.flag).toMatchObject({ name: 'Needs the flag', status: 'FAILED' });
    writeFileSync(join(dir, 'flag'), '');
    const rerun = await c.rerun(started.executionArn);
    expect(rerun).toMatchObject({ mode: 'resume', kept: ['first'], workflow: 'flaky' });
    expect(rerun.executionArn).not.toBe(started.executionArn);
    const done = await c.wait(rerun.executionArn, { pollMs: 100 });
    expect([done.status, done.result?.release.type, done.result?.jobs.first]).toEqual(['SUCCESS', 'rerun', failed.result?.jobs.first]);
    expect(readFileSync(join(dir, 'first-runs'), 'utf8').split('\n')).toHaveLength(3);
    rmSync(join(dir, 'flag'));
  });

  it('wf start --wait, status, list, stop and redrive', async () => {
    const ok = await cli(['start', 'hello', '--conf', join(dir, 'conf'), '--endpoint', server.url, '-p', 'who=cli', '--wait', '--json']);
    expect(ok.code).toBe(0);
    const doc = JSON.parse(ok.stdout);
    expect([doc.status, doc.params.who]).toEqual(['SUCCESS', 'cli']);
    expect(ok.stderr).toContain('✓ greet › Greet');
    const arn = `arn:aws:states:local:000000000000:execution:hello:${doc.run.id}`;
    const status = await cli(['status', arn, '--conf', join(dir, 'conf'), '--endpoint', server.url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`${doc.run.id} (hello): SUCCESS`);
    expect(status.stdout).toMatch(/Greet\s+SUCCESS/);
    const byName = await cli(['status', doc.run.id, '--workflow', 'hello', '--endpoint', server.url, '--json']);
    expect(JSON.parse(byName.stdout).status).toBe('SUCCESS');
    const noArn = await cli(['status', doc.run.id, '--endpoint', server.url]);
    expect(noArn.code).toBe(2);
    const bad = await cli(['start', 'hello', '--conf', join(dir, 'conf'), '--endpoint', server.url, '-p', 'nope=1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('param "nope"');
    const list = await cli(['list', 'hello', '--conf', join(dir, 'conf'), '--endpoint', server.url]);
    expect(list.stdout).toContain(doc.run.id);

    const long = await cli(['start', 'slow', '--conf', join(dir, 'conf'), '--endpoint', server.url]);
    const longArn = long.stdout.trim();
    expect(longArn).toMatch(/^arn:aws:states:local:000000000000:execution:slow:slow-/);
    expect((await cli(['stop', longArn, '--endpoint', server.url])).stdout).toBe(`stopped ${longArn}\n`);
    const cancelled = await cli(['status', longArn, '--endpoint', server.url]);
    expect([cancelled.code, cancelled.stdout.split('\n')[0]]).toEqual([1, `${longArn.split(':').at(-1)} (slow): CANCEL [ABORTED]`]);

    rmSync(join(dir, 'flag'), { force: true });
    const failed = await cli(['start', 'flaky', '--conf', join(dir, 'conf'), '--endpoint', server.url, '-p', `dir=${dir}`, '--wait']);
    expect(failed.code).toBe(1);
    const failedArn = /started (\S+)/.exec(failed.stderr)![1]!;
    writeFileSync(join(dir, 'flag'), '');
    const redrive = await cli(['redrive', failedArn, '--conf', join(dir, 'conf'), '--endpoint', server.url, '--wait']);
    expect(redrive.code).toBe(0);
    expect(redrive.stderr).toContain('keeping first');
    expect(redrive.stdout).toContain(': SUCCESS');
    rmSync(join(dir, 'flag'));
    const gone = await cli(['status', 'arn:aws:states:local:000000000000:execution:hello:nope', '--endpoint', server.url]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('no such execution');
  });
});

describe('restart', () => {
  it('keeps the executions; one that was running when the server stopped is FAILED (redrivable)', async () => {
    const running = await sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}slow`, name: 'cut-short' }));
    await new Promise((r) => setTimeout(r, 500));
    expect(await stopServe(server.child)).toBe(0);
    server = await startServe();
    sfn = client(server.url);
    const first = await sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:local:000000000000:execution:hello:first-run' }));
    expect([first.status, JSON.parse(first.output!).run.id]).toEqual(['SUCCEEDED', 'first-run']);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: first.executionArn, maxResults: 1000 }));
    expect(history.events!.some((e) => e.stateEnteredEventDetails?.name === 'greet.Greet')).toBe(true);
    const cut = await sfn.send(new DescribeExecutionCommand({ executionArn: running.executionArn }));
    expect([cut.status, cut.error, cut.cause, cut.redriveStatus]).toEqual(['FAILED', 'States.Runtime', 'the local server stopped during the run', 'REDRIVABLE']);
    const dup = await errorOf(sfn.send(new StartExecutionCommand({ stateMachineArn: `${MACHINE}hello`, name: 'first-run' })));
    expect(dup.name).toBe('ExecutionAlreadyExists');
    const flaky = await sfn.send(new ListExecutionsCommand({ stateMachineArn: `${MACHINE}flaky` }));
    expect(flaky.executions!.find((e) => e.name === 'flaky-1')).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
  });
});
