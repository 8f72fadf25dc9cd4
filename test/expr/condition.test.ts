import { describe, expect, it } from 'vitest';
import { EvalError, evaluateCondition, parseCondition } from '../../lib/expr/index.ts';
import { CONDITION_CASES, CONDITION_ERRORS, FORM_CASES } from './cases/condition-cases.ts';
import { CTX } from './fixtures.ts';

describe('parseCondition', () => {
  it.each(FORM_CASES)('reads $cond as $form', ({ cond, form, problems = [] }) => {
    const parsed = parseCondition(cond);
    expect(parsed.form).toBe(form);
    expect(parsed.problems.map((p) => `${p.code}@${p.offset}+${p.length}`)).toEqual(problems);
  });

  it('keeps the literal value and the AST of the other forms', () => {
    expect(parseCondition(false)).toEqual({ form: 'literal', value: false, problems: [] });
    expect(parseCondition('${{ a }}').ast).toMatchObject({ type: 'name', name: 'a', offset: 4 });
    expect(parseCondition('a == 1').ast).toMatchObject({ type: 'binary', op: '==' });
    expect(parseCondition("'${{ a }}' == ${{ b }}").quotes).toEqual(['none', "'", 'none', 'none']);
  });
});

describe('evaluateCondition', () => {
  it.each(CONDITION_CASES)('$cond is $result', ({ cond, result, status }) => {
    expect(evaluateCondition(cond, status ? { ...CTX, status } : CTX)).toBe(result);
  });

  it.each(CONDITION_ERRORS)('$cond fails with $code at $offset+$length', ({ cond, code, offset, length, message, note }) => {
    let error: unknown;
    try {
      evaluateCondition(cond, CTX);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EvalError);
    const e = error as EvalError;
    expect({ code: e.code, offset: e.offset, length: e.length }).toEqual({ code, offset, length });
    if (message) expect(e.message).toContain(message);
    if (note) expect(e.note).toContain(note);
  });

  it('rejects a condition that is neither a boolean nor a string (a YAML number, say)', () => {
    expect(() => evaluateCondition(1 as unknown as string, CTX)).toThrow(expect.objectContaining({ code: 'WF4007', message: 'a condition must be a boolean or a string, got the number 1' }));
  });

  it('gives the same answer on every evaluation of a cached condition', () => {
    const cond = '"${{ item }}" == "x"';
    expect(evaluateCondition(cond, CTX)).toBe(true);
    expect(evaluateCondition(cond, { scope: { item: 'y' } })).toBe(false);
    expect(evaluateCondition(cond, CTX)).toBe(true);
  });
});
