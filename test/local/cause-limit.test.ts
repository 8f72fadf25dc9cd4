/**
 * The local engine carries a failed Task as Step Functions does: the Lambda runtime's report of the
 * error as the cause, cut at 32,768 characters (and the error name at 256). A runner that let a
 * failure grow past that limit therefore fails the run locally where it fails on AWS: the failure
 * hub's `States.StringToJson` meets a cut cause, which no Catch handles (States.Runtime). And the run's
 * own Fail state carries a short cause, however large its result document.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { lambdaFailure, runLocal, taskFailure } from '../../lib/local/index.ts';
import { RunnerError, stageFailed } from '../../lib/runtime/index.ts';
import { runStubbed } from '../helpers/compiled-machines.ts';

describe('taskFailure and lambdaFailure', () => {
  it('cut a cause to 32,768 characters and a name to 256, as Step Functions records them', () => {
    const e = Object.assign(new Error('c'.repeat(40_000)), { name: 'N'.repeat(300) });
    const cut = taskFailure(e);
    expect(cut.message).toBe('c'.repeat(32_768));
    expect(cut.name).toBe('N'.repeat(256));
    const small = Object.assign(new Error('fine'), { name: 'States.TaskFailed' });
    expect(taskFailure(small)).toBe(small);
  });

  it('never cut a surrogate pair in half', () => {
    const cut = taskFailure(new Error('x' + '😀'.repeat(20_000)));
    expect(cut.message).toHaveLength(32_767);
    expect(cut.message.endsWith('😀')).toBe(true);
  });

  it('make a built-in error class a plain Error (the run tells the engine’s own errors by their class)', () => {
    const out = taskFailure(new SyntaxError('bad'));
    expect(Object.getPrototypeOf(out)).toBe(Error.prototype);
    expect([out.name, out.message]).toEqual(['SyntaxError', 'bad']);
  });

  it('lambdaFailure: the cause is what Node’s Lambda runtime reports, {errorType, errorMessage, trace}', () => {
    const e = stageFailed({ name: 'StageError', message: 'boom' });
    const failure = lambdaFailure(e);
    expect(failure.name).toBe('StageFailed');
    const cause = JSON.parse(failure.message) as { errorType: string; errorMessage: string; trace: string[] };
    expect(Object.keys(cause)).toEqual(['errorType', 'errorMessage', 'trace']);
    expect(cause.errorType).toBe('StageFailed');
    expect(JSON.parse(cause.errorMessage)).toEqual({ status: 'FAILED', outputs: {}, errors: { name: 'StageError', message: 'boom' } });
    expect(cause.trace).toEqual(e.stack!.split('\n'));
  });

  it('lambdaFailure: an error the Python runner reported keeps its runtime’s report verbatim', () => {
    const e = new RunnerError('StageFailed', '{"status":"FAILED"}');
    e.lambdaCause = '{"errorMessage": "{\\"status\\":\\"FAILED\\"}", "errorType": "StageFailed", "requestId": "r", "stackTrace": []}';
    expect(lambdaFailure(e).message).toBe(e.lambdaCause);
  });
});

describe('a runner that forgot to trim', () => {
  let dir = '';
  const previous = process.env.WORKFLOW_CORE_PYTHON;
  const text = `forgot:
  type: Workflow
  jobs:
    main:
      stages:
        - name: Loud
          id: loud
          continue-on-error: true
          run: x = 1
        - name: After
          id: after
          echo: the run goes on
`;
  const { workflows } = loadWorkflowsFromText({ 'forgot.yml': text });

  /** A stand-in for python3 that answers every request with a StageFailed record whose stdout has `bytes` characters, untrimmed. */
  function fakeRunner(bytes: number): void {
    const script = join(dir, 'python');
    writeFileSync(
      script,
      `#!/bin/sh\ncat > /dev/null\nexec node -e 'const r = {status: "FAILED", outputs: {stdout: "o".repeat(${bytes})}, errors: {name: "StageError", message: "boom"}}; console.log(JSON.stringify({ok: false, errorType: "StageFailed", errorMessage: JSON.stringify(r)}))'\n`,
    );
    chmodSync(script, 0o755);
    process.env.WORKFLOW_CORE_PYTHON = script;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wf-cause-limit-'));
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.WORKFLOW_CORE_PYTHON;
    else process.env.WORKFLOW_CORE_PYTHON = previous;
    rmSync(dir, { recursive: true, force: true });
  });

  it('with a failure that fits, the stage is FAILED and the run goes on (continue-on-error)', async () => {
    fakeRunner(20_000);
    const doc = await runLocal(workflows.get('forgot')!);
    expect(doc.status).toBe('SUCCESS');
    const stages = (doc.jobs.main as { stages: Record<string, { status: string; outputs?: { stdout?: string } }> }).stages;
    expect(stages.loud!.status).toBe('FAILED');
    expect(stages.loud!.outputs!.stdout).toHaveLength(20_000);
    expect(stages.after!.status).toBe('SUCCESS');
  });

  it('with a cause past 32,768 characters, the run fails with States.Runtime, as on AWS, and nothing after it runs', async () => {
    fakeRunner(40_000);
    const doc = await runLocal(workflows.get('forgot')!);
    expect(doc.status).toBe('FAILED');
    expect(doc.errors).toHaveLength(1);
    expect(doc.errors[0]!.name).toBe('States.Runtime');
    expect(doc.errors[0]!.message).toContain('JSON');
    expect(doc.jobs).toEqual({});
  });
});

describe('the run’s Fail state', () => {
  const text = `loud:
  type: Workflow
  jobs:
    a:
      stages:
        - { name: Fails, id: fails, bash: exit 1 }
    b:
      stages:
        - { name: Fails too, id: fails, bash: exit 1 }
`;
  const { workflows } = loadWorkflowsFromText({ 'loud.yml': text });

  it('has a short cause naming the run, however large the result document; the document is the result state’s output', async () => {
    const big = { return_code: 1, stdout: 'o'.repeat(20_000), stderr: 'e'.repeat(10_000) };
    const run = await runStubbed(workflows.get('loud')!, { stages: { 'a.Fails': { fail: 'exit 1', outputs: big }, 'b.Fails too': { fail: 'exit 1', outputs: big } } });
    expect(JSON.stringify(run.doc).length).toBeGreaterThan(32_768 * 1.5);
    expect(run.doc.jobs.a.stages.fails.outputs).toEqual(big);
    expect(run.doc.jobs.b.stages.fails.outputs).toEqual(big);
    expect(run.failure!.name).toBe('WorkflowFailed');
    expect(run.failure!.cause.length).toBeLessThan(1_000);
    expect(run.failure!.cause).toBe('workflow "loud" run r1 FAILED; its result document, with every job record, is the output of its last "run." state in the execution history');
  });
});
