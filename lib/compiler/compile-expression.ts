/**
 * The one place that decides how an expression becomes ASL. A template or condition compiles
 * natively when ASL can give exactly the expression engine's answer: a plain path (`params.x`,
 * `stages.a.outputs.b`, `matrix.os`), or a condition built from comparisons of a plain path with
 * a literal, `!`, `&&`, `||`, status functions and `needs.<id>.result`. Everything else is
 * evaluated by the stage runner's `eval` action, which runs the expression engine itself.
 *
 * A native condition comes with a guard: a Choice rule that holds when the native rule is
 * well-defined (the paths exist and have the compared type). When the guard fails the machine
 * falls back to the `eval` action, which then gives the engine's answer or its error, so both
 * paths always agree.
 */
import { parseExpression, parseTemplate, setOwn } from '../expr/index.ts';
import type { Node } from '../expr/index.ts';
import type { ChoiceRule } from './asl/types.ts';

/** Where the roots of the expression scope live in the current state's input document. */
export interface PathScope {
  /** JSONPath of the object holding stage records, per frame, outermost first, with the ids each defines. */
  frames: ReadonlyArray<{ path: string; ids: ReadonlySet<string> }>;
  /** Native paths of the loop/branch roots available here. */
  roots: Partial<Record<'matrix' | 'item' | 'loop' | 'branch' | 'retry' | 'case' | 'error', string>>;
  /** A static value for `case` inside a case branch (a default branch has `roots.case` instead). */
  caseValue?: string;
  /** Ids of the jobs the current job needs (`needs.<id>`). */
  needs: ReadonlySet<string>;
  /** Whether status functions refer to needed jobs (job condition) or earlier stages (stage condition). */
  level: 'job' | 'stage';
  /** Declared params that are not secret: every one has a value at run time (null when optional and not given). */
  params: ReadonlySet<string>;
  /**
   * Secret params: the machine holds only references to them (lib/protocol/secret-refs.ts), so
   * no read of one is native; the runners read the values.
   */
  secretParams?: ReadonlySet<string>;
  /** Matrix keys present in every combination (known at compile time). */
  matrixKeys?: ReadonlySet<string>;
}

/** A native value: a JSONPath or a static value. */
export type NativeValue = { path: string } | { value: unknown };

/** A native condition: `rule` decides, valid only when `guard` holds (undefined guard = always valid). */
export interface NativeCondition {
  guard?: ChoiceRule;
  rule: ChoiceRule | boolean;
}

const SIMPLE_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const STATUS_BY_RESULT: Record<string, string> = {
  success: 'SUCCESS',
  failure: 'FAILED',
  skipped: 'SKIP',
  cancelled: 'CANCEL',
  waiting: 'WAIT',
};

/** Parses a whole-template string (`${{ expr }}` and nothing else) into its AST, else undefined. */
export function wholeTemplateAst(text: string): Node | undefined {
  const { parts, problems } = parseTemplate(text);
  if (problems.length) return undefined;
  const real = parts.filter((p) => !(p.kind === 'text' && p.text.trim() === ''));
  if (real.length !== 1 || real[0]!.kind !== 'expr') return undefined;
  return real[0]!.ast;
}

/** The AST of a condition in template or bare form; undefined for booleans and the mixed form. */
export function conditionAst(cond: boolean | string): Node | undefined {
  if (typeof cond === 'boolean') return undefined;
  if (cond.includes('${{')) return wholeTemplateAst(cond);
  const { ast, problems } = parseExpression(cond);
  return problems.length ? undefined : ast;
}

/** Flattens `a.b[0].c` into its root name and segments, or undefined when not a plain path. */
function pathSegments(node: Node): { root: string; segs: Array<string | number> } | undefined {
  const segs: Array<string | number> = [];
  let n: Node = node;
  for (;;) {
    if (n.type === 'name') return { root: n.name, segs: segs.reverse() };
    if (n.type === 'member') {
      if (n.optional) return undefined;
      segs.push(n.property);
      n = n.object;
    } else if (n.type === 'index') {
      if (n.optional || n.index.type !== 'literal') return undefined;
      const v = n.index.value;
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) segs.push(v);
      else if (typeof v === 'string') segs.push(v);
      else return undefined;
      n = n.object;
    } else return undefined;
  }
}

