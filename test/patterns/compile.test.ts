/**
 * How the coordination patterns compile: a held concurrency slot is given back on every path by
 * which the run (or job) ends, a wait stage is a waitForTaskToken Task with its timeout and its
 * failures, min-success joins pick one Choice rule or a counting chain, the start deadline sits
 * before the release claim, workflows without these features compile as before, and the CDK
 * permissions cover what the machines and the stage runner do.
 */
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { compileWorkflow, structuralProblems, type Machine, type State } from '../../lib/compiler/index.ts';
import { permissionsFor, runnerPermissionsFor } from '../../lib/cdk/permissions-for.ts';
import { MAX_JOIN_COMBINATIONS } from '../../lib/compiler/compile-join.ts';
import { walkStates } from '../helpers/compiled-machines.ts';
import { workflowsOf } from './helpers.ts';

const CONF = `
held:
  type: Workflow
  concurrency: {group: "deploy-\${{ params.env }}", limit: 2}
  params:
    env: {type: str, default: prod}
  jobs:
    build:
      stages: [{name: Build, bash: "true"}]
    deploy:
      needs: build
      concurrency: {group: db, cancel-in-progress: true}
      retry: 1
      stages:
        - {name: Migrate, bash: "true"}
        - {name: Approve, id: approve, wait: {signal: go, timeout: 300}}
        - {name: Check, raise: "no", if: "\${{ params.env == 'none' }}"}
joins:
  type: Workflow
  start-deadline: 120
  on: [{cron: "0 * * * *"}]
  jobs:
    a: {stages: [{name: A, echo: a}]}
    b: {stages: [{name: B, echo: b}]}
    c: {stages: [{name: C, echo: c}]}
    d: {stages: [{name: D, echo: d}]}
    e: {stages: [{name: E, echo: e}]}
    f: {stages: [{name: F, echo: f}]}
    g: {stages: [{name: G, echo: g}]}
    small:
      needs: [a, b, c]
      trigger-rule: {min-success: 2}
      stages: [{name: S, echo: s}]
    large:
      needs: [a, b, c, d, e, f, g]
      trigger-rule: {min-success: 4}
      stages: [{name: L, echo: l}]
plain:
  type: Workflow
  jobs:
    a: {stages: [{name: A, echo: a}]}
`;

const workflows = workflowsOf(CONF);
const compiled = (name: string) => compileWorkflow(workflows.get(name)!, { workflows });

/** Every state by name, nested machines included. */
function statesOf(m: Machine): Map<string, State> {
  return new Map(walkStates(m).map((s) => [s.name, s.state]));
}

function targets(st: State): string[] {
  return [st.Next, st.Default, ...(st.Choices ?? []).map((c) => c.Next), ...(st.Catch ?? []).map((c) => c.Next)].filter((t): t is string => typeof t === 'string');
}

/** The states reachable from `from` (in one machine) without going through `through`. */
function reachableAvoiding(states: Map<string, State>, from: string, through: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length) {
    const n = todo.pop()!;
    if (n === through || seen.has(n)) continue;
    seen.add(n);
    todo.push(...targets(states.get(n)!));
  }
  return seen;
}

const isTerminal = (st: State): boolean => st.End === true || st.Type === 'Succeed' || st.Type === 'Fail';

