/**
 * A stage whose `if` does not hold prints as skipped in `wf run --progress`, with or without an
 * id, whether the condition is a constant or evaluated at run time; the machine passes through a
 * state of its own for it, on AWS as locally.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'wf-skipped-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('shows skipped stages as skipped, and the stages that ran as done', () => {
  writeFileSync(
    join(dir, 'flow.yml'),
    `flow:
  type: Workflow
  params:
    mode: { type: str, default: fast }
  jobs:
    j:
      stages:
        - name: Never
          if: \${{ false }}
          bash: echo never
        - name: Only slow \${{ params.mode }}
          if: \${{ params.mode == 'slow' }}
          bash: echo slow
        - name: With id
          id: withid
          if: \${{ params.mode == 'slow' }}
          bash: echo slow
        - name: Always
          bash: echo always
`,
  );
  const r = spawnSync(process.execPath, [join(root, 'bin/wf.js'), 'run', 'flow', '--conf', dir, '--no-audit', '--progress'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/↷ j › Never skipped/);
  expect(r.stderr).toMatch(/↷ j › Only slow fast skipped/);
  expect(r.stderr).toMatch(/↷ j › With id skipped/);
  expect(r.stderr).toMatch(/✓ j › Always/);
  expect(r.stderr).not.toMatch(/✓ j › (Never|Only slow|With id)/);
}, 150_000);