function joinPath(base: string, segs: ReadonlyArray<string | number>): string | undefined {
  let p = base;
  for (const s of segs) {
    if (typeof s === 'number') p += `[${s}]`;
    else if (SIMPLE_KEY.test(s)) p += `.${s}`;
    else return undefined;
  }
  return p;
}

/**
 * The native JSONPath of a plain-path expression in this scope, or undefined. With `safe`, only
 * paths that always exist at run time (a missing path in Parameters stops the execution, where the
 * engine would fail just the stage): declared params, release, run, item, loop, branch and static
 * matrix keys.
 */
export function nativePath(node: Node, scope: PathScope, safe = false): string | undefined {
  const ps = pathSegments(node);
  if (!ps) return undefined;
  const { root, segs } = ps;
  // JSONPath reads `.length` of lists and strings; the engine does not (it wants `length(x)`),
  // so such paths are left to the engine. Indexes are guarded by `indexGuards`.
  if (segs.includes('length')) return undefined;
  if (root === 'params' && (segs.length === 0 || (typeof segs[0] === 'string' && scope.secretParams?.has(segs[0])))) {
    if (scope.secretParams?.size) return undefined;
  }
  if (safe && segs.some((s) => typeof s === 'number')) return undefined;
  if (safe) {
    const first = segs[0];
    switch (root) {
      case 'params':
        return segs.length === 1 && typeof first === 'string' && scope.params.has(first) ? joinPath('$.params', segs) : undefined;
      case 'release':
        return segs.length === 1 && (first === 'logical_date' || first === 'type') ? joinPath('$.release', segs) : undefined;
      case 'run':
        return segs.length === 1 && (first === 'id' || first === 'workflow') ? joinPath('$.run', segs) : undefined;
      case 'item':
      case 'loop':
      case 'branch':
      case 'case':
        return segs.length === 0 && scope.roots[root] !== undefined ? scope.roots[root] : undefined;
      case 'matrix':
        return segs.length === 1 && typeof first === 'string' && scope.matrixKeys?.has(first) && scope.roots.matrix
          ? joinPath(scope.roots.matrix, segs)
          : undefined;
      default:
        return undefined;
    }
  }
  switch (root) {
    case 'params':
    case 'release':
    case 'run':
      return joinPath(`$.${root}`, segs);
    case 'jobs': {
      // `jobs.<id>.result` is spelled differently from the stored status: not a plain path.
      if (segs[1] === 'result') return undefined;
      return joinPath('$.jobs', segs);
    }
    case 'needs': {
      const id = segs[0];
      if (typeof id !== 'string' || !scope.needs.has(id) || segs[1] === 'result') return undefined;
      if (segs[1] === 'outputs' && segs.length === 2) return undefined; // may be absent: engine gives {}
      return joinPath('$.jobs', segs);
    }
    case 'stages': {
      const id = segs[0];
      if (typeof id !== 'string') return undefined;
      for (let i = scope.frames.length - 1; i >= 0; i--) {
        const f = scope.frames[i]!;
        if (f.ids.has(id)) return joinPath(f.path, segs);
      }
      return undefined;
    }
    case 'matrix':
    case 'item':
    case 'loop':
    case 'branch':
    case 'case':
    case 'error': {
      const base = scope.roots[root];
      return base === undefined ? undefined : joinPath(base, segs);
    }
    default:
      return undefined;
  }
}

/** A native value for a raw YAML value: static when it has no template, a path for a whole plain-path template. */
export function nativeValue(raw: unknown, scope: PathScope): NativeValue | undefined {
  if (!containsTemplate(raw)) return { value: raw };
  if (typeof raw !== 'string') return undefined;
  const ast = wholeTemplateAst(raw);
  if (!ast) return undefined;
  if (ast.type === 'literal') return { value: ast.value };
  if (ast.type === 'name' && ast.name === 'case' && scope.caseValue !== undefined) return { value: scope.caseValue };
  const path = nativePath(ast, scope, true);
  return path === undefined ? undefined : { path };
}

/**
 * True when a value holds a map key ending in `.$`: inside state Parameters such a key would be
 * read as a path, so a value holding one must travel as JSON text instead.
 */
