/**
 * `npm run fuzz [-- SECONDS] [--target NAME] [--seed N]`: the fuzz targets of test/fuzz for a
 * time budget (default 60 s, or `FUZZ_SECONDS`), shared evenly between the targets. Prints the
 * number of inputs tried per target and every finding with its seed and counterexample; exits 1
 * when something was found (keep it as a regression case in test/fuzz/regressions.test.ts).
 *
 * The oracle target (generated workflows run locally and compared with test/oracle) can also run a
 * fixed number of workflows: `npm run fuzz -- --target oracle --runs 10000`; `--broken all` (or a
 * comma list of KNOWN_BROKEN names) adds the input classes with open bugs. A mismatch is shrunk and
 * printed as the workflow's YAML; with `--keep-going` every workflow runs, mismatches are counted
 * by their first line and the smallest workflow of each kind is printed (no shrinking).
 */
import '../lib/local/polyfill.ts';
import fc from 'fast-check';
import { SYNC_TARGETS } from '../test/fuzz/targets.ts';
import { checkRequest, rawRequest, startFuzzServer, stillServing } from '../test/fuzz/endpoint-target.ts';
import { checkAgainstOracle } from '../test/fuzz/oracle-target.ts';
import { KNOWN_BROKEN, oracleWorkflow, type BrokenClass, type GeneratedWorkflow } from '../test/fuzz/oracle-workflows.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const positional = process.argv.slice(2).find((a, i, all) => /^\d+(\.\d+)?$/.test(a) && !['--seed', '--target', '--runs', '--broken'].includes(all[i - 1] ?? ''));
const seconds = Number(positional ?? process.env.FUZZ_SECONDS ?? 60);
if (!Number.isFinite(seconds) || seconds <= 0) {
  process.stderr.write(`the time budget must be a number of seconds, got ${JSON.stringify(positional ?? process.env.FUZZ_SECONDS)}\n`);
  process.exit(2);
}
const seed = Number(option('--seed') ?? Date.now() % 2 ** 31);
const only = option('--target');

interface Row {
  target: string;
  inputs: number;
  seconds: number;
  finding?: string;
}

const sync = SYNC_TARGETS.filter((t) => !only || t.name.toLowerCase().includes(only.toLowerCase()));
const withEndpoint = !only || 'endpoint'.includes(only.toLowerCase()) || 'serve'.includes(only.toLowerCase());
const withOracle = !only || 'oracle'.includes(only.toLowerCase());
const runs = option('--runs') === undefined ? undefined : Number(option('--runs'));
const brokenOption = option('--broken');
const broken = new Set<BrokenClass>(brokenOption === 'all' ? (Object.keys(KNOWN_BROKEN) as BrokenClass[]) : ((brokenOption?.split(',').filter(Boolean) ?? []) as BrokenClass[]));
for (const b of broken) {
  if (!Object.hasOwn(KNOWN_BROKEN, b)) {
    process.stderr.write(`--broken: unknown class ${JSON.stringify(b)}; known: ${Object.keys(KNOWN_BROKEN).join(', ')}, or all\n`);
    process.exit(2);
  }
}
const targets = sync.length + (withEndpoint ? 1 : 0) + (withOracle ? 1 : 0);
const share = (seconds * 1000) / targets;
const rows: Row[] = [];
const log = (s: string): void => void process.stderr.write(`${s}\n`);

log(`fuzzing for ${seconds} s with seed ${seed} (${targets} targets, ${(share / 1000).toFixed(1)} s each${runs !== undefined ? `; the oracle: ${runs} workflows` : ''})`);
for (const target of sync) {
  const t0 = performance.now();
  const details = fc.check(
    fc.property(target.arbitrary as fc.Arbitrary<unknown>, (x) => (target.check as (x: unknown) => void)(x)),
    { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: share, markInterruptAsFailure: false },
  );
  rows.push({
    target: target.name,
    inputs: details.numRuns,
    seconds: (performance.now() - t0) / 1000,
    ...(details.failed ? { finding: `${String(details.errorInstance)}\ncounterexample: ${JSON.stringify(details.counterexample)}\npath: ${details.counterexamplePath}` } : {}),
  });
  log(`  ${target.name}: ${details.numRuns} inputs${details.failed ? ' — FOUND A BUG' : ''}`);
}

