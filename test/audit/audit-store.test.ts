process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditError, AuditStore, type AuditRecordInput } from '../../lib/audit/index.ts';
import { startAuditServer, type RunningAuditServer } from '../../lib/local/audit-server.ts';

let dir: string;
let server: RunningAuditServer;
let client: DynamoDBClient;
let store: AuditStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wf-audit-store-'));
  server = await startAuditServer({ auditDir: join(dir, 'audit') });
  client = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${server.port}`, credentials: server.credentials });
  store = new AuditStore(client, 'wf-audit');
  await store.ensureTable();
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(workflow: string, runId: string, logicalDate: string, extra: Partial<AuditRecordInput> = {}): AuditRecordInput {
  return { workflow, runId, logicalDate, type: 'normal', status: 'SUCCESS', params: { n: 1 }, startedAt: '2024-01-01T00:00:00.000Z', ...extra };
}

describe('AuditStore', () => {
  it('creates the table once: ensureTable is idempotent', async () => {
    await store.ensureTable();
    await new AuditStore(client, 'wf-audit').ensureTable();
  });

  it('writes WAIT at begin and replaces it at finish under the same key', async () => {
    const r = run('begin-finish', 'run-1', '2024-01-01T09:00:00Z');
    const { status: _, ...start } = r;
    await store.begin(start);
    expect(await store.list('begin-finish')).toEqual([{ ...start, status: 'WAIT', release: 'release#2024-01-01T09:00#run-1' }]);
    const context = { status: 'SUCCESS', run: { id: 'run-1', workflow: 'begin-finish' }, jobs: {} };
    await store.finish({ ...r, endedAt: '2024-01-01T09:00:03.000Z', durationMs: 3000, context });
    expect(await store.list('begin-finish')).toEqual([
      { ...r, release: 'release#2024-01-01T09:00#run-1', endedAt: '2024-01-01T09:00:03.000Z', durationMs: 3000, context },
    ]);
  });

  it('lists runs newest first (or oldest first), with a limit, without locks or context when asked', async () => {
    await store.finish(run('order', 'b', '2024-01-01T09:00:00Z', { context: { status: 'SUCCESS' } }));
    await store.finish(run('order', 'c', '2024-01-01T10:00:00Z'));
    await store.finish(run('order', 'a', '2024-01-01T08:00:00Z'));
    await store.finish(run('order', 'a2', '2024-01-01T09:00:00Z'));
    await store.finish(run('other', 'z', '2024-01-01T09:00:00Z'));
    expect(await store.claimRelease('order', '2024-01-01T09:00', 'b')).toBe(true);
    const ids = async (opts?: Parameters<AuditStore['list']>[1]): Promise<string[]> => (await store.list('order', opts)).map((r) => r.runId);
    expect(await ids()).toEqual(['c', 'b', 'a2', 'a']);
    expect(await ids({ newestFirst: false })).toEqual(['a', 'a2', 'b', 'c']);
    expect(await ids({ limit: 2 })).toEqual(['c', 'b']);
    expect(await ids({ limit: 0 })).toEqual([]);
    const summary = await store.list('order', { withContext: false, limit: 2 });
    expect(summary.map((r) => r.context)).toEqual([undefined, undefined]);
    expect((await store.list('order', { limit: 2 }))[1]!.context).toEqual({ status: 'SUCCESS' });
    expect(await store.listReleases('order')).toEqual([{ workflow: 'order', minute: '2024-01-01T09:00', runId: 'b' }]);
    expect(await store.list('nothing-here')).toEqual([]);
  });

  it('pages through more runs than one query returns', async () => {
    const blob = 'q'.repeat(200_000);
    for (let i = 0; i < 8; i++) await store.finish(run('paged', `p${i}`, `2024-01-0${i + 1}T00:00:00Z`, { context: { status: 'SUCCESS', note: blob } }));
    const all = await store.list('paged');
    expect(all.map((r) => r.runId)).toEqual(['p7', 'p6', 'p5', 'p4', 'p3', 'p2', 'p1', 'p0']);
    expect((await store.list('paged', { limit: 6 })).length).toBe(6);
  });

  it('finds a run by id through the by-run index, not its lock', async () => {
    await store.claimRelease('find', '2024-02-01T00:00', 'find-1');
    expect(await store.findRun('find-1')).toBeUndefined();
    await store.finish(run('find', 'find-1', '2024-02-01T00:00:00Z', { type: 'rerun', parentRunId: 'find-0' }));
    expect(await store.findRun('find-1')).toMatchObject({ workflow: 'find', runId: 'find-1', type: 'rerun', parentRunId: 'find-0', release: 'release#2024-02-01T00:00#find-1' });
    expect(await store.findRun('no-such-run')).toBeUndefined();
  });

  it('claims a release minute once, with the item the state machine writes', async () => {
    expect(await store.claimRelease('claim', '2024-01-01T09:00', 'r1')).toBe(true);
    expect(await store.claimRelease('claim', new Date('2024-01-01T09:00:30Z'), 'r2')).toBe(false);
    expect(await store.claimRelease('claim', '2024-01-01T09:01', 'r2')).toBe(true);
    const lock = await client.send(new GetItemCommand({ TableName: 'wf-audit', Key: { workflow: { S: 'claim' }, release: { S: 'lock#2024-01-01T09:00' } } }));
    expect(lock.Item).toEqual({ workflow: { S: 'claim' }, release: { S: 'lock#2024-01-01T09:00' }, run_id: { S: 'r1' } });
  });

  it('lets exactly one of 20 concurrent claims of one minute win', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimRelease('race', '2024-03-01T12:00', `r${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const [claim] = await store.listReleases('race');
    expect(claim!.runId).toBe(`r${results.indexOf(true)}`);
  });

  it('stores a run with a 1 MB output, truncated, with statuses and errors kept', async () => {
    const context = {
      status: 'FAILED',
      run: { id: 'big', workflow: 'big' },
      params: { token: 'hunter2' },
      release: { logical_date: '2024-01-01T09:00:00Z', type: 'normal' },
      jobs: {
        a: { status: 'SUCCESS', stages: { s: { status: 'SUCCESS', outputs: { stdout: 'o'.repeat(1 << 20) } } } },
        b: { status: 'FAILED', stages: { t: { status: 'FAILED', outputs: {}, errors: { name: 'StageError', message: 'exit 2' } } }, errors: { name: 'StageError', message: 'stage "t" failed' } },
      },
      errors: [{ name: 'JobError', message: 'job "b" failed' }],
    };
    await store.finish(run('big', 'big', '2024-01-01T09:00:00Z', { status: 'FAILED', params: { token: 'hunter2' }, context }), { secretNames: ['token'] });
    const got = await store.findRun('big');
    expect(got?.truncated).toBe(true);
    expect(got?.params).toEqual({ token: '***' });
    expect(got?.context).toMatchObject({ status: 'FAILED', params: { token: '***' }, errors: context.errors, jobs: { b: context.jobs.b, a: { status: 'SUCCESS', stages: { s: { status: 'SUCCESS' } } } } });
    expect((got?.context as typeof context).jobs.a.stages.s.outputs.stdout).toContain(`…[truncated ${(1 << 20) - 256} bytes]`);
    expect(JSON.stringify(got)).not.toContain('hunter2');
  });

  it('refuses a table with another layout', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: 'not-audit',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const err = await new AuditStore(client, 'not-audit').ensureTable().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditError);
    expect((err as AuditError).reason).toBe('bad-table');
    expect((err as AuditError).message).toBe(
      `the table "not-audit" at http://127.0.0.1:${server.port} is not an audit table: its key is (id:HASH), expected (workflow:HASH,release:RANGE); it has no global secondary index "by-run". Use another table name or delete this table.`,
    );
  });

  it('reports a missing table as an AuditError that says what to do', async () => {
    const err = await new AuditStore(client, 'missing').list('wf').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditError);
    expect((err as AuditError).reason).toBe('no-table');
    expect((err as AuditError).message).toBe(
      `listing the runs of "wf" failed: the audit table "missing" at http://127.0.0.1:${server.port} does not exist. Deploy the stack that creates it (or, for a local store, let it create the table) and check the table name.`,
    );
  });
});
