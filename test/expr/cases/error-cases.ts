/**
 * Error tables: the exact code and span of each problem. `message` and `note` are substrings the
 * text must contain (what went wrong, the value received, how to fix it).
 */

/** One error case. */
export interface ErrorCase {
  expr: string;
  code: string;
  offset: number;
  length: number;
  message?: string;
  note?: string;
}

/** Syntax problems reported by `parseExpression`. */
export const SYNTAX_ERRORS: ErrorCase[] = [
  { expr: '', code: 'WF3001', offset: 0, length: 0, message: 'empty expression' },
  { expr: '   ', code: 'WF3001', offset: 0, length: 3, message: 'empty expression' },
  { expr: 'params.', code: 'WF3001', offset: 7, length: 0, message: 'expected a property name after ".", found end of expression' },
  { expr: 'a ==', code: 'WF3001', offset: 4, length: 0, message: 'expected an expression, found end of expression' },
  { expr: '(a', code: 'WF3001', offset: 2, length: 0, message: 'expected ")"' },
  { expr: 'a)', code: 'WF3001', offset: 1, length: 1, note: 'no matching "("' },
  { expr: 'a b', code: 'WF3001', offset: 2, length: 1, message: 'unexpected name "b" after a complete expression' },
  { expr: "'abc", code: 'WF3003', offset: 0, length: 4, message: 'unterminated string' },
  { expr: 'x == "abc', code: 'WF3003', offset: 5, length: 4 },
  { expr: 'a = b', code: 'WF3004', offset: 2, length: 1, note: '==' },
  { expr: 'a & b', code: 'WF3004', offset: 2, length: 1, note: '&&' },
  { expr: 'a @ b', code: 'WF3004', offset: 2, length: 1, message: 'unexpected character "@"' },
  { expr: '${{ x }}', code: 'WF3004', offset: 0, length: 3, message: 'unexpected characters "${{"', note: 'write names directly' },
  { expr: 'a # b', code: 'WF3004', offset: 2, length: 1, message: 'unexpected character "#"' },
  { expr: '1abc', code: 'WF3001', offset: 0, length: 4, message: 'malformed number "1abc"' },
  { expr: 'x | int > 3', code: 'WF3001', offset: 8, length: 1, note: '(x | int) > 3' },
  { expr: '1 < 2 < 3', code: 'WF3001', offset: 6, length: 1, message: 'comparisons do not chain' },
  { expr: 'a == b == c', code: 'WF3001', offset: 7, length: 2, message: 'comparisons do not chain' },
  { expr: 'a. 0', code: 'WF3001', offset: 3, length: 1, note: 'x[0]' },
  { expr: 'a.b(1)', code: 'WF3001', offset: 3, length: 1, message: 'methods cannot be called' },
  { expr: 'a?', code: 'WF3001', offset: 1, length: 1, message: '"?" must follow a property' },
  { expr: 'a.b??', code: 'WF3001', offset: 4, length: 1 },
  { expr: 'a | ', code: 'WF3001', offset: 4, length: 0, message: 'expected a filter name' },
  { expr: 'a | 3', code: 'WF3001', offset: 4, length: 1, message: 'expected a filter name after "|", found number 3' },
  { expr: 'f(a b)', code: 'WF3001', offset: 4, length: 1, message: 'expected "," or ")" in the arguments of f()' },
  { expr: '[1]', code: 'WF3001', offset: 0, length: 1, note: 'list literals are not supported' },
  { expr: '+1', code: 'WF3001', offset: 0, length: 1, note: 'no unary +' },
  { expr: 'a and b', code: 'WF3001', offset: 2, length: 3, note: '&&' },
  { expr: 'a or b', code: 'WF3001', offset: 2, length: 2, note: '||' },
  { expr: 'not a', code: 'WF3001', offset: 4, length: 1, note: 'negation is written !' },
  { expr: 'a[1', code: 'WF3001', offset: 3, length: 0, message: 'expected "]"' },
  { expr: 'x | upper(', code: 'WF3001', offset: 10, length: 0 },
  { expr: '| upper', code: 'WF3001', offset: 0, length: 1, note: 'a filter needs a value on its left' },
];

