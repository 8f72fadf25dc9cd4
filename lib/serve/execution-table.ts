/**
 * The local endpoint's executions, kept in a DynamoDB table beside the audit table (on the same
 * embedded server), so that they survive a restart of `wf serve`.
 *
 * | item | `executionArn` (partition, S) | other attributes |
 * |---|---|---|
 * | execution | the execution ARN | `stateMachineArn`, `startDate` (N, ms), name, status, error, dates, `parts` |
 * | part *n* | `<execution ARN>#part#<n>` | `data` (B): the n-th slice of the large fields as JSON |
 *
 * The large fields (input, output, cause, result document, history) go to parts of at most
 * 350,000 bytes each, which keeps every item under DynamoDB's 400 KB limit whatever the history's
 * size. Parts carry no `stateMachineArn`, so the `by-machine` index (partition `stateMachineArn`,
 * sort `startDate`) lists executions only.
 */
import {
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { ExecutionRecord, ExecutionStatus, ExecutionSummary } from './execution-record.ts';

/** The executions table's default name. */
export const EXECUTIONS_TABLE = 'wf-executions';

const INDEX = 'by-machine';
const PART_BYTES = 350_000;

type Item = Record<string, AttributeValue>;

/** One page of a listing. */
export interface ExecutionPage {
  executions: ExecutionSummary[];
  /** Where the next page starts; undefined on the last page. */
  next?: Item;
}

function errorName(e: unknown): string | undefined {
  return (e as { name?: string } | undefined)?.name;
}

function toSummary(item: Item): ExecutionSummary {
  const num = (k: string): number | undefined => (item[k]?.N !== undefined ? Number(item[k]!.N) : undefined);
  return {
    executionArn: item.executionArn!.S!,
    stateMachineArn: item.stateMachineArn!.S!,
    name: item.name!.S!,
    workflow: item.workflow!.S!,
    status: item.status!.S as ExecutionStatus,
    startDate: num('startDate')!,
    redriveCount: num('redriveCount') ?? 0,
    ...(item.error?.S !== undefined ? { error: item.error.S } : {}),
    ...(num('stopDate') !== undefined ? { stopDate: num('stopDate') } : {}),
    ...(num('redriveDate') !== undefined ? { redriveDate: num('redriveDate') } : {}),
  };
}

/** Reads and writes execution records (see the file comment). */
export class ExecutionTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly table: string = EXECUTIONS_TABLE,
  ) {}

  /** Creates the table when it is missing and waits until it is active. */
  async ensureTable(): Promise<void> {
    const describe = async (): Promise<string | undefined> => {
      try {
        return (await this.client.send(new DescribeTableCommand({ TableName: this.table }))).Table?.TableStatus;
      } catch (e) {
        if (errorName(e) === 'ResourceNotFoundException') return undefined;
        throw e;
      }
    };
    if ((await describe()) === undefined) {
      try {
        await this.client.send(
          new CreateTableCommand({
            TableName: this.table,
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: 'executionArn', AttributeType: 'S' },
              { AttributeName: 'stateMachineArn', AttributeType: 'S' },
              { AttributeName: 'startDate', AttributeType: 'N' },
            ],
            KeySchema: [{ AttributeName: 'executionArn', KeyType: 'HASH' }],
            GlobalSecondaryIndexes: [
              {
                IndexName: INDEX,
                KeySchema: [
                  { AttributeName: 'stateMachineArn', KeyType: 'HASH' },
                  { AttributeName: 'startDate', KeyType: 'RANGE' },
                ],
                Projection: { ProjectionType: 'ALL' },
              },
            ],
          }),
        );
      } catch (e) {
        if (errorName(e) !== 'ResourceInUseException') throw e;
      }
    }
    for (let wait = 20; (await describe()) !== 'ACTIVE'; wait = Math.min(wait * 2, 500)) await new Promise((r) => setTimeout(r, wait));
  }

  private summaryItem(r: ExecutionSummary, parts: number): Item {
    const item: Item = {
      executionArn: { S: r.executionArn },
      stateMachineArn: { S: r.stateMachineArn },
      name: { S: r.name },
      workflow: { S: r.workflow },
      status: { S: r.status },
      startDate: { N: String(r.startDate) },
      redriveCount: { N: String(r.redriveCount) },
      parts: { N: String(parts) },
    };
    if (r.error !== undefined) item.error = { S: r.error };
    if (r.stopDate !== undefined) item.stopDate = { N: String(r.stopDate) };
    if (r.redriveDate !== undefined) item.redriveDate = { N: String(r.redriveDate) };
    return item;
  }

  /**
   * Writes a record. With `create`, the write fails with `false` when an execution of that ARN
   * exists already (the check and the write are one conditional put); otherwise it replaces it.
   */
  async put(record: ExecutionRecord, options: { create?: boolean } = {}): Promise<boolean> {
    const { input, output, cause, result, history, ...summary } = record;
    const body = Buffer.from(JSON.stringify({ input, output, cause, result, history }));
    const parts = Math.max(1, Math.ceil(body.length / PART_BYTES));
    if (options.create) {
      try {
        await this.client.send(
          new PutItemCommand({ TableName: this.table, Item: this.summaryItem({ ...summary, status: summary.status }, 0), ConditionExpression: 'attribute_not_exists(executionArn)' }),
        );
      } catch (e) {
        if (errorName(e) === 'ConditionalCheckFailedException') return false;
        throw e;
      }
    }
    for (let n = 0; n < parts; n++) {
      await this.client.send(
        new PutItemCommand({ TableName: this.table, Item: { executionArn: { S: `${record.executionArn}#part#${n}` }, data: { B: body.subarray(n * PART_BYTES, (n + 1) * PART_BYTES) } } }),
      );
    }
    const previous = options.create ? 0 : await this.partCount(record.executionArn);
    await this.client.send(new PutItemCommand({ TableName: this.table, Item: this.summaryItem(summary, parts) }));
    for (let n = parts; n < previous; n++) {
      await this.client.send(new DeleteItemCommand({ TableName: this.table, Key: { executionArn: { S: `${record.executionArn}#part#${n}` } } }));
    }
    return true;
  }

  private async partCount(executionArn: string): Promise<number> {
    const got = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { executionArn: { S: executionArn } }, ProjectionExpression: 'parts', ConsistentRead: true }));
    return Number(got.Item?.parts?.N ?? 0);
  }

  /** The record of an execution, or undefined when there is none. */
  async get(executionArn: string): Promise<ExecutionRecord | undefined> {
    const got = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { executionArn: { S: executionArn } }, ConsistentRead: true }));
    if (!got.Item?.stateMachineArn) return undefined;
    const parts = Number(got.Item.parts?.N ?? 0);
    const chunks: Uint8Array[] = [];
    for (let n = 0; n < parts; n++) {
      const part = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { executionArn: { S: `${executionArn}#part#${n}` } }, ConsistentRead: true }));
      if (part.Item?.data?.B) chunks.push(part.Item.data.B);
    }
    const large = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Partial<ExecutionRecord>) : {};
    const record: ExecutionRecord = { ...toSummary(got.Item), input: large.input ?? '{}', history: large.history ?? [] };
    if (large.output !== undefined) record.output = large.output;
    if (large.cause !== undefined) record.cause = large.cause;
    if (large.result !== undefined) record.result = large.result;
    return record;
  }

  /** The summary of an execution (no large parts read), or undefined when there is none. */
  async summary(executionArn: string): Promise<ExecutionSummary | undefined> {
    const got = await this.client.send(new GetItemCommand({ TableName: this.table, Key: { executionArn: { S: executionArn } } }));
    return got.Item?.stateMachineArn ? toSummary(got.Item) : undefined;
  }

  /** One page of a state machine's executions, newest first. */
  async list(stateMachineArn: string, options: { status?: ExecutionStatus; limit: number; start?: Item }): Promise<ExecutionPage> {
    const executions: ExecutionSummary[] = [];
    let start = options.start;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: INDEX,
          KeyConditionExpression: 'stateMachineArn = :m',
          ExpressionAttributeValues: { ':m': { S: stateMachineArn }, ...(options.status ? { ':s': { S: options.status } } : {}) },
          ...(options.status ? { FilterExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' } } : {}),
          ScanIndexForward: false,
          Limit: options.limit - executions.length,
          ExclusiveStartKey: start,
        }),
      );
      executions.push(...(page.Items ?? []).map(toSummary));
      start = page.LastEvaluatedKey;
    } while (start && executions.length < options.limit);
    return { executions, ...(start ? { next: start } : {}) };
  }

  /** Every execution recorded as RUNNING. */
  async running(): Promise<ExecutionSummary[]> {
    const out: ExecutionSummary[] = [];
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({ TableName: this.table, FilterExpression: '#s = :r', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':r': { S: 'RUNNING' } }, ExclusiveStartKey: start }),
      );
      out.push(...(page.Items ?? []).map(toSummary));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}
