/**
 * Jobs of a graph that is not series-parallel each run in their own branch and wait for exactly
 * the jobs they need (see compile-dag.ts). Two stage-runner actions do the waiting:
 *
 * - `needs-wait` (a `waitForTaskToken` Task): the job's task token is kept in the audit table
 *   (`jobs#<execution>` / `wait#<job>`) until every job it needs is done, then answered with the
 *   branch's records and those of its ancestors (its new `$.jobs`).
 * - `job-done`: the job's record is kept (`done#<job>`), and every waiting job whose needs are now
 *   all done is answered.
 *
 * Each side writes its own item first and reads the other's after (strongly consistent), so
 * whichever comes second sees both, and no waiter is left behind; a waiter that both see is
 * answered twice, and the second answer is refused by Step Functions and ignored. Items carry an
 * `expires` time (7 days) for the table's TTL.
 *
 * {@link localJobGraph} is the same in memory, for the local engine (one run's branches all run
 * in one process): the wait's promise resolves when the needs are done.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CoordinationKeys, type JobDoneRequest, type NeedsWaitRequest } from '../protocol/index.ts';
import { badRequest } from './runner-error.ts';

const KEEP_SECONDS = 7 * 24 * 3600;

/** What a graph's items say: the records of done jobs, and the jobs waiting with their tokens. */
interface GraphState {
  done: Map<string, unknown>;
  waiting: Array<{ job: string; token: string; needs: string[]; ancestors: string[]; jobs: Record<string, unknown> }>;
}

function checkWait(req: NeedsWaitRequest): void {
  if (typeof req.execution !== 'string' || typeof req.job !== 'string' || !Array.isArray(req.needs) || !Array.isArray(req.ancestors)) {
    throw badRequest('needs-wait needs "execution", "job", "needs" and "ancestors"');
  }
}

function checkDone(req: JobDoneRequest): void {
  if (typeof req.execution !== 'string' || typeof req.job !== 'string') throw badRequest('job-done needs "execution" and "job"');
}

/** What a waiting job receives: the records it had, and those of its ancestors. */
function recordsOf(jobs: Record<string, unknown> | undefined, ancestors: readonly string[], done: ReadonlyMap<string, unknown>): Record<string, unknown> {
  return { ...jobs, ...Object.fromEntries(ancestors.filter((a) => done.has(a)).map((a) => [a, done.get(a)])) };
}

const graphKey = (execution: string): { S: string } => ({ S: `${CoordinationKeys.jobsPrefix}${execution}` });

