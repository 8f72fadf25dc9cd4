/**
 * A batched foreach runs its items in child executions of `batch` items each, so that no
 * execution's history passes Step Functions' 25,000 events: the compiled form, its history bounds
 * (computed for 100,000 items, and checked against what local runs record), and local runs that
 * give the same result document as the unbatched foreach.
 */
import { describe, expect, it } from 'vitest';
import aslValidator from 'asl-validator';
import { loadWorkflowsFromText, type Workflow } from '../../lib/config/index.ts';
import { compileWorkflow, estimateHistoryEvents, historyBounds, structuralProblems, type Machine } from '../../lib/compiler/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { HistoryCounter } from '../../lib/local/count-history.ts';

const LIMIT = 25_000;

function workflowOf(text: string, name = 'fan'): Workflow {
  const { workflows, diagnostics } = loadWorkflowsFromText({ 'fan.yml': text });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => d.message)).toEqual([]);
  return workflows.get(name)!;
}

/** A foreach over `params.ids` whose item runs bash (failing on `params.bad`) and an echo. */
function fanText(batch: string | undefined, extra = ''): string {
  return `fan:
  type: Workflow
  params:
    ids: {type: array}
    bad: {type: str, default: none}
  jobs:
    work:
      stages:
        - name: Setup
          id: setup
          run: prefix = "p"
        - name: Each
          id: each
${batch === undefined ? '' : `          batch: ${batch}\n`}          foreach: \${{ params.ids }}
          concurrent: 3
${extra}          stages:
            - name: Check
              id: check
              env: {ITEM: "\${{ item }}", BAD: "\${{ params.bad }}", LOOP: "\${{ loop }}", PREFIX: "\${{ stages.setup.outputs.prefix }}"}
              bash: |
                [ "$ITEM" = "$BAD" ] && { echo "item $ITEM is bad" >&2; exit 3; }
                echo "$PREFIX $ITEM at $LOOP"
            - name: Say
              echo: "done \${{ item }}"
        - name: After
          id: after
          echo: "after \${{ stages.each.status }}"
`;
}

function valid(m: Machine): void {
  expect(structuralProblems(m)).toEqual([]);
  const v = (aslValidator as unknown as (d: unknown, o: unknown) => { isValid: boolean; errorsText: (s?: string) => string })(m, { checkPaths: true, checkArn: false });
  expect(v.isValid, v.errorsText('\n')).toBe(true);
}

function states(m: Machine): Array<[string, Machine['States'][string]]> {
  return Object.entries(m.States).flatMap(([n, s]) => [[n, s] as [string, Machine['States'][string]], ...(s.Branches ?? []).flatMap(states), ...(s.ItemProcessor ? states(s.ItemProcessor) : [])]);
}

const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `id-${i}`);

