/**
 * What every stage executor shares: the stage's label for messages, the scope it renders with, and
 * rendering that turns an expression failure into the stage's `ExpressionError` failure.
 */
import { EvalError, renderBashScript, renderPythonParts, renderTemplate, renderValue, setOwn, type EvalContext, type PythonPart, type RenderMode } from '../expr/index.ts';
import { ErrorNames, type RunStageRequest } from '../protocol/index.ts';
import { applyResolved } from './apply-resolved.ts';
import { buildScope, statusFacts } from './build-scope.ts';
import { stageFailed } from './runner-error.ts';

const KIND_WORDS: Record<string, string> = { 'virtual-py': 'virtual py' };

/** A stage being run: its label, its evaluation context, and rendering helpers. */
export interface StageContext {
  /** `bash stage "Greet"`, for messages. */
  label: string;
  /** The scope and stage-level status facts. */
  evalCtx: EvalContext;
  /** Renders one field (named by a dotted path for messages) with the expression engine. */
  render(field: string, raw: unknown, mode?: RenderMode): unknown;
  /** Renders py code into text and value parts, each value for its place (see renderPythonParts). */
  renderCode(field: string, code: string): PythonPart[];
  /** Renders a bash script into references and their values (see renderBashScript). */
  renderScript(field: string, code: string): { script: string; env: Record<string, string> };
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 79)}…` : one;
}

/** The context a stage request runs in. */
export function stageContext(req: RunStageRequest): StageContext {
  const label = `${KIND_WORDS[req.stage.kind] ?? req.stage.kind} stage ${JSON.stringify(req.stage.name)}`;
  const evalCtx: EvalContext = {
    scope: applyResolved(buildScope(req.ctx ?? {}), req.resolved),
    status: statusFacts(req.ctx ?? {}, 'stage'),
  };
  const rendering = <T>(field: string, raw: unknown, how: () => T): T => {
    try {
      return how();
    } catch (err) {
      if (!(err instanceof EvalError)) throw err;
      const shown = typeof raw === 'string' ? ` (${JSON.stringify(clip(raw))})` : '';
      const note = err.note ? `; ${err.note}` : '';
      throw stageFailed({ name: ErrorNames.expression, message: `${label}: cannot render ${field}${shown}: ${err.message} [${err.code}]${note}` });
    }
  };
  return {
    label,
    evalCtx,
    render: (field, raw, mode = 'text') => rendering(field, raw, () => (typeof raw === 'string' ? renderTemplate(raw, evalCtx, mode) : renderValue(raw, evalCtx, mode))),
    renderCode: (field, code) => rendering(field, code, () => renderPythonParts(code, evalCtx)),
    renderScript: (field, code) => rendering(field, code, () => renderBashScript(code, evalCtx)),
  };
}

/** Renders each entry of a map field separately, so a failure names the entry (`env.WHO`). */
export function renderEntries(sc: StageContext, field: string, raw: unknown, mode?: RenderMode): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    const value = sc.render(field, raw, mode);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    throw stageFailed({ name: ErrorNames.expression, message: `${sc.label}: ${field} must be a map of names to values` });
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) setOwn(out, k, sc.render(`${field}.${k}`, v, mode));
  return out;
}
