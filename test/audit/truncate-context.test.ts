import { describe, expect, it } from 'vitest';
import { truncateContext, TRUNCATED_KEY } from '../../lib/audit/index.ts';

const KB = 1024;

function runDoc(jobs: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: 'FAILED',
    run: { id: 'r-1', workflow: 'wf' },
    params: { name: 'x' },
    release: { logical_date: '2024-01-01T09:00:00Z', type: 'normal' },
    jobs,
    errors: [{ name: 'StageError', message: 'stage "b" failed' }],
    ...extra,
  };
}

const bytes = (doc: unknown): number => Buffer.byteLength(JSON.stringify(doc));

describe('truncateContext', () => {
  it('returns a document that fits as the same value, not truncated', () => {
    const doc = runDoc({ a: { status: 'SUCCESS', stages: { s: { status: 'SUCCESS', outputs: { stdout: 'hi' } } } } });
    const r = truncateContext(doc, 10 * KB);
    expect(r).toEqual({ doc, truncated: false, bytes: bytes(doc) });
    expect(r.doc).toBe(doc);
  });

  it('cuts a 1 MB stdout to its head and a marker, keeping statuses, errors and small outputs', () => {
    const stdout = 'x'.repeat(1024 * 1024);
    const doc = runDoc({
      build: {
        status: 'FAILED',
        stages: {
          echo: { status: 'SUCCESS', outputs: { stdout, return_code: 0 } },
          b: { status: 'FAILED', outputs: {}, errors: { name: 'StageError', message: 'exit 1' } },
        },
        errors: { name: 'StageError', message: 'stage "b" failed' },
      },
    });
    const r = truncateContext(doc, 350 * KB);
    expect(r.truncated).toBe(true);
    expect(r.bytes).toBe(bytes(r.doc));
    expect(r.bytes).toBeLessThanOrEqual(350 * KB);
    const out = r.doc as { jobs: { build: { stages: Record<string, { outputs: Record<string, unknown> }> } } };
    const echo = out.jobs.build.stages.echo!.outputs;
    expect(echo.stdout).toBe(`${'x'.repeat(256)}…[truncated ${1024 * 1024 - 256} bytes]`);
    expect(echo.return_code).toBe(0);
    const { jobs: _, ...rest } = doc;
    expect(r.doc).toMatchObject(rest);
    expect(r.doc).toMatchObject({
      jobs: {
        build: {
          status: 'FAILED',
          errors: { name: 'StageError', message: 'stage "b" failed' },
          stages: { echo: { status: 'SUCCESS' }, b: { status: 'FAILED', outputs: {}, errors: { name: 'StageError', message: 'exit 1' } } },
        },
      },
    });
    expect(doc.jobs).toHaveProperty('build.stages.echo.outputs.stdout', stdout);
  });

  it('replaces a big array of small items by a marker object with its size', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ i }));
    const doc = runDoc({ a: { status: 'SUCCESS', stages: { q: { status: 'SUCCESS', outputs: { rows, count: 20_000 } } } } });
    const r = truncateContext(doc, 64 * KB);
    expect(r.truncated).toBe(true);
    expect(r.doc).toHaveProperty('jobs.a.stages.q.outputs', { rows: { [TRUNCATED_KEY]: `${bytes(rows)} bytes` }, count: 20_000 });
  });

  it('cuts the largest pieces first and stops once the document fits', () => {
    const big = 'b'.repeat(200 * KB);
    const medium = 'm'.repeat(50 * KB);
    const doc = runDoc({ a: { status: 'SUCCESS', stages: { s: { status: 'SUCCESS', outputs: { big, medium } } } } });
    const r = truncateContext(doc, 100 * KB);
    expect(r.doc).toHaveProperty('jobs.a.stages.s.outputs.medium', medium);
    expect((r.doc as { jobs: { a: { stages: { s: { outputs: { big: string } } } } } }).jobs.a.stages.s.outputs.big).toMatch(/^b{256}…\[truncated \d+ bytes\]$/);
  });

  it('reaches into matrix strategies', () => {
    const doc = runDoc({
      m: {
        status: 'SUCCESS',
        strategies: {
          'os-linux': { matrix: { os: 'linux' }, status: 'SUCCESS', stages: { s: { status: 'SUCCESS', outputs: { log: 'l'.repeat(300 * KB) } } } },
          'os-mac': { matrix: { os: 'mac' }, status: 'SUCCESS', stages: { s: { status: 'SUCCESS', outputs: { log: 'short' } } } },
        },
      },
    });
    const r = truncateContext(doc, 32 * KB);
    expect(r.bytes).toBeLessThanOrEqual(32 * KB);
    expect(r.doc).toHaveProperty(['jobs', 'm', 'strategies', 'os-mac', 'stages', 's', 'outputs', 'log'], 'short');
    expect(r.doc).toHaveProperty(['jobs', 'm', 'strategies', 'os-linux', 'matrix'], { os: 'linux' });
    expect(String((r.doc as any).jobs.m.strategies['os-linux'].stages.s.outputs.log)).toContain('…[truncated');
  });

  it('replaces whole outputs values when no single piece is big', () => {
    const outputs = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, 'v'.repeat(900)]));
    const doc = runDoc({ a: { status: 'SUCCESS', stages: { s: { status: 'SUCCESS', outputs } } } });
    const r = truncateContext(doc, 16 * KB);
    expect(r.doc).toHaveProperty('jobs.a.stages.s', { status: 'SUCCESS', outputs: { [TRUNCATED_KEY]: `${bytes(outputs)} bytes` } });
  });

  it('shortens a long error message to its first kilobyte with a marker', () => {
    const message = `boom ${'e'.repeat(500 * KB)}`;
    const doc = runDoc({ a: { status: 'FAILED', stages: {}, errors: { name: 'StageError', message } } });
    const r = truncateContext(doc, 64 * KB);
    const kept = (r.doc as { jobs: { a: { errors: { name: string; message: string } } } }).jobs.a.errors;
    expect(kept.name).toBe('StageError');
    expect(kept.message.startsWith(message.slice(0, 1024))).toBe(true);
    expect(kept.message.endsWith(`…[truncated ${Buffer.byteLength(message) - 1024} bytes]`)).toBe(true);
  });

  it('falls back to the skeleton of statuses and errors when nothing else is enough', () => {
    const jobs = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [`job-${i}`, { status: 'SUCCESS', note: 'n'.repeat(900), stages: { s: { status: 'SUCCESS', outputs: { v: i }, started: 'n'.repeat(100) } } }]),
    );
    const doc = runDoc(jobs);
    const r = truncateContext(doc, 64 * KB);
    expect(r.bytes).toBeLessThanOrEqual(64 * KB);
    expect(r.doc).toMatchObject({ status: 'FAILED', run: { id: 'r-1', workflow: 'wf' }, params: { name: 'x' }, errors: doc.errors, [TRUNCATED_KEY]: `${bytes(doc)} bytes` });
    expect((r.doc as any).jobs['job-299']).toEqual({ status: 'SUCCESS', stages: { s: { status: 'SUCCESS' } } });
  });

  it('is deterministic and never splits a surrogate pair', () => {
    const emoji = '😀'.repeat(200_000);
    const doc = runDoc({ a: { status: 'SUCCESS', stages: { s: { status: 'SUCCESS', outputs: { emoji, other: 'é'.repeat(100_000) } } } } });
    const a = truncateContext(doc, 100 * KB);
    const b = truncateContext(structuredClone(doc), 100 * KB);
    expect(JSON.stringify(a.doc)).toBe(JSON.stringify(b.doc));
    expect(a.bytes).toBeLessThanOrEqual(100 * KB);
    expect((a.doc as any).jobs.a.stages.s.outputs.emoji).toBe(`${'😀'.repeat(128)}…[truncated ${Buffer.byteLength(emoji) - 512} bytes]`);
    expect(Object.keys(a.doc as object)).toEqual(Object.keys(doc));
  });

  it('gives a marker for anything that is not a run document', () => {
    const r = truncateContext('z'.repeat(10_000), 100);
    expect(r).toEqual({ doc: { [TRUNCATED_KEY]: '10002 bytes' }, truncated: true, bytes: bytes({ [TRUNCATED_KEY]: '10002 bytes' }) });
  });
});
