/**
 * Where each state machine of an app goes: the app's own stack while everything fits in it, else
 * nested stacks. CloudFormation limits one template (1 MB through S3, 500 resources, 200 outputs),
 * and a workflow's definition is embedded in its template, so a few dozen workflows fill a stack.
 *
 * The placement is decided before anything is built, from each machine's estimated footprint (its
 * definition's size and the resources it makes), with a margin below the limits. A machine goes to
 * nested stack `jumpHash(name, n) + 1` of `n`: its place depends on its own name and `n` only, so
 * adding or removing workflows moves none of the others while `n` stays the same, and raising `n`
 * by one moves about one machine in `n + 1` (jump consistent hash, Lamping and Veach, 2014). `n`
 * is the fewest nested stacks in which every one fits, unless the app fixes it.
 */
import { createHash } from 'node:crypto';
import { formatDiagnostics, type Diagnostic } from '../diagnostics/index.ts';
import { WorkflowSynthError } from './workflow-synth-error.ts';

/** What a part of a template holds: bytes of template JSON, resources, outputs. */
export interface StackFootprint {
  bytes: number;
  resources: number;
  outputs: number;
}

/** One state machine to place, with what it adds to the template it goes to. */
export interface MachineToPlace {
  /** The state machine's name (what its place is hashed from). */
  name: string;
  /** The workflow it belongs to (a workflow's child machines are placed one by one). */
  workflow: string;
  footprint: StackFootprint;
}

/** Where the workflows go: only the app's stack, nested stacks when needed, or a given number of nested stacks. */
export type NestedStacksOption = 'auto' | 'off' | number;

/** Where every machine goes. */
export interface Placement {
  /** How many nested stacks there are (0: every machine is in the app's stack). */
  nestedStacks: number;
  /** The stack of each machine by name: 0 for the app's stack, 1 to `nestedStacks` for a nested stack. */
  stackOf: ReadonlyMap<string, number>;
}

/** CloudFormation's limits on one template that synth checks (the body counted as uploaded through S3). */
export const CLOUDFORMATION_LIMITS = { templateBytes: 1_000_000, resources: 500, outputs: 200, parameters: 200, mappings: 200 } as const;

/** What synth fills one stack up to by its estimates: 80% of CloudFormation's limits. */
export const STACK_BUDGET: StackFootprint = {
  bytes: CLOUDFORMATION_LIMITS.templateBytes * 0.8,
  resources: CLOUDFORMATION_LIMITS.resources * 0.8,
  outputs: CLOUDFORMATION_LIMITS.outputs * 0.8,
};

/** Template bytes allowed per resource beside a definition (roles, policies, log groups and schedules average under 1,000). */
export const BYTES_PER_RESOURCE = 1_500;

/** What one nested stack adds to the app's stack: its `AWS::CloudFormation::Stack` resource with the parameters it is passed. */
const NESTED_STACK_FOOTPRINT: StackFootprint = { bytes: 4_000, resources: 1, outputs: 0 };

/**
 * A stack past CloudFormation's limits (WF6011): what went wrong, the sizes that explain it (one
 * per line under `heading`, largest first as given), and the fix as the note.
 */
export function stackLimitsDiagnostic(problem: string, heading: string, sizes: readonly string[], fix: string): Diagnostic {
  const lines = sizes.length ? [`  ${heading}:`, ...sizes.map((s) => `    ${s}`)] : [];
  return { code: 'WF6011', severity: 'error', message: [problem, ...lines].join('\n'), note: fix };
}

/**
 * Places `machines` (see the file comment). `parent` is what the app's stack already holds. Throws
 * a {@link WorkflowSynthError} (WF6011) with every workflow's estimated size and the fix when they
 * cannot be placed within the budget: with `'off'` when they do not fit in one stack, otherwise
 * when one machine alone does not fit in a nested stack, or the app's stack cannot hold the nested
 * stacks.
 */
