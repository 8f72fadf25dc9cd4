import { EvalError, renderValue, type EvalContext } from '../expr/index.ts';
import { checkMatrixKeys, matrixCombinations } from '../config/index.ts';
import type { EvalItem } from '../protocol/index.ts';

/**
 * The combinations of a matrix whose axes are computed at run time (`partition: ${{ fromJson(...) }}`):
 * every axis rendered to a list, then GitHub Actions' include/exclude rules.
 */
export function matrixItems(item: Extract<EvalItem, { kind: 'matrix' }>, ctx: EvalContext): Array<{ key: string; matrix: Record<string, unknown> }> {
  const axes: Record<string, unknown[]> = {};
  for (const [axis, raw] of Object.entries(item.matrix)) {
    const value = renderValue(raw, ctx);
    if (!Array.isArray(value)) {
      throw new EvalError('WF4006', `matrix axis "${axis}" must be a list, but it is ${JSON.stringify(value)}`, undefined, 'a JSON text becomes a list with fromJson(...)');
    }
    axes[axis] = value;
  }
  const include = renderValue(item.include, ctx) as Record<string, unknown>[];
  const exclude = renderValue(item.exclude, ctx) as Record<string, unknown>[];
  const problems = checkMatrixKeys(axes, include, exclude);
  if (problems.length) throw new EvalError('WF4006', problems.join('; '));
  return matrixCombinations(axes, include, exclude);
}
