import { describe, expect, it } from 'vitest';
import { buildScope, statusFacts } from '../../lib/runtime/index.ts';

describe('buildScope', () => {
  it('keeps only the roots the context has', () => {
    expect(buildScope({ params: { a: 1 }, item: 0 })).toEqual({ params: { a: 1 }, item: 0 });
    expect(buildScope({})).toEqual({});
  });

  it('passes every plain root through', () => {
    const ctx = {
      params: { p: 1 },
      release: { type: 'normal' },
      run: { id: 'r1' },
      env: { E: 'x' },
      matrix: { os: 'linux' },
      item: 'a',
      loop: 2,
      branch: 'left',
      case: 'x',
    };
    expect(buildScope(ctx)).toEqual(ctx);
  });

  it('merges stage scopes outermost first, inner ids shadowing outer ones', () => {
    const scope = buildScope({
      scopes: [
        { a: { outputs: { v: 'outer' } }, b: { outputs: { v: 'b' } } },
        { a: { outputs: { v: 'inner' } } },
      ],
    });
    expect(scope.stages).toEqual({ a: { outputs: { v: 'inner' } }, b: { outputs: { v: 'b' } } });
  });

  it('builds needs from jobs for the needed ids only, with GitHub result spelling', () => {
    const scope = buildScope({
      jobs: {
        build: { status: 'SUCCESS', outputs: { version: '1.2' } },
        test: { status: 'FAILED' },
        lint: { status: 'SKIP' },
        deploy: { status: 'CANCEL' },
        other: { status: 'SUCCESS' },
      },
      needs: ['build', 'test', 'lint', 'deploy', 'missing'],
    });
    expect(scope.needs).toEqual({
      build: { status: 'SUCCESS', result: 'success', outputs: { version: '1.2' } },
      test: { status: 'FAILED', result: 'failure', outputs: {} },
      lint: { status: 'SKIP', result: 'skipped', outputs: {} },
      deploy: { status: 'CANCEL', result: 'cancelled', outputs: {} },
      missing: { result: 'skipped', outputs: {} },
    });
    expect(scope.jobs).toBeDefined();
  });
});

describe('statusFacts', () => {
  const jobs = { a: { status: 'SUCCESS' }, b: { status: 'FAILED' }, c: { status: 'SKIP' } };

  it('job level: success when every needed job succeeded', () => {
    expect(statusFacts({ jobs, needs: ['a'] }, 'job')).toEqual({ success: true, failure: false, cancelled: false });
    expect(statusFacts({ jobs, needs: [] }, 'job')).toEqual({ success: true, failure: false, cancelled: false });
  });

  it('job level: failure when any needed job failed', () => {
    expect(statusFacts({ jobs, needs: ['a', 'b'] }, 'job')).toEqual({ success: false, failure: true, cancelled: false });
  });

  it('job level: a skipped need is neither success nor failure', () => {
    expect(statusFacts({ jobs, needs: ['a', 'c'] }, 'job')).toEqual({ success: false, failure: false, cancelled: false });
  });

  it('stage level: success true, failure false', () => {
    expect(statusFacts({ jobs, needs: ['b'] }, 'stage')).toEqual({ success: true, failure: false, cancelled: false });
  });
});
