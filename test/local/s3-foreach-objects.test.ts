/**
 * A foreach over the objects under an S3 prefix on the local engine, at the size of a real listing
 * (1,100 objects: two listing pages): objects put through the AWS SDK against `wf s3 endpoint`'s URL and
 * keys, keys that quoting would break, a bash stage per object. (Its own file: a bash process
 * costs tens of milliseconds to start on a small machine, so this file takes a minute or more.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocal } from '../../lib/local/index.ts';
import { startS3Fixture, workflowOf, type S3Fixture } from '../helpers/local-s3-fixture.ts';

let fx: S3Fixture;
const putAll = (bucket: string, objects: Array<[string, string]>): Promise<void> => fx.putAll(bucket, objects);
const getJson = (bucket: string, key: string): Promise<unknown> => fx.getJson(bucket, key);

beforeAll(async () => {
  fx = await startS3Fixture(['data']);
});

afterAll(async () => fx?.close());

describe('foreach over the objects under a prefix', () => {
  it('runs a bash stage for each of 1,100 objects put through the SDK, hostile keys included', async () => {
    const hostile = ['a &amp; b & c.txt', 'it\'s "quoted".txt', 'with space/and tab\there.txt', 'ünïcødé/日本語.txt', '$(touch pwned).txt', 'back\\slash`tick`.txt'];
    const keys = [...hostile, ...Array.from({ length: 1100 - hostile.length }, (_, i) => `n${String(i).padStart(4, '0')}.txt`)].map((k) => `in/${k}`);
    await putAll('data', keys.map((k) => [k, k]));
    await putAll('data', [['other/not-this.txt', 'x']]);
    const w = workflowOf(`objs:
  type: Workflow
  params:
    bucket: {type: str, default: data}
  jobs:
    work:
      stages:
        - name: Each object
          id: each
          foreach: {s3: {bucket: "\${{ params.bucket }}", prefix: in/}}
          concurrent: 16
          batch: 100
          stages:
            - name: Show
              id: show
              env: {KEY: "\${{ item.key }}"}
              bash: 'printf "%s" "$KEY"'
`);
    const doc = await runLocal(w, { s3: fx.local.client });
    expect(doc.errors).toEqual([]);
    expect(JSON.stringify(doc.jobs).slice(0, 3000)).not.toContain('FAILED');
    expect(doc.status).toBe('SUCCESS');
    const each = (doc.jobs.work as { stages: Record<string, { outputs: { count: number; succeeded: number; failed: number; results: { bucket: string; key: string } } }> }).stages.each!.outputs;
    expect({ count: each.count, succeeded: each.succeeded, failed: each.failed }).toEqual({ count: 1100, succeeded: 1100, failed: 0 });
    // The results: the ResultWriter's manifest names the files; each batch's records keep the item and what its stage printed.
    const manifest = (await getJson(each.results.bucket, each.results.key)) as { ResultFiles: { SUCCEEDED: Array<{ Key: string }>; FAILED: unknown[] } };
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    const children = (await getJson(each.results.bucket, manifest.ResultFiles.SUCCEEDED[0]!.Key)) as Array<{ Status: string; Output: string }>;
    expect(children).toHaveLength(Math.ceil(1100 / 100));
    const records = children.flatMap((c) => (JSON.parse(c.Output) as { records: Array<{ status: string; item: { key: string; size: number; etag: string }; stages: { show: { outputs: { stdout: string } } } }> }).records);
    const byKey = new Map(records.map((r) => [r.item.key, r]));
    expect(byKey.size).toBe(1100);
    for (const k of hostile.map((h) => `in/${h}`)) {
      expect(byKey.get(k)?.stages.show.outputs.stdout).toBe(k);
      expect(byKey.get(k)?.item.size).toBe(Buffer.byteLength(k));
      expect(byKey.get(k)?.item.etag).toMatch(/^"[0-9a-f]{32}"$/);
    }
  }, 240_000);
});

