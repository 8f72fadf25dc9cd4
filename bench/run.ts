/**
 * `npm run bench`: every figure of docs/performance.md in one run, on generated workflows.
 * Prints a table (each figure with its target and PASS/MISS) and writes bench/results.json.
 * Asserts nothing: a missed target is reported, never an exit code.
 * `--quick`: fewer repetitions. `--doc`: also pastes the tables into docs/performance.md (between
 * its `<!-- bench:... -->` markers).
 *
 * Sections: compile speed and definition size (compile-scale.ts), transitions and runner
 * invocations on the local engine (engine-costs.ts, construct-costs.ts), the local engine's
 * per-stage overhead (local-overhead.ts), a foreach over 100,000 items (large-foreach.ts), and
 * the job plan's makespan on random DAGs (dag-makespan.ts), and the built `wf` command's start-up
 * beside a bare node's (startup.ts).
 */
import '../lib/local/polyfill.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MAX_DEFINITION_BYTES, loadOne, maxStagesUnder, measureScale, validateParts, type ScaleFigures } from './compile-scale.ts';
import { constructCosts } from './construct-costs.ts';
import { dagMakespan } from './dag-makespan.ts';
import { countRun, measureMixed, registerBenchFunctions } from './engine-costs.ts';
import { scaleWorkflow } from './generate.ts';
import { measureLocalOverhead } from './local-overhead.ts';
import { HISTORY_LIMIT, largeForeach } from './large-foreach.ts';
import { measureStartup } from './startup.ts';

/** us-east-1 list prices used for the dollar figures (see docs/performance.md). */
export const PRICES = {
  standardPerTransition: 0.025 / 1000,
  lambdaPerRequest: 0.2 / 1_000_000,
  lambdaArmPerGbSecond: 0.0000133334,
  expressPerRequest: 1.0 / 1_000_000,
  expressPerGbSecond: 0.00001667,
};

/** Reference figures the issue gives for the local engine, per no-op stage. */
const REFERENCE = { chain: 2.3, fanOut: 6.5, seed: 190 };

type Status = 'PASS' | 'MISS' | 'info';
interface Row {
  figure: string;
  value: string;
  target: string;
  status: Status;
  note: string;
}

const started = performance.now();
const loadAtStart = loadavg()[0]!;
const quick = process.argv.includes('--quick');
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const ms = (x: number): string => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const pass = (ok: boolean): Status => (ok ? 'PASS' : 'MISS');

// 0. Start-up of the built command, beside `node -e 0` measured in the same run.
log('start-up: wf --version, wf validate, wf run hello');
const startup = measureStartup(quick ? 5 : 11);
const rows0: Row[] = [
  { figure: 'startup: node -e 0 (floor)', value: `${ms(startup.nodeMs)} ms`, target: '—', status: 'info', note: `median of ${startup.reps}, interleaved with the rows below` },
  { figure: 'startup: wf --version', value: `${ms(startup.versionMs)} ms`, target: '≤ 2.5× node', status: pass(startup.versionMs <= 2.5 * startup.nodeMs), note: `${(startup.versionMs / startup.nodeMs).toFixed(2)}× node` },
  { figure: 'startup: wf validate (conf/)', value: `${ms(startup.validateMs)} ms`, target: '≤ 300 ms', status: pass(startup.validateMs <= 300), note: `${(startup.validateMs / startup.nodeMs).toFixed(1)}× node; python3 checks the py blocks` },
  { figure: 'startup: wf run hello --no-audit', value: `${ms(startup.runHelloMs)} ms`, target: '≤ 600 ms', status: pass(startup.runHelloMs <= 600), note: `${(startup.runHelloMs / startup.nodeMs).toFixed(1)}× node; bash and python3 stages included` },
];

// 1. Compile speed and definition size.
const sizes: Array<[number, number]> = quick ? [[100, 3], [1000, 2], [10_000, 1]] : [[100, 9], [1000, 5], [10_000, 3]];
const scale: ScaleFigures[] = [];
for (const [stages, reps] of sizes) {
  log(`compile: ${stages} stages × ${reps}`);
  scale.push(measureScale(stages, reps));
}
const at = (n: number): ScaleFigures => scale.find((s) => s.stages === n)!;
const growth = at(10_000).compileMsPer1kStages / at(100).compileMsPer1kStages;
const growthUnsplit = at(10_000).compileUnsplitMs / 10_000 / (at(100).compileUnsplitMs / 100);
log('definition size: searching for the largest workflow under 1 MB');
const under = maxStagesUnder(MAX_DEFINITION_BYTES);
log('definition size: the 10,000-stage workflow\'s parts, each checked with asl-validator');
const parts10k = validateParts(10_000);

