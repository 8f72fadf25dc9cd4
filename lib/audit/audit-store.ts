/**
 * The audit store: run records and release locks in one DynamoDB table (layout in
 * audit-table.ts). The same code runs against a real table on AWS and against the embedded
 * dynalite server of a local run; every failure surfaces as an {@link AuditError}.
 */
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  type DynamoDBClient,
  type QueryCommandInput,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { AuditError, toAuditError, type AuditTarget } from './audit-error.ts';
import { itemToRecord, recordToItem, RunAttributes, type Item } from './audit-item.ts';
import type { AuditBeginInput, AuditRecord, AuditRecordInput } from './audit-record.ts';
import { AUDIT_TABLE, auditTableDefinition, lockReleaseKey } from './audit-table.ts';

/** Options of a write. */
export interface WriteOptions {
  /** Params whose values must never be stored; redacted again here, whatever the caller did. @default [] */
  secretNames?: readonly string[];
}

/** Options of {@link AuditStore.list}. */
export interface ListOptions {
  /** The most records to return. @default all */
  limit?: number;
  /** Newest release first. @default true */
  newestFirst?: boolean;
  /** Read each record's context (the result document); false reads only the summary. @default true */
  withContext?: boolean;
}

/** A claimed release minute. */
export interface ReleaseClaim {
  workflow: string;
  /** The UTC minute, `2024-01-01T09:00`. */
  minute: string;
  /** The run that claimed it. */
  runId: string;
}

/** Options of {@link AuditStore.ensureTable}. */
export interface EnsureTableOptions {
  /** How long to wait for a new table to become ACTIVE, in milliseconds. @default 120000 */
  timeoutMs?: number;
}

const SUMMARY_ATTRIBUTES = Object.values(RunAttributes).filter((a) => a !== RunAttributes.context);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorName(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string' ? (e as { name: string }).name : undefined;
}

function isActive(t: TableDescription | undefined): boolean {
  return t?.TableStatus === 'ACTIVE' && (t.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === undefined || i.IndexStatus === 'ACTIVE');
}

/** Run records and release locks of workflows, in one DynamoDB table. */
export class AuditStore {
  constructor(
    /** The DynamoDB client (its endpoint and region name the store in messages). */
    readonly client: DynamoDBClient,
    /** The table name. */
    readonly table: string,
  ) {}

  /** The table and a readable endpoint, for messages. */
  async target(): Promise<AuditTarget> {
    const config = this.client.config;
    try {
      if (config.isCustomEndpoint && config.endpoint) {
        const ep = await config.endpoint();
        const port = ep.port ? `:${ep.port}` : '';
        return { table: this.table, endpoint: `${ep.protocol}//${ep.hostname}${port}${ep.path === '/' ? '' : ep.path}` };
      }
      return { table: this.table, endpoint: `DynamoDB in ${await config.region()}` };
    } catch {
      return { table: this.table, endpoint: 'DynamoDB (no region configured)' };
    }
  }

