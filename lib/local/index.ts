export { runLocal, newRunId, RunInputError, type RunLocalOptions, type ResultDocument, type RunEvent } from './run-local.ts';