// 2. Transitions and invocations (local engine event log).
registerBenchFunctions();
log('local engine: mixed workflow');
const mixed = await measureMixed(2);
log('local engine: 100-stage scale mix');
const flat = await countRun(loadOne(scaleWorkflow(100), 'scale'));
const flatFigures = { stages: 100, actions: 50, ...flat, transitionsPerStage: flat.transitions / 100, invocationsPerActionStage: flat.invocations / 50 };
log('local engine: per-construct costs');
const constructs = await constructCosts();

// 3. Local overhead per no-op stage.
log('local engine: per-stage overhead');
const overhead = await measureLocalOverhead(50, quick ? 7 : 41);

// 4. A foreach over 100,000 items: history per execution (computed), and a scaled-down local run.
log('large foreach: 100,000 items (computed), 2,000 items on the local engine');
const large = await largeForeach();

// 5. Makespan of the job plan on random DAGs.
log('job plan: random DAGs');
const dag12 = dagMakespan(500, 12);
const dag30 = dagMakespan(500, 30);
const dag12sp = dagMakespan(500, 12, 0.25, 42, false);
const dag30sp = dagMakespan(500, 30, 0.25, 42, false);

// The table.
const rows: Row[] = [...rows0];
for (const s of scale) {
  rows.push({
    figure: `compile_ms_per_1k_stages (${int(s.stages)} stages)`,
    value: ms(s.compileMsPer1kStages),
    target: s.stages === 10_000 ? '< 100 (1 s for 10,000)' : '—',
    status: s.stages === 10_000 ? pass(s.compileMs < 1000) : 'info',
    note: `compile ${ms(s.compileMs)} ms${s.partBytes.length > 1 ? ` (split into ${s.partBytes.length - 1} job machines; unsplit ${ms(s.compileUnsplitMs)} ms)` : ''}; parse ${ms(s.parseMs)} ms; load ${ms(s.loadMs)} ms (median of ${s.repetitions})`,
  });
}
rows.push({ figure: 'compile growth (ms/1k at 10,000 ÷ at 100)', value: growth.toFixed(2), target: '— (1.0 = linear)', status: 'info', note: `unsplit: ${growthUnsplit.toFixed(2)}` });
for (const s of scale) {
  rows.push({ figure: `compile_to_parse_ratio (${int(s.stages)} stages)`, value: s.compileToParseRatio.toFixed(2), target: '≤ 3', status: pass(s.compileToParseRatio <= 3), note: `load/parse ${s.loadToParseRatio.toFixed(2)}` });
}
for (const s of scale) {
  rows.push({ figure: `asl_bytes_per_stage (${int(s.stages)} stages)`, value: int(s.aslBytesPerStage), target: '—', status: 'info', note: `${int(s.aslBytes)} B compact, ${int(s.states)} states` });
}
rows.push({
  figure: 'max_stages_under_1mb',
  value: int(under.stages),
  target: '—',
  status: 'info',
  note: `${int(under.bytes)} B at ${int(under.stages)} stages (${under.probes.length} compiles); 10,000 stages in one machine needs ≤ ${int(MAX_DEFINITION_BYTES / 10_000)} B/stage`,
});
rows.push({
  figure: '10,000-stage workflow: every deployed part ≤ 1 MB and valid',
  value: `${parts10k.parts} part${parts10k.parts > 1 ? 's' : ''}, largest ${int(parts10k.largestBytes)} B`,
  target: 'each part ≤ 1,048,576 B, asl-validator clean',
  status: pass(parts10k.allUnder1mb && parts10k.invalid.length === 0),
  note: `${parts10k.invalid.length ? `invalid: ${parts10k.invalid.length} (${parts10k.invalid[0]})` : 'all valid'}; ${[...new Set(at(10_000).diagnostics.filter((d) => /^WF600[238]/.test(d)).map((d) => d.split(' ')[0]))].join(', ') || 'no limit diagnostics'}`,
});
rows.push({
  figure: 'foreach over 100,000 items: history events per execution (computed)',
  value: `run ${int(large.parentEvents)}, each chunk ${int(large.chunkEvents)}`,
  target: `each < ${int(HISTORY_LIMIT)}`,
  status: pass(large.parentEvents < HISTORY_LIMIT && large.chunkEvents < HISTORY_LIMIT),
  note: `batch: auto → ${large.chunks} chunks of ${large.chunkSize} items; unbatched, one execution: ${int(large.unbatchedEvents)}`,
});
rows.push({
  figure: `scaled down: ${int(large.local.items)} items in chunks of ${large.local.batch}, local engine`,
  value: `${large.local.status}, ${large.local.executions} executions`,
  target: 'events recorded ≤ computed',
  status: pass(large.local.status === 'SUCCESS' && large.local.parentRecorded <= large.local.parentBound && large.local.chunkRecorded <= large.local.chunkBound),
  note: `recorded run ${int(large.local.parentRecorded)} (computed ${int(large.local.parentBound)}), largest chunk ${int(large.local.chunkRecorded)} (computed ${int(large.local.chunkBound)}); ${ms(large.local.ms)} ms`,
});
rows.push({
  figure: 'transitions_per_stage (mixed workflow)',
  value: mixed.transitionsPerStage.toFixed(2),
  target: '≤ 1.3 (floor 1.0)',
  status: pass(mixed.transitionsPerStage <= 1.3),
  note: `${mixed.transitions} transitions for ${mixed.counts.executed} stage runs (${mixed.status})`,
});
rows.push({
  figure: 'transitions_per_stage (100-stage scale mix)',
  value: flatFigures.transitionsPerStage.toFixed(2),
  target: '≤ 1.3 (floor 1.0)',
  status: pass(flatFigures.transitionsPerStage <= 1.3),
  note: `${flat.transitions} transitions for 100 stage runs (${flat.status})`,
});
rows.push({
  figure: 'lambda_invocations_per_action_stage (mixed)',
  value: mixed.lambdaInvocationsPerActionStage.toFixed(2),
  target: '1.00 (floor: 0 for native)',
  status: pass(mixed.invocationsAboveFloor <= 0),
  note: `${mixed.invocations} invocations for ${mixed.counts.actions} bash/py/call runs; above floor: ${aboveFloor(mixed.invocationsByState, mixed.invocationsAboveFloor)}`,
});
rows.push({
  figure: 'lambda_invocations_per_action_stage (scale mix)',
  value: flatFigures.invocationsPerActionStage.toFixed(2),
  target: '1.00 (floor: 0 for native)',
  status: pass(flat.invocations <= 50),
  note: `${flat.invocations} invocations for 50 bash/py runs`,
});
rows.push({
  figure: 'local_stage_overhead_ms (50-stage chain)',
  value: ms(overhead.chain.perStageMs),
  target: `< 1 (reference engine ${REFERENCE.chain}; seed ~${REFERENCE.seed})`,
  status: pass(overhead.chain.perStageMs < 1),
  note: `run ${ms(overhead.chain.runMs)} ms − empty run ${ms(overhead.emptyRunMs)} ms; middle half ${range(overhead.chain.perStageIqr)}`,
});
rows.push({
  figure: 'local_stage_overhead_ms (50-way fan-out + join)',
  value: ms(overhead.fanOut.perStageMs),
  target: `< 1 (reference engine ${REFERENCE.fanOut}; seed ~${REFERENCE.seed})`,
  status: pass(overhead.fanOut.perStageMs < 1),
  note: `run ${ms(overhead.fanOut.runMs)} ms − empty run; middle half ${range(overhead.fanOut.perStageIqr)}`,
});
rows.push({
  figure: 'local run fixed cost (1 echo stage)',
  value: ms(overhead.emptyRunMs),
  target: '—',
  status: 'info',
  note: `first run in the process (compiles): ${ms(overhead.emptyFirstRunMs)} ms, chain ${ms(overhead.chain.firstRunMs)} ms, fan-out ${ms(overhead.fanOut.firstRunMs)} ms; engine execution alone per stage: chain ${overhead.chain.executionPerStageMs.toFixed(3)}, fan-out ${overhead.fanOut.executionPerStageMs.toFixed(3)} ms`,
});
for (const [size, d, sp] of [[12, dag12, dag12sp], [30, dag30, dag30sp]] as const) {
  rows.push({
    figure: `dag_makespan_ratio (500 DAGs of ${size} jobs)`,
    value: d.mean.toFixed(3),
    target: '≤ 1.05 (mean)',
    status: pass(d.mean <= 1.05),
    note: `p95 ${d.p95.toFixed(3)}, worst ${d.worst.toFixed(3)}, exact ${(d.exact * 100).toFixed(1)} %; series-parallel plan alone (Express, max-job-parallel): mean ${sp.mean.toFixed(3)}, exact ${(sp.exact * 100).toFixed(1)} %`,
  });
}

