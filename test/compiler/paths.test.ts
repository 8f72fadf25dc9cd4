/**
 * Paths through compiled machines: each conformance run case (and a few golden workflows) runs on
 * the local engine with stub Task handlers, and the test pins which states were entered, what the
 * Tasks were sent, and the result document. Stage Tasks reply with canned outputs or fail as a
 * Lambda does (`StageFailed`); `eval`/`collect` requests are computed by the runtime. A failed
 * run's document is read from its result state: the Fail cause goes through `States.JsonToString`,
 * whose result the local engine strips of backslashes.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../lib/config/index.ts';
import { conformanceCases, loadConf, runStubbed, stateNamed, TEST_DIR, type StubOptions, type StubRun } from '../helpers/compiled-machines.ts';

const conformance = new Map(conformanceCases().map((c) => [c.name, c]));

function conformanceWorkflow(name: string, workflow = conformance.get(name)!.spec.workflow): { workflow: Workflow; workflows: Map<string, Workflow> } {
  const { workflows } = loadConf(conformance.get(name)!.conf);
  return { workflow: workflows.get(workflow)!, workflows };
}

function goldenWorkflow(name: string): { workflow: Workflow; workflows: Map<string, Workflow> } {
  const { workflows } = loadConf(join(TEST_DIR, 'compiler', 'golden', name));
  return { workflow: workflows.get(name)!, workflows };
}

async function runCase(name: string, options: StubOptions = {}): Promise<StubRun> {
  const { workflow, workflows } = conformanceWorkflow(name);
  return runStubbed(workflow, { params: conformance.get(name)!.spec.params, workflows, ...options });
}

async function runGolden(name: string, options: StubOptions = {}): Promise<StubRun> {
  const { workflow, workflows } = goldenWorkflow(name);
  return runStubbed(workflow, { workflows, ...options });
}

/** The payloads sent to a Task state, in call order. */
function payloads(run: StubRun, state: string): Array<Record<string, any>> {
  return run.calls.filter((c) => c.state === state).map((c) => c.input.Payload as Record<string, any>);
}

function expectEntered(run: StubRun, states: string[]): void {
  expect(states.filter((s) => !run.entered.includes(s))).toEqual([]);
}

function expectNotEntered(run: StubRun, states: string[]): void {
  expect(states.filter((s) => run.entered.includes(s))).toEqual([]);
}

/** The conformance cases this file runs; every run case must be here. */
const covered = ['bad-param', 'case', 'echo-bash', 'foreach', 'if-skip', 'matrix', 'needs-fallback', 'parallel', 'py-vars', 'raise', 'retry', 'trigger', 'until'];

