/**
 * What `wf init` writes: a project that runs a workflow locally (`npx wf run hello`), tests it
 * (`npm test`) and deploys it (`npx cdk deploy`). Settings live in cdk.json's context, where
 * `wf` and the CDK app both read them. Versions are those this package was built and tested with.
 */

/** Versions the scaffold pins, from this package's own package.json. */
export interface ScaffoldVersions {
  self: string;
  awsCdkLib: string;
  constructs: string;
  awsCdk: string;
  zod: string;
}

/** The files of a new project, by path relative to its folder. */
export function scaffoldFiles(project: string, v: ScaffoldVersions): Record<string, string> {
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  return {
    'package.json': json({
      name: project,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: { test: 'node --test test/', wf: 'wf', synth: 'cdk synth', deploy: 'cdk deploy' },
      dependencies: { 'sfn-workflow': `^${v.self}`, zod: v.zod },
      devDependencies: { 'aws-cdk': v.awsCdk, 'aws-cdk-lib': v.awsCdkLib, constructs: v.constructs },
    }),
    'cdk.json': json({
      app: 'npx wf-cdk-app',
      context: { conf: 'conf', registry: ['registry/tasks.ts'], stack: 'Workflows' },
    }),
    'tsconfig.json': json({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true },
      include: ['registry/**/*.ts'],
    }),
    '.gitignore': 'node_modules/\n.wf/\ncdk.out/\n',
    'conf/hello.yml': `# yaml-language-server: $schema=../node_modules/sfn-workflow/schema/workflow.schema.json
hello:
  type: Workflow
  desc: Counts rows with a registered function, then reports from bash and Python.
  params:
    files:
      type: array
      default: [a.csv, b.csv]
  jobs:
    count:
      stages:
        - name: Count rows
          id: count
          uses: tasks/count-rows@v1
          with:
            files: \${{ params.files }}
        - name: Report from bash
          id: report
          bash: echo "\${{ stages.count.outputs.rows }} rows in \${{ stages.count.outputs.files }} files"
        - name: Check from Python
          id: check
          vars:
            rows: \${{ stages.count.outputs.rows }}
          run: |
            ok = rows > 0
`,
    'registry/tasks.ts': `/** Functions the workflows call with \`uses: tasks/<alias>@<tag>\`. */
import { z } from 'zod';
import { tag } from 'sfn-workflow';

export const countRows = tag(
  'tasks',
  { alias: 'count-rows', tag: 'v1', schema: z.object({ files: z.array(z.string()) }) },
  ({ files }) => ({ files: files.length, rows: files.length * 100 }),
);
`,
    'test/hello.test.mjs': `// Runs conf/hello.yml on the local engine, as \`npx wf run hello\` does, and checks what it produced.
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { test } from 'node:test';

test('hello counts the rows of its files', () => {
  const out = execFileSync('npx', ['wf', 'run', 'hello', '--json', '--no-audit', '-p', 'files=["x.csv","y.csv","z.csv"]'], { encoding: 'utf8' });
  const result = JSON.parse(out);
  assert.equal(result.status, 'SUCCESS');
  const stages = result.jobs.count.stages;
  assert.deepEqual(stages.count.outputs, { files: 3, rows: 300 });
  assert.equal(stages.report.outputs.stdout, '300 rows in 3 files');
  assert.equal(stages.check.outputs.ok, true);
});
`,
    'README.md': `# ${project}

Workflows in \`conf/\`, run by [sfn-workflow](https://www.npmjs.com/package/sfn-workflow).

\`\`\`sh
npm install
npx wf run hello --progress   # run conf/hello.yml on the local engine
npm test                      # the example test
npx cdk deploy                # deploy every workflow of conf/ to AWS Step Functions
\`\`\`

\`call\` functions live in \`registry/\`; cdk.json's context names the config directory and the
registry modules for \`wf\` and \`cdk\` alike.
`,
  };
}
