/**
 * The oracle comparison: a generated workflow goes through validate (loadWorkflowsFromText),
 * compile (compileWorkflow), AWS's rules (scanMachine on every machine) and a local run (runLocal),
 * and the run's result document must equal the oracle's (test/oracle/interpret.ts). Run-specific
 * fields are fixed rather than normalized (the run id and logical date are given to both); error
 * messages are compared only where the docs fix them (a `raise` stage's message is its text), error
 * names always; strategy keys are the documented ones.
 */
import '../../lib/local/polyfill.ts';
import { isDeepStrictEqual } from 'node:util';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { loadWorkflowsFromText } from '../../lib/config/index.ts';
import { runLocal } from '../../lib/local/index.ts';
import { scanMachine } from '../helpers/aws-rules.ts';
import { interpret } from '../oracle/interpret.ts';
import type { BrokenClass, GeneratedWorkflow } from './oracle-workflows.ts';

/** A difference between the implementation and the oracle, or a step that refused a valid workflow. */
export class OracleMismatch extends Error {
  constructor(
    readonly step: 'validate' | 'compile' | 'aws-rules' | 'run' | 'compare',
    message: string,
  ) {
    super(`${step}: ${message}`);
    this.name = 'OracleMismatch';
  }
}

const RUN_ID = 'oracle-run';
const LOGICAL_DATE = '2024-01-02T03:04:05Z';

/** Keeps error messages only where they are documented (raise), and sorts nothing else away. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (typeof o.name === 'string' && typeof o.message === 'string' && Object.keys(o).length === 2) {
    return o.name === 'RaiseError' ? o : { name: o.name, message: '' };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, normalize(x)]));
}

/** The first path where `a` and `b` differ, with both values. */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const k of new Set([...Object.keys(ao), ...Object.keys(bo)])) {
      const d = firstDifference(ao[k], bo[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path}: run ${JSON.stringify(a)}, oracle ${JSON.stringify(b)}`;
}

/** What a comparison checked, for the figures. */
export interface OracleCheck {
  machines: number;
  jobs: number;
}

/**
 * Runs one generated workflow through every step and compares; throws an `OracleMismatch`. The
 * oracle accepts the known-broken behaviours it can tell apart unless `broken` names them.
 */
export async function checkAgainstOracle(gen: GeneratedWorkflow, broken: ReadonlySet<BrokenClass> = new Set()): Promise<OracleCheck> {
  const loaded = loadWorkflowsFromText({ 'conf/wf.yml': gen.yaml });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new OracleMismatch('validate', errors.map((d) => `${d.location?.line}:${d.location?.col} ${d.code} ${d.message}`).join('\n'));
  const wf = loaded.workflows.get(gen.name);
  if (!wf) throw new OracleMismatch('validate', `no workflow ${gen.name}`);

  let compiled;
  try {
    compiled = compileWorkflow(wf, { workflows: loaded.workflows });
  } catch (e) {
    throw new OracleMismatch('compile', (e as Error).stack ?? String(e));
  }
  const compileErrors = compiled.diagnostics.filter((d) => d.severity === 'error');
  if (compileErrors.length) throw new OracleMismatch('compile', compileErrors.map((d) => `${d.code} ${d.message}`).join('\n'));
  for (const m of [compiled, ...compiled.children]) {
    const problems = await scanMachine(m.json);
    if (problems.length) throw new OracleMismatch('aws-rules', problems.join('\n'));
  }

  const params = Object.fromEntries(Object.values(wf.params).map((p) => [p.name, p.default]));
  const expected = interpret(wf, { params, runId: RUN_ID, logicalDate: LOGICAL_DATE, workflows: loaded.workflows });
  let actual;
  try {
    actual = await runLocal(wf, { workflows: loaded.workflows, runId: RUN_ID, release: { logical_date: LOGICAL_DATE, type: 'normal' }, retryWaitMs: 0 });
  } catch (e) {
    throw new OracleMismatch('run', (e as Error).stack ?? String(e));
  }

  const { failFast, ...oracleDoc } = expected;
  const run = normalize(actual) as Record<string, unknown> & { jobs: Record<string, Record<string, unknown>> };
  const want = normalize(oracleDoc) as typeof run;
  for (const [id, job] of Object.entries(run.jobs ?? {})) if (failFast.includes(id)) delete job.strategies;
  const diff = firstDifference(run, want);
  if (diff) throw new OracleMismatch('compare', diff);
  return { machines: 1 + compiled.children.length, jobs: Object.keys(wf.jobs).length };
}