export function hasPathKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasPathKey);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.endsWith('.$') || hasPathKey(v));
  return false;
}

/** True when a raw value holds a `${{` template anywhere. */
export function containsTemplate(raw: unknown): boolean {
  if (typeof raw === 'string') return raw.includes('${{');
  if (Array.isArray(raw)) return raw.some(containsTemplate);
  if (raw !== null && typeof raw === 'object') return Object.values(raw).some(containsTemplate);
  return false;
}

/**
 * Renders a raw value as a Parameters entry: `{key: value}` when static, `{"key.$": path}` when a
 * plain path, recursing into maps. Returns undefined when any part needs the expression engine.
 */
export function nativeParameters(raw: Record<string, unknown>, scope: PathScope): Record<string, unknown> | undefined {
  if (hasPathKey(raw)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && containsTemplate(v)) {
      const inner = nativeParameters(v as Record<string, unknown>, scope);
      if (!inner) return undefined;
      setOwn(out, k, inner);
      continue;
    }
    const nv = nativeValue(v, scope);
    if (!nv) return undefined;
    if ('path' in nv) out[`${k}.$`] = nv.path;
    else setOwn(out, k, nv.value);
  }
  return out;
}

function and(rules: ChoiceRule[]): ChoiceRule | undefined {
  const flat = rules.flatMap((r) => r.And ?? [r]);
  if (flat.length === 0) return undefined;
  return flat.length === 1 ? flat[0] : { And: flat };
}

function guardAnd(a?: ChoiceRule, b?: ChoiceRule): ChoiceRule | undefined {
  return and([a, b].filter((x): x is ChoiceRule => x !== undefined));
}

function notRule(r: ChoiceRule | boolean): ChoiceRule | boolean {
  if (typeof r === 'boolean') return !r;
  if (r.Not) return r.Not;
  return { Not: r };
}

