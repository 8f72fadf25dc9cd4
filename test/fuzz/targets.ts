/**
 * The fuzz targets: for each, a generator of inputs and a check that accepts only the two outcome
 * classes a user may see, a valid result or a diagnostic (an `EvalError`, a `ParamError`, a
 * positioned diagnostic). Anything else a target throws is a bug. The vitest files run each target
 * with a bounded, seeded budget; `npm run fuzz` runs them for a time budget.
 */
import { isDeepStrictEqual } from 'node:util';
import aslValidator from 'asl-validator';
import fc from 'fast-check';
import { loadWorkflowsFromText, parameterize, ParamError, type Param } from '../../lib/config/index.ts';
import { compileWorkflow, structuralProblems } from '../../lib/compiler/index.ts';
import { codes, hasErrors, type Diagnostic } from '../../lib/diagnostics/index.ts';
import { EvalError, evaluate, evaluateCondition, parseExpression, renderTemplate, type RenderMode } from '../../lib/expr/index.ts';
import { evalScope, expressionText, paramsCase, spliced, templateText, workflowYaml, yamlishText } from './generators.ts';

/** A fuzz target: inputs and the check every input must pass. */
export interface FuzzTarget<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Throws (an assertion failure) when the outcome is neither a valid result nor a diagnostic. */
  check(input: T): void;
}

/** A failed outcome check (the fuzzer's finding). */
export class FuzzFinding extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FuzzFinding';
  }
}

function require(ok: boolean, message: () => string): void {
  if (!ok) throw new FuzzFinding(message());
}

