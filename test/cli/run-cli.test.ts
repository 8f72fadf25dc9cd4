import { describe, expect, it, vi } from 'vitest';
import type { Diagnostic } from '../../lib/diagnostics/index.ts';
import { DiagnosticError } from '../../lib/diagnostics/index.ts';
import { ParamError } from '../../lib/config/index.ts';
import { commandAction, runCli, UsageError, type CliCommand } from '../../lib/cli/index.ts';

// The validate command's own behaviour (summary, exit code, colour), independent of the config
// loader: loadWorkflows is replaced by whatever each test puts here.
const loaded = vi.hoisted(() => ({
  result: {
    workflows: new Map<string, unknown>(),
    diagnostics: [] as Diagnostic[],
    sources: new Map<string, string>(),
  },
  calls: [] as unknown[],
}));
vi.mock('../../lib/config/index.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../lib/config/index.ts')>()),
  loadWorkflows: (options: unknown) => {
    loaded.calls.push(options);
    return loaded.result;
  },
  workflowJsonSchema: () => ({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }),
}));
// The stub workflows above are empty: validating them compiles nothing.
vi.mock('../../lib/compiler/index.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../lib/compiler/index.ts')>()),
  compileWorkflow: () => ({ diagnostics: [] }),
}));

async function run(argv: string[], opts: { env?: NodeJS.ProcessEnv; commands?: CliCommand[]; tty?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    env: opts.env ?? {},
    stderrIsTTY: opts.tty ?? false,
    ...(opts.commands ? { commands: opts.commands } : {}),
  });
  return { code, stdout, stderr };
}

function throwing(error: unknown): CliCommand {
  return {
    name: 'boom',
    register(program, ctx) {
      program.command('boom').action(
        commandAction(ctx, () => {
          throw error;
        }),
      );
    },
  };
}

const at = (line: number, col: number) => ({ file: 'conf/a.yml', line, col, offset: 0, length: 4 });

function setLoaded(names: string[], diagnostics: Diagnostic[] = []) {
  loaded.result = {
    workflows: new Map(names.map((n) => [n, { jobs: {} }])),
    diagnostics,
    sources: new Map([['conf/a.yml', 'a:\n  type: Workflow\n  jbos: {}\n']]),
  };
  loaded.calls = [];
}

describe('wf validate', () => {
  it('exits 0 and says how many workflows are valid', async () => {
    setLoaded(['a', 'b', 'c']);
    expect(await run(['validate'])).toEqual({ code: 0, stdout: '3 workflows valid\n', stderr: '' });
    expect(loaded.calls).toEqual([{ env: {}, checkPythonSyntax: true }]);
  });

  it('passes --conf and names through, and counts the named workflows', async () => {
    setLoaded(['a']);
    const r = await run(['validate', '--conf', 'elsewhere', 'a'], { env: { X: '1' } });
    expect(r).toEqual({ code: 0, stdout: '1 workflow valid\n', stderr: '' });
    expect(loaded.calls).toEqual([{ conf: 'elsewhere', names: ['a'], env: { X: '1' }, checkPythonSyntax: true }]);
  });

  it('exits 0 with warnings, printing them on stderr', async () => {
    setLoaded(['a'], [{ code: 'WF6005', severity: 'warning', message: 'sleep rounded up to 2 s', location: at(3, 3) }]);
    const r = await run(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1 workflow valid, 1 warning\n');
    expect(r.stderr).toBe(
      'conf/a.yml:3:3: warning WF6005: sleep rounded up to 2 s\n   3 |   jbos: {}\n     |   ^^^^\n',
    );
  });

  it('exits 1 with errors: every diagnostic with its snippet, then a summary on stderr', async () => {
    setLoaded(
      [],
      [
        { code: 'WF2001', severity: 'error', message: 'unknown key "jbos"', location: at(3, 3), note: 'did you mean "jobs"?' },
        { code: 'WF2002', severity: 'error', message: 'missing required key "jobs"', location: at(1, 1) },
        { code: 'WF6005', severity: 'warning', message: 'something minor' },
      ],
    );
    const r = await run(['validate']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'conf/a.yml:3:3: error WF2001: unknown key "jbos"',
        '   3 |   jbos: {}',
        '     |   ^^^^',
        '  note: did you mean "jobs"?',
        'conf/a.yml:1:1: error WF2002: missing required key "jobs"',
        '   1 | a:',
        '     | ^^',
        'warning WF6005: something minor',
        'validation failed: 2 errors, 1 warning',
        '',
      ].join('\n'),
    );
  });

  it('reports a named workflow that does not exist, with a suggestion', async () => {
    setLoaded(['deploy', 'build']);
    const r = await run(['validate', 'deplyo']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error WF1005: no workflow named "deplyo"\n  note: known workflows are "deploy", "build"; did you mean "deploy"?\nvalidation failed: 1 error, 0 warnings\n',
    );
  });

  it('colours severities on a terminal, and never with NO_COLOR', async () => {
    setLoaded([], [{ code: 'WF2001', severity: 'error', message: 'bad' }]);
    const tty = await run(['validate'], { tty: true });
    expect(tty.stderr).toContain('\u001b[31merror\u001b[39m');
    const noColor = await run(['validate'], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColor.stderr).not.toContain('\u001b[');
    expect(noColor.stderr).toBe('error WF2001: bad\nvalidation failed: 1 error, 0 warnings\n');
    const forced = await run(['validate'], { tty: false, env: { FORCE_COLOR: '1' } });
    expect(forced.stderr).toContain('\u001b[');
  });
});