function aboveFloor(byState: Record<string, number>, extra: number): string {
  if (extra <= 0) return 'none';
  const names = Object.keys(byState).filter((n) => /collect|eval|prepare|evaluate/.test(n));
  return `${extra} (${names.join(', ') || 'see results.json'})`;
}
function range([a, b]: [number, number]): string {
  return `${ms(a)}–${ms(b)}`;
}

function table(header: string[], body: string[][]): string {
  const esc = (c: string): string => c.replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

const costRows = constructs.map((c) => {
  const dollars = c.extraTransitions * PRICES.standardPerTransition + c.extraInvocations * PRICES.lambdaPerRequest;
  return [c.construct, String(c.transitions), String(c.invocations), `${c.extraTransitions >= 0 ? '+' : ''}${c.extraTransitions}`, `${c.extraInvocations >= 0 ? '+' : ''}${c.extraInvocations}`, `$${(dollars * 1_000_000).toFixed(2)}`];
});

const mainTable = table(['figure', 'value', 'target', 'status', 'note'], rows.map((r) => [r.figure, r.value, r.target, r.status, r.note]));
const costTable = table(['construct (+ one echo, one job)', 'transitions', 'invocations', 'transitions over the 1-echo run', 'invocations over it', 'Standard, per 1M runs (transitions + requests over it)'], costRows);
const seconds = (performance.now() - started) / 1000;
const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${availableParallelism()} cores, node ${process.version}, load average ${loadAtStart.toFixed(1)} at start`;
console.log(`\n${mainTable}\n\nPer construct (local engine; baseline: a run with one echo stage in one job, ${constructs[0]!.transitions} transitions):\n\n${costTable}\n\n${machine}; ${seconds.toFixed(0)} s${quick ? ' (--quick)' : ''}`);

const results = {
  generatedAt: new Date().toISOString(),
  machine,
  seconds,
  quick,
  figures: {
    startup_ms: { node: startup.nodeMs, version: startup.versionMs, validate: startup.validateMs, run_hello: startup.runHelloMs },
    compile_ms_per_1k_stages: Object.fromEntries(scale.map((s) => [s.stages, s.compileMsPer1kStages])),
    compile_ms: Object.fromEntries(scale.map((s) => [s.stages, s.compileMs])),
    compile_growth_10k_over_100: growth,
    compile_to_parse_ratio: Object.fromEntries(scale.map((s) => [s.stages, s.compileToParseRatio])),
    load_ms: Object.fromEntries(scale.map((s) => [s.stages, s.loadMs])),
    load_to_parse_ratio: Object.fromEntries(scale.map((s) => [s.stages, s.loadToParseRatio])),
    asl_bytes_per_stage: Object.fromEntries(scale.map((s) => [s.stages, s.aslBytesPerStage])),
    max_stages_under_1mb: under.stages,
    parts_10k: { parts: parts10k.parts, largest_bytes: parts10k.largestBytes, all_under_1mb: parts10k.allUnder1mb, invalid: parts10k.invalid, bytes: at(10_000).partBytes },
    compile_unsplit_ms: Object.fromEntries(scale.map((s) => [s.stages, s.compileUnsplitMs])),
    transitions_per_stage: mixed.transitionsPerStage,
    transitions_per_stage_scale_mix: flatFigures.transitionsPerStage,
    lambda_invocations_per_action_stage: mixed.lambdaInvocationsPerActionStage,
    lambda_invocations_per_action_stage_scale_mix: flatFigures.invocationsPerActionStage,
    local_stage_overhead_ms: { chain: overhead.chain.perStageMs, fan_out: overhead.fanOut.perStageMs },
    local_empty_run_ms: overhead.emptyRunMs,
    local_first_run_ms: { empty: overhead.emptyFirstRunMs, chain: overhead.chain.firstRunMs, fan_out: overhead.fanOut.firstRunMs },
    dag_makespan_ratio: { jobs12: dag12, jobs30: dag30, series_parallel_only: { jobs12: dag12sp, jobs30: dag30sp } },
    foreach_100k: { chunk_size: large.chunkSize, chunks: large.chunks, parent_events: large.parentEvents, chunk_events: large.chunkEvents, unbatched_events: large.unbatchedEvents, local: large.local },
  },
  targets: rows,
  details: { scale, maxStagesProbes: under.probes, mixed, scaleMixRun: flatFigures, constructs, overhead, prices: PRICES, reference: REFERENCE },
};
const out = fileURLToPath(new URL('./results.json', import.meta.url));
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`wrote ${out}`);

if (process.argv.includes('--doc')) {
  const doc = fileURLToPath(new URL('../docs/performance.md', import.meta.url));
  let text = readFileSync(doc, 'utf8');
  const paste = (block: string, body: string): void => {
    const re = new RegExp(`(<!-- bench:${block}:begin -->)[\\s\\S]*?(<!-- bench:${block}:end -->)`);
    if (!re.test(text)) throw new Error(`docs/performance.md has no bench:${block} markers`);
    text = text.replace(re, (_, a: string, b: string) => `${a}\n${body}\n${b}`);
  };
  paste('table', mainTable);
  paste('constructs', costTable);
  paste('machine', `From \`npm run bench\` on ${machine}, ${results.generatedAt.slice(0, 10)} (${seconds.toFixed(0)} s${quick ? ', --quick' : ''}):`);
  writeFileSync(doc, text);
  console.log(`updated ${doc}`);
}
