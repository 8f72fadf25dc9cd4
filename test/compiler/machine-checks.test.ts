/**
 * Every machine the compiler makes from the golden cases, the conformance cases and the seed
 * examples must be one AWS would accept and run the same way twice: valid for `asl-validator`
 * (schema, JSONPath syntax, ARNs, transitions, terminal states), free of the structural problems
 * AWS rejects at creation that the schema does not catch, byte-identical between compiles, with
 * state names within 80 characters, and without error diagnostics.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { compileWorkflow, structuralProblems, type Machine } from '../../lib/compiler/index.ts';
import { conformanceCases, loadConf, stateNames, TEST_DIR } from '../helpers/compiled-machines.ts';

interface Source {
  label: string;
  conf: string;
}

const goldenDir = join(TEST_DIR, 'compiler', 'golden');
const seedDir = join(TEST_DIR, 'config', 'seeds', 'valid');
const sources: Source[] = [
  ...readdirSync(goldenDir).filter((d) => existsSync(join(goldenDir, d, 'workflow.yml'))).sort().map((d) => ({ label: `golden/${d}`, conf: join(goldenDir, d) })),
  ...conformanceCases().map((c) => ({ label: `conformance/${c.name}`, conf: c.conf })),
  ...readdirSync(seedDir).filter((f) => f.endsWith('.yml')).sort().map((f) => ({ label: `seeds/${f}`, conf: join(seedDir, f) })),
];

/** Every workflow of every source that loads, as `[label, conf, workflow name]`. */
const machines: Array<[string, string, string]> = sources.flatMap((s) => [...loadConf(s.conf).workflows.keys()].map((w): [string, string, string] => [`${s.label}: ${w}`, s.conf, w]));

function compileFresh(conf: string, name: string): ReturnType<typeof compileWorkflow> {
  const { workflows } = loadConf(conf);
  return compileWorkflow(workflows.get(name)!, { workflows });
}

describe('compiled machines of goldens, conformance cases and seeds', () => {
  it('finds machines in every kind of source', () => {
    expect(machines.filter(([l]) => l.startsWith('golden/')).length).toBeGreaterThanOrEqual(40);
    expect(machines.filter(([l]) => l.startsWith('conformance/')).length).toBeGreaterThanOrEqual(12);
    expect(machines.filter(([l]) => l.startsWith('seeds/')).length).toBeGreaterThanOrEqual(15);
  });

  it.each(machines)('%s', (_label, conf, name) => {
    const compiled = compileFresh(conf, name);
    expect(compiled.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`)).toEqual([]);

    // The validator adds fields to the object it checks: give it a copy.
    const validation = aslValidator(JSON.parse(compiled.json), { checkPaths: true, checkArn: true });
    expect(validation.errorsText('\n')).toBe('');
    expect(validation.isValid).toBe(true);

    expect(structuralProblems(compiled.definition)).toEqual([]);
    expect(compileFresh(conf, name).json).toBe(compiled.json);

    const names = stateNames(compiled.definition);
    expect(names.filter((n) => [...n].length > 80)).toEqual([]);
    // Unique across the whole machine, nested machines included (AWS requires it).
    expect(names.length).toBe(new Set(names).size);
    expect(JSON.parse(compiled.json)).toEqual(compiled.definition);
  });
});

describe('structuralProblems', () => {
  const ok: Machine = { StartAt: 'a', States: { a: { Type: 'Pass', Next: 'b' }, b: { Type: 'Succeed' } } };

  it('is empty for a well-formed machine', () => {
    expect(structuralProblems(ok)).toEqual([]);
  });

  it('reports what AWS rejects but asl-validator lets through', () => {
    const long = 'x'.repeat(81);
    const bad: Machine = {
      StartAt: 'a',
      States: {
        a: { Type: 'Wait', Seconds: 1.5, Next: long },
        [long]: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 0, Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 0, MaxAttempts: 2, BackoffRate: 0.5 }], End: true },
        orphan: { Type: 'Pass', End: true },
      },
    };
    const problems = structuralProblems(bad);
    expect(problems).toContain('whole-numbers: machine/a: Seconds must be a whole number from 0, got 1.5');
    expect(problems).toContain(`state-name-length: machine/${long}: state name is 81 characters, over 80`);
    expect(problems).toContain(`whole-numbers: machine/${long}: TimeoutSeconds must be a whole number from 1 to 99999999, got 0`);
    expect(problems).toContain(`whole-numbers: machine/${long}: IntervalSeconds must be a whole number from 1 to 99999999, got 0`);
    expect(problems).toContain(`backoff-rate: machine/${long}: BackoffRate 0.5 is below 1`);
    expect(problems).toContain('transitions: machine/orphan: unreachable');
    expect(problems).toContain(`service-retries: machine/${long}: no Retry for Lambda.ServiceException, Lambda.AWSLambdaException, Lambda.SdkClientException, Lambda.TooManyRequestsException, Lambda.ClientExecutionTimeoutException`);
    expect(problems).toHaveLength(7);
  });

  it('looks inside Parallel branches and Map item processors', () => {
    const nested: Machine = {
      StartAt: 'p',
      States: {
        p: { Type: 'Parallel', Branches: [{ StartAt: 'missing', States: { b: { Type: 'Pass' } } }], Next: 'm' },
        m: { Type: 'Map', ItemProcessor: { StartAt: 'i', States: { i: { Type: 'Pass', Next: 'nowhere' } } }, MaxConcurrency: 2.5, End: true },
      },
    };
    expect(structuralProblems(nested).sort()).toEqual([
      'transitions: machine/m/i: Next "nowhere" does not exist',
      'transitions: machine/p/b: no Next or End',
      'transitions: machine/p/b: unreachable',
      'transitions: machine/p: StartAt "missing" does not exist',
      'whole-numbers: machine/m: MaxConcurrency must be a whole number from 0, got 2.5',
    ]);
  });
});

describe('asl-validator', () => {
  it('rejects what a broken compiler could emit, so passing it means something', () => {
    const dangling = aslValidator({ StartAt: 'a', States: { a: { Type: 'Pass', Next: 'b' } } });
    expect(dangling.isValid).toBe(false);
    expect(dangling.errorsText('\n')).toContain('MISSING_TRANSITION_TARGET');
    const badPath = aslValidator({ StartAt: 'a', States: { a: { Type: 'Pass', InputPath: 'not a path', End: true } } });
    expect(badPath.isValid).toBe(false);
  });
});
