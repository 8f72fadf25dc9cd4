/**
 * A local S3 server for a test file, reached as a user reaches it: `wf s3 endpoint --env` (which
 * starts it) gives the URL and keys, and an AWS SDK client made from them fills and reads it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadWorkflowsFromText, type Workflow } from '../../lib/config/index.ts';
import { openLocalS3, type LocalS3 } from '../../lib/local/index.ts';

const run = promisify(execFile);

/** The one workflow of a YAML text, with no error. */
export function workflowOf(text: string): Workflow {
  const { workflows, diagnostics } = loadWorkflowsFromText({ 'wf.yml': text });
  expect(diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return [...workflows.values()][0]!;
}

/** A test file's local S3 server: `user` is the SDK client from `wf s3 endpoint --env`, `local` wf's own. */
export interface S3Fixture {
  user: S3Client;
  local: LocalS3;
  putAll(bucket: string, objects: Array<[string, string]>): Promise<void>;
  getJson(bucket: string, key: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Starts a local S3 server in a new state folder with these buckets. */
export async function startS3Fixture(buckets: readonly string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<S3Fixture> {
  const state = mkdtempSync(join(tmpdir(), 'wf-s3-'));
  const env = { ...process.env, ...extraEnv, WORKFLOW_CORE_AUDIT_PATH: state };
  const { stdout } = await run(process.execPath, ['bin/wf.js', 's3', 'endpoint', '--env'], { env });
  const vars = Object.fromEntries([...stdout.matchAll(/^export (\w+)='?([^'\n]*)'?$/gm)].map((m) => [m[1]!, m[2]!]));
  expect(vars.AWS_ENDPOINT_URL_S3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const user = new S3Client({ endpoint: vars.AWS_ENDPOINT_URL_S3, region: vars.AWS_REGION, forcePathStyle: true, credentials: { accessKeyId: vars.AWS_ACCESS_KEY_ID!, secretAccessKey: vars.AWS_SECRET_ACCESS_KEY! } });
  for (const bucket of buckets) await user.send(new CreateBucketCommand({ Bucket: bucket }));
  const local = await openLocalS3({ dir: state });
  return {
    user,
    local,
    async putAll(bucket, objects) {
      for (let i = 0; i < objects.length; i += 100) {
        await Promise.all(objects.slice(i, i + 100).map(([Key, Body]) => user.send(new PutObjectCommand({ Bucket: bucket, Key, Body }))));
      }
    },
    async getJson(bucket, key) {
      const out = await user.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return JSON.parse(await out.Body!.transformToString());
    },
    async close() {
      user.destroy();
      local.close();
      await run(process.execPath, ['bin/wf.js', 's3', 'stop'], { env }).catch(() => undefined);
      rmSync(state, { recursive: true, force: true });
    },
  };
}
