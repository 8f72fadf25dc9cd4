/**
 * Nothing is lost when the audit store or the `wf` process fails (real `wf` processes, real bash,
 * the real embedded audit store):
 * - the store is down when a run starts: the run fails loudly (message, exit 1) before any stage;
 * - the store goes down during a run: the end record is kept under `.wf/pending/` and written by
 *   the next `wf` command once the store is back;
 * - `wf` is killed mid-run: the record stays WAIT (`wf audit` says not finished), and `wf rerun`
 *   completes the run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ended, Project, stopAuditServer, until } from './wf-process.ts';

const SECRET = 'Pw-7f3c-audit-fault-secret';

const CONF = `
canary:
  type: Workflow
  jobs:
    only:
      stages:
        - name: Touch the canary
          id: touch
          bash: touch "@DIR@/canary-ran"
sabotage:
  type: Workflow
  params:
    token: { type: str, secret: true }
  jobs:
    only:
      stages:
        - name: Take the audit store down
          id: down
          bash: |
            audit="$WORKFLOW_CORE_AUDIT_PATH/audit"
            kill -9 "$(sed 's/.*"pid":\\([0-9]*\\).*/\\1/' "$audit/server.json")"
            sleep 0.3
            mv "$audit/db" "$audit/db.away"
            touch "$audit/db"
            echo down
slow:
  type: Workflow
  jobs:
    first:
      stages:
        - { name: Quick, id: quick, bash: echo quick }
    second:
      needs: [first]
      stages:
        - name: Long unless told
          id: long
          bash: |
            if [ -f "@DIR@/go" ]; then echo done; exit 0; fi
            echo $$ > "@DIR@/slow.pid"
            sleep 60
