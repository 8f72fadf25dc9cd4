import { EvalError, evaluateCondition } from '../expr/index.ts';
import { ErrorNames, type EvalRequest } from '../protocol/index.ts';
import { buildScope, statusFacts } from './build-scope.ts';
import { renderEvalValue } from './render-eval-value.ts';
import { RunnerError } from './runner-error.ts';
import { matrixItems } from './matrix-items.ts';

function shown(raw: unknown): string {
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw);
  const one = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(one.length > 120 ? `${one.slice(0, 119)}…` : one);
}

/**
 * Evaluates an eval request's items: a condition to a boolean (with job- or stage-level status
 * facts), a value rendered in its mode (see `renderEvalValue`). Returns `{[name]: value}`. A failure is an
 * `ExpressionError` naming the item, the expression, the problem and its code.
 */
export function evaluateItems(req: EvalRequest): Record<string, unknown> {
  const ctx = req.ctx ?? {};
  const scope = buildScope(ctx);
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(req.items ?? {})) {
    try {
      if (item.kind === 'condition') {
        out[name] = evaluateCondition(item.cond, { scope, status: statusFacts(ctx, item.facts ?? 'stage') });
      } else if (item.kind === 'matrix') {
        out[name] = matrixItems(item, { scope });
      } else {
        out[name] = renderEvalValue(item.raw, { scope, status: statusFacts(ctx, 'stage') }, item.mode ?? 'text');
      }
    } catch (err) {
      if (!(err instanceof EvalError)) throw err;
      const raw = item.kind === 'condition' ? item.cond : item.kind === 'matrix' ? item.matrix : item.raw;
      const note = err.note ? `; ${err.note}` : '';
      const where = req.what ? `${req.what}: ` : '';
      const subject = item.kind === 'condition' ? `condition ${shown(raw)}` : `${name} ${shown(raw)}`;
      const text = err.message.includes(String(raw)) ? err.message : `${subject}: ${err.message}`;
      throw new RunnerError(ErrorNames.expression, `${where}${text} [${err.code}]${note}`);
    }
  }
  return out;
}
