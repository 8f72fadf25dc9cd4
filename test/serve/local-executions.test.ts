/**
 * The local endpoint in-process (`startServer({port: 0})`) with the real `@aws-sdk/client-sfn`:
 * concurrency, inputs that did not come through `parameterize`, release claims, pagination,
 * history details (Map iterations, retries, trigger children), timeouts, recovery of executions
 * left running, and what a restart forgets (secret values).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { loadWorkflowsFromText, type Workflow } from '../../lib/config/index.ts';
import { openLocalStore } from '../../lib/local/index.ts';
import { ExecutionTable, localExecutionArn, localStateMachineArn, SERVER_STOPPED, startServer, type RunningServer } from '../../lib/serve/index.ts';
import { WorkflowClient } from '../../lib/client/index.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MANY = 50;

function conf(dir: string): string {
  const many = Array.from(
    { length: MANY },
    (_, i) => `
w${i}:
  type: Workflow
  jobs:
    only:
      stages:
        - { name: Say, echo: "w${i}" }
        - { name: Work, id: work, bash: "echo ${i}" }
`,
  ).join('');
  return `
matrix:
  type: Workflow
  jobs:
    build:
      strategy:
        matrix:
          n: [1, 2, 3]
      stages:
        - { name: Build, id: build, bash: "echo \${{ matrix.n }}" }
retried:
  type: Workflow
  jobs:
    once:
      stages:
        - name: Fails once
          id: flaky
          retry: 1
          bash: 'test -f "${dir}/retried" || { touch "${dir}/retried"; exit 1; }'
parent:
  type: Workflow
  jobs:
    call:
      stages:
        - { name: Call child, id: call, trigger: child, params: { who: parent } }
child:
  type: Workflow
  params:
    who: str
  jobs:
    inner:
      stages:
        - { name: Inner work, id: inner, bash: "echo child" }
typed:
  type: Workflow
  params:
    n: int
  jobs:
    one:
      stages:
        - { name: Echo, echo: "\${{ params.n }}" }
scheduled:
  type: Workflow
  on:
    - cron: "0 9 * * *"
  jobs:
    one:
      stages:
        - { name: Mark, id: mark, bash: "echo x >> ${dir}/scheduled-runs" }
quick:
  type: Workflow
  timeout: 1
  jobs:
    one:
      stages:
        - { name: Too long, id: long, bash: "sleep 5" }
secretive:
  type: Workflow
  params:
    token: { type: str, secret: true }
  jobs:
    one:
      stages:
        - { name: Fail, id: fail, bash: "exit 3" }
fast:
  type: Workflow
  execution: express
  jobs:
    one:
      stages:
        - { name: Hi, echo: hi }
${many}`;
}

let dir: string;
let workflows: Map<string, Workflow>;
let server: RunningServer;
let sfn: SFNClient;

async function serve(): Promise<void> {
  server = await startServer({ workflows, port: 0, dir: join(dir, '.wf'), retryWaitMs: 0 });
  sfn = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

async function start(workflow: string, input: unknown = {}, name?: string): Promise<string> {
  const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: localStateMachineArn(workflow), input: JSON.stringify(input), ...(name ? { name } : {}) }));
  return out.executionArn!;
}

async function settled(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  for (let i = 0; i < 400; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${executionArn} did not end`);
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 7, nextToken }));
    events.push(...page.events!);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wf-serve-inproc-'));
  mkdirSync(join(dir, 'conf'));
  const loaded = loadWorkflowsFromText({ 'conf/wf.yml': conf(dir) });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  workflows = loaded.workflows;
  await serve();
});

afterAll(async () => {
  await server?.close();
  stopAuditServer(join(dir, '.wf'));
  rmSync(dir, { recursive: true, force: true });
});

describe('concurrency', () => {
  it(`runs ${MANY} executions of different workflows started at once to their end`, async () => {
    const arns = await Promise.all(Array.from({ length: MANY }, (_, i) => start(`w${i}`)));
    const done = await Promise.all(arns.map(settled));
    expect(done.map((d) => d.status)).toEqual(Array(MANY).fill('SUCCEEDED'));
    expect(done.map((d) => JSON.parse(d.output!).jobs.only.stages.work.outputs.stdout)).toEqual(Array.from({ length: MANY }, (_, i) => String(i)));
  });
});

describe('inputs', () => {
  it('checks raw params as the prepare step does: wrong ones fail the execution with ParamError', async () => {
    const arn = await start('typed', { params: { n: 'lots' } });
    const d = await settled(arn);
    expect([d.status, d.error]).toEqual(['FAILED', 'ParamError']);
    expect(JSON.parse(d.cause!)).toEqual({ errorType: 'ParamError', errorMessage: 'workflow "typed" was not run: param "n": expected int, got "lots"' });
    expect((await history(arn)).map((e) => e.type)).toEqual(['ExecutionStarted', 'ExecutionFailed']);
    const ok = await settled(await start('typed', { params: { n: '3' } }));
    expect(JSON.parse(ok.output!).params).toEqual({ n: 3 });
  });

  it('claims a scheduled release (lock: true): a second execution of the minute is SKIP', async () => {
    const input = { params: {}, release: { logical_date: '2024-03-01T09:00:00Z', type: 'normal' }, lock: true };
    const first = await settled(await start('scheduled', input, 'sched-a'));
    const second = await settled(await start('scheduled', input, 'sched-b'));
    expect([first.status, JSON.parse(first.output!).status]).toEqual(['SUCCEEDED', 'SUCCESS']);
    const skipped = JSON.parse(second.output!);
    expect([second.status, skipped.status, skipped.errors[0].name]).toEqual(['SUCCEEDED', 'SKIP', 'AlreadyReleased']);
    expect(readFileSync(join(dir, 'scheduled-runs'), 'utf8')).toBe('x\n');
    expect((await new WorkflowClient({ endpoint: server.url }).status(localExecutionArn('scheduled', 'sched-b'))).status).toBe('SKIP');
  });
});

describe('history', () => {
  it('has Map iterations with their index', async () => {
    const arn = await start('matrix');
    await settled(arn);
    const events = await history(arn);
    const iterations = events.filter((e) => e.type === 'MapIterationStarted').map((e) => e.mapIterationStartedEventDetails!.index);
    expect(iterations.sort()).toEqual([0, 1, 2]);
    expect(events.filter((e) => e.type === 'MapIterationSucceeded')).toHaveLength(3);
    expect(events.filter((e) => e.stateEnteredEventDetails?.name === 'build.strategy.Build')).toHaveLength(3);
  });

  it('shows a retried task as TaskFailed then TaskScheduled, and the stage as SUCCESS', async () => {
    const arn = await start('retried');
    expect((await settled(arn)).status).toBe('SUCCEEDED');
    const events = await history(arn);
    const tasks = events.filter((e) => e.type!.startsWith('Task'));
    expect(tasks.map((e) => e.type)).toEqual(['TaskStateEntered', 'TaskScheduled', 'TaskFailed', 'TaskScheduled', 'TaskSucceeded', 'TaskStateExited']);
    expect(tasks.slice(1).map((e) => e.previousEventId)).toEqual(tasks.slice(0, -1).map((e) => e.id));
    const report = await new WorkflowClient({ endpoint: server.url, workflows }).status(arn);
    expect(report.jobs.once!.stages.flaky).toMatchObject({ name: 'Fails once', status: 'SUCCESS' });
    const byNames = await new WorkflowClient({ endpoint: server.url }).status(arn);
    expect(byNames.jobs.once!.stages['Fails once']!.status).toBe('SUCCESS');
  });

  it("leaves a trigger stage's child run out of the parent's history", async () => {
    const arn = await start('parent');
    const d = await settled(arn);
    expect(JSON.parse(d.output!).jobs.call.stages.call.outputs.status).toBe('SUCCESS');
    const names = (await history(arn)).flatMap((e) => [e.stateEnteredEventDetails?.name, e.stateExitedEventDetails?.name]).filter(Boolean);
    expect(names).toContain('call.Call child');
    expect(names.some((n) => n!.startsWith('inner.'))).toBe(false);
  });
});

describe('ends', () => {
  it('a run over its timeout is TIMED_OUT (FAILED for the client)', async () => {
    const arn = await start('quick');
    const d = await settled(arn);
    expect([d.status, d.error]).toEqual(['TIMED_OUT', 'States.Timeout']);
    expect((await history(arn)).at(-1)!.type).toBe('ExecutionTimedOut');
    const report = await new WorkflowClient({ endpoint: server.url }).status(arn);
    expect([report.status, report.error?.name]).toEqual(['FAILED', 'States.Timeout']);
  });

  it('only a FAILED execution can be redriven', async () => {
    const ok = await start('w0');
    await settled(ok);
    const e = await sfn.send(new RedriveExecutionCommand({ executionArn: ok })).catch((err: Error) => err);
    expect([(e as Error).name, (e as Error).message]).toEqual(['ExecutionNotRedrivable', 'Execution is SUCCEEDED and cannot be redriven; the local server redrives FAILED executions only']);
  });
});

describe('listing', () => {
  it('pages executions with nextToken, newest first, and reports the express type', async () => {
    const names = ['p1', 'p2', 'p3'];
    for (const n of names) await settled(await start('typed', { params: { n: 1 } }, n));
    const first = await sfn.send(new ListExecutionsCommand({ stateMachineArn: localStateMachineArn('typed'), maxResults: 2 }));
    const second = await sfn.send(new ListExecutionsCommand({ stateMachineArn: localStateMachineArn('typed'), maxResults: 2, nextToken: first.nextToken }));
    const seen = [...first.executions!, ...second.executions!].map((e) => e.name);
    expect(seen.slice(0, 3)).toEqual(['p3', 'p2', 'p1']);
    const bad = await sfn.send(new ListExecutionsCommand({ stateMachineArn: localStateMachineArn('typed'), nextToken: 'garbage' })).catch((e: Error) => e);
    expect((bad as Error).name).toBe('InvalidToken');
    const machines = await sfn.send(new ListStateMachinesCommand({ maxResults: 1000 }));
    expect(machines.stateMachines!.find((m) => m.name === 'fast')!.type).toBe('EXPRESS');
  });
});

describe('restart', () => {
  it('marks an execution left RUNNING by a dead server FAILED; secrets are not kept across restarts', async () => {
    const secret = await start('secretive', { params: { token: 'swordfish' } }, 'with-secret');
    const failed = await settled(secret);
    expect([failed.status, failed.redriveStatus, JSON.parse(failed.input!).params.token]).toEqual(['FAILED', 'REDRIVABLE', '***']);
    await server.close();
    // a record as a server that died mid-run leaves it
    const local = await openLocalStore({ dir: join(dir, '.wf') });
    const orphan = localExecutionArn('w1', 'orphan');
    await new ExecutionTable(local.client).put(
      { executionArn: orphan, stateMachineArn: localStateMachineArn('w1'), name: 'orphan', workflow: 'w1', status: 'RUNNING', input: '{}', startDate: Date.now(), redriveCount: 0, history: [] },
      { create: true },
    );
    await local.close();
    await serve();
    expect(server.recovered).toBe(1);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: orphan }));
    expect([d.status, d.error, d.cause]).toEqual(['FAILED', 'States.Runtime', SERVER_STOPPED]);
    expect((await history(orphan)).map((e) => e.type)).toEqual(['ExecutionFailed']);
    const redrive = await settled((await sfn.send(new RedriveExecutionCommand({ executionArn: orphan })), orphan));
    expect([redrive.status, redrive.redriveCount]).toEqual(['SUCCEEDED', 1]);
    const s = await sfn.send(new DescribeExecutionCommand({ executionArn: secret }));
    expect([s.redriveStatus, s.redriveStatusReason]).toEqual(['NOT_REDRIVABLE', "the execution's secret params (token) are not kept across server restarts; start a new execution with them"]);
  });
});
