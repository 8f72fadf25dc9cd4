/**
 * Generated hostile workflows (odd ids and param names, quotes, braces, backslashes and `${Key}` in
 * names and scripts, hyphenated params in concurrency groups and nested conditions, docker stages)
 * compile to machines that AWS's ASL language service and the compiler's AWS-rule checks accept.
 * The inputs come from a seeded generator, so a finding reproduces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { hostileWorkflowYaml } from '../fuzz/hostile-workflows.ts';
import { scanMachine } from '../helpers/aws-rules.ts';

describe('hostile workflows', () => {
  it('load, compile and pass AWS rules, every machine', async () => {
    const samples = fc.sample(hostileWorkflowYaml, { numRuns: 120, seed: 1302 });
    let machines = 0;
    for (const text of samples) {
      const loaded = loadWorkflowsFromText({ 'conf/hostile.yml': text });
      expect(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}\n${text}`)).toEqual([]);
      const compiled = compileWorkflow(loaded.workflows.get('hostile')!, { workflows: loaded.workflows });
      expect(compiled.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}\n${text}`)).toEqual([]);
      for (const m of [compiled, ...compiled.children]) {
        machines++;
        expect((await scanMachine(m.json)).map((f) => `${f}\n${text}`)).toEqual([]);
        expect(JSON.parse(m.json)).toEqual(m.definition);
      }
    }
    expect(machines).toBeGreaterThanOrEqual(samples.length);
  });

  it('covers what it claims: odd names, ${Key} text, docker, groups and conditions all occur', () => {
    const all = fc.sample(hostileWorkflowYaml, { numRuns: 120, seed: 1302 }).join('\n');
    for (const needle of ['${AuditTableName}', "Container 'x' {y}", 'back\\\\slash', 'image: alpine', 'concurrency:', "!(params['", 'needs:']) expect(all).toContain(needle);
  });
});
