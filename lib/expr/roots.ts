/**
 * The root names of the dialect and where each is available, so that a root used in the wrong
 * place is reported as "not available here" with the place it belongs, not as a typo.
 */

/** Every root name an expression may start with somewhere in a workflow. */
export const ALL_ROOTS = [
  'params',
  'release',
  'run',
  'env',
  'jobs',
  'needs',
  'stages',
  'matrix',
  'item',
  'loop',
  'branch',
  'case',
  'error',
  'retry',
] as const;

/** One of the dialect's root names. */
export type RootName = (typeof ALL_ROOTS)[number];

/** Where each root is available, completing "`x` is only available ...". */
export const ROOT_AVAILABILITY: Readonly<Record<RootName, string>> = {
  params: 'in a workflow',
  release: 'in a workflow',
  run: 'in a workflow',
  env: 'in a workflow',
  jobs: "in job outputs and later jobs' conditions",
  needs: 'in a job that declares needs, for the jobs it needs',
  stages: "inside a job's stages and its outputs",
  matrix: 'in a job with a strategy.matrix',
  item: 'inside the stages of a foreach or until stage (and in an until condition)',
  loop: 'inside the stages of a foreach or until stage (and in an until condition)',
  branch: 'inside the branches of a parallel stage',
  case: "inside the match stages of a case stage",
  error: 'inside the catch stages of a try stage (the failure of its try)',
  retry: 'inside a stage (the attempt number)',
};

/** True when `name` is one of the dialect's root names. */
export function isDialectRoot(name: string): name is RootName {
  return (ALL_ROOTS as readonly string[]).includes(name);
}
