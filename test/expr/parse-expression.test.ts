import { describe, expect, it } from 'vitest';
import { parseExpression, printExpression } from '../../lib/expr/index.ts';
import { SYNTAX_ERRORS } from './cases/error-cases.ts';
import { ROUND_TRIP_CASES, SHAPE_CASES, SPAN_CASES } from './cases/parse-cases.ts';
import { shape, spans } from './fixtures.ts';

function parseOk(expr: string) {
  const { ast, problems } = parseExpression(expr);
  expect(problems).toEqual([]);
  expect(ast).toBeDefined();
  return ast!;
}

describe('parseExpression', () => {
  it.each(ROUND_TRIP_CASES)('prints $expr as $printed and reparses to the same AST', ({ expr, printed }) => {
    const ast = parseOk(expr);
    expect(printExpression(ast)).toBe(printed);
    expect(shape(parseOk(printed))).toEqual(shape(ast));
  });

  it.each(SHAPE_CASES)('parses $expr to the expected AST', ({ expr, shape: expected }) => {
    expect(shape(parseOk(expr))).toEqual(expected);
  });

  it.each(SPAN_CASES)('positions every node of $expr', ({ expr, spans: expected }) => {
    expect(spans(parseOk(expr))).toBe(expected);
  });

  it.each(SYNTAX_ERRORS)('reports $code at $offset+$length for "$expr"', ({ expr, code, offset, length, message, note }) => {
    const { ast, problems } = parseExpression(expr);
    expect(ast).toBeUndefined();
    expect(problems[0]).toMatchObject({ code, offset, length });
    if (message) expect(problems[0]!.message).toContain(message);
    if (note) expect(problems[0]!.note).toContain(note);
  });

  it('rejects nesting deeper than the limit instead of overflowing the stack', () => {
    const deep = `${'('.repeat(500)}1${')'.repeat(500)}`;
    const { ast, problems } = parseExpression(deep);
    expect(ast).toBeUndefined();
    expect(problems[0]!.message).toContain('nested too deeply');
  });

  it('rejects an expression with too many tokens', () => {
    const long = Array.from({ length: 3000 }, () => '1').join(' + ');
    expect(parseExpression(long).problems[0]!.message).toContain('expression too long');
  });
});