describe('concurrency groups', () => {
  const def = compiled('held').definition;
  const states = statesOf(def);

  it('a run gives its slot back on every path from the moment it holds it to its end', () => {
    const acquire = states.get('run.concurrency.acquire')!;
    expect(acquire).toMatchObject({ Resource: 'arn:aws:states:::dynamodb:updateItem', Parameters: { UpdateExpression: 'SET #hs.#me = :h', ConditionExpression: 'attribute_exists(#hs.#me) OR size(#hs) < :limit' } });
    expect((acquire.Parameters as { ExpressionAttributeValues: Record<string, unknown> }).ExpressionAttributeValues[':limit']).toEqual({ N: '2' });
    const held = acquire.Next!;
    const beforeRelease = reachableAvoiding(states, held, 'run.concurrency.release');
    expect([...beforeRelease].filter((n) => def.States[n] && isTerminal(states.get(n)!))).toEqual([]);
    expect(states.get('run.concurrency.release')).toMatchObject({ Parameters: { UpdateExpression: 'REMOVE #hs.#me' }, Catch: [{ ErrorEquals: ['States.ALL'] }] });
    // The group's name is rendered natively: no evaluation Task.
    expect(states.get('run.concurrency.group')!.Parameters).toMatchObject({ 'key.$': "States.Format('concurrency#deploy-{}', $.params.env)", 'holder.$': '$.run.id' });
  });

  it('a job gives its slot back whether it succeeds or fails, and a retried job takes it again as the same holder', () => {
    const release = 'deploy.concurrency.release';
    const held = states.get('deploy.concurrency.acquire')!.Next!;
    const jobStates = new Map([...states].filter(([n]) => n.startsWith('deploy.')));
    const ends = [...jobStates.keys()].filter((n) => n === 'deploy.succeeded' || n === 'deploy.failed');
    expect(ends.sort()).toEqual(['deploy.failed', 'deploy.succeeded']);
    for (const end of ends) expect(states.get(end)!.Next).toBe(release);
    // No state of the job past the acquisition leads out of the job but the release (failures
    // go through the machine's shared failure hub, which routes them back to the job's states).
    const inJob = (n: string): boolean => n.startsWith('deploy.') || n.startsWith('failure');
    const jobOnly = new Map([...states].map(([n, st]) => [n, n.startsWith('failure') ? { ...st, Choices: (st.Choices ?? []).filter((c) => c.Next?.startsWith('deploy.')), Default: undefined } : st]));
    const leaving = [...reachableAvoiding(jobOnly, held, release)].filter((n) => targets(jobOnly.get(n)!).some((t) => !inJob(t)));
    expect(leaving).toEqual([]);
    expect(states.get('deploy.concurrency.group')!.Parameters).toMatchObject({ key: 'concurrency#db', 'holder.$': "States.Format('{}/deploy', $.run.id)" });
    // cancel-in-progress: the runner stops the other holders before the first attempt.
    expect(states.get('deploy.concurrency.cancel in progress')).toMatchObject({ Parameters: { Payload: { action: 'concurrency-cancel' } }, Next: 'deploy.concurrency.acquire' });
  });

  it('waits with growing waits, creates the group once, and looks for dead holders every third wait', () => {
    expect(states.get('run.concurrency.acquire')!.Catch![0]).toMatchObject({ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], Next: 'run.concurrency.group exists' });
    expect(states.get('run.concurrency.create group')).toMatchObject({ Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { ConditionExpression: 'attribute_not_exists(#r)' } });
    expect(states.get('run.concurrency.count')!.Parameters!['wait.$']).toBe('States.ArrayGetItem(States.Array(1, 1, 2, 3, 5, 8, 10), $.__cc1.polls)');
    expect(states.get('run.concurrency.time to reclaim')).toMatchObject({ Choices: [{ Variable: '$.__cc1.since', NumericGreaterThanEquals: 3, Next: 'run.concurrency.reclaim' }], Default: 'run.concurrency.wait' });
    expect(states.get('run.concurrency.reclaim')).toMatchObject({ Parameters: { Payload: { action: 'concurrency-reclaim', table: '${AuditTableName}' } } });
  });

  it('compiles to machines AWS accepts', () => {
    for (const name of ['held', 'joins']) {
      const c = compiled(name);
      const v = aslValidator(JSON.parse(c.json), { checkPaths: true, checkArn: true });
      expect(v.errorsText('\n')).toBe('');
      expect(structuralProblems(c.definition)).toEqual([]);
      expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    }
  });
});

describe('wait stages', () => {
  it('are waitForTaskToken Tasks on the stage runner with the token, the run, the signal and the timeout', () => {
    const st = statesOf(compiled('held').definition).get('deploy.Approve')!;
    expect(st).toMatchObject({
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 300,
      ResultSelector: { status: 'SUCCESS', 'outputs.$': '$.outputs' },
      ResultPath: '$.jobs.deploy.stages.approve',
      Parameters: { FunctionName: '${StageRunnerFunctionArn}', Payload: { action: 'signal-wait', 'token.$': '$$.Task.Token', 'run.$': '$.run.id', signal: 'go', timeout: 300, table: '${AuditTableName}' } },
    });
    expect(st.Catch!.map((c) => c.ErrorEquals)).toEqual([['SignalRejected'], ['States.Timeout', 'SignalTimeout'], ['States.ALL']]);
  });
});