`;

let project: Project;

beforeAll(() => {
  project = new Project('wf-audit-faults-', { 'wf.yml': CONF });
});

afterAll(() => project.cleanup());

describe('the audit store is down when a run starts', () => {
  it('a state folder that cannot be created: exit 1 with a clear message, and no stage ran', () => {
    const file = join(project.dir, 'not-a-folder');
    writeFileSync(file, '');
    const r = project.wf(['run', 'canary'], { WORKFLOW_CORE_AUDIT_PATH: file });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: cannot create the local audit folder ${file}/audit`);
    expect(r.stderr).toContain('Set WORKFLOW_CORE_AUDIT_PATH to a writable folder');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(existsSync(join(project.dir, 'canary-ran'))).toBe(false);
  });

  it('a store whose server cannot start: exit 1 naming the folder and its log, and no stage ran', () => {
    const state = join(project.dir, 'broken-state');
    mkdirSync(join(state, 'audit'), { recursive: true });
    writeFileSync(join(state, 'audit', 'db'), 'not a database');
    const t0 = Date.now();
    const r = project.wf(['run', 'canary', '--json'], { WORKFLOW_CORE_AUDIT_PATH: state });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: the local audit store in ${state}/audit did not start`);
    expect(r.stderr).toContain('server.log');
    expect(r.stdout).toBe('');
    expect(existsSync(join(project.dir, 'canary-ran'))).toBe(false);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});

describe('the audit store goes down during a run', () => {
  let runId: string;
  let first: ReturnType<Project['wf']>;

  beforeAll(() => {
    first = project.wf(['run', 'sabotage', '--json', '-p', `token=${SECRET}`]);
    runId = (JSON.parse(first.stdout) as { run: { id: string } }).run.id;
  }, 60_000);

  it('the run still ends with its result; the end record is kept under .wf/pending, secrets redacted', () => {
    const doc = JSON.parse(first.stdout) as { status: string; params: Record<string, unknown> };
    expect(doc.status).toBe('SUCCESS');
    expect(doc.params.token).toBe('***');
    expect(first.stderr).toContain('error: the run ended but its audit record was not written');
    const kept = join(project.state, 'pending', `${runId}.json`);
    expect(first.stderr).toContain(`note: the record is kept in ${kept}; the next wf command that opens the audit store writes it`);
    expect(first.code).toBe(0);
    const text = readFileSync(kept, 'utf8');
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text)).toMatchObject({ record: { runId, workflow: 'sabotage', status: 'SUCCESS', params: { token: '***' } }, secretNames: ['token'] });
  });

  it('once the store is back, the next wf command writes the record: the run is SUCCESS, not WAIT', () => {
    const audit = join(project.state, 'audit');
    rmSync(join(audit, 'db'));
    renameSync(join(audit, 'db.away'), join(audit, 'db'));
    const r = project.wf(['audit', 'sabotage', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`note: recorded the end of run kept while the audit store was down: ${runId}`);
    const records = JSON.parse(r.stdout) as Array<{ runId: string; status: string; context?: { status: string } }>;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ runId, status: 'SUCCESS', context: { status: 'SUCCESS' } });
    expect(readdirSync(join(project.state, 'pending'))).toEqual([]);
    expect(JSON.stringify(records)).not.toContain(SECRET);
  });

  it('when the record can be neither written nor kept, the run fails loudly (exit 1)', () => {
    // pending/ is a file: nothing can be kept there.
    rmSync(join(project.state, 'pending'), { recursive: true, force: true });
    writeFileSync(join(project.state, 'pending'), '');
    try {
      const r = project.wf(['run', 'sabotage', '--json', '-p', `token=${SECRET}`]);
      expect((JSON.parse(r.stdout) as { status: string }).status).toBe('SUCCESS');
      expect(r.stderr).toContain('error: the run ended but its audit record was not written');
      expect(r.stderr).not.toContain('note: the record is kept');
      expect(r.code).toBe(1);
    } finally {
      const audit = join(project.state, 'audit');
      stopAuditServer(project.state);
      rmSync(join(audit, 'db'), { force: true });
      renameSync(join(audit, 'db.away'), join(audit, 'db'));
      rmSync(join(project.state, 'pending'), { force: true });
    }
  }, 60_000);
});

describe('wf is killed in the middle of a run', () => {
  it('the record stays WAIT, `wf audit` says not finished, and `wf rerun` completes the run', async () => {
    const child = project.spawn(['run', 'slow', '--json']);
    const done = ended(child);
    const pidFile = join(project.dir, 'slow.pid');
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '', 30_000, 'the long stage to start');
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');
    // The stage's process group outlives wf (as documented); end it, it is ours.
    const stagePid = Number(readFileSync(pidFile, 'utf8'));
    try {
      process.kill(-stagePid, 'SIGKILL');
    } catch {
      // already gone
    }

    const listed = project.wf(['audit', 'slow', '--json']);
    const records = JSON.parse(listed.stdout) as Array<{ runId: string; status: string; endedAt?: string; context?: unknown }>;
    expect(records).toHaveLength(1);
    expect(records[0]!.status).toBe('WAIT');
    expect(records[0]!.endedAt).toBeUndefined();
    expect(project.wf(['audit', 'slow']).stdout).toMatch(new RegExp(`${records[0]!.runId}\\s.*WAIT \\(not finished\\)`));

    writeFileSync(join(project.dir, 'go'), '');
    const rerun = project.wf(['rerun', records[0]!.runId, '--json']);
    expect(rerun.code).toBe(0);
    const doc = JSON.parse(rerun.stdout) as { status: string; run: { id: string }; jobs: Record<string, { status: string; stages: Record<string, { outputs: { stdout: string } }> }> };
    expect(doc.status).toBe('SUCCESS');
    expect(doc.jobs.second!.stages.long!.outputs.stdout).toBe('done');
    expect(rerun.stderr).toContain(`rerunning slow (run ${records[0]!.runId}, WAIT)`);

    const after = JSON.parse(project.wf(['audit', 'slow', '--json']).stdout) as Array<{ runId: string; status: string; type: string; parentRunId?: string }>;
    expect(after.find((r) => r.runId === doc.run.id)).toMatchObject({ status: 'SUCCESS', type: 'rerun', parentRunId: records[0]!.runId });
  }, 60_000);
});
