/**
 * Compile speed and definition size on generated workflows of the scale mix (bench/generate.ts):
 * `yaml`'s `parse`, the loader (`loadWorkflowsFromText`) and the compiler (`compileWorkflow` on the
 * loaded model) timed separately, and the largest workflow whose compact definition fits in one
 * machine of 1 MB without splitting.
 *
 * `compileWorkflow` splits a workflow past one machine's limits into one child machine per job
 * (`split: 'auto'`, the default). Compile time is taken with the default (what `wf compile` and
 * the CDK app do), and also with `split: 'off'`; sizes per stage are those of the unsplit machine.
 */
import { parse } from 'yaml';
import { loadWorkflowsFromText, type Workflow } from '../lib/config/index.ts';
import aslValidator from 'asl-validator';
import { compileWorkflow, type CompiledWorkflow } from '../lib/compiler/index.ts';
import { scaleWorkflow } from './generate.ts';
import { median, timeOnce } from './timing.ts';
import { countStates } from './machine.ts';

/** Step Functions' limit on a state machine definition. */
export const MAX_DEFINITION_BYTES = 1_048_576;

/** Loads one generated workflow; throws with the loader's messages when it does not load. */
export function loadOne(text: string, name: string): Workflow {
  const { workflows, diagnostics } = loadWorkflowsFromText({ 'bench.yml': text });
  const w = workflows.get(name);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!w || errors.length) throw new Error(`generated workflow "${name}" did not load: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return w;
}

/**
 * The compact definitions a compile deploys, in bytes: the machine itself, and any child machines
 * the compiler split off (looked for generically, as lists or maps of objects with a `json` text).
 */
export function deployedParts(c: CompiledWorkflow): number[] {
  const sizes = [Buffer.byteLength(c.json, 'utf8')];
  for (const [key, value] of Object.entries(c as unknown as Record<string, unknown>)) {
    if (key === 'json' || value === null || typeof value !== 'object') continue;
    const items = Array.isArray(value) ? value : Object.values(value);
    for (const item of items) {
      const json = (item as { json?: unknown } | null)?.json;
      if (typeof json === 'string') sizes.push(Buffer.byteLength(json, 'utf8'));
    }
  }
  return sizes;
}

/** Figures for one workflow size. */
export interface ScaleFigures {
  stages: number;
  jobs: number;
  yamlBytes: number;
  repetitions: number;
  parseMs: number;
  loadMs: number;
  /** Median compile time with the default options (split when needed). */
  compileMs: number;
  /** Median compile time of the single, unsplit machine (`split: 'off'`). */
  compileUnsplitMs: number;
  compileMsPer1kStages: number;
  compileToParseRatio: number;
  loadToParseRatio: number;
  /** Compact size of the unsplit machine. */
  aslBytes: number;
  aslBytesPerStage: number;
  /** States of the unsplit machine. */
  states: number;
  /** Sizes of every deployed part with the default options (the machine first, then its children). */
  partBytes: number[];
  /** Diagnostics of the default compile. */
  diagnostics: string[];
}

/** Times parse, load and compile of a `stages`-stage workflow: one warm-up, then the median of `reps`. */
export function measureScale(stages: number, reps: number): ScaleFigures {
  const text = scaleWorkflow(stages);
  const w = loadOne(text, 'scale');
  // Warm-up: every step once.
  parse(text);
  loadWorkflowsFromText({ 'bench.yml': text });
  let compiled = compileWorkflow(w);
  let unsplit = compileWorkflow(w, { split: 'off' });
  const parseMs: number[] = [];
  const loadMs: number[] = [];
  const compileMs: number[] = [];
  const unsplitMs: number[] = [];
  for (let r = 0; r < reps; r++) {
    parseMs.push(timeOnce(() => parse(text)));
    loadMs.push(timeOnce(() => loadWorkflowsFromText({ 'bench.yml': text })));
    compileMs.push(timeOnce(() => (compiled = compileWorkflow(w))));
    unsplitMs.push(timeOnce(() => (unsplit = compileWorkflow(w, { split: 'off' }))));
  }
  const p = median(parseMs);
  const l = median(loadMs);
  const c = median(compileMs);
  const aslBytes = Buffer.byteLength(unsplit.json, 'utf8');
  const states = countStates(unsplit.definition);
  return {
    stages,
    jobs: Object.keys(w.jobs).length,
    yamlBytes: Buffer.byteLength(text, 'utf8'),
    repetitions: reps,
    parseMs: p,
    loadMs: l,
    compileMs: c,
    compileUnsplitMs: median(unsplitMs),
    compileMsPer1kStages: (c / stages) * 1000,
    compileToParseRatio: c / p,
    loadToParseRatio: l / p,
    aslBytes,
    aslBytesPerStage: aslBytes / stages,
    states,
    partBytes: deployedParts(compiled),
    diagnostics: compiled.diagnostics.map((d) => `${d.code} ${d.message}`),
  };
}

/** The compact definition size of a generated workflow of `stages` stages, compiled as one machine. */
export function definitionBytes(stages: number): number {
  const c = compileWorkflow(loadOne(scaleWorkflow(stages), 'scale'), { split: 'off' });
  return Buffer.byteLength(c.json, 'utf8');
}

/** What the default compile of a `stages`-stage workflow deploys: each part's size, and asl-validator's verdict on each. */
export function validateParts(stages: number): { parts: number; largestBytes: number; allUnder1mb: boolean; invalid: string[]; ms: number } {
  const t = performance.now();
  const c = compileWorkflow(loadOne(scaleWorkflow(stages), 'scale'));
  const parts = [{ name: 'scale', json: c.json }, ...((c as { children?: Array<{ name: string; json: string }> }).children ?? [])];
  const invalid: string[] = [];
  let largestBytes = 0;
  for (const part of parts) {
    largestBytes = Math.max(largestBytes, Buffer.byteLength(part.json, 'utf8'));
    const v = aslValidator(JSON.parse(part.json), { checkPaths: true, checkArn: false });
    if (!v.isValid) invalid.push(`${part.name}: ${v.errorsText('; ').slice(0, 200)}`);
  }
  return { parts: parts.length, largestBytes, allUnder1mb: largestBytes <= MAX_DEFINITION_BYTES, invalid, ms: performance.now() - t };
}

/**
 * The largest stage count of the scale mix whose compact definition fits in 1 MB: doubling to
 * bracket it, then a binary search. `probes` lists every size tried.
 */
export function maxStagesUnder(limit = MAX_DEFINITION_BYTES, cap = 1_000_000): { stages: number; bytes: number; probes: Array<{ stages: number; bytes: number }> } {
  const probes: Array<{ stages: number; bytes: number }> = [];
  const size = (n: number): number => {
    const bytes = definitionBytes(n);
    probes.push({ stages: n, bytes });
    return bytes;
  };
  if (size(1) > limit) return { stages: 0, bytes: probes[0]!.bytes, probes };
  let lo = 1;
  let hi = 2;
  while (size(hi) <= limit) {
    lo = hi;
    if (hi >= cap) return { stages: hi, bytes: probes.at(-1)!.bytes, probes };
    hi = Math.min(cap, hi * 2);
  }
  // Invariant: lo fits, hi does not.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (size(mid) <= limit) lo = mid;
    else hi = mid;
  }
  return { stages: lo, bytes: probes.find((p) => p.stages === lo)!.bytes, probes };
}
