/**
 * `wf run --progress` lines a user can follow: a templated stage name is shown rendered, a matrix
 * combination by its values (`build (linux, 3.11)`), a parallel branch by its name, a foreach item
 * by its index, a skipped stage as skipped (not ✓), and the summary keeps an error's first line and
 * says how to see the whole message. The real CLI runs in a child process with NO_COLOR.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;

const YAML = `
progress:
  type: Workflow
  params:
    token: {type: str, secret: true, default: s3cr3t-value}
  jobs:
    build:
      strategy: {matrix: {os: [linux, mac], py: ["3.11", "3.12"]}}
      stages:
        - name: Build \${{ matrix.os }} \${{ matrix.py }}
          echo: building
    fan:
      stages:
        - name: fan out
          parallel:
            red:
              - name: work
                echo: r
            green:
              - name: work
                echo: g
            blue:
              - name: work
                echo: b
        - name: each
          foreach: [a, b]
          stages:
            - name: on \${{ item }} with \${{ params.token }}
        - name: never
          id: never
          if: false
          echo: not shown
        - name: boom
          raise: "first line of the error\\nsecond line\\nthird line"
`;

function runWf(args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wf-progress-'));
  writeFileSync(join(dir, 'wf.yml'), YAML);
  const p = spawnSync('node', [wf, 'run', 'progress', '--conf', dir, '--progress', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1', WORKFLOW_CORE_AUDIT_PATH: join(dir, 'audit'), ...env },
  });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}

describe('wf run --progress lines', () => {
  let run: ReturnType<typeof runWf>;
  let lines: string[];
  beforeAll(() => {
    run = runWf(['--no-audit']);
    lines = run.stderr.split('\n');
  }, 120_000);

  it('fails (the raise stage) and prints progress on stderr', () => {
    expect(run.code).toBe(1);
    expect(lines).toContain('▶ job build');
    expect(lines).toContain('✗ job fan: FAILED');
  });

  it('renders templated stage names and labels matrix combinations by their values, in axis order', () => {
    for (const [os, py] of [['linux', '3.11'], ['linux', '3.12'], ['mac', '3.11'], ['mac', '3.12']]) {
      expect(lines).toContain(`  · build (${os}, ${py}) › Build ${os} ${py}: building`);
      expect(lines.filter((l) => new RegExp(`^  ✓ build \\(${os}, ${py.replace('.', '\\.')}\\) › Build ${os} ${py} \\d+ ms$`).test(l))).toHaveLength(1);
    }
    expect(run.stderr).not.toContain('${{');
    expect(run.stderr).not.toMatch(/build.*\[\d\]/);
  });

  it('names each parallel branch once per line kind', () => {
    for (const [branch, echo] of [['red', 'r'], ['green', 'g'], ['blue', 'b']]) {
      expect(lines.filter((l) => l === `  · fan › work [${branch}]: ${echo}`)).toHaveLength(1);
      expect(lines.filter((l) => new RegExp(`^  ✓ fan › work \\[${branch}\\] \\d+ ms$`).test(l))).toHaveLength(1);
    }
  });

  it('numbers foreach items, and a secret in a rendered name shows as ***', () => {
    expect(lines).toContain('  · fan › on a with *** [0]');
    expect(lines).toContain('  · fan › on b with *** [1]');
    expect(run.stderr).not.toContain('s3cr3t-value');
  });

  it('shows a skipped stage as skipped, on one line, never as ✓', () => {
    expect(lines.filter((l) => l.includes('never'))).toEqual(['  ↷ fan › never skipped']);
  });

  it('marks the failed stage', () => {
    expect(lines.some((l) => /^ {2}✗ fan › boom failed \d+ ms$/.test(l))).toBe(true);
  });

  it('the summary keeps the first line of an error and says how to see the rest', () => {
    const out = run.stdout.split('\n');
    expect(out[0]).toMatch(/^run \S+ of progress: FAILED$/);
    expect(out).toContain('  fan                      FAILED   first line of the error …');
    expect(out).toContain('  (first lines only: --json shows the whole messages)');
    expect(run.stdout).not.toContain('second line');
  });

  it('a recorded run points at wf logs, which shows the whole message; its record holds it too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-progress-audit-'));
    const audited = runWf([], { WORKFLOW_CORE_AUDIT_PATH: dir });
    const id = /^run (\S+) of progress/.exec(audited.stdout)?.[1];
    expect(id).toBeDefined();
    expect(audited.stdout).toContain(`  (first lines only; the whole errors and what the stages printed: wf logs ${id})`);
    const logs = spawnSync('node', [wf, 'logs', id!, 'fan'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', WORKFLOW_CORE_AUDIT_PATH: dir } });
    expect(logs.stdout).toContain('fan ✗ job failed: RaiseError: first line of the error\nfan ✗   second line\nfan ✗   third line\n');
    const records = spawnSync('node', [wf, 'audit', 'progress', '--json'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', WORKFLOW_CORE_AUDIT_PATH: dir } });
    const record = (JSON.parse(records.stdout) as { runId: string; context: { jobs: { fan: { errors: { message: string } } } } }[]).find((r) => r.runId === id);
    expect(record?.context.jobs.fan.errors.message).toBe('first line of the error\nsecond line\nthird line');
  }, 120_000);
});