/** True for JSON data: null, booleans, numbers, strings, arrays and plain objects of data. */
export function isData(v: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return true;
  if (Array.isArray(v)) return v.every((x) => isData(x, depth + 1));
  if (typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && Object.values(v as object).every((x) => isData(x, depth + 1));
}

/** Runs `f`; an `EvalError` is a diagnostic, anything else thrown is a finding. */
function onlyEvalError<T>(what: string, f: () => T): T | EvalError {
  try {
    return f();
  } catch (e) {
    if (e instanceof EvalError) {
      require(typeof e.message === 'string' && e.message.length > 0 && /^WF[34]\d{3}$/.test(e.code), () => `${what}: an EvalError without a message or code: ${String(e.code)} ${e.message}`);
      return e;
    }
    throw new FuzzFinding(`${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

function checkDiagnostics(diagnostics: readonly Diagnostic[], files: Record<string, string>): void {
  for (const d of diagnostics) {
    require(Object.hasOwn(codes, d.code), () => `unknown diagnostic code ${d.code}`);
    require(d.severity === 'error' || d.severity === 'warning', () => `bad severity ${d.severity}`);
    require(d.message.length > 0, () => `empty message for ${d.code}`);
    if (d.location) {
      const text = files[d.location.file];
      require(text !== undefined, () => `${d.code} points at an unknown file ${d.location!.file}`);
      require(d.location.line >= 1 && d.location.col >= 1 && d.location.offset >= 0 && d.location.offset <= text!.length, () => `${d.code} has a location outside the file: ${JSON.stringify(d.location)}`);
    }
  }
}

/** The loader: any text gives workflows or positioned diagnostics, the same way twice. */
export const loaderTarget: FuzzTarget<string> = {
  name: 'YAML loader (loadWorkflowsFromText)',
  arbitrary: fc.oneof(yamlishText, spliced(workflowYaml), fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 })),
  check(text) {
    const files = { 'conf/fuzz.yml': text };
    let first;
    try {
      first = loadWorkflowsFromText(files);
    } catch (e) {
      throw new FuzzFinding(`loadWorkflowsFromText threw ${(e as Error).stack ?? String(e)}`);
    }
    checkDiagnostics(first.diagnostics, files);
    const second = loadWorkflowsFromText(files);
    require(JSON.stringify(second.diagnostics) === JSON.stringify(first.diagnostics), () => 'two loads of one text disagree');
    require([...second.workflows.keys()].join() === [...first.workflows.keys()].join(), () => 'two loads found different workflows');
  },
};

/** The expression engine: parse, evaluate, render in every mode, evaluate as a condition. */
export const expressionTarget: FuzzTarget<{ expr: string; template: string; scope: Record<string, unknown>; mode: RenderMode }> = {
  name: 'expressions (parseExpression, evaluate, renderTemplate, evaluateCondition)',
  arbitrary: fc.record({ expr: expressionText, template: templateText, scope: evalScope, mode: fc.constantFrom<RenderMode>('text', 'python', 'bash') }),
  check({ expr, template, scope, mode }) {
    let parsed;
    try {
      parsed = parseExpression(expr);
    } catch (e) {
      throw new FuzzFinding(`parseExpression threw ${(e as Error).stack ?? String(e)}`);
    }
    require((parsed.ast === undefined) === parsed.problems.length > 0, () => 'parseExpression gave both or neither of an AST and problems');
    for (const p of parsed.problems) require(p.offset >= 0 && p.offset + p.length <= expr.length && /^WF[34]\d{3}$/.test(p.code), () => `problem out of bounds: ${JSON.stringify(p)}`);
    const ctx = { scope };
    if (parsed.ast) {
      const v = onlyEvalError('evaluate', () => evaluate(parsed.ast!, ctx));
      if (!(v instanceof EvalError)) {
        require(isData(v), () => `evaluate gave a value that is not data: ${String(v)}`);
        const again = evaluate(parsed.ast, ctx);
        require(isDeepStrictEqual(v, again), () => 'evaluate is not deterministic');
      }
    }
    for (const text of [template, `\${{ ${expr} }}`, `x \${{ ${expr} }} y`]) {
      const r = onlyEvalError(`renderTemplate(${mode})`, () => renderTemplate(text, ctx, mode));
      if (!(r instanceof EvalError)) require(isData(r), () => `renderTemplate gave a value that is not data: ${String(r)}`);
    }
    for (const cond of [expr, `\${{ ${expr} }}`, template, `'\${{ ${expr} }}' == 'x'`]) {
      const r = onlyEvalError('evaluateCondition', () => evaluateCondition(cond, ctx));
      if (!(r instanceof EvalError)) require(typeof r === 'boolean', () => `evaluateCondition gave ${String(r)}`);
    }
    require(Object.keys(Object.prototype).length === 0, () => 'Object.prototype was polluted');
  },
};

const SECRET = 'Zq9-fuzz-secret-Zq9';

function hasType(p: Param, v: unknown): boolean {
  if (v === null) return !p.required || p.hasDefault;
  switch (p.type) {
    case 'str':
      return typeof v === 'string';
    case 'int':
      return Number.isSafeInteger(v);
    case 'float':
    case 'decimal':
      return typeof v === 'number' && Number.isFinite(v);
    case 'bool':
      return typeof v === 'boolean';
    case 'datetime':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(v);
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
    case 'choice':
      return (p.options ?? []).some((o) => isDeepStrictEqual(o, v));
    case 'map':
      return typeof v === 'object' && !Array.isArray(v);
    case 'array':
      return Array.isArray(v);
  }
}

/** Params: every input gives typed params or ParamErrors, and a secret's value is never quoted. */
export const paramsTarget: FuzzTarget<{ params: Record<string, Param>; input: Record<string, unknown> }> = {
  name: 'params (parameterize)',
  arbitrary: paramsCase,
  check({ params, input }) {
    // A secret param given a distinctive value: it must not appear in any message.
    const given = { ...input };
    for (const p of Object.values(params)) if (p.secret && Object.hasOwn(given, p.name)) given[p.name] = typeof given[p.name] === 'string' ? `${SECRET}${String(given[p.name])}` : given[p.name];
    let r;
    try {
      r = parameterize({ params }, given);
    } catch (e) {
      throw new FuzzFinding(`parameterize threw ${(e as Error).stack ?? String(e)}`);
    }
    const failed = new Set<string>();
    for (const e of r.errors) {
      require(e instanceof ParamError && /^WF700[1-4]$/.test(e.code) && e.message.startsWith(`param "`), () => `not a ParamError: ${String(e)}`);
      require(!e.message.includes(SECRET) && !(e.note ?? '').includes(SECRET) && !JSON.stringify(e.value ?? null).includes(SECRET), () => `a secret value is quoted: ${e.message}`);
      failed.add(e.param);
    }
    for (const p of Object.values(params)) {
      if (failed.has(p.name)) {
        require(!Object.hasOwn(r.params, p.name), () => `param ${p.name} failed but has a value`);
        continue;
      }
      require(Object.hasOwn(r.params, p.name), () => `param ${p.name} neither failed nor has a value`);
      require(hasType(p, r.params[p.name]), () => `param ${p.name} (${p.type}) came out as ${JSON.stringify(r.params[p.name])}`);
    }
    for (const k of Object.keys(given)) if (!Object.hasOwn(params, k)) require(failed.has(k), () => `unknown key ${k} was not reported`);
  },
};

/** The compiler: every valid workflow compiles, deterministically, to a well-formed machine. */
export const compilerTarget: FuzzTarget<string> = {
  name: 'compiler (compileWorkflow on generated valid workflows)',
  arbitrary: workflowYaml,
  check(text) {
    const files = { 'conf/wf.yml': text };
    const loaded = loadWorkflowsFromText(files);
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    require(errors.length === 0, () => `a generated workflow did not load:\n${errors.map((d) => `${d.location?.line}:${d.location?.col} ${d.code} ${d.message}`).join('\n')}\n${text}`);
    const wf = loaded.workflows.get('wf')!;
    let compiled;
    try {
      compiled = compileWorkflow(wf, { workflows: loaded.workflows });
    } catch (e) {
      throw new FuzzFinding(`compileWorkflow threw ${(e as Error).stack ?? String(e)}\n${text}`);
    }
    checkDiagnostics(compiled.diagnostics, files);
    // A Step Functions limit the workflow passes (an Express workflow with a docker or trigger
    // stage, say) is a diagnostic: a valid outcome, with no machine to check.
    if (hasErrors(compiled.diagnostics)) {
      const other = compiled.diagnostics.filter((d) => d.severity === 'error' && !d.code.startsWith('WF6'));
      require(other.length === 0, () => `compile errors that are not limits: ${other.map((d) => `${d.code} ${d.message}`).join('; ')}`);
      return;
    }
    for (const m of [compiled, ...compiled.children]) {
      const problems = structuralProblems(m.definition);
      require(problems.length === 0, () => `structural problems: ${problems.join('; ')}\n${text}`);
      require(isDeepStrictEqual(JSON.parse(m.json), m.definition), () => 'json is not the definition');
      // asl-validator takes about 0.1 s a machine: it checks one input in eight (chosen by the
      // input, so a finding reproduces); the structural checks run on every machine.
      if (text.length % 8 === 0) {
        const v = aslValidator(JSON.parse(m.json), { checkPaths: true, checkArn: true });
        require(v.isValid, () => `asl-validator: ${v.errorsText('; ')}\n${text}`);
      }
    }
    require(compileWorkflow(wf, { workflows: loaded.workflows }).json === compiled.json, () => 'two compiles differ');
  },
};

/** The targets that run synchronously in-process (the endpoint target needs a server). */
export const SYNC_TARGETS = [loaderTarget, expressionTarget, paramsTarget, compilerTarget] as const;
