/**
 * What `compile-expression` decides: which templates and conditions become native ASL (and the
 * exact paths and Choice rules they become), which go to the expression engine, and which roots
 * an expression reads. That the native forms give the engine's answers is checked by running
 * them, in native-equivalence.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  conditionAst,
  containsTemplate,
  mentionsStatus,
  nativeCondition,
  nativeParameters,
  nativePath,
  nativeValue,
  rootsOf,
  rootsOfCondition,
  rootsOfValue,
  wholeTemplateAst,
  type NativeCondition,
  type PathScope,
} from '../../lib/compiler/compile-expression.ts';
import { parseExpression, printExpression, type Node } from '../../lib/expr/index.ts';

function ast(src: string): Node {
  const { ast: node, problems } = parseExpression(src);
  expect(problems).toEqual([]);
  return node!;
}

/** A stage in a foreach inside a matrix job that needs `build` and `test`. */
const SCOPE: PathScope = {
  frames: [
    { path: '$.outer.s0', ids: new Set(['a', 'shared']) },
    { path: '$.stages', ids: new Set(['b', 'shared']) },
  ],
  roots: { matrix: '$.matrix', item: '$.item', loop: '$.loop' },
  needs: new Set(['build', 'test']),
  level: 'stage',
  params: new Set(['x', 'n', 'list']),
  matrixKeys: new Set(['os']),
};
const JOB: PathScope = { frames: [{ path: '$.jobs.deploy.stages', ids: new Set() }], roots: {}, needs: new Set(['build', 'test']), level: 'job', params: new Set(['x']) };
const JOB_ONE: PathScope = { ...JOB, needs: new Set(['build']) };
const JOB_NONE: PathScope = { ...JOB, needs: new Set() };

describe('wholeTemplateAst', () => {
  it.each([
    ['${{ params.x }}', 'params.x'],
    ['${{params.x}}', 'params.x'],
    ['  ${{ a.b[0] }}\n', 'a.b[0]'],
    ["${{ format('{0}}}', x) }}", "format('{0}}}', x)"],
  ])('%j is one template: %s', (text, printed) => {
    const node = wholeTemplateAst(text);
    expect(node).toBeDefined();
    expect(printExpression(node!)).toBe(printed);
  });

  it.each(['plain', 'v${{ x }}', '${{ x }}!', '${{ a }}${{ b }}', '${{ a }} ${{ b }}', '${{ a', '${{ a + }}', '${{ }}'])('%j is not', (text) => {
    expect(wholeTemplateAst(text)).toBeUndefined();
  });
});

describe('conditionAst', () => {
  it('parses the bare and template forms', () => {
    expect(printExpression(conditionAst('params.x == 1')!)).toBe('params.x == 1');
    expect(printExpression(conditionAst('${{ params.x == 1 }}')!)).toBe('params.x == 1');
    expect(printExpression(conditionAst(' ${{ !a }} ')!)).toBe('!a');
    expect(conditionAst('True')).toMatchObject({ type: 'literal', value: true });
  });

  it('has no AST for YAML booleans, the mixed form and syntax errors', () => {
    expect(conditionAst(true)).toBeUndefined();
    expect(conditionAst(false)).toBeUndefined();
    expect(conditionAst('"${{ params.x }}" == "foo"')).toBeUndefined();
    expect(conditionAst('${{ a }} && ${{ b }}')).toBeUndefined();
    expect(conditionAst('params.x ==')).toBeUndefined();
    expect(conditionAst('${{ params.x == }}')).toBeUndefined();
  });
});

