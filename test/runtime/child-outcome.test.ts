/**
 * A trigger stage whose child failed keeps the child's `{status, params, jobs}` (SPEC 4). On AWS the
 * stage runner reads them from the child's execution history (mocked Step Functions, events in the
 * shape GetExecutionHistory documents: newest first, camelCase details, `outputDetails.truncated`);
 * the compiled machine asks for it, and the runner's role may read exactly the app's executions.
 */
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { runnerPermissionsFor } from '../../lib/cdk/permissions-for.ts';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { awsCoordination, handleRequest } from '../../lib/runtime/index.ts';

const CHILD = 'arn:aws:states:eu-west-1:123456789012:execution:app-child:20261202-abc';
const doc = { status: 'FAILED', run: { id: '20261202-abc', workflow: 'child' }, params: { x: 3 }, release: {}, jobs: { c: { status: 'FAILED', stages: { r: { status: 'FAILED', outputs: {}, errors: { name: 'RaiseError', message: 'boom' } } }, errors: { name: 'RaiseError', message: 'boom' } } }, errors: [] };

/** The last events of a failed child run, newest first, as GetExecutionHistory gives them. */
function history(output: string, truncated = false): HistoryEvent[] {
  const at = new Date('2026-12-02T08:00:00Z');
  return [
    { id: 41, previousEventId: 40, timestamp: at, type: 'ExecutionFailed', executionFailedEventDetails: { error: 'WorkflowFailed', cause: 'workflow "child" run 20261202-abc FAILED; …' } },
    { id: 40, previousEventId: 39, timestamp: at, type: 'FailStateEntered', stateEnteredEventDetails: { name: 'run failed', input: '{"cause":"…"}', inputDetails: { truncated: false } } },
    { id: 39, previousEventId: 38, timestamp: at, type: 'PassStateExited', stateExitedEventDetails: { name: 'run failed.cause', output: '{"cause":"…"}', outputDetails: { truncated: false } } },
    { id: 38, previousEventId: 37, timestamp: at, type: 'PassStateEntered', stateEnteredEventDetails: { name: 'run failed.cause', input: output, inputDetails: { truncated } } },
    { id: 37, previousEventId: 36, timestamp: at, type: 'PassStateExited', stateExitedEventDetails: { name: 'run.FAILED', output, outputDetails: { truncated } } },
  ];
}

const caught = { Error: 'States.TaskFailed', Cause: JSON.stringify({ ExecutionArn: CHILD, StateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:app-child', Status: 'FAILED', Error: 'WorkflowFailed', Cause: 'workflow "child" run 20261202-abc FAILED; …' }) };

describe('child-outcome on AWS (mocked Step Functions)', () => {
  const sfn = mockClient(SFNClient);
  afterEach(() => sfn.reset());

  it("reads the child's document from its history, newest first, and keeps {status, params, jobs} with the child's first error", async () => {
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history(JSON.stringify(doc)) });
    const coordination = await awsCoordination({ sfn: new SFNClient({ region: 'eu-west-1' }) });
    const record = await handleRequest({ action: 'child-outcome', workflow: 'child', caught }, { coordination });
    expect(record).toEqual({
      status: 'FAILED',
      outputs: { status: 'FAILED', params: { x: 3 }, jobs: doc.jobs },
      errors: { name: 'States.TaskFailed', message: 'workflow "child" run 20261202-abc ended FAILED: job "c": RaiseError: boom' },
    });
    expect(sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input)).toEqual([{ executionArn: CHILD, reverseOrder: true, maxResults: 20, includeExecutionData: true }]);
  });

  it('a truncated document, an unreadable history or a cause without an execution leaves outputs {} and the cause as it came', async () => {
    sfn.on(GetExecutionHistoryCommand).resolvesOnce({ events: history(JSON.stringify(doc).slice(0, 50), true) }).rejectsOnce(new Error('AccessDenied'));
    const coordination = await awsCoordination({ sfn: new SFNClient({ region: 'eu-west-1' }) });
    for (const c of [caught, caught, { Error: 'States.TaskFailed', Cause: 'not json' }]) {
      expect(await handleRequest({ action: 'child-outcome', workflow: 'child', caught: c }, { coordination })).toEqual({ status: 'FAILED', outputs: {}, errors: { name: 'States.TaskFailed', message: c.Cause } });
    }
  });
});

describe('the compiled trigger stage', () => {
  const { workflows } = loadWorkflowsFromText({ 'conf/w.yml': ['parent:', '  type: Workflow', '  jobs:', '    j:', '      stages: [{name: t, id: t, trigger: child}]', 'child:', '  type: Workflow', '  jobs:', '    c:', '      stages: [{name: r, raise: boom}]', ''].join('\n') });
  const compiled = compileWorkflow(workflows.get('parent')!);

  it('sends a failed child (States.TaskFailed) to child-outcome, whose record goes on as the stage failure', () => {
    const states = compiled.definition.States as Record<string, { Resource?: string; Catch?: Array<{ ErrorEquals: string[]; Next: string }>; Parameters?: { Payload?: Record<string, unknown> }; Next?: string }>;
    const [, start] = Object.entries(states).find(([, s]) => s.Resource?.includes('startExecution.sync:2'))!;
    const first = start.Catch![0]!;
    expect(first.ErrorEquals).toEqual(['States.TaskFailed']);
    expect(states[first.Next]!.Parameters!.Payload).toMatchObject({ action: 'child-outcome', workflow: 'child', 'caught.$': '$.__caught' });
  });

  it("lets the stage runner read the app's execution histories, and only when a definition asks", () => {
    const resources = { table: 'arn:aws:dynamodb:eu-west-1:123456789012:table/audit', executions: ['arn:aws:states:eu-west-1:123456789012:execution:app-*:*'] };
    expect(runnerPermissionsFor([compiled.definition], resources)).toContainEqual({ actions: ['states:GetExecutionHistory'], resources: resources.executions });
    expect(runnerPermissionsFor([compileWorkflow(workflows.get('child')!).definition], resources).flatMap((p) => p.actions)).not.toContain('states:GetExecutionHistory');
  });
});
