/**
 * Recovery of concurrency slots: which holders count as gone (locally: an execution of this process
 * that is no longer registered, or of a process of this host that has exited; on AWS: an execution
 * DescribeExecution does not report RUNNING, or an Express one past its 5 minutes), that only those
 * are freed, and that cancel-in-progress stops every holder but the one that asks.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCoordination, localExecutionId, localExecutionRunning, registerExecution } from '../../lib/local/local-coordination.ts';
import { decodeHolders, groupItemKey, type SlotHolder } from '../../lib/protocol/index.ts';
import { awsCoordination, cancelHolders, reclaimSlots } from '../../lib/runtime/index.ts';
import { PatternDir } from './helpers.ts';

let dir: PatternDir;

beforeAll(() => {
  dir = new PatternDir('reclaim', 'w:\n  type: Workflow\n  jobs:\n    a: {stages: [{name: A, echo: a}]}\n');
});

afterAll(async () => {
  await dir.close();
});

/** The pid of a process that has exited. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

async function putGroup(key: string, holders: Record<string, string>): Promise<void> {
  const local = await dir.open();
  const map = Object.fromEntries(Object.entries(holders).map(([k, execution]) => [k, { M: { execution: { S: execution }, run: { S: k }, workflow: { S: 'w' }, since: { S: '2024-01-01T00:00:00Z' } } }]));
  await local.client.send(new PutItemCommand({ TableName: local.store.table, Item: { ...groupItemKey(key), holders: { M: map } } as never }));
}

async function holderKeys(key: string): Promise<string[]> {
  const local = await dir.open();
  const out = await local.client.send(new GetItemCommand({ TableName: local.store.table, Key: groupItemKey(key) as never, ConsistentRead: true }));
  return decodeHolders(out.Item).map((h) => h.key).sort();
}

describe('local holders', () => {
  it('run while registered in this process, or while their process lives on this host', () => {
    const mine = localExecutionId('w', 'r1');
    expect(localExecutionRunning(mine)).toBe(false);
    const unregister = registerExecution(mine, () => undefined);
    expect(localExecutionRunning(mine)).toBe(true);
    unregister();
    expect(localExecutionRunning(`local:w:r2:${process.ppid}@${hostname()}`)).toBe(true);
    expect(localExecutionRunning(`local:w:r3:${deadPid()}@${hostname()}`)).toBe(false);
    expect(localExecutionRunning(`local:w:r4:1@another-host`)).toBe(true);
    expect(localExecutionRunning('arn:aws:states:us-east-1:1:execution:m:x')).toBe(true);
  });

  it('reclaim frees exactly the slots of holders that are gone', async () => {
    const local = await dir.open();
    const alive = localExecutionId('w', 'alive');
    const unregister = registerExecution(alive, () => undefined);
    await putGroup('concurrency#g1', {
      alive,
      ended: localExecutionId('w', 'ended'),
      exited: `local:w:exited:${deadPid()}@${hostname()}`,
      remote: 'local:w:remote:1@another-host',
    });
    const c = localCoordination({ client: local.client, table: local.store.table });
    expect(await reclaimSlots({ action: 'concurrency-reclaim', key: 'concurrency#g1', table: 'ignored' }, c)).toEqual({ reclaimed: ['ended', 'exited'] });
    expect(await holderKeys('concurrency#g1')).toEqual(['alive', 'remote']);
    unregister();
  });

  it('cancel stops the other holders (in this process directly, elsewhere by a stop request) and frees their slots', async () => {
    const local = await dir.open();
    const stopped: string[] = [];
    const here = localExecutionId('w', 'here');
    const unregister = registerExecution(here, (cause) => stopped.push(cause));
    const elsewhere = `local:w:elsewhere:${process.ppid}@${hostname()}`;
    await putGroup('concurrency#g2', { me: localExecutionId('w', 'me'), here, elsewhere });
    const c = localCoordination({ client: local.client, table: local.store.table });
    const out = await cancelHolders({ action: 'concurrency-cancel', key: 'concurrency#g2', holder: 'me', cause: 'newer run', table: 'ignored' }, c);
    expect(out.stopped.sort()).toEqual(['elsewhere', 'here']);
    expect(stopped).toEqual(['newer run']);
    expect(await holderKeys('concurrency#g2')).toEqual(['me']);
    const request = await local.client.send(new GetItemCommand({ TableName: local.store.table, Key: { workflow: { S: `stop#${elsewhere}` }, release: { S: 'stop' } }, ConsistentRead: true }));
    expect(request.Item?.cause?.S).toBe('newer run');
    unregister();
  });
});

describe('AWS holders (mocked Step Functions)', () => {
  const holder = (execution: string, since = new Date().toISOString()): SlotHolder => ({ key: 'k', execution, run: 'r', workflow: 'w', since });

  it('run while DescribeExecution says RUNNING; Express ones for 6 minutes from their start', async () => {
    const sfn = mockClient(SFNClient);
    try {
      sfn.on(DescribeExecutionCommand, { executionArn: 'arn:aws:states:r:1:execution:m:running' }).resolves({ status: 'RUNNING' });
      sfn.on(DescribeExecutionCommand, { executionArn: 'arn:aws:states:r:1:execution:m:done' }).resolves({ status: 'SUCCEEDED' });
      sfn.on(DescribeExecutionCommand, { executionArn: 'arn:aws:states:r:1:execution:m:gone' }).rejects(new ExecutionDoesNotExist({ message: 'gone', $metadata: {} }));
      const c = await awsCoordination({ sfn: new SFNClient({ region: 'us-east-1' }) });
      expect(await c.isRunning(holder('arn:aws:states:r:1:execution:m:running'))).toBe(true);
      expect(await c.isRunning(holder('arn:aws:states:r:1:execution:m:done'))).toBe(false);
      expect(await c.isRunning(holder('arn:aws:states:r:1:execution:m:gone'))).toBe(false);
      expect(await c.isRunning(holder('arn:aws:states:r:1:express:m:x:y'))).toBe(true);
      expect(await c.isRunning(holder('arn:aws:states:r:1:express:m:x:y', '2020-01-01T00:00:00Z'))).toBe(false);
      expect(await c.isRunning(holder('local:w:r:1@elsewhere'))).toBe(true);
      await c.stop(holder('arn:aws:states:r:1:execution:m:running'), 'newer run');
      expect(sfn.commandCalls(StopExecutionCommand).map((x) => x.args[0].input)).toEqual([{ executionArn: 'arn:aws:states:r:1:execution:m:running', error: 'Cancelled', cause: 'newer run' }]);
    } finally {
      sfn.restore();
    }
  });
});
