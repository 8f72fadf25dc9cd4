/**
 * The Python runner spills outputs past the output budget to the results bucket and reads spilled
 * values back (functions/py-runner/handler.py `spill_outputs`, `resolve_spilled_refs`), with the
 * rules of lib/protocol/spill-refs.ts. The handler runs as a process, with real boto3 against the
 * project's local S3 server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SPILL_PREFIX, SPILL_REF_KEY, spillRefProblem, type SpillRef } from '../../lib/protocol/spill-refs.ts';
import { startS3Fixture, type S3Fixture } from '../helpers/local-s3-fixture.ts';

const run = promisify(execFile);
const BUCKET = 'wf-results';
const IDS = Array.from({ length: 30000 }, (_, i) => `id-${String(i).padStart(6, '0')}`);
const SPILLING_CODE = 'ids = [f"id-{i:06d}" for i in range(30000)]\nsmall = 1';

interface Reply {
  ok: boolean;
  result?: { status: string; outputs: Record<string, unknown> };
  errorType?: string;
  errorMessage?: string;
}

let fx: S3Fixture;

/** Runs one `py` request through `python3 handler.py` with the results bucket (unless `env` unsets it). */
async function py(request: Record<string, unknown>, env: Record<string, string | undefined> = {}): Promise<Reply & { stderr: string }> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('AWS_') || k.startsWith('WF_')) delete base[k];
  const full: NodeJS.ProcessEnv = {
    ...base,
    AWS_ENDPOINT_URL_S3: fx.local.endpoint,
    AWS_ACCESS_KEY_ID: fx.local.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: fx.local.credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    WF_RESULTS_BUCKET: BUCKET,
    ...env,
  };
  for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
  const child = run('python3', ['functions/py-runner/handler.py'], { env: full, maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin!.end(JSON.stringify({ action: 'py', name: 's', vars: {}, globals: {}, ...request }));
  const { stdout, stderr } = await child;
  return { ...(JSON.parse(stdout) as Reply), stderr };
}

const ref = (bucket: string, key: string): SpillRef => ({ [SPILL_REF_KEY]: { bucket, key, bytes: 10 } });

beforeAll(async () => {
  fx = await startS3Fixture([BUCKET, 'other-bucket']);
}, 30_000);

afterAll(async () => {
  await fx?.close();
});

describe('the Python runner spills big outputs to the results bucket', () => {
  let spilled: SpillRef;

  it('writes the largest value as JSON under wf-spill/ and keeps the small one inline', async () => {
    const r = await py({ code: SPILLING_CODE });
    expect(r.ok).toBe(true);
    const outputs = r.result!.outputs;
    expect(outputs.small).toBe(1);
    spilled = outputs.ids as SpillRef;
    const { bucket, key, bytes } = spilled[SPILL_REF_KEY];
    expect(Object.keys(spilled)).toEqual([SPILL_REF_KEY]);
    expect(bucket).toBe(BUCKET);
    expect(key).toMatch(/^wf-spill\/[0-9a-f-]{32,36}\.json$/);
    const got = await fx.user.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(got.ContentType).toBe('application/json');
    const body = await got.Body!.transformToByteArray();
    expect(bytes).toBe(body.byteLength);
    expect(JSON.parse(Buffer.from(body).toString('utf8'))).toEqual(IDS);
  });

  it('reads a spilled value back for the code (globals and vars)', async () => {
    const r = await py({
      globals: { stages: { s: { outputs: { ids: spilled } } } },
      vars: { again: [spilled] },
      code: 'n = len(stages["s"]["outputs"]["ids"])\nsame = again[0] == stages["s"]["outputs"]["ids"]\nlast = again[0][-1]',
    });
    expect(r.ok).toBe(true);
    expect(r.result!.outputs).toMatchObject({ n: 30000, same: true, last: 'id-029999' });
  });

  it('refuses a reference outside its bucket or wf-spill/, before reading anything', async () => {
    await fx.user.send(new PutObjectCommand({ Bucket: 'other-bucket', Key: 'wf-spill/x.json', Body: '"elsewhere"' }));
    await fx.user.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'private.json', Body: '"private"' }));
    for (const forged of [ref('other-bucket', 'wf-spill/x.json'), ref(BUCKET, 'private.json'), ref(BUCKET, 'wf-spill/../private.json')]) {
      const r = await py({ globals: { params: { p: forged } }, code: 'print("ran")\nx = 1' });
      expect(r.ok).toBe(false);
      expect(r.errorType).toBe('BadRequest');
      expect(r.errorMessage).toBe(spillRefProblem(forged, BUCKET));
      expect(r.errorMessage).toContain(`may only be read from s3://${BUCKET}/${SPILL_PREFIX}`);
      expect(r.stderr).not.toContain('ran');
    }
  });

  it('without a results bucket, a reference is a BadRequest saying so', async () => {
    const r = await py({ vars: { v: spilled }, code: 'x = 1' }, { WF_RESULTS_BUCKET: undefined });
    expect(r.errorType).toBe('BadRequest');
    expect(r.errorMessage).toBe(spillRefProblem(spilled, undefined));
  });

  it('an object that is gone fails the stage with a SpillError', async () => {
    const gone = ref(BUCKET, 'wf-spill/gone.json');
    const r = await py({ vars: { v: gone }, code: 'x = 1', key: 'k1' });
    expect(r.errorType).toBe('StageFailed');
    const record = JSON.parse(r.errorMessage!);
    expect(record).toMatchObject({ status: 'FAILED', key: 'k1', errors: { name: 'SpillError' } });
    expect(record.errors.message).toContain(`could not read the spilled value s3://${BUCKET}/wf-spill/gone.json`);
  });

  it('with WF_SPILL_TO_CALLER=1, gives the outputs back whole', async () => {
    const r = await py({ code: SPILLING_CODE }, { WF_SPILL_TO_CALLER: '1' });
    expect(r.result!.outputs).toEqual({ ids: IDS, small: 1 });
  });

  it('without a results bucket, truncates as before', async () => {
    const r = await py({ code: SPILLING_CODE }, { WF_RESULTS_BUCKET: undefined });
    const bytes = Buffer.byteLength(JSON.stringify(IDS));
    expect(r.result!.outputs).toEqual({ ids: { __truncated__: `${bytes} bytes` }, small: 1 });
  });

  it('a bucket that cannot be written truncates the value and says why on stderr', async () => {
    const r = await py({ code: SPILLING_CODE }, { WF_RESULTS_BUCKET: 'no-such-bucket' });
    const bytes = Buffer.byteLength(JSON.stringify(IDS));
    expect(r.result!.outputs).toEqual({ ids: { __truncated__: `${bytes} bytes` }, small: 1 });
    expect(r.stderr).toContain(`could not write output "ids" (${bytes} bytes) to s3://no-such-bucket/${SPILL_PREFIX}`);
  });
});
