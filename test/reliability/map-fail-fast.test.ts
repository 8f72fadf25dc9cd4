/**
 * A Map stops at its first failed iteration: iterations queued behind `MaxConcurrency` never start,
 * on the local engine as on Step Functions, even when the run goes on after the failure.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { runLocal } from '../../lib/local/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'wf-failfast-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = (concurrent: number): string => `ff:
  type: Workflow
  params: {dir: str}
  jobs:
    work:
      stages:
        - name: Each
          id: each
          continue-on-error: true
          concurrent: ${concurrent}
          foreach: [1, 2, 3, 4, 5, 6, 7, 8]
          stages:
            - name: Touch
              env: {ITEM: "\${{ item }}", DIR: "\${{ params.dir }}"}
              bash: |
                touch "$DIR/ran-$ITEM"
                [ "$ITEM" = "2" ] && exit 3
                sleep 1
        - name: After
          id: after
          echo: "the run goes on"
`;

describe('a Map after a failed iteration', () => {
  it('starts none of the iterations queued behind it, and the run goes on', async () => {
    for (const concurrent of [1, 2]) {
      const out = join(dir, `c${concurrent}`);
      const { workflows } = loadWorkflowsFromText({ 'ff.yml': text(concurrent) });
      mkdirSync(out);
      const doc = await runLocal(workflows.get('ff')!, { params: { dir: out } });
      expect(doc.status).toBe('SUCCESS');
      const stages = (doc.jobs.work as { stages: Record<string, { status: string }> }).stages;
      expect(stages.each!.status).toBe('FAILED');
      expect(stages.after!.status).toBe('SUCCESS');
      // Items 1 and 2 ran (item 1 takes a second, so 2 fails first); nothing queued behind them did.
      await new Promise((r) => setTimeout(r, 300));
      expect(readdirSync(out).sort(), `concurrent ${concurrent}`).toEqual(['ran-1', 'ran-2']);
    }
  });
});
