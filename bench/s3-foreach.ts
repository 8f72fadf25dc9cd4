/**
 * A foreach over S3 at data-lake scale, on the local engine: N objects (default 100,000; `--n N`)
 * are put into the local S3 server, then a workflow loops over them (an echo stage per object,
 * batches of 1,000, 16 child executions at once). Printed: the wall time, peak memory and child
 * executions of the run, beside a floor measured in the same run (listing the same objects through
 * the SDK, which the Map's ItemReader must do at least).
 *
 * Then the cost per million items on AWS of the same work written three ways: an inline Map (a
 * foreach over a list param, in one execution: not runnable at that size, since its history would
 * pass 25,000 events, but priced), a batched foreach (`batch: auto`) and a foreach over S3
 * (`batch: 100`, Express children). Transitions and Lambda requests are counted on the local engine
 * at a small size and scaled; S3 requests follow from the listing (1 LIST per 1,000 objects) and the
 * results (a PUT per result file and the manifest, the tally's GETs). Prices: us-east-1 list prices.
 * Run: `npx tsx bench/s3-foreach.ts [--n 100000] [--sample 2000]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { loadWorkflowsFromText, type Workflow } from '../lib/config/index.ts';
import { compileWorkflow, type Machine } from '../lib/compiler/index.ts';
import { openLocalS3, readS3ServerInfo, runLocal } from '../lib/local/index.ts';

/** us-east-1 list prices. */
const PRICE = {
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1_000_000,
  /** A 1,024 MB arm64 runner for 50 ms per request. */
  lambdaDuration: 0.0000133334 * 0.05,
  expressRequest: 1.0 / 1_000_000,
  /** Express duration per GB-second; children are billed at 64 MB. */
  expressGbSecond: 0.00001667,
  s3List: 0.005 / 1000,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
};

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

function workflow(text: string): Workflow {
  const { workflows, diagnostics } = loadWorkflowsFromText({ 'w.yml': text });
  const w = [...workflows.values()][0];
  if (!w) throw new Error(diagnostics.map((d) => d.message).join('; '));
  return w;
}

const s3Flow = (batch: number, concurrent: number): string => `s3each:
  type: Workflow
  jobs:
    work:
      stages:
        - name: Each object
          id: each
          foreach: {s3: {bucket: lake, prefix: in/}}
          batch: ${batch}
          concurrent: ${concurrent}
          stages:
            - {name: Say, echo: "\${{ item.key }}"}
`;

const listFlow = (batch: string | undefined): string => `listeach:
  type: Workflow
  params:
    keys: {type: array}
  jobs:
    work:
      stages:
        - name: Each key
          id: each
          foreach: \${{ params.keys }}
${batch ? `          batch: ${batch}\n` : ''}          concurrent: 10
          stages:
            - {name: Say, echo: "\${{ item }}"}
`;

/** A py stage makes `n` ids (a list far past the state's 256 KiB), and a foreach runs an echo stage per id: only the py stage with `alone`. */
const spillFlow = (n: number, alone: boolean): string => `spilled:
  type: Workflow
  jobs:
    work:
      stages:
        - name: Make the ids
          id: ids
          run: |
            ids = [f"id-{i:07d}" for i in range(${n})]
${alone ? '' : `        - name: Each id
          id: each
          foreach: \${{ stages.ids.outputs.ids }}
          concurrent: 10
          stages:
            - {name: Say, echo: "\${{ item }}"}
`}`;

/** Lambda Task state names of a machine (nested ones included). */
function lambdaStates(m: Machine, into = new Set<string>()): Set<string> {
  for (const [name, st] of Object.entries(m.States)) {
    if (st.Type === 'Task' && (st.Resource ?? '').includes(':lambda:')) into.add(name);
    for (const b of st.Branches ?? []) lambdaStates(b, into);
    if (st.ItemProcessor) lambdaStates(st.ItemProcessor, into);
  }
  return into;
}

interface Counted {
  ms: number;
  /** Transitions of the run's own (Standard) executions. */
  standardTransitions: number;
  /** Transitions inside Distributed Map children (Express: not billed per transition). */
  childTransitions: number;
  lambda: number;
  children: number;
  status: string;
}

async function counted(w: Workflow, options: Parameters<typeof runLocal>[1]): Promise<Counted> {
  const lambdas = lambdaStates(compileWorkflow(w).definition);
  for (const c of compileWorkflow(w).children) lambdaStates(c.definition, lambdas);
  const executions = new Set<string>();
  let standardTransitions = 0;
  let childTransitions = 0;
  let lambda = 0;
  const t = performance.now();
  const doc = await runLocal(w, {
    ...options,
    onRawEvent: (ev, execution) => {
      executions.add(execution);
      if (ev.type !== 'StateEntered' || !ev.state) return;
      // A Distributed Map's children run as `<workflow>/<map state>` executions.
      if (execution.includes('/')) childTransitions++;
      else standardTransitions++;
      if (lambdas.has(ev.state.name)) lambda++;
    },
  });
  const children = [...executions].filter((e) => e.includes('/')).length;
  return { ms: performance.now() - t, standardTransitions, childTransitions, lambda, children, status: doc.status };
}

