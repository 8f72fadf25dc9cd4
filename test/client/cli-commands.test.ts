/**
 * `wf start|status|stop|redrive|list` against AWS, with the SDK mocked: what each prints, the exit
 * codes, and that nothing is sent when the command line or the params are wrong.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { runCli } from '../../lib/cli/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:nightly-Abc123';
const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:nightly-Abc123:nightly-20240102T0900';

const sfn = mockClient(SFNClient);
const cfn = mockClient(CloudFormationClient);
let dir: string;

async function wf(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--conf', join(dir, 'conf'), '--region', 'eu-west-1', '--stack', 'wf-prod'], {
    env: { ...process.env, NO_COLOR: '1' },
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    stderrIsTTY: false,
  });
  return { code, stdout, stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wf-cli-client-'));
  mkdirSync(join(dir, 'conf'));
  writeFileSync(
    join(dir, 'conf', 'wf.yml'),
    `
nightly:
  type: Workflow
  on:
    - cron: "0 9 * * *"
  params:
    size: { type: int, default: 1 }
  jobs:
    a:
      stages:
        - { name: Build, id: build, bash: "echo a" }
`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(() => {
  sfn.reset();
  cfn.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'wf-prod', CreationTime: new Date(0), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'WorkflowStateMachines', OutputValue: JSON.stringify({ nightly: MACHINE }) }] }],
  });
});

describe('wf start', () => {
  it('prints the execution ARN of a release; a second start of the minute is SKIP, exit 0', async () => {
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: EXEC, startDate: new Date(0) }).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const first = await wf(['start', 'nightly', '--release-at', '2024-01-02T09:00:00Z', '-p', 'size=3']);
    expect([first.code, first.stdout]).toEqual([0, `${EXEC}\n`]);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toMatchObject({ stateMachineArn: MACHINE, name: 'nightly-20240102T0900' });
    const second = await wf(['start', 'nightly', '--release-at', '2024-01-02T09:00:00Z']);
    expect([second.code, second.stdout, second.stderr]).toEqual([0, `${EXEC}\n`, `the release of 2024-01-02T09:00 of "nightly" was already started (SKIP): ${EXEC}\n`]);
  });

  it('refuses wrong params, unscheduled releases and --type alone before anything is sent (exit 2)', async () => {
    const bad = await wf(['start', 'nightly', '-p', 'size=lots']);
    expect([bad.code, bad.stderr]).toEqual([2, 'error: workflow "nightly" was not started: its params are wrong\n  param "size": expected int, got "lots"\n']);
    expect((await wf(['start', 'nightly', '--release-at', '2024-01-02T10:00:00Z'])).stderr).toContain('is not a scheduled time of workflow "nightly"');
    expect((await wf(['start', 'nightly', '--type', 'force'])).code).toBe(2);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('wf status, stop, redrive and list', () => {
  const doc = { status: 'FAILED', run: { id: 'nightly-20240102T0900', workflow: 'nightly' }, params: { size: 1 }, release: { logical_date: '2024-01-02T09:00:00Z', type: 'normal' }, jobs: { a: { status: 'FAILED', stages: { build: { status: 'FAILED' } } } }, errors: [] };
  const failed = { executionArn: EXEC, stateMachineArn: MACHINE, name: 'nightly-20240102T0900', status: 'FAILED' as const, startDate: new Date(0), stopDate: new Date(1000), input: '{}', error: 'WorkflowFailed', cause: JSON.stringify(doc) };

  it('status prints jobs and stages and exits 1 for a FAILED run', async () => {
    sfn.on(DescribeExecutionCommand).resolves(failed);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });
    const r = await wf(['status', EXEC]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        'nightly-20240102T0900 (nightly): FAILED [FAILED]',
        '  started 1970-01-01T00:00:00.000Z, ended 1970-01-01T00:00:01.000Z',
        '  a                        FAILED',
        '    Build                          FAILED',
        `  ${EXEC}`,
        '',
      ].join('\n'),
    );
  });

  it('stop, redrive and list', async () => {
    sfn.on(StopExecutionCommand).resolves({ stopDate: new Date(0) });
    expect((await wf(['stop', 'nightly-20240102T0900', '--workflow', 'nightly'])).stdout).toBe(`stopped ${EXEC}\n`);
    sfn.on(DescribeExecutionCommand).resolves({ ...failed, error: 'States.Runtime', cause: 'boom', redriveStatus: 'REDRIVABLE' });
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date(0) });
    const redrive = await wf(['redrive', EXEC]);
    expect([redrive.code, redrive.stdout, redrive.stderr]).toEqual([0, `${EXEC}\n`, `redriven ${EXEC}: Step Functions resumes it at the state that failed\n`]);
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: EXEC, stateMachineArn: MACHINE, name: 'nightly-20240102T0900', status: 'FAILED', startDate: new Date(0), stopDate: new Date(1000), redriveCount: 1 }] });
    const list = await wf(['list', 'nightly']);
    expect(list.stdout).toBe(
      [
        'name                   status  execution             started                   ended',
        'nightly-20240102T0900  FAILED  FAILED (redriven 1×)  1970-01-01T00:00:00.000Z  1970-01-01T00:00:01.000Z',
        '',
      ].join('\n'),
    );
  });
});
