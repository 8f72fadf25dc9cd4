/**
 * Pratt parser: tokens → AST. Precedence, loosest first:
 *
 *   `|` filters   `||`   `&&`   `==` `!=`   `<` `<=` `>` `>=`   `+` `-`   `*` `/` `%`   `!` `-` (prefix)
 *   then postfix `.name`, `[index]`, `?`, and calls `name(args)`.
 *
 * A filter applies to everything on its left (`a || b | upper` is `(a || b) | upper`) and only
 * another filter may follow it; to compare a filtered value, parenthesise it: `(x | int) > 3`.
 * Comparisons do not chain (`1 < x < 3` is an error, not Python's chain nor JavaScript's surprise).
 * The parser stops at the first syntax error: one clear problem beats a cascade.
 */
import { tokenize, type Token } from './lexer.ts';
import type { BinaryOp, ExprProblem, Node } from './types.ts';

/** Most tokens one expression may have; keeps evaluation recursion shallow. */
const MAX_TOKENS = 4000;
/** Deepest nesting of parentheses, brackets, calls and prefix operators. */
const MAX_DEPTH = 200;

const BINARY_POWER: Record<string, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

const LITERALS: Record<string, null | boolean> = {
  null: null,
  true: true,
  false: false,
  None: null,
  True: true,
  False: false,
};

class ParseFailure {
  constructor(readonly problem: ExprProblem) {}
}

function endOf(n: { offset: number; length: number }): number {
  return n.offset + n.length;
}

