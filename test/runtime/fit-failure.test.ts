/**
 * A runner failure stays within what Step Functions carries once Lambda's Node runtime has wrapped
 * it (`{errorType, errorMessage, trace: stack lines}`, cut by Step Functions at 32,768 characters):
 * long outputs and then the message are cut in the middle, head and tail kept, whatever characters
 * they hold. The wrapped form is computed here the way the runtime computes it, from the thrown
 * error, and measured with every non-ASCII character as a 6-character escape.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  badRequest,
  FAILURE_BUDGET_CHARS,
  fitFailure,
  fitRecord,
  PY_RUNNER_PATH,
  RunnerError,
  stageFailed,
  TRIM_FLOOR_CHARS,
  trimMiddle,
  type FailedRecord,
} from '../../lib/runtime/index.ts';

const MARKER = /…\[truncated (\d+) bytes\]…/;

/** What Lambda's Node runtime posts for an error (aws-lambda-nodejs-runtime-interface-client's toRapidResponse). */
function nodeRuntimeCause(e: Error): string {
  const del = (t: string): string => t.replace(/\x7F/g, '%7F');
  return JSON.stringify({ errorType: del(e.name), errorMessage: del(e.message), trace: del(e.stack ?? '').split('\n') });
}

/** Length with every non-ASCII UTF-16 unit as `\uXXXX`. */
function escapedLength(text: string): number {
  return text.replace(/[^\x00-\x7f]/g, '\\u0000').length;
}

/** Checks that `kept` is `original` cut in the middle: a head and a tail of it around a marker counting the bytes between. */
function expectCutFrom(kept: string, original: string): void {
  const m = MARKER.exec(kept);
  expect(m, 'a truncation marker').not.toBeNull();
  const head = kept.slice(0, m!.index);
  const tail = kept.slice(m!.index + m![0].length);
  expect(original.startsWith(head)).toBe(true);
  expect(original.endsWith(tail)).toBe(true);
  expect(Buffer.byteLength(head) + Number(m![1]) + Buffer.byteLength(tail)).toBe(Buffer.byteLength(original));
  expect(Math.abs(head.length - tail.length)).toBeLessThanOrEqual(2);
}

const HOSTILE: Array<[string, string]> = [
  ['plain ASCII', 'HEAD ' + 'x'.repeat(40_000) + ' TAIL'],
  ['all quotes', '"'.repeat(40_000)],
  ['all backslashes', '\\'.repeat(40_000)],
  ['quotes and backslashes', '\\"'.repeat(20_000)],
  ['newlines and tabs', 'line\n\t'.repeat(8_000)],
  ['control characters', '\u0001\u001f\u0000'.repeat(13_000)],
  ['accented text', 'é€ü'.repeat(13_000)],
  ['emoji (surrogate pairs)', '😀'.repeat(20_000)],
  ['DEL characters', '\x7f'.repeat(40_000)],
  ['JSON-looking text', '{"status":"SUCCESS","outputs":{}}'.repeat(1_200)],
];

describe('trimMiddle', () => {
  it('keeps short text as it is and cuts long text to head + marker + tail', () => {
    expect(trimMiddle('short', 5)).toBe('short');
    expect(trimMiddle('abcdefghij', 4)).toBe('ab…[truncated 6 bytes]…ij');
    expect(trimMiddle('abcdefghij', 5)).toBe('abc…[truncated 5 bytes]…ij');
    expect(trimMiddle('abcdefghij', 0)).toBe('…[truncated 10 bytes]…');
  });

  it('counts dropped bytes in UTF-8 and never splits a surrogate pair', () => {
    const text = '😀😀😀😀';
    for (let keep = 0; keep < text.length; keep++) {
      const cut = trimMiddle(text, keep);
      expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      expectCutFrom(cut, text);
    }
  });
});

