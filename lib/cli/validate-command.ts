import { Option } from 'commander';
import { loadCommandRegistry, registryOption } from './registry-option.ts';
import { checkUses, loadWorkflows } from '../config/index.ts';
import { listFunctions } from '../runtime/index.ts';
import { compileWorkflow } from '../compiler/index.ts';
import { closest, type Diagnostic } from '../diagnostics/index.ts';
import { commandAction, type CliCommand, type CliContext } from './cli-context.ts';
import { confOption, type ConfOptions } from './conf-option.ts';
import { ExitCode } from './exit-codes.ts';
import { UsageError } from './usage-error.ts';
import { checkWithArgs } from './check-with-args.ts';
import { countDiagnostics, plural, renderDiagnostics } from './print-diagnostics.ts';

/**
 * `wf validate [--conf DIR] [--registry PATH ...] [NAME ...]`: loads and checks workflows (all of them, or the named
 * ones), prints every diagnostic on stderr, then a one-line summary: `3 workflows valid` on stdout,
 * or `validation failed: 2 errors, 0 warnings` on stderr. Exit 0 when there is no error (warnings
 * allowed), 1 otherwise.
 */
export const validateCommand: CliCommand = {
  name: 'validate',
  register(program, ctx) {
    program
      .command('validate')
      .description('check workflows and report every problem with its file, line and column')
      .argument('[names...]', 'workflows to check (default: every workflow in the config directory)')
      .addOption(confOption())
      .addOption(registryOption('modules with tag()-registered functions: check the functions `uses:` names'))
      .action(commandAction(ctx, (names: string[], opts: ValidateOptions) => validate(ctx, names, opts)));
  },
};

/** `wf validate` options. */
interface ValidateOptions extends ConfOptions {
  registry?: string[];
}

async function validate(ctx: CliContext, names: string[], opts: ValidateOptions): Promise<number> {
  const loaded = loadWorkflows({
    ...(opts.conf !== undefined ? { conf: opts.conf } : {}),
    ...(names.length ? { names } : {}),
    env: ctx.env,
    checkPythonSyntax: true,
  });
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  if (!diagnostics.some((d) => d.severity === 'error')) {
    const known = [...loaded.workflows.keys()];
    for (const name of names) {
      if (loaded.workflows.has(name)) continue;
      const near = closest(name, known);
      diagnostics.push({
        code: 'WF1005',
        severity: 'error',
        message: `no workflow named "${name}"`,
        note: known.length
          ? `known workflows are ${known.map((k) => `"${k}"`).join(', ')}${near ? `; did you mean "${near}"?` : ''}`
          : 'the config directory holds no workflows',
      });
    }
  }

  if (!diagnostics.some((d) => d.severity === 'error') && (await loadCommandRegistry(ctx, opts.registry, loaded.workflows.values()))) {
    diagnostics.push(...checkUses(loaded.workflows.values(), listFunctions()));
    diagnostics.push(...checkWithArgs(loaded.workflows.values()));
  }

  // What only the compiler can tell (Express limits, sizes, deploy-time values) is part of validating.
  if (!diagnostics.some((d) => d.severity === 'error')) {
    for (const workflow of loaded.workflows.values()) {
      diagnostics.push(...compileWorkflow(workflow, { workflows: loaded.workflows }).diagnostics.filter((d) => d.code !== 'WF6008'));
    }
  }
  ctx.err(renderDiagnostics(diagnostics, loaded.sources, ctx.paint));
  const failed = diagnostics.some((d) => d.severity === 'error');
  if (failed) {
    ctx.err(`${ctx.paint.red('validation failed')}: ${countDiagnostics(diagnostics)}\n`);
    return ExitCode.failure;
  }
  const count = names.length ? new Set(names).size : loaded.workflows.size;
  const warnings = diagnostics.length;
  ctx.out(`${plural(count, 'workflow')} valid${warnings ? `, ${plural(warnings, 'warning')}` : ''}\n`);
  return ExitCode.ok;
}
