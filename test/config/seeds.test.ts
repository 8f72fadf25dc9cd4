/**
 * The seed documents' YAML examples (extracted under seeds/, see seeds/README.md): the valid ones
 * load with no errors, the ones judged invalid fail with the code their first line names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflows } from '../../lib/config/index.ts';
import { formatDiagnostics, hasErrors } from '../../lib/diagnostics/index.ts';

const VALID = 'test/config/seeds/valid';
const INVALID = 'test/config/seeds/invalid';

describe('seed examples', () => {
  for (const file of readdirSync(VALID).sort()) {
    it(`${file} loads without errors`, () => {
      const path = join(VALID, file);
      const result = loadWorkflows({ conf: path, env: {} });
      const text = formatDiagnostics(result.diagnostics, { sources: result.sources });
      expect(hasErrors(result.diagnostics), text).toBe(false);
      const declared = [...readFileSync(path, 'utf8').matchAll(/^([a-z][\w-]*):\s*$/gm)].map((m) => m[1]);
      expect([...result.workflows.keys()]).toEqual(declared);
    });
  }

  it('all valid seeds load together (trigger targets resolve across files)', () => {
    const result = loadWorkflows({ conf: VALID, env: {} });
    expect(hasErrors(result.diagnostics)).toBe(false);
    expect(result.workflows.size).toBe(35);
  });

  for (const file of readdirSync(INVALID).sort()) {
    it(`${file} is rejected with the expected code`, () => {
      const path = join(INVALID, file);
      const expected = /^# expect: (WF\d{4})/.exec(readFileSync(path, 'utf8'))![1];
      const result = loadWorkflows({ conf: path, env: {} });
      expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([expected]);
    });
  }
});
