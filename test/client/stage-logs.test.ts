/**
 * `wf logs` of a deployed run, with `aws-sdk-client-mock` standing in for Step Functions: the
 * stage logs come out of the execution history as AWS writes it (a Lambda Task's output wraps the
 * runner's answer in `Payload`; a failure's cause is the Lambda's `{errorType, errorMessage}`
 * around the failed record's JSON), attempt by attempt, labelled by the compiled state table.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { runCli } from '../../lib/cli/run-cli.ts';
import { WorkflowClient } from '../../lib/client/index.ts';
import { loadWorkflows } from '../../lib/config/index.ts';
import type { RunEvent } from '../../lib/local/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const temp = mkdtempSync(join(tmpdir(), 'wf-aws-logs-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const conf = join(temp, 'conf');
mkdirSync(conf);
writeFileSync(
  join(conf, 'wf.yml'),
  `nightly:
  type: Workflow
  jobs:
    a:
      strategy: {matrix: {os: [linux]}}
      stages:
        - { name: Build, id: build, bash: "echo a" }
        - { name: Check, id: check, run: "x = 1", retry: {max: 1, delay: 1} }
`,
);

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly-Abc123';
const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:nightly-Abc123:nightly-run1';
const sfn = mockClient(SFNClient);
afterEach(() => sfn.reset());

const t = (s: number): Date => new Date(s * 1000);
const input = JSON.stringify({ matrix: { os: 'linux' }, run: { id: 'nightly-run1', workflow: 'nightly' } });
const record = (attemptLine: string) =>
  JSON.stringify({
    errorType: 'StageFailed',
    errorMessage: JSON.stringify({ status: 'FAILED', outputs: {}, errors: { name: 'ZeroDivisionError', message: `py stage "Check" raised ZeroDivisionError: ${attemptLine}\nTraceback (most recent call last):\n  File "<py stage Check>", line 1, in <module>` }, key: 'f1' }),
    requestId: 'r',
    stackTrace: [],
  });
const history: HistoryEvent[] = [
  { id: 1, previousEventId: 0, timestamp: t(1), type: 'ExecutionStarted', executionStartedEventDetails: { input: '{"run":{"id":"nightly-run1","workflow":"nightly"}}' } },
  { id: 2, previousEventId: 1, timestamp: t(2), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'a.strategy.Build', input } },
  { id: 3, previousEventId: 2, timestamp: t(2), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}' } },
  { id: 4, previousEventId: 3, timestamp: t(3), type: 'TaskStarted', taskStartedEventDetails: { resourceType: 'lambda', resource: 'invoke' } },
  {
    id: 5,
    previousEventId: 4,
    timestamp: t(4),
    type: 'TaskSucceeded',
    taskSucceededEventDetails: { resourceType: 'lambda', resource: 'invoke', output: JSON.stringify({ ExecutedVersion: '$LATEST', Payload: { status: 'SUCCESS', outputs: { return_code: 0, stdout: 'built a\nbuilt b', stderr: 'a warning' } }, StatusCode: 200 }) },
  },
  { id: 6, previousEventId: 5, timestamp: t(4), type: 'TaskStateExited', stateExitedEventDetails: { name: 'a.strategy.Build', output: '{}' } },
  { id: 7, previousEventId: 6, timestamp: t(5), type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'a.strategy.Check', input } },
  { id: 8, previousEventId: 7, timestamp: t(5), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}' } },
  { id: 9, previousEventId: 8, timestamp: t(6), type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'StageFailed', cause: record('first try') } },
  { id: 10, previousEventId: 9, timestamp: t(7), type: 'TaskScheduled', taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: '{}' } },
  { id: 11, previousEventId: 10, timestamp: t(8), type: 'TaskFailed', taskFailedEventDetails: { resourceType: 'lambda', resource: 'invoke', error: 'StageFailed', cause: record('division by zero') } },
];

async function wf(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (s) => void (out += s), err: (s) => void (err += s), env: { NO_COLOR: '1' }, stderrIsTTY: false });
  return { code, out, err };
}

describe('wf logs of a deployed run', () => {
  it('reads each stage\'s output and each failed attempt\'s whole error from the history, labelled like progress', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXEC, stateMachineArn: MACHINE, name: 'nightly-run1', status: 'RUNNING', startDate: t(0), input: '{"run":{"id":"nightly-run1","workflow":"nightly"}}' });
    // Two pages: the whole history is read, oldest first.
    sfn.on(GetExecutionHistoryCommand).resolvesOnce({ events: history.slice(0, 6), nextToken: 'p2' }).resolvesOnce({ events: history.slice(6) });
    const r = await wf(['logs', EXEC, '--conf', conf, '--region', 'eu-west-1']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      'a (linux) › Build | built a',
      'a (linux) › Build | built b',
      'a (linux) › Build ! a warning',
      'a (linux) › Check ✗ attempt 1 failed (retried): ZeroDivisionError: py stage "Check" raised ZeroDivisionError: first try',
      'a (linux) › Check ✗   Traceback (most recent call last):',
      'a (linux) › Check ✗     File "<py stage Check>", line 1, in <module>',
      'a (linux) › Check ✗ attempt 2 failed: ZeroDivisionError: py stage "Check" raised ZeroDivisionError: division by zero',
      'a (linux) › Check ✗   Traceback (most recent call last):',
      'a (linux) › Check ✗     File "<py stage Check>", line 1, in <module>',
      '',
    ]);
    const calls = sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { executionArn: EXEC, maxResults: 1000, nextToken: undefined, includeExecutionData: true },
      { executionArn: EXEC, maxResults: 1000, nextToken: 'p2', includeExecutionData: true },
    ]);
  });

  it('picks a stage by id or name, and names the closest stage for one that is not there', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXEC, stateMachineArn: MACHINE, name: 'nightly-run1', status: 'RUNNING', startDate: t(0), input: '{"run":{"id":"nightly-run1","workflow":"nightly"}}' });
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history });
    const byId = await wf(['logs', EXEC, 'a.build', '--conf', conf, '--region', 'eu-west-1']);
    const byName = await wf(['logs', EXEC, 'a.Build', '--conf', conf, '--region', 'eu-west-1']);
    expect(byId.out).toBe('a (linux) › Build | built a\na (linux) › Build | built b\na (linux) › Build ! a warning\n');
    expect(byName.out).toBe(byId.out);
    const bad = await wf(['logs', EXEC, 'a.chek', '--conf', conf, '--region', 'eu-west-1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('has no stage "chek"');
    expect(bad.err).toContain('did you mean "a.check"?');
  });
});

describe('progress of a deployed run', () => {
  it('says why each attempt of a stage failed, from the history', async () => {
    const ended = { executionArn: EXEC, stateMachineArn: MACHINE, name: 'nightly-run1', status: 'FAILED' as const, startDate: t(0), stopDate: t(9), error: 'States.TaskFailed', cause: 'x', input: '{"run":{"id":"nightly-run1","workflow":"nightly"}}' };
    sfn.on(DescribeExecutionCommand).resolves(ended);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [...history].reverse() });
    const progress: RunEvent[] = [];
    await new WorkflowClient({ sfn: new SFNClient({ region: 'eu-west-1' }), workflows: loadWorkflows({ conf }).workflows }).wait(EXEC, { onProgress: (e) => progress.push(e), pollMs: 1 });
    const failed = progress.filter((e) => e.type === 'stage-attempt-failed');
    expect(failed.map((e) => [e.job, e.stage, e.attempt, e.error?.name, e.error?.message.split('\n')[0]])).toEqual([
      ['a', 'Check', 1, 'ZeroDivisionError', 'py stage "Check" raised ZeroDivisionError: first try'],
      ['a', 'Check', 2, 'ZeroDivisionError', 'py stage "Check" raised ZeroDivisionError: division by zero'],
    ]);
  });
});
