/**
 * Golden state machines: each `golden/<case>/workflow.yml` holds a workflow named `<case>` (and any
 * workflow it triggers); its compiled definition (`compileWorkflow(...).pretty`) must equal
 * `golden/<case>/expected.asl.json` byte for byte. Regenerate with
 * `UPDATE_GOLDEN=1 npx vitest run test/compiler/golden.test.ts` and review the diff.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Stage, Workflow } from '../../lib/config/index.ts';
import { childLists, TRIGGER_RULES } from '../../lib/config/index.ts';
import { stageKinds } from '../../lib/config/dialect-schemas.ts';
import { compileWorkflow } from '../../lib/compiler/index.ts';
import { loadConf, stateNamed, stateNames } from '../helpers/compiled-machines.ts';

const DIR = new URL('./golden/', import.meta.url).pathname;
const update = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(DIR).filter((d) => existsSync(join(DIR, d, 'workflow.yml'))).sort();

function load(name: string): { workflow: Workflow; workflows: Map<string, Workflow> } {
  const result = loadConf(join(DIR, name));
  expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const workflow = result.workflows.get(name);
  if (!workflow) throw new Error(`golden/${name}/workflow.yml defines no workflow named "${name}"`);
  return { workflow, workflows: result.workflows };
}

function stagesOf(stages: readonly Stage[]): Stage[] {
  return stages.flatMap((s) => [s, ...childLists(s).flatMap(stagesOf)]);
}

describe('golden state machines', () => {
  it.each(cases)('%s', (name) => {
    const { workflow, workflows } = load(name);
    const compiled = compileWorkflow(workflow, { workflows });
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const file = join(DIR, name, 'expected.asl.json');
    if (update) writeFileSync(file, compiled.pretty);
    if (!existsSync(file)) throw new Error(`golden/${name}/expected.asl.json is missing: run with UPDATE_GOLDEN=1`);
    expect(compiled.pretty).toBe(readFileSync(file, 'utf8'));
    expect(JSON.parse(compiled.json)).toEqual(JSON.parse(compiled.pretty));
  });

  it('has one case or more per stage kind', () => {
    const kinds = new Set<string>();
    for (const name of cases) {
      for (const job of Object.values(load(name).workflow.jobs)) for (const s of stagesOf(job.stages)) kinds.add(s.kind);
    }
    expect([...kinds].sort()).toEqual(Object.keys(stageKinds).sort());
  });

  it('covers the job features: needs, conditions, every trigger rule, matrix, retry, timeout, outputs', () => {
    const jobs = cases.flatMap((name) => Object.values(load(name).workflow.jobs));
    expect(new Set(jobs.filter((j) => j.triggerRuleSet).map((j) => j.triggerRule))).toEqual(
      new Set(TRIGGER_RULES),
    );
    expect(jobs.some((j) => j.strategy && Object.values(j.strategy.matrix).some((v) => typeof v === 'string'))).toBe(true);
    expect(jobs.some((j) => j.strategy?.failFast && j.strategy.maxParallel !== undefined && j.strategy.include.length && j.strategy.exclude.length)).toBe(true);
    expect(jobs.some((j) => j.retry > 0)).toBe(true);
    expect(jobs.some((j) => j.timeout !== undefined)).toBe(true);
    expect(jobs.some((j) => Object.keys(j.outputs).length > 0)).toBe(true);
    expect(jobs.some((j) => j.if === false)).toBe(true);
  });
});

describe('fields the golden machines pin', () => {
  const compiled = (name: string) => {
    const { workflow, workflows } = load(name);
    return compileWorkflow(workflow, { workflows }).definition;
  };
  const state = (name: string, s: string) => stateNamed(compiled(name), s);

  it('sleeps are whole seconds, a fraction rounded up', () => {
    expect(state('sleep-static', 'wait.Nap.sleep')).toMatchObject({ Type: 'Wait', Seconds: 2 });
    expect(state('sleep-static', 'wait.Short nap.sleep')).toMatchObject({ Type: 'Wait', Seconds: 2 });
    expect(stateNames(compiled('sleep-static'))).not.toContain('wait.No sleep.sleep');
  });

  it('a stage timeout bounds its Task, and a job timeout bounds every action stage of the job', () => {
    expect(state('timeout', 'slow.Bounded').TimeoutSeconds).toBe(35);
    expect((state('timeout', 'slow.Bounded').Parameters as { Payload: { stage: { timeout: number } } }).Payload.stage.timeout).toBe(30);
    expect((state('timeout', 'slow.Bounded py').Parameters as { Payload: { timeout: number } }).Payload.timeout).toBe(12);
    expect(state('job-timeout', 'bounded.Long').TimeoutSeconds).toBe(65);
    expect(state('job-timeout', 'bounded.Shorter').TimeoutSeconds).toBe(25);
    expect(state('job-timeout', 'bounded.Longer than job').TimeoutSeconds).toBe(65);
    expect(state('docker', 'containers.Templated env').TimeoutSeconds).toBe(120);
  });

  it('the workflow timeout and description head the machine', () => {
    const m = compiled('workflow-timeout');
    expect(m.TimeoutSeconds).toBe(120);
    expect(m.Comment).toBe('Workflow workflow-timeout: A short run.');
    expect(compiled('echo').TimeoutSeconds).toBe(3600);
  });

  it('a static stage retry is a Retry on StageFailed and States.Timeout, 1 s growing ×1.2', () => {
    expect(state('retry', 'flaky.Static').Retry).toContainEqual({ ErrorEquals: ['StageFailed', 'States.Timeout'], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 1.2 });
  });

  it('concurrency settings become MaxConcurrency', () => {
    expect(state('foreach-param', 'files.Process Files').MaxConcurrency).toBe(3);
    expect(state('foreach-static', 'files.Each file').MaxConcurrency).toBe(1);
    expect(state('parallel-capped', 'fan.Fan out').MaxConcurrency).toBe(2);
    expect(state('matrix-static', 'deploy.matrix').MaxConcurrency).toBe(2);
    expect(state('max-job-parallel', 'jobs.a.b.c').MaxConcurrency).toBe(2);
    expect(state('parallel', 'fan.Fan out').Type).toBe('Parallel');
  });

  it('a static matrix lists its combinations by GitHub rules; fail-fast is a Fail inside the item processor', () => {
    expect(state('matrix-static', 'deploy.matrix.combinations').Result).toEqual([
      { env: 'dev', region: 'us' },
      { env: 'prod', region: 'us' },
      { env: 'prod', region: 'eu', primary: true },
      { env: 'test', region: 'us' },
    ]);
    expect(state('matrix-static', 'deploy.strategy.fail fast')).toEqual({ Type: 'Fail', Error: 'StrategyFailed', CausePath: '$.__caught.r.errors.message' });
  });

  it('foreach with use-index-as-key tells the collect action so', () => {
    const collect = state('foreach-templated', 'loop.Numbers.collect').Parameters as { Payload: Record<string, unknown> };
    expect(collect.Payload).toMatchObject({ action: 'collect', kind: 'foreach', useIndexAsKey: true });
  });

  it('the secret param is redacted in the result document of every ending', () => {
    const m = compiled('secret-params');
    for (const s of ['run.SUCCESS', 'run.FAILED', 'run.SKIP']) {
      expect((stateNamed(m, s).Parameters as { params: Record<string, unknown> }).params).toEqual({ 'user.$': '$.params.user', token: '***' });
    }
  });
});
