/**
 * N-of-M joins and start deadlines on the local engine: a min-success job runs when enough of its
 * needs succeeded and is SKIP otherwise (with the Choice-rule form and the counting form), and a
 * release that starts after its deadline is SKIP with `StartDeadlineMissed` without claiming its
 * minute, while one on time runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../lib/local/index.ts';
import { startDeadline } from '../../lib/runtime/index.ts';
import { PatternDir } from './helpers.ts';

const job = (id: string, ok: boolean): string => `    ${id}:\n      stages: [{name: ${id}, bash: "${ok ? 'true' : 'exit 1'}"}]\n`;

const CONF = `
two-of-three:
  type: Workflow
  params: {fail: {type: str, default: ""}}
  jobs:
    a:
      stages: [{name: A, bash: 'case "$FAIL" in *a*) exit 1;; esac', env: {FAIL: "\${{ params.fail }}"}}]
    b:
      stages: [{name: B, bash: 'case "$FAIL" in *b*) exit 1;; esac', env: {FAIL: "\${{ params.fail }}"}}]
    c:
      stages: [{name: C, bash: 'case "$FAIL" in *c*) exit 1;; esac', env: {FAIL: "\${{ params.fail }}"}}]
    join:
      needs: [a, b, c]
      trigger-rule: {min-success: 2}
      stages: [{name: Joined, echo: joined}]
four-of-seven:
  type: Workflow
  jobs:
${job('a', true)}${job('b', false)}${job('c', true)}${job('d', false)}${job('e', true)}${job('f', false)}${job('g', true)}    four:
      needs: [a, b, c, d, e, f, g]
      trigger-rule: {min-success: 4}
      stages: [{name: Four, echo: four}]
    five:
      needs: [a, b, c, d, e, f, g]
      trigger-rule: {min-success: 5}
      stages: [{name: Five, echo: five}]
hourly:
  type: Workflow
  start-deadline: 300
  on: [{cron: "0 * * * *"}]
  jobs:
    work:
      stages: [{name: Work, echo: working}]
`;

let dir: PatternDir;

beforeAll(() => {
  dir = new PatternDir('joins', CONF);
});

afterAll(async () => {
  await dir.close();
});

describe('min-success joins', () => {
  it('2 of 3: runs with one need failed, is SKIP with two failed', async () => {
    const workflows = dir.workflows();
    const w = workflows.get('two-of-three')!;
    const one = await runLocal(w, { workflows, params: { fail: 'b' } });
    expect(Object.fromEntries(Object.entries(one.jobs).map(([k, v]) => [k, (v as { status: string }).status]))).toEqual({ a: 'SUCCESS', b: 'FAILED', c: 'SUCCESS', join: 'SUCCESS' });
    const two = await runLocal(w, { workflows, params: { fail: 'ac' } });
    expect((two.jobs.join as { status: string }).status).toBe('SKIP');
    expect(two.status).toBe('FAILED');
  }, 60_000);

  it('counting form (4 and 5 of 7, four succeeded): the first runs, the second is SKIP', async () => {
    const workflows = dir.workflows();
    const doc = await runLocal(workflows.get('four-of-seven')!, { workflows });
    expect((doc.jobs.four as { status: string }).status).toBe('SUCCESS');
    expect((doc.jobs.five as { status: string }).status).toBe('SKIP');
  }, 60_000);
});

describe('start deadlines', () => {
  const hourAgo = (): string => {
    const at = new Date(Date.now() - 3600_000);
    at.setUTCMinutes(0, 0, 0);
    return at.toISOString().replace('.000Z', 'Z');
  };

  it('a release that starts later than its deadline is SKIP and does not claim its minute', () => {
    const late = dir.wfSync(['release', 'hourly', '--at', hourAgo(), '--json']);
    expect(late.code).toBe(0);
    const doc = JSON.parse(late.stdout) as { status: string; errors: Array<{ name: string; message: string }>; jobs: object };
    expect(doc.status).toBe('SKIP');
    expect(doc.jobs).toEqual({});
    expect(doc.errors).toHaveLength(1);
    expect(doc.errors[0]!.name).toBe('StartDeadlineMissed');
    expect(doc.errors[0]!.message).toMatch(new RegExp(`^the release of ${hourAgo()} started at \\S+, after its start deadline \\S+ \\(300 s after the logical date\\)$`));
    // The minute was not claimed: a forced release of it can still run.
    const forced = dir.wfSync(['release', 'hourly', '--at', hourAgo(), '--type', 'force', '--json']);
    expect((JSON.parse(forced.stdout) as { status: string }).status).toBe('SUCCESS');
  }, 60_000);

  it('a release within its deadline runs; a run that claims no release is not checked', async () => {
    const workflows = dir.workflows();
    const local = await dir.open();
    const now = new Date();
    now.setUTCSeconds(0, 0);
    const store = { client: local.client, table: local.store.table };
    const w = workflows.get('hourly')!;
    const onTime = await runLocal(w, { workflows, store, release: { logical_date: now.toISOString() }, lock: `lock#${now.toISOString().slice(0, 16)}` });
    expect(onTime.status).toBe('SUCCESS');
    const manual = await runLocal(w, { workflows, store, release: { logical_date: '2020-01-01T00:00:00Z' } });
    expect(manual.status).toBe('SUCCESS');
  }, 60_000);

  it('the runner computes the deadline from the logical date', () => {
    expect(startDeadline({ action: 'start-deadline', logicalDate: '2024-01-01T09:00:00Z', seconds: 900 })).toEqual({ deadline: '2024-01-01T09:15:00.000Z' });
    expect(() => startDeadline({ action: 'start-deadline', logicalDate: 'soon', seconds: 1 })).toThrow('start-deadline needs a logical date, got "soon"');
  });
});
