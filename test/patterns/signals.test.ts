/**
 * Approvals and signals: a run with a wait stage waits until `wf signal` (a real process) answers
 * it; an approval's data becomes the stage's outputs, a rejection fails the stage; a signal sent
 * before the stage is reached is kept; the timeout fails the stage; a signal is sent once. On AWS
 * the same answer goes through task tokens: the client and the stage runner are tested with
 * mocked AWS clients.
 */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowClient } from '../../lib/client/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { awsCoordination } from '../../lib/runtime/index.ts';
import { PatternDir, until } from './helpers.ts';

const CONF = `
approve:
  type: Workflow
  jobs:
    deploy:
      stages:
        - name: Approval
          id: approval
          wait: {signal: approve, timeout: 60}
        - name: Ship
          id: ship
          bash: echo "shipping $VERSION"
          env: {VERSION: "\${{ stages.approval.outputs.version }}"}
      outputs:
        version: \${{ stages.approval.outputs.version }}
later:
  type: Workflow
  jobs:
    a:
      stages:
        - {name: Nap, sleep: 8}
        - {name: Wait, id: w, wait: go}
quick:
  type: Workflow
  jobs:
    a:
      stages:
        - {name: Wait briefly, id: w, wait: {signal: go, timeout: 1}}
`;

let dir: PatternDir;

beforeAll(() => {
  dir = new PatternDir('signals', CONF);
});

afterAll(async () => {
  await dir.close();
});

/** The id of the one run of `workflow` that is still running (from the audit store). */
async function runningRun(workflow: string, except: ReadonlySet<string> = new Set()): Promise<string> {
  const local = await dir.open();
  let id: string | undefined;
  await until(`a running run of ${workflow}`, async () => {
    id = (await local.store.list(workflow, { withContext: false })).find((r) => r.status === 'WAIT' && !except.has(r.runId))?.runId;
    return id !== undefined;
  });
  return id!;
}

describe('wf signal against local runs', () => {
  it('a run waits for its approval, and finishes with the signal data in its outputs', async () => {
    const run = dir.wfStart(['run', 'approve', '--json', '--progress']);
    const id = await runningRun('approve');
    await new Promise((r) => setTimeout(r, 1000));
    const sent = dir.wfSync(['signal', id, 'approve', '--data', '{"version": "1.2.3"}', '--by', 'alice']);
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toBe(`sent signal "approve" to run ${id}\n`);
    expect(sent.code).toBe(0);
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toContain(`waiting for signal "approve" (wf signal ${id} approve)`);
    const doc = JSON.parse(done.stdout) as { status: string; jobs: { deploy: { stages: Record<string, { status: string; outputs: Record<string, unknown> }>; outputs: Record<string, unknown> } } };
    expect(doc.status).toBe('SUCCESS');
    expect(doc.jobs.deploy.stages.approval).toEqual({ status: 'SUCCESS', outputs: { version: '1.2.3' } });
    expect(doc.jobs.deploy.stages.ship!.outputs.stdout).toBe('shipping 1.2.3');
    expect(doc.jobs.deploy.outputs).toEqual({ version: '1.2.3' });
    // Sent once: the run has ended, and the signal was taken.
    const again = dir.wfSync(['signal', id, 'approve']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`run ${id} of "approve" already ended (SUCCESS)`);
  }, 60_000);

  it('a rejected run fails at the wait stage with the reason', async () => {
    const local = await dir.open();
    const before = new Set((await local.store.list('approve', { withContext: false })).map((r) => r.runId));
    const run = dir.wfStart(['run', 'approve', '--json']);
    const id = await runningRun('approve', before);
    const sent = dir.wfSync(['signal', id, 'approve', '--reject', '--reason', 'not on a Friday', '--by', 'bob', '--json']);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ runId: id, signal: 'approve', status: 'REJECTED', delivered: 0 });
    const done = await run.done;
    expect(done.code).toBe(1);
    const doc = JSON.parse(done.stdout) as { status: string; jobs: { deploy: { status: string; stages: Record<string, unknown> } } };
    expect(doc.status).toBe('FAILED');
    expect(doc.jobs.deploy.stages.approval).toEqual({ status: 'FAILED', outputs: {}, errors: { name: 'SignalRejected', message: 'signal "approve" was rejected by bob: not on a Friday' } });
    expect(doc.jobs.deploy.stages).not.toHaveProperty('ship');
  }, 60_000);

  it('a signal sent before the stage is reached is kept; a second one is refused', async () => {
    const local = await dir.open();
    const before = new Set((await local.store.list('later', { withContext: false })).map((r) => r.runId));
    const run = dir.wfStart(['run', 'later', '--json']);
    const id = await runningRun('later', before);
    const first = dir.wfSync(['signal', id, 'go', '--data', '{"n": 1}']);
    expect(first.stdout).toBe(`sent signal "go" to run ${id} (no stage waits for it yet: it is kept for the one that does)\n`);
    const second = dir.wfSync(['signal', id, 'go', '--data', '{"n": 2}']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`signal "go" of run ${id} was already sent; a signal is sent once`);
    const doc = JSON.parse((await run.done).stdout) as { status: string; jobs: { a: { stages: { w: unknown } } } };
    expect(doc.status).toBe('SUCCESS');
    expect(doc.jobs.a.stages.w).toEqual({ status: 'SUCCESS', outputs: { n: 1 } });
  }, 60_000);

  it('rejects data that is not a JSON object, an unknown run, and --reason without --reject', () => {
    expect(dir.wfSync(['signal', 'x', 'approve', '--data', '[1]'])).toMatchObject({ code: 2 });
    expect(dir.wfSync(['signal', 'x', 'approve', '--reason', 'why'])).toMatchObject({ code: 2 });
    const unknown = dir.wfSync(['signal', 'no-such-run', 'approve']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no run "no-such-run" in the local audit store');
  });
});

