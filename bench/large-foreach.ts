/**
 * A foreach over 100,000 items: the batched form's history events per execution (computed by
 * the compiler's estimate, `historyBounds`), against the same foreach in one execution; then a
 * scaled-down run on the local engine, whose recorded events per execution are checked against
 * the same estimate.
 */
import { compileWorkflow, estimateHistoryEvents, historyBounds } from '../lib/compiler/index.ts';
import { HistoryCounter } from '../lib/local/count-history.ts';
import { runLocal } from '../lib/local/index.ts';
import { loadOne } from './compile-scale.ts';
import { CALL } from './generate.ts';

/** Step Functions' history events per Standard execution. */
export const HISTORY_LIMIT = 25_000;

/** A foreach over `params.ids`, each item a call stage and an echo; `batch` as given (none: unbatched). */
function foreachWorkflow(batch: string | undefined): string {
  return `large:
  type: Workflow
  params:
    ids: {type: array}
  jobs:
    work:
      stages:
        - name: Each
          id: each
${batch ? `          batch: ${batch}\n` : ''}          foreach: \${{ params.ids }}
          concurrent: 10
          stages:
            - { name: Double, id: d, uses: "${CALL.uses}", with: { v: "\${{ loop }}" } }
            - { name: Say, echo: "item \${{ item }}" }
`;
}

export interface LargeForeachFigures {
  items: number;
  chunkSize: number;
  chunks: number;
  /** Upper bounds of the history events of each execution at `items` items (the run's own, one chunk's). */
  parentEvents: number;
  chunkEvents: number;
  /** The unbatched foreach in one execution, at `items` items. */
  unbatchedEvents: number;
  /** The scaled-down local run. */
  local: { items: number; batch: number; status: string; executions: number; maxRecorded: number; parentRecorded: number; chunkRecorded: number; parentBound: number; chunkBound: number; ms: number };
}

export async function largeForeach(items = 100_000, localItems = 2_000, localBatch = 250): Promise<LargeForeachFigures> {
  const batched = loadOne(foreachWorkflow('auto'), 'large');
  const compiled = compileWorkflow(batched);
  const chunk = compiled.children.find((c) => c.batch)!;
  const [parent, child] = historyBounds(compiled, 'large', items);
  const unbatched = compileWorkflow(loadOne(foreachWorkflow(undefined), 'large'));

  // Scaled down: the same body, a chunk size that makes several chunks.
  const small = loadOne(foreachWorkflow(String(localBatch)), 'large');
  const smallCompiled = compileWorkflow(small);
  const counter = new HistoryCounter(smallCompiled);
  const t0 = performance.now();
  const doc = await runLocal(small, { params: { ids: Array.from({ length: localItems }, (_, i) => `id-${i}`) }, onRawEvent: (e, ex) => counter.add(e as never, ex) });
  const ms = performance.now() - t0;
  const [smallParent, smallChunk] = historyBounds(smallCompiled, 'large', localItems);
  const recorded = [...counter.byExecution];
  const isChunk = (ex: string): boolean => ex.includes('__batch');
  return {
    items,
    chunkSize: chunk.batch!.size,
    chunks: Math.ceil(items / chunk.batch!.size),
    parentEvents: parent!.events,
    chunkEvents: child!.events,
    unbatchedEvents: estimateHistoryEvents(unbatched.definition, items),
    local: {
      items: localItems,
      batch: localBatch,
      status: doc.status,
      executions: recorded.length,
      maxRecorded: counter.max,
      parentRecorded: Math.max(0, ...recorded.filter(([ex]) => !isChunk(ex)).map(([, n]) => n)),
      chunkRecorded: Math.max(0, ...recorded.filter(([ex]) => isChunk(ex)).map(([, n]) => n)),
      parentBound: smallParent!.events,
      chunkBound: smallChunk!.events,
      ms,
    },
  };
}
