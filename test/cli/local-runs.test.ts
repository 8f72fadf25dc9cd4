/**
 * `wf run`, `wf release`, `wf rerun` and `wf audit` as users run them: real `wf` processes, real
 * bash and python3, and the real embedded audit store (one per test folder).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;
let dir: string;
let env: NodeJS.ProcessEnv;

const CONF = `
nightly:
  type: Workflow
  on:
    - cron: "0 9 * * 1-5"
      timezone: Asia/Bangkok
  params:
    token: { type: str, secret: true, default: s3cret }
  jobs:
    a:
      stages:
        - name: Count
          id: count
          bash: echo a >> "$DIR/a-runs"; echo a
          env: { DIR: "\${{ params.dir }}" }
    b:
      needs: [a]
      stages:
        - name: Needs the flag
          id: flag
          bash: test -f "$DIR/flag" && echo b
          env: { DIR: "\${{ params.dir }}" }
  timeout: 120
slow:
  type: Workflow
  params:
    dir: { type: str, default: "DIR" }
  jobs:
    a:
      stages:
        - name: Long
          id: long
          env: { DIR: "\${{ params.dir }}" }
          bash: sleep 30 & echo $! > "$DIR/slow.pid"; wait
broken:
  type: Workflow
  params:
    n: { type: int, default: 1 }
    flag: { type: str, default: "yes" }
  jobs:
    bash:
      stages:
        - { name: Exit seven, id: seven, bash: "echo partial; echo oops >&2; exit 7" }
    py:
      stages:
        - name: Divide
          id: divide
          run: |
            def ratio(x):
                return x / 0
            value = ratio(\${{ params.n }})
    call:
      stages:
        - { name: Call missing, uses: "tasks/nope@v1", with: { a: 1 } }
    cond:
      stages:
        - { name: Not boolean, if: "\${{ params.flag }}", echo: never }
`;

function wfSync(args: string[], extraEnv: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [wf, ...args], { cwd: dir, encoding: 'utf8', env: { ...env, ...extraEnv }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function wfAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [wf, ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wf-local-runs-'));
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 'wf.yml'), CONF.replace(/params:\n    token/, 'params:\n    dir: { type: str, default: "' + dir + '" }\n    token').replace('default: "DIR"', `default: "${dir}"`));
  env = { ...process.env, NO_COLOR: '1', WORKFLOW_CORE_AUDIT_PATH: join(dir, '.wf') };
});

afterAll(() => {
  stopAuditServer(join(dir, '.wf'));
});

describe('releases', () => {
  it('two concurrent releases of one minute: exactly one runs, the other is SKIP', async () => {
    const at = '2024-01-02T02:00:00Z'; // 09:00 in Bangkok, a Tuesday
    writeFileSync(join(dir, 'flag'), '');
    const [x, y] = await Promise.all([wfAsync(['release', 'nightly', '--at', at, '--json']), wfAsync(['release', 'nightly', '--at', at, '--json'])]);
    const docs = [x, y].map((r) => JSON.parse(r.stdout) as { status: string; errors: Array<{ name: string }> });
    expect(docs.map((d) => d.status).sort()).toEqual(['SKIP', 'SUCCESS']);
    expect(docs.find((d) => d.status === 'SKIP')!.errors[0]!.name).toBe('AlreadyReleased');
    expect([x.code, y.code]).toEqual([0, 0]);
    expect(readFileSync(join(dir, 'a-runs'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a time no schedule fires at is refused unless forced; dryrun echoes and records nothing', () => {
    const refused = wfSync(['release', 'nightly', '--at', '2024-01-02T03:00:00Z']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not a scheduled time of workflow "nightly"');
    expect(refused.stderr).toContain('next at 2024-01-03T02:00:00.000Z');
    const dry = wfSync(['release', 'nightly', '--at', '2024-01-03T02:00:00Z', '--type', 'dryrun', '--json']);
    expect(dry.code).toBe(0);
    const doc = JSON.parse(dry.stdout) as { release: { type: string }; jobs: { a: { stages: { count: { outputs: { dryrun: string } } } } } };
    expect(doc.release.type).toBe('dryrun');
    expect(doc.jobs.a.stages.count.outputs.dryrun).toContain('would run');
    const listed = JSON.parse(wfSync(['audit', 'nightly', '--json']).stdout) as Array<{ logicalDate: string }>;
    expect(listed.some((r) => r.logicalDate === '2024-01-03T02:00:00Z')).toBe(false);
  });
});

describe('rerun', () => {
  it('keeps the jobs that succeeded and runs the rest with the same params and release', () => {
    const runsBefore = readFileSync(join(dir, 'a-runs'), 'utf8').trim().split('\n').length;
    const failed = wfSync(['release', 'nightly', '--at', '2024-01-04T02:00:00Z', '--type', 'force', '--json'].concat([]), {});
    // the flag exists from the first test: remove it so job b fails
    expect(failed.code).toBe(0);
    const flag = join(dir, 'flag');
    spawnSync('rm', ['-f', flag]);
    const bad = wfSync(['run', 'nightly', '--json']);
    expect(bad.code).toBe(1);
    const badDoc = JSON.parse(bad.stdout) as { run: { id: string }; jobs: Record<string, { status: string }> };
    expect(badDoc.jobs.b!.status).toBe('FAILED');
    writeFileSync(flag, '');
    const again = wfSync(['rerun', badDoc.run.id, '--json']);
    expect(again.code).toBe(0);
    const doc = JSON.parse(again.stdout) as { status: string; release: { type: string }; params: Record<string, unknown>; jobs: Record<string, { status: string }> };
    expect(doc.status).toBe('SUCCESS');
    expect(doc.release.type).toBe('rerun');
    expect(doc.params.token).toBe('***');
    expect(again.stderr).toContain('keeping a');
    // a ran for the forced release and the failed run, not for the rerun
    expect(readFileSync(join(dir, 'a-runs'), 'utf8').trim().split('\n')).toHaveLength(runsBefore + 2);
    const records = JSON.parse(wfSync(['audit', 'nightly', '--json']).stdout) as Array<{ runId: string; type: string; status: string; parentRunId?: string }>;
    expect(records[0]).toMatchObject({ type: 'rerun', status: 'SUCCESS', parentRunId: badDoc.run.id });
    expect(wfSync(['audit', 'nightly']).stdout).toContain(badDoc.run.id);
  });

  it('an unknown run id is a clear error', () => {
    const r = wfSync(['rerun', 'no-such-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no run "no-such-run" in the local audit store');
  });
});

describe('cancel', () => {
  it('Ctrl-C stops the run, kills its processes, and records CANCEL', async () => {
    const child = spawn(process.execPath, [wf, 'run', 'slow', '--json', '--progress'], { cwd: dir, env });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    // Ctrl-C once the stage is running (its progress line is out), however slow the machine is.
    await new Promise<void>((resolve) => {
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
        if (stderr.includes('Long')) resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect((JSON.parse(stdout) as { status: string }).status).toBe('CANCEL');
    const records = JSON.parse(wfSync(['audit', 'slow', '--json']).stdout) as Array<{ status: string }>;
    expect(records[0]!.status).toBe('CANCEL');
    // the stage's own sleep process is gone (the signal may take a moment to land on a busy machine)
    const pid = Number(readFileSync(join(dir, 'slow.pid'), 'utf8'));
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 40 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
  });
});

describe('bad input at run time: a clear message naming the stage, never a stack trace', () => {
  it('reports each failure in the result document', () => {
    const r = wfSync(['run', 'broken', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { jobs: Record<string, { status: string; errors: { name: string; message: string }; stages?: Record<string, { outputs?: Record<string, unknown> }> }> };
    expect(doc.jobs.bash!.errors.message).toBe('bash stage "Exit seven" exited with code 7: oops');
    expect(doc.jobs.bash!.stages!.seven!.outputs).toEqual({ return_code: 7, stdout: 'partial', stderr: 'oops' });
    expect(doc.jobs.py!.errors.name).toBe('ZeroDivisionError');
    expect(doc.jobs.py!.errors.message).toContain('py stage "Divide"');
    expect(doc.jobs.py!.errors.message).toContain('division by zero');
    expect(doc.jobs.py!.errors.message).toMatch(/line 2, in ratio/);
    expect(doc.jobs.call!.errors.message).toContain('tasks/nope@v1');
    expect(doc.jobs.cond!.errors.message).toContain('"yes"');
    expect(doc.jobs.cond!.errors.message).toContain('stage "Not boolean"');
    expect(doc.jobs.cond!.errors.message).toContain('not true or false');
    for (const text of [r.stdout, r.stderr]) expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it('a param of the wrong type: exit 2, nothing ran', () => {
    const r = wfSync(['run', 'broken', '-p', 'n=lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('param "n": expected int, got "lots"');
    expect(r.stdout).toBe('');
  });
});