describe('compiling a batched foreach', () => {
  it('puts the items in a chunk machine that the parent starts once per chunk', () => {
    const out = compileWorkflow(workflowOf(fanText('50')));
    expect(out.children.map((c) => c.name)).toEqual(['fan__work__batch1']);
    expect(out.children[0]!.batch?.size).toBe(50);
    expect(out.placeholders).toContain('StateMachine_fan____work____batch1');
    const parent = states(out.definition);
    const child = states(out.children[0]!.definition);
    // The item's stages are in the chunk machine only; the parent starts chunks and waits for them.
    expect(parent.some(([n]) => n.includes('Check'))).toBe(false);
    expect(child.some(([n]) => n.includes('Check'))).toBe(true);
    expect(parent.filter(([, s]) => s.Resource === 'arn:aws:states:::states:startExecution.sync:2')).toHaveLength(1);
    expect(JSON.stringify(out.definition)).toContain('States.ArrayPartition($.__items');
    valid(out.definition);
    valid(out.children[0]!.definition);
    expect(out.diagnostics).toEqual([]);
  });

  it('is not batched without `batch` when the list comes at run time', () => {
    expect(compileWorkflow(workflowOf(fanText(undefined))).children).toEqual([]);
  });

  it('batches a fixed list too long for one execution on its own, and says so', () => {
    const text = `big:
  type: Workflow
  jobs:
    work:
      stages:
        - name: Each
          id: each
          foreach: [${ids(5000).map((i) => `"${i}"`).join(', ')}]
          stages:
            - { name: Run, id: run, bash: "echo hi" }
            - { name: Say, echo: "hi" }
`;
    const out = compileWorkflow(workflowOf(text, 'big'));
    const warning = out.diagnostics.find((d) => d.code === 'WF6009');
    expect(warning?.message).toMatch(/^foreach stage "Each" runs its 5000 items in child executions of \d+ items each, because one execution would record about \d+ history events/);
    expect(warning?.location?.line).toBe(6);
    expect(out.children).toHaveLength(1);
    for (const b of historyBounds(out, 'big', 5000)) expect(b.events).toBeLessThanOrEqual(LIMIT * 0.8);
    // A short fixed list stays one Map.
    expect(compileWorkflow(workflowOf(text.replace(/\[.*\]/, '[a, b, c]'), 'big')).children).toEqual([]);
  });

  it('warns when a chosen chunk would pass the history limit', () => {
    const out = compileWorkflow(workflowOf(fanText('10000')));
    const w = out.diagnostics.find((d) => d.code === 'WF6003');
    expect(w?.message).toMatch(/foreach stage "Each": a chunk of 10000 items may record about \d+ history events/);
    expect(w?.note).toMatch(/use `batch: auto` \(\d+ items a chunk for this stage\)/);
    expect(w?.location?.line).toBe(14);
  });

  it('is refused in an Express workflow, naming the feature', () => {
    const out = compileWorkflow(workflowOf(fanText('auto').replace('  type: Workflow\n', '  type: Workflow\n  execution: express\n  timeout: 300\n')));
    expect(out.diagnostics.find((d) => d.code === 'WF6006')?.message).toBe('stage "Each" cannot run in an Express workflow: a batched foreach waits for its child executions (startExecution.sync)');
  });

  it('rejects a batch that is not a whole number from 1 to 10000 or auto, saying what it may be', () => {
    const error = (batch: string) => loadWorkflowsFromText({ 'fan.yml': fanText(batch) }).diagnostics.find((d) => d.severity === 'error');
    expect(error('0')?.message).toBe('"batch" must be at least 1, got 0');
    expect(error('lots')).toMatchObject({ code: 'WF2003', message: '"batch" must be a whole number of items per child execution (1 to 10000), or "auto", got "lots"' });
    expect(error('autoo')?.note).toBe('did you mean "auto"?');
  });

  it('keeps every execution of a foreach over 100,000 items under the history limit (computed)', () => {
    const items = 100_000;
    const batched = compileWorkflow(workflowOf(fanText('auto')));
    const bounds = historyBounds(batched, 'fan', items);
    expect(bounds.map((b) => b.name)).toEqual(['fan', 'fan__work__batch1']);
    for (const b of bounds) expect(b.events, b.name).toBeLessThan(LIMIT);
    const size = batched.children[0]!.batch!.size;
    expect(Math.ceil(items / size)).toBeLessThanOrEqual(1000);
    // The same foreach unbatched would need one execution of several hundred thousand events.
    const whole = compileWorkflow(workflowOf(fanText(undefined)));
    expect(estimateHistoryEvents(whole.definition, items)).toBeGreaterThan(LIMIT * 10);
  });
});

