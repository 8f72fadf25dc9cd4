/**
 * The tally of an S3 foreach reads what Step Functions' ResultWriter wrote (a manifest naming
 * SUCCEEDED, FAILED and PENDING files of child executions) and counts items: a succeeded batch's
 * records by status, every item of a failed or never-started batch as failed; past the tolerance
 * the stage fails with StageFailed, keeping the counts as its outputs.
 */
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { pastTolerance, tallyResults } from '../../lib/runtime/tally-results.ts';

const body = (v: unknown): never => ({ transformToString: async () => JSON.stringify(v) }) as never;

function bucketWith(files: Record<string, unknown>): S3Client {
  const s3 = new S3Client({ region: 'us-east-1' });
  const mock = mockClient(s3);
  for (const [key, value] of Object.entries(files)) mock.on(GetObjectCommand, { Bucket: 'results', Key: key }).resolves({ Body: body(value) });
  return s3;
}

const records = (...statuses: string[]): string => JSON.stringify({ records: statuses.map((status, i) => ({ status, item: i, stages: {} })) });

const files = {
  'p/run/manifest.json': { DestinationBucket: 'results', MapRunArn: 'arn:x', ResultFiles: { SUCCEEDED: [{ Key: 'p/run/SUCCEEDED_0.json', Size: 1 }], FAILED: [{ Key: 'p/run/FAILED_0.json', Size: 1 }], PENDING: [] } },
  'p/run/SUCCEEDED_0.json': [{ Status: 'SUCCEEDED', Output: records('SUCCESS', 'SUCCESS', 'FAILED') }, { Status: 'SUCCEEDED', Output: records('SUCCESS') }],
  'p/run/FAILED_0.json': [{ Status: 'FAILED', Input: JSON.stringify({ Items: [{}, {}], BatchInput: {} }), Error: 'States.Timeout' }],
};

describe('tallyResults', () => {
  it('counts the records of succeeded batches and every item of a failed batch', async () => {
    const out = await tallyResults({ action: 'tally', results: { Bucket: 'results', Key: 'p/run/manifest.json' }, tolerated: { count: 3 } }, bucketWith(files));
    expect(out).toEqual({ count: 6, succeeded: 3, failed: 3, results: { bucket: 'results', key: 'p/run/manifest.json' } });
  });

  it('fails past the tolerance with the counts as outputs', async () => {
    const err = await tallyResults({ action: 'tally', stage: 'Each', results: { Bucket: 'results', Key: 'p/run/manifest.json' }, tolerated: { percent: 40 } }, bucketWith(files)).catch((e: Error) => e);
    expect((err as Error).name).toBe('StageFailed');
    const record = JSON.parse((err as Error).message) as { status: string; outputs: { failed: number }; errors: { name: string; message: string } };
    expect(record.outputs.failed).toBe(3);
    expect(record.errors).toEqual({ name: 'ToleratedFailureExceeded', message: 'foreach stage "Each": 3 of 6 items failed, at most 40% tolerated; the item records are in s3://results/p/run/manifest.json' });
  });

  it('holds failures to a count or a percentage; none tolerated without one', () => {
    expect(pastTolerance(10, 5000, { percent: 1 })).toBe(false);
    expect(pastTolerance(51, 5000, { percent: 1 })).toBe(true);
    expect(pastTolerance(3, 10, { count: 3 })).toBe(false);
    expect(pastTolerance(4, 10, { count: 3 })).toBe(true);
    expect(pastTolerance(1, 10, undefined)).toBe(true);
    expect(pastTolerance(0, 0, undefined)).toBe(false);
  });
});
