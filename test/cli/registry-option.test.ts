/**
 * `--registry PATH` takes one path per flag, so it may stand before the workflow name
 * (`wf run --registry x.ts NAME`) and be repeated.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;
const VAULT = new URL('../reliability/fixtures/vault.ts', import.meta.url).pathname;
const COUNT = new URL('../cdk/fixtures/registry/count.ts', import.meta.url).pathname;

describe('--registry', () => {
  it('stands anywhere on the line and repeats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-registry-opt-'));
    writeFileSync(join(dir, 'wf.yml'), ['calls:', '  type: Workflow', '  jobs:', '    j:', '      stages:', '        - {name: c, id: c, uses: vault/login@v1, with: {token: tok-abc}}', ''].join('\n'));
    for (const args of [['run', '--registry', VAULT, 'calls'], ['run', 'calls', '--registry', VAULT], ['run', '--registry', COUNT, '--registry', VAULT, 'calls']]) {
      const r = spawnSync(process.execPath, [wf, ...args, '--conf', dir, '--no-audit', '--json'], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
      expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout).jobs.j.stages.c.outputs).toEqual({ length: 7 });
    }
  });
});
