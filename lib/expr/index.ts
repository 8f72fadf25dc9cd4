/**
 * The expression engine: `${{ }}` templates, the expression language (parser, evaluator,
 * functions, filters), rendering into text, Python and bash, conditions, and static checks.
 * This file is the module's only entry point.
 */
export type {
  BinaryOp,
  ConditionForm,
  EvalContext,
  ExprProblem,
  Node,
  ParsedCondition,
  QuoteContext,
  RenderMode,
  Span,
  StaticScope,
  StatusFacts,
  TemplatePart,
} from './types.ts';
export { EvalError } from './types.ts';
export { parseExpression } from './parse-expression.ts';
export { printExpression } from './print-expression.ts';
export { parseTemplate, isTemplate, isWholeTemplate } from './parse-template.ts';
export { evaluate } from './evaluate.ts';
export { isTruthy } from './is-truthy.ts';
export { deepEqual } from './deep-equal.ts';
export { setOwn } from './set-own.ts';
export { toText } from './to-text.ts';
export { toPythonLiteral } from './to-python-literal.ts';
export { renderTemplate } from './render-template.ts';
export { renderValue } from './render-value.ts';
export { parseCondition } from './parse-condition.ts';
export { evaluateCondition } from './evaluate-condition.ts';
export { checkExpression } from './check-expression.ts';
export { checkTemplate } from './check-template.ts';
export { checkCondition } from './check-condition.ts';
export { pythonSites, type PythonSite } from './python-sites.ts';
export { bashSites, type BashSite } from './bash-sites.ts';
export { bashCodeProblems, bashTemplateSites, bashValueName, renderBashScript } from './render-bash.ts';
export { pythonText, escapeForPythonString } from './python-text.ts';
export { pythonCodeProblems, pythonTemplateSites, renderPythonParts, joinPythonParts, type PythonPart } from './render-python.ts';
export { ALL_ROOTS, ROOT_AVAILABILITY, type RootName } from './roots.ts';
export { FUNCTION_NAMES } from './functions.ts';
export { FILTER_NAMES } from './filters.ts';
