/**
 * A py stage whose variables hold lone surrogates (`x = "\ud800"`), which UTF-8 cannot encode, runs
 * through `wf run` with real python3: its outputs come back well-formed as documented in
 * functions/py-runner/handler.py (a lone surrogate becomes U+FFFD, a surrogate pair the character it
 * spells), keys included, a later job reads them, printing one does not fail the stage, and a
 * failure message holding one is reported, never a crash of the runner's output encoding.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;

const CONF = `
surrogates:
  type: Workflow
  jobs:
    make:
      outputs:
        lone: \${{ stages.values.outputs.lone }}
      stages:
        - name: Values
          id: values
          run: |
            print("printed \\ud800 to the log")
            lone = "\\ud800"
            inside = "ok \\udfff end"
            nested = {"k\\ud83d": ["a\\udc00", 1]}
            pair = "\\ud83d\\ude00"
            plain = "😀 é"
    read:
      needs: make
      stages:
        - name: Read
          id: read
          run: |
            got = lone
            length = len(lone)
          vars: { lone: "\${{ needs.make.outputs.lone }}" }
    fails:
      stages:
        - name: Raise
          id: raise
          run: |
            partial = "x\\udc80"
            raise ValueError("bad \\udc80 value")
`;

describe('py outputs holding lone surrogates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-surrogates-'));
  writeFileSync(join(dir, 'wf.yml'), CONF);
  const r = spawnSync(process.execPath, [wf, 'run', 'surrogates', '--conf', dir, '--json', '--no-audit'], { encoding: 'utf8', timeout: 60_000 });
  type Stage = { status: string; outputs: Record<string, unknown>; errors?: { name: string; message: string } };
  const doc = JSON.parse(r.stdout) as { status: string; jobs: Record<string, { status: string; outputs?: Record<string, unknown>; stages: Record<string, Stage> }> };

  it('replaces each lone surrogate with U+FFFD and joins pairs, in values and keys', () => {
    expect(doc.jobs.make!.status).toBe('SUCCESS');
    expect(doc.jobs.make!.stages.values!.outputs).toEqual({
      lone: '\uFFFD',
      inside: 'ok \uFFFD end',
      nested: { 'k\uFFFD': ['a\uFFFD', 1] },
      pair: '😀',
      plain: '😀 é',
    });
    expect(doc.jobs.make!.outputs).toEqual({ lone: '\uFFFD' });
  });

  it('lets a later job read the replaced value', () => {
    expect(doc.jobs.read!.status).toBe('SUCCESS');
    expect(doc.jobs.read!.stages.read!.outputs).toMatchObject({ got: '\uFFFD', length: 1 });
  });

  it('reports a failure whose message holds one as the stage failure, not a runner crash', () => {
    const failed = doc.jobs.fails!.stages.raise!;
    expect(failed.status).toBe('FAILED');
    expect(failed.errors!.name).toBe('ValueError');
    expect(failed.errors!.message).toContain('raised ValueError: bad \uFFFD value');
    expect(failed.errors!.message).not.toMatch(/UnicodeEncodeError|surrogates not allowed/);
    expect(doc.status).toBe('FAILED');
    expect(r.status).toBe(1);
  });
});
