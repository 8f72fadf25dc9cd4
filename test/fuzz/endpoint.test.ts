/**
 * Bounded, seeded fuzzing of the local Step Functions endpoint's request handling (`startServer`,
 * in-process, real HTTP): every raw request (wrong methods, targets, content types, bodies of the
 * wrong shape, random bytes, oversized inputs) gets a valid answer or an AWS-shaped error, never an
 * internal failure, and the server keeps serving.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequest, rawRequest, send, startFuzzServer, stillServing, type FuzzServer } from './endpoint-target.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REQUESTS = 600;
let s: FuzzServer;

beforeAll(async () => {
  s = await startFuzzServer();
});

afterAll(async () => {
  await s?.stop();
});

describe('fuzz (fast-check, seed 42): the local endpoint answers every request in AWS shape', () => {
  it(`${REQUESTS} raw requests: a JSON answer or {__type, message}, no internal failure, still serving`, async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, (r) => checkRequest(s.server.port, r)),
      { seed: 42, numRuns: REQUESTS },
    );
    expect(s.internal).toEqual([]);
    expect(await stillServing(s.server.port)).toBe(true);
  });
});

describe('regressions found by `npm run fuzz`', () => {
  const key = (k: unknown): string => Buffer.from(JSON.stringify(k)).toString('base64');
  const MACHINE = 'arn:aws:states:local:000000000000:stateMachine:echo';

  // seed 20261122, input 177: the token decoded to an object that is not a page key, which went to
  // the store as its start key and came back as a 500 InternalFailure.
  it.each([
    ['a token that is JSON but no page key', 'eyJvIjotMX0='],
    ['a page key of another state machine', key({ executionArn: { S: 'x' }, stateMachineArn: { S: `${MACHINE}-other` }, startDate: { N: '1' } })],
    ['a page key with a start date that is no number', key({ executionArn: { S: 'x' }, stateMachineArn: { S: MACHINE }, startDate: { N: 'soon' } })],
    ['a page key with an extra attribute', key({ executionArn: { S: 'x' }, stateMachineArn: { S: MACHINE }, startDate: { N: '1' }, status: { S: 'RUNNING' } })],
  ])('ListExecutions with %s is InvalidToken', async (_what, nextToken) => {
    const r = { method: 'POST', path: '/', headers: { 'x-amz-target': 'AWSStepFunctions.ListExecutions' }, body: JSON.stringify({ stateMachineArn: MACHINE, statusFilter: 'RUNNING', maxResults: 0, nextToken }) };
    const res = await send(s.server.port, r);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ __type: 'InvalidToken', message: `Invalid Token: '${nextToken}'` });
  });

  it('a page key the endpoint handed out still pages', async () => {
    const target = { 'x-amz-target': 'AWSStepFunctions.StartExecution' };
    for (const name of ['page-1', 'page-2']) await send(s.server.port, { method: 'POST', path: '/', headers: target, body: JSON.stringify({ stateMachineArn: MACHINE, name }) });
    const list = { 'x-amz-target': 'AWSStepFunctions.ListExecutions' };
    const first = JSON.parse((await send(s.server.port, { method: 'POST', path: '/', headers: list, body: JSON.stringify({ stateMachineArn: MACHINE, maxResults: 1 }) })).body) as { nextToken?: string };
    expect(typeof first.nextToken).toBe('string');
    const second = await send(s.server.port, { method: 'POST', path: '/', headers: list, body: JSON.stringify({ stateMachineArn: MACHINE, maxResults: 1, nextToken: first.nextToken }) });
    expect(second.status).toBe(200);
  });
});
