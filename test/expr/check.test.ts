import { describe, expect, it } from 'vitest';
import { ALL_ROOTS, ROOT_AVAILABILITY, checkCondition, checkExpression, checkTemplate, parseExpression, type StaticScope } from '../../lib/expr/index.ts';
import { CHECK_CASES, type ScopeSpec } from './cases/check-cases.ts';

function toScope(s: ScopeSpec): StaticScope {
  const scope: StaticScope = { roots: new Set(s.roots) };
  if (s.needs) scope.needs = new Set(s.needs);
  if (s.jobs) scope.jobs = new Set(s.jobs);
  if (s.stageIds) scope.stageIds = new Set(s.stageIds);
  if (s.params) scope.params = new Set(s.params);
  return scope;
}

describe('static checks', () => {
  it.each(CHECK_CASES)('$text', ({ text, kind = 'template', scope, problems, note, message }) => {
    const found = kind === 'condition' ? checkCondition(text, toScope(scope)) : checkTemplate(text, toScope(scope));
    expect(found.map((p) => `${p.code}@${p.offset}+${p.length}`)).toEqual(problems);
    if (note) expect(found[0]!.note).toContain(note);
    if (message) expect(found[0]!.message).toContain(message);
  });

  it('checks an AST parsed on its own with positions relative to its source', () => {
    const { ast } = parseExpression('contains(parms, 1)');
    expect(checkExpression(ast!, { roots: new Set(['params']) })).toEqual([
      { code: 'WF4001', message: 'unknown name "parms"', offset: 9, length: 5, note: 'names available here are "params"; did you mean "params"?' },
    ]);
  });

  it('accepts a YAML boolean condition', () => {
    expect(checkCondition(true, { roots: new Set() })).toEqual([]);
  });

  it('lists every dialect root with where it is available', () => {
    expect([...ALL_ROOTS]).toEqual(['params', 'release', 'run', 'env', 'jobs', 'needs', 'stages', 'matrix', 'item', 'loop', 'branch', 'case', 'error', 'retry']);
    for (const root of ALL_ROOTS) expect(ROOT_AVAILABILITY[root]).toMatch(/^(in|inside) /);
  });
});