  private async call<T>(action: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw toAuditError(e, action, await this.target());
    }
  }

  private async describe(): Promise<TableDescription | undefined> {
    try {
      return (await this.client.send(new DescribeTableCommand({ TableName: this.table }))).Table;
    } catch (e) {
      if (errorName(e) === 'ResourceNotFoundException') return undefined;
      throw e;
    }
  }

  /**
   * Creates the table when it is missing and waits until it is ACTIVE (local use: on AWS the
   * deployment creates it). An existing table with another layout is an error.
   */
  async ensureTable(options: EnsureTableOptions = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    await this.call(`preparing the audit table "${this.table}"`, async () => {
      let table = await this.describe();
      if (!table) {
        try {
          table = (await this.client.send(new CreateTableCommand(auditTableDefinition(this.table)))).TableDescription;
        } catch (e) {
          if (errorName(e) !== 'ResourceInUseException') throw e;
        }
      }
      for (let wait = 50; !isActive(table); wait = Math.min(wait * 2, 2000)) {
        if (Date.now() > deadline) {
          const { endpoint } = await this.target();
          throw new AuditError(`the audit table "${this.table}" at ${endpoint} is still ${table?.TableStatus ?? 'missing'} after ${options.timeoutMs ?? 120_000} ms; try again later.`, 'bad-table');
        }
        await sleep(wait);
        table = await this.describe();
      }
      await this.checkLayout(table!);
    });
  }

  private async checkLayout(table: TableDescription): Promise<void> {
    const keys = (table.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
    const index = (table.GlobalSecondaryIndexes ?? []).find((i) => i.IndexName === AUDIT_TABLE.runIndex);
    const indexKeys = (index?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(',');
    const problems: string[] = [];
    if (keys !== `${AUDIT_TABLE.partitionKey}:HASH,${AUDIT_TABLE.sortKey}:RANGE`) problems.push(`its key is (${keys}), expected (${AUDIT_TABLE.partitionKey}:HASH,${AUDIT_TABLE.sortKey}:RANGE)`);
    if (indexKeys !== `${AUDIT_TABLE.runIndexKey}:HASH`) problems.push(index ? `its index "${AUDIT_TABLE.runIndex}" has key (${indexKeys}), expected (${AUDIT_TABLE.runIndexKey}:HASH)` : `it has no global secondary index "${AUDIT_TABLE.runIndex}"`);
    if (problems.length > 0) {
      const { endpoint } = await this.target();
      throw new AuditError(`the table "${this.table}" at ${endpoint} is not an audit table: ${problems.join('; ')}. Use another table name or delete this table.`, 'bad-table');
    }
  }

  private async put(record: AuditRecordInput, options: WriteOptions, action: string): Promise<void> {
    const { item } = recordToItem(record, options);
    await this.call(action, () => this.client.send(new PutItemCommand({ TableName: this.table, Item: item })));
  }

  /** Records a run as started (status `WAIT`), so a run that is killed shows as not finished. */
  async begin(record: AuditBeginInput, options: WriteOptions = {}): Promise<void> {
    await this.put({ ...record, status: 'WAIT' }, options, `recording the start of run ${record.runId} of "${record.workflow}"`);
  }

  /** Records a run's end: final status, result document and timings (replaces the record {@link begin} wrote). */
  async finish(record: AuditRecordInput, options: WriteOptions = {}): Promise<void> {
    await this.put(record, options, `recording the end of run ${record.runId} of "${record.workflow}"`);
  }

  /**
   * Claims a release minute for a run, with the same conditional write the compiled state machine
   * makes: true for the first claim of (workflow, minute), false when it was already claimed.
   */
  async claimRelease(workflow: string, minute: string | Date, runId: string): Promise<boolean> {
    const release = lockReleaseKey(minute);
    return this.call(`claiming release ${release} of "${workflow}" for run ${runId}`, async () => {
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { [AUDIT_TABLE.partitionKey]: { S: workflow }, [AUDIT_TABLE.sortKey]: { S: release }, [AUDIT_TABLE.runIndexKey]: { S: runId } },
            ConditionExpression: 'attribute_not_exists(#r)',
            ExpressionAttributeNames: { '#r': AUDIT_TABLE.sortKey },
          }),
        );
        return true;
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException || errorName(e) === 'ConditionalCheckFailedException') return false;
        throw e;
      }
    });
  }

  private async queryAll(input: QueryCommandInput, limit: number, action: string): Promise<Item[]> {
    return this.call(action, async () => {
      const items: Item[] = [];
      let start: Item | undefined;
      do {
        const page = await this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start && items.length < limit);
      return items.slice(0, limit);
    });
  }

  /** The run records of a workflow (locks excluded), newest release first unless asked otherwise. */
  async list(workflow: string, options: ListOptions = {}): Promise<AuditRecord[]> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    const names: Record<string, string> = { '#w': AUDIT_TABLE.partitionKey, '#r': AUDIT_TABLE.sortKey };
    let projection: string | undefined;
    if (options.withContext === false) {
      SUMMARY_ATTRIBUTES.forEach((a, i) => (names[`#a${i}`] = a));
      projection = SUMMARY_ATTRIBUTES.map((_, i) => `#a${i}`).join(', ');
    }
    const items = await this.queryAll(
      {
        TableName: this.table,
        KeyConditionExpression: '#w = :w AND begins_with(#r, :p)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':w': { S: workflow }, ':p': { S: AUDIT_TABLE.runPrefix } },
        ProjectionExpression: projection,
        ScanIndexForward: options.newestFirst === false,
        ...(Number.isFinite(limit) ? { Limit: limit } : {}),
      },
      limit,
      `listing the runs of "${workflow}"`,
    );
    return items.map(itemToRecord);
  }

  /** The claimed release minutes of a workflow, newest first unless asked otherwise. */
  async listReleases(workflow: string, options: Omit<ListOptions, 'withContext'> = {}): Promise<ReleaseClaim[]> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return [];
    const items = await this.queryAll(
      {
        TableName: this.table,
        KeyConditionExpression: '#w = :w AND begins_with(#r, :p)',
        ExpressionAttributeNames: { '#w': AUDIT_TABLE.partitionKey, '#r': AUDIT_TABLE.sortKey },
        ExpressionAttributeValues: { ':w': { S: workflow }, ':p': { S: AUDIT_TABLE.lockPrefix } },
        ScanIndexForward: options.newestFirst === false,
        ...(Number.isFinite(limit) ? { Limit: limit } : {}),
      },
      limit,
      `listing the releases of "${workflow}"`,
    );
    return items.map((item) => ({
      workflow,
      minute: (item[AUDIT_TABLE.sortKey]?.S ?? '').slice(AUDIT_TABLE.lockPrefix.length),
      runId: item[AUDIT_TABLE.runIndexKey]?.S ?? '',
    }));
  }

  /** The record of a run, found by its id through the `by-run` index; undefined when there is none. */
  async findRun(runId: string): Promise<AuditRecord | undefined> {
    const items = await this.queryAll(
      {
        TableName: this.table,
        IndexName: AUDIT_TABLE.runIndex,
        KeyConditionExpression: '#id = :id',
        FilterExpression: 'begins_with(#r, :p)',
        ExpressionAttributeNames: { '#id': AUDIT_TABLE.runIndexKey, '#r': AUDIT_TABLE.sortKey },
        ExpressionAttributeValues: { ':id': { S: runId }, ':p': { S: AUDIT_TABLE.runPrefix } },
      },
      1,
      `finding run ${runId}`,
    );
    return items[0] ? itemToRecord(items[0]) : undefined;
  }
}
