/**
 * The audit table's layout: one DynamoDB table per deployment (locally, one per `.wf/` folder).
 *
 * | item        | `workflow` (partition, S) | `release` (sort, S)                 | other attributes                 |
 * |-------------|---------------------------|-------------------------------------|----------------------------------|
 * | run record  | workflow name             | `release#<UTC minute>#<run id>`     | `run_id`, status, params, ...    |
 * | release lock| workflow name             | `lock#<UTC minute>`                 | `run_id` (the run that claimed it)|
 *
 * Concurrency groups, signals and local stop requests live in the same table under partitions of
 * their own (`concurrency#<group>`, `signal#<run id>`, `stop#<execution>`: see
 * `CoordinationKeys` in lib/protocol); they carry no `run_id`, so the index never lists them.
 *
 * The UTC minute is `YYYY-MM-DDTHH:MM` (`2024-01-01T09:00`), the logical date's first 16
 * characters. Run records sort by minute, then by run id (ids are time-sortable), so a query of
 * `release#` prefixes lists runs in release order. The lock item is written by the compiled state
 * machine itself (`dynamodb:putItem` with `ConditionExpression: attribute_not_exists(#r)`,
 * `#r` = `release`): at most one run claims a minute. Both kinds carry `run_id`, which the global
 * secondary index `by-run` (partition `run_id`, projection ALL) makes searchable. Billing is
 * on-demand. The CDK stack creates the same table from {@link AUDIT_TABLE}.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/** Attribute and index names of the audit table. */
export const AUDIT_TABLE = {
  /** Partition key (S): the workflow name. */
  partitionKey: 'workflow',
  /** Sort key (S): `release#<minute>#<run id>` or `lock#<minute>`. */
  sortKey: 'release',
  /** The global secondary index finding items by run id. */
  runIndex: 'by-run',
  /** The index's partition key (S). */
  runIndexKey: 'run_id',
  /** Sort key prefix of run records. */
  runPrefix: 'release#',
  /** Sort key prefix of release locks. */
  lockPrefix: 'lock#',
} as const;

const MINUTE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;

/**
 * The UTC minute (`2024-01-01T09:00`) of an ISO date or a Date (a minute is returned as
 * is); throws on an invalid date (a caller bug).
 */
export function releaseMinute(at: string | Date): string {
  if (typeof at === 'string' && MINUTE.test(at)) return at;
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) throw new Error(`releaseMinute: not a date: ${String(at)}`);
  return date.toISOString().slice(0, 16);
}

/** The sort key of a run record: `release#<minute>#<run id>`. */
export function runReleaseKey(logicalDate: string | Date, runId: string): string {
  return `${AUDIT_TABLE.runPrefix}${releaseMinute(logicalDate)}#${runId}`;
}

/** The sort key of a release lock: `lock#<minute>` (the same the compiled machine writes). */
export function lockReleaseKey(minute: string | Date): string {
  return `${AUDIT_TABLE.lockPrefix}${releaseMinute(minute)}`;
}

/** The `CreateTable` request for an audit table named `table` (on-demand, with the `by-run` index). */
export function auditTableDefinition(table: string): CreateTableCommandInput {
  return {
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: AUDIT_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: AUDIT_TABLE.sortKey, AttributeType: 'S' },
      { AttributeName: AUDIT_TABLE.runIndexKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: AUDIT_TABLE.runIndex,
        KeySchema: [{ AttributeName: AUDIT_TABLE.runIndexKey, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
