import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunnerRequest, RunStageRequest, StageSpec, WireContext } from '../../lib/protocol/index.ts';
import { clearRegistry, handleRequest, runPython, tag } from '../../lib/runtime/index.ts';

function stage(kind: StageSpec['kind'], fields: Record<string, unknown>, ctx: WireContext = {}, extra: Partial<StageSpec> = {}): RunStageRequest {
  return { action: 'stage', stage: { kind, name: 'Greet', fields, ...extra }, ctx };
}

/** The thrown error's name and its message parsed (a StageFailed message is the record's JSON). */
async function failure(req: unknown, options?: Parameters<typeof handleRequest>[1]): Promise<{ name: string; record: any; message: string }> {
  try {
    await handleRequest(req as RunnerRequest, options);
  } catch (err) {
    const e = err as Error;
    let record: unknown;
    try {
      record = JSON.parse(e.message);
    } catch {
      record = undefined;
    }
    return { name: e.name, record, message: e.message };
  }
  throw new Error('the request did not fail');
}

describe('bash stages', () => {
  it('renders env and script, runs them, and returns SUCCESS with the outputs (echo-bash conformance)', async () => {
    const r = await handleRequest(
      stage('bash', { env: { WHO: '${{ params.who }}' }, bash: 'echo "hello $WHO"\necho "warn" 1>&2\n' }, { params: { who: 'world' } }),
    );
    expect(r).toEqual({ status: 'SUCCESS', outputs: { return_code: 0, stdout: 'hello world', stderr: 'warn' } });
  });

  it('renders templates in the script in bash mode: strings bare, other values as JSON', async () => {
    const r = await handleRequest(
      stage('bash', { bash: 'echo ${{ params.name }} ${{ params.list }} ${{ params.n }} ${{ stages.a.outputs.v }}' }, {
        params: { name: 'ann', list: [1, 2], n: 3 },
        scopes: [{ a: { outputs: { v: 'outer' } } }, { a: { outputs: { v: 'inner' } } }],
      }),
    );
    expect(r).toMatchObject({ outputs: { stdout: 'ann [1,2] 3 inner' } });
  });

  it('uses values the compiler resolved, at the path their template reads', async () => {
    const r = await handleRequest({
      ...stage('bash', { bash: 'echo "$V ${{ stages.build.outputs.version }}"', env: { V: '${{ stages.build.outputs.version }}' } }, { scopes: [] }),
      resolved: { '${{ stages.build.outputs.version }}': '1.2.3' },
    });
    expect(r).toMatchObject({ outputs: { stdout: '1.2.3 1.2.3' } });
  });

  it('a non-zero exit throws StageFailed whose message is the failed record with the outputs', async () => {
    const f = await failure(stage('bash', { bash: 'echo partial\necho "first problem" >&2\necho "disk full" >&2\nexit 7' }));
    expect(f.name).toBe('StageFailed');
    expect(f.record).toEqual({
      status: 'FAILED',
      outputs: { return_code: 7, stdout: 'partial', stderr: 'first problem\ndisk full' },
      errors: { name: 'StageError', message: 'bash stage "Greet" exited with code 7: disk full' },
    });
  });

  it('a timeout (stage.timeout seconds) kills the script and fails with StageTimeout', async () => {
    const f = await failure(stage('bash', { bash: 'echo started; sleep 30' }, {}, { timeout: 1 }));
    expect(f.name).toBe('StageFailed');
    expect(f.record.errors).toEqual({ name: 'StageTimeout', message: 'bash stage "Greet" timed out after 1 s and was killed' });
    expect(f.record.outputs).toMatchObject({ stdout: 'started', return_code: 143 });
  });

  it('a script killed by a signal names the signal', async () => {
    const f = await failure(stage('bash', { bash: 'kill -SEGV $$' }));
    expect(f.record.errors).toEqual({ name: 'StageError', message: 'bash stage "Greet" was killed by signal SIGSEGV (return code 139)' });
  });

  it('a cancelled stage fails as CANCEL', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const f = await failure(stage('bash', { bash: 'sleep 30' }), { signal: ac.signal });
    expect(f.record).toMatchObject({ status: 'CANCEL', errors: { name: 'StageCancelled' } });
  });

  it('a template failure is StageFailed with an ExpressionError naming the stage, the field and the problem', async () => {
    const f = await failure(stage('bash', { bash: 'echo "$WHO"', env: { WHO: '${{ parms.who }}' } }, { params: { who: 'x' } }));
    expect(f.name).toBe('StageFailed');
    expect(f.record).toEqual({
      status: 'FAILED',
      outputs: {},
      errors: {
        name: 'ExpressionError',
        message: 'bash stage "Greet": cannot render env.WHO ("${{ parms.who }}"): unknown name "parms" [WF4001]; names in scope here are "params"; did you mean "params"?',
      },
    });
  });

  it('dryrun renders and says what would run without running it', async () => {
    const r = await handleRequest(stage('bash', { bash: 'rm -rf "${{ params.dir }}"', env: { A: '1' } }, { params: { dir: '/data' } }, { dryrun: true }));
    expect(r).toEqual({ status: 'SUCCESS', outputs: { dryrun: 'would run bash (env: A, WF_VALUE_0):\nrm -rf "${WF_VALUE_0}"\nwith WF_VALUE_0="/data"' } });
  });
});

