import { describe, expect, it } from 'vitest';
import { itemBytes, itemToRecord, recordToItem, redactSecrets, REDACTED, runReleaseKey, lockReleaseKey, releaseMinute, type AuditRecordInput } from '../../lib/audit/index.ts';
import { REDACTED as CONFIG_REDACTED } from '../../lib/config/index.ts';

const base: AuditRecordInput = {
  workflow: 'wf',
  runId: '20240101090000000-abcd',
  logicalDate: '2024-01-01T09:00:00.000Z',
  type: 'normal',
  status: 'SUCCESS',
  params: { name: 'x', token: 's3cret', empty: null },
  startedAt: '2024-01-01T09:00:01.000Z',
};

describe('audit keys', () => {
  it('builds run and lock sort keys from the UTC minute', () => {
    expect(releaseMinute('2024-01-01T09:00:59.999Z')).toBe('2024-01-01T09:00');
    expect(releaseMinute('2024-01-01T10:30:00+01:00')).toBe('2024-01-01T09:30');
    expect(runReleaseKey('2024-01-01T09:00:00Z', 'r1')).toBe('release#2024-01-01T09:00#r1');
    expect(lockReleaseKey('2024-01-01T09:00')).toBe('lock#2024-01-01T09:00');
    expect(lockReleaseKey(new Date('2024-01-01T09:00:42Z'))).toBe('lock#2024-01-01T09:00');
  });
});

describe('redactSecrets', () => {
  it('replaces secret values with the placeholder lib/config uses, leaving null and other params', () => {
    expect(REDACTED).toBe(CONFIG_REDACTED);
    expect(redactSecrets({ a: 1, token: 'x', nothing: null }, ['token', 'nothing', 'absent'])).toEqual({ a: 1, token: '***', nothing: null });
  });

  it('returns the same object when there is nothing to hide', () => {
    const params = { a: 1, token: '***' };
    expect(redactSecrets(params, ['token'])).toBe(params);
    expect(redactSecrets(params)).toBe(params);
  });
});

describe('recordToItem', () => {
  it('writes snake_case attributes, JSON params and context, and round-trips', () => {
    const context = { status: 'SUCCESS', run: { id: base.runId, workflow: 'wf' }, params: { name: 'x' }, jobs: {}, errors: [] };
    const { item, truncated } = recordToItem({ ...base, endedAt: '2024-01-01T09:00:05.000Z', durationMs: 4000, context, parentRunId: 'r0' });
    expect(truncated).toBe(false);
    expect(item).toEqual({
      workflow: { S: 'wf' },
      release: { S: 'release#2024-01-01T09:00#20240101090000000-abcd' },
      run_id: { S: base.runId },
      logical_date: { S: base.logicalDate },
      type: { S: 'normal' },
      status: { S: 'SUCCESS' },
      params: { S: '{"name":"x","token":"s3cret","empty":null}' },
      started_at: { S: base.startedAt },
      ended_at: { S: '2024-01-01T09:00:05.000Z' },
      duration_ms: { N: '4000' },
      parent_run_id: { S: 'r0' },
      context: { S: JSON.stringify(context) },
    });
    expect(itemToRecord(item)).toEqual({ ...base, release: 'release#2024-01-01T09:00#20240101090000000-abcd', endedAt: '2024-01-01T09:00:05.000Z', durationMs: 4000, context, parentRunId: 'r0' });
  });

  it('redacts named secrets in params and in the context params', () => {
    const { item } = recordToItem({ ...base, context: { status: 'SUCCESS', params: { name: 'x', token: 's3cret' }, jobs: {} } }, { secretNames: ['token'] });
    expect(JSON.parse(item.params!.S!)).toEqual({ name: 'x', token: '***', empty: null });
    expect(JSON.parse(item.context!.S!)).toEqual({ status: 'SUCCESS', params: { name: 'x', token: '***' }, jobs: {} });
    expect(JSON.stringify(item)).not.toContain('s3cret');
  });

  it('keeps an item with a 1 MB output under the budget and marks it truncated', () => {
    const context = { status: 'SUCCESS', run: { id: base.runId, workflow: 'wf' }, params: {}, jobs: { a: { status: 'SUCCESS', stages: { s: { status: 'SUCCESS', outputs: { stdout: 'y'.repeat(1 << 20) } } } } }, errors: [] };
    const { item, truncated } = recordToItem({ ...base, context });
    expect(truncated).toBe(true);
    expect(item.truncated).toEqual({ BOOL: true });
    expect(itemBytes(item)).toBeLessThanOrEqual(390_000);
    const stored = JSON.parse(item.context!.S!);
    expect(stored.jobs.a.stages.s).toEqual({ status: 'SUCCESS', outputs: { stdout: `${'y'.repeat(256)}…[truncated ${(1 << 20) - 256} bytes]` } });
  });

  it('truncates oversized params too', () => {
    const { item, truncated } = recordToItem({ ...base, params: { blob: 'p'.repeat(100_000) } });
    expect(truncated).toBe(true);
    expect(JSON.parse(item.params!.S!).blob).toMatch(/^p{1024}…\[truncated 98976 bytes\]$/);
  });
});