describe('wf schema', () => {
  it('prints the schema as pretty JSON', async () => {
    const r = await run(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }, null, 2)}\n`,
    );
  });
});

describe('usage errors exit 2', () => {
  it.each([
    [['valdate'], "error: unknown command 'valdate'\n(Did you mean validate?)\n"],
    [['validate', '--bogus'], "error: unknown option '--bogus'\n"],
    [['validate', '--conf'], "error: option '--conf <dir>' argument missing\n"],
    [['schema', 'extra'], "error: too many arguments for 'schema'. Expected 0 arguments but got 1.\n"],
  ])('%j', async (argv, start) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(start)).toBe(true);
    expect(r.stderr).toContain("(run 'wf --help' for usage)");
  });

  it('shows help on stderr when no command is given', async () => {
    const r = await run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: wf [options] [command]');
  });

  it('--help and --version exit 0 on stdout', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('validate [options] [names...]');
    expect(help.stdout).toContain('schema');
    const version = await run(['--version']);
    expect(version).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('a UsageError thrown by a command', async () => {
    const r = await run(['boom'], { commands: [throwing(new UsageError('--at needs --type', 'add --type force'))] });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: --at needs --type\n  note: add --type force\n' });
  });

  it('a ParamError thrown by a command prints as a diagnostic', async () => {
    const e = new ParamError({ param: 'batch_size', value: 'lots', expected: 'int', code: 'WF7001' });
    const r = await run(['boom'], { commands: [throwing(e)] });
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error WF7001: param "batch_size": expected int, got "lots"\n' });
  });

  it('a DiagnosticError thrown by a command prints every diagnostic', async () => {
    const e = new DiagnosticError([
      { code: 'WF7002', severity: 'error', message: 'param "x": not declared by the workflow' },
      { code: 'WF7003', severity: 'error', message: 'param "y": expected int, got nothing' },
    ]);
    const r = await run(['boom'], { commands: [throwing(e)] });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error WF7002: param "x": not declared by the workflow\nerror WF7003: param "y": expected int, got nothing\n',
    );
  });
});

describe('unexpected exceptions', () => {
  it('print "internal error" without a stack and exit 70', async () => {
    const r = await run(['boom'], { commands: [throwing(new TypeError('x is undefined'))] });
    expect(r.code).toBe(70);
    expect(r.stderr).toBe('internal error: x is undefined\n(this is a bug in wf; set WF_DEBUG=1 to see the stack trace)\n');
  });

  it('print the stack with WF_DEBUG=1', async () => {
    const r = await run(['boom'], { commands: [throwing(new Error('kaput'))], env: { WF_DEBUG: '1' } });
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/^internal error: kaput\nError: kaput\n\s+at /);
  });

  it('handle a thrown non-Error value', async () => {
    const r = await run(['boom'], { commands: [throwing('just a string')] });
    expect(r.code).toBe(70);
    expect(r.stderr.split('\n')[0]).toBe('internal error: just a string');
  });
});

describe('commands', () => {
  it('set the exit code from their action', async () => {
    const seven: CliCommand = {
      name: 'seven',
      register(program, ctx) {
        program.command('seven').action(commandAction(ctx, async () => 7));
      },
    };
    expect((await run(['seven'], { commands: [seven] })).code).toBe(7);
  });
});
