import type { ParamError } from '../config/index.ts';

/** Params that do not fit the workflow: every problem at once; nothing was sent to Step Functions. */
export class ParamsRejectedError extends Error {
  constructor(
    readonly workflow: string,
    /** One {@link ParamError} per problem, in declaration order. */
    readonly errors: readonly ParamError[],
  ) {
    super(`workflow "${workflow}" was not started: its params are wrong\n${errors.map((e) => `  ${e.message}`).join('\n')}`);
    this.name = 'ParamsRejectedError';
  }
}