/** Run-time failures thrown by `evaluate` as `EvalError`. */
export const EVAL_ERRORS: ErrorCase[] = [
  { expr: 'parms.name', code: 'WF4001', offset: 0, length: 5, message: 'unknown name "parms"', note: 'did you mean "params"?' },
  { expr: 'params.nme', code: 'WF4001', offset: 0, length: 10, message: '"params.nme" does not exist', note: 'did you mean "name"?' },
  { expr: 'params.nme', code: 'WF4001', offset: 0, length: 10, note: 'params has "name", "count", "ratio"' },
  { expr: 'params.map.c', code: 'WF4001', offset: 0, length: 12, note: 'write params.map.c? to get null' },
  { expr: "params['zz']", code: 'WF4001', offset: 0, length: 12 },
  { expr: 'params.count + params.missing', code: 'WF4001', offset: 15, length: 14 },
  { expr: 'params.count-1', code: 'WF4001', offset: 0, length: 14, note: 'write "count - 1" with spaces' },
  { expr: 'item-1', code: 'WF4001', offset: 0, length: 6, note: 'to subtract write "item - 1"' },
  { expr: 'params.list[5]', code: 'WF4006', offset: 0, length: 14, message: 'index 5 is out of range: params.list is a list of 3 items' },
  { expr: 'params.list[0.5]', code: 'WF4006', offset: 0, length: 16, message: 'whole number' },
  { expr: 'params.list[true]', code: 'WF4006', offset: 12, length: 4, message: 'got the boolean true' },
  { expr: 'params.nothing.x', code: 'WF4006', offset: 0, length: 16, message: 'cannot read property "x" of null: params.nothing is null' },
  { expr: 'params.name.first', code: 'WF4006', offset: 0, length: 17, message: 'of the string "bob"' },
  { expr: 'params.list.length', code: 'WF4006', offset: 0, length: 18, note: 'length(x)' },
  { expr: 'params.list.0', code: 'WF4006', offset: 0, length: 13, note: 'x[0]' },
  { expr: "1 < 'a'", code: 'WF4006', offset: 0, length: 7, message: 'cannot compare the number 1 < the string "a"' },
  { expr: "'a' + 1", code: 'WF4006', offset: 0, length: 7, message: 'cannot apply + to the string "a" and the number 1' },
  { expr: 'params.flag * 2', code: 'WF4006', offset: 0, length: 15 },
  { expr: '1 / 0', code: 'WF4006', offset: 0, length: 5, message: 'division by zero' },
  { expr: '5 % (params.count - 3)', code: 'WF4006', offset: 0, length: 22, message: 'division by zero: params.count - 3 is 0' },
  { expr: "-'a'", code: 'WF4006', offset: 0, length: 4, message: 'cannot negate the string "a"' },
  { expr: 'nope()', code: 'WF4002', offset: 0, length: 6, message: 'unknown function "nope"' },
  { expr: 'contans(1, 2)', code: 'WF4002', offset: 0, length: 13, note: 'did you mean "contains"?' },
  { expr: "contains('a')", code: 'WF4004', offset: 0, length: 13, message: 'contains() takes 2 arguments, got 1' },
  { expr: 'always(1)', code: 'WF4004', offset: 0, length: 9, message: 'always() takes 0 arguments, got 1' },
  { expr: 'format()', code: 'WF4004', offset: 0, length: 8, message: 'at least 1 argument' },
  { expr: "'a' | nope", code: 'WF4003', offset: 0, length: 10, message: 'unknown filter "nope"' },
  { expr: "'a' | uper", code: 'WF4003', offset: 0, length: 10, note: 'did you mean "upper"?' },
  { expr: "'a' | upper(1)", code: 'WF4004', offset: 0, length: 14, message: 'filter "upper" takes 0 arguments (besides the value on its left), got 1' },
  { expr: "contains('abc', 1)", code: 'WF4006', offset: 0, length: 18, message: 'got the number 1' },
  { expr: "contains(3, 'a')", code: 'WF4006', offset: 0, length: 16 },
  { expr: "startsWith(1, 'a')", code: 'WF4006', offset: 0, length: 18, message: 'startsWith needs a string as text, got the number 1' },
  { expr: "format('{1}', 'a')", code: 'WF4006', offset: 0, length: 18, message: 'uses {1} but only 1 value was given' },
  { expr: "format('{x}', 'a')", code: 'WF4006', offset: 0, length: 18, message: 'malformed placeholder' },
  { expr: "format('a}b', 'a')", code: 'WF4006', offset: 0, length: 18, message: 'unmatched "}"' },
  { expr: 'join(3)', code: 'WF4006', offset: 0, length: 7, message: 'join needs a list, got the number 3' },
  { expr: "fromJson('{bad')", code: 'WF4006', offset: 0, length: 16, message: 'fromJson could not parse "{bad"' },
  { expr: 'fromJson(params.list)', code: 'WF4006', offset: 0, length: 21 },
  { expr: 'length(3)', code: 'WF4006', offset: 0, length: 9 },
  { expr: "'abc' | int", code: 'WF4006', offset: 0, length: 11, message: 'int cannot convert the string "abc" to a number' },
  { expr: 'params.nothing | float', code: 'WF4006', offset: 0, length: 22 },
  { expr: 'params.name | abs', code: 'WF4006', offset: 0, length: 17, message: 'abs needs a number' },
  { expr: '3 | upper', code: 'WF4006', offset: 0, length: 9, note: 'x | str | upper' },
  { expr: 'params.list | keys', code: 'WF4006', offset: 0, length: 18, message: 'keys needs an object, got a list of 3 items' },
  { expr: "'not a date' | fmt('%Y')", code: 'WF4006', offset: 0, length: 24, message: 'fmt needs a date or datetime' },
  { expr: "params.date | fmt('%Q')", code: 'WF4006', offset: 0, length: 23, message: 'unsupported directive "%Q"' },
  { expr: "'2024-02-30' | fmt('%Y')", code: 'WF4006', offset: 0, length: 24 },
  { expr: 'params.words | getindex(2)', code: 'WF4006', offset: 0, length: 26, message: 'getindex(2) is out of range for a list of 2 items' },
  { expr: 'params.map | getindex(0)', code: 'WF4006', offset: 0, length: 24, note: 'getitem' },
  { expr: "params.name | getitem('a')", code: 'WF4006', offset: 0, length: 26, message: 'getitem needs an object' },
  { expr: '3 | list', code: 'WF4006', offset: 0, length: 8 },
  { expr: "'x' | dict", code: 'WF4006', offset: 0, length: 10 },
  { expr: "fromJson('[[1, 2, 3]]') | dict", code: 'WF4006', offset: 0, length: 30, message: 'item 0' },
];
