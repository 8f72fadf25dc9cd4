import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createHandler, handler } from '../../functions/stage-runner/index.ts';
import { clearRegistry, tag } from '../../lib/runtime/index.ts';

describe('stage-runner Lambda entry', () => {
  it('runs a bash stage in the temp directory (the only writable place on Lambda)', async () => {
    const r = await handler({ action: 'stage', stage: { kind: 'bash', name: 'Where', fields: { bash: 'pwd' } }, ctx: {} });
    expect(r).toEqual({ status: 'SUCCESS', outputs: { return_code: 0, stdout: tmpdir(), stderr: '' } });
  });

  it('lets a failure propagate with its name (Lambda errorType) and record JSON (errorMessage)', async () => {
    const err = await handler({ action: 'stage', stage: { kind: 'bash', name: 'Fail', fields: { bash: 'exit 3' } }, ctx: {} }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('StageFailed');
    expect(JSON.parse((err as Error).message)).toEqual({
      status: 'FAILED',
      outputs: { return_code: 3, stdout: '', stderr: '' },
      errors: { name: 'StageError', message: 'bash stage "Fail" exited with code 3' },
    });
  });

  it('runs setup once, before the first request (the hook registry modules use)', async () => {
    clearRegistry();
    let setups = 0;
    const h = createHandler(async () => {
      setups++;
      tag('hooked', { alias: 'ping' }, () => ({ pong: true }));
    });
    const req = { action: 'stage' as const, stage: { kind: 'call' as const, name: 'Ping', fields: { uses: 'hooked/ping@latest' } }, ctx: {} };
    expect(await h(req)).toEqual({ status: 'SUCCESS', outputs: { pong: true } });
    expect(await h(req)).toEqual({ status: 'SUCCESS', outputs: { pong: true } });
    expect(setups).toBe(1);
  });
});
