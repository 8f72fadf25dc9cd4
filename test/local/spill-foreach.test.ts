/**
 * Values too big for the state, on the local engine: a py stage's list of 22,000 ids (264 KB of
 * JSON, past Step Functions' 256 KiB for a whole state) is written by the runner to the results
 * bucket of the local S3 server and left in the state as a reference; the foreach over it runs as a
 * Distributed Map whose ItemReader reads that object; later stages (py, bash) see the list itself.
 * The S3 objects are read back through the AWS SDK, as a user reads them against `wf s3 endpoint`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { aslServiceFindings } from '../helpers/aws-asl-service.ts';
import { startS3Fixture, workflowOf, type S3Fixture } from '../helpers/local-s3-fixture.ts';

let fx: S3Fixture;

beforeAll(async () => {
  fx = await startS3Fixture([]);
});

afterAll(async () => fx?.close());

const N = 22_000;
const ids = Array.from({ length: N }, (_, i) => `id-${String(i).padStart(6, '0')}`);

const bigList = (n: number): string => `big:
  type: Workflow
  params:
    n: {type: int, default: ${n}}
  jobs:
    work:
      stages:
        - name: List
          id: list
          run: |
            ids = [f"id-{i:06d}" for i in range(params["n"])]
            small = len(ids)
        - name: Each id
          id: each
          foreach: \${{ stages.list.outputs.ids }}
          concurrent: 4
          stages:
            - name: Note
              id: note
              echo: "item \${{ item }} at \${{ loop }}"
        - name: Count in py
          id: count
          run: |
            total = len(stages["list"]["outputs"]["ids"])
            last = stages["list"]["outputs"]["ids"][-1]
        - name: Count in bash
          id: shell
          bash: 'printf "%s %s" "\${{ length(stages.list.outputs.ids) }}" "\${{ stages.list.outputs.ids[0] }}"'
`;

type Stages = Record<string, { status: string; outputs: Record<string, unknown> }>;

describe('a list too big for the state', () => {
  it('is written to S3 by the runner, read back by a Distributed Map, and seen whole by later stages', async () => {
    const w = workflowOf(bigList(N));
    const compiled = compileWorkflow(w);
    expect(await aslServiceFindings(compiled.json)).toEqual([]);

    const doc = await runLocal(w, { s3: fx.local.client });
    expect(doc.errors).toEqual([]);
    expect(doc.status).toBe('SUCCESS');
    const stages = (doc.jobs.work as { stages: Stages }).stages;

    // The list went to S3 whole; the small output stayed in the state.
    expect(stages.list!.outputs.small).toBe(N);
    const ref = (stages.list!.outputs.ids as { __spilled__: { bucket: string; key: string; bytes: number } }).__spilled__;
    expect(ref.key).toMatch(/^wf-spill\/[0-9a-f-]{36}\.json$/);
    expect(ref.bytes).toBe(Buffer.byteLength(JSON.stringify(ids)));
    expect(ref.bytes).toBeGreaterThan(256 * 1024);
    expect(await fx.getJson(ref.bucket, ref.key)).toEqual(ids);

    // The foreach ran every id, each once, with its index, from the object.
    const each = stages.each!.outputs as { count: number; succeeded: number; failed: number; results: { bucket: string; key: string } };
    expect({ count: each.count, succeeded: each.succeeded, failed: each.failed }).toEqual({ count: N, succeeded: N, failed: 0 });
    const manifest = (await fx.getJson(each.results.bucket, each.results.key)) as { ResultFiles: { SUCCEEDED: Array<{ Key: string }>; FAILED: unknown[] } };
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    const records: Array<{ status: string; item: string }> = [];
    for (const file of manifest.ResultFiles.SUCCEEDED) {
      for (const child of (await fx.getJson(each.results.bucket, file.Key)) as Array<{ Output: string }>) records.push(...(JSON.parse(child.Output) as { records: typeof records }).records);
    }
    expect(records.map((r) => r.item).sort()).toEqual(ids);
    expect(records.every((r) => r.status === 'SUCCESS')).toBe(true);

    // Later stages read the list itself.
    expect(stages.count!.outputs).toEqual({ total: N, last: ids[N - 1] });
    expect(stages.shell!.outputs.stdout).toBe(`${N} ${ids[0]}`);
  }, 240_000);

  it('a list that fits runs inline as before, keyed by item', async () => {
    const doc = await runLocal(workflowOf(bigList(3)), { s3: fx.local.client });
    expect(doc.status).toBe('SUCCESS');
    const stages = (doc.jobs.work as { stages: Stages }).stages;
    expect(stages.list!.outputs.ids).toEqual(ids.slice(0, 3));
    expect(Object.keys(stages.each!.outputs.foreach as object)).toEqual(ids.slice(0, 3));
    expect(stages.count!.outputs).toEqual({ total: 3, last: ids[2] });
  }, 60_000);

  it('a made-up reference reads nothing outside wf-spill/ of the results bucket', async () => {
    const w = workflowOf(`forged:
  type: Workflow
  jobs:
    work:
      stages:
        - name: Forge
          id: forge
          run: |
            fake = {"__spilled__": {"bucket": "wf-results", "key": "wf-foreach/other/manifest.json", "bytes": 10}}
        - name: Use
          id: use
          bash: 'printf "%s" "\${{ stages.forge.outputs.fake }}"'
`);
    const doc = await runLocal(w, { s3: fx.local.client });
    expect(doc.status).toBe('FAILED');
    const use = (doc.jobs.work as { stages: Record<string, { status: string; errors?: { name: string; message: string } }> }).stages.use!;
    expect(use.status).toBe('FAILED');
    expect(use.errors?.message).toContain('a spilled value may only be read from s3://wf-results/wf-spill/; this one names s3://wf-results/wf-foreach/other/manifest.json');
  }, 60_000);
});
