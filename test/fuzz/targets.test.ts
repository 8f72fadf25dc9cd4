/**
 * Bounded, seeded fuzzing of the loader, the expression engine, params and the compiler (the
 * targets and their outcome checks are in targets.ts; `npm run fuzz` runs them for longer). Each
 * input must give a valid result or a diagnostic; any other exception is a bug, kept as a named
 * case in regressions.test.ts once found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { workflowYaml } from './generators.ts';
import { compilerTarget, expressionTarget, loaderTarget, paramsTarget, type FuzzTarget } from './targets.ts';

/** Inputs per target in the test suite (the figures in docs/reliability.md). */
const TEST_RUNS = { loader: 200, expressions: 2000, params: 2000, compiler: 80 } as const;

function fuzz<T>(target: FuzzTarget<T>, numRuns: number): void {
  fc.assert(
    fc.property(target.arbitrary, (input) => target.check(input)),
    { seed: 42, numRuns },
  );
}

describe('fuzz (fast-check, seed 42): a valid result or a diagnostic, nothing else', () => {
  it(`the YAML loader, ${TEST_RUNS.loader} texts: workflows or positioned diagnostics, the same twice`, () => {
    fuzz(loaderTarget, TEST_RUNS.loader);
  });

  it(`the expression engine, ${TEST_RUNS.expressions} expressions and templates: values that are data, or an EvalError`, () => {
    fuzz(expressionTarget, TEST_RUNS.expressions);
  });

  it(`params, ${TEST_RUNS.params} declarations and inputs: typed values or ParamErrors that never quote a secret`, () => {
    fuzz(paramsTarget, TEST_RUNS.params);
  });

  it(`the compiler, ${TEST_RUNS.compiler} generated workflows: each compiles to a well-formed, deterministic machine`, () => {
    fuzz(compilerTarget, TEST_RUNS.compiler);
  });

  it('the workflow generator makes valid workflows that use every stage kind', () => {
    const kinds = new Set<string>();
    for (const text of fc.sample(workflowYaml, { seed: 42, numRuns: 60 })) {
      const loaded = loadWorkflowsFromText({ 'conf/wf.yml': text });
      expect(loaded.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      for (const m of text.matchAll(/^\s+-? ?(echo|sleep|bash|run|deps|uses|trigger|raise|image|parallel|foreach|case|until|try|stages):/gm)) kinds.add(m[1]!);
    }
    expect([...kinds].sort()).toEqual(['bash', 'case', 'deps', 'echo', 'foreach', 'image', 'parallel', 'raise', 'run', 'sleep', 'stages', 'trigger', 'try', 'until', 'uses']);
  });
});
