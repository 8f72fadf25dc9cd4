/**
 * A failure raised inside a function or filter, before the evaluator knows where in the source it
 * happened. The evaluator turns it into an `EvalError` positioned at the call or filter node.
 */
import type { Code } from '../diagnostics/index.ts';

/** A positionless evaluation failure; only the evaluator catches it. */
export class EvalFailure {
  constructor(
    readonly message: string,
    readonly note?: string,
    readonly code: Code = 'WF4006',
  ) {}
}
