/** Shared context and helpers for the expression engine's table-driven tests. */
import type { EvalContext, Node } from '../../lib/expr/index.ts';

/** The scope every evaluation table runs against unless a case says otherwise. */
export const SCOPE: Record<string, unknown> = {
  params: {
    name: 'bob',
    count: 3,
    ratio: 0.5,
    flag: true,
    off: false,
    empty: '',
    nothing: null,
    list: [1, 2, 3],
    words: ['a', 'b'],
    map: { a: 1, b: 'two' },
    date: '2024-01-05',
    ts: '2024-03-09T14:05:09.123456+07:00',
    numstr: '42',
    neg: -7,
    quote: "it's",
    evil: 'x" || "1" == "1',
  },
  needs: { 'main-process': { result: 'failure', outputs: { tag: 'v1' } } },
  matrix: { os: 'linux' },
  item: 'x',
  loop: 2,
  stages: { build: { outputs: { return_code: 0, stdout: 'ok' } } },
};

/** The default evaluation context (status functions at their defaults). */
export const CTX: EvalContext = { scope: SCOPE };

/** An AST without positions, for shape comparisons. */
export function shape(node: Node): unknown {
  switch (node.type) {
    case 'literal':
      return { literal: node.value };
    case 'name':
      return { name: node.name };
    case 'member':
      return { member: shape(node.object), property: node.property, ...(node.optional ? { optional: true } : {}) };
    case 'index':
      return { index: shape(node.object), at: shape(node.index), ...(node.optional ? { optional: true } : {}) };
    case 'unary':
      return { unary: node.op, operand: shape(node.operand) };
    case 'binary':
      return { binary: node.op, left: shape(node.left), right: shape(node.right) };
    case 'call':
      return { call: node.name, args: node.args.map(shape) };
    case 'filter':
      return { filter: node.name, input: shape(node.input), args: node.args.map(shape) };
  }
}

/** Every node's type and span, outermost first: `binary@0+15(member@0+8(name@0+6),literal@12+3)`. */
export function spans(node: Node): string {
  const kids: Node[] =
    node.type === 'member' ? [node.object] :
    node.type === 'index' ? [node.object, node.index] :
    node.type === 'unary' ? [node.operand] :
    node.type === 'binary' ? [node.left, node.right] :
    node.type === 'call' ? node.args :
    node.type === 'filter' ? [node.input, ...node.args] : [];
  const self = `${node.type}@${node.offset}+${node.length}`;
  return kids.length > 0 ? `${self}(${kids.map(spans).join(',')})` : self;
}
