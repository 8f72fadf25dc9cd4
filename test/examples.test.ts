/**
 * The example gallery in conf/ runs end to end on the local engine with real bash and python3:
 * every workflow the README points at succeeds and produces the outputs its stages promise.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { loadWorkflows, type Workflow } from '../lib/config/index.ts';
import { runLocal, type ResultDocument } from '../lib/local/index.ts';
import { loadRegistryModules } from '../lib/runtime/index.ts';

const conf = new URL('../conf/', import.meta.url).pathname;
let workflows: Map<string, Workflow>;

beforeAll(async () => {
  const loaded = loadWorkflows({ conf });
  expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  workflows = loaded.workflows;
  await loadRegistryModules([new URL('../conf/registry/tasks.ts', import.meta.url).pathname]);
});

async function run(name: string, params: Record<string, unknown> = {}): Promise<ResultDocument> {
  return runLocal(workflows.get(name)!, { workflows, params, retryWaitMs: 10 });
}

type Rec = { status: string; outputs?: Record<string, unknown>; stages?: Record<string, Rec>; strategies?: Record<string, Rec> } & Record<string, unknown>;
const job = (doc: ResultDocument, id: string): Rec => doc.jobs[id] as Rec;

describe('conf/ examples', () => {
  it('hello greets from bash and Python, then reports', async () => {
    const doc = await run('hello', { who: 'Ada', shout: true });
    expect(doc.status).toBe('SUCCESS');
    const greet = job(doc, 'greet').stages!;
    expect(greet.bash!.outputs!.stdout).toBe('hello Ada from bash');
    expect(greet.py!.outputs!.greeting).toBe('HELLO ADA FROM PYTHON');
    expect(job(doc, 'report').stages!.report!.outputs!.stdout).toBe('greet finished with success');
  });

  it('stages: one stage of every kind that runs without extra software', async () => {
    const doc = await run('stages', { environment: 'staging', files: ['x.csv', 'y.txt'] });
    expect(doc.status).toBe('SUCCESS');
    const s = job(doc, 'tour').stages!;
    expect(s.count!.outputs).toEqual({ files: 2, rows: 200 });
    // The default branch sees the value it matched (docs/dialect.md: case), not the text "_".
    expect(s.env!.outputs!.case).toBe('staging');
    expect((s.env!.outputs!.stages as Record<string, Rec>).note!.outputs!.stdout).toBe('non-production (staging)');
    const regions = s.regions!.outputs!.parallel as Record<string, Rec>;
    expect(regions.east!.stages!.deploy!.outputs!.stdout).toBe('deployed to east');
    expect(regions.west!.stages!.deploy!.outputs!.stdout).toBe('deployed to west');
    const each = s.each!.outputs!.foreach as Record<string, Rec>;
    expect(each['x.csv']!.stages!.check!.outputs).toMatchObject({ ok: true, position: 0 });
    expect(each['y.txt']!.stages!.check!.outputs).toMatchObject({ ok: false, position: 1 });
    expect(Object.keys(s.poll!.outputs!.until as object)).toEqual(['1', '2', '3']);
    expect(s.safely!.status).toBe('SUCCESS');
    expect((s.safely!.outputs!.try as Rec).status).toBe('FAILED');
    expect((s.safely!.outputs!.catch as Rec).status).toBe('SUCCESS');
    expect((s.grouped!.outputs!.stages as Record<string, Rec>).second!.outputs!.stdout).toBe('after one');
  });

  it('jobs: a computed matrix, a fan-in, trigger rules and a nested workflow', async () => {
    const doc = await run('jobs', { version: '2.1' });
    expect(doc.status).toBe('SUCCESS');
    const strategies = job(doc, 'build').strategies!;
    expect(Object.keys(strategies).sort()).toEqual(['os-linux_arch-arm64', 'os-linux_arch-x64_experimental-true', 'os-mac_arch-arm64']);
    expect(strategies['os-mac_arch-arm64']!.stages!.build!.outputs!.stdout).toBe('built mac/arm64');
    expect(job(doc, 'on-failure').status).toBe('SKIP');
    const publish = job(doc, 'release').stages!.publish!.outputs as { status: string; jobs: Record<string, Rec> };
    expect(publish.status).toBe('SUCCESS');
    expect(publish.jobs.publish!.stages!.upload!.outputs!.stdout).toBe('published 2.1 to stable');
  });
});
