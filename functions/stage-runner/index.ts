/**
 * The stage-runner Lambda: bash and call stages, expression evaluation, Map result collection.
 * Errors propagate, so Lambda reports errorType = the error's name (`StageFailed`, ...) and
 * errorMessage = its message, which the state machine's Retry and Catch read; each is kept small
 * enough that Lambda's report of it fits in a Step Functions cause (see lib/runtime/fit-failure.ts).
 *
 * Registry hook: the CDK bundling of this entry adds `import '<registry module>'` lines to a
 * generated entry file that re-exports `createHandler(...)`; the modules' `tag(...)` calls register
 * their functions at import time. `setup` is for asynchronous preparation (run once, before the
 * first request).
 */
import { tmpdir } from 'node:os';
import { fitFailure, handleRequest, type PyRunner } from '../../lib/runtime/index.ts';
import type { RunnerRequest } from '../../lib/protocol/index.ts';

/** Options of {@link createHandler}. */
export interface StageRunnerOptions {
  /** Runs py stages when the stage runner is asked to (not used on AWS, where they go to the py runner). */
  runPy?: PyRunner;
}

/** A Lambda handler that runs `setup` once before its first request, then serves requests. */
export function createHandler(setup?: () => void | Promise<void>, options: StageRunnerOptions = {}): (event: RunnerRequest) => Promise<unknown> {
  let ready: Promise<void> | undefined;
  return async (event) => {
    ready ??= Promise.resolve().then(setup);
    // handleRequest keeps its own failures within a cause; a setup failure is kept so here.
    await ready.catch((e: unknown) => {
      throw fitFailure(e);
    });
    return handleRequest(event, { cwd: tmpdir(), ...(options.runPy ? { runPy: options.runPy } : {}) });
  };
}

/** The stage-runner Lambda handler. */
export const handler = createHandler();
