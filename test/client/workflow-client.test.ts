/**
 * The workflow client's AWS-only behaviour, with `aws-sdk-client-mock` standing in for Step
 * Functions and CloudFormation: which commands are sent, with exactly which inputs, for ARN
 * lookup, releases, reruns (redrive or resume) and errors; params are checked before any call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionLimitExceeded,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { ParamError } from '../../lib/config/index.ts';
import { ParamsRejectedError, WorkflowClient, WorkflowClientError, releaseExecutionName, uniqueExecutionName } from '../../lib/client/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { workflows } = loadWorkflowsFromText({
  'conf/wf.yml': `
nightly:
  type: Workflow
  on:
    - cron: "0 9 * * *"
  params:
    size: { type: int, default: 1 }
    token: { type: str, secret: true }
  jobs:
    a:
      stages:
        - { name: Build, id: build, bash: "echo a" }
    b:
      needs: [a]
      stages:
        - { name: Ship, id: ship, bash: "echo b" }
`,
});

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly-Abc123';
const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:nightly-Abc123:nightly-20240102T0900';
const meta = { $metadata: {} };

const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);

const ssm = mockClient(SSMClient);
ssm.on(PutParameterCommand).resolves({ Version: 1 });

function newClient(extra: Partial<ConstructorParameters<typeof WorkflowClient>[0]> = {}): WorkflowClient {
  return new WorkflowClient({ region: 'eu-west-1', sfn: new SFNClient({ region: 'eu-west-1' }), cloudformation: new CloudFormationClient({ region: 'eu-west-1' }), ssm: new SSMClient({ region: 'eu-west-1' }), secretsPrefix: '/app/secrets', workflows, ...extra });
}

/** The reference a start sends for a secret param (the value goes to Parameter Store). */
function secretRef(runId: string, param = 'token'): Record<string, string> {
  return { '$wf:secret': `/app/secrets/${runId}/${param}` };
}

function sentInput(i = 0): Record<string, unknown> {
  return JSON.parse(sfn.commandCalls(StartExecutionCommand)[i]!.args[0].input.input!) as Record<string, unknown>;
}

const failedDoc = {
  status: 'FAILED',
  run: { id: 'nightly-20240102T0900', workflow: 'nightly' },
  params: { size: 2, token: '***' },
  release: { logical_date: '2024-01-02T09:00:00Z', type: 'normal' },
  jobs: { a: { status: 'SUCCESS', stages: { build: { status: 'SUCCESS', outputs: { stdout: 'a' } } } }, b: { status: 'FAILED', stages: { ship: { status: 'FAILED' } } } },
  errors: [],
};

const failedWorkflow = {
  executionArn: EXEC,
  stateMachineArn: MACHINE,
  name: 'nightly-20240102T0900',
  status: 'FAILED' as const,
  startDate: new Date(0),
  input: JSON.stringify({ prepared: true, params: { size: 2, token: 'swordfish' }, release: failedDoc.release, run: failedDoc.run, jobs: {}, lock: 'lock#2024-01-02T09:00' }),
  error: 'WorkflowFailed',
  cause: JSON.stringify(failedDoc),
  redriveStatus: 'REDRIVABLE' as const,
};

/** The error a call fails with; fails the test when it succeeds or throws anything else. */
async function failure(p: Promise<unknown>): Promise<WorkflowClientError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof WorkflowClientError)) throw new Error(`expected a WorkflowClientError, got ${String(e)}`);
  return e;
}

beforeEach(() => {
  sfn.reset();
  cfn.reset();
});

afterEach(() => {
  sfn.reset();
  cfn.reset();
});

