/**
 * Jobs whose needs are not series-parallel run as a graph: each job starts as soon as exactly the
 * jobs it needs are done. The compiled form, its schedule (exactly the critical path), local runs
 * (timing, failures, resumed runs) against the series-parallel form, and the stage runner's
 * actions against a real DynamoDB-compatible server with Step Functions mocked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import aslValidator from 'asl-validator';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadWorkflowsFromText, type Workflow } from '../../lib/config/index.ts';
import { compileWorkflow, criticalPath, planAddedWaits, simulatePlan, structuralProblems, type Machine } from '../../lib/compiler/index.ts';
import { planWorkflowJobs } from '../../lib/compiler/plan-jobs.ts';
import { runLocal } from '../../lib/local/index.ts';
import { awsJobGraph } from '../../lib/runtime/job-graph.ts';
import { openLocalStore, type LocalStore } from '../../lib/local/local-store.ts';

/** a and b start; c needs both, d needs a, e needs d and b: not series-parallel. */
function graphText(extra = '', bFails = false): string {
  return `dag:
  type: Workflow
${extra}  jobs:
    a:
      stages:
        - { name: A, id: a, bash: "echo a" }
    b:
      stages:
        - { name: B, id: b, bash: "sleep 1.2; ${bFails ? 'exit 4' : 'echo b'}" }
    c:
      needs: [a, b]
      stages:
        - { name: C, id: c, bash: "echo c" }
    d:
      needs: [a]
      stages:
        - { name: D, id: d, echo: "d after \${{ jobs.a.stages.a.outputs.stdout }}" }
    e:
      needs: [d, b]
      if: always()
      stages:
        - { name: E, id: e, echo: "e" }
`;
}

function load(text: string): Workflow {
  const { workflows, diagnostics } = loadWorkflowsFromText({ 'dag.yml': text });
  expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return workflows.get('dag')!;
}

function branchesOf(m: Machine): Machine[] {
  return Object.values(m.States).flatMap((s) => s.Branches ?? []);
}

describe('compiling a job graph', () => {
  it('runs each job in its own branch, waiting for exactly its needs', () => {
    const out = compileWorkflow(load(graphText()));
    const graph = out.definition.States['jobs.graph']!;
    expect(graph.Type).toBe('Parallel');
    expect(graph.Branches).toHaveLength(5);
    const waits = branchesOf(out.definition).map((b) => b.States[b.StartAt]!).filter((s) => s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(waits.map((w) => (w.Parameters as { Payload: { job: string; needs: string[]; ancestors: string[] } }).Payload).map((p) => [p.job, p.needs, p.ancestors])).toEqual([
      ['c', ['a', 'b'], ['a', 'b']],
      ['d', ['a'], ['a']],
      ['e', ['d', 'b'], ['a', 'b', 'd']],
    ]);
    expect(structuralProblems(out.definition)).toEqual([]);
    const v = (aslValidator as unknown as (d: unknown, o: unknown) => { isValid: boolean; errorsText: (s?: string) => string })(out.definition, { checkPaths: true, checkArn: false });
    expect(v.isValid, v.errorsText('\n')).toBe(true);
  });

  it('keeps the series-parallel plan where it is exact, in Express workflows, under max-job-parallel, and when asked', () => {
    const sp = load(graphText().replace('      needs: [a]\n', '      needs: [a, b]\n').replace('      needs: [d, b]\n', '      needs: [c, d]\n'));
    expect(compileWorkflow(sp).definition.States['jobs.graph']).toBeUndefined();
    expect(compileWorkflow(load(graphText('  execution: express\n  timeout: 300\n'))).definition.States['jobs.graph']).toBeUndefined();
    expect(compileWorkflow(load(graphText('  max-job-parallel: 2\n'))).definition.States['jobs.graph']).toBeUndefined();
    expect(compileWorkflow(load(graphText()), { jobGraph: 'off' }).definition.States['jobs.graph']).toBeUndefined();
  });

  it('schedules every DAG in exactly its critical path', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 14 }), fc.array(fc.boolean(), { minLength: 100, maxLength: 100 }), fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 14, maxLength: 14 }), (n, edges, times) => {
        const jobs = Array.from({ length: n }, (_, i) => ({ id: `j${i}`, needs: [] as string[] }));
        let k = 0;
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (edges[k++ % edges.length]) jobs[i]!.needs.push(`j${j}`);
        const durations = Object.fromEntries(jobs.map((j, i) => [j.id, times[i]!]));
        const plan = planWorkflowJobs(jobs, { graph: true });
        expect(simulatePlan(plan, durations)).toBe(criticalPath(jobs, durations));
        expect(planAddedWaits(jobs, plan)).toEqual([]);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});

