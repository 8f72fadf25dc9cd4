import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBash } from '../../lib/runtime/index.ts';

describe('runBash', () => {
  it('captures stdout and stderr without trailing newlines, and the return code', async () => {
    const r = await runBash({ script: 'echo "hello"\necho "line 2"\necho "warn" 1>&2\nprintf "\\n\\n"' });
    expect(r).toEqual({ return_code: 0, stdout: 'hello\nline 2', stderr: 'warn' });
  });

  it('reports a non-zero exit code with the output produced before it', async () => {
    const r = await runBash({ script: 'echo before\necho oops >&2\nexit 7\necho never' });
    expect(r).toEqual({ return_code: 7, stdout: 'before', stderr: 'oops' });
  });

  it('passes env values as data the shell never re-parses', async () => {
    const nasty = '"; rm -rf ~; echo "';
    const r = await runBash({
      script: 'printf "%s|" "$NASTY" "$NUM" "$LIST" "$NIL" "$FLAG" "$DOLLAR"',
      env: { NASTY: nasty, NUM: 3, LIST: [1, 'a'], NIL: null, FLAG: true, DOLLAR: '$(echo pwned) `id` $HOME' },
    });
    expect(r.return_code).toBe(0);
    expect(r.stdout).toBe(`${nasty}|3|[1,"a"]||true|$(echo pwned) \`id\` $HOME|`);
  });

  it('merges env over the process environment', async () => {
    const r = await runBash({ script: 'echo "$PATH_SET:$WF_TEST_VALUE"', env: { WF_TEST_VALUE: 'x', PATH_SET: process.env.PATH ? 'yes' : 'no' } });
    expect(r.stdout).toBe('yes:x');
  });

  it('refuses an env name the OS cannot hold', async () => {
    await expect(runBash({ script: 'true', env: { 'A=B': 'x' } })).rejects.toThrow(/env name "A=B" is not valid/);
  });

  it('runs the script from a private file (mode 0700) that is removed afterwards', async () => {
    const r = await runBash({ script: 'stat -c %a "$0"; echo "$0"' });
    const [mode, file] = r.stdout.split('\n');
    expect(mode).toBe('700');
    expect(file).toMatch(/wf-bash-[^/]+\/stage\.sh$/);
    expect(existsSync(file!)).toBe(false);
    expect(existsSync(dirname(file!))).toBe(false);
  });

  it('runs in the given working directory', async () => {
    const r = await runBash({ script: 'pwd', cwd: tmpdir() });
    expect(r.stdout).toBe(tmpdir());
  });

  it('kills the whole process group on timeout', async () => {
    const started = Date.now();
    const r = await runBash({ script: 'echo started\nsleep 30 &\nwait\necho never', timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.timedOut).toBe(true);
    expect(r.stdout).toBe('started');
    expect(r.signal).toBe('SIGTERM');
    expect(r.return_code).toBe(143);
  });

  it('sends SIGKILL when the script ignores SIGTERM', async () => {
    const started = Date.now();
    const r = await runBash({ script: "trap '' TERM\necho ready\nwhile true; do sleep 0.1; done", timeoutMs: 300, killGraceMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
    expect(r.return_code).toBe(137);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('reports a script killed by a signal as 128 + the signal number', async () => {
    const r = await runBash({ script: 'echo dying\nkill -KILL $$' });
    expect(r).toMatchObject({ return_code: 137, signal: 'SIGKILL', stdout: 'dying' });
    expect(r.timedOut).toBeUndefined();
  });

  it('does not wait for background processes the script leaves behind', async () => {
    const started = Date.now();
    const r = await runBash({ script: 'sleep 30 &\necho done' });
    expect(r).toEqual({ return_code: 0, stdout: 'done', stderr: '' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const r = await runBash({ script: 'sleep 30', signal: ac.signal });
    expect(r.aborted).toBe(true);
    expect(r.return_code).toBe(143);
  });

  it('keeps the head and tail of an output past its budget, with a marker', async () => {
    const r = await runBash({ script: 'echo START; head -c 100000 /dev/zero | tr "\\0" x; echo; echo END', maxOutputBytes: 1000 });
    expect(r.stdout.startsWith('START\nxxx')).toBe(true);
    expect(r.stdout.endsWith('xxx\nEND')).toBe(true);
    expect(r.stdout).toMatch(/…\[truncated 99\d\d\d bytes\]…/);
    expect(r.stdout.length).toBeLessThan(1100);
  });
});
