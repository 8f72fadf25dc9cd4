import { Option } from 'commander';
import { hasCallStages, registryModules, type Workflow } from '../config/index.ts';
import { loadRegistryModules } from '../runtime/index.ts';
import type { CliContext } from './cli-context.ts';
import { UsageError } from './usage-error.ts';

/**
 * `--registry PATH`: a module with tag()-registered functions, one per flag (repeat it for more).
 * It is not variadic, so it may stand anywhere on the line (`wf run --registry x.ts NAME` keeps NAME
 * as the workflow).
 */
export function registryOption(what = 'modules with tag()-registered functions for `uses:`'): Option {
  return new Option('--registry <path>', `${what}, one per --registry (default: $WORKFLOW_CORE_REGISTRY_CALLER, else the project's settings)`).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}

/**
 * Loads the registry modules of a command: the `--registry` flags and WORKFLOW_CORE_REGISTRY_CALLER,
 * else the project's settings (cdk.json context or package.json "sfn-workflow"). Those from the
 * settings load only when some of `workflows` has a call stage, so a run without calls does not
 * pay for them. Returns how many modules were loaded; a module that fails is a UsageError.
 */
export async function loadCommandRegistry(ctx: CliContext, given: readonly string[] | undefined, workflows: Iterable<Workflow>): Promise<number> {
  const { paths, fromSettings } = registryModules(given, ctx.env);
  if (!paths.length || (fromSettings && !hasCallStages(workflows))) return 0;
  try {
    await loadRegistryModules(paths);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return paths.length;
}