describe('call stages', () => {
  beforeEach(() => {
    clearRegistry();
    tag('tasks', { alias: 'greet', schema: z.object({ who: z.string(), n: z.number() }) }, ({ who, n }) => ({ message: `hello ${who}`, n }));
    tag('tasks', { alias: 'explode' }, () => {
      throw 'kaboom';
    });
    tag('tasks', { alias: 'slow' }, () => new Promise((r) => setTimeout(() => r({}), 5000)));
  });

  it('renders with (types kept for whole templates) and returns the function\'s dict as outputs', async () => {
    const r = await handleRequest(stage('call', { uses: 'tasks/greet@latest', with: { who: '${{ params.who }}', n: '${{ params.n }}' } }, { params: { who: 'ann', n: 2 } }));
    expect(r).toEqual({ status: 'SUCCESS', outputs: { message: 'hello ann', n: 2 } });
  });

  it('accepts args as an alias of with', async () => {
    const r = await handleRequest(stage('call', { uses: 'tasks/greet', args: { who: 'bo', n: 1 } }));
    expect(r).toMatchObject({ outputs: { message: 'hello bo' } });
  });

  it('an unknown function fails with RegistryError and a did-you-mean', async () => {
    const f = await failure(stage('call', { uses: 'tasks/gret@latest', with: {} }));
    expect(f.record.errors).toEqual({
      name: 'RegistryError',
      message: 'call stage "Greet": registry "tasks" has no function "gret" (uses "tasks/gret@latest"); its functions are "explode", "greet", "slow"; did you mean "greet"?',
    });
  });

  it('bad arguments fail with ArgumentError listing each', async () => {
    const f = await failure(stage('call', { uses: 'tasks/greet@latest', with: { who: 1 } }));
    expect(f.record.errors.name).toBe('ArgumentError');
    expect(f.record.errors.message).toBe(
      'call stage "Greet": arguments do not match tasks/greet@latest:\n  - who: expected string, received 1 (number)\n  - n: expected number, received nothing (missing)',
    );
  });

  it('a thrown string is reported with its text', async () => {
    const f = await failure(stage('call', { uses: 'tasks/explode@latest' }));
    expect(f.record.errors).toEqual({ name: 'Error', message: 'call stage "Greet": tasks/explode@latest failed: threw "kaboom"' });
  });

  it('stops waiting at the stage timeout', async () => {
    const f = await failure(stage('call', { uses: 'tasks/slow@latest' }, {}, { timeout: 0.2 }));
    expect(f.record.errors).toEqual({ name: 'StageTimeout', message: 'call stage "Greet" timed out after 0.2 s (tasks/slow@latest did not return)' });
  });

  it('dryrun does not call', async () => {
    const r = await handleRequest(stage('call', { uses: 'tasks/explode@latest', with: { a: 1 } }, {}, { dryrun: true }));
    expect(r).toEqual({ status: 'SUCCESS', outputs: { dryrun: 'would call tasks/explode@latest with {"a":1}' } });
  });
});

describe('docker stages', () => {
  it('without a Docker engine, fails with a clear message (this machine has none running)', async () => {
    const f = await failure(stage('docker', { image: 'alpine', tag: '3.20', cmd: 'echo hi' }));
    expect(f.name).toBe('StageFailed');
    expect(f.record.errors.name).toBe('DockerUnavailable');
    expect(f.record.errors.message).toMatch(
      /^docker stage "Greet": docker stages need a Docker engine; none answered at \S+ \(.+\); on AWS they run on ECS Fargate$/,
    );
  });

  it('dryrun says what would run', async () => {
    const r = await handleRequest(stage('docker', { image: 'alpine', tag: '${{ params.v }}', cmd: ['echo', 'hi'] }, { params: { v: '3.20' } }, { dryrun: true }));
    expect(r).toEqual({ status: 'SUCCESS', outputs: { dryrun: 'would run docker alpine:3.20 echo hi' } });
  });
});

