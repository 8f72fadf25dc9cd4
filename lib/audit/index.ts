/** The audit store: run records and release locks in a DynamoDB table (AWS or the local dynalite). */
export { AuditStore, type WriteOptions, type ListOptions, type ReleaseClaim, type EnsureTableOptions } from './audit-store.ts';
export type { AuditRecord, AuditRecordInput, AuditBeginInput, RunType, RunStatus } from './audit-record.ts';
export { AuditError, isConnectionError, toAuditError, type AuditErrorReason, type AuditTarget } from './audit-error.ts';
export { AUDIT_TABLE, auditTableDefinition, releaseMinute, runReleaseKey, lockReleaseKey } from './audit-table.ts';
export { truncateContext, TRUNCATED_KEY, type TruncateResult } from './truncate-context.ts';
export { redactSecrets, REDACTED } from './redact-secrets.ts';
export { recordToItem, itemToRecord, itemBytes, ITEM_BUDGET_BYTES, CONTEXT_BUDGET_BYTES, PARAMS_BUDGET_BYTES, RunAttributes, type Item, type EncodeOptions } from './audit-item.ts';
