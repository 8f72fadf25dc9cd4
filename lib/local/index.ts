export { runLocal, newRunId, RunInputError, type RunLocalOptions, type ResultDocument, type RunEvent } from './run-local.ts';
export { runAudited, type RunAuditedOptions } from './run-audited.ts';
export { openLocalStore, type LocalStore, type LocalStoreOptions } from './local-store.ts';
export { keepPending, flushPending, pendingDir, type FlushResult } from './pending-records.ts';
export { secretTexts, scrubText, maskDocument, MIN_SECRET_CHARS } from './scrub-secrets.ts';
export { taskFailure, lambdaFailure, ERROR_NAME_LIMIT_CHARS } from './task-failure.ts';
export { RunLogCollector, writeRunLogs, readRunLogs, listRunLogs, logsDir, STAGE_LOG_BYTES, RUN_LOG_BYTES, type RunLogs, type StageLog, type LogLine, type LogError } from './run-logs.ts';
export { openLocalS3, localStateDir, LOCAL_S3_REGION, type LocalS3 } from './local-s3.ts';
export { readS3ServerInfo } from './s3-server.ts';