/** Describes a token for a message: `end of expression`, `name "x"`, `"=="`. */
function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of expression';
    case 'ident':
      return `name "${t.value}"`;
    case 'number':
      return `number ${t.value}`;
    case 'string':
      return `string ${JSON.stringify(t.value)}`;
    default:
      return `"${t.value}"`;
  }
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isPunct(value: string, t = this.peek()): boolean {
    return t.kind === 'punct' && t.value === value;
  }

  private fail(message: string, at: { offset: number; length: number }, note?: string): never {
    const problem: ExprProblem = { code: 'WF3001', message, offset: at.offset, length: at.length };
    if (note !== undefined) problem.note = note;
    throw new ParseFailure(problem);
  }

  private expect(value: string, context: string, note?: string): Token {
    const t = this.peek();
    if (!this.isPunct(value, t)) this.fail(`expected "${value}" ${context}, found ${describe(t)}`, t, note);
    return this.next();
  }

  private enter(at: Token): void {
    if (++this.depth > MAX_DEPTH) this.fail(`expression nested too deeply (more than ${MAX_DEPTH} levels)`, at, 'split it into simpler expressions');
  }

  private leave(): void {
    this.depth--;
  }

  parseTop(): Node {
    const node = this.parsePipeline();
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(`unexpected ${describe(t)} after a complete expression`, t, this.trailingNote(node, t));
    return node;
  }

  private trailingNote(node: Node, t: Token): string | undefined {
    if (t.kind === 'ident' && (t.value === 'and' || t.value === 'or')) return `logical ${t.value} is written ${t.value === 'and' ? '&&' : '||'}`;
    if (t.kind === 'ident' && t.value === 'in') return 'test membership with contains(list, value)';
    if (t.kind === 'ident' && t.value === 'is') return 'compare with == or !=';
    if (node.type === 'name' && node.name === 'not') return 'negation is written !';
    if (this.isPunct(')', t)) return 'this ")" has no matching "("';
    if (this.isPunct(']', t)) return 'this "]" has no matching "["';
    if (this.isPunct('?', t)) return 'an optional segment follows a property: a.b? or a[0]?';
    return 'two expressions must be joined by an operator such as &&, || or ==';
  }

  /** expression (`|` filter (`(` args `)`)?)* */
  parsePipeline(): Node {
    let node = this.parseBinary(0);
    let filtered = false;
    while (this.isPunct('|')) {
      this.next();
      const nameTok = this.peek();
      if (nameTok.kind !== 'ident') this.fail(`expected a filter name after "|", found ${describe(nameTok)}`, nameTok, 'filters are applied as x | name or x | name(args)');
      this.next();
      let args: Node[] = [];
      let end = endOf(nameTok);
      if (this.isPunct('(')) {
        const open = this.next();
        this.enter(open);
        args = this.parseArgs(`filter "${nameTok.value}"`);
        end = endOf(this.tokens[this.pos - 1]!);
        this.leave();
      }
      node = { type: 'filter', input: node, name: nameTok.value, args, nameOffset: nameTok.offset, offset: node.offset, length: end - node.offset };
      filtered = true;
    }
    const t = this.peek();
    if (filtered && t.kind === 'punct' && BINARY_POWER[t.value] !== undefined) {
      this.fail(
        `unexpected "${t.value}" after a filter`,
        t,
        'a filter applies to everything on its left, and only another filter may follow it; wrap the filtered value in parentheses, e.g. (x | int) > 3',
      );
    }
    return node;
  }

  private parseArgs(what: string): Node[] {
    const args: Node[] = [];
    if (this.isPunct(')')) {
      this.next();
      return args;
    }
    for (;;) {
      args.push(this.parsePipeline());
      const t = this.peek();
      if (this.isPunct(',', t)) {
        this.next();
        continue;
      }
      if (this.isPunct(')', t)) {
        this.next();
        return args;
      }
      this.fail(`expected "," or ")" in the arguments of ${what}, found ${describe(t)}`, t);
    }
  }

  private parseBinary(minPower: number): Node {
    let left = this.parseUnary();
    let lastComparison = 0;
    for (;;) {
      const t = this.peek();
      const power = t.kind === 'punct' ? BINARY_POWER[t.value] : undefined;
      if (power === undefined || power <= minPower) return left;
      if ((power === 3 || power === 4) && lastComparison === power) {
        this.fail(
          `comparisons do not chain: "${t.value}" follows another comparison`,
          t,
          'join them with && (1 < x && x < 3), or parenthesise to compare a result ((a == b) == c)',
        );
      }
      this.next();
      const right = this.parseBinary(power);
      left = { type: 'binary', op: t.value as BinaryOp, left, right, offset: left.offset, length: endOf(right) - left.offset };
      lastComparison = power === 3 || power === 4 ? power : 0;
    }
  }

  private parseUnary(): Node {
    const t = this.peek();
    if (this.isPunct('!', t) || this.isPunct('-', t)) {
      this.next();
      this.enter(t);
      const operand = this.parseUnary();
      this.leave();
      const span = { offset: t.offset, length: endOf(operand) - t.offset };
      if (t.value === '-' && operand.type === 'literal' && typeof operand.value === 'number') {
        return { type: 'literal', value: -operand.value, ...span };
      }
      return { type: 'unary', op: t.value as '!' | '-', operand, ...span };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePrimary(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { type: 'literal', value: t.number!, offset: t.offset, length: t.length };
      case 'string':
        return { type: 'literal', value: t.value, offset: t.offset, length: t.length };
      case 'ident': {
        if (Object.hasOwn(LITERALS, t.value)) return { type: 'literal', value: LITERALS[t.value]!, offset: t.offset, length: t.length };
        if (this.isPunct('(')) {
          const open = this.next();
          this.enter(open);
          const args = this.parseArgs(`${t.value}()`);
          this.leave();
          const close = this.tokens[this.pos - 1]!;
          return { type: 'call', name: t.value, args, offset: t.offset, length: endOf(close) - t.offset };
        }
        return { type: 'name', name: t.value, offset: t.offset, length: t.length };
      }
      case 'punct':
        if (t.value === '(') {
          this.enter(t);
          const inner = this.parsePipeline();
          const close = this.expect(')', 'to close the "("');
          this.leave();
          return { ...inner, offset: t.offset, length: endOf(close) - t.offset };
        }
        break;
      case 'eof':
        break;
    }
    this.fail(`expected an expression, found ${describe(t)}`, t, this.primaryNote(t));
  }

  private primaryNote(t: Token): string | undefined {
    if (t.kind === 'eof') return this.pos > 0 && this.tokens.length > 1 ? 'the expression ends too early' : 'write an expression, e.g. params.name';
    if (this.isPunct('+', t)) return 'there is no unary +; write the number itself';
    if (this.isPunct('[', t)) return 'list literals are not supported; build lists with fromJson(\'[1, 2]\')';
    if (this.isPunct('|', t)) return 'a filter needs a value on its left: x | name';
    return undefined;
  }

  private parsePostfix(start: Node): Node {
    let node = start;
    for (;;) {
      const t = this.peek();
      if (this.isPunct('.', t)) {
        this.next();
        const prop = this.peek();
        if (prop.kind !== 'ident') {
          this.fail(
            `expected a property name after ".", found ${describe(prop)}`,
            prop,
            prop.kind === 'number' ? `index a list with brackets: x[${prop.value}]` : prop.kind === 'punct' && prop.value === '*' ? 'object filters (a.*.b) are not supported' : undefined,
          );
        }
        this.next();
        const optional = this.isPunct('?');
        const end = optional ? endOf(this.next()) : endOf(prop);
        node = { type: 'member', object: node, property: prop.value, optional, offset: node.offset, length: end - node.offset };
        if (this.isPunct('(')) this.fail(`"${prop.value}" is not a function: methods cannot be called`, this.peek(), 'functions are called by name with the value as an argument, e.g. contains(a, b)');
        continue;
      }
      if (this.isPunct('[', t)) {
        this.next();
        this.enter(t);
        const index = this.parsePipeline();
        const close = this.expect(']', 'to close the "[" index');
        this.leave();
        const optional = this.isPunct('?');
        const end = optional ? endOf(this.next()) : endOf(close);
        node = { type: 'index', object: node, index, optional, offset: node.offset, length: end - node.offset };
        continue;
      }
      if (this.isPunct('?', t) && node.type !== 'member' && node.type !== 'index') {
        this.fail('"?" must follow a property or an index', t, 'optional segments are written a.b? or a[0]? (missing → null)');
      }
      return node;
    }
  }
}

/**
 * Parses an expression whose offsets are shifted by `base` (used for expressions inside templates).
 * Exactly one of `ast` and a non-empty `problems` is returned.
 */
export function parseExpressionAt(src: string, base: number): { ast?: Node; problems: ExprProblem[] } {
  const { tokens, problems } = tokenize(src, base);
  if (problems.length > 0) return { problems };
  if (tokens.length > MAX_TOKENS + 1) {
    return { problems: [{ code: 'WF3001', message: `expression too long (${tokens.length - 1} tokens; at most ${MAX_TOKENS})`, offset: base, length: src.length, note: 'split the work across stages' }] };
  }
  if (tokens.length === 1) {
    return { problems: [{ code: 'WF3001', message: 'empty expression', offset: base, length: src.length, note: 'write an expression, e.g. params.name' }] };
  }
  try {
    return { ast: new Parser(tokens).parseTop(), problems: [] };
  } catch (e) {
    if (e instanceof ParseFailure) return { problems: [e.problem] };
    throw e;
  }
}

/**
 * Parses one expression (the text inside `${{ }}`, or a bare condition). Returns the AST, or the
 * syntax problems (WF3xxx) positioned relative to `src`. Meaning (unknown names, functions,
 * filters, arity) is checked separately by `checkExpression`.
 */
export function parseExpression(src: string): { ast?: Node; problems: ExprProblem[] } {
  return parseExpressionAt(src, 0);
}