describe('nativePath', () => {
  it.each([
    ['params.x', '$.params.x'],
    ['params.x.y', '$.params.x.y'],
    ["params['x']", '$.params.x'],
    ['params.list[0]', '$.params.list[0]'],
    ["params.m['k'][2].z", '$.params.m.k[2].z'],
    ['params.my-p', '$.params.my-p'],
    ['params._p', '$.params._p'],
    ['params', '$.params'],
    ['release.type', '$.release.type'],
    ['run.id', '$.run.id'],
    ['jobs.build.status', '$.jobs.build.status'],
    ['jobs.other.outputs.v', '$.jobs.other.outputs.v'],
    ['needs.build.status', '$.jobs.build.status'],
    ['needs.build.outputs.v', '$.jobs.build.outputs.v'],
    ["needs['test'].stages.s.outputs", '$.jobs.test.stages.s.outputs'],
    ['stages.a.outputs.x', '$.outer.s0.a.outputs.x'],
    ['stages.b.status', '$.stages.b.status'],
    ['stages.shared.outputs', '$.stages.shared.outputs'],
    ['matrix.os', '$.matrix.os'],
    ['matrix.any', '$.matrix.any'],
    ['matrix', '$.matrix'],
    ['item', '$.item'],
    ['item.name[1]', '$.item.name[1]'],
    ['loop', '$.loop'],
  ])('%s → %s', (src, path) => {
    expect(nativePath(ast(src), SCOPE)).toBe(path);
  });

  it.each([
    "params['a.b']",
    "params['0']",
    "params['']",
    'params[-1]',
    'params[1.5]',
    'params[true]',
    'params[x]',
    'params.x?',
    'params.x?.y',
    'params.list[0]?',
    'jobs.build.result',
    'needs.build.result',
    'needs.build.outputs',
    'needs.other.status',
    'needs[0].status',
    'stages.zz.outputs',
    'stages[0]',
    'stages',
    'branch',
    'env.HOME',
    'case',
    'retry',
    'nothing.x',
    'params.x + 1',
    'length(params.x)',
    'params.x | upper',
    "'text'",
    '(params.x)[0] + 0',
  ])('%s has no native path', (src) => {
    expect(nativePath(ast(src), SCOPE)).toBeUndefined();
  });

  it.each([
    ['params.x', '$.params.x'],
    ["params['n']", '$.params.n'],
    ['release.logical_date', '$.release.logical_date'],
    ['release.type', '$.release.type'],
    ['run.id', '$.run.id'],
    ['run.workflow', '$.run.workflow'],
    ['item', '$.item'],
    ['loop', '$.loop'],
    ['matrix.os', '$.matrix.os'],
  ])('safe: %s → %s', (src, path) => {
    expect(nativePath(ast(src), SCOPE, true)).toBe(path);
  });

  it.each([
    'params.undeclared',
    'params.x.y',
    'params.list[0]',
    'params',
    'release.other',
    'release',
    'run.other',
    'run.id.x',
    'item.name',
    'item[0]',
    'loop.x',
    'branch',
    'matrix.arch',
    'matrix',
    'stages.a.outputs.x',
    'jobs.build.status',
    'needs.build.outputs.v',
    'env.HOME',
  ])('safe: %s is not (it may be missing at run time)', (src) => {
    expect(nativePath(ast(src), SCOPE, true)).toBeUndefined();
  });

  it('reads loop roots only where they are defined', () => {
    expect(nativePath(ast('item'), JOB)).toBeUndefined();
    expect(nativePath(ast('matrix.os'), JOB)).toBeUndefined();
    expect(nativePath(ast('branch'), { ...JOB, roots: { branch: '$.branch' } })).toBe('$.branch');
    expect(nativePath(ast('matrix.os'), { ...SCOPE, matrixKeys: undefined }, true)).toBeUndefined();
  });
});

