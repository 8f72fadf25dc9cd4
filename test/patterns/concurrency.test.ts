/**
 * Concurrency groups on the local engine, with real `wf run` processes sharing one local audit
 * store: never more holders than the limit, every run finishes, a run killed while it holds a
 * slot does not block the group for good, slots are given back when a job fails, jobs of one run
 * queue for a group, and `cancel-in-progress` stops the run that holds the group.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../lib/local/index.ts';
import { decodeHolders, groupItemKey } from '../../lib/protocol/index.ts';
import { PatternDir, until } from './helpers.ts';

const HOLD = `
          bash: |
            echo "start $(date +%s%N)" >> "$MARKS/$RUN"
            sleep "$HOLD"
            echo "end $(date +%s%N)" >> "$MARKS/$RUN"
          env: {MARKS: "@DIR@/marks", RUN: "\${{ run.id }}", HOLD: "\${{ params.hold }}"}`;

const CONF = `
deploy:
  type: Workflow
  concurrency: {group: deploy, limit: 2}
  params: {hold: {type: str, default: "1"}}
  jobs:
    ship:
      stages:
        - name: Hold${HOLD}
solo:
  type: Workflow
  concurrency: solo
  params: {hold: {type: str, default: "0.2"}}
  jobs:
    ship:
      stages:
        - name: Hold${HOLD}
latest:
  type: Workflow
  concurrency: {group: latest, cancel-in-progress: true}
  params: {hold: {type: str, default: "0.2"}}
  jobs:
    ship:
      stages:
        - name: Hold${HOLD}
jobs-share:
  type: Workflow
  params: {hold: {type: str, default: "0.5"}}
  jobs:
    first:
      concurrency: db
      stages:
        - name: Hold
          bash: echo "start $(date +%s%N)" >> "$MARKS/first"; sleep "$HOLD"; echo "end $(date +%s%N)" >> "$MARKS/first"
          env: {MARKS: "@DIR@/marks", HOLD: "\${{ params.hold }}"}
    second:
      concurrency: db
      stages:
        - name: Hold
          bash: echo "start $(date +%s%N)" >> "$MARKS/second"; sleep "$HOLD"; echo "end $(date +%s%N)" >> "$MARKS/second"
          env: {MARKS: "@DIR@/marks", HOLD: "\${{ params.hold }}"}
failing:
  type: Workflow
  jobs:
    broken:
      concurrency: db-failing
      stages:
        - {name: Fail, bash: "exit 3"}
`;

let dir: PatternDir;

beforeAll(() => {
  dir = new PatternDir('concurrency', CONF);
});

afterAll(async () => {
  await dir.close();
});

/** Start and end (ns) of every hold recorded in the marks folder whose file name passes `keep`. */
function holds(keep: (file: string) => boolean = () => true): Array<{ run: string; start: number; end: number }> {
  const folder = join(dir.dir, 'marks');
  return readdirSync(folder)
    .filter(keep)
    .map((run) => {
      const lines = readFileSync(join(folder, run), 'utf8').trim().split('\n');
      const at = (what: string): number => Number(lines.find((l) => l.startsWith(what))?.split(' ')[1] ?? NaN);
      return { run, start: at('start'), end: at('end') };
    });
}

