/**
 * Counts an S3 foreach's items from what its Distributed Map's ResultWriter wrote: the run's
 * `manifest.json` names the result files (`SUCCEEDED_n.json`, `FAILED_n.json`, `PENDING_n.json`),
 * each a JSON array of child executions. A succeeded child's `Output` holds its batch's item
 * records (`{records: [{status, item, ...}]}`); a failed child's items (its `Input`'s `Items`)
 * all count as failed, as Step Functions counts them. The failed items are then held to the
 * stage's tolerance (`tolerated-failure`); past it, the stage fails with its counts as outputs.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { ErrorNames, type TallyRequest } from '../protocol/index.ts';
import { badRequest, RunnerError } from './runner-error.ts';

/** The outputs of an S3 foreach. */
export interface TallyOutputs {
  count: number;
  succeeded: number;
  failed: number;
  /** Where the item records are: the ResultWriter's manifest, which names the result files. */
  results: { bucket: string; key: string };
}

interface ResultFile {
  Key: string;
}

interface Manifest {
  ResultFiles?: { SUCCEEDED?: ResultFile[]; FAILED?: ResultFile[]; PENDING?: ResultFile[] };
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await out.Body!.transformToString('utf8'));
}

function parsed(text: unknown): Record<string, unknown> {
  try {
    const v = typeof text === 'string' ? (JSON.parse(text) as unknown) : text;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Whether `failed` of `count` items passes the tolerance (none: any failure does). */
export function pastTolerance(failed: number, count: number, tolerated: TallyRequest['tolerated']): boolean {
  if (!tolerated) return failed > 0;
  if ('count' in tolerated) return failed > tolerated.count;
  return count > 0 && (failed * 100) / count > tolerated.percent;
}

function describeTolerance(tolerated: TallyRequest['tolerated']): string {
  if (!tolerated) return 'none is tolerated (set tolerated-failure)';
  return 'count' in tolerated ? `at most ${tolerated.count} tolerated` : `at most ${tolerated.percent}% tolerated`;
}

/** Counts the items of an S3 foreach (see the file comment). */
export async function tallyResults(req: TallyRequest, s3: S3Client): Promise<TallyOutputs> {
  const where = req.results;
  if (!where || typeof where.Bucket !== 'string' || typeof where.Key !== 'string') throw badRequest('tally request needs "results" with "Bucket" and "Key" (the ResultWriter\'s manifest)');
  const manifest = (await readJson(s3, where.Bucket, where.Key)) as Manifest;
  let succeeded = 0;
  let failed = 0;
  for (const file of manifest.ResultFiles?.SUCCEEDED ?? []) {
    for (const child of (await readJson(s3, where.Bucket, file.Key)) as Array<Record<string, unknown>>) {
      const records = parsed(child.Output).records;
      for (const r of Array.isArray(records) ? records : []) {
        if ((r as { status?: unknown })?.status === 'SUCCESS') succeeded++;
        else failed++;
      }
    }
  }
  for (const file of [...(manifest.ResultFiles?.FAILED ?? []), ...(manifest.ResultFiles?.PENDING ?? [])]) {
    for (const child of (await readJson(s3, where.Bucket, file.Key)) as Array<Record<string, unknown>>) {
      const items = parsed(child.Input).Items;
      failed += Array.isArray(items) ? items.length : 1;
    }
  }
  const count = succeeded + failed;
  const outputs: TallyOutputs = { count, succeeded, failed, results: { bucket: where.Bucket, key: where.Key } };
  if (pastTolerance(failed, count, req.tolerated)) {
    const what = req.stage ? `foreach stage "${req.stage}"` : 'the foreach';
    const message = `${what}: ${failed} of ${count} items failed, ${describeTolerance(req.tolerated)}; the item records are in s3://${where.Bucket}/${where.Key}`;
    throw new RunnerError(ErrorNames.stageFailed, JSON.stringify({ status: 'FAILED', outputs, errors: { name: 'ToleratedFailureExceeded', message } }));
  }
  return outputs;
}