describe('py stages through handleRequest', () => {
  it('renders run in Python mode and vars, gives the scope as globals, and runs them with runPy', async () => {
    const r = await handleRequest(
      stage('py', { vars: { rows: 1500, threshold: '${{ params.threshold }}' }, run: 'size = "large" if rows > threshold else "small"\ndoubled = rows * 2\nflag = ${{ params.on }}\nwho = params["who"]' }, {
        params: { threshold: 1000, on: true, who: 'ann' },
      }),
      { runPy: (req) => runPython(req) },
    );
    expect(r).toEqual({ status: 'SUCCESS', outputs: { rows: 1500, threshold: 1000, size: 'large', doubled: 3000, flag: true, who: 'ann' } });
  });

  it('without a Python runner, a py stage is a BadRequest', async () => {
    const f = await failure(stage('py', { run: 'x = 1' }));
    expect(f.name).toBe('BadRequest');
    expect(f.message).toBe('py stage "Greet": py stages run in the Python runner, not the stage runner');
  });
});

describe('eval requests', () => {
  const ctx: WireContext = {
    params: { env: 'prod', n: 3, items: ['a', 'b'], json: '[1,2]' },
    jobs: { build: { status: 'SUCCESS' }, test: { status: 'FAILED' } },
    needs: ['build', 'test'],
  };

  it('evaluates conditions and values', async () => {
    const r = await handleRequest({
      action: 'eval',
      ctx,
      items: {
        isProd: { kind: 'condition', cond: "${{ params.env == 'prod' }}" },
        bare: { kind: 'condition', cond: 'params.n > 2' },
        literal: { kind: 'condition', cond: false },
        value: { kind: 'value', raw: '${{ params.n }}' },
        text: { kind: 'value', raw: 'n=${{ params.n }} items=${{ params.items }}' },
        python: { kind: 'value', raw: 'x = ${{ params.items }}', mode: 'python' },
        nested: { kind: 'value', raw: { a: ['${{ params.env }}'] } },
        testResult: { kind: 'value', raw: '${{ needs.test.result }}' },
      },
    });
    expect(r).toEqual({
      isProd: true,
      bare: true,
      literal: false,
      value: 3,
      text: 'n=3 items=["a","b"]',
      python: "x = ['a', 'b']",
      nested: { a: ['prod'] },
      testResult: 'failure',
    });
  });

  it('job-level facts: success() is false and failure() true when a needed job failed', async () => {
    const r = await handleRequest({
      action: 'eval',
      ctx,
      items: {
        jobSuccess: { kind: 'condition', cond: '${{ success() }}', facts: 'job' },
        jobFailure: { kind: 'condition', cond: '${{ failure() }}', facts: 'job' },
        stageSuccess: { kind: 'condition', cond: '${{ success() }}' },
      },
    });
    expect(r).toEqual({ jobSuccess: false, jobFailure: true, stageSuccess: true });
  });

  it('list, seconds and python-parts modes', async () => {
    const r = await handleRequest({
      action: 'eval',
      ctx,
      items: {
        list: { kind: 'value', raw: '${{ fromJson(params.json) }}', mode: 'list' },
        seconds: { kind: 'value', raw: '${{ params.n / 2 }}', mode: 'seconds' },
        parts: { kind: 'value', raw: 'x = ${{ params.n }} + 1\ny = ${{ params.env }}', mode: 'python-parts' },
      },
    });
    expect(r).toEqual({ list: [1, 2], seconds: 2, parts: ['x = ', { value: 3 }, ' + 1\ny = ', { value: 'prod' }] });
  });

  it('a condition that is not boolean is an ExpressionError naming the item and the expression', async () => {
    const f = await failure({ action: 'eval', ctx, items: { cond: { kind: 'condition', cond: '${{ params.env }}' } } });
    expect(f.name).toBe('ExpressionError');
    expect(f.message).toMatch(/^condition "\$\{\{ params.env \}\}" gave the string "prod", not true or false \[WF4007\]; /);
  });

  it('a list mode value that is not a list is an ExpressionError', async () => {
    const f = await failure({ action: 'eval', ctx, items: { items: { kind: 'value', raw: '${{ params.env }}', mode: 'list' } } });
    expect(f.name).toBe('ExpressionError');
    expect(f.message).toBe('items "${{ params.env }}": foreach needs a list, but the value is the string "prod" [WF4006]; a JSON text becomes a list with fromJson(...)');
  });

  it('an unknown name is an ExpressionError with a did-you-mean', async () => {
    const f = await failure({ action: 'eval', ctx, items: { v: { kind: 'value', raw: '${{ parms.env }}' } } });
    expect(f.name).toBe('ExpressionError');
    expect(f.message).toContain('did you mean "params"?');
  });
});