function literalCompare(path: string, op: string, value: unknown): NativeCondition | undefined {
  const present: ChoiceRule = { Variable: path, IsPresent: true };
  if (op === '==' || op === '!=') {
    let rule: ChoiceRule;
    if (value === null) rule = { Variable: path, IsNull: true };
    else if (typeof value === 'string') rule = { And: [{ Variable: path, IsString: true }, { Variable: path, StringEquals: value }] };
    else if (typeof value === 'number') rule = { And: [{ Variable: path, IsNumeric: true }, { Variable: path, NumericEquals: value }] };
    else if (typeof value === 'boolean') rule = { And: [{ Variable: path, IsBoolean: true }, { Variable: path, BooleanEquals: value }] };
    else return undefined;
    return { guard: present, rule: op === '==' ? rule : (notRule(rule) as ChoiceRule) };
  }
  const ops: Record<string, string> = { '<': 'LessThan', '<=': 'LessThanEquals', '>': 'GreaterThan', '>=': 'GreaterThanEquals' };
  const suffix = ops[op];
  if (!suffix) return undefined;
  if (typeof value === 'number') {
    return { guard: and([present, { Variable: path, IsNumeric: true }]), rule: { Variable: path, [`Numeric${suffix}`]: value } };
  }
  if (typeof value === 'string') {
    return { guard: and([present, { Variable: path, IsString: true }]), rule: { Variable: path, [`String${suffix}`]: value } };
  }
  return undefined;
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

function statusOf(node: Node, scope: PathScope): string | undefined {
  // `needs.<id>.result` / `needs.<id>.status` / `jobs.<id>.status` → the stored status path.
  const ps = pathSegments(node);
  if (!ps || ps.segs.length !== 2) return undefined;
  const [id, field] = ps.segs;
  if (typeof id !== 'string') return undefined;
  if (ps.root === 'needs' && scope.needs.has(id) && field === 'result') return `$.jobs.${id}.status`;
  return undefined;
}

/**
 * Guards for the numeric indexes of a path: JSONPath indexes a string by character, the engine
 * does not, so each indexed value must not be a string for the native answer to hold.
 */
function indexGuards(node: Node, scope: PathScope): ChoiceRule[] {
  const ps = pathSegments(node);
  if (!ps) return [];
  const rules: ChoiceRule[] = [];
  ps.segs.forEach((seg, i) => {
    if (typeof seg !== 'number') return;
    const parent = rebuild(ps.root, ps.segs.slice(0, i), node);
    const path = parent ? nativePath(parent, scope) : undefined;
    if (path) rules.push({ Not: { Variable: path, IsString: true } });
  });
  return rules;
}

function rebuild(root: string, segs: Array<string | number>, like: Node): Node {
  let n: Node = { type: 'name', name: root, offset: like.offset, length: like.length };
  for (const s of segs) {
    n = typeof s === 'number'
      ? { type: 'index', object: n, index: { type: 'literal', value: s, offset: like.offset, length: 1 }, optional: false, offset: like.offset, length: like.length }
      : { type: 'member', object: n, property: s, optional: false, offset: like.offset, length: like.length };
  }
  return n;
}

/** Compiles a condition AST to a native Choice rule with its guard, or undefined when it needs the engine. */
export function nativeCondition(node: Node, scope: PathScope): NativeCondition | undefined {
  switch (node.type) {
    case 'literal':
      return typeof node.value === 'boolean' ? { rule: node.value } : undefined;
    case 'call':
      return statusFunction(node.name, node.args.length, scope);
    case 'unary': {
      if (node.op !== '!') return undefined;
      const inner = nativeCondition(node.operand, scope);
      return inner ? { guard: inner.guard, rule: notRule(inner.rule) } : undefined;
    }
    case 'binary': {
      if (node.op === '&&' || node.op === '||') {
        const l = nativeCondition(node.left, scope);
        const r = nativeCondition(node.right, scope);
        if (!l || !r) return undefined;
        return { guard: guardAnd(l.guard, r.guard), rule: combine(node.op, l.rule, r.rule) };
      }
      if (!(node.op in FLIP)) return undefined;
      let pathNode = node.left;
      let lit = node.right;
      let op: string = node.op;
      if (pathNode.type === 'literal' && lit.type !== 'literal') {
        [pathNode, lit] = [lit, pathNode];
        op = FLIP[op]!;
      }
      if (lit.type !== 'literal') return undefined;
      const statusPath = statusOf(pathNode, scope);
      if (statusPath !== undefined && (op === '==' || op === '!=') && typeof lit.value === 'string') {
        const status = STATUS_BY_RESULT[lit.value];
        const rule: ChoiceRule | boolean = status === undefined ? false : { Variable: statusPath, StringEquals: status };
        return { guard: { Variable: statusPath, IsPresent: true }, rule: op === '==' ? rule : notRule(rule) };
      }
      const path = nativePath(pathNode, scope);
      if (path === undefined) return undefined;
      const compared = literalCompare(path, op, lit.value);
      if (!compared) return undefined;
      const extra = indexGuards(pathNode, scope);
      return extra.length ? { guard: and([...extra, ...(compared.guard ? [compared.guard] : [])]), rule: compared.rule } : compared;
    }
    default: {
      const path = nativePath(node, scope);
      if (path === undefined) return undefined;
      return {
        guard: and([...indexGuards(node, scope), { Variable: path, IsPresent: true }, { Variable: path, IsBoolean: true }]),
        rule: { Variable: path, BooleanEquals: true },
      };
    }
  }
}

function combine(op: '&&' | '||', a: ChoiceRule | boolean, b: ChoiceRule | boolean): ChoiceRule | boolean {
  if (op === '&&') {
    if (a === false || b === false) return false;
    if (a === true) return b;
    if (b === true) return a;
    return and([a, b])!;
  }
  if (a === true || b === true) return true;
  if (a === false) return b;
  if (b === false) return a;
  const flat = [a, b].flatMap((r) => r.Or ?? [r]);
  return { Or: flat };
}

function statusFunction(name: string, arity: number, scope: PathScope): NativeCondition | undefined {
  if (arity !== 0) return undefined;
  const needs = [...scope.needs];
  switch (name) {
    case 'always':
      return { rule: true };
    case 'cancelled':
      return { rule: false };
    case 'success':
      if (scope.level === 'stage' || needs.length === 0) return { rule: true };
      return { rule: and(needs.map((n) => ({ Variable: `$.jobs.${n}.status`, StringEquals: 'SUCCESS' })))! };
    case 'failure':
      if (scope.level === 'stage' || needs.length === 0) return { rule: false };
      return {
        rule: needs.length === 1
          ? { Variable: `$.jobs.${needs[0]}.status`, StringEquals: 'FAILED' }
          : { Or: needs.map((n) => ({ Variable: `$.jobs.${n}.status`, StringEquals: 'FAILED' })) },
      };
    default:
      return undefined;
  }
}

/** True when a condition's AST calls a status function or reads a needed job's result/status. */
export function mentionsStatus(node: Node | undefined): boolean {
  if (!node) return false;
  switch (node.type) {
    case 'call':
      return ['always', 'success', 'failure', 'cancelled'].includes(node.name) || node.args.some(mentionsStatus);
    case 'member':
      return readsJobStatus(node) || mentionsStatus(node.object);
    case 'index':
      return readsJobStatus(node) || mentionsStatus(node.object) || mentionsStatus(node.index);
    case 'unary':
      return mentionsStatus(node.operand);
    case 'binary':
      return mentionsStatus(node.left) || mentionsStatus(node.right);
    case 'filter':
      return mentionsStatus(node.input) || node.args.some(mentionsStatus);
    default:
      return false;
  }
}

/**
 * True for `needs.<id>.result` or `jobs.<id>.status` in any mix of dotted and bracket steps
 * (`needs['a'].result`, `needs.a['result']`); the id may be any expression.
 */
function readsJobStatus(node: Node): boolean {
  const field = node.type === 'member' ? node.property : node.type === 'index' && node.index.type === 'literal' ? node.index.value : undefined;
  if (field !== 'result' && field !== 'status') return false;
  const o = (node as Node & { object: Node }).object;
  if (o.type !== 'member' && o.type !== 'index') return false;
  return o.object.type === 'name' && (o.object.name === 'needs' || o.object.name === 'jobs');
}

/** The root names an AST reads (`params`, `stages`, ...). */
export function rootsOf(node: Node | undefined, into: Set<string> = new Set()): Set<string> {
  if (!node) return into;
  switch (node.type) {
    case 'name':
      into.add(node.name);
      break;
    case 'member':
      rootsOf(node.object, into);
      break;
    case 'index':
      rootsOf(node.object, into);
      rootsOf(node.index, into);
      break;
    case 'unary':
      rootsOf(node.operand, into);
      break;
    case 'binary':
      rootsOf(node.left, into);
      rootsOf(node.right, into);
      break;
    case 'call':
      for (const a of node.args) rootsOf(a, into);
      break;
    case 'filter':
      rootsOf(node.input, into);
      for (const a of node.args) rootsOf(a, into);
      break;
    default:
      break;
  }
  return into;
}

/** The roots read by every template in a raw value (strings, lists and maps, recursively). */
export function rootsOfValue(raw: unknown, into: Set<string> = new Set()): Set<string> {
  if (typeof raw === 'string') {
    if (!raw.includes('${{')) return into;
    for (const part of parseTemplate(raw).parts) if (part.kind === 'expr') rootsOf(part.ast, into);
    // A template that does not parse is reported at validate time; send everything it might read.
    if (parseTemplate(raw).problems.length) ['params', 'stages', 'jobs', 'matrix', 'item'].forEach((r) => into.add(r));
  } else if (Array.isArray(raw)) raw.forEach((v) => rootsOfValue(v, into));
  else if (raw !== null && typeof raw === 'object') Object.values(raw).forEach((v) => rootsOfValue(v, into));
  return into;
}

/** The roots read by a condition. */
export function rootsOfCondition(cond: boolean | string | undefined, into: Set<string> = new Set()): Set<string> {
  if (typeof cond !== 'string') return into;
  if (cond.includes('${{')) return rootsOfValue(cond, into);
  return rootsOf(parseExpression(cond).ast, into);
}

/** The roots an `eval` of a condition needs: what it reads, and at job level the needed jobs (status functions read them). */
export function conditionRoots(cond: boolean | string, level: 'job' | 'stage'): Set<string> {
  const roots = rootsOfCondition(cond);
  if (level === 'job') roots.add('needs');
  return roots;
}