describe('nativeValue and nativeParameters', () => {
  it('keeps values without templates as they are', () => {
    for (const raw of ['text', 3, 0, true, null, [1, 'a'], { k: { v: [null] } }, '$.params.x', 'States.Format()']) {
      expect(nativeValue(raw, SCOPE)).toEqual({ value: raw });
    }
  });

  it('makes literal templates static and a case value static inside its branch', () => {
    expect(nativeValue("${{ 'lit' }}", SCOPE)).toEqual({ value: 'lit' });
    expect(nativeValue('${{ 2.5 }}', SCOPE)).toEqual({ value: 2.5 });
    expect(nativeValue('${{ null }}', SCOPE)).toEqual({ value: null });
    expect(nativeValue('${{ False }}', SCOPE)).toEqual({ value: false });
    expect(nativeValue('${{ case }}', { ...SCOPE, caseValue: 'red' })).toEqual({ value: 'red' });
    expect(nativeValue('${{ case }}', SCOPE)).toBeUndefined();
  });

  it('makes a whole safe plain-path template a path', () => {
    expect(nativeValue('${{ params.x }}', SCOPE)).toEqual({ path: '$.params.x' });
    expect(nativeValue(' ${{ item }} ', SCOPE)).toEqual({ path: '$.item' });
    expect(nativeValue('${{ matrix.os }}', SCOPE)).toEqual({ path: '$.matrix.os' });
  });

  it.each([
    '${{ params.undeclared }}',
    '${{ params.x.y }}',
    '${{ stages.a.outputs.x }}',
    '${{ matrix.arch }}',
    '${{ params.x }}-suffix',
    '${{ params.x }}${{ params.n }}',
    '${{ params.n + 1 }}',
    '${{ params.x',
  ])('%j needs the engine', (raw) => {
    expect(nativeValue(raw, SCOPE)).toBeUndefined();
  });

  it('needs the engine for a list or map holding a template', () => {
    expect(nativeValue(['${{ params.x }}'], SCOPE)).toBeUndefined();
    expect(nativeValue({ a: '${{ params.x }}' }, SCOPE)).toBeUndefined();
  });

  it('writes Parameters: static entries, `.$` paths, nested maps', () => {
    const raw = { a: '${{ params.x }}', b: 'static', c: { d: '${{ item }}', e: [1, '2'], f: { g: 'deep' } }, h: "${{ 'k' }}", i: null, j: [{ k: 1 }] };
    expect(nativeParameters(raw, SCOPE)).toEqual({
      'a.$': '$.params.x',
      b: 'static',
      c: { 'd.$': '$.item', e: [1, '2'], f: { g: 'deep' } },
      h: 'k',
      i: null,
      j: [{ k: 1 }],
    });
    expect(nativeParameters({}, SCOPE)).toEqual({});
  });

  it('gives no Parameters when any entry needs the engine', () => {
    expect(nativeParameters({ a: '${{ params.x }}', b: '${{ stages.a.outputs.x }}' }, SCOPE)).toBeUndefined();
    expect(nativeParameters({ c: { d: { e: '${{ params.x | upper }}' } } }, SCOPE)).toBeUndefined();
    expect(nativeParameters({ l: ['${{ params.x }}'] }, SCOPE)).toBeUndefined();
  });
});

