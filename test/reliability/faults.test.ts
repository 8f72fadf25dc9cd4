/**
 * Faults at run time, injected into real processes on the local engine (`runLocal`, the compiled
 * machine, real bash and python3): a script killed by a signal, a Python interpreter that exits
 * under the runner or never returns, call functions that throw things that are not Errors, and
 * outputs over the payload budget (spilled to the local S3 server). Each fault ends as a FAILED stage record with a
 * message that says what happened; the run itself always ends with a result document, and no
 * process is left behind.
 */
import '../../lib/local/polyfill.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflowsFromText, type Workflow } from '../../lib/config/index.ts';
import { runLocal, type ResultDocument } from '../../lib/local/index.ts';
import { OUTPUT_BUDGET_BYTES, tag } from '../../lib/runtime/index.ts';
import { startS3Fixture, type S3Fixture } from '../helpers/local-s3-fixture.ts';

let dir: string;

const CONF = `
faults:
  type: Workflow
  params:
    dir: str
  jobs:
    signal:
      stages:
        - name: Kill itself
          id: kill
          bash: echo before; echo going >&2; kill -9 $$
    term:
      stages:
        - name: Terminated
          id: term
          bash: kill -TERM $$
    exit:
      stages:
        - name: Exit the interpreter
          id: exit
          run: |
            import os
            os._exit(3)
    crash:
      stages:
        - name: Abort the interpreter
          id: crash
          run: |
            import os, signal
            os.kill(os.getpid(), signal.SIGSEGV)
    hang:
      stages:
        - name: Sleeps too long
          id: hang
          timeout: 1
          run: |
            import os, time
            open(params["dir"] + "/hang.pid", "w").write(str(os.getpid()))
            time.sleep(60)
    deaf:
      stages:
        - name: Ignores the alarm
          id: deaf
          timeout: 1
          run: |
            import os, signal, time
            open(params["dir"] + "/deaf.pid", "w").write(str(os.getpid()))
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            while True:
                time.sleep(0.1)
    after:
      needs: [signal, exit, hang, deaf]
      if: \${{ always() }}
      stages:
        - { name: Still runs, id: after, bash: echo after }
calls:
  type: Workflow
  jobs:
    string: { stages: [{ name: Throws a string, id: s, uses: faults/string@v1 }] }
    object: { stages: [{ name: Throws an object, id: o, uses: faults/object@v1 }] }
    nothing: { stages: [{ name: Throws undefined, id: u, uses: faults/undefined@v1 }] }
    nulled: { stages: [{ name: Throws null, id: n, uses: faults/null@v1 }] }
    cycle: { stages: [{ name: Throws a cycle, id: c, uses: faults/cycle@v1 }] }
    later: { stages: [{ name: Rejects later, id: l, uses: faults/later@v1 }] }
    nameless: { stages: [{ name: Throws a bare Error, id: e, uses: faults/nameless@v1 }] }
    bigint: { stages: [{ name: Returns a BigInt, id: b, uses: faults/bigint@v1 }] }
    hangs: { stages: [{ name: Never settles, id: h, timeout: 1, uses: faults/never@v1 }] }
big:
  type: Workflow
  jobs:
    outputs:
      stages:
        - name: Loud bash
          id: bash
          bash: head -c 100000 /dev/zero | tr '\\\\0' a; echo; echo small >&2
        - name: Big py
          id: py
          run: |
            big = "x" * 100000
            small = 1
        - name: Big call
          id: call
          uses: faults/big@v1
        - name: Many medium
          id: many
          run: |
            a = "a" * 12000
            b = "b" * 12000
            c = "c" * 12000
            d = 4
`;

let workflows: Map<string, Workflow>;

function run(name: string, params: Record<string, unknown> = {}): Promise<ResultDocument> {
  return runLocal(workflows.get(name)!, { workflows, params, retryWaitMs: 0 });
}

