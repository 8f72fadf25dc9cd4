/**
 * Until loops on the local engine with real Python stages: the next item comes from the last
 * stage that left one, whether it is merged from the stages' outputs (every item-leaving stage
 * always runs) or picked by a Choice (one may be skipped by its `if`); the condition sees the
 * iteration's own stages; the records keep each iteration's item.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText, type Workflow } from '../../lib/config/index.ts';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { runLocal } from '../../lib/local/index.ts';

function load(text: string): Workflow {
  const { workflows, diagnostics } = loadWorkflowsFromText({ 'loop.yml': text });
  expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return workflows.get('loop')!;
}

const loop = (secondIf: string): string => `loop:
  type: Workflow
  jobs:
    main:
      stages:
        - name: Count
          id: count
          item: 1
          until: "\${{ stages.double.outputs.seen >= 8 }}"
          max-loop: 6
          stages:
            - name: Add
              id: add
              run: |
                item = \${{ item }} + 1
                note = "from add"
            - name: Double
              id: double
${secondIf}              run: |
                seen = \${{ item }}
                item = \${{ item }} * 2
`;

type Records = Record<string, { item: number; stages: { add: { outputs: { item: number } }; double?: { status: string; outputs?: { item: number; seen: number } } } }>;

async function records(w: Workflow): Promise<Records> {
  const doc = await runLocal(w);
  expect(doc.status, JSON.stringify(doc.jobs)).toBe('SUCCESS');
  return (doc.jobs.main as { stages: { count: { outputs: { until: Records } } } }).stages.count.outputs.until;
}

describe('until loops', () => {
  it('takes the next item from the last stage that left one, merged from the outputs', async () => {
    const w = load(loop(''));
    expect(JSON.stringify(compileWorkflow(w).definition)).not.toContain('next item');
    const until = await records(w);
    // Within an iteration \`item\` stays the iteration's; the next one is Double's (the last that left one).
    expect(Object.keys(until)).toEqual(['1', '2', '3', '4']);
    expect(Object.values(until).map((r) => r.item)).toEqual([1, 2, 4, 8]);
    expect(until['4']!.stages.add.outputs.item).toBe(9);
    expect(until['4']!.stages.double!.outputs).toEqual({ seen: 8, item: 16 });
  });

  it('picks it with a Choice when a stage that leaves one may be skipped', async () => {
    const w = load(loop('              if: "${{ item < 4 }}"\n').replace('stages.double.outputs.seen >= 8', "stages.double.status == 'SKIP'"));
    expect(JSON.stringify(compileWorkflow(w).definition)).toContain('next item');
    const until = await records(w);
    // item 1 and 2: Double runs and leaves 2, then 4; item 4: Double is skipped, Add's 5 is next; the condition holds.
    expect(Object.keys(until)).toEqual(['1', '2', '3']);
    expect(Object.values(until).map((r) => r.item)).toEqual([1, 2, 4]);
    expect(until['3']!.stages.add.outputs.item).toBe(5);
    expect(until['3']!.stages.double).toEqual({ status: 'SKIP' });
  });
});
