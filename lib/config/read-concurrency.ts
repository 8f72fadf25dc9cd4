/**
 * Reads `concurrency:` of a workflow or a job. The short form names the group
 * (`concurrency: deploy`, GitHub Actions' spelling); the full form is `{group, limit,
 * cancel-in-progress}`. The group name may hold templates, checked with the names in scope where
 * it is written.
 */
import type { Node } from 'yaml';
import type { Location } from '../diagnostics/index.ts';
import { checkValue } from './check-value.ts';
import { collectSites } from './collect-sites.ts';
import { concurrencySchema } from './dialect-schemas.ts';
import type { Concurrency } from './model.ts';
import { report, type ReadContext } from './read-context.ts';

/** Reads the `concurrency` value at `node`; `job` is undefined for a workflow's. */
export function readConcurrency(ctx: ReadContext, node: Node | null, loc: Location, roots: readonly string[], job: string | undefined): Concurrency | undefined {
  const checked = checkValue(ctx, concurrencySchema, node, 'concurrency');
  if (!checked.ok) return undefined;
  collectSites(ctx, node, roots, job);
  const value = checked.value;
  const full = typeof value === 'string' ? { group: value } : value;
  const concurrency: Concurrency = {
    group: full.group,
    limit: full.limit ?? 1,
    cancelInProgress: full['cancel-in-progress'] ?? false,
    loc,
  };
  if (concurrency.cancelInProgress && concurrency.limit > 1) {
    report(
      ctx,
      'WF2008',
      `"concurrency" has cancel-in-progress with limit ${concurrency.limit}: a new holder stops every other holder, so the limit could never be used`,
      loc,
      'remove "limit" (cancel-in-progress keeps one holder), or set cancel-in-progress: false',
    );
  }
  return concurrency;
}