describe('running a batched foreach locally', () => {
  const batched = workflowOf(fanText('50'));
  const unbatched = workflowOf(fanText(undefined));
  const withIndexKeys = workflowOf(fanText('4', '          use-index-as-key: true\n'));

  async function run(w: Workflow, params: Record<string, unknown>): Promise<{ doc: Awaited<ReturnType<typeof runLocal>>; counter: HistoryCounter }> {
    const counter = new HistoryCounter(compileWorkflow(w));
    const doc = await runLocal(w, { params, onRawEvent: (e, ex) => counter.add(e as never, ex) });
    return { doc, counter };
  }

  it('gives the same result as the unbatched foreach, within the computed history bounds', async () => {
    const n = 200;
    const params = { ids: ids(n) };
    const [a, b] = await Promise.all([run(batched, params), run(unbatched, params)]);
    expect(a.doc.status).toBe('SUCCESS');
    expect(a.doc.jobs).toEqual(b.doc.jobs);
    const each = (a.doc.jobs.work as { stages: Record<string, { outputs: { items: string[]; foreach: Record<string, { stages: { check: { outputs: { stdout: string } } } }> } }> }).stages.each!;
    expect(each.outputs.items).toEqual(ids(n));
    expect(each.outputs.foreach['id-199']!.stages.check.outputs.stdout).toBe('p id-199 at 199');
    // One execution for the run and one per chunk of 50; each within its computed bound.
    const executions = [...a.counter.byExecution];
    expect(executions).toHaveLength(1 + n / 50);
    const bounds = historyBounds(compileWorkflow(batched), 'fan', n);
    const bound = (ex: string): number => (ex.includes('fan__work__batch1') ? bounds[1]! : bounds[0]!).events;
    for (const [ex, count] of executions) {
      expect(count).toBeGreaterThan(0);
      expect(count, ex).toBeLessThanOrEqual(bound(ex));
    }
    // The unbatched run is one execution, larger than any of the batched run's.
    expect(b.counter.byExecution.size).toBe(1);
    expect(b.counter.max).toBeGreaterThan(a.counter.max * 2);
  });

  it('fails the stage with the item\'s error, as the unbatched foreach does, and starts no later chunk', async () => {
    const params = { ids: ids(400), bad: 'id-120' };
    const [a, b] = await Promise.all([run(batched, params), run(unbatched, params)]);
    expect(a.doc.status).toBe('FAILED');
    expect(a.doc.jobs).toEqual(b.doc.jobs);
    expect((a.doc.jobs.work as { stages: { each: unknown } }).stages.each).toEqual({
      status: 'FAILED',
      outputs: {},
      errors: { name: 'ForeachItemFailed', message: 'bash stage "Check" exited with code 3: item id-120 is bad' },
    });
    // Chunks run one after another: the third (items 100-149) fails, the fourth never starts.
    expect(a.counter.byExecution.size).toBe(1 + 3);
  });

  it('keeps the collected outputs within the output budget, trimming the largest records', async () => {
    const { doc } = await run(batched, { ids: ids(300) });
    expect(doc.status).toBe('SUCCESS');
    const outputs = (doc.jobs.work as { stages: { each: { outputs: { items: string[]; foreach: Record<string, { status: string; item?: string; stages?: unknown }> } } } }).stages.each.outputs;
    expect(Buffer.byteLength(JSON.stringify(outputs))).toBeLessThanOrEqual(32 * 1024);
    expect(outputs.items).toEqual(ids(300));
    const records = Object.values(outputs.foreach);
    expect(records).toHaveLength(300);
    // Every record keeps its status and item; those past the budget say how big their stages were.
    for (const r of records) expect(r.status).toBe('SUCCESS');
    const trimmed = records.filter((r) => JSON.stringify(r.stages).includes('__truncated__'));
    expect(trimmed.length).toBeGreaterThan(0);
    expect(trimmed[0]!.stages).toEqual({ __truncated__: expect.stringMatching(/^\d+ bytes$/) });
    expect(records.filter((r) => (r.stages as { check?: unknown }).check).length).toBeGreaterThan(50);
  });

  it('runs an empty list', async () => {
    const { doc } = await run(batched, { ids: [] });
    expect(doc.status).toBe('SUCCESS');
    expect((doc.jobs.work as { stages: { each: unknown } }).stages.each).toEqual({ status: 'SUCCESS', outputs: { items: [], foreach: {} } });
  });

  it('keys by the index across chunks with use-index-as-key, and for repeated items', async () => {
    const { doc } = await run(withIndexKeys, { ids: ['a', 'b', 'c', 'd', 'e', 'f'] });
    const fe = (doc.jobs.work as { stages: { each: { outputs: { foreach: Record<string, { item: string }> } } } }).stages.each.outputs.foreach;
    expect(Object.keys(fe)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(fe['5']!.item).toBe('f');
    const dup = await run(batched, { ids: ['x', 'y', 'x'] });
    expect(Object.keys((dup.doc.jobs.work as { stages: { each: { outputs: { foreach: object } } } }).stages.each.outputs.foreach)).toEqual(['0', '1', '2']);
  });

  it('fails clearly when there are more items than 1,000 chunks hold', async () => {
    const one = workflowOf(fanText('1'));
    const { doc } = await run(one, { ids: ids(1001) });
    expect(doc.status).toBe('FAILED');
    expect((doc.jobs.work as { stages: { each: { errors: unknown } } }).stages.each.errors).toEqual({
      name: 'ForeachError',
      message: 'foreach stage "Each" has 1001 items; a batch of 1 items per child execution runs at most 1000; raise `batch`',
    });
  });

  it('runs inside a workflow split into job machines', async () => {
    const out = compileWorkflow(batched, { split: 'jobs' });
    expect(out.children.map((c) => c.name)).toEqual(['fan__work__batch1', 'fan__work']);
    const params = { ids: ids(120) };
    const [split, whole] = await Promise.all([runLocal(batched, { params, split: 'jobs' }), runLocal(batched, { params })]);
    expect(split.status).toBe('SUCCESS');
    expect(split.jobs).toEqual(whole.jobs);
  });
});
