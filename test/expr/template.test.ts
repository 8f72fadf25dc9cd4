import { describe, expect, it } from 'vitest';
import { EvalError, isTemplate, isWholeTemplate, parseTemplate, renderTemplate, renderValue, toPythonLiteral, toText, type TemplatePart } from '../../lib/expr/index.ts';
import { RENDER_CASES, SPLIT_CASES, TEXT_CASES, WHOLE_CASES } from './cases/template-cases.ts';
import { CTX } from './fixtures.ts';

function describePart(p: TemplatePart): string {
  return p.kind === 'text' ? `text:${JSON.stringify(p.text)}@${p.offset}` : `expr:${JSON.stringify(p.src)}@${p.offset}+${p.length}`;
}

describe('parseTemplate', () => {
  it.each(SPLIT_CASES)('splits $text', ({ text, parts, problems = [] }) => {
    const out = parseTemplate(text);
    expect(out.parts.map(describePart)).toEqual(parts);
    expect(out.problems.map((p) => `${p.code}@${p.offset}+${p.length}`)).toEqual(problems);
  });

  it('positions the AST of each part relative to the whole text', () => {
    const { parts } = parseTemplate('echo ${{ params.x }}');
    const expr = parts[1]!;
    expect(expr).toMatchObject({ kind: 'expr', offset: 5, length: 15, srcOffset: 8 });
    expect(expr.kind === 'expr' && expr.ast).toMatchObject({ type: 'member', offset: 9, length: 8 });
  });

  it.each(WHOLE_CASES)('isTemplate/isWholeTemplate of $text', ({ text, template, whole }) => {
    expect(isTemplate(text)).toBe(template);
    expect(isWholeTemplate(text)).toBe(whole);
  });
});

describe('renderTemplate', () => {
  it.each(RENDER_CASES)('renders $text ($mode)', ({ text, mode, result }) => {
    expect(renderTemplate(text, CTX, mode)).toEqual(result);
  });

  it('throws the syntax problem of a broken template as an EvalError with its position', () => {
    expect(() => renderTemplate('a ${{ b', CTX)).toThrow(expect.objectContaining({ code: 'WF3002', offset: 2, length: 5 }));
    expect(() => renderTemplate('x ${{ a + }}', CTX)).toThrow(EvalError);
  });

  it('positions run-time errors relative to the template text', () => {
    expect(() => renderTemplate('hi ${{ params.nme }}', CTX)).toThrow(expect.objectContaining({ code: 'WF4001', offset: 7, length: 10 }));
  });
});

describe('renderValue', () => {
  it('renders strings deep inside lists and objects, keeping keys and other scalars', () => {
    const raw = { '${{ params.name }}': '${{ params.name }}', n: '${{ params.count }}', list: ['a-${{ item }}', 7, true, null], nested: { s: 'x' } };
    expect(renderValue(raw, CTX)).toEqual({ '${{ params.name }}': 'bob', n: 3, list: ['a-x', 7, true, null], nested: { s: 'x' } });
  });

  it('passes the mode to every string', () => {
    expect(renderValue(['f = ${{ params.flag }}'], CTX, 'python')).toEqual(['f = True']);
  });

  it('returns new containers and leaves the input unchanged', () => {
    const raw = { a: ['${{ loop }}'] };
    const out = renderValue(raw, CTX) as { a: unknown[] };
    expect(out).toEqual({ a: [2] });
    expect(raw).toEqual({ a: ['${{ loop }}'] });
  });
});

describe('toText and toPythonLiteral', () => {
  it.each(TEXT_CASES)('writes $value', ({ value, text, python, literal }) => {
    expect(toText(value, 'text')).toBe(text);
    expect(toText(value, 'bash')).toBe(text);
    expect(toText(value, 'python')).toBe(python);
    expect(toPythonLiteral(value)).toBe(literal);
  });
});
