/**
 * On AWS the runners' error messages reach the execution history: a request from a workflow with
 * secret params names them, and both runners replace their values with *** in what they throw.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { handleRequest, PY_RUNNER_PATH } from '../../lib/runtime/index.ts';

const secret = 'hunter2-secret';

describe('secret values in runner errors', () => {
  it('the stage runner scrubs them from an expression error', async () => {
    const req = { action: 'eval', key: 'f1', items: { cond: { kind: 'condition', cond: '${{ params.token }}' } }, ctx: { params: { token: secret } }, secrets: ['token'], secretValues: { token: secret } };
    const error = await handleRequest(req as never).then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('ExpressionError');
    expect(error?.message).not.toContain(secret);
    expect(JSON.parse(error!.message).errors.message).toContain('gave the string "***"');
  });

  it('the Python runner scrubs them from an exception message', () => {
    const event = { action: 'py', name: 'p', key: 'k', code: `raise ValueError("bad ${secret}")`, vars: {}, globals: {}, secrets: ['token'], secretValues: { token: secret } };
    const r = spawnSync('python3', [PY_RUNNER_PATH], { input: JSON.stringify(event), encoding: 'utf8' });
    const reply = JSON.parse(r.stdout) as { ok: boolean; errorType: string; errorMessage: string };
    expect(reply.ok).toBe(false);
    expect(reply.errorType).toBe('StageFailed');
    expect(reply.errorMessage).not.toContain(secret);
    expect(JSON.parse(reply.errorMessage).errors.message).toContain('bad ***');
  });
});

describe('a secret passed to py code through vars', () => {
  it('is not recorded in the outputs', () => {
    const event = { action: 'py', name: 'p', code: 'x = 1', vars: { token: secret }, globals: {}, secrets: ['token'], secretValues: { token: secret } };
    const r = spawnSync('python3', [PY_RUNNER_PATH], { input: JSON.stringify(event), encoding: 'utf8' });
    const reply = JSON.parse(r.stdout) as { ok: boolean; result: { outputs: Record<string, unknown> } };
    expect(reply.result.outputs).toEqual({ token: '***', x: 1 });
  });
});