describe('wait stages in-process', () => {
  it('a signal sent before the run reaches the stage is kept and delivered when it does', async () => {
    const local = await dir.open();
    const client = new WorkflowClient({ dynamodb: local.client, auditTable: local.store.table, region: 'us-east-1' });
    const sent = await client.signal({ runId: 'early-run' }, 'approve', { data: { version: 'early' } });
    expect(sent).toEqual({ runId: 'early-run', signal: 'approve', status: 'SUCCESS', delivered: 0, early: true });
    const workflows = dir.workflows();
    const doc = await runLocal(workflows.get('approve')!, { workflows, runId: 'early-run', store: { client: local.client, table: local.store.table } });
    expect(doc.status).toBe('SUCCESS');
    expect(doc.jobs.deploy).toMatchObject({ outputs: { version: 'early' } });
  }, 60_000);

  it('no signal within the timeout fails the stage with a message', async () => {
    const local = await dir.open();
    const workflows = dir.workflows();
    const t0 = Date.now();
    const doc = await runLocal(workflows.get('quick')!, { workflows, store: { client: local.client, table: local.store.table } });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(doc.status).toBe('FAILED');
    expect(doc.jobs.a).toMatchObject({ stages: { w: { status: 'FAILED', errors: { name: 'SignalTimeout', message: 'wait stage "Wait briefly": no signal "go" within 1 s' } } } });
  }, 60_000);

  it('a cancelled run stops waiting', async () => {
    const local = await dir.open();
    const workflows = dir.workflows();
    const controller = new AbortController();
    const pending = runLocal(workflows.get('approve')!, { workflows, signal: controller.signal, store: { client: local.client, table: local.store.table } });
    setTimeout(() => controller.abort(), 500);
    expect((await pending).status).toBe('CANCEL');
  }, 60_000);
});

describe('on AWS (mocked clients)', () => {
  // Mocks of every client of the two kinds, installed for these tests only.
  const mocks = () => ({ sfn: mockClient(SFNClient), ddb: mockClient(DynamoDBClient) });
  let installed: ReturnType<typeof mocks> | undefined;
  const install = (): ReturnType<typeof mocks> => (installed = mocks());
  afterEach(() => {
    installed?.sfn.restore();
    installed?.ddb.restore();
  });

  it('the client records the answer, then answers every waiting task token', async () => {
    const { sfn, ddb } = install();
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:app-approve:run-1';
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', name: 'run-1', input: JSON.stringify({ run: { id: 'run-1', workflow: 'approve' } }) });
    ddb.on(UpdateItemCommand).resolves({
      Attributes: { workflow: { S: 'signal#run-1' }, release: { S: 'signal#approve' }, status: { S: 'SUCCESS' }, data: { S: '{"version":"9"}' }, tokens: { SS: ['t1', 't2'] }, waiting_since: { S: '2024-01-01T00:00:00Z' } },
    });
    const client = new WorkflowClient({ sfn: new SFNClient({ region: 'us-east-1' }), dynamodb: new DynamoDBClient({ region: 'us-east-1' }), auditTable: 'audit', region: 'us-east-1' });
    const result = await client.signal(arn, 'approve', { data: { version: '9' } });
    expect(result).toEqual({ runId: 'run-1', signal: 'approve', status: 'SUCCESS', delivered: 2, early: false });
    const update = ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input;
    expect(update).toMatchObject({ TableName: 'audit', Key: { workflow: { S: 'signal#run-1' }, release: { S: 'signal#approve' } }, ConditionExpression: 'attribute_not_exists(#st) OR #st = :wait' });
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input)).toEqual([
      { taskToken: 't1', output: '{"outputs":{"version":"9"}}' },
      { taskToken: 't2', output: '{"outputs":{"version":"9"}}' },
    ]);
  });

  it('the stage runner stores its token, and answers at once when the signal came first', async () => {
    const { sfn, ddb } = install();
    ddb.on(UpdateItemCommand).resolves({ Attributes: { workflow: { S: 'signal#run-2' }, release: { S: 'signal#approve' }, status: { S: 'REJECTED' }, reason: { S: 'no' }, tokens: { SS: ['tok'] } } });
    const coordination = await awsCoordination({ dynamodb: new DynamoDBClient({ region: 'us-east-1' }), sfn: new SFNClient({ region: 'us-east-1' }) });
    const out = await coordination.signalWait({ action: 'signal-wait', token: 'tok', run: 'run-2', workflow: 'approve', signal: 'approve', stage: 'Approval', execution: 'arn:x', table: 'audit', timeout: 60 });
    expect(out).toEqual({ waiting: false });
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toMatchObject({ UpdateExpression: expect.stringContaining('ADD #tokens :token'), ExpressionAttributeValues: expect.objectContaining({ ':token': { SS: ['tok'] } }) });
    expect(sfn.commandCalls(SendTaskFailureCommand).map((c) => c.args[0].input)).toEqual([{ taskToken: 'tok', error: 'SignalRejected', cause: 'signal "approve" was rejected: no' }]);
    ddb.on(UpdateItemCommand).resolves({ Attributes: { workflow: { S: 'signal#run-3' }, release: { S: 'signal#approve' }, status: { S: 'WAIT' }, tokens: { SS: ['tok3'] } } });
    expect(await coordination.signalWait({ action: 'signal-wait', token: 'tok3', run: 'run-3', workflow: 'approve', signal: 'approve', stage: 'Approval', execution: 'arn:x', table: 'audit', timeout: 60 })).toEqual({ waiting: true });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });
});
