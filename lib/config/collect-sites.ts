import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { mapEntries, resolveNode } from './map-entries.ts';
import type { ExprSite, ExprSiteKind, ReadContext } from './read-context.ts';

/**
 * Records every string below `node` that holds a template (`${{`) as an expression site, so the
 * static checks can run once the workflow is read. Conditions are recorded whatever their text.
 */
export function collectSites(
  ctx: ReadContext,
  node: Node | null,
  roots: readonly string[],
  job: string | undefined,
  kind: ExprSiteKind = 'template',
): void {
  const n = resolveNode(ctx.source.doc, node);
  if (!n) return;
  if (isScalar(n)) {
    if (typeof n.value !== 'string') return;
    if (kind === 'condition') ctx.sites.push(site('condition', n.value, n, roots, job));
    // py code is recorded with or without templates: python3 checks its syntax (python-syntax.ts).
    else if (kind === 'python' && !n.value.includes('${{')) ctx.sites.push(site('python', n.value, n, roots, job));
    else if (n.value.includes('${{')) {
      ctx.sites.push(site('template', n.value, n, roots, job));
      if (kind === 'shell' || kind === 'python') ctx.sites.push(site(kind, n.value, n, roots, job));
    }
    return;
  }
  if (kind === 'condition') return;
  if (isSeq(n)) for (const item of n.items) collectSites(ctx, item as Node, roots, job, kind);
  else if (isMap(n)) for (const e of mapEntries(ctx.source.doc, n)) collectSites(ctx, e.value, roots, job, kind);
}

function site(kind: ExprSiteKind, text: string, node: Node, roots: readonly string[], job: string | undefined): ExprSite {
  const s: ExprSite = { kind, text, node, roots };
  if (job !== undefined) s.job = job;
  return s;
}
