/**
 * Step Functions fails a run whose state input or output passes 256 KiB (States.DataLimitExceeded,
 * which no Catch handles); the local engine has no such limit, so local runs check it and fail the
 * same way instead of succeeding where AWS would not.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText, type Workflow } from '../../lib/config/index.ts';
import { runLocal } from '../../lib/local/index.ts';

function load(stages: number): Workflow {
  // Each stage's outputs stay under the 32 KB per-stage budget; together they pass 256 KiB.
  const list = Array.from({ length: stages }, (_, i) => `        - { name: Big ${i}, id: big${i}, run: "blob = 'x' * 30000" }`).join('\n');
  const { workflows, diagnostics } = loadWorkflowsFromText({ 'big.yml': `big:\n  type: Workflow\n  jobs:\n    fill:\n      stages:\n${list}\n` });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return workflows.get('big')!;
}

describe('the 256 KiB payload limit, locally', () => {
  it('fails a run whose document grows past it, naming the state and the size, as AWS would', async () => {
    const doc = await runLocal(load(10));
    expect(doc.status).toBe('FAILED');
    expect(doc.errors).toHaveLength(1);
    expect(doc.errors![0]!.name).toBe('States.DataLimitExceeded');
    expect(doc.errors![0]!.message).toMatch(/^the output of state "fill\.Big \d" is \d+ bytes, over Step Functions' limit of 262144 bytes for a state's input or output; the run fails there on AWS/);
  });

  it('lets a run that stays under it succeed', async () => {
    const doc = await runLocal(load(7));
    expect(doc.status).toBe('SUCCESS');
    expect(Buffer.byteLength(JSON.stringify(doc))).toBeLessThan(256 * 1024);
  });
});
