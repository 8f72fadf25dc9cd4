/**
 * The dialect of the coordination patterns as the config layer reads it: `concurrency` (short and
 * full form, on a workflow and on a job), the `wait` stage, `trigger-rule: {min-success: N}` and
 * `start-deadline`, with their defaults and the mistakes they report.
 */
import { describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { diagnosticsOf, workflowsOf } from './helpers.ts';

const one = (body: string): string => `w:\n  type: Workflow\n${body}`;

describe('concurrency', () => {
  it('reads the short form as a group with one slot, and the full form with its limit', () => {
    const w = workflowsOf(
      one(`  concurrency: deploy
  jobs:
    a:
      concurrency: {group: "db-\${{ params.env }}", limit: 3}
      stages: [{name: A, echo: a}]
    b:
      concurrency: {group: solo, cancel-in-progress: true}
      stages: [{name: B, echo: b}]
  params:
    env: str
`),
    ).get('w')!;
    expect(w.concurrency).toMatchObject({ group: 'deploy', limit: 1, cancelInProgress: false });
    expect(w.jobs.a!.concurrency).toMatchObject({ group: 'db-${{ params.env }}', limit: 3, cancelInProgress: false });
    expect(w.jobs.b!.concurrency).toMatchObject({ group: 'solo', limit: 1, cancelInProgress: true });
  });

  it('reports unknown keys, a limit below 1, unknown names in the group, and cancel-in-progress with a limit', () => {
    const d = diagnosticsOf(
      one(`  concurrency: {group: "x-\${{ params.nope }}", limt: 2}
  jobs:
    a:
      concurrency: {group: g, limit: 0}
      stages: [{name: A, echo: a}]
    b:
      concurrency: {group: g, limit: 2, cancel-in-progress: true}
      stages: [{name: B, echo: b}]
    c:
      concurrency: "x-\${{ params.nope }}"
      stages: [{name: C, echo: c}]
`),
    );
    expect(d).toContainEqual(expect.stringMatching(/^WF2001 unknown key "limt" in "concurrency" \(did you mean "limit"\?\)/));
    expect(d).toContainEqual(expect.stringMatching(/^WF2004 "concurrency.limit" must be at least 1, got 0/));
    expect(d).toContainEqual(expect.stringMatching(/^WF4\d{3} .*nope/));
    expect(d).toContainEqual(expect.stringMatching(/^WF2008 "concurrency" has cancel-in-progress with limit 2/));
  });
});

describe('wait stages', () => {
  it('reads the signal name, its timeout, and the short form', () => {
    const w = workflowsOf(
      one(`  jobs:
    a:
      stages:
        - {name: Approve, id: approve, wait: {signal: go, timeout: 120}}
        - {name: Review, wait: review, timeout: 30}
`),
    ).get('w')!;
    expect(w.jobs.a!.stages[0]).toMatchObject({ kind: 'wait', signal: 'go', waitTimeout: 120, id: 'approve' });
    expect(w.jobs.a!.stages[1]).toMatchObject({ kind: 'wait', signal: 'review', timeout: 30 });
    expect(w.jobs.a!.stages[1]).not.toHaveProperty('waitTimeout');
  });

  it('reports a signal name that is not an id, two timeouts, and keys of other kinds', () => {
    const d = diagnosticsOf(
      one(`  jobs:
    a:
      stages:
        - {name: A, wait: "not an id"}
        - {name: B, wait: {signal: b, timeout: 5}, timeout: 9}
        - {name: C, wait: c, env: {X: 1}}
`),
    );
    expect(d).toContainEqual(expect.stringMatching(/^WF2007 "not an id" is not a valid id/));
    expect(d).toContainEqual('WF2008 stage "B" has two timeouts: "timeout" and "wait.timeout" (write the timeout once)');
    expect(d).toContainEqual(expect.stringMatching(/^WF2001 unknown key "env" in stage "C" \("env" belongs to bash, docker stages; this stage is a wait stage\)/));
  });

  it('cannot be in an Express workflow (WF6006)', () => {
    const w = workflowsOf(one(`  execution: express\n  timeout: 300\n  jobs:\n    a:\n      stages: [{name: Approve, wait: go}]\n`)).get('w')!;
    const errors = compileWorkflow(w).diagnostics.filter((x) => x.severity === 'error');
    expect(errors.map((e) => `${e.code} ${e.message}`)).toEqual(['WF6006 stage "Approve" cannot run in an Express workflow: a wait stage waits for a task token (waitForTaskToken), which Express workflows cannot']);
  });
});

describe('min-success joins', () => {
  it('reads {min-success: N} as a rule that waits for every need', () => {
    const w = workflowsOf(
      one(`  jobs:
    a: {stages: [{name: A, echo: a}]}
    b: {stages: [{name: B, echo: b}]}
    c:
      needs: [a, b]
      trigger-rule: {min-success: 1}
      stages: [{name: C, echo: c}]
`),
    ).get('w')!;
    expect(w.jobs.c).toMatchObject({ minSuccess: 1, triggerRule: 'all_done', triggerRuleSet: true });
    expect(w.jobs.a).not.toHaveProperty('minSuccess');
  });

  it('reports N above the number of needs, N below 1, and an unknown rule key', () => {
    const d = diagnosticsOf(
      one(`  jobs:
    a: {stages: [{name: A, echo: a}]}
    b:
      needs: a
      trigger-rule: {min-success: 2}
      stages: [{name: B, echo: b}]
    c:
      needs: a
      trigger-rule: {min-success: 0}
      stages: [{name: C, echo: c}]
    d:
      needs: a
      trigger-rule: {min-sucess: 1}
      stages: [{name: D, echo: d}]
`),
    );
    expect(d).toContainEqual('WF2004 job "b" asks for min-success 2 but needs 1 job (write a number from 1 to 1)');
    expect(d).toContainEqual(expect.stringMatching(/^WF2004 "trigger-rule.min-success" must be at least 1, got 0/));
    expect(d).toContainEqual(expect.stringMatching(/^WF2001 unknown key "min-sucess" in "trigger-rule" \(did you mean "min-success"\?\)/));
  });
});

describe('start deadlines', () => {
  it('reads whole seconds, at least 1', () => {
    expect(workflowsOf(one(`  start-deadline: 600\n  jobs:\n    a: {stages: [{name: A, echo: a}]}\n`)).get('w')!.startDeadline).toBe(600);
    expect(diagnosticsOf(one(`  start-deadline: 0\n  jobs:\n    a: {stages: [{name: A, echo: a}]}\n`))).toContainEqual(expect.stringMatching(/^WF2004 "start-deadline" must be at least 1, got 0/));
  });
});
