/**
 * Deeply nested values where they enter a run: `--params` and `-p` JSON, YAML defaults, YAML that
 * nests past what a parser holds, a merge key that merges its own map, and a StartExecution input
 * to `wf serve` sent by the real AWS SDK client. Each gives a clear, coded error (positioned for
 * YAML, naming the param for params) or a result, within a bounded time: never a stack overflow
 * (exit 70), a hang, or an HTTP 500. The documented limits: param values nest at most 64 levels,
 * a workflow file 256, a serve input 256.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { stopServe, whenListening, type ServeProcess } from '../helpers/serve-process.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;

const CONF = `
deep:
  type: Workflow
  params:
    p: { type: map, default: {} }
    s: { type: str, default: plain }
  jobs:
    read:
      stages:
        - name: Depth
          id: depth
          run: |
            d = 0
            v = value
            while isinstance(v, dict):
                v = v["a"]
                d += 1
            leaf = v
          vars: { value: "\${{ params.p }}" }
`;

/** A map nested `n` levels deep: `{"a": {"a": ... 1}}`. */
function nested(n: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
}

/** The JSON text of {@link nested}, built as text so that building it costs no stack. */
function nestedText(n: number): string {
  return '{"a":'.repeat(n) + '1' + '}'.repeat(n);
}

let dir: string;
let env: NodeJS.ProcessEnv;

