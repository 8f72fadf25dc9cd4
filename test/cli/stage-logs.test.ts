/**
 * What stages print, seen through the real `wf` command: `wf run --progress` streams each line of
 * a stage while the stage still runs, labelled `job › stage` as its progress lines are, secrets
 * masked and escapes neutralised; a retried stage shows why each attempt failed; and once the run
 * is over, `wf logs RUN [JOB[.STAGE]]` reads back what a bash stage printed and what a py stage
 * printed and its traceback. Unknown runs, jobs and stages are errors with a suggestion.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const temp = mkdtempSync(join(tmpdir(), 'wf-stage-logs-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const conf = join(temp, 'conf');
mkdirSync(conf);
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', WF_DEBUG: '', WORKFLOW_CORE_CONF_PATH: conf, WORKFLOW_CORE_AUDIT_PATH: join(temp, 'audit') };

writeFileSync(
  join(conf, 'logs.yml'),
  `slow:
  type: Workflow
  params:
    token: {type: str, secret: true, default: tok-s3cr3t-42}
  jobs:
    build:
      strategy: {matrix: {os: [linux]}}
      stages:
        - name: Compile on \${{ matrix.os }}
          id: compile
          bash: |
            echo "compiling with \${{ params.token }}"
            printf 'evil \\033[31m red\\n'
            sleep 4
            echo "linked" >&2
calling:
  type: Workflow
  jobs:
    c:
      stages:
        - name: speak
          id: speak
          uses: talk/say@v1
recovers:
  type: Workflow
  jobs:
    net:
      stages:
        - name: upload
          id: upload
          retry: {max: 2, delay: 1}
          bash: |
            echo "uploading"
            if [ ! -f "$FLAG" ]; then touch "$FLAG"; echo "connection reset" >&2; exit 56; fi
printing:
  type: Workflow
  jobs:
    check:
      stages:
        - name: lint
          id: lint
          bash: |
            echo "lint line one"
            echo "lint warning" >&2
        - name: analyse
          id: analyse
          continue-on-error: true
          run: |
            print("py says hello")
            def inner():
                raise KeyError("missing-key")
            inner()
        - name: flaky
          id: flaky
          retry: {max: 1, delay: 1}
          bash: |
            echo "attempt output"
            echo "disk full on attempt" >&2
            exit 3
`,
);

function wf(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/wf.js'), ...args], { cwd: temp, encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('wf run --progress streams stage output', () => {
  it('shows a bash stage\'s line before the stage ends, prefixed job › stage, secrets masked and escapes shown', async () => {
    const child = spawn(process.execPath, [join(root, 'bin/wf.js'), 'run', 'slow', '--progress', '--no-audit'], { cwd: temp, env });
    let stderr = '';
    const seen: Array<{ text: string; at: number }> = [];
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      const lines = stderr.split('\n');
      for (const line of lines.slice(seen.length, -1)) seen.push({ text: line, at: Date.now() });
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(code).toBe(0);
    const index = (pred: (l: string) => boolean): number => seen.findIndex((l) => pred(l.text));
    const printed = index((l) => l === '    build (linux) › Compile on linux | compiling with ***');
    const ended = index((l) => /^ {2}✓ build \(linux\) › Compile on linux \d/.test(l));
    const stderrLine = index((l) => l === '    build (linux) › Compile on linux | linked');
    expect(printed).toBeGreaterThanOrEqual(0);
    expect(ended).toBeGreaterThan(printed);
    expect(stderrLine).toBeGreaterThan(printed);
    expect(stderrLine).toBeLessThan(ended);
    // The line came while the stage slept: seconds before it ended, not with its end.
    expect(seen[ended]!.at - seen[printed]!.at).toBeGreaterThan(2000);
    expect(stderr).toContain('    build (linux) › Compile on linux | evil \\x1b[31m red');
    expect(stderr).not.toContain('\x1b');
    expect(stderr).not.toContain('tok-s3cr3t-42');
  }, 120_000);
});

describe('a call stage', () => {
  it('streams what its function prints, while it runs, and wf logs reads it back', () => {
    const registry = join(root, 'test/cli/fixtures/talk-registry.ts');
    const r = wf(['run', 'calling', '--progress', '--registry', registry]);
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n');
    const said = lines.indexOf('    c › speak | call says hi');
    const warned = lines.indexOf('    c › speak | call warns');
    const ended = lines.findIndex((l) => /^ {2}✓ c › speak \d/.test(l));
    expect(said).toBeGreaterThan(0);
    expect(warned).toBeGreaterThan(said);
    expect(ended).toBeGreaterThan(warned);
    const id = /^run (\S+) of calling/m.exec(r.stdout)?.[1] ?? '';
    const logs = wf(['logs', id, 'c.speak']).stdout;
    expect(logs).toContain('c › speak | call says hi\n');
    expect(logs).toContain('c › speak ! call warns\n');
  }, 120_000);
});

describe('failed attempts and wf logs', () => {
  let run: ReturnType<typeof wf>;
  let runId: string;
  beforeAll(() => {
    run = wf(['run', 'printing', '--progress']);
    runId = /^run (\S+) of printing/m.exec(run.stdout)?.[1] ?? '';
  }, 120_000);

  it('progress says why each attempt of a retried stage failed, and that it is retried', () => {
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('  ↻ check › flaky attempt 1 failed, retrying: StageError: bash stage "flaky" exited with code 3: disk full on attempt');
    expect(run.stderr).toContain('  ! check › flaky attempt 2 failed: StageError: bash stage "flaky" exited with code 3: disk full on attempt');
    const lines = run.stderr.split('\n');
    const last = lines.indexOf('  ! check › flaky attempt 2 failed: StageError: bash stage "flaky" exited with code 3: disk full on attempt');
    // The stage's end is its last attempt's: one ✗ line, after the reason.
    expect(lines.filter((l) => /^ {2}✗ check › flaky failed/.test(l))).toHaveLength(1);
    expect(lines.findIndex((l) => /^ {2}✗ check › flaky failed/.test(l))).toBeGreaterThan(last);
    expect(run.stderr).toContain('    check › analyse | py says hello');
    expect(run.stderr).toContain('    check › lint | lint line one');
  });

  it('a stage that fails once and succeeds on retry shows the failed attempt, then ends ✓, never ✗', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin/wf.js'), 'run', 'recovers', '--progress', '--no-audit'], { cwd: temp, encoding: 'utf8', env: { ...env, FLAG: join(temp, 'flag') }, timeout: 120_000 });
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n');
    const failed = lines.indexOf('  ↻ net › upload attempt 1 failed, retrying: StageError: bash stage "upload" exited with code 56: connection reset');
    const ended = lines.findIndex((l) => /^ {2}✓ net › upload \d/.test(l));
    expect(failed).toBeGreaterThan(0);
    expect(ended).toBeGreaterThan(failed);
    expect(lines.filter((l) => l === '    net › upload | uploading')).toHaveLength(2);
    expect(lines.some((l) => l.includes('✗'))).toBe(false);
  }, 120_000);

  it('the summary gives the first line of the error and the wf logs command for the rest', () => {
    expect(runId).toMatch(/^\d{17}-[0-9a-f]{8}$/);
    expect(run.stdout).toContain('  check                    FAILED   bash stage "flaky" exited with code 3: disk full on attempt');
    expect(run.stdout).toContain(`wf logs ${runId} check.flaky`);
  });

  it('wf logs RUN JOB.STAGE reads back what a bash stage printed, both streams, per attempt', () => {
    const r = wf(['logs', runId, 'check.lint']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['check › lint | lint line one', 'check › lint ! lint warning', '']);
    const flaky = wf(['logs', runId, 'check.flaky']);
    expect(flaky.stdout).toContain('check › flaky | [attempt 1] attempt output');
    expect(flaky.stdout).toContain('check › flaky | [attempt 2] attempt output');
    expect(flaky.stdout).toContain('check › flaky ✗ attempt 1 failed (retried): StageError');
  });

  it('wf logs reads back a py stage\'s print and its whole traceback', () => {
    const byId = wf(['logs', runId, 'check.analyse']);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toContain('check › analyse | py says hello');
    expect(byId.stdout).toMatch(/check › analyse ✗ attempt 1 failed: KeyError: py stage "analyse" raised KeyError: 'missing-key'/);
    expect(byId.stdout).toContain('check › analyse ✗   Traceback (most recent call last):');
    expect(byId.stdout).toMatch(/check › analyse ✗ .*line 3, in inner/);
    const all = wf(['logs', runId]);
    expect(all.stdout).toContain(byId.stdout);
    expect(all.stdout).toContain('check › lint | lint line one');
  });

  it('a job alone shows all its stages; --json gives the lines with their streams', () => {
    const r = wf(['logs', runId, 'check', '--json']);
    const doc = JSON.parse(r.stdout) as { stages: Array<{ id?: string; lines: Array<{ stream: string; text: string }> }> };
    expect(doc.stages.map((s) => s.id)).toEqual(['lint', 'analyse', 'flaky']);
    expect(doc.stages[0]!.lines).toEqual([expect.objectContaining({ stream: 'stdout', text: 'lint line one' }), expect.objectContaining({ stream: 'stderr', text: 'lint warning' })]);
  });

  it('an unknown run, job or stage is an error with a suggestion, exit 2, never a stack trace', () => {
    const badRun = wf(['logs', `${runId.slice(0, -1)}x`]);
    expect(badRun.code).toBe(2);
    expect(badRun.stderr).toContain(`no run "${runId.slice(0, -1)}x"`);
    expect(badRun.stderr).toContain(`did you mean "${runId}"?`);
    const badJob = wf(['logs', runId, 'chek.lint']);
    expect(badJob.code).toBe(2);
    expect(badJob.stderr).toContain('has no job "chek"');
    expect(badJob.stderr).toContain('did you mean "check"?');
    const badStage = wf(['logs', runId, 'check.lnt']);
    expect(badStage.code).toBe(2);
    expect(badStage.stderr).toContain('has no stage "lnt"');
    expect(badStage.stderr).toContain('did you mean "check.lint"?');
    for (const r of [badRun, badJob, badStage]) {
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toContain('internal error');
    }
  });
});
