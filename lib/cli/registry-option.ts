import { Option } from 'commander';

/**
 * `--registry PATH`: a module with tag()-registered functions, one per flag (repeat it for more).
 * It is not variadic, so it may stand anywhere on the line (`wf run --registry x.ts NAME` keeps NAME
 * as the workflow).
 */
export function registryOption(what = 'modules with tag()-registered functions for `uses:`'): Option {
  return new Option('--registry <path>', `${what}, one per --registry (also $WORKFLOW_CORE_REGISTRY_CALLER)`).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}
