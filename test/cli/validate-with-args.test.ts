/**
 * `wf validate --registry` checks a call stage's constant `with:` values against the function's
 * schema (WF7001 at the stage's `with`), as the stage runner would before the call; templated
 * values wait for run time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;
const REGISTRY = new URL('../reliability/fixtures/vault.ts', import.meta.url).pathname;

const CONF = `calls:
  type: Workflow
  params:
    t: { type: str, default: tok-1 }
  jobs:
    j:
      stages:
        - name: Bad constant
          uses: vault/login@v1
          with: { token: "no-prefix" }
        - name: Unknown argument
          uses: vault/login@v1
          with: { token: tok-ok, extra: 1 }
        - name: Fine
          uses: vault/login@v1
          with: { token: tok-fine }
        - name: Templated
          uses: vault/login@v1
          with: { token: "\${{ params.t }}" }
`;

describe('constant with: values in wf validate --registry', () => {
  it('are checked against the schema, at the stage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wf-with-args-'));
    writeFileSync(join(dir, 'wf.yml'), CONF);
    const r = spawnSync(process.execPath, [wf, 'validate', 'calls', '--conf', dir, `--registry=${REGISTRY}`], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
    expect(r.status).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.includes('WF7001'));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/wf\.yml:10:\d+: error WF7001: stage "Bad constant" calls vault\/login@v1 with arguments its schema refuses: token: /);
    expect(errors[1]).toMatch(/wf\.yml:13:\d+: error WF7001: stage "Unknown argument" .*extra/);
    const plain = spawnSync(process.execPath, [wf, 'validate', 'calls', '--conf', dir], { encoding: 'utf8', cwd: dir, timeout: 60_000 });
    expect(plain.status, plain.stderr).toBe(0);
  });
});