describe('nativeCondition', () => {
  const cond = (src: string, scope: PathScope = SCOPE): NativeCondition | undefined => nativeCondition(ast(src), scope);
  const present = (v: string) => ({ Variable: v, IsPresent: true });

  it('compares a path with a number', () => {
    expect(cond('params.n > 3')).toEqual({
      guard: { And: [present('$.params.n'), { Variable: '$.params.n', IsNumeric: true }] },
      rule: { Variable: '$.params.n', NumericGreaterThan: 3 },
    });
    expect(cond('3 > params.n')!.rule).toEqual({ Variable: '$.params.n', NumericLessThan: 3 });
    expect(cond('3 <= params.n')!.rule).toEqual({ Variable: '$.params.n', NumericGreaterThanEquals: 3 });
    expect(cond('params.n >= -1.5')!.rule).toEqual({ Variable: '$.params.n', NumericGreaterThanEquals: -1.5 });
    expect(cond('params.n == 2')).toEqual({
      guard: present('$.params.n'),
      rule: { And: [{ Variable: '$.params.n', IsNumeric: true }, { Variable: '$.params.n', NumericEquals: 2 }] },
    });
  });

  it('compares a path with a string', () => {
    expect(cond("params.x == 'a'")).toEqual({
      guard: present('$.params.x'),
      rule: { And: [{ Variable: '$.params.x', IsString: true }, { Variable: '$.params.x', StringEquals: 'a' }] },
    });
    expect(cond("params.x != 'a'")!.rule).toEqual({ Not: { And: [{ Variable: '$.params.x', IsString: true }, { Variable: '$.params.x', StringEquals: 'a' }] } });
    expect(cond("params.x < 'm'")).toEqual({
      guard: { And: [present('$.params.x'), { Variable: '$.params.x', IsString: true }] },
      rule: { Variable: '$.params.x', StringLessThan: 'm' },
    });
    expect(cond("'m' < params.x")!.rule).toEqual({ Variable: '$.params.x', StringGreaterThan: 'm' });
  });

  it('compares a path with null and booleans', () => {
    expect(cond('params.x == null')).toEqual({ guard: present('$.params.x'), rule: { Variable: '$.params.x', IsNull: true } });
    expect(cond('null != params.x')).toEqual({ guard: present('$.params.x'), rule: { Not: { Variable: '$.params.x', IsNull: true } } });
    expect(cond('params.x == false')!.rule).toEqual({ And: [{ Variable: '$.params.x', IsBoolean: true }, { Variable: '$.params.x', BooleanEquals: false }] });
  });

  it('reads a path alone as a boolean, with `!`', () => {
    const guard = { And: [present('$.params.x'), { Variable: '$.params.x', IsBoolean: true }] };
    expect(cond('params.x')).toEqual({ guard, rule: { Variable: '$.params.x', BooleanEquals: true } });
    expect(cond('!params.x')).toEqual({ guard, rule: { Not: { Variable: '$.params.x', BooleanEquals: true } } });
    expect(cond('!!params.x')).toEqual({ guard, rule: { Variable: '$.params.x', BooleanEquals: true } });
    expect(cond('item')!.rule).toEqual({ Variable: '$.item', BooleanEquals: true });
  });

  it('combines guards and rules of && and ||, flattening', () => {
    expect(cond("params.n > 1 && params.x == 'a'")).toEqual({
      guard: { And: [present('$.params.n'), { Variable: '$.params.n', IsNumeric: true }, present('$.params.x')] },
      rule: { And: [{ Variable: '$.params.n', NumericGreaterThan: 1 }, { Variable: '$.params.x', IsString: true }, { Variable: '$.params.x', StringEquals: 'a' }] },
    });
    expect(cond('params.n > 1 || params.n < 0 || item')).toEqual({
      guard: {
        And: [
          present('$.params.n'),
          { Variable: '$.params.n', IsNumeric: true },
          present('$.params.n'),
          { Variable: '$.params.n', IsNumeric: true },
          present('$.item'),
          { Variable: '$.item', IsBoolean: true },
        ],
      },
      rule: { Or: [{ Variable: '$.params.n', NumericGreaterThan: 1 }, { Variable: '$.params.n', NumericLessThan: 0 }, { Variable: '$.item', BooleanEquals: true }] },
    });
    expect(cond('!(params.n > 1 && loop == 0)')!.rule).toEqual({
      Not: { And: [{ Variable: '$.params.n', NumericGreaterThan: 1 }, { Variable: '$.loop', IsNumeric: true }, { Variable: '$.loop', NumericEquals: 0 }] },
    });
  });

  it('folds constants but keeps the guards of what they are combined with', () => {
    const x = cond('params.x')!;
    expect(cond('true && params.x')).toEqual(x);
    expect(cond('params.x && true')).toEqual(x);
    expect(cond('false || params.x')).toEqual(x);
    expect(cond('false && params.x')).toEqual({ guard: x.guard, rule: false });
    expect(cond('always() || params.x')).toEqual({ guard: x.guard, rule: true });
    expect(cond('true')).toEqual({ rule: true });
    expect(cond('!true')).toEqual({ rule: false });
    expect(cond('True || False')).toEqual({ rule: true });
  });

  it('decides status functions from the needed jobs at job level', () => {
    const eq = (id: string, s: string) => ({ Variable: `$.jobs.${id}.status`, StringEquals: s });
    expect(cond('success()', JOB)).toEqual({ rule: { And: [eq('build', 'SUCCESS'), eq('test', 'SUCCESS')] } });
    expect(cond('failure()', JOB)).toEqual({ rule: { Or: [eq('build', 'FAILED'), eq('test', 'FAILED')] } });
    expect(cond('success()', JOB_ONE)).toEqual({ rule: eq('build', 'SUCCESS') });
    expect(cond('failure()', JOB_ONE)).toEqual({ rule: eq('build', 'FAILED') });
    expect(cond('!success()', JOB_ONE)).toEqual({ rule: { Not: eq('build', 'SUCCESS') } });
    expect(cond('success()', JOB_NONE)).toEqual({ rule: true });
    expect(cond('failure()', JOB_NONE)).toEqual({ rule: false });
    expect(cond('always()', JOB)).toEqual({ rule: true });
    expect(cond('cancelled()', JOB)).toEqual({ rule: false });
  });

  it('makes status functions constant at stage level', () => {
    expect(cond('success()')).toEqual({ rule: true });
    expect(cond('failure()')).toEqual({ rule: false });
    expect(cond('always() && !cancelled()')).toEqual({ rule: true });
  });

  it("reads needs.<id>.result as the stored status, in GitHub's spelling", () => {
    const guard = present('$.jobs.build.status');
    for (const [result, status] of [['success', 'SUCCESS'], ['failure', 'FAILED'], ['skipped', 'SKIP'], ['cancelled', 'CANCEL']]) {
      expect(cond(`needs.build.result == '${result}'`, JOB)).toEqual({ guard, rule: { Variable: '$.jobs.build.status', StringEquals: status } });
      expect(cond(`'${result}' != needs.build.result`, JOB)).toEqual({ guard, rule: { Not: { Variable: '$.jobs.build.status', StringEquals: status } } });
    }
    expect(cond("needs['build'].result == 'success'", JOB)!.rule).toEqual({ Variable: '$.jobs.build.status', StringEquals: 'SUCCESS' });
    expect(cond("needs.build.result == 'SUCCESS'", JOB)).toEqual({ guard, rule: false });
    expect(cond("needs.build.result != 'nope'", JOB)).toEqual({ guard, rule: true });
  });

  it.each([
    'null',
    "'text'",
    '0',
    '1 == 1',
    'params.x == params.n',
    'params.n < null',
    'params.b < true',
    "needs.build.result < 'z'",
    'needs.build.result == null',
    'needs.build.result',
    "needs.other.result == 'success'",
    "jobs.build.result == 'success'",
    'params.x? == null',
    'params.n + 1 == 2',
    '-params.n < 0',
    "contains(params.x, 'a')",
    'success(1)',
    'nothing()',
    "(params.x | upper) == 'A'",
    "params.x == 'a' && contains(params.x, 'a')",
    "startsWith(params.x, 'a') || params.n > 1",
    "env.X == 'y'",
    "case == 'x'",
    'retry == 0',
  ])('%s needs the engine', (src) => {
    expect(cond(src, JOB)).toBeUndefined();
    expect(cond(src, SCOPE)).toBeUndefined();
  });
});

