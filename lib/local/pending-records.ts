/**
 * End records the local audit store could not take when a run ended (the store was down, its
 * folder unusable): each is kept as a file under `<dir>/pending/`, and the next `openLocalStore`
 * of the folder writes it and removes the file. So a finished run's outcome is recorded once the
 * store is back, never silently lost. A file holds only what the store would hold: secret params
 * are redacted before it is written.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { redactSecrets, type AuditRecordInput, type AuditStore } from '../audit/index.ts';

/** One kept record, as stored in its file. */
interface PendingFile {
  record: AuditRecordInput;
  secretNames: string[];
}

/** What {@link flushPending} did. */
export interface FlushResult {
  /** Run ids whose records were written (and their files removed). */
  written: string[];
  /** Files that could not be read or written; they stay for the next attempt. */
  failed: Array<{ file: string; error: string }>;
}

/** The folder of kept records of a local state folder (`.wf/pending`). */
export function pendingDir(dir: string): string {
  return resolve(dir, 'pending');
}

function redacted(record: AuditRecordInput, secretNames: readonly string[]): AuditRecordInput {
  const out: AuditRecordInput = { ...record, params: redactSecrets(record.params, secretNames) };
  const ctx = record.context as { params?: unknown } | undefined;
  if (ctx && typeof ctx === 'object' && ctx.params && typeof ctx.params === 'object' && !Array.isArray(ctx.params)) {
    out.context = { ...ctx, params: redactSecrets(ctx.params as Record<string, unknown>, secretNames) };
  }
  return out;
}

/**
 * Keeps a run's end record in `<dir>/pending/<run id>.json` (written whole or not at all) and
 * returns the file's path. Throws when the file cannot be written.
 */
export function keepPending(dir: string, record: AuditRecordInput, secretNames: readonly string[] = []): string {
  const folder = pendingDir(dir);
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${encodeURIComponent(record.runId)}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  const body: PendingFile = { record: redacted(record, secretNames), secretNames: [...secretNames] };
  writeFileSync(tmp, `${JSON.stringify(body)}\n`);
  renameSync(tmp, file);
  return file;
}

/** Writes every kept record of `dir` to the store, oldest run first, removing each file once written. */
export async function flushPending(dir: string, store: AuditStore): Promise<FlushResult> {
  const folder = pendingDir(dir);
  const result: FlushResult = { written: [], failed: [] };
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return result;
  }
  for (const name of names) {
    const file = join(folder, name);
    try {
      const kept = JSON.parse(readFileSync(file, 'utf8')) as PendingFile;
      await store.finish(kept.record, { secretNames: kept.secretNames ?? [] });
      rmSync(file, { force: true });
      result.written.push(kept.record.runId);
    } catch (e) {
      // Another wf process flushed it first.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      result.failed.push({ file, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return result;
}