describe('fitFailure', () => {
  it('passes a failure that fits unchanged (the same error object)', () => {
    const e = stageFailed({ name: 'StageError', message: 'exited with code 1' }, { return_code: 1, stdout: 'x'.repeat(5_000), stderr: '' });
    expect(fitFailure(e)).toBe(e);
    expect(fitFailure('not an error')).toBe('not an error');
  });

  it('a RunnerError stack does not repeat the message (Lambda puts both in the cause)', () => {
    const e = stageFailed({ name: 'StageError', message: 'MESSAGE-TEXT' });
    expect(e.stack!.split('\n')[0]).toBe('StageFailed');
    expect(e.stack).not.toContain('MESSAGE-TEXT');
  });

  for (const [label, text] of HOSTILE) {
    it(`keeps a failed record with 40 KB outputs and message of ${label} within the budget, head and tail kept`, () => {
      const outputs = { return_code: 3, stdout: text, stderr: text.split('').reverse().join('') };
      const thrown = new RunnerError('StageFailed', JSON.stringify({ status: 'FAILED', outputs, errors: { name: 'StageError', message: text }, key: 'f7' }));
      expect(escapedLength(nodeRuntimeCause(thrown))).toBeGreaterThan(FAILURE_BUDGET_CHARS);
      const fitted = fitFailure(thrown) as Error;
      expect(fitted).toBeInstanceOf(RunnerError);
      expect(fitted.name).toBe('StageFailed');
      const cause = nodeRuntimeCause(fitted);
      expect(escapedLength(cause)).toBeLessThanOrEqual(FAILURE_BUDGET_CHARS);
      expect(cause.length).toBeLessThan(32_768);
      // What the failure hub does with it: StringToJson of the cause, then of its errorMessage.
      expect(JSON.parse((JSON.parse(cause) as { errorMessage: string }).errorMessage)).toMatchObject({ status: 'FAILED', key: 'f7' });
      // (The runtime writes DEL as %7F in the cause: the content is checked on the error itself.)
      const record = JSON.parse(fitted.message) as FailedRecord;
      expect(record.status).toBe('FAILED');
      expect(record.key).toBe('f7');
      expect(record.outputs!.return_code).toBe(3);
      expect(record.errors!.name).toBe('StageError');
      expectCutFrom(record.outputs!.stdout as string, outputs.stdout);
      expectCutFrom(record.outputs!.stderr as string, outputs.stderr);
      if (record.errors!.message !== text) expectCutFrom(record.errors!.message, text);
    });
  }

  it('cuts the outputs first and leaves a message that fits whole', () => {
    const thrown = stageFailed({ name: 'StageError', message: 'bash stage "loud" exited with code 3: last line' }, { return_code: 3, stdout: 'o'.repeat(40_000), stderr: 'e'.repeat(40_000) });
    const record = JSON.parse((fitFailure(thrown) as Error).message) as FailedRecord;
    expect(record.errors).toEqual({ name: 'StageError', message: 'bash stage "loud" exited with code 3: last line' });
    const out = record.outputs as { stdout: string; stderr: string };
    // The two streams share the room: cut to the same length, far above the floor.
    expect(out.stdout.length).toBe(out.stderr.length);
    expect(out.stdout.length).toBeGreaterThan(10_000);
  });

  it('cuts the message once the outputs are at the floor', () => {
    const thrown = stageFailed({ name: 'Error', message: 'M'.repeat(60_000) }, { a: 'a'.repeat(30_000), b: 7 });
    const record = JSON.parse((fitFailure(thrown) as Error).message) as FailedRecord;
    expect((record.outputs!.a as string).replace(MARKER, '').length).toBe(TRIM_FLOOR_CHARS);
    expect(record.outputs!.b).toBe(7);
    expectCutFrom(record.errors!.message, 'M'.repeat(60_000));
    expect(record.errors!.message.length).toBeGreaterThan(15_000);
  });

  it('cuts long text inside nested outputs, and replaces a list too long to keep with a marker', () => {
    const thrown = stageFailed({ name: 'Error', message: 'failed' }, { result: { log: 'L'.repeat(50_000), n: 1 }, rows: Array.from({ length: 20_000 }, (_, i) => i) });
    const record = JSON.parse((fitFailure(thrown) as Error).message) as FailedRecord;
    expect(record.outputs!.rows).toEqual({ __truncated__: `${JSON.stringify(Array.from({ length: 20_000 }, (_, i) => i)).length} bytes` });
    const result = record.outputs!.result as { log: string; n: number };
    expect(result.n).toBe(1);
    expectCutFrom(result.log, 'L'.repeat(50_000));
  });

  it('cuts a message that is not a record (a BadRequest) in the middle', () => {
    const message = 'START ' + '"\\\n'.repeat(30_000) + ' END';
    const fitted = fitFailure(badRequest(message)) as Error;
    expect(fitted.name).toBe('BadRequest');
    expect(escapedLength(nodeRuntimeCause(fitted))).toBeLessThanOrEqual(FAILURE_BUDGET_CHARS);
    expectCutFrom(fitted.message, message);
  });

  it('at worst the outputs become one marker and the error name is cut to 256 characters', () => {
    const many = Object.fromEntries(Array.from({ length: 4_000 }, (_, i) => [`output_${i}`, i]));
    const record: FailedRecord = { status: 'FAILED', outputs: many, errors: { name: 'N'.repeat(1_000), message: 'x' } };
    const fitted = fitRecord(record, (r) => JSON.stringify(r).length <= 2_000);
    expect(fitted.outputs).toEqual({ __truncated__: `${JSON.stringify(many).length} bytes` });
    expect(fitted.errors!.name.replace(MARKER, '')).toHaveLength(256);
  });
});

