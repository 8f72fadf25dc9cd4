/**
 * The local audit store's server refuses what is not wf on this machine: web pages (an Origin
 * header, a CORS preflight), DNS rebinding (a foreign Host), and requests not signed with the
 * folder's credentials; the AWS SDK with those credentials (and openLocalStore) still works.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, ListTablesCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { probeAuditServer, startAuditServer, type RunningAuditServer } from '../../lib/local/audit-server.ts';
import { openLocalStore } from '../../lib/local/local-store.ts';
import { credentialsFile, ensureCredentials, readCredentials, signedHeaders } from '../../lib/local/verify-sigv4.ts';
import { stopAuditServer } from '../helpers/audit-daemon.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let dir: string;
let server: RunningAuditServer;
let url: string;

const LIST_TABLES = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' };

/** A raw HTTP request (node:http, so that any Host header can be sent). */
function send(options: { method?: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body ?? '');
  });
}

function accessHeaders(headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter((h) => h.startsWith('access-control-'));
}

function client(credentials: { accessKeyId: string; secretAccessKey: string }): DynamoDBClient {
  return new DynamoDBClient({ region: 'us-east-1', endpoint: url, credentials, maxAttempts: 1 });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wf-store-origins-'));
  server = await startAuditServer({ auditDir: join(dir, 'audit') });
  url = `http://127.0.0.1:${server.port}/`;
});

afterAll(async () => {
  await server?.close();
  stopAuditServer(join(dir, 'daemon'));
  rmSync(dir, { recursive: true, force: true });
});

