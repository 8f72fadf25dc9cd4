/**
 * A foreach over S3 on the local engine: the local S3 server (filled through the AWS SDK, as a user
 * fills it with the AWS CLI against `wf s3 endpoint`), the Distributed Map run as Step Functions
 * runs it (batches as child executions, tolerated failures, results written), and the stage's
 * outputs counted from those results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { runLocal } from '../../lib/local/index.ts';
import { startS3Fixture, workflowOf, type S3Fixture } from '../helpers/local-s3-fixture.ts';

let fx: S3Fixture;
const putAll = (bucket: string, objects: Array<[string, string]>): Promise<void> => fx.putAll(bucket, objects);
const getJson = (bucket: string, key: string): Promise<unknown> => fx.getJson(bucket, key);

/** A workflow looping over a manifest; an item with `fail: true` fails its stage. */
const manifestFlow = (key: string, tolerated: string): string => `mf:
  type: Workflow
  jobs:
    work:
      stages:
        - name: Each record
          id: each
          foreach: {s3: {bucket: lists, key: "${key}"}}
          concurrent: 8
          batch: 250
          tolerated-failure: ${tolerated}
          stages:
            - name: Check
              if: \${{ item.fail == true || item.fail == 'true' }}
              raise: record failed
            - name: Keep
              id: keep
              echo: ok
`;

beforeAll(async () => {
  fx = await startS3Fixture(['lists']);
});

afterAll(async () => fx?.close());

describe('foreach over a manifest', () => {
  const records = (n: number, failing: number): Array<{ id: number; fail: boolean }> => Array.from({ length: n }, (_, i) => ({ id: i, fail: i % Math.floor(n / failing) === 0 && i / Math.floor(n / failing) < failing }));

  it('tolerates 10 failed records of 5,000 JSONL records under 1%, and fails with 100', async () => {
    const ten = records(5000, 10);
    expect(ten.filter((r) => r.fail)).toHaveLength(10);
    await putAll('lists', [['ten.jsonl', ten.map((r) => JSON.stringify(r)).join('\n') + '\n'], ['hundred.jsonl', records(5000, 100).map((r) => JSON.stringify(r)).join('\n')]]);
    const ok = await runLocal(workflowOf(manifestFlow('ten.jsonl', '1%')), { s3: fx.local.client });
    expect(ok.errors).toEqual([]);
    expect(ok.status).toBe('SUCCESS');
    const outputs = (ok.jobs.work as { stages: { each: { outputs: Record<string, unknown> } } }).stages.each.outputs;
    expect({ count: outputs.count, succeeded: outputs.succeeded, failed: outputs.failed }).toEqual({ count: 5000, succeeded: 4990, failed: 10 });

    const bad = await runLocal(workflowOf(manifestFlow('hundred.jsonl', '1%')), { s3: fx.local.client });
    expect(bad.status).toBe('FAILED');
    const each = (bad.jobs.work as { stages: { each: { status: string; outputs: Record<string, unknown>; errors: { name: string; message: string } } } }).stages.each;
    expect(each.status).toBe('FAILED');
    expect(each.errors.name).toBe('ToleratedFailureExceeded');
    expect(each.errors.message).toContain('100 of 5000 items failed, at most 1% tolerated');
    expect({ count: each.outputs.count, failed: each.outputs.failed }).toEqual({ count: 5000, failed: 100 });
  }, 120_000);

  it('reads CSV (header row, quoted fields) and JSON-array manifests; a count tolerance', async () => {
    const csv = 'id,name,fail\n1,"Smith, Jane",false\n2,"say ""hi""",true\n3,"two\nlines",false\n';
    await putAll('lists', [['people.csv', csv], ['people.json', JSON.stringify([{ id: 1, fail: false }, { id: 2, fail: true }, { id: 3, fail: true }])]]);
    const fromCsv = await runLocal(workflowOf(manifestFlow('people.csv', '1')), { s3: fx.local.client });
    expect(fromCsv.status).toBe('SUCCESS');
    const out = (fromCsv.jobs.work as { stages: { each: { outputs: { count: number; failed: number; results: { bucket: string; key: string } } } } }).stages.each.outputs;
    expect({ count: out.count, failed: out.failed }).toEqual({ count: 3, failed: 1 });
    const manifest = (await getJson(out.results.bucket, out.results.key)) as { ResultFiles: { SUCCEEDED: Array<{ Key: string }> } };
    const [child] = (await getJson(out.results.bucket, manifest.ResultFiles.SUCCEEDED[0]!.Key)) as Array<{ Output: string }>;
    const items = (JSON.parse(child!.Output) as { records: Array<{ status: string; item: unknown }> }).records;
    expect(items.map((r) => [r.status, r.item])).toEqual([
      ['SUCCESS', { id: '1', name: 'Smith, Jane', fail: 'false' }],
      ['FAILED', { id: '2', name: 'say "hi"', fail: 'true' }],
      ['SUCCESS', { id: '3', name: 'two\nlines', fail: 'false' }],
    ]);

    const fromJson = await runLocal(workflowOf(manifestFlow('people.json', '1')), { s3: fx.local.client });
    expect(fromJson.status).toBe('FAILED');
    expect((fromJson.jobs.work as { stages: { each: { errors: { message: string } } } }).stages.each.errors.message).toContain('2 of 3 items failed, at most 1 tolerated');
  }, 60_000);

  it('fails the stage with States.ItemReaderFailed when the manifest is missing', async () => {
    const doc = await runLocal(workflowOf(manifestFlow('missing.jsonl', '0')), { s3: fx.local.client });
    expect(doc.status).toBe('FAILED');
    const each = (doc.jobs.work as { stages: { each: { errors: { name: string; message: string } } } }).stages.each;
    expect(each.errors.name).toBe('States.ItemReaderFailed');
    expect(each.errors.message).toContain('s3://lists/missing.jsonl');
  });
});

describe('the local S3 server', () => {
  it('takes any credentials by default, as local S3 servers do, and refuses web pages and unsigned requests', async () => {
    const stranger = new S3Client({ endpoint: fx.local.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const got = await stranger.send(new GetObjectCommand({ Bucket: 'lists', Key: 'people.csv' }));
    expect(await got.Body!.transformToString()).toContain(',');
    stranger.destroy();
    expect((await fetch(`${fx.local.endpoint}/lists/people.csv`)).status).toBe(403);
    expect((await fetch(`${fx.local.endpoint}/lists/people.csv`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
  });

  it('with WORKFLOW_CORE_S3_REQUIRE_SIGNATURE=1, refuses requests not signed with the folder\'s keys', async () => {
    const strict = await startS3Fixture(['locked'], { WORKFLOW_CORE_S3_REQUIRE_SIGNATURE: '1' });
    try {
      await strict.putAll('locked', [['a.txt', 'A']]);
      const stranger = new S3Client({ endpoint: strict.local.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      await expect(stranger.send(new GetObjectCommand({ Bucket: 'locked', Key: 'a.txt' }))).rejects.toMatchObject({ name: 'AccessDenied' });
      stranger.destroy();
    } finally {
      await strict.close();
    }
  }, 60_000);
});
