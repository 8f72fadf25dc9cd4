/**
 * Reads a job's `strategy`. Matrix axes are lists or templates; `include`/`exclude` may be written
 * beside `matrix` (reference engine) or inside it (GitHub Actions). GitHub's rules apply: an
 * `include` entry may add keys that are not axes, but every `exclude` key must name an axis (WF5006).
 */
import { isMap, isScalar, type Node } from 'yaml';
import { didYouMean, quoteList, type Location } from '../diagnostics/index.ts';
import { checkValue } from './check-value.ts';
import { collectSites } from './collect-sites.ts';
import { strategySchema } from './dialect-schemas.ts';
import { describeValue } from './describe-value.ts';
import { mapEntries } from './map-entries.ts';
import type { Strategy } from './model.ts';
import { nodeAtPath } from './node-at-path.ts';
import { report, type ReadContext } from './read-context.ts';
import { readObject } from './read-object.ts';
import { setOwn } from '../expr/index.ts';
import { reportUnsafeId } from './report-unsafe-id.ts';

type Combination = Record<string, unknown>;

/** Reads the strategy of job `job`; `roots` are the names matrix templates may use. */
export function readStrategy(ctx: ReadContext, job: string, node: Node | null, anchor: Location, roots: readonly string[]): Strategy | undefined {
  const what = `strategy of job "${job}"`;
  const fields = readObject(ctx, node, strategySchema, { what, anchor, nested: ['matrix'] });
  if (!fields) return undefined;
  const strategy: Strategy = {
    matrix: {},
    include: fields.value<Combination[]>('include') ?? [],
    exclude: fields.value<Combination[]>('exclude') ?? [],
    failFast: fields.value<boolean>('fail-fast') ?? false,
    loc: node ? ctx.source.locate(node) : anchor,
  };
  const maxParallel = fields.value<number>('max-parallel');
  if (maxParallel !== undefined) strategy.maxParallel = maxParallel;
  const excludeNodes: Node[] = fields.get('exclude')?.node ? [fields.get('exclude')!.node!] : [];

  let axesWritten = 0;
  const matrix = fields.get('matrix');
  if (matrix && !(isScalar(matrix.node) && matrix.node.value === null)) {
    if (!isMap(matrix.node)) {
      report(ctx, 'WF2003', `"matrix" of job "${job}" must be a map of axis to values, got ${describeValue(ctx.source.toJS(matrix.node))}`, matrix.loc);
    } else {
      for (const e of mapEntries(ctx.source.doc, matrix.node)) {
        if (e.key === 'include' || e.key === 'exclude') {
          const checked = checkValue(ctx, strategySchema.shape[e.key], e.value, `matrix.${e.key}`);
          if (checked.ok) strategy[e.key].push(...(checked.value ?? []));
          if (e.key === 'exclude' && e.value) excludeNodes.push(e.value);
          continue;
        }
        axesWritten++;
        if (e.complexKey || e.key === '') {
          report(ctx, 'WF2003', `matrix axis names of job "${job}" must be text`, ctx.source.locate(e.keyNode));
          continue;
        }
        if (reportUnsafeId(ctx, 'matrix axis', e.key, ctx.source.locate(e.keyNode))) continue;
        const axisSchema = strategySchema.shape.matrix.unwrap().valueType;
        const checked = checkValue(ctx, axisSchema, e.value, `matrix.${e.key}`);
        collectSites(ctx, e.value, roots, job);
        if (checked.ok) setOwn(strategy.matrix, e.key, checked.value);
      }
    }
  }
  if (axesWritten === 0 && !fields.has('include') && !strategy.include.length) {
    report(ctx, 'WF2004', `${what} has no matrix axis and no include`, node ? ctx.source.locate(node) : anchor, 'add matrix: {axis: [values]}, or remove the strategy');
  }
  checkExcludeKeys(ctx, job, Object.keys(strategy.matrix), excludeNodes);
  return strategy;
}

function checkExcludeKeys(ctx: ReadContext, job: string, axes: string[], lists: Node[]): void {
  for (const list of lists) {
    const items = ctx.source.toJS(list);
    if (!Array.isArray(items)) continue;
    items.forEach((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) return;
      if (Object.keys(item).length === 0) {
        report(ctx, 'WF2008', `exclude entry ${i + 1} of job "${job}" is empty and would remove every combination`, ctx.source.locate(nodeAtPath(ctx.source.doc, list, [i])), 'name the axis values to exclude');
      }
      for (const key of Object.keys(item)) {
        if (axes.includes(key)) continue;
        const keyNode = nodeAtPath(ctx.source.doc, list, [i, key], true);
        report(
          ctx,
          'WF5006',
          `exclude key "${key}" of job "${job}" matches no matrix axis`,
          ctx.source.locate(keyNode),
          didYouMean(key, axes) ?? (axes.length ? `the axes are ${quoteList(axes)}` : 'the matrix has no axes'),
        );
      }
    });
  }
}