describe('state machine ARNs', () => {
  it('come from the stack output WorkflowStateMachines, read once', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'wf-prod',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'AuditTableName', OutputValue: 'wf-audit-prod' },
            { OutputKey: 'AppWorkflowStateMachines1A2B3C4D', OutputValue: JSON.stringify({ nightly: MACHINE }) },
          ],
        },
      ],
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${MACHINE.replace('stateMachine', 'execution')}:x`, startDate: new Date(0) });
    const c = newClient({ stack: 'wf-prod' });
    await c.start('nightly', { token: 't' });
    await c.start('nightly', { token: 't' });
    expect(cfn.commandCalls(DescribeStacksCommand).map((call) => call.args[0].input)).toEqual([{ StackName: 'wf-prod' }]);
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.stateMachineArn)).toEqual([MACHINE, MACHINE]);
    expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
  });

  it('a stack without the workflow, or without the output, is a clear error and nothing is started', async () => {
    const stack = (Outputs: Array<{ OutputKey: string; OutputValue: string }>) => ({ Stacks: [{ StackName: 's', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE' as const, Outputs }] });
    cfn.on(DescribeStacksCommand).resolvesOnce(stack([{ OutputKey: 'WorkflowStateMachines', OutputValue: '{"other":"arn:x"}' }])).resolvesOnce(stack([]));
    await expect(newClient({ stack: 's' }).start('nightly', { token: 't' })).rejects.toThrow('stack "s" has no state machine for workflow "nightly"; it has "other"');
    await expect(newClient({ stack: 's' }).start('nightly', { token: 't' })).rejects.toThrow('stack "s" has no WorkflowStateMachines output');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('explicit ARNs win; without any, a machine named like the workflow is looked up', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:e', startDate: new Date(0) });
    await newClient({ stateMachines: { nightly: 'arn:explicit' } }).start('nightly', { token: 't' });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toBe('arn:explicit');
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [{ name: 'nightly', stateMachineArn: 'arn:listed', type: 'STANDARD', creationDate: new Date(0) }] });
    await newClient().start('nightly', { token: 't' });
    expect(sfn.commandCalls(StartExecutionCommand)[1]!.args[0].input.stateMachineArn).toBe('arn:listed');
  });
});

describe('start', () => {
  it('checks params before any call: every problem at once, nothing sent', async () => {
    const err = await newClient({ stateMachines: { nightly: MACHINE } })
      .start('nightly', { size: 'big', typo: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParamsRejectedError);
    const errors = (err as ParamsRejectedError).errors;
    expect(errors.every((e) => e instanceof ParamError)).toBe(true);
    expect(errors.map((e) => e.param).sort()).toEqual(['size', 'token', 'typo']);
    expect(sfn.calls()).toHaveLength(0);
    expect(cfn.calls()).toHaveLength(0);
  });

  it('a normal release gets a deterministic name and a lock; a duplicate is reported as already released', async () => {
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: EXEC, startDate: new Date('2024-01-02T09:00:01Z') }).rejects(new ExecutionAlreadyExists({ message: `Execution Already Exists: '${EXEC}'`, ...meta }));
    // A start that stores secrets first asks whether its execution exists (its name is the run id the secrets are stored under).
    sfn.on(DescribeExecutionCommand).rejectsOnce(new ExecutionDoesNotExist({ message: 'none', ...meta })).resolves({ ...failedWorkflow, status: 'RUNNING' });
    const c = newClient({ stateMachines: { nightly: MACHINE } });
    const release = { logical_date: '2024-01-02T09:00:00Z', type: 'normal' as const };
    const first = await c.start('nightly', { size: '2', token: 'swordfish' }, { release });
    expect(first).toEqual({ executionArn: EXEC, name: 'nightly-20240102T0900', workflow: 'nightly', startDate: new Date('2024-01-02T09:00:01Z') });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toMatchObject({ stateMachineArn: MACHINE, name: 'nightly-20240102T0900' });
    expect(sentInput()).toEqual({
      prepared: true,
      params: { size: 2, token: secretRef('nightly-20240102T0900') },
      release: { logical_date: '2024-01-02T09:00:00Z', type: 'normal' },
      run: { id: 'nightly-20240102T0900', workflow: 'nightly' },
      jobs: {},
      lock: 'lock#2024-01-02T09:00',
    });
    const second = await c.start('nightly', { token: 'swordfish' }, { release: { logical_date: '2024-01-02T09:00:30Z' } });
    expect(second).toEqual({ executionArn: EXEC, name: 'nightly-20240102T0900', workflow: 'nightly', alreadyReleased: true });
  });

  it('other starts get unique names without param values; force releases claim nothing', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:e', startDate: new Date(0) });
    const c = newClient({ stateMachines: { nightly: MACHINE } });
    const a = await c.start('nightly', { token: 'swordfish' });
    const b = await c.start('nightly', { token: 'swordfish' }, { release: { logical_date: '2024-01-02T09:00:00Z', type: 'force' } });
    expect(a.name).toMatch(/^nightly-\d{8}T\d{6}-[0-9a-f]{8}$/);
    expect(b.name).not.toBe(a.name);
    expect(JSON.stringify(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name))).not.toContain('swordfish');
    expect(sentInput(1)).toMatchObject({ release: { logical_date: '2024-01-02T09:00:00Z', type: 'force' } });
    expect(sentInput(1)).not.toHaveProperty('lock');
  });

  it('a duplicate name of a plain start and AWS limits become clear errors', async () => {
    sfn.on(StartExecutionCommand).rejectsOnce(new ExecutionAlreadyExists({ message: 'Execution Already Exists', ...meta })).rejectsOnce(new ExecutionLimitExceeded({ message: 'limit', ...meta }));
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', ...meta }));
    const c = newClient({ stateMachines: { nightly: MACHINE } });
    const dup = await failure(c.start('nightly', { token: 't' }, { name: 'mine' }));
    expect([dup.code, dup.message]).toEqual(['ExecutionAlreadyExists', 'starting workflow "nightly": an execution with this name exists already (Execution Already Exists); give another name']);
    const limit = await failure(c.start('nightly', { token: 't' }));
    expect(limit.message).toContain("the account's limit of open executions is reached");
  });
});

describe('execution names', () => {
  it('fit in 80 characters and hold only the workflow and dates', () => {
    const long = 'w'.repeat(100);
    expect(releaseExecutionName('nightly', new Date('2024-01-02T09:00:59Z'))).toBe('nightly-20240102T0900');
    expect(releaseExecutionName(long, new Date('2024-01-02T09:00:00Z'))).toHaveLength(80);
    expect(releaseExecutionName(long, new Date('2024-01-02T09:00:00Z'))).toBe(releaseExecutionName(long, new Date('2024-01-02T09:00:30Z')));
    expect(uniqueExecutionName(long)).toHaveLength(80);
  });
});

describe('rerun', () => {

  it('a run that failed because jobs failed: a new execution resumes from the result document', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', ...meta }));
    sfn.on(DescribeExecutionCommand, { executionArn: EXEC }).resolves(failedWorkflow);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:new', startDate: new Date(0) });
    const out = await newClient().rerun(EXEC, { params: { token: 'swordfish' }, name: 'nightly-rerun-1' });
    expect(out).toEqual({ mode: 'resume', executionArn: 'arn:new', name: 'nightly-rerun-1', workflow: 'nightly', kept: ['a'] });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => ({ ...c.args[0].input, input: JSON.parse(c.args[0].input.input!) }))).toEqual([
      {
        stateMachineArn: MACHINE,
        name: 'nightly-rerun-1',
        input: {
          prepared: true,
          params: { size: 2, token: secretRef('nightly-rerun-1') },
          release: { logical_date: '2024-01-02T09:00:00Z', type: 'rerun' },
          run: { id: 'nightly-rerun-1', workflow: 'nightly', parent: 'nightly-20240102T0900' },
          jobs: { a: failedDoc.jobs.a },
        },
      },
    ]);
  });

  it('secret params are not recorded: without them the rerun is refused before any start', async () => {
    sfn.on(DescribeExecutionCommand).resolves(failedWorkflow);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const err = await failure(newClient().rerun(EXEC));
    expect([err.code, err.message]).toEqual(['SecretParamsMissing', `${EXEC} had secret params, which are not recorded; give them again: token=...`]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('a run that failed for another reason and is redrivable is redriven by Step Functions', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ ...failedWorkflow, error: 'States.Runtime', cause: 'An error occurred while executing the state' });
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date(5000) });
    const out = await newClient().rerun(EXEC);
    expect(out).toEqual({ mode: 'redrive', executionArn: EXEC, name: 'nightly-20240102T0900', workflow: 'nightly', kept: [], redriveDate: new Date(5000) });
    expect(sfn.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toEqual([
      ['DescribeExecutionCommand', { executionArn: EXEC }],
      ['RedriveExecutionCommand', { executionArn: EXEC }],
    ]);
  });

  it('Step Functions refusing the redrive is a clear error', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ ...failedWorkflow, status: 'TIMED_OUT', error: 'States.Timeout', cause: undefined });
    sfn.on(RedriveExecutionCommand).rejects(new ExecutionNotRedrivable({ message: 'Execution was closed more than 14 days ago', ...meta }));
    const err = await failure(newClient().rerun(EXEC));
    expect(err).toBeInstanceOf(WorkflowClientError);
    expect([err.code, err.message]).toEqual(['ExecutionNotRedrivable', `redriving ${EXEC}: Step Functions cannot redrive this execution: Execution was closed more than 14 days ago`]);
  });

  it('a failed run Step Functions cannot redrive resumes from the jobs its history recorded', async () => {
    const jobsAfterA = { a: { status: 'SUCCESS', stages: { build: { status: 'SUCCESS' } } } };
    sfn.on(DescribeExecutionCommand).resolves({ ...failedWorkflow, status: 'ABORTED', error: 'Cancelled', cause: 'stopped', redriveStatus: 'NOT_REDRIVABLE' });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 3, previousEventId: 2, timestamp: new Date(3000), type: 'PassStateExited', stateExitedEventDetails: { name: 'a.succeeded', output: JSON.stringify({ jobs: jobsAfterA }) } },
        { id: 2, previousEventId: 1, timestamp: new Date(2000), type: 'PassStateEntered', stateEnteredEventDetails: { name: 'a.start', input: '{}' } },
        { id: 1, previousEventId: 0, timestamp: new Date(1000), type: 'ExecutionStarted', executionStartedEventDetails: { input: '{}' } },
      ],
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:new', startDate: new Date(0) });
    const out = await newClient().rerun(EXEC, { params: { token: 'swordfish' } });
    expect([out.mode, out.kept]).toEqual(['resume', ['a']]);
    const sent = sentInput() as { run: { id: string } };
    expect(sent).toMatchObject({ params: { size: 2, token: secretRef(sent.run.id) }, jobs: jobsAfterA, release: { type: 'rerun' } });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]!.args[0].input).toMatchObject({ executionArn: EXEC, reverseOrder: true });
  });

  it('a running execution is not rerun', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ ...failedWorkflow, status: 'RUNNING', error: undefined, cause: undefined });
    await expect(newClient().rerun(EXEC)).rejects.toThrow('is still running');
    expect(sfn.calls()).toHaveLength(1);
  });
});

describe('status, stop and list', () => {
  it('maps execution statuses to run statuses, with the result document', async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const c = newClient();
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ executionArn: EXEC, stateMachineArn: MACHINE, status: 'SUCCEEDED', startDate: new Date(0), output: JSON.stringify({ ...failedDoc, status: 'SKIP', errors: [] }) })
      .resolvesOnce({ ...failedWorkflow })
      .resolvesOnce({ ...failedWorkflow, status: 'ABORTED', error: undefined, cause: undefined })
      .resolvesOnce({ ...failedWorkflow, status: 'RUNNING', error: undefined, cause: undefined });
    expect((await c.status(EXEC)).status).toBe('SKIP');
    const failed = await c.status(EXEC);
    expect([failed.status, failed.result?.jobs]).toEqual(['FAILED', failedDoc.jobs]);
    expect(failed.jobs.b!.stages.ship!.status).toBe('FAILED');
    const aborted = await c.status(EXEC);
    expect([aborted.status, aborted.result?.status, aborted.result?.params]).toEqual(['CANCEL', 'CANCEL', { size: 2, token: '***' }]);
    expect((await c.status(EXEC)).status).toBe('WAIT');
  });

  it('reads job and stage progress from AWS histories by state names when the workflow is not loaded', async () => {
    const t = (s: number): Date => new Date(s * 1000);
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXEC, stateMachineArn: MACHINE, status: 'RUNNING', startDate: t(0), input: '{"run":{"id":"x","workflow":"nightly"}}' });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, previousEventId: 0, timestamp: t(1), type: 'ExecutionStarted', executionStartedEventDetails: {} },
        { id: 2, previousEventId: 1, timestamp: t(2), type: 'PassStateEntered', stateEnteredEventDetails: { name: 'a.start' } },
        { id: 3, previousEventId: 2, timestamp: t(3), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'a.Build' } },
        { id: 4, previousEventId: 3, timestamp: t(3), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}' } },
        { id: 5, previousEventId: 4, timestamp: t(4), type: 'TaskStarted', taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } },
        { id: 6, previousEventId: 5, timestamp: t(5), type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'Lambda.ServiceException' } },
        { id: 7, previousEventId: 6, timestamp: t(6), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}' } },
        { id: 8, previousEventId: 7, timestamp: t(7), type: 'TaskSucceeded', taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke' } },
        { id: 9, previousEventId: 8, timestamp: t(8), type: 'TaskStateExited', stateExitedEventDetails: { name: 'a.Build' } },
        { id: 10, previousEventId: 9, timestamp: t(9), type: 'PassStateEntered', stateEnteredEventDetails: { name: 'a.succeeded' } },
        { id: 11, previousEventId: 10, timestamp: t(9), type: 'PassStateExited', stateExitedEventDetails: { name: 'a.succeeded', output: '{"jobs":{"a":{"status":"SUCCESS"}}}' } },
        { id: 12, previousEventId: 11, timestamp: t(10), type: 'PassStateEntered', stateEnteredEventDetails: { name: 'b.start' } },
      ].reverse() as HistoryEvent[],
    });
    const r = await new WorkflowClient({ sfn: new SFNClient({ region: 'eu-west-1' }) }).status(EXEC);
    expect(r.workflow).toBe('nightly');
    expect(r.jobs).toEqual({
      a: { status: 'SUCCESS', startedAt: t(2).toISOString(), endedAt: t(9).toISOString(), stages: { Build: { name: 'Build', status: 'SUCCESS', startedAt: t(3).toISOString(), endedAt: t(8).toISOString(), ms: 5000 } } },
      b: { status: 'WAIT', startedAt: t(10).toISOString(), stages: {} },
    });
  });

  it('stop sends StopExecution for an execution named by workflow and name', async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date(9000) });
    const out = await newClient({ stateMachines: { nightly: MACHINE } }).stop({ workflow: 'nightly', name: 'nightly-20240102T0900' });
    expect(out).toEqual({ executionArn: EXEC, stopDate: new Date(9000) });
    expect(sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input).toEqual({ executionArn: EXEC, error: 'Cancelled', cause: 'stopped through the workflow client' });
  });

  it('list pages through ListExecutions up to the limit', async () => {
    const item = (n: number) => ({ executionArn: `${EXEC}-${n}`, stateMachineArn: MACHINE, name: `n${n}`, status: 'SUCCEEDED' as const, startDate: new Date(n) });
    sfn.on(ListExecutionsCommand).resolvesOnce({ executions: [item(1), item(2)], nextToken: 'p2' }).resolvesOnce({ executions: [item(3), item(4)], nextToken: 'p3' });
    const items = await newClient({ stateMachines: { nightly: MACHINE } }).list('nightly', { limit: 3 });
    expect(items.map((i) => [i.name, i.status])).toEqual([
      ['n1', 'SUCCESS'],
      ['n2', 'SUCCESS'],
      ['n3', 'SUCCESS'],
    ]);
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: MACHINE, maxResults: 3, nextToken: undefined },
      { stateMachineArn: MACHINE, maxResults: 1, nextToken: 'p2' },
    ]);
  });

  it('a run given by name alone is refused: an ARN or the workflow is needed', async () => {
    const err = await failure(newClient().status('nightly-20240102T0900'));
    expect(err.code).toBe('BadRunRef');
    expect(sfn.calls()).toHaveLength(0);
  });
});
