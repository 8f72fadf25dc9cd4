/**
 * Whole workflows built to break the compiled machine rather than the parser: ids and param names
 * with hyphens and leading digits, stage names with quotes, braces, backslashes, `${Key}` text and
 * unicode, bash that mentions CloudFormation-style `${...}`, concurrency groups keyed by hyphenated
 * params, docker stages, and conditions nested with and, or and not. Every one is a valid file.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** An id as the dialect allows it: letters, digits, `_` and `-`, in any order. */
export const oddId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('env-name', '-lead', '1st', '_', '--', 'a-b-c', 'x_1', '9', 'States', 'Execution', 'length'),
  // `__proto__` as an id has checks of its own; here it would only shadow the other findings.
  fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/).filter((s) => s !== '__proto__'),
);

/** Text a user may put in a name, a message or a script. */
export const oddText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "Container 'x' {y}",
    'back\\slash \\\\ end\\',
    '${AuditTableName} and ${StageRunnerFunctionArn}',
    '$${HOME} ${!Literal} ${ }',
    'quote " double \' single',
    '{} {0} {{}}',
    'États-Unis — 日本 🚀',
    'a.b.c',
    'States.Format(\'x\')',
    '$.params.x',
    'line one\nline two',
    '   padded   ',
    '__proto__',
  ),
  fc.string({ minLength: 1, maxLength: 16 }).filter((s) => !s.includes('${{')),
);

function unique(ids: string[]): string[] {
  return [...new Set(ids)];
}

function hostileStage(names: string[], params: string[], i: number, text: string): fc.Arbitrary<Record<string, Json>> {
  const p = params[i % params.length]!;
  const ref = `params['${p}']`;
  return fc.constantFrom<Record<string, Json>>(
    { echo: `${text} \${{ ${ref} }}` },
    { bash: `echo "${'${'}HOME} ${'${'}AuditTableName}" '${text.replace(/'/g, '')}'\nexit 0`, env: { [`V_${i}`]: `\${{ ${ref} }}` } },
    { run: `x = ${JSON.stringify(text)}`, vars: { v: `\${{ ${ref} }}` } },
    { image: 'alpine', tag: '3.19', cmd: ['echo', text], env: { A: `\${{ ${ref} }}` } },
    { uses: 'tasks/count@v1', with: { label: text, n: `\${{ ${ref} }}` } },
    { raise: `failed: ${text.replace(/\$\{\{/g, '')}` },
    { sleep: 0 },
    { stages: [{ name: `${names[0] ?? 'inner'} ${text}`, echo: text }] },
    { foreach: ['a.b', "it's", '{x}', 'back\\slash'], stages: [{ name: `each ${text}`, echo: '${{ item }}' }] },
    { case: `\${{ ${ref} }}`, match: [{ case: text, stages: [{ name: 'matched', echo: text }] }, { case: '_', stages: [{ name: 'other', echo: '${{ case }}' }] }] },
  );
}

const condition = (params: string[]): fc.Arbitrary<string> => {
  const [a, b] = [params[0]!, params[1 % params.length]!];
  return fc.constantFrom(
    `\${{ params['${a}'] == 'x' && !(params['${b}'] == 'y') }}`,
    `\${{ (params['${a}'] == 'x' || params['${b}'] != 'z') && !(params['${a}'] == '{}') }}`,
    `\${{ !(params['${a}'] == "it's") || params['${b}'] == 'back\\\\slash' }}`,
    `\${{ contains(params['${a}'], '.') }}`,
  );
};

/** A workflow file (YAML text) named `hostile` with the workflow `child` its trigger stages start. */
export const hostileWorkflowYaml: fc.Arbitrary<string> = fc
  .record({
    jobIds: fc.uniqueArray(oddId, { minLength: 1, maxLength: 3 }),
    params: fc.uniqueArray(oddId, { minLength: 2, maxLength: 3 }),
    names: fc.array(oddText, { minLength: 1, maxLength: 4 }),
    kinds: fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength: 4 }),
    group: fc.boolean(),
    jobGroup: fc.boolean(),
    conditional: fc.boolean(),
    matrix: fc.boolean(),
  })
  .chain((spec) =>
    fc
      .tuple(
        ...spec.jobIds.map((_, j) => fc.tuple(...spec.kinds.map((k, i) => hostileStage(spec.names, spec.params, i + k, spec.names[(i + j) % spec.names.length]!)))),
        condition(spec.params),
      )
      .map((built) => {
        const cond = built.pop() as string;
        const stagesOf = built as Array<Array<Record<string, Json>>>;
        const jobIds = unique(spec.jobIds);
        const jobs: Record<string, Json> = {};
        jobIds.forEach((id, j) => {
          const used = new Set<string>();
          jobs[id] = {
            ...(j > 0 ? { needs: [jobIds[j - 1]!] } : {}),
            ...(spec.conditional && j > 0 ? { if: cond } : {}),
            ...(spec.jobGroup ? { concurrency: `db-\${{ params['${spec.params[0]}'] }}` } : {}),
            ...(spec.matrix && j === 0 ? { strategy: { matrix: { [spec.params[0]!]: ['a', 'b-c'] } } } : {}),
            stages: stagesOf[j]!.map((s, i) => {
              let name = `${spec.names[i % spec.names.length]!} ${i}`;
              while (used.has(name)) name += '′';
              used.add(name);
              return { name, ...(spec.conditional && i === 0 ? { if: cond } : {}), ...s };
            }),
          };
        });
        const wf = {
          type: 'Workflow',
          desc: spec.names.join(' | '),
          params: Object.fromEntries(spec.params.map((p, i) => [p, { type: 'str', default: i === 0 ? 'x' : spec.names[0]! }])),
          ...(spec.group ? { concurrency: { group: `deploy-\${{ params['${spec.params[1]}'] }}`, limit: 2 } } : {}),
          jobs,
        };
        return stringify({ hostile: wf });
      }),
  );
