import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkTemplate,
  EvalError,
  evaluate,
  evaluateCondition,
  parseExpression,
  parseTemplate,
  printExpression,
  renderTemplate,
  type ExprProblem,
} from '../../lib/expr/index.ts';
import { ACCESS_CASES, FILTER_CASES, FUNCTION_CASES, OPERATOR_CASES, OPTIONAL_CASES } from './cases/eval-cases.ts';
import { CTX } from './fixtures.ts';

const SEEDS = [...ACCESS_CASES, ...OPTIONAL_CASES, ...OPERATOR_CASES, ...FUNCTION_CASES, ...FILTER_CASES].map((c) => c.expr);
const ALPHABET = [..."abcxyz_-.[]()'\"|?!=<>&+*/%,{}$ 019\\\n", 'params', 'needs', '${{', '}}', 'upper', 'int', 'contains(', 'null', 'True'];
const SCOPE = { roots: new Set(['params', 'needs', 'matrix', 'item', 'loop', 'stages']) };

/** A mutation of a valid expression: characters or tokens inserted, deleted or replaced. */
const mutated = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...ALPHABET)), { minLength: 1, maxLength: 4 }),
  )
  .map(([seed, edits]) =>
    edits.reduce((s, [at, del, ins]) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      return s.slice(0, i) + ins + s.slice(i + del);
    }, seed),
  );

const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.array(fc.constantFrom(...ALPHABET), { maxLength: 20 }).map((a) => a.join('')));

function withinBounds(problems: readonly ExprProblem[], text: string): boolean {
  return problems.every((p) => p.offset >= 0 && p.length >= 0 && p.offset + p.length <= text.length && /^WF[34]\d{3}$/.test(p.code));
}

/** Runs `f`; only an EvalError may escape. */
function onlyEvalErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
  }
}

const RUNS = { seed: 42, numRuns: 500 };

describe('properties (fast-check, seed 42)', () => {
  it('parseExpression never throws and returns exactly one of an AST or problems, within the source', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, anyText, fc.constantFrom(...SEEDS)), (src) => {
        const { ast, problems } = parseExpression(src);
        expect(ast === undefined).toBe(problems.length > 0);
        expect(withinBounds(problems, src)).toBe(true);
        if (ast) {
          expect(ast.offset >= 0 && ast.offset + ast.length <= src.length).toBe(true);
          onlyEvalErrors(() => evaluate(ast, CTX));
        }
      }),
      RUNS,
    );
  });

  it('an expression printed canonically reparses to the same canonical text', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.constantFrom(...SEEDS)), (src) => {
        const { ast } = parseExpression(src);
        if (!ast) return;
        const printed = printExpression(ast);
        const again = parseExpression(printed);
        expect(again.problems).toEqual([]);
        expect(printExpression(again.ast!)).toBe(printed);
      }),
      RUNS,
    );
  });

  it('templates: parse, check and render never throw anything but EvalError', () => {
    const template = fc.oneof(
      anyText,
      fc.tuple(anyText, mutated, anyText).map(([a, e, b]) => `${a}\${{ ${e} }}${b}`),
      mutated.map((e) => `\${{ ${e} }}`),
    );
    fc.assert(
      fc.property(template, fc.constantFrom<'text' | 'python' | 'bash'>('text', 'python', 'bash'), (text, mode) => {
        const { parts, problems } = parseTemplate(text);
        expect(withinBounds(problems, text)).toBe(true);
        for (const p of parts) {
          expect(p.offset >= 0 && p.offset <= text.length).toBe(true);
          if (p.kind === 'expr') expect(text.slice(p.offset, p.offset + p.length)).toBe(`\${{${p.src}}}`);
          if (p.kind === 'expr' && !p.ast) expect(problems.length).toBeGreaterThan(0);
        }
        expect(withinBounds(checkTemplate(text, SCOPE), text)).toBe(true);
        onlyEvalErrors(() => renderTemplate(text, CTX, mode));
      }),
      RUNS,
    );
  });

  it('conditions in any form evaluate to a boolean or throw an EvalError', () => {
    const cond = fc.oneof(mutated, mutated.map((e) => `\${{ ${e} }}`), mutated.map((e) => `"\${{ ${e} }}" == "x"`), anyText);
    fc.assert(
      fc.property(cond, (c) => {
        try {
          expect(typeof evaluateCondition(c, CTX)).toBe('boolean');
        } catch (e) {
          if (!(e instanceof EvalError)) throw e;
          expect(e.code).toMatch(/^WF[34]\d{3}$/);
        }
      }),
      RUNS,
    );
  });
});