describe('collect requests', () => {
  it('foreach makes each item\'s record from its stages and keys it by item', async () => {
    const stages = [{}, { s: { status: 'SUCCESS' } }];
    expect(await handleRequest({ action: 'collect', kind: 'foreach', items: ['a', 2], results: stages })).toEqual({
      items: ['a', 2],
      foreach: { a: { status: 'SUCCESS', item: 'a', stages: {} }, '2': { status: 'SUCCESS', item: 2, stages: { s: { status: 'SUCCESS' } } } },
    });
  });

  it('foreach keys by index with use-index-as-key, for non-scalar items, and when items repeat', async () => {
    expect(await handleRequest({ action: 'collect', kind: 'foreach', items: ['a'], results: [{}], useIndexAsKey: true })).toEqual({ items: ['a'], foreach: { '0': { status: 'SUCCESS', item: 'a', stages: {} } } });
    expect(await handleRequest({ action: 'collect', kind: 'foreach', items: [{ id: 1 }, 'b'], results: [{}, {}] })).toEqual({
      items: [{ id: 1 }, 'b'],
      foreach: { '0': { status: 'SUCCESS', item: { id: 1 }, stages: {} }, b: { status: 'SUCCESS', item: 'b', stages: {} } },
    });
    expect(await handleRequest({ action: 'collect', kind: 'foreach', items: ['x', 'x'], results: [{ one: {} }, { two: {} }] })).toEqual({
      items: ['x', 'x'],
      foreach: { '0': { status: 'SUCCESS', item: 'x', stages: { one: {} } }, '1': { status: 'SUCCESS', item: 'x', stages: { two: {} } } },
    });
  });

  it('foreach of a batched stage takes the chunks\' records, items included', async () => {
    const chunks = [[{ status: 'SUCCESS', item: 'q', stages: {} }], [{ status: 'SUCCESS', item: 'r', stages: { s: {} } }]];
    expect(await handleRequest({ action: 'collect', kind: 'foreach', chunked: true, results: chunks })).toEqual({ items: ['q', 'r'], foreach: { q: chunks[0]![0], r: chunks[1]![0] } });
  });

  it('matrix keys results by their strategy key, dropping the key', async () => {
    const r = await handleRequest({
      action: 'collect',
      kind: 'matrix',
      results: [
        { key: 'os-linux', matrix: { os: 'linux' }, status: 'SUCCESS', stages: {} },
        { key: 'os-mac', matrix: { os: 'mac' }, status: 'FAILED', stages: {}, errors: { name: 'StageError', message: 'x' } },
      ],
    });
    expect(r).toEqual({
      'os-linux': { matrix: { os: 'linux' }, status: 'SUCCESS', stages: {} },
      'os-mac': { matrix: { os: 'mac' }, status: 'FAILED', stages: {}, errors: { name: 'StageError', message: 'x' } },
    });
  });
});

describe('bad requests', () => {
  it('py and virtual-py requests belong to the Python runner', async () => {
    const f = await failure({ action: 'py', name: 'x', code: [], vars: {}, globals: {} });
    expect(f.name).toBe('BadRequest');
    expect(f.message).toContain('go to the Python runner');
  });

  it('an unknown action, a malformed stage, an unknown kind', async () => {
    expect(await failure({ action: 'nope' })).toMatchObject({ name: 'BadRequest', message: 'unknown action "nope"; expected "stage", "eval", "collect", "tally", "prepare", "start-deadline", "signal-wait", "needs-wait", "job-done", "concurrency-reclaim", "concurrency-cancel", "child-outcome" or "forget-secrets"' });
    expect(await failure({ action: 'stage', stage: { kind: 'bash' }, ctx: {} })).toMatchObject({ name: 'BadRequest' });
    expect(await failure(stage('trigger' as StageSpec['kind'], {}))).toMatchObject({
      name: 'BadRequest',
      message: 'the stage runner cannot run a stage of kind "trigger"',
    });
    expect(await failure(null)).toMatchObject({ name: 'BadRequest' });
  });

  it('a resolved key that is not a plain path template', async () => {
    const f = await failure({ ...stage('bash', { bash: 'true' }), resolved: { '${{ a + 1 }}': 2 } });
    expect(f).toMatchObject({ name: 'BadRequest', message: 'resolved key "${{ a + 1 }}" is not a plain path template' });
  });
});
