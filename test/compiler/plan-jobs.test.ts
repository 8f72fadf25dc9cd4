import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAddedWaits, planJobs, type PlanJob, type PlanNode } from '../../lib/compiler/plan-jobs.ts';
import { criticalPath, schedulePlan, simulatePlan } from '../../lib/compiler/simulate-plan.ts';

const settings = { seed: 42, numRuns: 300 };

const job = (id: string): PlanNode => ({ kind: 'job', id });
const series = (...items: PlanNode[]): PlanNode => ({ kind: 'series', items });
const parallel = (...items: PlanNode[]): PlanNode => ({ kind: 'parallel', items });

function jobsOf(plan: PlanNode): string[] {
  if (plan.kind === 'graph') return plan.jobs.map((j) => j.id);
  return plan.kind === 'job' ? [plan.id] : plan.items.flatMap(jobsOf);
}

/** Shape rules every plan keeps: no single-item or empty groups, no group directly inside one of its kind, parallel items in input order. */
function checkShape(plan: PlanNode, position: Map<string, number>): void {
  if (plan.kind === 'job' || plan.kind === 'graph') return;
  expect(plan.items.length).toBeGreaterThan(1);
  for (const item of plan.items) {
    expect(item.kind).not.toBe(plan.kind);
    checkShape(item, position);
  }
  if (plan.kind === 'parallel') {
    const firsts = plan.items.map((item) => Math.min(...jobsOf(item).map((id) => position.get(id)!)));
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
  }
}

function ancestorsOf(jobs: ReadonlyArray<PlanJob>): Map<string, Set<string>> {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const memo = new Map<string, Set<string>>();
  const visit = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const set = new Set<string>();
    for (const need of byId.get(id)!.needs) {
      set.add(need);
      for (const a of visit(need)) set.add(a);
    }
    memo.set(id, set);
    return set;
  };
  for (const j of jobs) visit(j.id);
  return memo;
}

/** Random DAG: edges only from earlier to later in a hidden order, jobs listed in a shuffled order. */
const dagArb = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      density: fc.integer({ min: 0, max: 100 }),
      rolls: fc.array(fc.nat(99), { minLength: (n * (n - 1)) / 2, maxLength: (n * (n - 1)) / 2 }),
      order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      durations: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: n, maxLength: n }),
    }),
  )
  .map(({ n, density, rolls, order, durations }) => {
    const needs: string[][] = Array.from({ length: n }, () => []);
    let k = 0;
    for (let later = 1; later < n; later++) {
      for (let earlier = 0; earlier < later; earlier++) {
        if (rolls[k++]! < density) needs[later]!.push(`j${earlier}`);
      }
    }
    const jobs: PlanJob[] = order.map((i) => ({ id: `j${i}`, needs: needs[i]! }));
    const dur = Object.fromEntries(durations.map((d, i) => [`j${i}`, d]));
    return { jobs, durations: dur };
  });

type Term = { t: 'leaf' } | { t: 'series' | 'parallel'; items: Term[] };

const termArb = fc.letrec<{ term: Term }>((tie) => ({
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant<Term>({ t: 'leaf' }),
    fc.record({ t: fc.constant<'series'>('series'), items: fc.array(tie('term'), { minLength: 2, maxLength: 3 }) }),
    fc.record({ t: fc.constant<'parallel'>('parallel'), items: fc.array(tie('term'), { minLength: 2, maxLength: 3 }) }),
  ),
})).term;

/**
 * Series-parallel DAG from a composition term: in a series, the sources of each item need the sinks
 * of the item before. Extra needs on existing (transitive) ancestors are added: they change no order.
 */