async function main(): Promise<void> {
  const n = arg('n', 100_000);
  const sample = arg('sample', 2000);
  const state = mkdtempSync(join(tmpdir(), 'wf-bench-s3-'));
  const local = await openLocalS3({ dir: state });
  const s3 = local.client;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
    let t = performance.now();
    const keys = Array.from({ length: n }, (_, i) => `in/part-${String(i).padStart(7, '0')}.json`);
    for (let i = 0; i < n; i += 64) await Promise.all(keys.slice(i, i + 64).map((Key) => s3.send(new PutObjectCommand({ Bucket: 'lake', Key, Body: '{}' }))));
    const putMs = performance.now() - t;

    // The floor: listing the objects, which the Map's ItemReader does before anything runs.
    t = performance.now();
    let listed = 0;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'in/', ContinuationToken: token }));
      listed += page.KeyCount ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const floorMs = performance.now() - t;

    const rssBefore = process.resourceUsage().maxRSS;
    const run = await counted(workflow(s3Flow(1000, 16)), { s3 });
    const peakMb = process.resourceUsage().maxRSS / 1024;
    console.log(`foreach over S3, ${n.toLocaleString('en')} objects on the local engine (batch 1000, concurrent 16, an echo stage per object)`);
    console.log(`  put the objects through the SDK      ${(putMs / 1000).toFixed(1)} s`);
    console.log(`  floor: list them through the SDK     ${(floorMs / 1000).toFixed(2)} s (${listed.toLocaleString('en')} keys)`);
    console.log(`  the run (${run.status})                 ${(run.ms / 1000).toFixed(1)} s wall, ${(run.ms / n).toFixed(3)} ms per object, ${(run.ms / floorMs).toFixed(1)}× the floor`);
    console.log(`  peak memory                          ${peakMb.toFixed(0)} MB (${(rssBefore / 1024).toFixed(0)} MB before the run)`);
    console.log(`  child executions                     ${run.children} (${Math.ceil(n / 1000)} batches expected)`);

    // A list too big for the state: the runner writes it to S3, a Distributed Map reads it back.
    const floorSpill = await counted(workflow(spillFlow(n, true)), { s3 });
    const rssSpill = process.resourceUsage().maxRSS;
    const spilled = await counted(workflow(spillFlow(n, false)), { s3 });
    console.log(`\na py stage's list of ${n.toLocaleString('en')} ids (${((n * 14) / 1024 / 1024).toFixed(1)} MB of JSON) into a foreach (spilled to S3, read back by a Distributed Map; batch auto, concurrent 10)`);
    console.log(`  floor: the py stage alone, list spilled  ${(floorSpill.ms / 1000).toFixed(1)} s (${floorSpill.status})`);
    console.log(`  the run (${spilled.status})                     ${(spilled.ms / 1000).toFixed(1)} s wall, ${(spilled.ms / n).toFixed(3)} ms per id, ${(spilled.ms / floorSpill.ms).toFixed(1)}× the floor`);
    console.log(`  peak memory                              ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (${(rssSpill / 1024).toFixed(0)} MB before)`);
    console.log(`  child executions                         ${spilled.children}`);

    // The cost model: the same work three ways, counted at `sample` items and scaled to a million.
    const keysSample = keys.slice(0, sample);
    const scale = 1_000_000 / sample;
    const inline = await counted(workflow(listFlow(undefined)), { params: { keys: keysSample } });
    const batched = await counted(workflow(listFlow('auto')), { params: { keys: keysSample } });
    const s3Sample = await counted(workflow(s3Flow(100, 16).replace('prefix: in/', 'prefix: in/part-000')), { s3 });
    const sampled = s3Sample.children * 100;
    const s3Scale = 1_000_000 / sampled;
    const rows: Array<{ label: string; transitions: number; lambda: number; children: number; s3: number; total: number }> = [];
    // Step Functions bills each child execution a Distributed Map starts as one transition of the
    // parent; the parent's own states run once whatever the item count (not scaled).
    const row = (label: string, c: Counted, k: number, expressChildren: number, s3Requests: { list: number; put: number; get: number }): void => {
      const transitions = expressChildren ? c.standardTransitions + expressChildren : c.standardTransitions * k;
      const lambda = c.lambda * k;
      const children = expressChildren;
      const express = children * PRICE.expressRequest + children * (0.064 * ((c.ms / Math.max(1, c.children)) / 1000)) * PRICE.expressGbSecond;
      const s3Cost = s3Requests.list * PRICE.s3List + s3Requests.put * PRICE.s3Put + s3Requests.get * PRICE.s3Get;
      const total = transitions * PRICE.transition + lambda * (PRICE.lambdaRequest + PRICE.lambdaDuration) + express + s3Cost;
      rows.push({ label, transitions, lambda, children, s3: s3Cost, total });
    };
    row('inline Map (one execution)', inline, scale, 0, { list: 0, put: 0, get: 0 });
    row('batched foreach (batch: auto)', batched, scale, 0, { list: 0, put: 0, get: 0 });
    row('foreach over S3 (batch 100, Express)', s3Sample, s3Scale, s3Sample.children * s3Scale, { list: 1000, put: 4, get: 5 });
    console.log(`\ncost per million items on AWS (counted on ${sample.toLocaleString('en')} items locally, scaled; us-east-1 prices, Lambda 1 GB arm64 at 50 ms, Express children at 64 MB for the local batch time)`);
    console.log('  way                                   Standard transitions   Lambda requests   Express children   S3 $      total $');
    for (const r of rows) {
      console.log(`  ${r.label.padEnd(38)}${Math.round(r.transitions).toLocaleString('en').padStart(20)}${Math.round(r.lambda).toLocaleString('en').padStart(18)}${Math.round(r.children).toLocaleString('en').padStart(19)}${r.s3.toFixed(3).padStart(8)}${r.total.toFixed(2).padStart(11)}`);
    }
    console.log('  (the inline Map cannot run at this size on AWS: one execution would record millions of history events)');
  } finally {
    local.close();
    // The server this bench started for its own folder.
    const info = readS3ServerInfo(join(state, 's3'));
    if (info) process.kill(info.pid, 'SIGTERM');
    rmSync(state, { recursive: true, force: true });
  }
}

await main();