describe('the Python runner mirrors it', () => {
  /** Runs the handler's `fit_failure` on a record and returns the fitted message and the runtime's report of a StageFailed carrying it. */
  function pyFit(record: FailedRecord): { message: string; cause: string } {
    const script = `
import importlib.util, json, sys, traceback
spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
record = json.loads(sys.stdin.read())
message = h.fit_failure("StageFailed", json.dumps(record, ensure_ascii=False, separators=(",", ":")))
try:
    raise h.StageFailed(message)
except h.StageFailed as e:
    cause = h.lambda_cause(e)
print(json.dumps({"message": message, "cause": cause}))
`;
    const r = spawnSync('python3', ['-c', script, PY_RUNNER_PATH], { input: JSON.stringify(record), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as { message: string; cause: string };
  }

  for (const [label, text] of HOSTILE) {
    it(`fit_failure keeps ${label} within the budget as the Python runtime wraps it, head and tail kept`, () => {
      const record: FailedRecord = { status: 'FAILED', outputs: { return_code: 1, stdout: text, stderr: text }, errors: { name: 'StageError', message: text }, key: 'f2' };
      const { message, cause } = pyFit(record);
      expect(cause.length).toBeLessThanOrEqual(FAILURE_BUDGET_CHARS);
      const wrapped = JSON.parse(cause) as { errorMessage: string; errorType: string; requestId: string; stackTrace: string[] };
      expect(Object.keys(wrapped)).toEqual(['errorMessage', 'errorType', 'requestId', 'stackTrace']);
      expect(wrapped.errorMessage).toBe(message);
      const fitted = JSON.parse(message) as FailedRecord;
      expect(fitted.key).toBe('f2');
      expectCutFrom(fitted.outputs!.stdout as string, text);
      if (fitted.errors!.message !== text) expectCutFrom(fitted.errors!.message, text);
    });
  }

  it('trim_middle cuts as trimMiddle does', () => {
    const script = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
print(json.dumps([h.trim_middle(t, n) for t, n in json.loads(sys.stdin.read())], ensure_ascii=False))
`;
    const cases: Array<[string, number]> = [['abcdefghij', 4], ['abcdefghij', 5], ['abc', 3], ['"\\é€'.repeat(50), 17], ['x'.repeat(100), 0]];
    const r = spawnSync('python3', ['-c', script, PY_RUNNER_PATH], { input: JSON.stringify(cases), encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual(cases.map(([t, n]) => trimMiddle(t, n)));
  });
});
