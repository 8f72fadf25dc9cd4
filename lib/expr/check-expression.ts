/**
 * Static checks of a parsed expression against what is known where it is written: root names,
 * declared params, needed jobs, known jobs and stage ids, functions, filters and their arity.
 * Optional segments (`params.x?`) are allowed to name what may be missing and are not reported.
 */
import { didYouMean, quoteList } from '../diagnostics/index.ts';
import { arityMessage, unknownFilterMessage, unknownFunctionMessage } from './call-messages.ts';
import { lookupFilter } from './filters.ts';
import { lookupFunction } from './functions.ts';
import { isDialectRoot, ROOT_AVAILABILITY } from './roots.ts';
import type { ExprProblem, Node, Span, StaticScope } from './types.ts';

type Report = (problem: ExprProblem) => void;

function problem(code: ExprProblem['code'], message: string, at: Span, note?: string): ExprProblem {
  const p: ExprProblem = { code, message, offset: at.offset, length: at.length };
  if (note !== undefined) p.note = note;
  return p;
}

function notes(...parts: (string | undefined)[]): string | undefined {
  const kept = parts.filter((p): p is string => p !== undefined);
  return kept.length > 0 ? kept.join('; ') : undefined;
}

function sorted(set: ReadonlySet<string>): string[] {
  return [...set].sort();
}

/** Checks a root name; returns false when it was reported. */
function checkRoot(node: Extract<Node, { type: 'name' }>, scope: StaticScope, report: Report): boolean {
  if (scope.roots.has(node.name)) return true;
  if (isDialectRoot(node.name)) {
    report(problem('WF4005', `"${node.name}" is not available here`, node, `"${node.name}" is only available ${ROOT_AVAILABILITY[node.name]}`));
    return false;
  }
  const roots = sorted(scope.roots);
  const head = node.name.split('-')[0]!;
  const hyphen = node.name.includes('-') && scope.roots.has(head) ? `"-" inside a name continues it; to subtract write "${head} - ${node.name.slice(head.length + 1)}" with spaces` : undefined;
  report(problem('WF4001', `unknown name "${node.name}"`, node, notes(`names available here are ${quoteList(roots)}`, hyphen, didYouMean(node.name, roots))));
  return false;
}

/** The static key of a member or index segment (`a.b`, `a['b']`), if it has one. */
function staticKey(node: Extract<Node, { type: 'member' | 'index' }>): string | undefined {
  if (node.type === 'member') return node.property;
  return node.index.type === 'literal' && typeof node.index.value === 'string' ? node.index.value : undefined;
}

/** Checks the first segment after a root (`params.x`, `needs.x`, `jobs.x`, `stages.x`). */
function checkSegment(root: string, key: string, node: Node, scope: StaticScope, report: Report): void {
  if (root === 'params' && scope.params && !scope.params.has(key)) {
    const known = sorted(scope.params);
    report(
      problem(
        'WF4001',
        `unknown param "${key}" in "params.${key}"`,
        node,
        notes(known.length > 0 ? `declared params are ${quoteList(known)}` : 'the workflow declares no params', `declare it under params:, or write params.${key}? to get null when it is not passed`, didYouMean(key, known)),
      ),
    );
  } else if (root === 'needs' && scope.needs && !scope.needs.has(key)) {
    const known = sorted(scope.needs);
    report(
      problem(
        'WF4005',
        `job "${key}" is not in this job's needs`,
        node,
        notes(
          known.length > 0 ? `this job needs ${quoteList(known)}` : 'this job needs no jobs',
          `needs.<id> reads only needed jobs; add "${key}" to needs: if this job should wait for it`,
          didYouMean(key, known),
        ),
      ),
    );
  } else if (root === 'jobs' && scope.jobs && !scope.jobs.has(key)) {
    const known = sorted(scope.jobs);
    report(problem('WF4001', `unknown job "${key}" in "jobs.${key}"`, node, notes(known.length > 0 ? `jobs are ${quoteList(known)}` : undefined, didYouMean(key, known))));
  } else if (root === 'stages' && scope.stageIds && !scope.stageIds.has(key)) {
    const known = sorted(scope.stageIds);
    report(
      problem(
        'WF4001',
        `unknown stage id "${key}" in "stages.${key}"`,
        node,
        notes(known.length > 0 ? `stage ids visible here are ${quoteList(known)}` : 'no stage with an id is visible here', 'only stages with an id leave outputs', didYouMean(key, known)),
      ),
    );
  }
}

function visit(node: Node, scope: StaticScope, report: Report): void {
  switch (node.type) {
    case 'literal':
      return;
    case 'name':
      checkRoot(node, scope, report);
      return;
    case 'member':
    case 'index': {
      const key = staticKey(node);
      if (node.object.type === 'name' && key !== undefined) {
        if (checkRoot(node.object, scope, report) && !node.optional) checkSegment(node.object.name, key, node, scope, report);
      } else visit(node.object, scope, report);
      if (node.type === 'index') visit(node.index, scope, report);
      return;
    }
    case 'unary':
      visit(node.operand, scope, report);
      return;
    case 'binary':
      visit(node.left, scope, report);
      visit(node.right, scope, report);
      return;
    case 'call': {
      const spec = lookupFunction(node.name);
      if (!spec) {
        const m = unknownFunctionMessage(node.name);
        report(problem('WF4002', m.message, { offset: node.offset, length: node.name.length }, m.note));
      } else {
        const arity = arityMessage('function', spec, node.args.length);
        if (arity) report(problem('WF4004', arity.message, node, arity.note));
      }
      for (const a of node.args) visit(a, scope, report);
      return;
    }
    case 'filter': {
      visit(node.input, scope, report);
      const spec = lookupFilter(node.name);
      const at = node.nameOffset !== undefined ? { offset: node.nameOffset, length: node.name.length } : node;
      if (!spec) {
        const m = unknownFilterMessage(node.name);
        report(problem('WF4003', m.message, at, m.note));
      } else {
        const arity = arityMessage('filter', spec, node.args.length);
        if (arity) report(problem('WF4004', arity.message, { offset: at.offset, length: node.offset + node.length - at.offset }, arity.note));
      }
      for (const a of node.args) visit(a, scope, report);
      return;
    }
  }
}

/**
 * Checks what an expression means where it is written, without evaluating it: unknown root
 * (WF4001, or WF4005 for a dialect root not available here), undeclared param (WF4001), job not
 * in needs (WF4005), unknown job or stage id (WF4001), unknown function (WF4002) or filter (WF4003),
 * wrong number of arguments (WF4004). Positions are those of the AST's nodes.
 */
export function checkExpression(ast: Node, scope: StaticScope): ExprProblem[] {
  const problems: ExprProblem[] = [];
  visit(ast, scope, (p) => problems.push(p));
  return problems;
}