describe('running a job graph locally', () => {
  async function run(w: Workflow, options: Parameters<typeof runLocal>[1] = {}): Promise<{ doc: Awaited<ReturnType<typeof runLocal>>; entered: Map<string, number> }> {
    const entered = new Map<string, number>();
    const doc = await runLocal(w, { ...options, onRawEvent: (e) => void (e.type === 'StateEntered' && e.state && !entered.has(e.state.name) && entered.set(e.state.name, performance.now())) });
    return { doc, entered };
  }
  const shape = (d: Awaited<ReturnType<typeof runLocal>>): unknown => Object.fromEntries(Object.entries(d.jobs).map(([k, v]) => [k, { status: (v as { status: string }).status, stages: (v as { stages?: unknown }).stages }]));

  it('starts a job when its needs are done, not when unrelated jobs are, with the same result as the series-parallel plan', async () => {
    const w = load(graphText());
    const [graph, sp] = await Promise.all([run(w), run(w, { jobGraph: 'off' })]);
    expect(graph.doc.status).toBe('SUCCESS');
    expect(shape(graph.doc)).toEqual(shape(sp.doc));
    expect((graph.doc.jobs.d as { stages: { d: { outputs: unknown } } }).stages.d.outputs).toEqual({});
    // d needs only a: it runs while b (1.2 s) is still running.
    expect(graph.entered.get('d.D.done')!).toBeLessThan(graph.entered.get('b.succeeded')!);
    expect(graph.entered.get('c.C')!).toBeGreaterThan(graph.entered.get('b.succeeded')!);
  });

  it('hands a failed need to the jobs that need it: their trigger rules decide', async () => {
    const { doc } = await run(load(graphText('', true)));
    expect(doc.status).toBe('FAILED');
    expect(Object.fromEntries(Object.entries(doc.jobs).map(([k, v]) => [k, (v as { status: string }).status]))).toEqual({ a: 'SUCCESS', b: 'FAILED', c: 'SKIP', d: 'SUCCESS', e: 'SUCCESS' });
  });

  it('runs the same when the workflow is split into one machine per job', async () => {
    const w = load(graphText());
    const [split, whole] = await Promise.all([run(w, { split: 'jobs' }), run(w)]);
    expect(split.doc.status).toBe('SUCCESS');
    expect(shape(split.doc)).toEqual(shape(whole.doc));
    expect(split.entered.has('jobs.graph')).toBe(true);
  });

  it('resumes: jobs done before are not run again, and their records reach the jobs that need them', async () => {
    const w = load(graphText());
    const first = await run(w);
    const { a, b } = first.doc.jobs as Record<string, unknown>;
    const again = await run(w, { jobs: { a, b } });
    expect(again.doc.status).toBe('SUCCESS');
    expect(again.entered.has('a.A')).toBe(false);
    expect(again.entered.has('b.B')).toBe(false);
    expect(again.doc.jobs.a).toEqual(a);
    expect(shape(again.doc)).toEqual(shape(first.doc));
  });
});

describe('the stage runner\'s job-graph actions on AWS', () => {
  let local: LocalStore;
  let dynamodb: DynamoDBClient;
  const table = 'wf-audit';
  const sfn = mockClient(SFNClient);
  const answers: Array<{ token: string; output: unknown }> = [];
  const graph = () =>
    awsJobGraph(dynamodb, async (token, output) => {
      await new SFNClient({ region: 'us-east-1' }).send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
      answers.push({ token, output });
    });

  beforeAll(async () => {
    // The local store: a real DynamoDB-compatible server (dynalite) with the audit table's layout.
    local = await openLocalStore({ dir: mkdtempSync(join(tmpdir(), 'wf-graph-')), table });
    dynamodb = local.client;
  });
  afterAll(async () => {
    sfn.restore();
    await local.close();
  });

  it('answers a job that waits when its last need is done, and one whose needs are done at once', async () => {
    sfn.on(SendTaskSuccessCommand).resolves({});
    const g = graph();
    const execution = 'arn:aws:states:us-east-1:1:execution:dag:one';
    await g.jobDone({ action: 'job-done', execution, job: 'a', record: { status: 'SUCCESS', stages: {} }, table });
    const waiting = await g.needsWait({ action: 'needs-wait', token: 'tok-c', execution, job: 'c', needs: ['a', 'b'], ancestors: ['a', 'b'], jobs: { x: { status: 'SUCCESS' } }, table });
    expect(waiting).toEqual({ waiting: true });
    expect(answers).toEqual([]);
    const done = await g.jobDone({ action: 'job-done', execution, job: 'b', record: { status: 'FAILED', errors: { name: 'E', message: 'm' } }, table });
    expect(done).toEqual({ answered: ['c'] });
    expect(answers).toEqual([{ token: 'tok-c', output: { x: { status: 'SUCCESS' }, a: { status: 'SUCCESS', stages: {} }, b: { status: 'FAILED', errors: { name: 'E', message: 'm' } } } }]);
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input).toEqual({ taskToken: 'tok-c', output: JSON.stringify(answers[0]!.output) });
    // Both needs done: answered at once; the wait item is gone, the done items expire.
    expect(await g.needsWait({ action: 'needs-wait', token: 'tok-d', execution, job: 'd', needs: ['a'], ancestors: ['a'], table })).toEqual({ waiting: false });
    expect(answers[1]).toEqual({ token: 'tok-d', output: { a: { status: 'SUCCESS', stages: {} } } });
    const items = ((await dynamodb.send(new ScanCommand({ TableName: table }))).Items ?? []).filter((i) => i.workflow?.S?.startsWith('jobs#'));
    expect(items.map((i) => i.release!.S).sort()).toEqual(['done#a', 'done#b']);
    for (const i of items) expect(Number(i.expires!.N)).toBeGreaterThan(Date.now() / 1000 + 6 * 24 * 3600);
  });

  it('refuses a request without its fields', async () => {
    await expect(graph().needsWait({ action: 'needs-wait' } as never)).rejects.toThrow(/needs-wait needs "execution", "job", "needs" and "ancestors"/);
  });
});
