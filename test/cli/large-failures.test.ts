/**
 * Failures larger than a Step Functions cause (32,768 characters) through the real `wf run`: a bash
 * stage, a py stage and a virtual py stage that each write 40 KB on stdout and on stderr, and a
 * call stage whose function throws a 40 KB message. Each is recorded FAILED with its long text cut
 * in the middle (marker present, head and tail kept), and the run goes on as `continue-on-error`
 * says. The wrapped form each runner's failure takes on Lambda is computed from the error the
 * runner really throws, the way each Lambda runtime computes it, and must stay under the limit.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/stage-runner/index.ts';
import { clearRegistry, PY_RUNNER_PATH } from '../../lib/runtime/index.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;
const REGISTRY = new URL('./fixtures/loud-registry.ts', import.meta.url).pathname;
const CAUSE_LIMIT = 32_768;
const MARKER = /…\[truncated \d+ bytes\]…/;

const BASH = `printf 'OUT-HEAD\\n'; head -c 40000 /dev/zero | tr '\\0' o; printf '\\nOUT-TAIL\\n'
{ printf 'ERR-HEAD "quoted" \\\\ \\n'; head -c 40000 /dev/zero | tr '\\0' '"'; printf '\\nERR-TAIL é\\n'; } >&2
exit 3`;

const PY = `import sys
sys.stdout.write("OUT-HEAD\\n" + "o" * 40000 + "\\nOUT-TAIL\\n")
sys.stderr.write("ERR-HEAD\\n" + '"' * 40000 + "\\nERR-TAIL\\n")
raise ValueError("MSG-HEAD " + '"\\\\' * 20000 + " MSG-TAIL")`;

const VPY = `import sys
sys.stdout.write("OUT-HEAD\\n" + "o" * 40000 + "\\nOUT-TAIL\\n")
sys.stderr.write("ERR-HEAD\\n" + '"\\\\' * 20000 + "\\nERR-TAIL\\n")
sys.exit(4)`;

function indent(text: string, spaces: number): string {
  return text.split('\n').map((l) => ' '.repeat(spaces) + l).join('\n');
}

const CONF = `
loud:
  type: Workflow
  jobs:
    bash:
      stages:
        - name: Loud bash
          id: loud
          continue-on-error: true
          bash: |
${indent(BASH, 12)}
        - { name: After bash, id: after, bash: echo after }
    py:
      stages:
        - name: Loud py
          id: loud
          continue-on-error: true
          run: |
${indent(PY, 12)}
        - { name: After py, id: after, run: "done = True" }
    vpy:
      stages:
        - name: Loud virtual py
          id: loud
          continue-on-error: true
          deps: []
          run: |
${indent(VPY, 12)}
        - { name: After virtual py, id: after, bash: echo after }
    call:
      stages:
        - { name: Loud call, id: loud, continue-on-error: true, uses: loud/fail@latest }
        - { name: After call, id: after, bash: echo after }
    later:
      needs: [bash, py, vpy, call]
      stages:
        - { name: Later, id: later, bash: echo later }
strict:
  type: Workflow
  jobs:
    one:
      stages:
        - name: Loud bash
          id: loud
          bash: |
${indent(BASH, 12)}
    two:
      stages:
        - name: Loud bash
          id: loud
          bash: |
${indent(BASH, 12)}
    three:
      stages:
        - name: Loud bash
          id: loud
          bash: |
${indent(BASH, 12)}
`;

let dir = '';
let env: NodeJS.ProcessEnv = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wf-large-failures-'));
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 'wf.yml'), CONF);
  env = {
    ...process.env,
    NO_COLOR: '1',
    WORKFLOW_CORE_AUDIT_PATH: join(dir, '.wf'),
    WORKFLOW_CORE_VENV_CACHE: join(dir, 'venvs'),
    PIP_CONFIG_FILE: '/dev/null',
    PIP_INDEX_URL: 'http://127.0.0.1:9/simple',
  };
});

afterAll(() => {
  stopAuditServer(join(dir, '.wf'));
  rmSync(dir, { recursive: true, force: true });
});

function wfRun(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [wf, ...args], { cwd: dir, encoding: 'utf8', env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Checks that `text` is a long text cut in the middle: shorter than `original`, starting with `head`, ending with `tail`, a marker between. */
function expectCut(text: unknown, original: number, head: string, tail: string): void {
  expect(typeof text).toBe('string');
  const s = text as string;
  expect(s).toMatch(MARKER);
  expect(s.length).toBeLessThan(original);
  expect(s.slice(0, s.search(MARKER))).toContain(head);
  expect(s.endsWith(tail)).toBe(true);
}