describe('credentials', () => {
  it('are made once, random, in a 0600 file of a 0700 folder, and kept by later readers', () => {
    const file = credentialsFile(join(dir, 'audit'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'audit')).mode & 0o777).toBe(0o700);
    expect(readCredentials(file)).toEqual(server.credentials);
    expect(server.credentials.secretAccessKey.length).toBeGreaterThanOrEqual(32);
    expect(ensureCredentials(join(dir, 'audit'))).toEqual(server.credentials);
    const other = mkdtempSync(join(tmpdir(), 'wf-store-creds-'));
    try {
      const made = Array.from({ length: 5 }, () => ensureCredentials(other));
      expect(new Set(made.map((c) => c.secretAccessKey)).size).toBe(1);
      expect(made[0]!.secretAccessKey).not.toBe(server.credentials.secretAccessKey);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('refused requests', () => {
  it('refuses a request from a web page (Origin), with no CORS headers', async () => {
    const headers = await signedHeaders(url, LIST_TABLES, '{}', server.credentials, 'dynamodb');
    const res = await fetch(url, { method: 'POST', headers: { ...headers, origin: 'https://evil.example' }, body: '{}' });
    const body = (await res.json()) as { __type: string; message: string };
    expect(res.status).toBe(403);
    expect(body.__type).toMatch(/#AccessDeniedException$/);
    expect(body.message).toContain('Origin: "https://evil.example"');
    expect([...res.headers.keys()].filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a CORS preflight', async () => {
    const res = await send({ method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-amz-target' } });
    expect(res.status).toBe(403);
    expect(accessHeaders(res.headers)).toEqual([]);
    const bare = await send({ method: 'OPTIONS', headers: {} });
    expect(bare.status).toBe(403);
    expect(JSON.parse(bare.body).message).toContain('CORS preflight requests are refused');
  });

  it('refuses a foreign Host (DNS rebinding), even when the request is signed for it', async () => {
    const headers = await signedHeaders(`http://evil.example:${server.port}/`, LIST_TABLES, '{}', server.credentials, 'dynamodb');
    const res = await send({ headers: { ...headers, host: `evil.example:${server.port}` }, body: '{}' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ __type: expect.stringMatching(/#AccessDeniedException$/), message: expect.stringContaining('DNS rebinding') });
    expect((await send({ headers: { ...LIST_TABLES, host: `127.0.0.1:${server.port + 1}` }, body: '{}' })).status).toBe(403);
  });

  it('refuses an unsigned request', async () => {
    const res = await fetch(url, { method: 'POST', headers: LIST_TABLES, body: '{}' });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ __type: expect.stringMatching(/#UnrecognizedClientException$/), message: expect.stringContaining('not signed') });
  });

  it('refuses requests signed with other credentials, or changed after signing', async () => {
    const wrongKey = await client({ accessKeyId: 'local', secretAccessKey: 'local' })
      .send(new ListTablesCommand({}))
      .catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect(wrongKey).toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    const wrongSecret = await client({ accessKeyId: server.credentials.accessKeyId, secretAccessKey: 'guessed' })
      .send(new ListTablesCommand({}))
      .catch((e: Error & { $metadata?: { httpStatusCode?: number } }) => e);
    expect(wrongSecret).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    const headers = await signedHeaders(url, LIST_TABLES, '{"Limit":1}', server.credentials, 'dynamodb');
    const changed = await fetch(url, { method: 'POST', headers, body: '{"Limit":2}' });
    expect(changed.status).toBe(403);
    expect(await changed.json()).toMatchObject({ __type: expect.stringMatching(/#InvalidSignatureException$/) });
  });

  it('refuses an old signature', async () => {
    const headers = await signedHeaders(url, LIST_TABLES, '{}', server.credentials, 'dynamodb');
    const res = await fetch(url, { method: 'POST', headers: { ...headers, 'x-amz-date': '20240101T000000Z' }, body: '{}' });
    expect(res.status).toBe(403);
  });
});

describe('the store\'s own clients', () => {
  it('the AWS SDK with the store\'s credentials writes and reads items', async () => {
    const db = client(server.credentials);
    await db.send(
      new CreateTableCommand({ TableName: 'things', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    // The server makes a table ACTIVE just after answering CreateTable.
    await waitUntilTableExists({ client: db, maxWaitTime: 30, minDelay: 1 }, { TableName: 'things' });
    await db.send(new PutItemCommand({ TableName: 'things', Item: { id: { S: 'a' }, v: { S: 'one' } } }));
    const got = await db.send(new GetItemCommand({ TableName: 'things', Key: { id: { S: 'a' } } }));
    expect(got.Item).toEqual({ id: { S: 'a' }, v: { S: 'one' } });
    expect(await probeAuditServer(server.port, join(dir, 'audit'))).toBe(true);
    db.destroy();
  });

  it('the aws CLI with the store\'s credentials, when installed', async () => {
    const aws = await promisify(execFile)('which', ['aws']).then(
      () => true,
      () => false,
    );
    if (!aws) return;
    const run = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      promisify(execFile)('aws', ['dynamodb', 'list-tables', '--endpoint-url', url, '--region', 'us-east-1', '--output', 'json'], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_MAX_ATTEMPTS: '1' },
        timeout: 15_000,
      });
    expect(JSON.parse((await run(server.credentials)).stdout).TableNames).toContain('things');
    await expect(run({ accessKeyId: 'local', secretAccessKey: 'local' })).rejects.toThrow(/UnrecognizedClientException/);
  }, 20_000);

  it('openLocalStore starts the daemon with the folder\'s credentials and works through it', async () => {
    const local = await openLocalStore({ dir: join(dir, 'daemon') });
    try {
      const creds = readCredentials(credentialsFile(join(dir, 'daemon', 'audit')));
      expect(await local.client.config.credentials()).toMatchObject(creds);
      expect(await local.store.list('nothing')).toEqual([]);
      const port = Number(new URL(local.endpoint).port);
      expect((await fetch(`${local.endpoint}/`, { method: 'POST', headers: LIST_TABLES, body: '{}' })).status).toBe(403);
      expect(await probeAuditServer(port, join(dir, 'daemon', 'audit'))).toBe(true);
      expect(await probeAuditServer(port, join(dir, 'daemon', 'audit'), 2000, { accessKeyId: 'x', secretAccessKey: 'y' })).toBe(false);
    } finally {
      await local.close();
    }
  }, 20_000);
});
