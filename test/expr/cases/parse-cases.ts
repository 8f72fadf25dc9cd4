/** Parser tables: canonical printing (round trip), AST shapes, and node spans. */

/** `expr` prints as `printed`, and `printed` parses back to the same AST. */
export const ROUND_TRIP_CASES: { expr: string; printed: string }[] = [
  { expr: 'a+b*c', printed: 'a + b * c' },
  { expr: '(a+b)*c', printed: '(a + b) * c' },
  { expr: 'a-(b - c)', printed: 'a - (b - c)' },
  { expr: 'a-(b-c)', printed: 'a - b-c' },
  { expr: '(a - b) - c', printed: 'a - b - c' },
  { expr: '!(a && b)', printed: '!(a && b)' },
  { expr: 'a || b && c', printed: 'a || b && c' },
  { expr: '(a || b) && c', printed: '(a || b) && c' },
  { expr: '"x"', printed: "'x'" },
  { expr: "'it''s'", printed: "'it''s'" },
  { expr: '"a\\\\b\\n"', printed: "'a\\\\b\\n'" },
  { expr: 'x|upper', printed: 'x | upper' },
  { expr: '(x | int) > 3', printed: '(x | int) > 3' },
  { expr: 'x | getitem("k" , null)|upper', printed: "x | getitem('k', null) | upper" },
  { expr: 'f( a ,b )', printed: 'f(a, b)' },
  { expr: "a['b c']?", printed: "a['b c']?" },
  { expr: 'a.b[0].c?', printed: 'a.b[0].c?' },
  { expr: '(-3).x', printed: '(-3).x' },
  { expr: '- (3)', printed: '-3' },
  { expr: '-(-x)', printed: '--x' },
  { expr: '(a == b) == c', printed: '(a == b) == c' },
  { expr: 'a == (b < c)', printed: 'a == b < c' },
  { expr: '(a == b) < c', printed: '(a == b) < c' },
  { expr: 'None', printed: 'null' },
  { expr: 'True || False', printed: 'true || false' },
  { expr: 'needs.main-process.result', printed: 'needs.main-process.result' },
  { expr: 'needs.2nd-job.result', printed: 'needs.2nd-job.result' },
  { expr: '(a || b) | upper', printed: 'a || b | upper' },
  { expr: 'f(a | upper)', printed: 'f(a | upper)' },
  { expr: '1e21 + 0.5', printed: '1e+21 + 0.5' },
  { expr: 'a % b / c * d', printed: 'a % b / c * d' },
];

/** `expr` parses to the AST `shape` (positions left out). */
export const SHAPE_CASES: { expr: string; shape: unknown }[] = [
  { expr: 'a.b?', shape: { member: { name: 'a' }, property: 'b', optional: true } },
  { expr: 'a[0]?', shape: { index: { name: 'a' }, at: { literal: 0 }, optional: true } },
  { expr: "a['b']", shape: { index: { name: 'a' }, at: { literal: 'b' } } },
  { expr: '-3', shape: { literal: -3 } },
  { expr: '-x', shape: { unary: '-', operand: { name: 'x' } } },
  { expr: 'a-b', shape: { name: 'a-b' } },
  { expr: 'a - b', shape: { binary: '-', left: { name: 'a' }, right: { name: 'b' } } },
  { expr: 'a -b', shape: { binary: '-', left: { name: 'a' }, right: { name: 'b' } } },
  { expr: 'a- b', shape: { binary: '-', left: { name: 'a' }, right: { name: 'b' } } },
  { expr: 'a-1', shape: { name: 'a-1' } },
  { expr: '1-2', shape: { binary: '-', left: { literal: 1 }, right: { literal: 2 } } },
  { expr: 'True', shape: { literal: true } },
  { expr: 'x.true', shape: { member: { name: 'x' }, property: 'true' } },
  { expr: 'stages.01-load.outputs', shape: { member: { member: { name: 'stages' }, property: '01-load' }, property: 'outputs' } },
  { expr: 'a.1e5', shape: { member: { name: 'a' }, property: '1e5' } },
  {
    expr: 'a || b | upper',
    shape: { filter: 'upper', input: { binary: '||', left: { name: 'a' }, right: { name: 'b' } }, args: [] },
  },
  {
    expr: "x | fmt('%Y') | upper",
    shape: { filter: 'upper', input: { filter: 'fmt', input: { name: 'x' }, args: [{ literal: '%Y' }] }, args: [] },
  },
  { expr: 'always()', shape: { call: 'always', args: [] } },
  { expr: 'contains(a, b)', shape: { call: 'contains', args: [{ name: 'a' }, { name: 'b' }] } },
  {
    expr: '!a == b',
    shape: { binary: '==', left: { unary: '!', operand: { name: 'a' } }, right: { name: 'b' } },
  },
  {
    expr: 'a && b || c',
    shape: { binary: '||', left: { binary: '&&', left: { name: 'a' }, right: { name: 'b' } }, right: { name: 'c' } },
  },
  {
    expr: 'a < b == c < d',
    shape: {
      binary: '==',
      left: { binary: '<', left: { name: 'a' }, right: { name: 'b' } },
      right: { binary: '<', left: { name: 'c' }, right: { name: 'd' } },
    },
  },
];

/** `expr` parses to nodes with exactly these spans (`type@offset+length`, outermost first). */
export const SPAN_CASES: { expr: string; spans: string }[] = [
  { expr: "params.x == 'a'", spans: 'binary@0+15(member@0+8(name@0+6),literal@12+3)' },
  { expr: '  a.b?  ', spans: 'member@2+4(name@2+1)' },
  { expr: 'a[0]?', spans: 'index@0+5(name@0+1,literal@2+1)' },
  { expr: '(a + b) * c', spans: 'binary@0+11(binary@0+7(name@1+1,name@5+1),name@10+1)' },
  { expr: '-3', spans: 'literal@0+2' },
  { expr: '!x', spans: 'unary@0+2(name@1+1)' },
  { expr: 'f(a, b)', spans: 'call@0+7(name@2+1,name@5+1)' },
  { expr: "x | getitem('k')", spans: 'filter@0+16(name@0+1,literal@12+3)' },
  { expr: 'a || b | upper', spans: 'filter@0+14(binary@0+6(name@0+1,name@5+1))' },
  { expr: 'needs.main-process.result', spans: 'member@0+25(member@0+18(name@0+5))' },
];
