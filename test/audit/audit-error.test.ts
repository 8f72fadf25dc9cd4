process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
import { createServer } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { AuditError, AuditStore, toAuditError } from '../../lib/audit/index.ts';

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

describe('AuditError', () => {
  it('turns an unreachable endpoint into a message naming it, fast and without an SDK trace', async () => {
    const port = await deadPort();
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 500, requestTimeout: 1000 },
    });
    const store = new AuditStore(client, 'wf-audit');
    const started = Date.now();
    const err = await store.begin({ workflow: 'wf', runId: 'r1', logicalDate: '2024-01-01T09:00:00Z', type: 'manual', params: {}, startedAt: '2024-01-01T09:00:00Z' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err).toBeInstanceOf(AuditError);
    expect((err as AuditError).reason).toBe('unreachable');
    expect((err as AuditError).message).toBe(
      `recording the start of run r1 of "wf" failed: cannot reach the audit store at http://127.0.0.1:${port} (ECONNREFUSED). Check that the endpoint is right and the store is running, then try again.`,
    );
    expect((err as AuditError).cause).toBeDefined();
    await expect(store.claimRelease('wf', '2024-01-01T09:00', 'r1')).rejects.toThrow(/^claiming release lock#2024-01-01T09:00 of "wf" for run r1 failed: cannot reach/);
    client.destroy();
  });

  it('names the region when the endpoint is AWS, and says what to do for each kind of failure', () => {
    const target = { table: 't', endpoint: 'DynamoDB in eu-west-1' };
    const cases: Array<[unknown, string, RegExp]> = [
      [Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' }), 'no-table', /the audit table "t" at DynamoDB in eu-west-1 does not exist\. Deploy the stack/],
      [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'credentials', /no AWS credentials .*Configure credentials/],
      [Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }), 'denied', /access to the audit table "t" .* was denied \(AccessDeniedException: not authorized\)\. Grant/],
      [Object.assign(new Error('slow down'), { name: 'ThrottlingException' }), 'throttled', /is throttling requests/],
      [Object.assign(new Error('oops'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }), 'server', /answered with an internal error/],
      [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'unreachable', /cannot reach the audit store at DynamoDB in eu-west-1 \(ECONNRESET\)/],
      [Object.assign(new Error('bad'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }), 'failed', /^doing it failed on the audit table "t" at DynamoDB in eu-west-1: ValidationException: bad$/],
    ];
    for (const [thrown, reason, message] of cases) {
      const e = toAuditError(thrown, 'doing it', target);
      expect([e.reason, e.message]).toEqual([reason, expect.stringMatching(message)]);
      expect(e.message.startsWith('doing it failed')).toBe(true);
    }
    const same = new AuditError('x', 'server');
    expect(toAuditError(same, 'again', target)).toBe(same);
  });
});
