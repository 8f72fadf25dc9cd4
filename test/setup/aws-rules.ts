/**
 * Every machine a test compiles goes through AWS's own ASL language service and the compiler's
 * AWS-rule checks. `compileWorkflow` is wrapped for the whole test file: each definition it returns
 * without an error diagnostic (the workflow's machine and its child machines) is collected, and
 * after the file's tests, every distinct one is scanned. A finding fails the file, naming the
 * machine and the rule.
 */
import { afterAll, expect, vi } from 'vitest';
import type * as CompileWorkflow from '../../lib/compiler/compile-workflow.ts';
import { scanMachine } from '../helpers/aws-rules.ts';

const compiled = new Map<string, string>();

vi.mock('../../lib/compiler/compile-workflow.ts', async (importOriginal) => {
  const real = await importOriginal<typeof CompileWorkflow>();
  return {
    ...real,
    compileWorkflow: (...args: Parameters<typeof real.compileWorkflow>) => {
      const out = real.compileWorkflow(...args);
      if (!out.diagnostics.some((d) => d.severity === 'error')) {
        for (const m of [out, ...out.children]) if (!compiled.has(m.json)) compiled.set(m.json, `${args[0].name}${'name' in m ? ` (${m.name})` : ''}`);
      }
      return out;
    },
  };
});

afterAll(async () => {
  const findings: string[] = [];
  for (const [json, label] of compiled) for (const f of await scanMachine(json)) findings.push(`${label}: ${f}`);
  compiled.clear();
  expect(findings).toEqual([]);
});
