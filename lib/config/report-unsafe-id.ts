/**
 * Ids that cannot travel through a state machine's JSONPaths. Job ids, stage ids and matrix axes
 * become path segments (`$.jobs.<job>.stages.<stage>`, the Map item's `matrix.<axis>`); the local
 * engine resolves `__proto__` there to the object's prototype, so such a job would be skipped and
 * such a stage's outputs lost. These ids are refused before anything compiles. `constructor`,
 * `prototype` and the other names objects inherit are ordinary ids: every layer reads maps by own
 * property.
 */
import type { Location } from '../diagnostics/index.ts';
import { report, type ReadContext } from './read-context.ts';

/** Ids refused as job ids, stage ids and matrix axes. */
export const UNSAFE_PATH_IDS: readonly string[] = ['__proto__'];

/** Reports `id` (a `kind`: "job id", "stage id", "matrix axis") when it cannot be a path segment; true when it was reported. */
export function reportUnsafeId(ctx: ReadContext, kind: string, id: string, loc: Location): boolean {
  if (!UNSAFE_PATH_IDS.includes(id)) return false;
  report(
    ctx,
    'WF2007',
    `"${id}" cannot be a ${kind}: it becomes a segment of the state machine's JSONPaths, where "${id}" names the object's prototype`,
    loc,
    `rename it, e.g. "${id.replace(/^_+|_+$/g, '')}"; other names work, "constructor" and "prototype" included`,
  );
  return true;
}