if (withEndpoint) {
  const s = await startFuzzServer();
  const t0 = performance.now();
  try {
    const details = await fc.check(
      fc.asyncProperty(rawRequest, async (r) => checkRequest(s.server.port, r)),
      { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: share, markInterruptAsFailure: false },
    );
    const serving = await stillServing(s.server.port);
    const problems = [
      ...(details.failed ? [`${String(details.errorInstance)}\ncounterexample: ${JSON.stringify(details.counterexample)?.slice(0, 2000)}\npath: ${details.counterexamplePath}`] : []),
      ...(serving ? [] : ['the server stopped answering']),
      ...s.internal.map((l) => `server log: ${l}`),
    ];
    rows.push({ target: 'local endpoint (startServer, raw HTTP)', inputs: details.numRuns, seconds: (performance.now() - t0) / 1000, ...(problems.length ? { finding: problems.join('\n') } : {}) });
    log(`  local endpoint: ${details.numRuns} requests${problems.length ? ' — FOUND A BUG' : ''}`);
  } finally {
    await s.stop();
  }
}

if (withOracle && process.argv.includes('--keep-going')) {
  const t0 = performance.now();
  const kinds = new Map<string, { count: number; yaml: string; message: string }>();
  const samples = fc.sample(oracleWorkflow(broken), { seed, numRuns: runs ?? 1000 });
  for (const [i, g] of samples.entries()) {
    if (i > 0 && i % 500 === 0) log(`  oracle: ${i} workflows, ${((performance.now() - t0) / 1000).toFixed(0)} s, ${[...kinds.values()].reduce((n, k) => n + k.count, 0)} mismatches`);
    try {
      await checkAgainstOracle(g, broken);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const kind = message.split('\n')[0]!.replace(/"(?:[^"\\]|\\.)*"/g, '"…"').replace(/\$\.jobs\.[^:]*/, '$.jobs…');
      const seen = kinds.get(kind);
      if (!seen) {
        kinds.set(kind, { count: 1, yaml: g.yaml, message });
        log(`  oracle: workflow ${i} — a new kind of mismatch: ${message.slice(0, 300)}`);
      }
      else {
        seen.count++;
        if (g.yaml.length < seen.yaml.length) Object.assign(seen, { yaml: g.yaml, message });
      }
    }
  }
  const total = [...kinds.values()].reduce((n, k) => n + k.count, 0);
  rows.push({
    target: `oracle, keep going (generated workflows run locally${broken.size ? `, with ${[...broken].join(', ')}` : ''})`,
    inputs: samples.length,
    seconds: (performance.now() - t0) / 1000,
    ...(total ? { finding: [...kinds.values()].map((k) => `${k.count} × ${k.message.slice(0, 2000)}\nsmallest workflow:\n${k.yaml}`).join('\n') } : {}),
  });
  log(`  oracle: ${samples.length} workflows, ${total} mismatches`);
} else if (withOracle) {
  const t0 = performance.now();
  let tried = 0;
  const details = await fc.check(
    fc.asyncProperty(oracleWorkflow(broken), async (g: GeneratedWorkflow) => {
      tried++;
      if (tried % 500 === 0) log(`  oracle: ${tried} workflows, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      await checkAgainstOracle(g, broken);
    }),
    runs !== undefined ? { seed, numRuns: runs } : { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: share, markInterruptAsFailure: false },
  );
  const shrunk = details.counterexample?.[0] as GeneratedWorkflow | undefined;
  rows.push({
    target: `oracle (generated workflows run locally${broken.size ? `, with ${[...broken].join(', ')}` : ''})`,
    inputs: details.numRuns,
    seconds: (performance.now() - t0) / 1000,
    ...(details.failed ? { finding: `${String((details.errorInstance as Error)?.message ?? details.errorInstance)}\nshrunk counterexample (path ${details.counterexamplePath}):\n${shrunk?.yaml ?? ''}` } : {}),
  });
  log(`  oracle: ${details.numRuns} workflows${details.failed ? ' — MISMATCH' : ''}`);
}

const width = Math.max(...rows.map((r) => r.target.length));
process.stdout.write(`\n${'target'.padEnd(width)}  ${'inputs'.padStart(9)}  ${'seconds'.padStart(7)}  result\n`);
for (const r of rows) process.stdout.write(`${r.target.padEnd(width)}  ${String(r.inputs).padStart(9)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.finding ? 'FINDING' : 'ok'}\n`);
process.stdout.write(`${'total'.padEnd(width)}  ${String(rows.reduce((n, r) => n + r.inputs, 0)).padStart(9)}  ${rows.reduce((n, r) => n + r.seconds, 0).toFixed(1).padStart(7)}  seed ${seed}\n`);
const findings = rows.filter((r) => r.finding);
for (const f of findings) process.stdout.write(`\n${f.target}:\n${f.finding}\n`);
process.exit(findings.length ? 1 : 0);