describe('min-success joins', () => {
  const states = statesOf(compiled('joins').definition);

  it(`few combinations (up to ${MAX_JOIN_COMBINATIONS}): one Or of Ands in the job's entry Choice`, () => {
    const entry = states.get('small.condition')!;
    expect(entry.Choices![1]).toEqual({
      Or: [
        { And: [{ Variable: '$.jobs.a.status', StringEquals: 'SUCCESS' }, { Variable: '$.jobs.b.status', StringEquals: 'SUCCESS' }] },
        { And: [{ Variable: '$.jobs.a.status', StringEquals: 'SUCCESS' }, { Variable: '$.jobs.c.status', StringEquals: 'SUCCESS' }] },
        { And: [{ Variable: '$.jobs.b.status', StringEquals: 'SUCCESS' }, { Variable: '$.jobs.c.status', StringEquals: 'SUCCESS' }] },
      ],
      Next: 'small.start',
    });
  });

  it('many combinations: the successes are counted first, one Choice per need', () => {
    expect(states.get('large.join.count')).toMatchObject({ Result: { n: 0 }, Next: 'large.join.a' });
    expect([...states.keys()].filter((n) => /^large\.join\.[a-g]$/.test(n))).toHaveLength(7);
    expect(states.get('large.condition')!.Choices).toContainEqual({ Variable: '$.__join1.n', NumericGreaterThanEquals: 4, Next: 'large.start' });
  });
});

describe('start deadlines', () => {
  it('are checked before the claim, on the prepared path and after prepare', () => {
    const states = statesOf(compiled('joins').definition);
    // The deadline's Choice (a given deadline, or one to compute) is decided by the start and release Choices themselves.
    for (const from of ['start', 'release']) {
      const rules = states.get(from)!.Choices!;
      expect(rules[0]).toMatchObject({ Next: 'release.start deadline.given' });
      expect(JSON.stringify(rules[0])).toContain('"Variable":"$.deadline","IsTimestamp":true');
      expect(rules[1]).toMatchObject({ Next: 'release.start deadline.compute' });
    }
    expect(states.get('release.start deadline.check')).toMatchObject({ Choices: [{ Variable: '$.__deadline.now', TimestampGreaterThanPath: '$.__deadline.at' }], Default: 'claim release' });
    expect(states.get('release.start deadline.compute')).toMatchObject({ Parameters: { Payload: { action: 'start-deadline', seconds: 120 } } });
  });
});

describe('workflows without the patterns', () => {
  it('have none of their states', () => {
    const names = [...statesOf(compiled('plain').definition).keys()];
    expect(names.filter((n) => /concurrency|deadline|join/.test(n))).toEqual([]);
  });
});

describe('permissions', () => {
  it('the machine may invoke the runner with a task token and update the audit table', () => {
    const statements = permissionsFor(compiled('held').definition, {
      functions: { StageRunnerFunctionArn: 'arn:fn:stage', PyRunnerFunctionArn: 'arn:fn:py' },
      tables: { AuditTableName: 'arn:table' },
      stateMachines: {},
      taskDefinitions: {},
      managedRule: (n) => `arn:rule/${n}`,
    });
    expect(statements).toEqual([
      { actions: ['dynamodb:PutItem'], resources: ['arn:table'] },
      { actions: ['dynamodb:UpdateItem'], resources: ['arn:table'] },
      { actions: ['lambda:InvokeFunction'], resources: ['arn:fn:stage'] },
    ]);
  });

  it('the stage runner gets what its coordination actions use, and nothing for machines without them', () => {
    const resources = { table: 'arn:table', executions: ['arn:execution:a:*', 'arn:execution:b:*'] };
    expect(runnerPermissionsFor([compiled('plain').definition], resources)).toEqual([]);
    expect(runnerPermissionsFor([compiled('held').definition], resources)).toEqual([
      { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: ['arn:table'] },
      { actions: ['states:DescribeExecution', 'states:StopExecution'], resources: ['arn:execution:a:*', 'arn:execution:b:*'] },
      { actions: ['states:SendTaskFailure', 'states:SendTaskSuccess'], resources: ['*'] },
    ]);
  });
});
