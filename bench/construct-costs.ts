/**
 * Measures what each construct costs on the local engine: state transitions (states entered) and
 * runner invocations (Lambda Task states entered), for small workflows that use one construct each.
 * Prints a table; asserts nothing. Run: npx tsx bench/construct-costs.ts
 * `npm run bench` (bench/run.ts) reuses {@link constructCosts} for its per-construct breakdown.
 */
import '../lib/local/polyfill.ts';
import { loadWorkflowsFromText } from '../lib/config/index.ts';
import { compileWorkflow } from '../lib/compiler/index.ts';
import { runLocal } from '../lib/local/index.ts';
import { countStates, lambdaTaskNames } from './machine.ts';

export const cases: Record<string, string> = {
  'empty run (one echo)': `
    jobs: { j: { stages: [ { name: e, echo: hi } ] } }`,
  'echo with id': `
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: f, id: f, echo: hi } ] } }`,
  'bash': `
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: b, id: b, bash: "true" } ] } }`,
  'py (plain-path templates)': `
    params: { n: { type: int, default: 1 } }
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: p, id: p, run: "x = \${{ params.n }} + 1" } ] } }`,
  'stage if (native, true)': `
    params: { on: { type: bool, default: true } }
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: f, id: f, if: "\${{ params.on == true }}", echo: hi } ] } }`,
  'stage if (native, false → SKIP)': `
    params: { on: { type: bool, default: false } }
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: f, id: f, if: "\${{ params.on == true }}", echo: hi } ] } }`,
  'stage if (engine: contains())': `
    params: { s: { type: str, default: abc } }
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: f, id: f, if: "\${{ contains(params.s, 'b') }}", echo: hi } ] } }`,
  'case (path value)': `
    params: { env: { type: str, default: dev } }
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: c, id: c, case: "\${{ params.env }}", match: [ { case: dev, stages: [ { name: d, echo: d } ] }, { case: _, stages: [ { name: o, echo: o } ] } ] } ] } }`,
  'parallel (2 branches)': `
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: p, id: p, parallel: { a: [ { name: x, echo: a } ], b: [ { name: y, echo: b } ] } } ] } }`,
  'foreach (3 items, with id)': `
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: f, id: f, foreach: [1, 2, 3], stages: [ { name: x, echo: x } ] } ] } }`,
  'until (3 iterations)': `
    jobs: { j: { stages: [ { name: e, echo: hi }, { name: u, id: u, item: 0, until: "\${{ item >= 3 }}", stages: [ { name: i, id: i, run: "item = \${{ item }} + 1" } ] } ] } }`,
  'matrix (3 combinations)': `
    jobs: { j: { strategy: { matrix: { n: [1, 2, 3] } }, stages: [ { name: x, echo: x } ] } }`,
  'two jobs in parallel': `
    jobs: { a: { stages: [ { name: x, echo: x } ] }, b: { stages: [ { name: y, echo: y } ] } }`,
  'needs chain (2 jobs)': `
    jobs: { a: { stages: [ { name: x, echo: x } ] }, b: { needs: [a], stages: [ { name: y, echo: y } ] } }`,
};

/** One construct's measured cost; `extra*` are over the baseline run (one job, one echo). */
export interface ConstructCost {
  construct: string;
  status: string;
  transitions: number;
  invocations: number;
  states: number;
  extraTransitions: number;
  extraInvocations: number;
}

/** Runs every case on the local engine and counts its transitions and runner invocations. */
export async function constructCosts(): Promise<ConstructCost[]> {
  const out: ConstructCost[] = [];
  for (const [label, body] of Object.entries(cases)) {
    const text = `w:\n  type: Workflow\n${body.replace(/^\n/, '').replace(/^ {4}/gm, '  ')}\n`;
    const { workflows, diagnostics } = loadWorkflowsFromText({ 'w.yml': text });
    const w = workflows.get('w');
    if (!w) throw new Error(`${label}: ${diagnostics.map((d) => d.message).join('; ')}`);
    const compiled = compileWorkflow(w);
    const lambdaStates = lambdaTaskNames(compiled.definition);
    let transitions = 0;
    let invocations = 0;
    const doc = await runLocal(w, {
      onRawEvent: (ev) => {
        if (ev.type === 'StateEntered' && ev.state) {
          transitions++;
          if (lambdaStates.has(ev.state.name)) invocations++;
        }
      },
    });
    out.push({ construct: label, status: doc.status, transitions, invocations, states: countStates(compiled.definition), extraTransitions: 0, extraInvocations: 0 });
  }
  const base = out[0]!;
  for (const r of out) {
    r.extraTransitions = r.transitions - base.transitions;
    r.extraInvocations = r.invocations - base.invocations;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows: string[][] = [['construct', 'transitions', 'runner invocations', 'states in definition']];
  for (const r of await constructCosts()) rows.push([`${r.construct} (${r.status})`, String(r.transitions), String(r.invocations), String(r.states)]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}
