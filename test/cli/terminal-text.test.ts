/**
 * Values cannot paint the terminal: terminalText escapes every control character a value could use
 * to move the cursor, colour, retitle the window, hide a link or reorder a line, and the CLI's
 * human-readable output (progress, summary, status, audit and list tables, diagnostics, errors)
 * prints values through it, while its own colours still work.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../lib/audit/index.ts';
import type { ExecutionItem, RunReport } from '../../lib/client/index.ts';
import type { ResultDocument } from '../../lib/local/index.ts';
import { auditTable } from '../../lib/cli/audit-command.ts';
import { executionTable } from '../../lib/cli/list-command.ts';
import { createPaint } from '../../lib/cli/paint.ts';
import { renderDiagnostics } from '../../lib/cli/print-diagnostics.ts';
import { runCli } from '../../lib/cli/run-cli.ts';
import { progressPrinter, summary } from '../../lib/cli/run-command.ts';
import { renderReport } from '../../lib/cli/status-command.ts';
import { terminalText } from '../../lib/cli/terminal-text.ts';
import type { CliContext } from '../../lib/cli/cli-context.ts';

const wf = new URL('../../bin/wf.js', import.meta.url).pathname;

/** Overwrites the line and paints a fake tick, retitles the window, hides a link, reverses text. */
const HOSTILE = '\r\u001b[32m✓ deploy ok\u001b[0m \u001b]0;pwned\u0007 \u001b]8;;https://evil.example\u0007docs\u001b]8;;\u0007 \u202egnp.exe \u009b2J';
const HOSTILE_SHOWN = '\\r\\x1b[32m✓ deploy ok\\x1b[0m \\x1b]0;pwned\\x07 \\x1b]8;;https://evil.example\\x07docs\\x1b]8;;\\x07 \\u202egnp.exe \\x9b2J';
/** The colour sequences paint.ts writes, and nothing else. */
const OWN_COLOURS = /\u001b\[(?:1|2|22|31|32|33|39)m/g;
/** Anything a terminal acts on. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalText', () => {
  it('shows carriage return, newline and ESC as visible escapes', () => {
    expect(terminalText('a\rb')).toBe('a\\rb');
    expect(terminalText('a\nb')).toBe('a\\nb');
    expect(terminalText('\u001b[31mred\u001b[0m')).toBe('\\x1b[31mred\\x1b[0m');
  });

  it('keeps newlines in a block of lines, and tabs everywhere', () => {
    expect(terminalText('a\nb\r\n', { multiline: true })).toBe('a\nb\\r\n');
    expect(terminalText('a\tb')).toBe('a\tb');
    expect(terminalText('a\tb', { multiline: true })).toBe('a\tb');
  });

  it('escapes every other C0 control as \\xNN', () => {
    for (let c = 0; c < 0x20; c++) {
      if (c === 0x09) continue;
      const ch = String.fromCharCode(c);
      const named = c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : `\\x${c.toString(16).padStart(2, '0')}`;
      expect(terminalText(`<${ch}>`)).toBe(`<${named}>`);
      if (c !== 0x0a) expect(terminalText(`<${ch}>`, { multiline: true })).toBe(`<${named}>`);
    }
    expect(terminalText('\u0000\u0007\u0008\u001f')).toBe('\\x00\\x07\\x08\\x1f');
  });

  it('escapes DEL and every C1 control', () => {
    expect(terminalText('\u007f')).toBe('\\x7f');
    for (let c = 0x80; c <= 0x9f; c++) expect(terminalText(String.fromCharCode(c))).toBe(`\\x${c.toString(16)}`);
    expect(terminalText('\u009b31m')).toBe('\\x9b31m');
  });

  it('escapes bidi overrides and isolates, and line and paragraph separators', () => {
    for (const c of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029]) {
      expect(terminalText(`x${String.fromCharCode(c)}y`)).toBe(`x\\u${c.toString(16)}y`);
      expect(terminalText(`x${String.fromCharCode(c)}y`, { multiline: true })).toBe(`x\\u${c.toString(16)}y`);
    }
  });

  it('escapes OSC sequences (window title, hyperlinks) so they do nothing', () => {
    expect(terminalText('\u001b]0;title\u0007')).toBe('\\x1b]0;title\\x07');
    expect(terminalText('\u001b]8;;https://x\u001b\\link\u001b]8;;\u001b\\')).toBe('\\x1b]8;;https://x\\x1b\\link\\x1b]8;;\\x1b\\');
  });

  it('leaves printable text alone: ASCII, accents, non-Latin scripts, emoji, other format characters', () => {
    const texts = [
      'deploy v1.2.3 -> prod (100%) {"a": [1, 2]} $x \\n is two characters',
      'ünïcödé ñ ß ø',
      '日本語 中文 한국어',
      'עברית العربية', // right-to-left text itself is fine; only overrides and isolates are escaped
      'Ελληνικά Русский हिन्दी ไทย',
      '🎉 👍🏽 👨‍👩‍👧 🇹🇭', // skin tones, zero-width joiners, flags
      '\u00a0\u00ad\u00ff\u0100\u200d\u20ac\ufffd',
      '',
    ];
    for (const t of texts) {
      expect(terminalText(t)).toBe(t);
      expect(terminalText(t, { multiline: true })).toBe(t);
    }
  });

  it('escapes the hostile value completely', () => {
    expect(terminalText(HOSTILE)).toBe(HOSTILE_SHOWN);
    expect(terminalText(HOSTILE)).not.toMatch(RAW_CONTROL);
  });
});

/** A context that records what is written, with colours on. */
function recorder(): CliContext & { text: () => string } {
  let text = '';
  return { out: (t) => void (text += t), err: (t) => void (text += t), env: {}, paint: createPaint(true), exitCode: 0, text: () => text };
}

function expectOnlyOwnColours(text: string): void {
  expect(text.replace(OWN_COLOURS, '')).not.toMatch(RAW_CONTROL);
}

describe('human-readable output escapes values, keeps its own colours', () => {
  it('progress lines', () => {
    const ctx = recorder();
    const print = progressPrinter(ctx);
    print({ type: 'job-start', workflow: 'w', job: `j${HOSTILE}`, at: 0 });
    print({ type: 'stage-start', workflow: 'w', job: 'j', stage: `Deploy ${HOSTILE}`, message: `say ${HOSTILE}\n  ✓ fake line`, at: 0 });
    print({ type: 'stage-failed', workflow: 'w', job: 'j', stage: HOSTILE, ms: 5, at: 0 });
    print({ type: 'job-end', workflow: 'w', job: 'j', status: 'FAILED', at: 0 });
    const text = ctx.text();
    expectOnlyOwnColours(text);
    expect(text).toContain(`Deploy ${HOSTILE_SHOWN}: say ${HOSTILE_SHOWN}\\n  ✓ fake line`);
    expect(text).toContain('\u001b[31m✗\u001b[39m');
    expect(text.split('\n')).toHaveLength(5);
  });

  it('the run summary', () => {
    const doc = {
      run: { id: 'r1', workflow: 'w' },
      status: 'FAILED',
      jobs: { [`job${HOSTILE}`]: { status: 'FAILED', errors: { message: `boom ${HOSTILE}\nsecond line` } } },
      errors: [{ name: 'States.Runtime', message: `bad ${HOSTILE}` }],
    } as unknown as ResultDocument;
    const text = summary(doc);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain(`  job${HOSTILE_SHOWN} FAILED   boom ${HOSTILE_SHOWN} …\n  (first lines only: --json shows the whole messages)\n`);
    expect(text).toContain(`  error: States.Runtime: bad ${HOSTILE_SHOWN}\n`);
  });

  it('wf status, wf audit and wf list tables', () => {
    const report = {
      executionArn: 'arn:x',
      name: `run${HOSTILE}`,
      workflow: 'w',
      status: 'FAILED',
      executionStatus: 'FAILED',
      startDate: new Date(0),
      redriveCount: 0,
      jobs: { [`j${HOSTILE}`]: { status: 'FAILED', stages: { s: { name: `stage ${HOSTILE}`, status: 'FAILED', ms: 3 } } } },
      error: { name: 'E', message: `why ${HOSTILE}` },
    } as unknown as RunReport;
    const status = renderReport(report);
    expect(status).not.toMatch(RAW_CONTROL);
    expect(status).toContain(`stage ${HOSTILE_SHOWN}`);

    const record = { runId: `r${HOSTILE}`, logicalDate: '2026-01-01T00:00:00Z', type: 'manual', status: 'SUCCESS', startedAt: 'now', durationMs: 5 } as unknown as AuditRecord;
    const audit = auditTable([record]);
    expect(audit).not.toMatch(RAW_CONTROL);
    expect(audit).toContain(`r${HOSTILE_SHOWN}  `);

    const item = { executionArn: 'arn:x', name: `e${HOSTILE}`, status: 'SUCCESS', executionStatus: 'SUCCEEDED', redriveCount: 0 } as unknown as ExecutionItem;
    const list = executionTable([item]);
    expect(list).not.toMatch(RAW_CONTROL);
    expect(list).toContain(`e${HOSTILE_SHOWN}  `);
  });

  it('diagnostics: escaped message and source line, the caret under the escaped span, the severity still coloured', () => {
    const source = `a: 1\n- { name: "\u001b[31mX\r", bogus: 1 }\n`;
    const col = source.split('\n')[1]!.indexOf('bogus') + 1;
    const text = renderDiagnostics(
      [{ code: 'WF2001', severity: 'error', message: `unknown key in stage "${HOSTILE}"`, location: { file: 'f.yml', line: 2, col, length: 5, offset: 0 } }],
      { 'f.yml': source },
      createPaint(true),
    );
    expectOnlyOwnColours(text);
    expect(text).toContain('\u001b[1m\u001b[31merror\u001b[39m\u001b[22m WF2001');
    expect(text).toContain(`unknown key in stage "${HOSTILE_SHOWN}"`);
    const lines = text.split('\n');
    const src = lines.find((l) => l.startsWith('   2 | '))!;
    expect(src).toBe('   2 | - { name: "\\x1b[31mX\\r", bogus: 1 }');
    const caret = lines[lines.indexOf(src) + 1]!;
    expect(caret.indexOf('^')).toBe(src.indexOf('bogus'));
    expect(caret.trimStart()).toBe('| ' + ' '.repeat(caret.indexOf('^') - caret.indexOf('|') - 2) + '^^^^^');
  });

  it('errors that quote what was typed (commander, usage errors)', async () => {
    const ctx = recorder();
    const code = await runCli(['run', 'x', `--bogus${HOSTILE}`], { out: ctx.out, err: ctx.err, env: { FORCE_COLOR: '1' }, stderrIsTTY: false });
    expect(code).toBe(2);
    expectOnlyOwnColours(ctx.text());
    expect(ctx.text()).toContain(HOSTILE_SHOWN);
  });
});

describe('wf run through the real CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-terminal-text-'));
  writeFileSync(
    join(dir, 'wf.yml'),
    `
hostile:
  type: Workflow
  params:
    x: { type: str }
  jobs:
    a:
      stages:
        - name: "Deploy \${{ params.x }}"
          id: say
          echo: "value \${{ params.x }}"
    b:
      stages:
        - name: Fail
          id: fail
          bash: printf 'err %s' "$X" >&2; exit 3
          env: { X: "\${{ params.x }}" }
`,
  );
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, [wf, 'run', 'hostile', '--conf', dir, '--progress', '--no-audit', '-p', `x=${HOSTILE}`], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env },
      timeout: 60_000,
    });

  it('without colour: no ESC, no carriage return, no control character at all; the escapes are visible', () => {
    const r = run({ NO_COLOR: '1' });
    expect(r.status).toBe(1);
    const all = r.stdout + r.stderr;
    expect(all).not.toContain('\u001b');
    expect(all).not.toContain('\r');
    expect(all).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain(`: value ${HOSTILE_SHOWN}\n`);
    expect(r.stdout).toContain(`err ${HOSTILE_SHOWN}`);
  });

  it('with colour: the only ESCs are our own colours', () => {
    const r = run({ FORCE_COLOR: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(OWN_COLOURS);
    expectOnlyOwnColours(r.stdout + r.stderr);
    expect(r.stdout + r.stderr).not.toContain('\r');
    expect(r.stderr).toContain(`: value ${HOSTILE_SHOWN}\n`);
  });
});