export function placeWorkflows(machines: readonly MachineToPlace[], parent: StackFootprint, option: NestedStacksOption = 'auto'): Placement {
  const all = add(parent, ...machines.map((m) => m.footprint));
  if (option === 'off' || (option === 'auto' && fits(all))) {
    if (!fits(all)) fail(machines, `the workflows do not fit in one stack (estimated ${describe(all)}) and nestedStacks is 'off'`, "set nestedStacks to 'auto' (the default) or to a number, or deploy the workflows as several stacks");
    return { nestedStacks: 0, stackOf: new Map(machines.map((m) => [m.name, 0])) };
  }
  const alone = machines.find((m) => !fits(m.footprint));
  if (alone) {
    fail(machines, `state machine "${alone.name}" of workflow "${alone.workflow}" alone does not fit in a stack (estimated ${describe(alone.footprint)})`, `deploy it as one machine per job (split: 'jobs'), or make the workflow smaller`);
  }
  const machinesOnly = add(...machines.map((m) => m.footprint));
  const most = Math.floor((STACK_BUDGET.resources - parent.resources) / NESTED_STACK_FOOTPRINT.resources);
  const least = typeof option === 'number' ? option : Math.max(1, ...(['bytes', 'resources', 'outputs'] as const).map((k) => Math.ceil(machinesOnly[k] / STACK_BUDGET[k])));
  for (let n = least; n <= (typeof option === 'number' ? option : most); n++) {
    const stackOf = new Map(machines.map((m) => [m.name, jumpHash(m.name, n) + 1]));
    const stacks = Array.from({ length: n }, (_, i) => add(...machines.filter((m) => stackOf.get(m.name) === i + 1).map((m) => m.footprint)));
    const over = stacks.findIndex((s) => !fits(s));
    if (over < 0) {
      if (!fits(add(parent, ...stacks.map(() => NESTED_STACK_FOOTPRINT)))) break;
      return { nestedStacks: n, stackOf };
    }
    if (typeof option === 'number') {
      fail(machines, `nested stack ${over + 1} of ${n} does not fit (estimated ${describe(stacks[over]!)})`, `raise nestedStacks, or set it to 'auto'`);
    }
  }
  return fail(machines, `the workflows do not fit in ${most} nested stacks next to what the app's stack holds (estimated ${describe(machinesOnly)}, and ${describe(parent)} in the app's stack)`, 'deploy the workflows as several stacks');
}

/**
 * Jump consistent hash (Lamping and Veach): the bucket in `[0, buckets)` of `key`, such that going
 * from `n` to `n + 1` buckets moves a key only into the new bucket, and about one key in `n + 1`.
 */
export function jumpHash(key: string, buckets: number): number {
  let state = createHash('sha256').update(key).digest().readBigUInt64BE(0);
  let bucket = -1;
  let next = 0;
  while (next < buckets) {
    bucket = next;
    state = (state * 2862933555777941757n + 1n) & 0xffff_ffff_ffff_ffffn;
    next = Math.floor((bucket + 1) * (2 ** 31 / (Number(state >> 33n) + 1)));
  }
  return bucket;
}

function add(...parts: StackFootprint[]): StackFootprint {
  return parts.reduce((a, b) => ({ bytes: a.bytes + b.bytes, resources: a.resources + b.resources, outputs: a.outputs + b.outputs }), { bytes: 0, resources: 0, outputs: 0 });
}

function fits(f: StackFootprint): boolean {
  return f.bytes <= STACK_BUDGET.bytes && f.resources <= STACK_BUDGET.resources && f.outputs <= STACK_BUDGET.outputs;
}

const number = (n: number): string => Math.round(n).toLocaleString('en-US');

const count = (n: number, what: string): string => `${number(n)} ${what}${n === 1 ? '' : 's'}`;

function describe(f: StackFootprint): string {
  return `${count(f.bytes, 'byte')}, ${count(f.resources, 'resource')}, ${count(f.outputs, 'output')}`;
}

function fail(machines: readonly MachineToPlace[], problem: string, fix: string): never {
  const byWorkflow = new Map<string, StackFootprint>();
  for (const m of machines) byWorkflow.set(m.workflow, add(byWorkflow.get(m.workflow) ?? { bytes: 0, resources: 0, outputs: 0 }, m.footprint));
  const sizes = [...byWorkflow].sort((a, b) => b[1].bytes - a[1].bytes).map(([name, f]) => `${name}: ${describe(f)}`);
  const limits = `a stack is filled to ${describe(STACK_BUDGET)} at most (80% of CloudFormation's limits)`;
  const diagnostic = stackLimitsDiagnostic(`${problem}; ${limits}`, 'estimated size of each workflow', sizes, fix);
  throw new WorkflowSynthError(formatDiagnostics([diagnostic]), [diagnostic]);
}
