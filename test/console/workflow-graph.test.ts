/** The graph the console lays out: clusters for jobs and composite stages, edges between leaves only. */
import { describe, expect, it } from 'vitest';
import { loadWorkflows } from '../../lib/config/index.ts';
import { workflowGraph } from '../../lib/serve/console/workflow-graph.ts';
import { workflowView } from '../../lib/serve/console/workflow-view.ts';

const conf = new URL('./fixtures/conf', import.meta.url).pathname;
const workflows = loadWorkflows({ conf }).workflows;

describe('workflowGraph', () => {
  it('nests stages in their job and composite stage, and joins leaves by order and needs', () => {
    const { nodes, edges } = workflowGraph(workflows.get('fan')!);
    expect(nodes.map((n) => [n.key, n.label, n.kind, n.parent ?? null, n.cluster])).toEqual([
      ['job:build', 'build (matrix)', 'job', null, true],
      ['build/1', 'Compile', 'bash', 'job:build', false],
      ['job:checks', 'checks', 'job', null, true],
      ['checks/1', 'Checks', 'parallel', 'job:checks', true],
      ['checks/2', 'Lint', 'bash', 'checks/1', false],
      ['checks/3', 'Unit', 'bash', 'checks/1', false],
      ['checks/4', 'Each', 'foreach', 'job:checks', true],
      ['checks/5', 'Item', 'bash', 'checks/4', false],
      ['job:ship', 'ship', 'job', null, true],
      ['ship/1', 'Ship', 'empty', 'job:ship', false],
    ]);
    expect(edges).toEqual([
      { from: 'checks/2', to: 'checks/5', kind: 'next' },
      { from: 'checks/3', to: 'checks/5', kind: 'next' },
      { from: 'build/1', to: 'ship/1', kind: 'needs' },
      { from: 'checks/5', to: 'ship/1', kind: 'needs' },
    ]);
  });
});

describe('workflowView', () => {
  it('gives params for the form (never a secret default), the next releases, and the signals waited for', () => {
    const quick = workflowView(workflows.get('quick')!, new Date('2026-03-27T12:00:00Z'));
    // Weekdays at 06:30 in Paris: 05:30 UTC in winter time, 04:30 UTC from March 29 (summer time).
    expect(quick.schedules).toEqual([{ cron: '30 6 * * 1-5', timezone: 'Europe/Paris', next: ['2026-03-30T04:30:00.000Z', '2026-03-31T04:30:00.000Z', '2026-04-01T04:30:00.000Z'] }]);
    const greet = workflowView(workflows.get('greet')!, new Date());
    expect(greet.params).toEqual([
      { name: 'who', type: 'str', required: false, hasDefault: true, default: 'world', description: 'who to greet', secret: false },
      { name: 'colour', type: 'choice', required: false, hasDefault: true, default: 'red', options: ['red', 'green', 'blue'], secret: false },
      { name: 'token', type: 'str', required: true, hasDefault: false, secret: true },
    ]);
    expect(workflowView(workflows.get('gate')!, new Date()).signals).toEqual(['approve']);
  });
});
