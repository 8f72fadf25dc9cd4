/**
 * The loader never throws on bad input: random text, and valid confs mutated at the YAML level
 * (keys deleted or renamed, scalars swapped for other types, lists and maps swapped) or at the
 * byte level. Whatever comes in, it returns diagnostics with sane positions, or workflows, and the
 * same input always gives the same answer.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadWorkflowsFromText, type LoadResult } from '../../lib/config/index.ts';
import { codes, hasErrors } from '../../lib/diagnostics/index.ts';

const SEEDS = [
  'test/config/golden/all-kinds.yaml',
  'test/conformance/matrix/conf/wf.yml',
  'test/conformance/case/conf/wf.yml',
  'test/conformance/until/conf/wf.yml',
  'test/conformance/trigger/conf/parent.yml',
].map((p) => readFileSync(p, 'utf8'));

function checkResult(result: LoadResult, files: Record<string, string>): void {
  expect(result.workflows).toBeInstanceOf(Map);
  expect(Array.isArray(result.diagnostics)).toBe(true);
  if (!hasErrors(result.diagnostics)) expect(result.workflows.size).toBeGreaterThan(0);
  for (const d of result.diagnostics) {
    expect(Object.keys(codes)).toContain(d.code);
    expect(['error', 'warning']).toContain(d.severity);
    expect(d.message.length).toBeGreaterThan(0);
    if (d.location) {
      const text = files[d.location.file];
      expect(text).toBeDefined();
      expect(d.location.line).toBeGreaterThanOrEqual(1);
      expect(d.location.col).toBeGreaterThanOrEqual(1);
      expect(d.location.offset).toBeLessThanOrEqual(text!.length);
    }
  }
}

function loadChecked(text: string): void {
  const files = { 'conf/fuzz.yml': text };
  const first = loadWorkflowsFromText(files);
  checkResult(first, files);
  const second = loadWorkflowsFromText(files);
  expect(JSON.stringify(second.diagnostics)).toBe(JSON.stringify(first.diagnostics));
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const replacement: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 5000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('${{ params.x }}', '${{ item', 'Workflow', '_', 'echo', '0 9 * * 1'),
  fc.constant([] as Json[]),
  fc.constant({} as Json),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
);

/** Paths to every node of a JSON tree. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

type Mutation = { kind: 'delete' | 'rename' | 'replace'; pick: number; with: Json; suffix: string };

function mutate(tree: Json, m: Mutation): Json {
  const copy = structuredClone(tree);
  const all = paths(copy).filter((p) => p.length > 0);
  if (all.length === 0) return copy;
  const path = all[m.pick % all.length]!;
  let parent: Json = copy;
  for (const seg of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[seg]!;
  const last = path[path.length - 1]!;
  const container = parent as Record<string | number, Json>;
  if (m.kind === 'replace') container[last] = m.with;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else {
    const v = container[last]!;
    delete container[last];
    if (m.kind === 'rename') container[`${String(last)}${m.suffix}`] = v;
  }
  return copy;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'rename', 'replace'),
  pick: fc.nat(),
  with: replacement,
  suffix: fc.constantFrom('x', '_', 's', '-1'),
});

describe('loader robustness (fast-check, seeded)', () => {
  it('never throws on random text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => loadChecked(text)),
      { seed: 20240601, numRuns: 300 },
    );
  });

  it('never throws on YAML-shaped random text', () => {
    const line = fc.tuple(fc.nat({ max: 6 }), fc.constantFrom('- ', '', 'name: ', 'stages:', 'type: Workflow', 'jobs:', 'a: [', '"${{ x }}"', 'echo: hi', ': :', '&a', '*a', '<<: *a'), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), (lines) => loadChecked(lines.map(([n, a, b]) => `${' '.repeat(n)}${a}${b}`).join('\n'))),
      { seed: 7, numRuns: 300 },
    );
  });

  it('never throws on mutated valid confs', () => {
    const trees = SEEDS.map((s) => parse(s) as Json);
    fc.assert(
      fc.property(fc.nat({ max: trees.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => {
        const tree = ms.reduce<Json>((t, m) => mutate(t, m), trees[i]!);
        loadChecked(stringify(tree));
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('never throws on byte-level damage to valid confs', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: SEEDS.length - 1 }),
        fc.nat(),
        fc.nat({ max: 20 }),
        fc.string({ unit: 'binary', maxLength: 6 }),
        (i, at, cut, insert) => {
          const text = SEEDS[i]!;
          const pos = at % (text.length + 1);
          loadChecked(text.slice(0, pos) + insert + text.slice(pos + cut));
        },
      ),
      { seed: 99, numRuns: 400 },
    );
  });
});
