import { describe, expect, it } from 'vitest';
import { EvalError, evaluate, parseExpression } from '../../lib/expr/index.ts';
import { EVAL_ERRORS } from './cases/error-cases.ts';
import { ACCESS_CASES, FILTER_CASES, FUNCTION_CASES, LITERAL_CASES, OPERATOR_CASES, OPTIONAL_CASES, type EvalCase } from './cases/eval-cases.ts';
import { CTX } from './fixtures.ts';

function run({ expr, status }: { expr: string; status?: EvalCase['status'] }): unknown {
  const { ast, problems } = parseExpression(expr);
  expect(problems).toEqual([]);
  return evaluate(ast!, status ? { ...CTX, status } : CTX);
}

function failure(expr: string): EvalError {
  try {
    run({ expr });
  } catch (e) {
    expect(e).toBeInstanceOf(EvalError);
    return e as EvalError;
  }
  throw new Error(`expected ${expr} to fail`);
}

describe('evaluate', () => {
  it.each(LITERAL_CASES)('literal $expr', (c) => expect(run(c)).toEqual(c.result));
  it.each(ACCESS_CASES)('access $expr', (c) => expect(run(c)).toEqual(c.result));
  it.each(OPTIONAL_CASES)('optional segment $expr', (c) => expect(run(c)).toEqual(c.result));
  it.each(OPERATOR_CASES)('operator $expr', (c) => expect(run(c)).toEqual(c.result));
  it.each(FUNCTION_CASES)('function $expr', (c) => expect(run(c)).toEqual(c.result));
  it.each(FILTER_CASES)('filter $expr', (c) => expect(run(c)).toEqual(c.result));

  it.each(EVAL_ERRORS)('fails with $code at $offset+$length for "$expr"', ({ expr, code, offset, length, message, note }) => {
    const e = failure(expr);
    expect({ code: e.code, offset: e.offset, length: e.length }).toEqual({ code, offset, length });
    if (message) expect(e.message).toContain(message);
    if (note) expect(e.note).toContain(note);
  });

  it('does not evaluate the right side of && and || when the left decides', () => {
    expect(run({ expr: 'false && nope()' })).toBe(false);
    expect(run({ expr: "'x' || 1 / 0" })).toBe('x');
  });

  it('reads the scope as given and never modifies the AST', () => {
    const { ast } = parseExpression('params.list[0] + 1');
    const before = JSON.stringify(ast);
    expect(evaluate(ast!, { scope: { params: { list: [41] } } })).toBe(42);
    expect(evaluate(ast!, { scope: { params: { list: [1] } } })).toBe(2);
    expect(JSON.stringify(ast)).toBe(before);
  });

  it('does not resolve names through the object prototype', () => {
    const { ast } = parseExpression('params.constructor');
    expect(() => evaluate(ast!, CTX)).toThrow(EvalError);
    const { ast: root } = parseExpression('toString');
    expect(() => evaluate(root!, CTX)).toThrow(/unknown name "toString"/);
  });
});
