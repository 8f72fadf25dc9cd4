import { StringDecoder } from 'node:string_decoder';
import { ErrorNames, type RunStageRequest, type StageResponse } from '../protocol/index.ts';
import { callFunction } from './call-function.ts';
import { stageFailed } from './runner-error.ts';
import { renderEntries, stageContext } from './stage-context.ts';
import type { StageRunOptions } from './stage-run-options.ts';

/**
 * Runs a call stage: renders `uses` and `with` (alias `args`), calls the registered function and
 * returns the dict it returned as outputs. A templated `uses` is rendered first, so the function
 * is chosen at run time. A lookup, argument, return or thrown error is a
 * `StageFailed` whose errors name the step that failed. On timeout or cancel the function is
 * stopped (its worker thread is terminated; see call-in-worker.ts) and the stage fails or cancels.
 */
export async function runCallStage(req: RunStageRequest, options: StageRunOptions = {}): Promise<StageResponse> {
  const sc = stageContext(req);
  const fields = req.stage.fields;
  const uses = String(sc.render('uses', fields.uses ?? ''));
  const args = renderEntries(sc, 'with', fields.with ?? fields.args);
  if (req.stage.dryrun) {
    return { status: 'SUCCESS', outputs: { dryrun: `would call ${uses} with ${JSON.stringify(args)}` } };
  }
  // What the function prints (in its worker thread) goes to the stage's lines, a character split between chunks decoded whole.
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  const onOutput = options.onOutput ? (stream: 'stdout' | 'stderr', chunk: Buffer): void => options.onOutput!(stream, decoders[stream].write(chunk)) : undefined;
  const timers: NodeJS.Timeout[] = [];
  // Aborted once the stage is decided: stops a function still running (a timeout, a cancel).
  const stop = new AbortController();
  let onAbort: (() => void) | undefined;
  const guards = new Promise<never>((_, reject) => {
    const timeout = req.stage.timeout;
    if (timeout !== undefined) {
      timers.push(
        setTimeout(
          () => reject(stageFailed({ name: ErrorNames.timeout, message: `${sc.label} timed out after ${timeout} s (${uses} did not return)` })),
          timeout * 1000,
        ),
      );
    }
    onAbort = () => reject(stageFailed({ name: 'StageCancelled', message: `${sc.label} was cancelled` }, {}, 'CANCEL'));
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort);
  });
  try {
    const outputs = await Promise.race([callFunction(uses, args, stop.signal, onOutput), guards]);
    return { status: 'SUCCESS', outputs };
  } catch (err) {
    if (err instanceof Error && err.name === ErrorNames.stageFailed) throw err;
    if (!(err instanceof Error)) throw err;
    // A templated `uses` says what it was rendered from, so an unknown name is traced to its template.
    const raw = typeof fields.uses === 'string' && fields.uses.includes('${{') && err.name === 'RegistryError' ? ` (uses ${JSON.stringify(fields.uses)} rendered to "${uses}")` : '';
    throw stageFailed({ name: err.name, message: `${sc.label}: ${err.message}${raw}` });
  } finally {
    stop.abort();
    for (const t of timers) clearTimeout(t);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}