/** The most intervals that overlap at any instant. */
function maxOverlap(intervals: Array<{ start: number; end: number }>): number {
  const events = intervals.flatMap((i) => [[i.start, 1] as const, [i.end, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}

async function holders(group: string): Promise<string[]> {
  const local = await dir.open();
  const out = await local.client.send(new GetItemCommand({ TableName: local.store.table, Key: groupItemKey(`concurrency#${group}`) as never, ConsistentRead: true }));
  return decodeHolders(out.Item).map((h) => h.run);
}

describe('a group with limit 2', () => {
  it('six runs started at once: never more than 2 hold the group, and all 6 finish', async () => {
    const runs = Array.from({ length: 6 }, () => dir.wfStart(['run', 'deploy', '-p', 'hold=2', '--json']).done);
    const exits = await Promise.all(runs);
    const docs = exits.map((e) => JSON.parse(e.stdout) as { status: string; run: { id: string } });
    expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(docs.map((d) => d.status)).toEqual(Array(6).fill('SUCCESS'));
    const ids = new Set(docs.map((d) => d.run.id));
    const recorded = holds((f) => ids.has(f));
    expect(recorded).toHaveLength(6);
    for (const h of recorded) expect(h.end).toBeGreaterThan(h.start);
    // At most two at once, and the group was used to its limit (not one at a time).
    expect(maxOverlap(recorded)).toBe(2);
    expect(await holders('deploy')).toEqual([]);
  }, 120_000);
});

describe('a holder that dies', () => {
  it('a run killed while it holds the slot does not block the group: a waiting run reclaims it', async () => {
    const killed = dir.wfStart(['run', 'solo', '-p', 'hold=120']);
    await until('the first run to hold the slot', async () => (await holders('solo')).length === 1, 30_000);
    const [held] = await holders('solo');
    await until('the first run to start its stage', () => existsSync(join(dir.dir, 'marks', held!)), 30_000);
    // A second run waits while the first one lives...
    const before = readdirSync(join(dir.dir, 'marks')).sort();
    const waiting = dir.wfStart(['run', 'solo', '--json']);
    await new Promise((r) => setTimeout(r, 2500));
    expect(readdirSync(join(dir.dir, 'marks')).sort()).toEqual(before);
    expect(await holders('solo')).toEqual([held]);
    // ... and gets the slot once the first one's process is gone (kill -9: it gives nothing back).
    process.kill(-killed.child.pid!, 'SIGKILL');
    await killed.done;
    const t0 = Date.now();
    const done = await waiting.done;
    expect(done.code).toBe(0);
    const doc = JSON.parse(done.stdout) as { status: string; run: { id: string } };
    expect(doc.status).toBe('SUCCESS');
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(holds((f) => f === doc.run.id)[0]!.end).toBeGreaterThan(0);
    expect(await holders('solo')).toEqual([]);
  }, 120_000);
});

describe('cancel-in-progress', () => {
  it('a new run stops the run that holds the group (in another process) and takes its slot', async () => {
    const old = dir.wfStart(['run', 'latest', '-p', 'hold=60', '--json']);
    await until('the old run to hold the slot', async () => (await holders('latest')).length === 1, 30_000);
    const [oldRun] = await holders('latest');
    const fresh = dir.wfSync(['run', 'latest', '--json']);
    expect(fresh.code).toBe(0);
    expect((JSON.parse(fresh.stdout) as { status: string }).status).toBe('SUCCESS');
    const stopped = await old.done;
    const doc = JSON.parse(stopped.stdout) as { status: string; run: { id: string }; errors: Array<{ name: string; message: string }> };
    expect(doc.run.id).toBe(oldRun);
    expect(doc.status).toBe('CANCEL');
    expect(doc.errors[0]!.message).toMatch(/^stopped by run \S+ of workflow latest: concurrency#latest cancels runs in progress$/);
    expect(stopped.code).toBe(1);
    expect(await holders('latest')).toEqual([]);
  }, 120_000);
});

describe('job groups (in-process runs)', () => {
  it('two jobs of one run in the same group run one after the other', async () => {
    const local = await dir.open();
    const workflows = dir.workflows();
    const doc = await runLocal(workflows.get('jobs-share')!, { workflows, store: { client: local.client, table: local.store.table } });
    expect(doc.status).toBe('SUCCESS');
    const both = holds((f) => f === 'first' || f === 'second');
    expect(both).toHaveLength(2);
    expect(maxOverlap(both)).toBe(1);
    expect(await holders('db')).toEqual([]);
  }, 60_000);

  it('the same holds when the workflow is split into one machine per job', async () => {
    const local = await dir.open();
    const workflows = dir.workflows();
    const marks = join(dir.dir, 'marks');
    for (const f of ['first', 'second']) rmSync(join(marks, f), { force: true });
    const doc = await runLocal(workflows.get('jobs-share')!, { workflows, split: 'jobs', store: { client: local.client, table: local.store.table } });
    expect(doc.status).toBe('SUCCESS');
    const both = holds((f) => f === 'first' || f === 'second');
    expect(both).toHaveLength(2);
    expect(maxOverlap(both)).toBe(1);
    expect(await holders('db')).toEqual([]);
  }, 60_000);

  it('a job that fails gives its slot back', async () => {
    const local = await dir.open();
    const workflows = dir.workflows();
    const doc = await runLocal(workflows.get('failing')!, { workflows, store: { client: local.client, table: local.store.table } });
    expect(doc.status).toBe('FAILED');
    expect(doc.jobs.broken).toMatchObject({ status: 'FAILED', errors: { name: 'StageError' } });
    expect(await holders('db-failing')).toEqual([]);
  }, 60_000);

  it('a dry run holds nothing (it needs no store)', async () => {
    const workflows = dir.workflows();
    const doc = await runLocal(workflows.get('solo')!, { workflows, dryrun: true });
    expect(doc.status).toBe('SUCCESS');
  }, 60_000);

  it('without the local store, a group fails the run with a message saying why', async () => {
    const workflows = dir.workflows();
    const doc = await runLocal(workflows.get('solo')!, { workflows });
    expect(doc.status).toBe('FAILED');
    expect(doc.errors[0]!.message).toContain('no local audit store is open');
    expect(existsSync(join(dir.dir, 'marks'))).toBe(true);
  }, 60_000);
});
