/**
 * Workflows past one machine's limits are split: one child state machine per job, started and
 * awaited by the workflow's machine. The split form is valid ASL, runs on the local engine, and
 * gives the same result document as the whole form.
 */
import { describe, expect, it } from 'vitest';
import aslValidator from 'asl-validator';
import { loadWorkflows, loadWorkflowsFromText } from '../../lib/config/index.ts';
import { compileWorkflow, structuralProblems, type Machine } from '../../lib/compiler/index.ts';
import { runLocal } from '../../lib/local/index.ts';

const conformance = new URL('../conformance/', import.meta.url).pathname;

function taskResources(m: Machine): string[] {
  return Object.values(m.States).flatMap((s) => [s.Resource ?? '', ...(s.Branches ?? []).flatMap(taskResources), ...(s.ItemProcessor ? taskResources(s.ItemProcessor) : [])]).filter(Boolean);
}

describe('splitting a workflow into one machine per job', () => {
  const { workflows } = loadWorkflows({ conf: `${conformance}needs-fallback/conf` });
  const workflow = workflows.get('needs-fallback')!;

  it('compiles a parent that starts each job machine, and valid child machines', () => {
    const split = compileWorkflow(workflow, { split: 'jobs' });
    expect(split.children.map((c) => c.name)).toEqual(['needs-fallback__main-process', 'needs-fallback__fallback', 'needs-fallback__report', 'needs-fallback__cleanup']);
    expect(taskResources(split.definition).filter((r) => r.includes('startExecution.sync:2'))).toHaveLength(4);
    expect(split.placeholders).toContain('StateMachine_needs_0fallback____main_0process');
    expect(split.diagnostics.find((d) => d.code === 'WF6008')?.message).toContain('split into 4 child state machines');
    for (const m of [split.definition, ...split.children.map((c) => c.definition)]) {
      expect(structuralProblems(m)).toEqual([]);
      const v = (aslValidator as unknown as (d: unknown, o: unknown) => { isValid: boolean; errorsText: (s?: string) => string })(m, { checkPaths: true, checkArn: false });
      expect(v.isValid, v.errorsText('\n')).toBe(true);
    }
    expect(compileWorkflow(workflow).children).toEqual([]);
  });

  it('runs on the local engine with the same result as the whole machine', async () => {
    const whole = await runLocal(workflow, { workflows });
    const events: string[] = [];
    const split = await runLocal(workflow, { workflows, split: 'jobs', onRawEvent: (e) => e.type === 'StateEntered' && e.state && events.push(e.state.name) });
    expect(events).toContain('main-process');
    expect(split.status).toBe('FAILED');
    const shape = (d: typeof whole): unknown => Object.fromEntries(Object.entries(d.jobs).map(([k, v]) => [k, { status: (v as { status: string }).status, stages: (v as { stages?: unknown }).stages }]));
    expect(shape(split)).toEqual(shape(whole));
  });

  it('splits on its own when the definition would pass the size limit, and says so', () => {
    let text = 'big:\n  type: Workflow\n  jobs:\n';
    for (let j = 0; j < 4; j++) {
      text += `    j${j}:\n      stages:\n`;
      for (let s = 0; s < 300; s++) text += `        - { name: s${s}, id: s${s}, bash: "echo ${'x'.repeat(200)}" }\n`;
    }
    const { workflows: big } = loadWorkflowsFromText({ 'big.yml': text });
    const out = compileWorkflow(big.get('big')!);
    expect(out.children).toHaveLength(4);
    expect(out.diagnostics.find((d) => d.code === 'WF6008')?.message).toMatch(/because its (definition would be \d+ bytes|\d+ stages would make a definition well over 1 MB)/);
    expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const c of out.children) expect(Buffer.byteLength(c.json)).toBeLessThan(1024 * 1024);
    expect(compileWorkflow(big.get('big')!, { split: 'off' }).diagnostics.map((d) => d.code)).toContain('WF6002');
  });
});