/** The job-graph actions against the audit table on AWS; `answer` sends a waiting job its records (SendTaskSuccess). */
export function awsJobGraph(dynamodb: DynamoDBClient, answer: (token: string, output: unknown) => Promise<void>) {
  const sdk = import('@aws-sdk/client-dynamodb');
  const expires = (): { N: string } => ({ N: String(Math.floor(Date.now() / 1000) + KEEP_SECONDS) });

  async function read(table: string, execution: string): Promise<GraphState> {
    const { QueryCommand } = await sdk;
    const state: GraphState = { done: new Map(), waiting: [] };
    let start: Record<string, unknown> | undefined;
    do {
      const out = await dynamodb.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: '#w = :w',
          ExpressionAttributeNames: { '#w': 'workflow' },
          ExpressionAttributeValues: { ':w': graphKey(execution) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start as never } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const sk = item.release?.S ?? '';
        if (sk.startsWith(CoordinationKeys.donePrefix)) state.done.set(sk.slice(CoordinationKeys.donePrefix.length), JSON.parse(item.record?.S ?? 'null'));
        else if (sk.startsWith(CoordinationKeys.waitPrefix)) {
          const list = (k: string): string[] => (item[k]?.L ?? []).map((v) => v.S ?? '');
          state.waiting.push({ job: sk.slice(CoordinationKeys.waitPrefix.length), token: item.token?.S ?? '', needs: list('needs'), ancestors: list('ancestors'), jobs: JSON.parse(item.jobs?.S ?? '{}') });
        }
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return state;
  }

  /** Answers a waiting job and removes its item (only if it still holds the same token). */
  async function release(table: string, execution: string, waiter: GraphState['waiting'][number], done: ReadonlyMap<string, unknown>): Promise<void> {
    await answer(waiter.token, recordsOf(waiter.jobs, waiter.ancestors, done));
    const { DeleteItemCommand } = await sdk;
    try {
      await dynamodb.send(
        new DeleteItemCommand({
          TableName: table,
          Key: { workflow: graphKey(execution), release: { S: `${CoordinationKeys.waitPrefix}${waiter.job}` } },
          ConditionExpression: '#t = :t',
          ExpressionAttributeNames: { '#t': 'token' },
          ExpressionAttributeValues: { ':t': { S: waiter.token } },
        }),
      );
    } catch (e) {
      if ((e as { name?: string }).name !== 'ConditionalCheckFailedException') throw e;
    }
  }

  return {
    async needsWait(req: NeedsWaitRequest): Promise<{ waiting: boolean }> {
      checkWait(req);
      const { PutItemCommand } = await sdk;
      await dynamodb.send(
        new PutItemCommand({
          TableName: req.table,
          Item: {
            workflow: graphKey(req.execution),
            release: { S: `${CoordinationKeys.waitPrefix}${req.job}` },
            token: { S: req.token },
            needs: { L: req.needs.map((n) => ({ S: n })) },
            ancestors: { L: req.ancestors.map((n) => ({ S: n })) },
            jobs: { S: JSON.stringify(req.jobs ?? {}) },
            expires: expires(),
          },
        }),
      );
      const state = await read(req.table, req.execution);
      if (!req.needs.every((n) => state.done.has(n))) return { waiting: true };
      await release(req.table, req.execution, { job: req.job, token: req.token, needs: req.needs, ancestors: req.ancestors, jobs: req.jobs ?? {} }, state.done);
      return { waiting: false };
    },
    async jobDone(req: JobDoneRequest): Promise<{ answered: string[] }> {
      checkDone(req);
      const { PutItemCommand } = await sdk;
      await dynamodb.send(
        new PutItemCommand({
          TableName: req.table,
          Item: { workflow: graphKey(req.execution), release: { S: `${CoordinationKeys.donePrefix}${req.job}` }, record: { S: JSON.stringify(req.record ?? null) }, expires: expires() },
        }),
      );
      const state = await read(req.table, req.execution);
      const ready = state.waiting.filter((w) => w.needs.every((n) => state.done.has(n)));
      for (const w of ready) await release(req.table, req.execution, w, state.done);
      return { answered: ready.map((w) => w.job) };
    },
  };
}

/** The job-graph actions in memory (the local engine): a wait resolves with the records once its needs are done; `signal` ends waits when the run stops. */
export function localJobGraph(signal?: AbortSignal) {
  const graphs = new Map<string, { done: Map<string, unknown>; waiting: Array<{ job: string; needs: string[]; ancestors: string[]; jobs?: Record<string, unknown>; resolve: (v: unknown) => void }> }>();
  const graph = (execution: string) => {
    let g = graphs.get(execution);
    if (!g) graphs.set(execution, (g = { done: new Map(), waiting: [] }));
    return g;
  };
  return {
    needsWait(req: NeedsWaitRequest): Promise<unknown> {
      checkWait(req);
      const g = graph(req.execution);
      if (req.needs.every((n) => g.done.has(n))) return Promise.resolve(recordsOf(req.jobs, req.ancestors, g.done));
      return new Promise((resolve, reject) => {
        const stopped = (): void => reject(Object.assign(new Error(`job "${req.job}": the run stopped while it waited for ${req.needs.join(', ')}`), { name: 'Cancelled' }));
        if (signal?.aborted) return stopped();
        signal?.addEventListener('abort', stopped, { once: true });
        g.waiting.push({
          job: req.job,
          jobs: req.jobs,
          needs: req.needs,
          ancestors: req.ancestors,
          resolve: (v) => {
            signal?.removeEventListener('abort', stopped);
            resolve(v);
          },
        });
      });
    },
    async jobDone(req: JobDoneRequest): Promise<{ answered: string[] }> {
      checkDone(req);
      const g = graph(req.execution);
      g.done.set(req.job, req.record ?? null);
      const answered: string[] = [];
      g.waiting = g.waiting.filter((w) => {
        if (!w.needs.every((n) => g.done.has(n))) return true;
        w.resolve(recordsOf(w.jobs, w.ancestors, g.done));
        answered.push(w.job);
        return false;
      });
      return { answered };
    },
  };
}
