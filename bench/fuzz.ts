/**
 * `npm run fuzz [-- SECONDS] [--target NAME] [--seed N]`: the fuzz targets of test/fuzz for a
 * time budget (default 60 s, or `FUZZ_SECONDS`), shared evenly between the targets. Prints the
 * number of inputs tried per target and every finding with its seed and counterexample; exits 1
 * when something was found (keep it as a regression case in test/fuzz/regressions.test.ts).
 */
import '../lib/local/polyfill.ts';
import fc from 'fast-check';
import { SYNC_TARGETS } from '../test/fuzz/targets.ts';
import { checkRequest, rawRequest, startFuzzServer, stillServing } from '../test/fuzz/endpoint-target.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const positional = process.argv.slice(2).find((a, i, all) => /^\d+(\.\d+)?$/.test(a) && !['--seed', '--target'].includes(all[i - 1] ?? ''));
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
const share = (seconds * 1000) / (sync.length + (withEndpoint ? 1 : 0));
const rows: Row[] = [];
const log = (s: string): void => void process.stderr.write(`${s}\n`);

log(`fuzzing for ${seconds} s with seed ${seed} (${sync.length + (withEndpoint ? 1 : 0)} targets, ${(share / 1000).toFixed(1)} s each)`);
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

const width = Math.max(...rows.map((r) => r.target.length));
process.stdout.write(`\n${'target'.padEnd(width)}  ${'inputs'.padStart(9)}  ${'seconds'.padStart(7)}  result\n`);
for (const r of rows) process.stdout.write(`${r.target.padEnd(width)}  ${String(r.inputs).padStart(9)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.finding ? 'FINDING' : 'ok'}\n`);
process.stdout.write(`${'total'.padEnd(width)}  ${String(rows.reduce((n, r) => n + r.inputs, 0)).padStart(9)}  ${rows.reduce((n, r) => n + r.seconds, 0).toFixed(1).padStart(7)}  seed ${seed}\n`);
const findings = rows.filter((r) => r.finding);
for (const f of findings) process.stdout.write(`\n${f.target}:\n${f.finding}\n`);
process.exit(findings.length ? 1 : 0);