describe('mentionsStatus', () => {
  it.each([
    ['success()', true],
    ['!failure() && params.x', true],
    ['always()', true],
    ['cancelled()', true],
    ["needs.a.result == 'success'", true],
    ["jobs.a.status == 'SUCCESS'", true],
    ["contains(needs.a.result, 's')", true],
    ['params.x | coalesce(always())', true],
    ['params.x[needs.a.result]', true],
    ['params.x', false],
    ['needs.a.outputs.result', false],
    ["needs.a.outputs.x == 'y'", false],
    ['stages.a.status', false],
    ["contains(params.x, 'success')", false],
  ])('%s → %s', (src, expected) => {
    expect(mentionsStatus(ast(src))).toBe(expected);
  });

  it('is false without an AST', () => {
    expect(mentionsStatus(undefined)).toBe(false);
  });
});

describe('roots an expression reads', () => {
  const sorted = (s: Set<string>) => [...s].sort();

  it('collects the root names of an AST', () => {
    expect(sorted(rootsOf(ast("params.a == matrix['k'] && item[loop] || !needs.b.result")))).toEqual(['item', 'loop', 'matrix', 'needs', 'params']);
    expect(sorted(rootsOf(ast('format(env.X, stages.s.outputs | keys) | upper(branch)')))).toEqual(['branch', 'env', 'stages']);
    expect(sorted(rootsOf(ast('success() && 1 == 1')))).toEqual([]);
    expect(sorted(rootsOf(undefined))).toEqual([]);
  });

  it('collects the roots of every template in a value', () => {
    expect(sorted(rootsOfValue({ a: '${{ params.x }}', b: ['${{ stages.s.outputs }}', 'no template'], c: { d: 'x ${{ item }} ${{ loop }}' }, e: 3 }))).toEqual([
      'item',
      'loop',
      'params',
      'stages',
    ]);
    expect(sorted(rootsOfValue('plain'))).toEqual([]);
    expect(sorted(rootsOfValue(null))).toEqual([]);
  });

  it('sends every common root for a template that does not parse', () => {
    expect(sorted(rootsOfValue('${{ params.x +  }}'))).toEqual(['item', 'jobs', 'matrix', 'params', 'stages']);
  });

  it('collects the roots of a condition in each form', () => {
    expect(sorted(rootsOfCondition('params.x == 1'))).toEqual(['params']);
    expect(sorted(rootsOfCondition("${{ matrix.os == 'linux' }}"))).toEqual(['matrix']);
    expect(sorted(rootsOfCondition('"${{ item }}" == "${{ needs.a.result }}"'))).toEqual(['item', 'needs']);
    expect(sorted(rootsOfCondition(true))).toEqual([]);
    expect(sorted(rootsOfCondition(undefined))).toEqual([]);
  });
});

describe('containsTemplate', () => {
  it.each([
    ['${{ x }}', true],
    ['a ${{ x', true],
    [['a', ['b', { c: '${{ x }}' }]], true],
    [{ k: { v: '${{ x }}' } }, true],
    ['$ {{ x }}', false],
    [{ '${{ key }}': 'v' }, false],
    [[1, null, true, { a: 'b' }], false],
    [7, false],
    [null, false],
  ])('%j → %s', (raw, expected) => {
    expect(containsTemplate(raw)).toBe(expected);
  });
});
