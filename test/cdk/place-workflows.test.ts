import { describe, expect, it } from 'vitest';
import { jumpHash, placeWorkflows, STACK_BUDGET, WorkflowSynthError, type MachineToPlace } from '../../lib/cdk/index.ts';

const EMPTY = { bytes: 0, resources: 0, outputs: 0 };
/** `count` workflows of `bytes` each (4 resources and an output, like a gallery workflow). */
const workflows = (count: number, bytes = 30_000, from = 0): MachineToPlace[] =>
  Array.from({ length: count }, (_, i) => ({ name: `App-wf${from + i}`, workflow: `wf${from + i}`, footprint: { bytes, resources: 4, outputs: 1 } }));

/** The error `place` throws (it must throw one). */
function synthError(place: () => unknown): WorkflowSynthError {
  try {
    place();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowSynthError);
    return err as WorkflowSynthError;
  }
  throw new Error('expected placeWorkflows to throw');
}

function stacksOf(machines: readonly MachineToPlace[], stackOf: ReadonlyMap<string, number>, stacks: number) {
  return Array.from({ length: stacks + 1 }, (_, i) =>
    machines.filter((m) => stackOf.get(m.name) === i).reduce((a, m) => ({ bytes: a.bytes + m.footprint.bytes, resources: a.resources + m.footprint.resources, outputs: a.outputs + m.footprint.outputs }), EMPTY),
  );
}

describe('placeWorkflows', () => {
  it("keeps every machine in the app's stack while the whole fits in it", () => {
    const machines = workflows(20);
    const placement = placeWorkflows(machines, { bytes: 60_000, resources: 40, outputs: 2 });
    expect(placement.nestedStacks).toBe(0);
    expect([...placement.stackOf.values()].every((s) => s === 0)).toBe(true);
  });

  it('past the budget, uses the fewest nested stacks that each fit, and none in the app stack', () => {
    const machines = workflows(100);
    const placement = placeWorkflows(machines, { bytes: 60_000, resources: 40, outputs: 2 });
    expect(placement.nestedStacks).toBeGreaterThanOrEqual(Math.ceil((100 * 30_000) / STACK_BUDGET.bytes));
    const [parent, ...nested] = stacksOf(machines, placement.stackOf, placement.nestedStacks);
    expect(parent).toEqual(EMPTY);
    for (const s of nested) {
      expect(s.bytes).toBeGreaterThan(0);
      expect(s.bytes).toBeLessThanOrEqual(STACK_BUDGET.bytes);
    }
    expect(synthError(() => placeWorkflows(machines, EMPTY, placement.nestedStacks - 1)).diagnostics.map((d) => d.code)).toEqual(['WF6011']);
  });

  it('moves no machine when workflows are added or removed and the number of nested stacks stays', () => {
    const before = placeWorkflows(workflows(100), EMPTY, 8);
    const after = placeWorkflows([...workflows(90), ...workflows(20, 30_000, 100)], EMPTY, 8);
    for (const m of workflows(90)) expect(after.stackOf.get(m.name), m.name).toBe(before.stackOf.get(m.name));
  });

  it("fails with error WF6011, every workflow's estimated size and the fix when nestedStacks is off and they do not fit", () => {
    const machines = [...workflows(40), { name: 'App-big', workflow: 'big', footprint: { bytes: 90_000, resources: 12, outputs: 1 } }];
    const error = synthError(() => placeWorkflows(machines, EMPTY, 'off'));
    const fix = "set nestedStacks to 'auto' (the default) or to a number, or deploy the workflows as several stacks";
    expect(error.diagnostics).toHaveLength(1);
    expect(error.diagnostics[0]).toMatchObject({ code: 'WF6011', severity: 'error', note: fix });
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(
      "error WF6011: the workflows do not fit in one stack (estimated 1,290,000 bytes, 172 resources, 41 outputs) and nestedStacks is 'off'; a stack is filled to 800,000 bytes, 400 resources, 160 outputs at most (80% of CloudFormation's limits)",
    );
    expect(lines[1]).toBe('  estimated size of each workflow:');
    expect(lines[2]).toBe('    big: 90,000 bytes, 12 resources, 1 output');
    expect(lines[3]).toBe('    wf0: 30,000 bytes, 4 resources, 1 output');
    expect(lines).toHaveLength(2 + 41 + 2);
    expect(lines.slice(-2)).toEqual([`  note: ${fix}`, '1 error, 0 warnings']);
  });

  it('fails with error WF6011 naming a machine that does not fit in a stack on its own, with the fix', () => {
    const machines = [...workflows(3), { name: 'App-huge', workflow: 'huge', footprint: { bytes: 900_000, resources: 4, outputs: 1 } }];
    const error = synthError(() => placeWorkflows(machines, EMPTY));
    expect(error.diagnostics.map((d) => d.code)).toEqual(['WF6011']);
    expect(error.message).toMatch(/^error WF6011: state machine "App-huge" of workflow "huge" alone does not fit in a stack \(estimated 900,000 bytes, 4 resources, 1 output\);/);
    expect(error.message).toContain("\n  note: deploy it as one machine per job (split: 'jobs'), or make the workflow smaller\n");
  });

  it('fails with error WF6011 when a given number of nested stacks is too few, saying to raise it', () => {
    const error = synthError(() => placeWorkflows(workflows(100), EMPTY, 2));
    expect(error.diagnostics.map((d) => d.code)).toEqual(['WF6011']);
    expect(error.message).toMatch(/^error WF6011: nested stack \d of 2 does not fit .*\n  note: raise nestedStacks, or set it to 'auto'\n1 error, 0 warnings$/s);
  });
});

describe('jumpHash', () => {
  it('going from n to n + 1 buckets moves keys only into the new bucket, about one in n + 1', () => {
    const keys = Array.from({ length: 2_000 }, (_, i) => `Workflows-workflow-${i}`);
    for (const n of [1, 4, 9]) {
      const moved = keys.filter((k) => jumpHash(k, n) !== jumpHash(k, n + 1));
      for (const k of moved) expect(jumpHash(k, n + 1)).toBe(n);
      expect(moved.length / keys.length).toBeGreaterThan(0.6 / (n + 1));
      expect(moved.length / keys.length).toBeLessThan(1.4 / (n + 1));
    }
  });

  it('is deterministic and in range', () => {
    expect(jumpHash('Workflows-hello', 7)).toBe(jumpHash('Workflows-hello', 7));
    for (let n = 1; n < 20; n++) {
      const b = jumpHash(`key-${n}`, n);
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(n);
    }
  });
});
