export { runLocal, newRunId, RunInputError, type RunLocalOptions, type ResultDocument, type RunEvent } from './run-local.ts';
export { runAudited, type RunAuditedOptions } from './run-audited.ts';
export { openLocalStore, type LocalStore, type LocalStoreOptions } from './local-store.ts';