type Doc = { status: string; jobs: Record<string, { status: string; stages: Record<string, { status: string; outputs?: Record<string, unknown>; errors?: { name: string; message: string } }> }> };

describe('wf run with failures larger than a Step Functions cause', () => {
  it('records each failed stage with its long text cut, head and tail kept, and goes on (continue-on-error)', () => {
    const r = wfRun(['run', 'loud', '--json', '--registry', REGISTRY]);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.status).toBe('SUCCESS');

    const bash = doc.jobs.bash!.stages;
    expect(bash.loud!.status).toBe('FAILED');
    expect(bash.loud!.outputs!.return_code).toBe(3);
    expectCut(bash.loud!.outputs!.stdout, 40_000, 'OUT-HEAD', 'OUT-TAIL');
    expectCut(bash.loud!.outputs!.stderr, 40_000, 'ERR-HEAD "quoted" \\', 'ERR-TAIL é');
    expect(bash.loud!.errors).toEqual({ name: 'StageError', message: 'bash stage "Loud bash" exited with code 3: ERR-TAIL é' });

    const py = doc.jobs.py!.stages;
    expect(py.loud!.status).toBe('FAILED');
    expect(py.loud!.outputs).toEqual({});
    expect(py.loud!.errors!.name).toBe('ValueError');
    expectCut(py.loud!.errors!.message, 40_000, 'py stage "Loud py" raised ValueError: MSG-HEAD', 'MSG-TAIL');

    const vpy = doc.jobs.vpy!.stages;
    expect(vpy.loud!.status).toBe('FAILED');
    expect(vpy.loud!.outputs!.return_code).toBe(4);
    expectCut(vpy.loud!.outputs!.stdout, 40_000, 'OUT-HEAD', 'OUT-TAIL');
    expectCut(vpy.loud!.outputs!.stderr, 40_000, 'ERR-HEAD', 'ERR-TAIL');

    const call = doc.jobs.call!.stages;
    expect(call.loud!.status).toBe('FAILED');
    expect(call.loud!.errors!.name).toBe('Error');
    expectCut(call.loud!.errors!.message, 40_000, 'call stage "Loud call": loud/fail@latest failed: CALL-HEAD', 'CALL-TAIL');

    for (const job of ['bash', 'py', 'vpy', 'call']) {
      expect(doc.jobs[job]!.status, job).toBe('SUCCESS');
      expect(doc.jobs[job]!.stages.after!.status, job).toBe('SUCCESS');
    }
    expect(doc.jobs.later!.stages.later).toMatchObject({ status: 'SUCCESS', outputs: { stdout: 'later' } });
  }, 120_000);

  it('a run that fails with a result document past 32,768 characters still reports it whole, in --json and in the audit record', () => {
    const r = wfRun(['run', 'strict', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as Doc & { run: { id: string } };
    expect(doc.status).toBe('FAILED');
    expect(JSON.stringify(doc).length).toBeGreaterThan(CAUSE_LIMIT);
    for (const job of ['one', 'two', 'three']) {
      expect(doc.jobs[job]!.status).toBe('FAILED');
      expectCut(doc.jobs[job]!.stages.loud!.outputs!.stdout, 40_000, 'OUT-HEAD', 'OUT-TAIL');
    }
    const audit = wfRun(['audit', 'strict', '--json']);
    const records = JSON.parse(audit.stdout) as Array<{ runId: string; status: string; result?: unknown; document?: unknown }>;
    const record = records.find((x) => x.runId === doc.run.id);
    expect(record?.status).toBe('FAILED');
    expect(JSON.stringify(record)).toContain(JSON.stringify(doc.jobs.one!.stages.loud!.outputs!.stdout));
  }, 120_000);
});

/** What Lambda's Node runtime reports for an error (errorType, errorMessage, trace = stack lines). */
function nodeRuntimeCause(e: Error): string {
  return JSON.stringify({ errorType: e.name, errorMessage: e.message, trace: (e.stack ?? '').split('\n') });
}

/**
 * Calls the Python runner's Lambda handler as the Python runtime does and prints what the runtime
 * would report: `{errorMessage, errorType, requestId, stackTrace}` dumped by `json.dumps`, the
 * stack trace being the frames of the traceback less the runtime's own (here: this script's). The
 * report goes to a file: the stage's code writes to stdout and stderr itself.
 */
const PY_LAMBDA = `
import importlib.util, json, sys, traceback, uuid
spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
handler = importlib.util.module_from_spec(spec); spec.loader.exec_module(handler)
event = json.loads(sys.stdin.read())
try:
    handler.handler(event, None)
    report = {"ok": True}
except Exception as e:
    frames = traceback.extract_tb(e.__traceback__)[1:]
    report = {"errorMessage": str(e), "errorType": type(e).__name__, "requestId": str(uuid.uuid4()), "stackTrace": traceback.format_list(frames)}
with open(sys.argv[2], "w") as f:
    f.write(json.dumps(report))
`;

describe('the wrapped form of each runner failure on Lambda', () => {
  it('bash and call (the stage runner, Node): under 32,768 characters, and the failure hub can parse it', async () => {
    clearRegistry();
    await import(REGISTRY);
    const handler = createHandler();
    const requests = [
      { action: 'stage', stage: { kind: 'bash', name: 'Loud bash', fields: { bash: BASH } }, ctx: {}, key: 'f1' },
      { action: 'stage', stage: { kind: 'call', name: 'Loud call', fields: { uses: 'loud/fail@latest' } }, ctx: {}, key: 'f2' },
    ];
    for (const req of requests) {
      const thrown = (await handler(req as never).catch((e: unknown) => e)) as Error;
      expect(thrown.name).toBe('StageFailed');
      const cause = nodeRuntimeCause(thrown);
      expect(cause.length).toBeLessThan(CAUSE_LIMIT);
      const record = JSON.parse((JSON.parse(cause) as { errorMessage: string }).errorMessage) as { status: string; key: string };
      expect(record).toMatchObject({ status: 'FAILED', key: req.key });
    }
  }, 60_000);

  it('py and virtual py (the Python runner): under 32,768 characters, and the failure hub can parse it', () => {
    const events = [
      { action: 'py', name: 'Loud py', code: [PY], vars: {}, globals: {}, key: 'f3' },
      { action: 'virtual-py', name: 'Loud virtual py', code: [VPY], vars: {}, globals: {}, deps: [], key: 'f4' },
    ];
    for (const event of events) {
      const out = join(dir, `${event.key}.json`);
      spawnSync('python3', ['-c', PY_LAMBDA, PY_RUNNER_PATH, out], { input: JSON.stringify(event), env, cwd: dir, maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
      const cause = readFileSync(out, 'utf8');
      const report = JSON.parse(cause) as { errorMessage: string; errorType: string; stackTrace: string[] };
      expect(report.errorType).toBe('StageFailed');
      expect(report.stackTrace.length).toBeGreaterThan(0);
      expect(cause.length).toBeLessThan(CAUSE_LIMIT);
      expect(JSON.parse(report.errorMessage)).toMatchObject({ status: 'FAILED', key: event.key });
    }
  }, 120_000);
});