type Job = { status: string; errors?: { name: string; message: string }; stages?: Record<string, { status: string; outputs?: Record<string, unknown>; errors?: { name: string; message: string } }> };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wf-faults-'));
  const loaded = loadWorkflowsFromText({ 'conf/faults.yml': CONF });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  workflows = loaded.workflows;
  tag('faults', { alias: 'string', tag: 'v1' }, () => {
    throw 'disk full';
  });
  tag('faults', { alias: 'object', tag: 'v1' }, () => {
    throw { code: 42, reason: 'quota' };
  });
  tag('faults', { alias: 'undefined', tag: 'v1' }, () => {
    throw undefined;
  });
  tag('faults', { alias: 'null', tag: 'v1' }, () => {
    throw null;
  });
  tag('faults', { alias: 'cycle', tag: 'v1' }, () => {
    const o: Record<string, unknown> = { name: 'loop' };
    o.self = o;
    throw o;
  });
  tag('faults', { alias: 'later', tag: 'v1' }, () => new Promise((_, reject) => setTimeout(() => reject(7), 10)));
  tag('faults', { alias: 'nameless', tag: 'v1' }, () => {
    throw new Error();
  });
  tag('faults', { alias: 'bigint', tag: 'v1' }, () => ({ n: 10n }));
  tag('faults', { alias: 'never', tag: 'v1' }, () => new Promise(() => undefined));
  tag('faults', { alias: 'big', tag: 'v1' }, () => ({ big: 'y'.repeat(100_000), n: 1 }));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('processes that die', () => {
  let doc: ResultDocument;
  let jobs: Record<string, Job>;
  beforeAll(async () => {
    doc = await run('faults', { dir });
    jobs = doc.jobs as Record<string, Job>;
  }, 30_000);

  it('a bash stage killed by SIGKILL fails with a message naming the signal, keeping what it printed', () => {
    const kill = jobs.signal!.stages!.kill!;
    expect(kill.status).toBe('FAILED');
    expect(kill.errors).toEqual({ name: 'StageError', message: 'bash stage "Kill itself" was killed by signal SIGKILL (return code 137): going' });
    expect(kill.outputs).toEqual({ return_code: 137, stdout: 'before', stderr: 'going' });
    expect(jobs.term!.stages!.term!.errors!.message).toBe('bash stage "Terminated" was killed by signal SIGTERM (return code 143)');
  });

  it('a py stage that ends the interpreter (os._exit, a fatal signal) fails with what happened', () => {
    expect(jobs.exit!.stages!.exit!.errors).toEqual({
      name: 'StageError',
      message: 'py stage "Exit the interpreter": the Python runner exited with code 3 without a result (did the code call os._exit or crash the interpreter?)',
    });
    expect(jobs.crash!.stages!.crash!.errors!.message).toMatch(/^py stage "Abort the interpreter": the Python runner was killed by signal SIGSEGV without a result/);
  });

  it('a py stage that never returns is stopped by its timeout, or 5 s later by the Task timeout when it ignores the alarm; no process is left', async () => {
    expect(jobs.hang!.stages!.hang!.errors).toEqual({ name: 'StageTimeout', message: 'py stage "Sleeps too long" timed out after 1 s' });
    // Code that does not see SIGALRM is ended by the Task's own timeout (stage timeout + 5 s), as on
    // AWS; locally the runner process is killed then.
    expect(jobs.deaf!.stages!.deaf!.status).toBe('FAILED');
    expect(jobs.deaf!.stages!.deaf!.errors!.name).toBe('States.Timeout');
    // The runner is killed at the same deadline as the Task's timeout, so the run may end a moment
    // before the kill lands: the process is gone within a few seconds.
    for (const f of ['hang.pid', 'deaf.pid']) {
      const pid = Number(readFileSync(join(dir, f), 'utf8'));
      for (let waited = 0; alive(pid) && waited < 10_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      expect(alive(pid), f).toBe(false);
    }
  }, 20_000);

  it('the run goes on: a job that asks to run after failures runs, and the run ends FAILED with every job recorded', () => {
    expect(jobs.after!.status).toBe('SUCCESS');
    expect(doc.status).toBe('FAILED');
    expect(Object.keys(jobs).sort()).toEqual(['after', 'crash', 'deaf', 'exit', 'hang', 'signal', 'term']);
    expect(doc.errors).toEqual([]);
  });
});

describe('call functions that throw what is not an Error', () => {
  let jobs: Record<string, Job>;
  beforeAll(async () => {
    jobs = (await run('calls')).jobs as Record<string, Job>;
  }, 20_000);

  it.each([
    ['string', 's', 'call stage "Throws a string": faults/string@v1 failed: threw "disk full"'],
    ['object', 'o', 'call stage "Throws an object": faults/object@v1 failed: threw {"code":42,"reason":"quota"}'],
    ['nothing', 'u', 'call stage "Throws undefined": faults/undefined@v1 failed: threw undefined'],
    ['nulled', 'n', 'call stage "Throws null": faults/null@v1 failed: threw null'],
    ['cycle', 'c', 'call stage "Throws a cycle": faults/cycle@v1 failed: threw <ref *1> { name: \'loop\', self: [Circular *1] }'],
    ['later', 'l', 'call stage "Rejects later": faults/later@v1 failed: threw 7'],
    ['nameless', 'e', 'call stage "Throws a bare Error": faults/nameless@v1 failed: '],
  ])('%s: the stage fails as Error with the thrown value in its message', (job, stage, message) => {
    expect(jobs[job]!.stages![stage]).toEqual({ status: 'FAILED', outputs: {}, errors: { name: 'Error', message } });
  });

  it('outputs JSON cannot hold are an OutputError; a function that never settles is stopped by the timeout', () => {
    expect(jobs.bigint!.stages!.b!.errors!.name).toBe('OutputError');
    expect(jobs.bigint!.stages!.b!.errors!.message).toContain('faults/bigint@v1 returned outputs that are not JSON');
    expect(jobs.hangs!.stages!.h!.errors).toEqual({ name: 'StageTimeout', message: 'call stage "Never settles" timed out after 1 s (faults/never@v1 did not return)' });
  });
});

describe('outputs over the payload budget', () => {
  let fx: S3Fixture;
  beforeAll(async () => {
    fx = await startS3Fixture([]);
  });
  afterAll(async () => fx?.close());

  it(`go to the results bucket past ${OUTPUT_BUDGET_BYTES} bytes per stage, largest first, each replaced by a reference to its value`, async () => {
    const doc = await runLocal(workflows.get('big')!, { workflows, retryWaitMs: 0, s3: fx.local.client });
    expect(doc.status).toBe('SUCCESS');
    const stages = (doc.jobs as Record<string, Job>).outputs!.stages!;
    const spilled = async (v: unknown): Promise<unknown> => {
      const ref = (v as { __spilled__: { bucket: string; key: string; bytes: number } }).__spilled__;
      expect(ref.key).toMatch(/^wf-spill\//);
      const value = await fx.getJson(ref.bucket, ref.key);
      expect(ref.bytes).toBe(Buffer.byteLength(JSON.stringify(value)));
      return value;
    };
    expect(stages.bash!.outputs!.return_code).toBe(0);
    expect(stages.bash!.outputs!.stderr).toBe('small');
    // bash keeps at most 64 KiB per stream (head and tail) before the budget applies.
    const stdout = (await spilled(stages.bash!.outputs!.stdout)) as string;
    expect(Buffer.byteLength(stdout)).toBeGreaterThan(65_536);
    expect(stdout).toContain('[truncated');
    expect(await spilled((stages.py!.outputs as { big: unknown }).big)).toBe('x'.repeat(100_000));
    expect(stages.py!.outputs!.small).toBe(1);
    expect(await spilled((stages.call!.outputs as { big: unknown }).big)).toBe('y'.repeat(100_000));
    expect(stages.call!.outputs!.n).toBe(1);
    // Three values of 12 KB pass the 32 KB budget together: only the largest (first by name) goes.
    expect(await spilled((stages.many!.outputs as { a: unknown }).a)).toBe('a'.repeat(12000));
    expect(stages.many!.outputs).toMatchObject({ b: 'b'.repeat(12000), c: 'c'.repeat(12000), d: 4 });
    for (const s of Object.values(stages)) expect(Buffer.byteLength(JSON.stringify(s.outputs))).toBeLessThanOrEqual(OUTPUT_BUDGET_BYTES);
  });
});