function wfRun(args: string[], conf = join(dir, 'conf')): { code: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [wf, ...args, '--conf', conf], { cwd: dir, encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

function confWith(name: string, yaml: string): string {
  const conf = join(dir, name);
  mkdirSync(conf, { recursive: true });
  writeFileSync(join(conf, 'wf.yml'), yaml);
  return conf;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wf-deep-'));
  confWith('conf', CONF);
  env = { ...process.env, NO_COLOR: '1', WORKFLOW_CORE_AUDIT_PATH: join(dir, '.wf'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
});

afterAll(() => {
  stopAuditServer(join(dir, '.wf'));
  rmSync(dir, { recursive: true, force: true });
});

describe('params nested deeply', () => {
  it.each([
    ['with the audit store', []],
    ['without it', ['--no-audit']],
  ])('refuses a param nested 5,000 deep from --params, naming the param (%s)', (_, extra) => {
    const r = wfRun(['run', 'deep', '--params', `{"p":${nestedText(5000)}}`, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('param "p": expected map nested at most 64 levels deep');
    expect(r.stderr).toContain('[WF7005]');
    expect(r.stderr).not.toMatch(/internal error|call stack/);
    expect(r.ms).toBeLessThan(30_000);
  });

  it('refuses one from -p KEY=JSON, and a deep list given to a str param', () => {
    const list = wfRun(['run', 'deep', '-p', `p=${'['.repeat(5000)}${']'.repeat(5000)}`, '--no-audit']);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain('param "p": expected map nested at most 64 levels deep');
    const str = wfRun(['run', 'deep', '--params', `{"s":${nestedText(65)}}`, '--no-audit']);
    expect(str.code).toBe(2);
    expect(str.stderr).toContain('param "s": expected str nested at most 64 levels deep');
  });

  it('carries a param nested exactly 64 deep through the run, the py stage and the audit record', () => {
    const ok = wfRun(['run', 'deep', '--params', JSON.stringify({ p: nested(64) }), '--json']);
    expect(ok.stderr).not.toMatch(/internal error/);
    expect(ok.code).toBe(0);
    const doc = JSON.parse(ok.stdout) as { status: string; params: { p: unknown }; jobs: { read: { stages: { depth: { outputs: { d: number; leaf: number } } } } } };
    expect(doc.status).toBe('SUCCESS');
    expect(doc.params.p).toEqual(nested(64));
    expect(doc.jobs.read.stages.depth.outputs).toMatchObject({ d: 64, leaf: 1 });
    const tooDeep = wfRun(['run', 'deep', '--params', JSON.stringify({ p: nested(65) })]);
    expect(tooDeep.code).toBe(2);
    expect(tooDeep.stderr).toContain('[WF7005]');
  });
});

describe('YAML nested deeply', () => {
  const deepDefault = (n: number): string =>
    `deep:\n  type: Workflow\n  params:\n    p:\n      type: map\n      default: ${'{a: '.repeat(n)}1${'}'.repeat(n)}\n  jobs:\n    a:\n      stages:\n        - name: s\n          echo: hi\n`;

  it('reports a default nested past 64 levels at the default', () => {
    const conf = confWith('default-70', deepDefault(70));
    const r = wfRun(['validate'], conf);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(conf, 'wf.yml')}:6:16: error WF2009: default of param "p" does not fit its type: expected map nested at most 64 levels deep`);
  });

  it.each([300, 1000, 5000])('reports a file nested %i deep at its 257th flow level, the same way every time', (n) => {
    const conf = confWith(`yaml-${n}`, deepDefault(n));
    // Column of the 257th "{": "      default: " is 15 characters, each level adds "{a: ".
    const at = `${join(conf, 'wf.yml')}:6:${15 + 256 * 4 + 1}: error WF1001: YAML nests maps and lists more than 256 levels deep here`;
    const validate = wfRun(['validate'], conf);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain(at);
    const run = wfRun(['run', 'deep', '--no-audit'], conf);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(at);
    expect(run.stderr).not.toMatch(/internal error|call stack/);
  });

  it.each([
    ['a map merging itself', 'x: &x {<<: *x}', 12],
    ['a list holding itself', 'x: &x [*x]', 8],
    ['a map merging itself in a list', 'x: &x {<<: [*x]}', 13],
  ])('reports %s at the alias', (_, line, col) => {
    const conf = confWith(`alias-${col}`, `${line}\nw:\n  type: Workflow\n  jobs:\n    a:\n      stages:\n        - name: s\n          echo: hi\n`);
    const r = wfRun(['run', 'w', '--no-audit'], conf);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(conf, 'wf.yml')}:1:${col}: error WF1001: alias "*x" refers to a node that contains it`);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe('wf serve and deep input', () => {
  let server: ServeProcess;
  let sfn: SFNClient;
  const machine = 'arn:aws:states:local:000000000000:stateMachine:deep';

  beforeAll(async () => {
    server = await whenListening(spawn(process.execPath, [wf, 'serve', '--port', '0', '--conf', join(dir, 'conf')], { cwd: dir, env }));
    sfn = new SFNClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  });

  afterAll(async () => {
    if (server) await stopServe(server.child);
  });

  /** The execution once it has ended (or as it is after 30 s). */
  async function settled(executionArn: string, until = Date.now() + 30_000): Promise<DescribeExecutionCommandOutput> {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING' || Date.now() > until) return d;
    await new Promise((r) => setTimeout(r, 100));
    return settled(executionArn, until);
  }

  it('refuses an input nested 5,000 deep as InvalidExecutionInput (HTTP 400), and keeps serving', async () => {
    const err = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: `{"params":{"p":${nestedText(5000)}}}` })).then(
      () => undefined,
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({ name: e.name, message: e.message, status: e.$metadata?.httpStatusCode }),
    );
    expect(err).toMatchObject({ name: 'InvalidExecutionInput', status: 400 });
    expect(err!.message).toContain('more than 256 levels deep');
    const ok = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ params: { p: nested(3) } }) }));
    expect((await settled(ok.executionArn!)).status).toBe('SUCCEEDED');
  });

  it('fails an execution whose param nests past 64 levels, naming the param', async () => {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine, input: JSON.stringify({ params: { p: nested(100) } }) }));
    const d = await settled(started.executionArn!);
    expect(d.status).toBe('FAILED');
    const cause = (JSON.parse(d.cause!) as { errorMessage: string }).errorMessage;
    expect(d.error).toBe('ParamError');
    expect(cause).toBe('workflow "deep" was not run: param "p": expected map nested at most 64 levels deep, got maps or lists nested more than 64 levels deep');
  });
});
