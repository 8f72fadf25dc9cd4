/**
 * Generated workflows for the benchmarks (bench/run.ts). Every generator returns YAML text, so that
 * the same text can be timed through `yaml`'s `parse`, the loader and the compiler.
 */

/** The stage kinds of the scale mix, in the order they repeat. */
export const MIX = ['echo', 'bash', 'py', 'if'] as const;

/**
 * One stage of the scale mix, by its index in the job:
 * - `echo`: `{name, id, echo}`;
 * - `bash`: a script with an `env` map whose value is a param template;
 * - `py`: code with `vars` (a param template and a literal);
 * - `if`: an echo guarded by a native condition on a param (`params.on == true`).
 */
function mixStage(kind: (typeof MIX)[number], i: number): string {
  const head = `{ name: "step ${i}", id: s${i}`;
  switch (kind) {
    case 'echo':
      return `${head}, echo: "step ${i} of \${{ params.label }}" }`;
    case 'bash':
      return `${head}, bash: "echo \\"$LABEL\\" ${i}", env: { LABEL: "\${{ params.label }}", N: "${i}" } }`;
    case 'py':
      return `${head}, run: "y = x + k", vars: { x: "\${{ params.n }}", k: ${i} } }`;
    case 'if':
      return `${head}, if: "\${{ params.on == true }}", echo: "guarded ${i}" }`;
  }
}

/**
 * A workflow of `stages` stages of the scale mix (echo, bash with env, py with vars, stage `if`,
 * in turn), spread over jobs of `perJob` stages (the last one shorter), each job needing the one
 * before it.
 */
export function scaleWorkflow(stages: number, perJob = 100, name = 'scale'): string {
  const lines = [
    `${name}:`,
    '  type: Workflow',
    '  params:',
    '    label: { type: str, default: bench }',
    '    n: { type: int, default: 1 }',
    '    on: { type: bool, default: true }',
    '  jobs:',
  ];
  const jobs = Math.max(1, Math.ceil(stages / perJob));
  let i = 0;
  for (let j = 0; j < jobs; j++) {
    lines.push(`    j${j}:`);
    if (j > 0) lines.push(`      needs: [j${j - 1}]`);
    lines.push('      stages:');
    const count = Math.min(perJob, stages - j * perJob);
    for (let k = 0; k < count; k++, i++) lines.push(`        - ${mixStage(MIX[i % MIX.length]!, i)}`);
  }
  return lines.join('\n') + '\n';
}

/** A chain of `n` echo stages in one job. */
export function chainWorkflow(n: number, name = 'chain'): string {
  const stages = Array.from({ length: n }, (_, i) => `        - { name: e${i}, echo: hi }`);
  return [`${name}:`, '  type: Workflow', '  jobs:', '    j:', '      stages:', ...stages].join('\n') + '\n';
}

/** A root job, `n` jobs needing it, and one job needing all `n`: one echo stage each. */
export function fanOutWorkflow(n: number, name = 'fanout'): string {
  const lines = [`${name}:`, '  type: Workflow', '  jobs:', '    root: { stages: [ { name: r, echo: hi } ] }'];
  for (let i = 0; i < n; i++) lines.push(`    f${i}: { needs: [root], stages: [ { name: e, echo: hi } ] }`);
  lines.push(`    join: { needs: [${Array.from({ length: n }, (_, i) => `f${i}`).join(', ')}], stages: [ { name: j, echo: hi } ] }`);
  return lines.join('\n') + '\n';
}

/** The registry, function and tag of the `call` stage in {@link mixedWorkflow}. */
export const CALL = { registry: 'bench', alias: 'double', uses: 'bench/double@latest' } as const;

/** What {@link mixedWorkflow} executes, counted by hand from its text (see its comments). */
export interface MixedCounts {
  /** Stage executions: every stage run once per foreach item, until iteration and matrix strategy; a container stage (case, foreach, until) counts once itself; a skipped stage counts once. */
  executed: number;
  /** Executions of bash, py and call stages (not skipped): the floor of Lambda invocations. */
  actions: number;
  /** Executions per kind. */
  byKind: Record<string, number>;
}

/**
 * The mixed workflow the transition and invocation figures are taken on: every construct the issue
 * names (echo, bash, py, call, if, case, foreach, until, matrix), in `blocks` copies of one block
 * in job `a`, then a matrix job. Returns the text and the executions it makes.
 */
export function mixedWorkflow(blocks = 2, name = 'mixed'): { text: string; counts: MixedCounts } {
  const byKind: Record<string, number> = {};
  const add = (kind: string, n = 1): void => void (byKind[kind] = (byKind[kind] ?? 0) + n);
  const stages: string[] = [];
  const FOREACH = 3;
  const UNTIL = 3;
  const MATRIX = 3;
  for (let b = 0; b < blocks; b++) {
    stages.push(
      `{ name: e${b}, id: e${b}, echo: "block ${b}" }`,
      `{ name: b${b}, id: b${b}, bash: "echo \\"$LABEL\\"", env: { LABEL: "\${{ params.label }}" } }`,
      `{ name: p${b}, id: p${b}, run: "y = x + 1", vars: { x: "\${{ params.n }}" } }`,
      `{ name: c${b}, id: c${b}, uses: "${CALL.uses}", with: { v: "\${{ params.n }}" } }`,
      `{ name: on${b}, id: on${b}, if: "\${{ params.on == true }}", echo: "runs" }`,
      `{ name: off${b}, id: off${b}, if: "\${{ params.on == false }}", echo: "skipped" }`,
      `{ name: case${b}, id: case${b}, case: "\${{ params.env }}", match: [ { case: dev, stages: [ { name: d, id: d, echo: dev } ] }, { case: _, stages: [ { name: o, id: o, echo: other } ] } ] }`,
      `{ name: fe${b}, id: fe${b}, foreach: [${Array.from({ length: FOREACH }, (_, i) => i + 1).join(', ')}], stages: [ { name: x, id: x, echo: "item \${{ item }}" } ] }`,
      `{ name: un${b}, id: un${b}, item: 0, until: "\${{ item >= ${UNTIL} }}", stages: [ { name: inc, id: inc, run: "item = \${{ item }} + 1" } ] }`,
    );
    add('echo'); // e
    add('bash'); // b
    add('py'); // p
    add('call'); // c
    add('if (runs)'); // on
    add('if (skipped)'); // off
    add('case', 2); // the case stage and the matched branch's stage
    add('foreach', 1 + FOREACH); // the foreach stage and one stage per item
    add('until', 1); // the until stage
    add('py', UNTIL); // its py stage, once per iteration
  }
  add('matrix echo', MATRIX);
  const text = [
    `${name}:`,
    '  type: Workflow',
    '  params:',
    '    label: { type: str, default: bench }',
    '    n: { type: int, default: 1 }',
    '    on: { type: bool, default: true }',
    '    env: { type: str, default: dev }',
    '  jobs:',
    '    a:',
    '      stages:',
    ...stages.map((s) => `        - ${s}`),
    '    m:',
    '      needs: [a]',
    `      strategy: { matrix: { k: [${Array.from({ length: MATRIX }, (_, i) => i + 1).join(', ')}] } }`,
    '      stages:',
    '        - { name: mx, id: mx, echo: "k = ${{ matrix.k }}" }',
  ].join('\n') + '\n';
  const executed = Object.values(byKind).reduce((a, b) => a + b, 0);
  const actions = (byKind.bash ?? 0) + (byKind.py ?? 0) + (byKind.call ?? 0);
  return { text, counts: { executed, actions, byKind } };
}