describe('conformance cases on the local engine with stub tasks', () => {
  it('has a path test for every run case', () => {
    const runCases = [...conformance.values()].filter((c) => (c.spec.command ?? 'run') === 'run').map((c) => c.name);
    expect(runCases.sort()).toEqual([...covered].sort());
  });

  it('bad-param: the params are rejected before anything runs', async () => {
    await expect(runCase('bad-param')).rejects.toThrow(/batch_size.*lots|lots.*batch_size/);
    await expect(runCase('bad-param')).rejects.toThrow(/int/);
  });

  it('case: a value with no branch of its own runs the default (_) branch, chosen natively', async () => {
    const run = await runCase('case', { stages: { 'setup.Environment Setup.case _.Default': { outputs: { stdout: 'default for other' } } } });
    expectEntered(run, ['setup.Environment Setup.case', 'setup.Environment Setup.case _.start', 'setup.Environment Setup.case _.Default', 'setup.Environment Setup.case _.done']);
    expectNotEntered(run, ['setup.Environment Setup.evaluate', 'setup.Environment Setup.case development.start', 'setup.Environment Setup.case staging.start', 'setup.Environment Setup.no match']);
    expect(payloads(run, 'setup.Environment Setup.case _.Default')).toEqual([
      // The default branch's `case` is the value that matched no other entry (params.environment).
      expect.objectContaining({ action: 'stage', ctx: { case: 'other' }, stage: expect.objectContaining({ kind: 'bash', id: 'which', fields: { bash: 'echo "default for ${{ case }}"', env: {} } }) }),
    ]);
    expect(run.doc.status).toBe('SUCCESS');
    expect(run.doc.jobs.setup.stages.setup).toEqual({
      status: 'SUCCESS',
      outputs: { case: 'other', stages: { which: { status: 'SUCCESS', outputs: { stdout: 'default for other' } } } },
    });
  });

  it('case: a matching value runs its own branch only', async () => {
    const staging = await runCase('case', { params: { environment: 'staging' } });
    expectEntered(staging, ['setup.Environment Setup.case staging.start', 'setup.Environment Setup.case staging.Staging']);
    expectNotEntered(staging, ['setup.Environment Setup.case _.start', 'setup.Environment Setup.case development.start']);
    expect(staging.doc.jobs.setup.stages.setup.outputs.case).toBe('staging');

    const dev = await runCase('case', { params: { environment: 'development' } });
    expectEntered(dev, ['setup.Environment Setup.case development.Dev.done']);
    expect(dev.calls).toEqual([]);
    expect(dev.doc.jobs.setup.stages.setup.outputs.stages.which).toEqual({ status: 'SUCCESS', outputs: {} });
  });

  it('echo-bash: the echo is a Pass; the bash Task gets its raw fields and only the params it reads', async () => {
    const run = await runCase('echo-bash', { stages: { 'hello.Greet': { outputs: { return_code: 0, stdout: 'hello world', stderr: 'warn' } } } });
    expect(run.entered).toEqual(expect.arrayContaining(['hello.start', 'hello.Start', 'hello.Greet', 'hello.succeeded', 'run.SUCCESS']));
    expect(run.entered.indexOf('hello.Start')).toBeLessThan(run.entered.indexOf('hello.Greet'));
    expect(stateNamed(run.compiled.definition, 'hello.Start').Type).toBe('Pass');
    const [payload] = payloads(run, 'hello.Greet');
    // A runner Lambda stops after 900 s: every stage in one gets at most 880.
    expect(payload!.stage).toEqual({ kind: 'bash', name: 'Greet', id: 'greet', timeout: 880, fields: { bash: 'echo "hello $WHO"\necho "warn" 1>&2\n', env: { WHO: '${{ params.who }}' } } });
    expect(payload!.ctx).toEqual({ params: { who: 'world' } });
    expect(run.doc.status).toBe('SUCCESS');
    expect(run.doc.params).toEqual({ who: 'world' });
    expect(run.doc.jobs.hello).toEqual({ status: 'SUCCESS', stages: { greet: { status: 'SUCCESS', outputs: { return_code: 0, stdout: 'hello world', stderr: 'warn' } } } });
  });

  it('foreach: a required array param is copied by path; one iteration per item; results keyed by item', async () => {
    const run = await runCase('foreach', {
      stages: { 'files.Process Files.item.Process item': (p) => ({ outputs: { stdout: `${p.ctx.loop}:${p.ctx.item}` } }) },
    });
    expectEntered(run, ['files.Process Files.items', 'files.Process Files', 'files.Process Files.collect']);
    expectNotEntered(run, ['files.Process Files.evaluate']);
    expect(run.count('files.Process Files.item.Process item')).toBe(3);
    // The item's own stage ends its iteration: no end state per item.
    expect(run.count('files.Process Files.item.end')).toBe(0);
    expect(stateNamed(run.compiled.definition, 'files.Process Files').MaxConcurrency).toBe(2);
    const sent = payloads(run, 'files.Process Files.item.Process item').map((p) => [p.ctx.loop, p.ctx.item]);
    expect(sent.sort()).toEqual([[0, 'alpha'], [1, 'beta'], [2, 'gamma']]);
    const each = run.doc.jobs.files.stages.each;
    expect(each.status).toBe('SUCCESS');
    expect(each.outputs.items).toEqual(['alpha', 'beta', 'gamma']);
    expect(Object.keys(each.outputs.foreach)).toEqual(['alpha', 'beta', 'gamma']);
    expect(each.outputs.foreach.gamma).toEqual({ status: 'SUCCESS', item: 'gamma', stages: { show: { status: 'SUCCESS', outputs: { stdout: '2:gamma' } } } });
  });

  it('foreach: a failed item fails the stage and the job', async () => {
    const run = await runCase('foreach', {
      stages: { 'files.Process Files.item.Process item': (p) => (p.ctx.item === 'beta' ? { fail: 'no beta' } : { outputs: {} }) },
    });
    expectEntered(run, ['files.Process Files.item.fail', 'files.errors', 'files.failed', 'run.FAILED', 'run failed']);
    expectNotEntered(run, ['files.Process Files.collect', 'files.succeeded']);
    expect(run.doc.status).toBe('FAILED');
    expect(run.doc.jobs.files.status).toBe('FAILED');
    expect(run.doc.jobs.files.stages.each.status).toBe('FAILED');
    expect(run.failure?.name).toBe('WorkflowFailed');
  });

  it('if-skip: a false native condition enters the skip state and runs nothing', async () => {
    const run = await runCase('if-skip');
    // The run's start decides the job's resume too, and a single job's end goes straight to the result.
    expect(run.entered).toEqual(['start', 'main.start', 'main.Debug Info.condition', 'main.Debug Info.skip', 'main.Always.done', 'main.succeeded', 'run.SUCCESS']);
    expectNotEntered(run, ['main.Debug Info.done', 'main.Debug Info.evaluate']);
    expect(run.calls).toEqual([]);
    expect(run.doc.params).toEqual({ debug_mode: false });
    expect(run.doc.jobs.main.stages).toEqual({ debug: { status: 'SKIP' }, always: { status: 'SUCCESS', outputs: {} } });

    const on = await runCase('if-skip', { params: { debug_mode: 'true' } });
    expectEntered(on, ['main.Debug Info.condition', 'main.Debug Info.done']);
    expectNotEntered(on, ['main.Debug Info.skip']);
    expect(on.doc.jobs.main.stages.debug).toEqual({ status: 'SUCCESS', outputs: {} });
  });

  it('matrix: the combinations left by exclude run in a Map capped by max-parallel, keyed by their values', async () => {
    const run = await runCase('matrix', {
      stages: { 'deploy.strategy.Deploy matrix-env-matrix-region': (p) => ({ outputs: { stdout: `${p.ctx.matrix.env}/${p.ctx.matrix.region}` } }) },
    });
    expectEntered(run, ['deploy.matrix.combinations', 'deploy.matrix', 'deploy.matrix.status', 'deploy.succeeded']);
    expect(run.count('deploy.strategy.Deploy matrix-env-matrix-region')).toBe(5);
    const map = stateNamed(run.compiled.definition, 'deploy.matrix');
    expect(map.Type).toBe('Map');
    expect(map.MaxConcurrency).toBe(2);
    expect(stateNamed(run.compiled.definition, 'deploy.matrix.combinations').Result).toEqual([
      { env: 'dev', region: 'us' },
      { env: 'staging', region: 'us' },
      { env: 'staging', region: 'eu' },
      { env: 'prod', region: 'us' },
      { env: 'prod', region: 'eu' },
    ]);
    const strategies = run.doc.jobs.deploy.strategies;
    expect(Object.keys(strategies).sort()).toEqual(['env-dev_region-us', 'env-prod_region-eu', 'env-prod_region-us', 'env-staging_region-eu', 'env-staging_region-us']);
    expect(strategies['env-staging_region-eu']).toEqual({
      matrix: { env: 'staging', region: 'eu' },
      status: 'SUCCESS',
      stages: { deploy: { status: 'SUCCESS', outputs: { stdout: 'staging/eu' } } },
    });
    expect(run.doc.jobs.deploy.status).toBe('SUCCESS');
  });

  it('matrix: one failed combination (fail-fast off) fails the job but every combination runs', async () => {
    const run = await runCase('matrix', {
      stages: { 'deploy.strategy.Deploy matrix-env-matrix-region': (p) => (p.ctx.matrix.env === 'prod' && p.ctx.matrix.region === 'eu' ? { fail: 'eu down' } : { outputs: {} }) },
    });
    expect(run.count('deploy.strategy.Deploy matrix-env-matrix-region')).toBe(5);
    expectEntered(run, ['deploy.strategy.failed', 'deploy.matrix.strategy failed', 'deploy.failed']);
    expect(run.doc.jobs.deploy.status).toBe('FAILED');
    expect(run.doc.jobs.deploy.strategies['env-prod_region-eu'].status).toBe('FAILED');
    expect(run.doc.jobs.deploy.strategies['env-prod_region-eu'].errors).toEqual({ name: 'StageError', message: 'eu down' });
    expect(run.doc.jobs.deploy.strategies['env-dev_region-us'].status).toBe('SUCCESS');
    expect(run.doc.status).toBe('FAILED');
  });

  it('needs-fallback: a failed job runs the fallback, skips the report, always cleans up; the run is FAILED', async () => {
    const run = await runCase('needs-fallback', {
      stages: {
        'main-process.Attempt processing': { fail: 'exit 3', outputs: { return_code: 3 } },
        'cleanup.Cleanup resources': { outputs: { stdout: 'cleaned' } },
      },
    });
    // the stage failure goes through its machine's failure hub (parse once, route by key)
    expect(run.entered.some((n) => /^failure(_\d+)?\.route$/.test(n))).toBe(true);
    expectEntered(run, [
      'main-process.errors',
      'main-process.failed',
      'fallback.condition',
      'fallback.start',
      'report.condition',
      'report.skip',
      'cleanup.start',
      'cleanup.Cleanup resources',
      'run.FAILED',
      'run failed',
    ]);
    expectNotEntered(run, ['report.start', 'report.Report', 'fallback.skip', 'run.SUCCESS']);
    expect(run.entered.indexOf('fallback.succeeded')).toBeLessThan(run.entered.indexOf('cleanup.start'));
    expect(run.calls.map((c) => c.state)).toEqual(['main-process.Attempt processing', 'cleanup.Cleanup resources']);
    expect(run.failure?.name).toBe('WorkflowFailed');
    // The cause names the run; the document, longer than a cause may be, is the result state's output.
    expect(run.failure?.cause).toBe('workflow "needs-fallback" run r1 FAILED; its result document, with every job record, is the output of its last "run." state in the execution history');
    expect(run.doc.status).toBe('FAILED');
    expect(run.doc.jobs['main-process']).toEqual({ status: 'FAILED', stages: {}, errors: { name: 'StageError', message: 'exit 3' } });
    expect(run.doc.jobs.fallback).toEqual({ status: 'SUCCESS', stages: { fb: { status: 'SUCCESS', outputs: {} } } });
    expect(run.doc.jobs.report).toEqual({ status: 'SKIP' });
    expect(run.doc.jobs.cleanup.stages.clean.outputs).toEqual({ stdout: 'cleaned' });
  });

  it('needs-fallback: when the main job succeeds the fallback is skipped and the report runs', async () => {
    const run = await runCase('needs-fallback');
    expectEntered(run, ['fallback.skip', 'report.start', 'report.Report', 'cleanup.start', 'run.SUCCESS']);
    expectNotEntered(run, ['fallback.start', 'report.skip']);
    expect(run.doc.jobs.fallback).toEqual({ status: 'SKIP' });
    expect(run.doc.status).toBe('SUCCESS');
    expect(run.failure).toBeUndefined();
  });

  it('parallel: both branches run in one Parallel state, each told its branch name', async () => {
    const stub = (p: Record<string, any>) => ({ outputs: { stdout: p.ctx.branch } });
    const run = await runCase('parallel', { stages: { 'fan.Parallel Processing.east.Region': stub, 'fan.Parallel Processing.west.Region': stub } });
    expect(stateNamed(run.compiled.definition, 'fan.Parallel Processing').Type).toBe('Parallel');
    expectEntered(run, ['fan.Parallel Processing', 'fan.Parallel Processing.east.start', 'fan.Parallel Processing.west.start', 'fan.Parallel Processing.status', 'fan.Parallel Processing.done']);
    expect(payloads(run, 'fan.Parallel Processing.east.Region').map((p) => p.ctx)).toEqual([{ branch: 'east' }]);
    expect(payloads(run, 'fan.Parallel Processing.west.Region').map((p) => p.ctx)).toEqual([{ branch: 'west' }]);
    expect(run.doc.jobs.fan.stages.par).toEqual({
      status: 'SUCCESS',
      outputs: {
        parallel: {
          east: { status: 'SUCCESS', stages: { region: { status: 'SUCCESS', outputs: { stdout: 'east' } } } },
          west: { status: 'SUCCESS', stages: { region: { status: 'SUCCESS', outputs: { stdout: 'west' } } } },
        },
      },
    });
  });

  it('parallel: a failed branch lets the other finish, then fails the stage', async () => {
    const run = await runCase('parallel', { stages: { 'fan.Parallel Processing.east.Region': { fail: 'east broke' } } });
    expectEntered(run, ['fan.Parallel Processing.east.failed', 'fan.Parallel Processing.west.end', 'fan.Parallel Processing.branch failed', 'fan.failed']);
    expectNotEntered(run, ['fan.Parallel Processing.done']);
    expect(run.doc.jobs.fan.status).toBe('FAILED');
    expect(run.doc.jobs.fan.errors).toEqual({ name: 'ParallelError', message: 'parallel stage "Parallel Processing": a branch failed' });
  });

  it('py-vars: the Python runner gets vars with the param resolved by path, and its outputs are recorded', async () => {
    const run = await runCase('py-vars', { stages: { 'analyse.Process Data': { outputs: { size: 'large', doubled: 3000 } } } });
    const task = stateNamed(run.compiled.definition, 'analyse.Process Data');
    expect((task.Parameters as Record<string, unknown>).FunctionName).toBe('${PyRunnerFunctionArn}');
    const [payload] = payloads(run, 'analyse.Process Data');
    expect(payload).toMatchObject({
      action: 'py',
      name: 'Process Data',
      code: { t0: 'size = "large" if rows > threshold else "small"\ndoubled = rows * 2\n' },
      vars: { rows: 1500, threshold: 1000 },
    });
    expect(payload!.globals.params).toEqual({ threshold: 1000 });
    expect(payload!.globals.run).toEqual({ id: 'r1', workflow: 'py-vars' });
    expect(run.doc.params).toEqual({ threshold: 1000 });
    expect(run.doc.jobs.analyse.stages.process).toEqual({ status: 'SUCCESS', outputs: { size: 'large', doubled: 3000 } });
  });

  it('raise: the job fails at the raise; the stage after it is never entered', async () => {
    const run = await runCase('raise');
    expectEntered(run, ['main.Before.done', 'main.Conditional Error.condition', 'main.Conditional Error.raise', 'main.errors', 'main.failed', 'run.FAILED', 'run failed']);
    expectNotEntered(run, ['main.Never.done', 'main.Conditional Error.skip', 'main.succeeded']);
    expect(stateNamed(run.compiled.definition, 'run failed')).toEqual({ Type: 'Fail', Error: 'WorkflowFailed', CausePath: '$.cause' });
    expect(run.failure?.name).toBe('WorkflowFailed');
    expect(run.doc.status).toBe('FAILED');
    expect(run.doc.jobs.main.stages).toEqual({
      before: { status: 'SUCCESS', outputs: {} },
      boom: { status: 'FAILED', outputs: {}, errors: { name: 'RaiseError', message: 'Simulated failure for testing error paths' } },
    });
    expect(run.doc.jobs.main.errors).toEqual({ name: 'RaiseError', message: 'Simulated failure for testing error paths' });
  });

  it('raise: with the condition false the raise is skipped and the rest runs', async () => {
    const run = await runCase('raise', { params: { simulate_failure: false } });
    expectEntered(run, ['main.Conditional Error.skip', 'main.Never.done', 'run.SUCCESS']);
    expectNotEntered(run, ['main.Conditional Error.raise']);
    expect(run.doc.jobs.main.stages.boom).toEqual({ status: 'SKIP' });
  });

  it('retry: a templated retry goes round its counter loop: retry_count failures, then success', async () => {
    const run = await runCase('retry', {
      stages: { 'flaky.Flaky': (_p, attempt) => (attempt <= 2 ? { fail: `attempt ${attempt - 1} failed` } : { outputs: { stdout: 'succeeded after 2 retries' } }) },
    });
    expect(run.count('flaky.Flaky.retry init')).toBe(1);
    expect(run.count('flaky.Flaky')).toBe(3);
    expect(run.count('flaky.Flaky.retry wait')).toBe(2);
    expectNotEntered(run, ['flaky.Flaky.record failure', 'flaky.failed']);
    expect(run.doc.jobs.flaky.stages.flaky).toEqual({ status: 'SUCCESS', outputs: { stdout: 'succeeded after 2 retries' } });
  });

  it('retry: attempts are retry + 1, then the failure is recorded', async () => {
    const always = await runCase('retry', { stages: { 'flaky.Flaky': { fail: 'still broken' } } });
    expect(always.count('flaky.Flaky')).toBe(3);
    expectEntered(always, ['flaky.Flaky.record failure', 'flaky.failed', 'run.FAILED']);
    expect(always.doc.jobs.flaky.stages.flaky).toEqual({ status: 'FAILED', outputs: {}, errors: { name: 'StageError', message: 'still broken' } });

    const none = await runCase('retry', { params: { retry_count: 0 }, stages: { 'flaky.Flaky': { fail: 'still broken' } } });
    expect(none.count('flaky.Flaky')).toBe(1);
    expect(none.count('flaky.Flaky.retry wait')).toBe(0);
    expect(none.doc.status).toBe('FAILED');
  });

  it('trigger: the child machine is started with the rendered params and its result becomes the outputs', async () => {
    const run = await runCase('trigger', { stages: { 'build.Build': (p) => ({ outputs: { stdout: `v${p.ctx.params.version} to ${p.ctx.params.environments[1]}` } }) } });
    const task = stateNamed(run.compiled.definition, 'release.Run child');
    expect(task.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect(run.calls).toHaveLength(1);
    const input = run.calls[0]!.input as { StateMachineArn: string; Input: Record<string, any> };
    expect(input.StateMachineArn).toBe('${StateMachine_child}');
    expect(input.Input.params).toEqual({ version: '1.2', environments: ['dev', 'prod'] });
    expect(input.Input.run).toMatchObject({ workflow: 'child', parent: 'r1' });
    expect(input.Input.AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID).toBe('local:parent:r1');
    expect(run.children).toHaveLength(1);
    expect(run.children[0]!.entered).toEqual(expect.arrayContaining(['build.start', 'build.Build', 'run.SUCCESS']));
    expect(run.doc.jobs.release.stages.child).toEqual({
      status: 'SUCCESS',
      outputs: {
        status: 'SUCCESS',
        params: { version: '1.2', environments: ['dev', 'prod'] },
        jobs: { build: { status: 'SUCCESS', stages: { build: { status: 'SUCCESS', outputs: { stdout: 'v1.2 to prod' } } } } },
      },
    });
  });

  it('trigger: a failed child fails the trigger stage', async () => {
    const run = await runCase('trigger', { stages: { 'build.Build': { fail: 'build broke' } } });
    expect(run.children[0]!.doc.status).toBe('FAILED');
    expectEntered(run, ['release.Run child.child failed', 'release.failed', 'run.FAILED']);
    expect(run.doc.jobs.release.stages.child.status).toBe('FAILED');
    expect(run.doc.jobs.release.stages.child.errors.name).toBe('States.TaskFailed');
    expect(run.doc.jobs.release.stages.child.outputs).toMatchObject({ status: 'FAILED', jobs: { build: { status: 'FAILED' } } });
  });

  it('until: loops with the item the stage returns until the native condition holds', async () => {
    const run = await runCase('until', { stages: { 'poll.Wait for Job Completion.loop.Increment Counter': (p) => ({ outputs: { item: p.code.v1 + 1 } }) } });
    const u = 'poll.Wait for Job Completion';
    expect(run.count(`${u}.loop.Increment Counter`)).toBe(3);
    expectEntered(run, [`${u}.start`, `${u}.iteration 1`, `${u}.iteration 2`, `${u}.iteration 3`, `${u}.record iteration`, `${u}.until.condition`, `${u}.done`]);
    // The stage always records outputs, so the next item is merged from them without a Choice.
    expectNotEntered(run, [`${u}.iteration 4`, `${u}.until.evaluate`, `${u}.max-loop`, `${u}.next item`, `${u}.item from inc`]);
    expect(payloads(run, `${u}.loop.Increment Counter`).map((p) => p.code)).toEqual([
      { t0: 'item = ', v1: 0, t2: ' + 1' },
      { t0: 'item = ', v1: 1, t2: ' + 1' },
      { t0: 'item = ', v1: 2, t2: ' + 1' },
    ]);
    const until = run.doc.jobs.poll.stages.wait.outputs.until;
    expect(Object.keys(until)).toEqual(['1', '2', '3']);
    expect(until['1']).toEqual({ status: 'SUCCESS', item: 0, stages: { inc: { status: 'SUCCESS', outputs: { item: 1 } } } });
    expect(until['3'].stages.inc.outputs.item).toBe(3);
    expect(run.doc.status).toBe('SUCCESS');
  });

  it('until: an item that never changes stops at max-loop with a message', async () => {
    const run = await runCase('until', { stages: { 'poll.Wait for Job Completion.loop.Increment Counter': { outputs: {} } } });
    expect(run.count('poll.Wait for Job Completion.loop.Increment Counter')).toBe(10);
    expectEntered(run, ['poll.Wait for Job Completion.max-loop', 'poll.failed']);
    expect(run.doc.jobs.poll.stages.wait.status).toBe('FAILED');
    expect(run.doc.jobs.poll.stages.wait.errors).toEqual({ name: 'UntilError', message: 'until stage "Wait for Job Completion": the condition did not hold after max-loop = 10 iterations' });
  });
});

describe('golden workflows on the local engine with stub tasks', () => {
  it('case-skip-not-match: no match records SKIP and the job goes on', async () => {
    const run = await runGolden('case-skip-not-match', { params: { mode: 'turbo' } });
    expectEntered(run, ['pick.Pick.no match', 'pick.After.done']);
    expectNotEntered(run, ['pick.Pick.case fast.start', 'pick.Pick.evaluate']);
    expect(run.doc.jobs.pick.stages).toEqual({ pick: { status: 'SKIP' }, after: { status: 'SUCCESS', outputs: {} } });
  });

  it('case-no-default: no match fails with CaseError; a computed value is evaluated by the runner', async () => {
    const run = await runGolden('case-no-default', { params: { mode: 'TURBO' } });
    expectEntered(run, ['pick.Pick.evaluate', 'pick.Pick.match', 'pick.Pick.no match', 'pick.failed']);
    expect(payloads(run, 'pick.Pick.evaluate')[0]).toMatchObject({ action: 'eval', items: { value: { kind: 'value', raw: '${{ params.mode | lower }}', mode: 'text' } }, ctx: { params: { mode: 'TURBO' } } });
    expect(run.doc.jobs.pick.stages.pick.errors).toEqual({ name: 'CaseError', message: 'case stage "Pick": the value matched none of "fast", "slow" and there is no default (_) branch' });

    const slow = await runGolden('case-no-default', { params: { mode: 'SLOW' } });
    expectEntered(slow, ['pick.Pick.case slow.start', 'pick.Static.case slow.start', 'run.SUCCESS']);
  });

  it('continue-on-error: failures are recorded and the job still succeeds', async () => {
    const run = await runGolden('continue-on-error', {
      stages: { 'main.May fail': { fail: 'exit 2', outputs: { return_code: 2 } }, 'main.No id may fail': { fail: 'exit 2' } },
    });
    expectEntered(run, ['main.May fail.record failure', 'main.No id may fail', 'main.After.done', 'main.succeeded', 'run.SUCCESS']);
    expectNotEntered(run, ['main.failed']);
    expect(run.doc.jobs.main).toEqual({
      status: 'SUCCESS',
      stages: {
        may: { status: 'FAILED', outputs: { return_code: 2 }, errors: { name: 'StageError', message: 'exit 2' } },
        after: { status: 'SUCCESS', outputs: {} },
      },
    });
  });

  it('try-catch-finally: a failure in try runs catch, then finally; the stage succeeds', async () => {
    const run = await runGolden('try-catch-finally', {
      stages: { 'guarded.Guarded.try.Risky': { fail: 'exit 1', outputs: { return_code: 1 } }, 'guarded.Guarded.finally.Clean': { outputs: { stdout: 'clean' } } },
    });
    const order = ['guarded.Guarded.try.Risky', 'guarded.Guarded.try.failed', 'guarded.Guarded.catch.start', 'guarded.Guarded.finally.start', 'guarded.Guarded.done'];
    expectEntered(run, order);
    expect(order.map((s) => run.entered.indexOf(s))).toEqual(order.map((s) => run.entered.indexOf(s)).sort((a, b) => a - b));
    expectNotEntered(run, ['guarded.Guarded.finally after failure.start', 'guarded.Guarded.failed']);
    const outputs = run.doc.jobs.guarded.stages.guarded.outputs;
    expect(run.doc.jobs.guarded.stages.guarded.status).toBe('SUCCESS');
    expect(outputs.try).toEqual({ status: 'FAILED', stages: { risky: { status: 'FAILED', outputs: { return_code: 1 }, errors: { name: 'StageError', message: 'exit 1' } } }, errors: { name: 'StageError', message: 'exit 1' } });
    expect(outputs.catch).toEqual({ status: 'SUCCESS', stages: { recover: { status: 'SUCCESS', outputs: {} } } });
    expect(outputs.finally).toEqual({ status: 'SUCCESS', stages: { clean: { status: 'SUCCESS', outputs: { stdout: 'clean' } } } });
  });

  it('try-catch-finally: without a failure, catch is skipped and finally runs', async () => {
    const run = await runGolden('try-catch-finally');
    expectEntered(run, ['guarded.Guarded.try.done', 'guarded.Guarded.finally.start', 'guarded.Guarded.done']);
    expectNotEntered(run, ['guarded.Guarded.catch.start']);
    expect(Object.keys(run.doc.jobs.guarded.stages.guarded.outputs)).toEqual(['try', 'finally']);
  });

  it('stage-if: native, bare, computed and mixed-form conditions decide as the expression engine would', async () => {
    const defaults = await runGolden('stage-if');
    expectEntered(defaults, ['main.Native.condition', 'main.Native.skip', 'main.Bare native.condition', 'main.Bare native.done', 'main.Computed.evaluate', 'main.Computed.done', 'main.Mixed.evaluate', 'main.Mixed.done', 'main.Never.skip', 'main.Always']);
    expectNotEntered(defaults, ['main.Native.evaluate', 'main.Bare native.evaluate']);
    expect(payloads(defaults, 'main.Mixed.evaluate')[0]).toMatchObject({ items: { cond: { kind: 'condition', cond: '"${{ params.name }}" == "foo"' } }, ctx: { params: { debug: false, name: 'foo' } } });
    expect(defaults.doc.jobs.main.stages).toEqual({
      native: { status: 'SKIP' },
      bare: { status: 'SUCCESS', outputs: {} },
      computed: { status: 'SUCCESS', outputs: {} },
      mixed: { status: 'SUCCESS', outputs: {} },
      never: { status: 'SKIP' },
    });

    const flipped = await runGolden('stage-if', { params: { debug: true, name: 'ba' } });
    expect(flipped.doc.jobs.main.stages).toEqual({
      native: { status: 'SUCCESS', outputs: {} },
      bare: { status: 'SKIP' },
      computed: { status: 'SKIP' },
      mixed: { status: 'SKIP' },
      never: { status: 'SKIP' },
    });
  });

  it('job-if: status functions, needs results and every trigger rule after a failed job', async () => {
    const run = await runGolden('job-if', { stages: { 'first.First': { fail: 'exit 1' } } });
    const statuses = Object.fromEntries(Object.entries(run.doc.jobs).map(([id, j]) => [id, (j as { status: string }).status]));
    expect(statuses).toEqual({
      first: 'FAILED',
      'on-failure': 'SUCCESS',
      'on-result': 'SUCCESS',
      always: 'SUCCESS',
      'param-gated': 'SKIP',
      computed: 'SUCCESS',
      never: 'SKIP',
      'all-done': 'SUCCESS',
      'all-failed': 'SKIP',
      'one-success': 'SUCCESS',
      'one-failed': 'SUCCESS',
      'none-failed': 'SKIP',
      'always-and-success': 'SKIP',
      'none-skipped': 'SKIP',
    });
    expectEntered(run, ['computed.evaluate', 'param-gated.skip', 'never.skip']);
    expectNotEntered(run, ['never.start', 'on-failure.evaluate']);
    expect(run.doc.status).toBe('FAILED');
  });

  it('job-if: when the first job succeeds the failure handlers are skipped', async () => {
    const run = await runGolden('job-if');
    const statuses = Object.fromEntries(Object.entries(run.doc.jobs).map(([id, j]) => [id, (j as { status: string }).status]));
    expect(statuses).toMatchObject({ first: 'SUCCESS', 'on-failure': 'SKIP', 'on-result': 'SKIP', always: 'SUCCESS', 'param-gated': 'SUCCESS', 'all-failed': 'SKIP', 'one-failed': 'SKIP', 'none-failed': 'SUCCESS', 'always-and-success': 'SUCCESS' });
    expect(run.doc.status).toBe('SUCCESS');
  });

  it('job-retry: a failed job restarts from its first stage until its retries are used', async () => {
    const run = await runGolden('job-retry', { stages: { 'flaky.Try': { fail: 'exit 1' } } });
    expect(run.count('flaky.start')).toBe(3);
    expect(run.count('flaky.Try')).toBe(3);
    expect(run.count('flaky.restart')).toBe(2);
    expect(run.doc.jobs.flaky.status).toBe('FAILED');

    const second = await runGolden('job-retry', { stages: { 'flaky.Try': (_p, attempt) => (attempt === 1 ? { fail: 'exit 1' } : { outputs: { stdout: 'ok' } }) } });
    expect(second.count('flaky.Try')).toBe(2);
    // A restart starts the job record afresh: the first attempt's failure is not kept.
    expect(second.doc.jobs.flaky).toEqual({ status: 'SUCCESS', stages: { try: { status: 'SUCCESS', outputs: { stdout: 'ok' } } } });
  });

  it('retry (static): a Retry on StageFailed makes retry + 1 attempts, then the stage fails', async () => {
    const run = await runGolden('retry', { stages: { 'flaky.Static': { fail: 'exit 1' } } });
    expect(run.calls.filter((c) => c.state === 'flaky.Static')).toHaveLength(4);
    expectEntered(run, ['flaky.Static.record failure', 'flaky.failed']);
    expectNotEntered(run, ['flaky.From param.retry init', 'flaky.From param']);
    expect(run.doc.jobs.flaky.stages).toEqual({ static: { status: 'FAILED', outputs: {}, errors: { name: 'StageError', message: 'exit 1' } } });
  });

  it('retry (computed): the count is evaluated once, then the counter loop uses it', async () => {
    const run = await runGolden('retry', { params: { retry_count: 1 }, stages: { 'flaky.Computed': (_p, attempt) => (attempt < 3 ? { fail: 'flaky' } : { outputs: {} }) } });
    expect(run.count('flaky.Computed.retry.evaluate')).toBe(1);
    expect(run.inputs('flaky.Computed.retry init')).toEqual([expect.objectContaining({ __r: { max: 2 } })]);
    expect(run.calls.filter((c) => c.state === 'flaky.Computed')).toHaveLength(3);
    expect(run.doc.status).toBe('SUCCESS');
  });

  it('job-outputs: outputs are rendered when the job ends and read by needing jobs', async () => {
    const run = await runGolden('job-outputs', { stages: { 'build.Version': { outputs: { stdout: '1.2.3' } }, 'computed.Version': { outputs: { stdout: 'abc' } } } });
    expect(run.doc.jobs.build.outputs).toEqual({ version: '1.2.3', fixed: 'constant' });
    expect(run.doc.jobs.computed.outputs).toEqual({ upper: 'ABC' });
    const [use] = payloads(run, 'use.Use');
    expect(use!.ctx.needs).toEqual(['build', 'computed']);
    expect(use!.ctx.jobs.build.outputs.version).toBe('1.2.3');
    expect(use!.ctx.jobs.computed.outputs.upper).toBe('ABC');
  });

  it('matrix-computed: the axis is computed from a needed job output at run time', async () => {
    const run = await runGolden('matrix-computed', {
      stages: { 'split.Split': { outputs: { stdout: '["p1", "p2", "p3"]' } }, 'work.strategy.Work matrix-part': (p) => ({ outputs: { stdout: `${p.ctx.matrix.part} ${p.ctx.matrix.mode}` } }) },
    });
    expectEntered(run, ['work.matrix.evaluate', 'work.matrix.combinations', 'work.matrix', 'work.matrix.collect', 'work.succeeded']);
    expect(run.count('work.strategy.Work matrix-part')).toBe(3);
    expect(Object.keys(run.doc.jobs.work.strategies)).toEqual(['part-p1_mode-full', 'part-p2_mode-full', 'part-p3_mode-full']);
    expect(run.doc.jobs.work.strategies['part-p2_mode-full'].stages.work.outputs.stdout).toBe('p2 full');
  });

  it('max-job-parallel: independent jobs run in a capped Map, then the job that needs them', async () => {
    const run = await runGolden('max-job-parallel');
    const map = stateNamed(run.compiled.definition, 'jobs.a.b.c');
    expect(map.Type).toBe('Map');
    expect(map.MaxConcurrency).toBe(2);
    expectEntered(run, ['jobs.a.b.c.group 1', 'jobs.a.b.c.group 2', 'jobs.a.b.c.group 3', 'a.succeeded', 'b.succeeded', 'c.succeeded', 'd.start']);
    expect(run.entered.indexOf('d.start')).toBeGreaterThan(Math.max(run.entered.indexOf('a.succeeded'), run.entered.indexOf('b.succeeded'), run.entered.indexOf('c.succeeded')));
    expect(Object.values(run.doc.jobs).map((j) => (j as { status: string }).status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
  });

  it('parallel-capped: more branches than workers run through a Map over the branch names', async () => {
    const run = await runGolden('parallel-capped', { stages: { 'fan.Fan out.c.Step': (p) => ({ outputs: { stdout: p.ctx.branch } }) } });
    const map = stateNamed(run.compiled.definition, 'fan.Fan out');
    expect(map.Type).toBe('Map');
    expect(map.MaxConcurrency).toBe(2);
    expect(run.count('fan.Fan out.branch')).toBe(3);
    expect(run.doc.jobs.fan.stages.par.outputs.parallel.c).toEqual({ status: 'SUCCESS', stages: { step: { status: 'SUCCESS', outputs: { stdout: 'c' } } } });
    expect(Object.keys(run.doc.jobs.fan.stages.par.outputs.parallel)).toEqual(['a', 'b', 'c']);
  });

  it('until-eval: an evaluated condition and initial item', async () => {
    const run = await runGolden('until-eval', { stages: { 'poll.Grow.loop.Step': (p) => ({ outputs: { item: p.code.v1 + 1 } }) } });
    expect(run.count('poll.Grow.until.evaluate')).toBe(3);
    expect(payloads(run, 'poll.Grow.loop.Step').map((p) => p.code.v1)).toEqual([2, 3, 4]);
    expect(run.doc.jobs.poll.stages.grow.status).toBe('SUCCESS');
    expect(Object.keys(run.doc.jobs.poll.stages.grow.outputs.until)).toEqual(['1', '2', '3']);
  });

  it('secret-params: the result document hides the secret, the stage still receives it', async () => {
    const run = await runGolden('secret-params', { params: { user: 'ann', token: 's3cr3t' } });
    expect(run.doc.params).toEqual({ user: 'ann', token: '***' });
    expect(payloads(run, 'main.Use token')[0]!.ctx.params).toEqual({ user: 'ann', token: 's3cr3t' });
    expect(JSON.stringify(run.doc)).not.toContain('s3cr3t');
  });

  it('release lock: a run that carries a lock claims it in the audit table first', async () => {
    const run = await runGolden('echo', { lock: 'lock#2024-01-01T00:00' });
    // The templated echo's rendering (an eval of the stage runner) is not an audit write.
    expect(run.calls.filter((c) => !isEvalCall(c)).map((c) => c.state)).toEqual(['claim release']);
    expect(run.calls[0]!.input).toMatchObject({
      TableName: '${AuditTableName}',
      Item: { workflow: { S: 'echo' }, release: { S: 'lock#2024-01-01T00:00' }, run_id: { S: 'r1' } },
      ConditionExpression: 'attribute_not_exists(#r)',
    });
    expectEntered(run, ['hello.start', 'run.SUCCESS']);
    expect(run.doc.status).toBe('SUCCESS');
  });

  it('release lock: a minute already claimed is SKIP and runs no job', async () => {
    const run = await runGolden('echo', { lock: 'lock#2024-01-01T00:00', lockTaken: true });
    expectEntered(run, ['claim release', 'already released', 'run.already released']);
    expectNotEntered(run, ['hello.start', 'hello.resume']);
    expect(run.doc.status).toBe('SKIP');
    expect(run.doc.jobs).toEqual({});
    expect(run.doc.errors).toEqual([{ name: 'AlreadyReleased', message: 'workflow echo already has a run for this release (lock#2024-01-01T00:00)' }]);
    expect(run.failure).toBeUndefined();
  });

  it('release lock: a run without a lock writes nothing', async () => {
    const run = await runGolden('echo');
    expect(run.calls.filter((c) => !isEvalCall(c))).toEqual([]);
    expectNotEntered(run, ['claim release']);
  });

  it('sleep-templated: the evaluated seconds reach the Wait state', async () => {
    const run = await runGolden('sleep-templated');
    expectEntered(run, ['wait.Wait a while.evaluate', 'wait.Wait a while.sleep', 'wait.Wait a while.done']);
    expect(stateNamed(run.compiled.definition, 'wait.Wait a while.sleep').SecondsPath).toBe('$.__sleep.seconds');
    expect(run.inputs('wait.Wait a while.sleep')).toEqual([expect.objectContaining({ __sleep: { seconds: 6 } })]);
    expect(run.doc.jobs.wait.stages.nap).toEqual({ status: 'SUCCESS', outputs: {} });
  });
});

/** True for a stage-runner `eval` request (rendering a template), as opposed to an action or a write. */
function isEvalCall(call: { input?: unknown }): boolean {
  return (call.input as { Payload?: { action?: string } } | undefined)?.Payload?.action === 'eval';
}
