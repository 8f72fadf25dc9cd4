/**
 * Concurrency held with real processes: 20 `wf release` processes racing for one (workflow,
 * minute) give exactly one run, and 50 executions of 50 different workflows started at once on
 * one `wf serve` (driven by the unmodified @aws-sdk/client-sfn) all complete with their own,
 * correct results.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { Project, startServe, stopServe } from './wf-process.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const RELEASES = 20;
const EXECUTIONS = 50;

const projects: Project[] = [];
afterAll(() => {
  for (const p of projects) p.cleanup();
});

describe('releases of one minute racing', () => {
  it(`${RELEASES} concurrent \`wf release\` processes of one (workflow, minute): exactly one runs, every other is SKIP`, async () => {
    const project = new Project('wf-race-', {
      'wf.yml': `
nightly:
  type: Workflow
  on:
    - cron: "0 9 * * *"
  jobs:
    only:
      stages:
        - name: Count the run
          id: count
          bash: echo "$$" >> "@DIR@/runs"
`,
    });
    projects.push(project);
    // No audit server runs yet: the processes race to start it as well as for the claim.
    const results = await Promise.all(Array.from({ length: RELEASES }, () => project.wfAsync(['release', 'nightly', '--at', '2024-03-01T09:00:00Z', '--json'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const docs = results.map((r) => JSON.parse(r.stdout) as { status: string; run: { id: string }; errors: Array<{ name: string }> });
    const ran = docs.filter((d) => d.status === 'SUCCESS');
    const skipped = docs.filter((d) => d.status === 'SKIP');
    expect(ran).toHaveLength(1);
    expect(skipped).toHaveLength(RELEASES - 1);
    for (const d of skipped) expect(d.errors.map((e) => e.name)).toEqual(['AlreadyReleased']);
    expect(readFileSync(join(project.dir, 'runs'), 'utf8').trim().split('\n')).toHaveLength(1);
    // Every release left its record; the claim names the one that ran.
    const records = JSON.parse(project.wf(['audit', 'nightly', '--json', '--limit', '100']).stdout) as Array<{ runId: string; status: string; type: string }>;
    expect(records).toHaveLength(RELEASES);
    expect(records.filter((r) => r.status === 'SUCCESS').map((r) => r.runId)).toEqual([ran[0]!.run.id]);
    expect(records.every((r) => r.type === 'normal')).toBe(true);
  }, 120_000);
});

describe('one local endpoint under load', () => {
  it(`${EXECUTIONS} executions of ${EXECUTIONS} different workflows started at once all complete with their own results`, async () => {
    const workflows = Array.from({ length: EXECUTIONS }, (_, i) => {
      const name = `w${String(i).padStart(2, '0')}`;
      // Every fifth workflow squares in Python, the others in bash; each has its own default.
      const stage =
        i % 5 === 0
          ? `        - { name: Square, id: sq, run: "out = params['n'] * params['n']" }`
          : `        - { name: Square, id: sq, bash: 'echo $((N * N))', env: { N: "\${{ params.n }}" } }`;
      return `${name}:
  type: Workflow
  params:
    n: { type: int, default: ${i} }
  jobs:
    only:
      stages:
${stage}
      outputs:
        square: "\${{ stages.sq.outputs.${i % 5 === 0 ? 'out' : 'stdout'} }}"
`;
    });
    const project = new Project('wf-load-', { 'wf.yml': workflows.join('') });
    projects.push(project);
    const serve = await startServe(project);
    const sfn = new SFNClient({ endpoint: serve.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    try {
      const started = await Promise.all(
        Array.from({ length: EXECUTIONS }, (_, i) =>
          sfn.send(
            new StartExecutionCommand({
              stateMachineArn: `arn:aws:states:local:000000000000:stateMachine:w${String(i).padStart(2, '0')}`,
              name: `load-${i}`,
              input: JSON.stringify({ params: { n: i + 100 } }),
            }),
          ),
        ),
      );
      const ends = await Promise.all(
        started.map(async ({ executionArn }) => {
          for (let t = 0; t < 1200; t++) {
            const d: DescribeExecutionCommandOutput = await sfn.send(new DescribeExecutionCommand({ executionArn }));
            if (d.status !== 'RUNNING') return d;
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error(`${executionArn} did not end`);
        }),
      );
      ends.forEach((d, i) => {
        expect(d.status, `${d.name}: ${d.error} ${d.cause}`).toBe('SUCCEEDED');
        const doc = JSON.parse(d.output!) as { run: { workflow: string }; params: { n: number }; jobs: { only: { outputs: { square: unknown } } } };
        expect(doc.run.workflow).toBe(`w${String(i).padStart(2, '0')}`);
        expect(doc.params.n).toBe(i + 100);
        expect(String(doc.jobs.only.outputs.square)).toBe(String((i + 100) ** 2));
      });
      const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:w07' }));
      expect(listed.executions!.map((e) => [e.name, e.status])).toEqual([['load-7', 'SUCCEEDED']]);
      expect(serve.stderr.join('')).not.toContain('internal error');
    } finally {
      sfn.destroy();
      expect(await stopServe(serve.child)).toBe(0);
    }
  }, 120_000);
});
