/**
 * `retry: {max, delay, backoff, max-delay, jitter}` compiles to Step Functions' own Retry fields
 * (IntervalSeconds, BackoffRate, MaxDelaySeconds, JitterStrategy), which AWS's language service
 * checks on every compiled machine (test/setup/aws-rules.ts); `retry: N` keeps its 1 s ×1.2 waits;
 * a stage that reads `retry` waits the policy's waits in its counter loop; bad values are positioned
 * errors; a local run makes max + 1 attempts.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileWorkflow, type Machine } from '../../lib/compiler/index.ts';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { runLocal } from '../../lib/local/index.ts';

const wf = (stage: string, extra = ''): string => ['r:', '  type: Workflow', '  jobs:', '    j:', '      stages:', `        - ${stage}`, extra, ''].join('\n');

function retryOf(m: Machine, name: string): unknown {
  return (m.States[name] as { Retry?: unknown[] }).Retry;
}

describe('retry policy', () => {
  it('compiles to the native Retry fields', () => {
    const { workflows, diagnostics } = loadWorkflowsFromText({ 'r.yml': wf('{name: b, id: b, bash: "exit 1", retry: {max: 3, delay: 2, backoff: 2, max-delay: 10, jitter: true}}') });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const m = compileWorkflow(workflows.get('r')!).definition;
    expect(retryOf(m, 'j.b')).toContainEqual({ ErrorEquals: ['StageFailed', 'States.Timeout'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2, MaxDelaySeconds: 10, JitterStrategy: 'FULL' });
  });

  it('retry: N keeps 1 s growing ×1.2, and the policy defaults are the same', () => {
    for (const retry of ['2', '{max: 2}']) {
      const { workflows } = loadWorkflowsFromText({ 'r.yml': wf(`{name: b, id: b, bash: "exit 1", retry: ${retry}}`) });
      expect(retryOf(compileWorkflow(workflows.get('r')!).definition, 'j.b')).toContainEqual({ ErrorEquals: ['StageFailed', 'States.Timeout'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1.2 });
    }
  });

  it("a stage that reads `retry` waits the policy's waits in its counter loop", () => {
    const { workflows } = loadWorkflowsFromText({ 'r.yml': wf('{name: b, id: b, bash: "echo ${{ retry }}; exit 1", retry: {max: 4, delay: 3, backoff: 2, max-delay: 20}}') });
    const text = JSON.stringify(compileWorkflow(workflows.get('r')!).definition);
    expect(text).toContain('States.Array(3, 6, 12, 20, 20');
  });

  it('bad values are positioned errors that say what is expected', () => {
    const cases: Array<[string, RegExp]> = [
      ['{max: 3, delay: 0}', /delay/],
      ['{max: 30}', /max/],
      ['{max: 2, backoff: 0.5}', /backoff/],
      ['{max: 2, tries: 3}', /tries/],
      ['{delay: 2}', /max/],
    ];
    for (const [retry, field] of cases) {
      const { diagnostics } = loadWorkflowsFromText({ 'r.yml': wf(`{name: b, bash: "exit 1", retry: ${retry}}`) });
      const errors = diagnostics.filter((d) => d.severity === 'error');
      expect(errors.length, retry).toBeGreaterThan(0);
      expect(errors.map((e) => `${e.message} ${e.note ?? ''}`).join('\n'), retry).toMatch(field);
      expect(errors[0]!.location?.line).toBe(6);
    }
  });

  it('a local run makes max + 1 attempts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-retry-'));
    const { workflows } = loadWorkflowsFromText({ 'r.yml': wf(`{name: b, id: b, bash: "echo x >> ${dir}/tries; exit 1", retry: {max: 2, delay: 1, backoff: 1}}`) });
    const doc = await runLocal(workflows.get('r')!, { retryWaitMs: 1 });
    expect(doc.status).toBe('FAILED');
    expect(readFileSync(join(dir, 'tries'), 'utf8').trim().split('\n')).toHaveLength(3);
  });
});