const spArb = fc
  .record({
    term: termArb,
    extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 10 }),
    seed: fc.nat(),
    durations: fc.array(fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true }), { minLength: 64, maxLength: 64 }),
  })
  .map(({ term, extra, seed, durations }) => {
    const needs: string[][] = [];
    const build = (node: Term): { sources: number[]; sinks: number[] } => {
      if (node.t === 'leaf') {
        needs.push([]);
        return { sources: [needs.length - 1], sinks: [needs.length - 1] };
      }
      const parts = node.items.map(build);
      if (node.t === 'parallel') return { sources: parts.flatMap((p) => p.sources), sinks: parts.flatMap((p) => p.sinks) };
      for (let k = 1; k < parts.length; k++) {
        for (const s of parts[k]!.sources) needs[s]!.push(...parts[k - 1]!.sinks.map((i) => `j${i}`));
      }
      return { sources: parts[0]!.sources, sinks: parts[parts.length - 1]!.sinks };
    };
    build(term);
    const n = needs.length;
    const plain: PlanJob[] = needs.map((list, i) => ({ id: `j${i}`, needs: list }));
    const ancestors = ancestorsOf(plain);
    for (const [a, b] of extra) {
      const target = needs[a % n]!;
      const candidates = [...ancestors.get(`j${a % n}`)!].sort();
      const pick = candidates.length > 0 ? candidates[b % candidates.length]! : undefined;
      if (pick !== undefined && !target.includes(pick)) target.push(pick);
    }
    const order = [...Array(n).keys()];
    let state = seed;
    for (let i = n - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) % 2147483648;
      const j = state % (i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const jobs: PlanJob[] = order.map((i) => ({ id: `j${i}`, needs: needs[i]! }));
    const dur = Object.fromEntries(needs.map((_, i) => [`j${i}`, durations[i % durations.length]!]));
    return { jobs, durations: dur };
  });

describe('planJobs examples', () => {
  it('plans a single job, an empty list and a chain', () => {
    expect(planJobs([{ id: 'a', needs: [] }])).toEqual(job('a'));
    expect(planJobs([])).toEqual(parallel());
    expect(
      planJobs([
        { id: 'c', needs: ['b'] },
        { id: 'a', needs: [] },
        { id: 'b', needs: ['a'] },
      ]),
    ).toEqual(series(job('a'), job('b'), job('c')));
  });

  it('runs independent groups in parallel, ordered by first appearance in the input', () => {
    expect(
      planJobs([
        { id: 'x', needs: ['y'] },
        { id: 'z', needs: [] },
        { id: 'y', needs: [] },
      ]),
    ).toEqual(parallel(series(job('y'), job('x')), job('z')));
  });

  it('plans a diamond as series(a, parallel(b, c), d)', () => {
    const jobs = [
      { id: 'a', needs: [] },
      { id: 'b', needs: ['a'] },
      { id: 'c', needs: ['a'] },
      { id: 'd', needs: ['b', 'c'] },
    ];
    expect(planJobs(jobs)).toEqual(series(job('a'), parallel(job('b'), job('c')), job('d')));
    expect(planAddedWaits(jobs, planJobs(jobs))).toEqual([]);
  });

  it('slices a graph at every series cut at once, keeping parallel pieces between cuts', () => {
    const jobs = [
      { id: 'lint', needs: [] },
      { id: 'build', needs: [] },
      { id: 'test', needs: ['build', 'lint'] },
      { id: 'docs', needs: ['build', 'lint'] },
      { id: 'e2e', needs: ['test'] },
      { id: 'release', needs: ['e2e', 'docs', 'lint'] },
    ];
    expect(planJobs(jobs)).toEqual(
      series(parallel(job('lint'), job('build')), parallel(series(job('test'), job('e2e')), job('docs')), job('release')),
    );
  });

  it('plans the N-shaped graph (not series-parallel) with one added wait, and reports it', () => {
    const jobs = [
      { id: 'a', needs: [] },
      { id: 'b', needs: [] },
      { id: 'c', needs: ['a', 'b'] },
      { id: 'd', needs: ['b'] },
    ];
    const plan = planJobs(jobs);
    expect(plan).toEqual(series(parallel(job('a'), job('b')), parallel(job('c'), job('d'))));
    expect(planAddedWaits(jobs, plan)).toEqual([{ job: 'd', waitsFor: 'a' }]);
    const durations = { a: 10, b: 1, c: 1, d: 1 };
    expect(simulatePlan(plan, durations)).toBe(11);
    expect(criticalPath(jobs, durations)).toBe(11);
    expect(schedulePlan(plan, durations).start).toEqual({ a: 0, b: 0, c: 10, d: 10 });
  });

  it('accepts maxParallel without changing the plan, and rejects a bad one', () => {
    const jobs = [
      { id: 'a', needs: [] },
      { id: 'b', needs: [] },
    ];
    expect(planJobs(jobs, { maxParallel: 1 })).toEqual(planJobs(jobs));
    expect(() => planJobs(jobs, { maxParallel: 0 })).toThrow('maxParallel must be a whole number >= 1, got 0');
  });

  it('throws on input the config layer should have rejected', () => {
    expect(() => planJobs([{ id: 'a', needs: ['b'] }])).toThrow('job "a" needs unknown job "b"');
    expect(() => planJobs([{ id: 'a', needs: [] }, { id: 'a', needs: [] }])).toThrow('duplicate job id "a"');
    expect(() =>
      planJobs([
        { id: 'a', needs: ['b'] },
        { id: 'b', needs: ['a'] },
      ]),
    ).toThrow('dependency cycle');
  });

  it('plans 300 jobs in 30 fully connected layers quickly, as a 30-item series with no added waits', () => {
    const layered: PlanJob[] = [];
    for (let layer = 0; layer < 30; layer++) {
      for (let k = 0; k < 10; k++) {
        layered.push({ id: `l${layer}-${k}`, needs: layer === 0 ? [] : Array.from({ length: 10 }, (_, p) => `l${layer - 1}-${p}`) });
      }
    }
    const started = performance.now();
    const plan = planJobs(layered);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(plan.kind).toBe('series');
    expect(plan.kind === 'series' && plan.items.length).toBe(30);
    expect(planAddedWaits(layered, plan)).toEqual([]);
  });
});

describe('simulatePlan and criticalPath', () => {
  const jobs = [
    { id: 'a', needs: [] },
    { id: 'b', needs: ['a'] },
    { id: 'c', needs: ['a'] },
    { id: 'd', needs: ['b', 'c'] },
  ];
  const durations = { a: 2, b: 5, c: 3, d: 1 };

  it('adds series items and takes the longest parallel branch', () => {
    expect(simulatePlan(series(job('a'), parallel(job('b'), job('c')), job('d')), durations)).toBe(8);
    expect(simulatePlan(parallel(), {})).toBe(0);
    expect(criticalPath(jobs, durations)).toBe(8);
    expect(criticalPath([], {})).toBe(0);
  });

  it('with maxParallel, starts each further branch when the earliest slot frees', () => {
    const plan = parallel(job('a'), job('b'), job('c'), job('d'));
    const schedule = schedulePlan(plan, durations, { maxParallel: 2 });
    expect(schedule.start).toEqual({ a: 0, b: 0, c: 2, d: 5 });
    expect(schedule.makespan).toBe(6);
    expect(simulatePlan(plan, durations, { maxParallel: 1 })).toBe(11);
  });

  it('throws on a missing or negative duration', () => {
    expect(() => simulatePlan(job('a'), {})).toThrow('duration of job "a" must be a non-negative finite number, got undefined');
    expect(() => criticalPath([{ id: 'a', needs: [] }], { a: -1 })).toThrow('got -1');
  });
});

describe('planJobs properties', () => {
  it('puts every job in the plan exactly once, in a well-formed shape', () => {
    fc.assert(
      fc.property(dagArb, ({ jobs }) => {
        const plan = planJobs(jobs);
        expect(jobsOf(plan).sort()).toEqual(jobs.map((j) => j.id).sort());
        checkShape(plan, new Map(jobs.map((j, i) => [j.id, i])));
      }),
      settings,
    );
  });

  it('starts every job after all the jobs it needs have ended', () => {
    fc.assert(
      fc.property(dagArb, ({ jobs, durations }) => {
        const plan = planJobs(jobs);
        const { start, end, makespan } = schedulePlan(plan, durations);
        for (const j of jobs) for (const need of j.needs) expect(start[j.id]!).toBeGreaterThanOrEqual(end[need]!);
        expect(makespan).toBeGreaterThanOrEqual(criticalPath(jobs, durations));
      }),
      settings,
    );
  });

  it('reports exactly the waits the plan adds, and a plan with none meets the critical path', () => {
    fc.assert(
      fc.property(dagArb, ({ jobs, durations }) => {
        const plan = planJobs(jobs);
        const ancestors = ancestorsOf(jobs);
        const waits = planAddedWaits(jobs, plan);
        for (const w of waits) expect(ancestors.get(w.job)!.has(w.waitsFor)).toBe(false);
        const { start, end } = schedulePlan(plan, durations);
        for (const w of waits) expect(start[w.job]!).toBeGreaterThanOrEqual(end[w.waitsFor]!);
        if (waits.length === 0) expect(simulatePlan(plan, durations)).toBe(criticalPath(jobs, durations));
      }),
      settings,
    );
  });

  it('adds no waiting to series-parallel DAGs: makespan equals the critical path exactly', () => {
    fc.assert(
      fc.property(spArb, ({ jobs, durations }) => {
        const plan = planJobs(jobs);
        expect(planAddedWaits(jobs, plan)).toEqual([]);
        expect(simulatePlan(plan, durations)).toBe(criticalPath(jobs, durations));
      }),
      settings,
    );
  });

  it('is deterministic: the same input gives a deep-equal plan', () => {
    fc.assert(
      fc.property(dagArb, ({ jobs }) => {
        const copy = jobs.map((j) => ({ id: j.id, needs: [...j.needs] }));
        expect(planJobs(copy)).toEqual(planJobs(jobs));
      }),
      settings,
    );
  });
});
