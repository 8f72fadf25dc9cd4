/**
 * The stage runner's coordination actions: a wait stage's signal registration (`signal-wait`),
 * recovery of concurrency slots whose holders died (`concurrency-reclaim`), stopping the holders
 * of a `cancel-in-progress` group (`concurrency-cancel`), and a release's start deadline
 * (`start-deadline`), and a failed child run's document (`child-outcome`). What "is this holder
 * still running", "stop it" and "what did that child run leave" mean depends on where the machine
 * runs, so they come from a {@link Coordination}: {@link awsCoordination} asks Step Functions
 * (DescribeExecution, StopExecution, SendTaskSuccess, GetExecutionHistory); the local engine brings
 * its own.
 */
import type { DynamoDBClient, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import {
  decodeHolders,
  decodeSignal,
  groupItemKey,
  signalOutcome,
  waitSignalUpdate,
  CoordinationKeys,
  type ConcurrencyCancelRequest,
  type ConcurrencyReclaimRequest,
  type SignalWaitRequest,
  type SlotHolder,
  type StartDeadlineRequest,
  type NeedsWaitRequest,
  type JobDoneRequest,
} from '../protocol/index.ts';
import { badRequest } from './runner-error.ts';
import { awsJobGraph } from './job-graph.ts';
import { CHILD_HISTORY_EVENTS, type ChildHistory } from './child-outcome.ts';

/** How the coordination actions see and act on executions. */
export interface Coordination {
  /** The DynamoDB client of the audit table. */
  dynamodb: DynamoDBClient;
  /** The table to use instead of the one a request names (locally: the local store's). */
  table?: string;
  /** True when the execution that holds a slot may still run (unknown counts as running). */
  isRunning(holder: SlotHolder): Promise<boolean>;
  /** Stops a holder's execution, with a cause. */
  stop(holder: SlotHolder, cause: string): Promise<void>;
  /** Handles a wait stage's request: registers the wait (AWS) or waits for the answer (locally). */
  signalWait(req: SignalWaitRequest): Promise<unknown>;
  /** A job of a graph waits for its needs: registers the wait (AWS) or waits for the records (locally). See job-graph.ts. */
  needsWait(req: NeedsWaitRequest): Promise<unknown>;
  /** A job of a graph is done: keeps its record and answers the jobs waiting for it. */
  jobDone(req: JobDoneRequest): Promise<unknown>;
  /** The last events of a (child) execution's history, newest first (see child-outcome.ts). */
  childHistory: ChildHistory;
}

// The AWS SDK is loaded when an action needs it: the stage runner's bundle leaves it to the Lambda
// runtime, and most requests (stages, expressions) never use it.
let dynamoModule: Promise<typeof import('@aws-sdk/client-dynamodb')> | undefined;
const dynamo = (): Promise<typeof import('@aws-sdk/client-dynamodb')> => (dynamoModule ??= import('@aws-sdk/client-dynamodb'));

function errorName(e: unknown): string | undefined {
  return (e as { name?: string } | undefined)?.name;
}

/** Removes a holder's entry if it is still the same execution's; false when it had changed or gone. */
async function removeHolder(dynamodb: DynamoDBClient, table: string, key: string, holder: SlotHolder): Promise<boolean> {
  const { UpdateItemCommand } = await dynamo();
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: groupItemKey(key),
        UpdateExpression: 'REMOVE #hs.#h',
        ConditionExpression: '#hs.#h.#e = :e',
        ExpressionAttributeNames: { '#hs': CoordinationKeys.holdersAttribute, '#h': holder.key, '#e': 'execution' },
        ExpressionAttributeValues: { ':e': { S: holder.execution } },
      }),
    );
    return true;
  } catch (e) {
    if (errorName(e) === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

async function holdersOf(dynamodb: DynamoDBClient, table: string, key: string): Promise<SlotHolder[]> {
  const { GetItemCommand } = await dynamo();
  const out = await dynamodb.send(new GetItemCommand({ TableName: table, Key: groupItemKey(key), ConsistentRead: true }));
  return decodeHolders(out.Item);
}

/** Frees the slots of holders whose execution is no longer running; returns their holder keys. */
export async function reclaimSlots(req: ConcurrencyReclaimRequest, c: Coordination): Promise<{ reclaimed: string[] }> {
  if (typeof req.key !== 'string' || !req.key.startsWith(CoordinationKeys.concurrencyPrefix)) throw badRequest('concurrency-reclaim needs the group "key"');
  const table = c.table ?? req.table;
  const reclaimed: string[] = [];
  for (const holder of await holdersOf(c.dynamodb, table, req.key)) {
    if (await c.isRunning(holder)) continue;
    if (await removeHolder(c.dynamodb, table, req.key, holder)) reclaimed.push(holder.key);
  }
  return { reclaimed };
}

/** Stops every holder but `req.holder` and frees their slots; returns their holder keys. */
export async function cancelHolders(req: ConcurrencyCancelRequest, c: Coordination): Promise<{ stopped: string[] }> {
  if (typeof req.key !== 'string' || !req.key.startsWith(CoordinationKeys.concurrencyPrefix)) throw badRequest('concurrency-cancel needs the group "key"');
  const table = c.table ?? req.table;
  const stopped: string[] = [];
  for (const holder of await holdersOf(c.dynamodb, table, req.key)) {
    if (holder.key === req.holder) continue;
    if (await c.isRunning(holder)) await c.stop(holder, req.cause);
    if (await removeHolder(c.dynamodb, table, req.key, holder)) stopped.push(holder.key);
  }
  return { stopped };
}

/** A release's start deadline: its logical date plus `seconds`, as ISO text. */
export function startDeadline(req: StartDeadlineRequest): { deadline: string } {
  const at = Date.parse(req.logicalDate);
  if (typeof req.logicalDate !== 'string' || Number.isNaN(at)) throw badRequest(`start-deadline needs a logical date, got ${JSON.stringify(req.logicalDate)}`);
  if (typeof req.seconds !== 'number' || !(req.seconds >= 0)) throw badRequest(`start-deadline needs "seconds", got ${JSON.stringify(req.seconds)}`);
  return { deadline: new Date(at + req.seconds * 1000).toISOString() };
}

/** Express executions end after 5 minutes; one that holds a slot longer than this is gone. */
const EXPRESS_MAX_MS = 6 * 60 * 1000;

/**
 * Coordination on AWS. Running means DescribeExecution says RUNNING (or PENDING_REDRIVE); an
 * Express execution (which DescribeExecution does not know) counts as running for 6 minutes from
 * its start. A wait stage stores its task token; when the signal was sent first, it is answered
 * at once (SendTaskSuccess / SendTaskFailure).
 */
export async function awsCoordination(clients: { dynamodb?: DynamoDBClient; sfn?: import('@aws-sdk/client-sfn').SFNClient } = {}): Promise<Coordination> {
  const { DynamoDBClient, UpdateItemCommand } = await dynamo();
  const dynamodb = clients.dynamodb ?? new DynamoDBClient({});
  let sfn = clients.sfn;
  let sfnModule: Promise<typeof import('@aws-sdk/client-sfn')> | undefined;
  const client = async () => {
    const m = await (sfnModule ??= import('@aws-sdk/client-sfn'));
    sfn ??= new m.SFNClient({});
    return { m, sfn };
  };
  // A waiting job answered twice (both sides saw it) or after its run ended: the answer is refused, which is fine.
  const graph = awsJobGraph(dynamodb, async (token, output) => {
    const { m, sfn } = await client();
    try {
      await sfn.send(new m.SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) }));
    } catch (e) {
      if (!['TaskDoesNotExist', 'InvalidToken', 'TaskTimedOut'].includes(errorName(e) ?? '')) throw e;
    }
  });
  return {
    dynamodb,
    needsWait: (req) => graph.needsWait(req),
    jobDone: (req) => graph.jobDone(req),
    async isRunning(holder) {
      if (!holder.execution.startsWith('arn:')) return true;
      if (holder.execution.includes(':express:')) {
        const since = Date.parse(holder.since);
        return Number.isNaN(since) || Date.now() - since < EXPRESS_MAX_MS;
      }
      const { m, sfn } = await client();
      try {
        const out = await sfn.send(new m.DescribeExecutionCommand({ executionArn: holder.execution }));
        return out.status === 'RUNNING' || out.status === 'PENDING_REDRIVE';
      } catch (e) {
        if (errorName(e) === 'ExecutionDoesNotExist') return false;
        throw e;
      }
    },
    async childHistory(executionArn) {
      const { m, sfn } = await client();
      const out = await sfn.send(new m.GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: CHILD_HISTORY_EVENTS, includeExecutionData: true }));
      return out.events;
    },
    async stop(holder, cause) {
      if (!holder.execution.startsWith('arn:') || holder.execution.includes(':express:')) return;
      const { m, sfn } = await client();
      try {
        await sfn.send(new m.StopExecutionCommand({ executionArn: holder.execution, error: 'Cancelled', cause: cause.slice(0, 32_000) }));
      } catch (e) {
        if (errorName(e) !== 'ExecutionDoesNotExist') throw e;
      }
    },
    async signalWait(req) {
      const update = waitSignalUpdate(req.table, req.run, req.signal, { workflow: req.workflow, execution: req.execution, token: req.token }, new Date().toISOString());
      const out = await dynamodb.send(new UpdateItemCommand(update as unknown as UpdateItemCommandInput));
      const state = decodeSignal(out.Attributes);
      if (state && state.status !== 'WAIT') {
        const { m, sfn } = await client();
        const outcome = signalOutcome(state);
        if ('output' in outcome) await sfn.send(new m.SendTaskSuccessCommand({ taskToken: req.token, output: JSON.stringify(outcome.output) }));
        else await sfn.send(new m.SendTaskFailureCommand({ taskToken: req.token, error: outcome.error, cause: outcome.cause }));
        return { waiting: false };
      }
      return { waiting: true };
    },
  };
}

let shared: Promise<Coordination> | undefined;

/** The {@link awsCoordination} the stage runner uses when it is given none (one per process). */
export function defaultCoordination(): Promise<Coordination> {
  return (shared ??= awsCoordination());
}
