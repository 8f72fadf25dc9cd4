import { describe, expect, it } from 'vitest';
import { alphanumericName, MAX_STATE_MACHINE_NAME, stateMachineName } from '../../lib/cdk/state-machine-name.ts';

describe('stateMachineName', () => {
  it('joins the prefix and the workflow name', () => {
    expect(stateMachineName('Workflows', 'daily-report')).toBe('Workflows-daily-report');
  });

  it('replaces characters Step Functions does not accept in names', () => {
    expect(stateMachineName('my.stack', 'a_b')).toBe('my-stack-a_b');
  });

  it('keeps long names within 80 characters, unique and deterministic', () => {
    const a = stateMachineName('Prefix', 'x'.repeat(100));
    const b = stateMachineName('Prefix', `${'x'.repeat(99)}y`);
    expect(a).toHaveLength(MAX_STATE_MACHINE_NAME);
    expect(b).toHaveLength(MAX_STATE_MACHINE_NAME);
    expect(a).not.toBe(b);
    expect(a.startsWith('Prefix-xxxx')).toBe(true);
    expect(stateMachineName('Prefix', 'x'.repeat(100))).toBe(a);
  });
});

describe('alphanumericName', () => {
  it('turns a workflow name into the alphanumeric part of an output key', () => {
    expect(alphanumericName('daily-report_v2')).toBe('DailyReportV2');
    expect(alphanumericName('hello')).toBe('Hello');
  });
});
