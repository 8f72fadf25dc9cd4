/**
 * The runtime: what runs a stage, shared by the Lambda functions and the local engine. Expression
 * scope, bash and Python execution, the `call` registry, and the single request handler. This
 * file is the module's only entry point.
 */
export { buildScope, statusFacts } from './build-scope.ts';
export { runBash, envText, type RunBashOptions, type BashResult } from './run-bash.ts';
export { runProcess, type RunProcessOptions, type ProcessResult } from './run-process.ts';
export { DEFAULT_OUTPUT_BYTES } from './output-buffer.ts';
export { tag, type TagOptions } from './tag.ts';
export {
  lookupFunction,
  parseUses,
  listFunctions,
  clearRegistry,
  type RegisteredFunction,
  type LookupResult,
  type UsesRef,
} from './registry.ts';
export { checkCallArgs, formatArgProblems, type ArgProblem, type ArgCheck } from './check-call-args.ts';
export { callFunction } from './call-function.ts';
export { loadRegistryModules, splitRegistryPaths, type LoadRegistryOptions } from './load-registry-modules.ts';
export { handleRequest, keyedFailure, type HandleRequestOptions } from './handle-request.ts';
export { pyRunRequest, type PyRunner } from './run-py-stage.ts';
export { runPython, PY_RUNNER_PATH, type RunPythonOptions } from './run-python.ts';
export { RunnerError, stageFailed, badRequest } from './runner-error.ts';
export { prepareRun } from './prepare-run.ts';
export { capOutputs, OUTPUT_BUDGET_BYTES } from './cap-outputs.ts';
export { environmentSpillStore, holdsSpillRef, LIST_BUDGET_BYTES, resolveSpilled, spillOutputs, type SpillStore } from './spill-values.ts';
export { awsCoordination, defaultCoordination, reclaimSlots, cancelHolders, startDeadline, type Coordination } from './coordination.ts';
export { childOutcome, resultFromHistory, CHILD_HISTORY_EVENTS, type ChildHistory, type ChildHistoryEvent } from './child-outcome.ts';
export { scrubText, MIN_SECRET_CHARS } from './scrub-text.ts';
export { secretMasks, maskSecrets } from './secret-masks.ts';
export { awsSecretStore, memorySecretStore, MAX_SECRET_BYTES, type SecretStore } from './secret-store.ts';
export { hideSecretRefs, resolveSecretRefs, storeSecretParams, toSecretRefs, type ResolvedSecret } from './secret-refs.ts';
export { fitFailure, FAILURE_BUDGET_CHARS } from './fit-failure.ts';
export { fitRecord, TRIM_FLOOR_CHARS, type FailedRecord } from './fit-record.ts';
export { lambdaCause, causeLength, CAUSE_LIMIT_CHARS } from './lambda-cause.ts';
export { trimMiddle, truncationMarker } from './trim-middle.ts';
export { runDockerTask, type EcsTaskDescription } from './run-docker-stage.ts';
export { LineSplitter, MAX_LINE_CHARS } from './line-splitter.ts';
