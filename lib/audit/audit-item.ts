/**
 * Audit records ↔ DynamoDB items. Attribute names are snake_case like the `run_id` the compiled
 * machine writes; `params` and `context` are JSON strings (one attribute each, whatever their
 * shape). An item is kept under DynamoDB's 400 KB limit: the context gets what the other
 * attributes leave of the budget (at most 350 KB) and is truncated to fit; oversized params are
 * truncated as well, and `truncated` is set.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AuditRecord, AuditRecordInput, RunStatus, RunType } from './audit-record.ts';
import { runReleaseKey } from './audit-table.ts';
import { redactSecrets } from './redact-secrets.ts';
import { truncateContext } from './truncate-context.ts';

/** A DynamoDB item in the low-level attribute-value shape. */
export type Item = Record<string, AttributeValue>;

/** Item size the encoder stays under (DynamoDB's limit is 409,600 bytes). */
export const ITEM_BUDGET_BYTES = 390_000;
/** The most the context may take of an item. */
export const CONTEXT_BUDGET_BYTES = 350 * 1024;
/** The most the params may take of an item before they are truncated. */
export const PARAMS_BUDGET_BYTES = 16 * 1024;

/** Attribute names of a run record. */
export const RunAttributes = {
  workflow: 'workflow',
  release: 'release',
  runId: 'run_id',
  logicalDate: 'logical_date',
  type: 'type',
  status: 'status',
  params: 'params',
  startedAt: 'started_at',
  endedAt: 'ended_at',
  durationMs: 'duration_ms',
  context: 'context',
  truncated: 'truncated',
  parentRunId: 'parent_run_id',
} as const;

function attributeBytes(name: string, value: AttributeValue): number {
  const n = Buffer.byteLength(name);
  if (value.S !== undefined) return n + Buffer.byteLength(value.S);
  if (value.N !== undefined) return n + Math.ceil(value.N.length / 2) + 1;
  return n + 1;
}

/** The size DynamoDB counts for an item (attribute names plus values). */
export function itemBytes(item: Item): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) total += attributeBytes(name, value);
  return total;
}

function redactContext(context: unknown, secretNames: readonly string[]): unknown {
  if (secretNames.length === 0 || typeof context !== 'object' || context === null || Array.isArray(context)) return context;
  const doc = context as Record<string, unknown>;
  const params = doc.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return context;
  const redacted = redactSecrets(params as Record<string, unknown>, secretNames);
  return redacted === params ? context : { ...doc, params: redacted };
}

/** Options for {@link recordToItem}. */
export interface EncodeOptions {
  /** Params whose values must never be stored (replaced by `"***"` in params and in the context's params). @default [] */
  secretNames?: readonly string[];
  /** @default ITEM_BUDGET_BYTES */
  itemBudgetBytes?: number;
}

/** The item for a record (secrets redacted, sizes kept within budget) and whether anything was truncated. */
export function recordToItem(record: AuditRecordInput, options: EncodeOptions = {}): { item: Item; truncated: boolean } {
  const secretNames = options.secretNames ?? [];
  const budget = options.itemBudgetBytes ?? ITEM_BUDGET_BYTES;
  const params = truncateContext(redactSecrets(record.params ?? {}, secretNames), PARAMS_BUDGET_BYTES);
  const item: Item = {
    [RunAttributes.workflow]: { S: record.workflow },
    [RunAttributes.release]: { S: record.release ?? runReleaseKey(record.logicalDate, record.runId) },
    [RunAttributes.runId]: { S: record.runId },
    [RunAttributes.logicalDate]: { S: record.logicalDate },
    [RunAttributes.type]: { S: record.type },
    [RunAttributes.status]: { S: record.status },
    [RunAttributes.params]: { S: JSON.stringify(params.doc) },
    [RunAttributes.startedAt]: { S: record.startedAt },
  };
  if (record.endedAt !== undefined) item[RunAttributes.endedAt] = { S: record.endedAt };
  if (record.durationMs !== undefined) item[RunAttributes.durationMs] = { N: String(record.durationMs) };
  if (record.parentRunId !== undefined) item[RunAttributes.parentRunId] = { S: record.parentRunId };
  let truncated = params.truncated;
  if (record.context !== undefined) {
    const room = budget - itemBytes(item) - Buffer.byteLength(RunAttributes.context) - Buffer.byteLength(RunAttributes.truncated) - 1;
    const context = truncateContext(redactContext(record.context, secretNames), Math.min(CONTEXT_BUDGET_BYTES, room));
    item[RunAttributes.context] = { S: JSON.stringify(context.doc) };
    truncated ||= context.truncated;
  }
  if (truncated) item[RunAttributes.truncated] = { BOOL: true };
  return { item, truncated };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The record stored in an item (the inverse of {@link recordToItem}). */
export function itemToRecord(item: Item): AuditRecord {
  const s = (name: string): string | undefined => item[name]?.S;
  const record: AuditRecord = {
    workflow: s(RunAttributes.workflow) ?? '',
    runId: s(RunAttributes.runId) ?? '',
    release: s(RunAttributes.release) ?? '',
    logicalDate: s(RunAttributes.logicalDate) ?? '',
    type: (s(RunAttributes.type) ?? 'manual') as RunType,
    status: (s(RunAttributes.status) ?? 'WAIT') as RunStatus,
    params: (parseJson(s(RunAttributes.params)) ?? {}) as Record<string, unknown>,
    startedAt: s(RunAttributes.startedAt) ?? '',
  };
  const endedAt = s(RunAttributes.endedAt);
  if (endedAt !== undefined) record.endedAt = endedAt;
  const duration = item[RunAttributes.durationMs]?.N;
  if (duration !== undefined) record.durationMs = Number(duration);
  const context = parseJson(s(RunAttributes.context));
  if (context !== undefined) record.context = context;
  if (item[RunAttributes.truncated]?.BOOL === true) record.truncated = true;
  const parent = s(RunAttributes.parentRunId);
  if (parent !== undefined) record.parentRunId = parent;
  return record;
}
